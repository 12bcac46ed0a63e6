//! The multithreaded and async runtimes together: `with` on the `with` thread, tasks on
//! the runtime thread; the runtime ends when both kinds of handle are gone.

use std::time::Duration;

use jlrs_async::{AsyncExecutor, AsyncRuntimeExt};
use jlrs_mt::Builder;
use jlrs_tests::watchdog;

#[test]
fn mt_and_async_handles_share_one_runtime() {
    let _dog = watchdog("combined runtimes", Duration::from_secs(120));
    let (mt, handle, runtime) = Builder::new()
        .n_threads(2)
        .async_runtime(AsyncExecutor::<3>::new())
        .spawn_mt()
        .expect("cannot start Julia");
    let with_tid = mt.with(|j| Ok(j.thread_id())).unwrap();
    assert_eq!(with_tid, 2);
    let task_tid = handle
        .blocking_task(|mut f| f.eval("Threads.threadid()")?.unbox::<i64>())
        .dispatch_blocking()
        .unwrap()
        .wait_blocking()
        .unwrap();
    assert_eq!(task_tid, 1, "async tasks run on the runtime thread");

    // Dropping the MtHandle first keeps the runtime alive for the async handle.
    drop(mt);
    let v = handle
        .task(async |mut f| f.eval("6 * 7")?.unbox::<i64>())
        .dispatch_blocking()
        .unwrap()
        .wait_blocking()
        .unwrap();
    assert_eq!(v, 42);
    drop(handle);
    runtime.join().expect("the runtime thread panicked");
    assert!(!jlrs_core::is_running());
}
