//! A borrow leaked with `mem::forget` stays alive for good: its array is kept alive with
//! it, so no later array can reuse its address and inherit the borrow, and its thread can
//! no longer call Julia. (Its own binary: the runtime thread is given up.)

use std::time::Duration;

use jlrs_core::{array::ArrayError, hosted::Hosted, Error, InitOptions, Julia, Runtime};
use jlrs_tests::watchdog;

#[test]
fn a_forgotten_borrow_keeps_its_array_and_blocks_no_other_array() {
    let _dog = watchdog("a forgotten borrow", Duration::from_secs(180));
    let mut rt = Runtime::init(InitOptions::new().n_threads(2)).expect("cannot start Julia");
    assert!(rt.n_threads() >= 2, "the test needs a second Julia thread");
    let julia = rt.julia();
    // Thread 2 waits for the forgotten borrow, then makes many arrays of the same size,
    // collecting now and then, and borrows each exclusively.
    let (go_tx, go_rx) = async_channel::bounded::<()>(1);
    let (out_tx, out_rx) = async_channel::bounded::<Result<usize, String>>(1);
    let worker = Hosted::on_thread(2)
        .spawn(julia, move |j: &mut Julia| {
            if j.gc_safe(|| go_rx.recv_blocking()).is_err() {
                return;
            }
            let out = j.scope(|mut f| {
                for _ in 0..3 {
                    f.collect_garbage(true);
                }
                let alive = f
                    .eval("FORGOTTEN.value !== nothing")
                    .map_err(|e| e.to_string())?;
                if !alive.unbox::<bool>().map_err(|e| e.to_string())? {
                    return Err("the array of the forgotten borrow was collected".to_string());
                }
                for i in 0..3000 {
                    if i % 300 == 0 {
                        f.collect_garbage(true);
                    }
                    let ok = f.scope(|mut inner| {
                        let a = inner.new_array::<f64>(&[16]).map_err(|e| e.to_string())?;
                        let borrowed = a.data_mut().map(|_| ());
                        borrowed.map_err(|e| format!("array {i}: {e}"))
                    });
                    ok?;
                }
                Ok(3000)
            });
            let _ = out_tx.try_send(out);
        })
        .unwrap();
    julia.scope(|mut f| {
        f.scope(|mut inner| {
            let a = inner.new_array::<f64>(&[16]).unwrap();
            let keep = inner
                .eval("a -> (global FORGOTTEN = WeakRef(a); nothing)")
                .unwrap();
            keep.call(&mut inner, &[a.as_value()]).unwrap();
            std::mem::forget(a.data_mut().unwrap());
        });
        // No Julia call on this thread any more.
        assert!(matches!(
            f.eval("1"),
            Err(Error::Array(ArrayError::BorrowHeld))
        ));
    });
    let out = julia.gc_safe(|| {
        go_tx.send_blocking(()).unwrap();
        out_rx.recv_blocking().unwrap()
    });
    assert_eq!(out, Ok(3000));
    julia.gc_safe(|| worker.join());
}
