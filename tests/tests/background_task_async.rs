//! Tasks started from the async runtime: a background task and a scheduled Julia task
//! awaited with `fetch_async` while the runtime thread is idle in its event loop, a
//! blocking fetch there, and a `with` thread (not thread 1) that waits for a background
//! task whose wake-up only the idle runtime thread's event loop can deliver.

use std::{sync::mpsc, time::Duration};

use jlrs_async::{AsyncExecutor, AsyncRuntimeExt};
use jlrs_core::JuliaError;
use jlrs_mt::Builder;
use jlrs_tests::watchdog;

/// Julia code that returns once `task` waits in a queue (on its condition), so that the
/// closure's end must wake it.
const UNTIL_WAITING: &str = "bg_until_waiting(t) = while t.queue === nothing; sleep(0.001); end";

#[test]
fn async_tasks_and_with_threads_wait_for_background_and_scheduled_tasks() {
    let _dog = watchdog(
        "background tasks in the async runtime",
        Duration::from_secs(180),
    );
    let (mt, handle, runtime) = Builder::new()
        .n_threads(2)
        .async_runtime(AsyncExecutor::<3>::new())
        .spawn_mt()
        .expect("cannot start Julia");

    // An async task on the runtime thread awaits a closure that waits for a release
    // sent from here after the task has started waiting.
    let (release, gate) = mpsc::channel::<u64>();
    let (started_tx, started) = mpsc::channel::<()>();
    let waiting = handle
        .task(async move |mut frame| {
            frame.eval(UNTIL_WAITING)?;
            let task = frame.spawn_background_task(move || gate.recv().unwrap() * 2)?;
            // Released once the task waits on its condition: only the idle runtime
            // thread's event loop can then wake it.
            frame.call("bg_until_waiting", &[task.as_value()])?;
            started_tx.send(()).unwrap();
            task.fetch_async(&mut frame).await?.unbox::<u64>()
        })
        .dispatch_blocking()
        .unwrap();
    started.recv().unwrap();
    release.send(21).unwrap();
    assert_eq!(waiting.wait_blocking().unwrap(), 42);

    // A scheduled Julia task, awaited; its exception is its own.
    let (ok, failed) = handle
        .task(async |mut frame| {
            let f = frame.global("sqrt")?;
            let x = frame.box_value(16.0f64);
            let good = frame.schedule_async(f, &[x])?;
            let x = frame.box_value(-1.0f64);
            let bad = frame.schedule_async(f, &[x])?;
            let ok = good.fetch_async(&mut frame).await?.unbox::<f64>()?;
            let failed = match bad.fetch_async(&mut frame).await {
                Err(JuliaError::Exception(e)) => e.type_name().to_string(),
                other => format!("{:?}", other.map(|v| v.type_name())),
            };
            Ok((ok, failed))
        })
        .dispatch_blocking()
        .unwrap()
        .wait_blocking()
        .unwrap();
    assert_eq!(ok, 4.0);
    assert_eq!(failed, "DomainError");

    // A blocking task on the runtime thread waits inside Julia's fetch.
    let panicked = handle
        .blocking_task(|mut frame| {
            let task = frame.spawn_background_task(|| -> u8 { panic!("off-thread failure") })?;
            match task.fetch(&mut frame) {
                Err(JuliaError::Exception(e)) => Ok(e.message().to_string()),
                other => Ok(format!("{:?}", other.map(|v| v.type_name()))),
            }
        })
        .dispatch_blocking()
        .unwrap()
        .wait_blocking()
        .unwrap();
    assert!(panicked.contains("off-thread failure"), "{panicked}");

    // A `with` thread (Julia thread 2) waits while the runtime thread is idle in its
    // event loop, the only place the wake-up is processed.
    let (release, gate) = mpsc::channel::<String>();
    let (tid, got) = mt
        .with(move |julia| {
            let tid = julia.thread_id();
            let got = julia.scope(|mut frame| {
                let task = frame.spawn_background_task(move || gate.recv().unwrap())?;
                frame.set_global("bg_with", task.as_value())?;
                frame.call("bg_until_waiting", &[task.as_value()])?;
                release.send("from a Rust thread".into()).unwrap();
                frame.eval("fetch(bg_with)")?.unbox::<String>()
            })?;
            Ok((tid, got))
        })
        .unwrap();
    assert_eq!(tid, 2);
    assert_eq!(got, "from a Rust thread");

    drop(mt);
    drop(handle);
    runtime.join().expect("the runtime thread panicked");
}
