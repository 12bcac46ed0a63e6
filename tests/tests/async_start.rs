//! jlrs-async: `start` runs Julia on the current thread and returns after shutdown.

use std::time::Duration;

use jlrs_async::{AsyncExecutor, AsyncRuntimeExt};
use jlrs_mt::Builder;
use jlrs_tests::watchdog;

#[test]
fn start_returns_the_result_after_shutdown() {
    let _dog = watchdog("async start", Duration::from_secs(120));
    let total = Builder::new()
        .n_threads(1)
        .async_runtime(AsyncExecutor::<2>::new())
        .start(|handle| {
            let tasks: Vec<_> = (1..=10i64)
                .map(|i| {
                    handle
                        .task(async move |mut frame| {
                            let x = frame.box_value(i);
                            let f = frame.global("abs2")?;
                            frame.call_async(f, &[x]).await?.unbox::<i64>()
                        })
                        .dispatch_blocking()
                        .unwrap()
                })
                .collect();
            tasks
                .into_iter()
                .map(|t| t.wait_blocking().unwrap())
                .sum::<i64>()
        })
        .expect("cannot run the runtime");
    assert_eq!(total, 385);
    assert!(
        !jlrs_core::is_running(),
        "start returned before Julia shut down"
    );
}
