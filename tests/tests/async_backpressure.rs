//! jlrs-async: a small channel pushes back; closing lets queued tasks finish; dispatch
//! after close hands the task back; the runtime then shuts down.

use std::time::Duration;

use jlrs_async::{AsyncExecutor, AsyncHandle, AsyncRuntimeExt, DispatchError};
use jlrs_mt::Builder;
use jlrs_tests::watchdog;

/// Occupies the runtime's only task slot until the returned sender is dropped or used.
fn occupy(handle: &AsyncHandle) -> (async_channel::Sender<()>, jlrs_async::TaskHandle<()>) {
    let (gate_tx, gate_rx) = async_channel::bounded::<()>(1);
    let (started_tx, started_rx) = async_channel::bounded::<()>(1);
    let task = handle
        .blocking_task(move |_frame| {
            started_tx.send_blocking(()).unwrap();
            let _ = jlrs_core::blocking(|| gate_rx.recv_blocking());
            Ok(())
        })
        .try_dispatch()
        .unwrap();
    started_rx.recv_blocking().unwrap();
    (gate_tx, task)
}

#[test]
fn backpressure_close_and_dispatch_after_close() {
    let _dog = watchdog("backpressure", Duration::from_secs(120));
    let (handle, runtime) = Builder::new()
        .n_threads(1)
        .async_runtime(AsyncExecutor::<1>::new())
        .channel_capacity(2)
        .spawn()
        .expect("cannot start Julia");

    let (gate, first) = occupy(&handle);
    let queued: Vec<_> = (0..2i64)
        .map(|i| {
            handle
                .blocking_task(move |mut f| f.box_value(i).unbox::<i64>())
                .try_dispatch()
                .expect("room for two")
        })
        .collect();
    let third = handle.blocking_task(|mut f| f.eval("3")?.unbox::<i64>());
    let third = match third.try_dispatch() {
        Err(DispatchError::Full(d)) => d,
        Err(DispatchError::Closed(_)) => panic!("closed"),
        Ok(_) => panic!("a full channel accepted a task"),
    };
    assert_eq!(handle.n_queued(), 2);
    // `dispatch().await` waits for room; release the worker so room appears.
    let waiter =
        std::thread::spawn(move || smol::block_on(third.dispatch()).unwrap().wait_blocking());
    std::thread::sleep(Duration::from_millis(50));
    assert!(!waiter.is_finished(), "dispatch did not wait for room");
    gate.send_blocking(()).unwrap();
    first.wait_blocking().unwrap();
    for (i, q) in queued.into_iter().enumerate() {
        assert_eq!(q.wait_blocking().unwrap(), i as i64);
    }
    assert_eq!(waiter.join().unwrap().unwrap(), 3);

    // Closing without cancel: queued tasks still run; new ones are handed back.
    let (gate, first) = occupy(&handle);
    let queued = handle
        .blocking_task(|mut f| f.eval("40 + 2")?.unbox::<i64>())
        .try_dispatch()
        .unwrap();
    handle.close(false);
    assert!(handle.is_closed());
    let late = handle.blocking_task(|_f| Ok(()));
    match late.try_dispatch() {
        Err(e @ DispatchError::Closed(_)) => assert!(e.is_closed()),
        _ => panic!("a closed runtime accepted a task"),
    }
    let late = handle.blocking_task(|_f| Ok(()));
    assert!(smol::block_on(late.dispatch()).err().unwrap().is_closed());
    assert!(
        !handle.try_add_worker(),
        "workers can only be added to pools"
    );
    assert!(!handle.try_remove_worker());
    assert_eq!(handle.n_workers(), 1);
    gate.send_blocking(()).unwrap();
    first.wait_blocking().unwrap();
    assert_eq!(queued.wait_blocking().unwrap(), 42);

    // Closed and drained: the runtime shuts down even though a handle still exists.
    runtime.join().expect("the runtime thread panicked");
    assert!(!jlrs_core::is_running());
    drop(handle);
}
