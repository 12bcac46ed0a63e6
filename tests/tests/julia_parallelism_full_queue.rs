//! A pool task that waits for room in the runtime thread's full queue, while the task
//! the runtime thread runs calls `Threads.@threads`: the worker's thread holds one of the
//! chunks, so it must run it while it waits, or neither ever finishes.

use std::time::Duration;

use jlrs_async::{AsyncExecutor, AsyncRuntimeExt};
use jlrs_mt::Builder;
use jlrs_pool::PoolBuilderExt;
use jlrs_tests::watchdog;

const SETUP: &str = r#"
function threads_sum()
    s = Threads.Atomic{Int}(0)
    Threads.@threads for i in 1:100
        Threads.atomic_add!(s, i)
    end
    return s[]
end

# Blocks its thread (no yield to Julia's scheduler) for `s` seconds, then runs
# `threads_sum`.
function threads_sum_later(s)
    Libc.systemsleep(s)
    return threads_sum()
end
"#;

#[test]
fn a_pool_task_waiting_for_room_runs_its_threads_chunk() {
    let _dog = watchdog("dispatch_blocking to a full queue", Duration::from_secs(60));
    // Julia threads: 1 runtime, 2 `with`, 3 the pool's one worker.
    let (_mt, rt, pool, runtime) = {
        let (mt, rt, runtime) = Builder::new()
            .n_threads(1)
            .async_runtime(AsyncExecutor::<1>::new())
            .channel_capacity(1)
            .spawn_mt()
            .expect("cannot start Julia");
        let pool = mt
            .pool_builder(AsyncExecutor::<1>::new())
            .n_workers(1.try_into().unwrap())
            .spawn();
        (mt, rt, pool, runtime)
    };
    rt.blocking_task(|mut frame| frame.eval(SETUP).map(|_| ()))
        .dispatch_blocking()
        .unwrap()
        .wait_blocking()
        .unwrap();

    let rt2 = rt.clone();
    let sums = pool
        .blocking_task(move |_frame| {
            // Runs on the runtime thread: half a second without yielding, then `@threads`,
            // which hands a chunk to this worker's thread.
            let first = rt2
                .blocking_task(|mut frame| {
                    let s = frame.box_value(0.5f64);
                    frame.call("threads_sum_later", &[s])?.unbox::<i64>()
                })
                .dispatch_blocking()
                .expect("the runtime thread takes the first task");
            // Fills the runtime's queue (capacity 1) while the first task runs...
            let second = rt2
                .blocking_task(|mut frame| frame.call("threads_sum", &[])?.unbox::<i64>())
                .dispatch_blocking()
                .expect("the second task waits in the queue");
            // ...so this one waits for room: until the first task, and so its chunk on
            // this thread, is done.
            let third = rt2
                .blocking_task(|mut frame| frame.call("threads_sum", &[])?.unbox::<i64>())
                .dispatch_blocking()
                .expect("the third task gets room");
            Ok([first, second, third].map(|t| t.wait_blocking().unwrap()))
        })
        .dispatch_blocking()
        .unwrap()
        .wait_blocking()
        .unwrap();
    assert_eq!(sums, [5050; 3]);
    drop((rt, pool, _mt));
    runtime.join().unwrap();
}
