//! jlrs-async on tokio: tasks with tokio timers, call_async, errors, and Julia's event
//! loop running alongside.

use std::{sync::OnceLock, time::Duration};

use jlrs_async::{AsyncHandle, AsyncRuntimeExt, Error, Tokio};
use jlrs_core::JlResult;
use jlrs_mt::Builder;
use jlrs_tests::watchdog;

fn handle() -> &'static AsyncHandle {
    static HANDLE: OnceLock<AsyncHandle> = OnceLock::new();
    HANDLE.get_or_init(|| {
        Builder::new()
            .n_threads(1)
            .async_runtime(Tokio::<3>::new(false))
            .spawn()
            .expect("cannot start Julia")
            .0
    })
}

#[test]
fn tasks_use_tokio_timers_and_julia_tasks() {
    let _dog = watchdog("tokio tasks", Duration::from_secs(60));
    let tasks: Vec<_> = (0..30i64)
        .map(|i| {
            handle()
                .task(async move |mut frame| {
                    let v = frame.box_value(i);
                    tokio::time::sleep(Duration::from_millis(5)).await;
                    frame.collect_garbage(i % 10 == 0);
                    let f = frame.global("abs2")?;
                    frame.call_async(f, &[v]).await?.unbox::<i64>()
                })
                .dispatch_blocking()
                .unwrap()
        })
        .collect();
    for (i, t) in tasks.into_iter().enumerate() {
        assert_eq!(t.wait_blocking().unwrap(), (i * i) as i64);
    }
}

#[test]
fn errors_and_panics_reach_the_caller() {
    let _dog = watchdog("tokio errors", Duration::from_secs(60));
    let e = handle()
        .task(async |_f| -> JlResult<()> { panic!("tokio task panic") })
        .dispatch_blocking()
        .unwrap()
        .wait_blocking()
        .unwrap_err();
    assert!(
        matches!(&e, Error::Panicked(m) if m == "tokio task panic"),
        "{e}"
    );
    let e = handle()
        .blocking_task(|mut f| f.eval("undefined_in_tokio_test").map(|_| ()))
        .dispatch_blocking()
        .unwrap()
        .wait_blocking()
        .unwrap_err();
    assert!(
        matches!(&e, Error::Julia(jlrs_core::Error::Exception(x)) if x.type_name() == "UndefVarError"),
        "{e}"
    );
}

#[test]
fn julia_timers_run_while_tokio_tasks_are_served() {
    let _dog = watchdog("tokio and Julia's event loop", Duration::from_secs(60));
    let ticks = || {
        handle()
            .blocking_task(|mut f| {
                f.eval("isdefined(Main, :TOKIO_TICKS) || (const TOKIO_TICKS = Threads.Atomic{Int}(0); Timer(_ -> Threads.atomic_add!(TOKIO_TICKS, 1), 0.001; interval = 0.005)); TOKIO_TICKS[]")?
                    .unbox::<i64>()
            })
            .dispatch_blocking()
            .unwrap()
            .wait_blocking()
            .unwrap()
    };
    let before = ticks();
    for _ in 0..10 {
        handle()
            .task(async |_f| {
                tokio::time::sleep(Duration::from_millis(10)).await;
                Ok(())
            })
            .dispatch_blocking()
            .unwrap()
            .wait_blocking()
            .unwrap();
    }
    let after = ticks();
    assert!(
        after > before + 5,
        "Julia's Timer stalled: {before} -> {after}"
    );
}
