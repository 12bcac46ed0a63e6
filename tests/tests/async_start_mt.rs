//! The combined runtimes with Julia on the current thread: `start_mt` hands both handles
//! to `f` and returns its result after Julia has shut down.

use std::time::Duration;

use jlrs_async::{AsyncExecutor, AsyncRuntimeExt};
use jlrs_mt::Builder;
use jlrs_pool::PoolBuilderExt;
use jlrs_tests::watchdog;

#[test]
fn start_mt_gives_both_handles_and_returns_after_shutdown() {
    let _dog = watchdog("combined start_mt", Duration::from_secs(120));
    let (with_tid, task_tid, pool_sum) = Builder::new()
        .n_threads(2)
        .async_runtime(AsyncExecutor::<2>::new())
        .start_mt(|mt, handle| {
            let with_tid = mt.with(|j| Ok(j.thread_id())).unwrap();
            let task_tid = handle
                .blocking_task(|mut f| f.eval("Threads.threadid()")?.unbox::<i64>())
                .dispatch_blocking()
                .unwrap()
                .wait_blocking()
                .unwrap();
            let pool = mt
                .pool_builder(AsyncExecutor::<2>::new())
                .n_workers(2.try_into().unwrap())
                .spawn();
            let sum: i64 = (1..=10i64)
                .map(|i| {
                    pool.blocking_task(move |mut f| f.box_value(i).unbox::<i64>())
                        .dispatch_blocking()
                        .unwrap()
                })
                .collect::<Vec<_>>()
                .into_iter()
                .map(|t| t.wait_blocking().unwrap())
                .sum();
            (with_tid, task_tid, sum)
        })
        .expect("cannot run the runtimes");
    assert_eq!((with_tid, task_tid, pool_sum), (2, 1, 55));
    assert!(
        !jlrs_core::is_running(),
        "start_mt returned before Julia shut down"
    );
}
