//! Arrays from every kind of Julia thread: the same code runs in `MtHandle::with`, an
//! async task on the runtime thread and a pool task, and a borrow held on one Julia
//! thread makes conflicting borrows on the others errors (through other handles to the
//! same Julia object) until it ends.

use std::{sync::mpsc, time::Duration};

use jlrs_async::{AsyncExecutor, AsyncHandle, AsyncRuntimeExt};
use jlrs_core::{array::ArrayError, Error, GcFrame, JlResult};
use jlrs_mt::{Builder, MtHandle};
use jlrs_pool::PoolBuilderExt;
use jlrs_tests::watchdog;

/// Makes arrays in the four ways, has Julia and Rust sum them; returns the sums.
fn exercise(frame: &mut GcFrame<'_>) -> JlResult<Vec<i64>> {
    let data: Vec<i64> = (1..=1000).collect();
    let expected = 1000 * 1001 / 2;
    let sum = frame.global("sum")?;
    let mut sums = Vec::new();
    let a = frame.array_from_vec(data.clone(), [10, 100])?;
    sums.push(sum.call(frame, &[a.as_value()])?.unbox::<i64>()?);
    let b = frame.array_from_slice(&data, [10, 10, 10])?;
    sums.push(sum.call(frame, &[b.as_value()])?.unbox::<i64>()?);
    let c = frame.new_array::<i64>(&[1000])?;
    c.data_mut()?.copy_from_slice(&data);
    sums.push(c.data()?.iter().sum());
    let mut buf = data.clone();
    let s = frame.borrow_array_copy(&mut buf, [1000], |frame, d| {
        let sum = frame.global("sum")?;
        sum.call(frame, &[d.as_value()])?.unbox::<i64>()
    })??;
    sums.push(s);
    assert!(sums.iter().all(|&s| s == expected), "{sums:?}");
    Ok(sums)
}

/// Tries every kind of borrow of the global `shared_arr` on this thread.
fn try_borrows(frame: &mut GcFrame<'_>) -> JlResult<(bool, bool, bool)> {
    let a = frame.global("shared_arr")?.array::<f64>()?;
    let shared = a.data().map(|_| ());
    let exclusive = a.data_mut().map(|_| ());
    let any = a.as_value().array_any()?.get(frame, 0).map(|_| ());
    let conflict = |r: &JlResult<()>| matches!(r, Err(Error::Array(ArrayError::Borrowed(_))));
    Ok((conflict(&shared), conflict(&exclusive), conflict(&any)))
}

fn setup() -> (MtHandle, AsyncHandle, AsyncHandle) {
    let (mt, runtime, _thread) = Builder::new()
        .with_threads(2)
        .n_threads(2)
        .async_runtime(AsyncExecutor::<2>::new())
        .spawn_mt()
        .expect("cannot start Julia");
    let pool = mt
        .pool_builder(AsyncExecutor::<2>::new())
        .n_workers(1.try_into().unwrap())
        .spawn();
    (mt, runtime, pool)
}

#[test]
fn arrays_work_alike_on_every_thread_and_borrows_conflict_across_threads() {
    let _dog = watchdog("arrays across threads", Duration::from_secs(120));
    let (mt, runtime, pool) = setup();

    // The same code in `with`, an async task on the runtime thread and a pool task.
    let with = mt.with(|j| j.scope(|mut f| exercise(&mut f))).unwrap();
    let task = runtime
        .task(async |mut f| exercise(&mut f))
        .dispatch_blocking()
        .unwrap()
        .wait_blocking()
        .unwrap();
    let pooled = pool
        .task(async |mut f| exercise(&mut f))
        .dispatch_blocking()
        .unwrap()
        .wait_blocking()
        .unwrap();
    assert_eq!(with, task);
    assert_eq!(with, pooled);

    mt.with(|j| j.scope(|mut f| f.eval("shared_arr = zeros(1000)").map(|_| ())))
        .unwrap();

    // One `with` thread holds an exclusive borrow and waits (GC-safely) while the other
    // threads try to borrow the same Julia array through their own handles.
    let (held_tx, held_rx) = mpsc::channel::<usize>();
    let (release_tx, release_rx) = mpsc::channel::<()>();
    let holder = {
        let mt = mt.clone();
        std::thread::spawn(move || {
            mt.with(move |j| {
                let tid = j.thread_id();
                j.scope(|mut f| {
                    let a = f.global("shared_arr")?.array::<f64>()?;
                    let mut m = a.data_mut()?;
                    m[0] = 7.0;
                    held_tx.send(tid).unwrap();
                    jlrs_core::blocking(move || release_rx.recv()).unwrap();
                    drop(m);
                    Ok(tid)
                })
            })
            .unwrap()
        })
    };
    let holder_tid = held_rx.recv().unwrap();

    let (other_tid, from_with) = mt
        .with(|j| {
            let tid = j.thread_id();
            j.scope(|mut f| Ok((tid, try_borrows(&mut f)?)))
        })
        .unwrap();
    assert_ne!(
        other_tid, holder_tid,
        "the borrows are on two Julia threads"
    );
    assert_eq!(from_with, (true, true, true));
    let from_task = runtime
        .task(async |mut f| try_borrows(&mut f))
        .dispatch_blocking()
        .unwrap()
        .wait_blocking()
        .unwrap();
    assert_eq!(from_task, (true, true, true));
    let from_pool = pool
        .blocking_task(|mut f| try_borrows(&mut f))
        .dispatch_blocking()
        .unwrap()
        .wait_blocking()
        .unwrap();
    assert_eq!(from_pool, (true, true, true));

    release_tx.send(()).unwrap();
    assert_eq!(holder.join().unwrap(), holder_tid);

    // Released: every thread may borrow again, and sees the holder's write.
    let after = pool
        .blocking_task(|mut f| {
            let free = try_borrows(&mut f)?;
            let a = f.global("shared_arr")?.array::<f64>()?;
            let first = a.data()?[0];
            Ok((free, first))
        })
        .dispatch_blocking()
        .unwrap()
        .wait_blocking()
        .unwrap();
    assert_eq!(after, ((false, false, false), 7.0));
    let after = mt.with(|j| j.scope(|mut f| try_borrows(&mut f))).unwrap();
    assert_eq!(after, (false, false, false));
}
