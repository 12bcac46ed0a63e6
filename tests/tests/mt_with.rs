//! jlrs-mt: `MtHandle::with` from many threads under GC pressure; errors and panics.

use std::{
    sync::{
        atomic::{AtomicBool, Ordering},
        Arc, OnceLock,
    },
    time::Duration,
};

use jlrs_mt::{Builder, Error, MtHandle};
use jlrs_tests::watchdog;

fn mt() -> &'static MtHandle {
    static MT: OnceLock<MtHandle> = OnceLock::new();
    MT.get_or_init(|| {
        let (mt, _thread) = Builder::new()
            .n_threads(2)
            .with_threads(2)
            .spawn_mt()
            .expect("cannot start Julia");
        mt.with(|j| {
            j.scope(|mut f| {
                f.eval("mt_work(i) = (v = collect(1:(i % 100) + 1); (sum(v), Threads.threadid()))")
                    .map(|_| ())
            })
        })
        .unwrap();
        mt
    })
}

#[test]
fn eight_threads_call_with_a_thousand_times_while_collections_are_forced() {
    let _dog = watchdog("8 x 1000 calls of with", Duration::from_secs(240));
    let stop = Arc::new(AtomicBool::new(false));
    let collector = {
        let stop = stop.clone();
        std::thread::spawn(move || {
            let mut n = 0;
            while !stop.load(Ordering::Acquire) {
                mt().with(move |j| {
                    j.collect_garbage(n % 3 == 0);
                    Ok(())
                })
                .unwrap();
                n += 1;
            }
            n
        })
    };
    let callers: Vec<_> = (0..8i64)
        .map(|t| {
            std::thread::spawn(move || {
                let mut threads = std::collections::BTreeSet::new();
                for k in 0..1000i64 {
                    let i = t * 1000 + k;
                    let (sum, tid) = mt()
                        .with(move |j| {
                            j.scope(|mut f| {
                                let x = f.box_value(i);
                                let r = f.call("mt_work", &[x])?;
                                let s = f.call("first", &[r])?.unbox::<i64>()?;
                                let tid = f.call("last", &[r])?.unbox::<i64>()?;
                                Ok((s, tid))
                            })
                        })
                        .unwrap();
                    let n = i % 100 + 1;
                    assert_eq!(sum, n * (n + 1) / 2, "call {i}");
                    threads.insert(tid);
                }
                threads
            })
        })
        .collect();
    let mut threads = std::collections::BTreeSet::new();
    for c in callers {
        threads.extend(c.join().expect("a caller panicked"));
    }
    stop.store(true, Ordering::Release);
    assert!(collector.join().unwrap() > 0);
    // Only the two `with` threads (Julia threads 2 and 3) ran the calls.
    assert!(threads.iter().all(|t| [2, 3].contains(t)), "{threads:?}");
}

#[test]
fn julia_exceptions_come_back_as_errors() {
    let err = mt()
        .with(|j| j.scope(|mut f| f.eval("sqrt(-1.0)").map(|_| ())))
        .unwrap_err();
    let Error::Julia(jlrs_core::Error::Exception(e)) = &err else {
        panic!("{err:?}")
    };
    assert_eq!(e.type_name(), "DomainError");
    assert!(
        err.to_string()
            .contains("sqrt will only return a complex result"),
        "{err}"
    );
}

#[test]
fn a_panic_reaches_the_caller_and_the_runtime_stays_healthy() {
    let _dog = watchdog("panics in with", Duration::from_secs(60));
    for _ in 0..10 {
        let err = mt()
            .with(|_| -> jlrs_core::JlResult<()> { panic!("deliberate panic in with") })
            .unwrap_err();
        assert!(
            matches!(&err, Error::Panicked(m) if m == "deliberate panic in with"),
            "{err}"
        );
    }
    let v = mt()
        .with(|j| j.scope(|mut f| f.eval("21 * 2")?.unbox::<i64>()))
        .unwrap();
    assert_eq!(v, 42);
}

#[test]
fn with_inside_with_runs_in_place() {
    let _dog = watchdog("nested with", Duration::from_secs(60));
    let (outer, inner) = mt()
        .with(|j| {
            let outer = j.thread_id();
            let inner = mt().with(|j| Ok(j.thread_id())).unwrap();
            // Also from inside a GC-safe region.
            let inner_safe = j.gc_safe(|| mt().with(|j| Ok(j.thread_id())).unwrap());
            assert_eq!(inner, inner_safe);
            Ok((outer, inner))
        })
        .unwrap();
    assert_eq!(outer, inner);
}

#[test]
fn the_thread_plan_is_reported() {
    assert_eq!(mt().n_julia_threads(), 5);
    assert_eq!(mt().n_with_threads(), 2);
    assert_eq!(mt().n_worker_threads(), 2);
    let a = mt().claim_worker_thread().unwrap();
    let b = mt().claim_worker_thread().unwrap();
    assert_eq!((a.tid(), b.tid()), (4, 5));
    assert!(mt().claim_worker_thread().is_none());
    drop(a);
    assert_eq!(mt().n_free_worker_threads(), 1);
    assert_eq!(mt().claim_worker_thread().unwrap().tid(), 4);
}
