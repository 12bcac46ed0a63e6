//! jlrs-async: closing with `cancel` answers every queued task with `Cancelled`, lets the
//! running one finish, and shuts the runtime down.

use std::time::Duration;

use jlrs_async::{AsyncExecutor, AsyncRuntimeExt, Error};
use jlrs_mt::Builder;
use jlrs_tests::watchdog;

#[test]
fn close_with_cancel_answers_every_queued_task() {
    let _dog = watchdog("close with cancel", Duration::from_secs(120));
    let (handle, runtime) = Builder::new()
        .n_threads(1)
        .async_runtime(AsyncExecutor::<1>::new())
        .spawn()
        .expect("cannot start Julia");
    let (gate_tx, gate_rx) = async_channel::bounded::<()>(1);
    let (started_tx, started_rx) = async_channel::bounded::<()>(1);
    let running = handle
        .blocking_task(move |mut f| {
            started_tx.send_blocking(()).unwrap();
            let _ = jlrs_core::blocking(|| gate_rx.recv_blocking());
            f.eval("\"finished\"")?.unbox::<String>()
        })
        .try_dispatch()
        .unwrap();
    started_rx.recv_blocking().unwrap();
    let queued: Vec<_> = (0..10_000)
        .map(|_| handle.blocking_task(|_f| Ok(())).try_dispatch().unwrap())
        .collect();
    handle.close(true);
    gate_tx.send_blocking(()).unwrap();
    assert_eq!(running.wait_blocking().unwrap(), "finished");
    for q in queued {
        assert!(matches!(q.wait_blocking(), Err(Error::Cancelled)));
    }
    runtime.join().expect("the runtime thread panicked");
    drop(handle);
}
