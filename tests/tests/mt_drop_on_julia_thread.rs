//! jlrs-mt: handles dropped inside `with`, and the last one dropped on a Julia thread.

use std::time::Duration;

use jlrs_core::hosted::Hosted;
use jlrs_mt::Builder;
use jlrs_tests::watchdog;

#[test]
fn dropping_handles_inside_with_and_the_last_on_a_julia_thread_does_not_deadlock() {
    let _dog = watchdog("drops on Julia threads", Duration::from_secs(120));
    let (mt, runtime) = Builder::new()
        .n_threads(1)
        .spawn_mt()
        .expect("cannot start Julia");

    // Every other handle is dropped inside `with`.
    let clones: Vec<_> = (0..4).map(|_| mt.clone()).collect();
    mt.with(move |_| {
        drop(clones);
        Ok(())
    })
    .unwrap();

    // The last handle ends up in a hosted loop on the worker thread, which drops it there.
    let worker = mt.claim_worker_thread().expect("one worker thread");
    let tid = worker.tid();
    let (go_tx, go_rx) = async_channel::bounded::<()>(1);
    let last = mt.clone();
    let mut state = Some((go_rx, last, worker));
    mt.with(move |j| {
        Hosted::on_thread(tid)
            .spawn(j, move |j: &mut jlrs_core::Julia| {
                let Some((go_rx, last, worker)) = state.take() else {
                    return;
                };
                let _ = j.gc_safe(|| go_rx.recv_blocking());
                // A call through the handle runs in place, then the last handle is dropped
                // inside `with` on this Julia thread.
                let last2 = last.clone();
                last.with(move |_| {
                    drop(last2);
                    Ok(())
                })
                .unwrap();
                drop(last);
                drop(worker);
            })
            .map(|_| ())
    })
    .unwrap();
    drop(mt);
    go_tx.send_blocking(()).unwrap();
    runtime.join().expect("the runtime thread panicked");
    assert!(!jlrs_core::is_running());
}
