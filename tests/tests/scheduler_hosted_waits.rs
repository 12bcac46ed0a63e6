//! Every kind of wait a hosted thread can do lets that thread's Julia work run: a pool task
//! waits (for a lock, a latch, a condition, an answer from `with`) on something that thread
//! 1 gives only after a `Threads.@threads` loop, which needs a chunk on the waiting pool
//! worker's own thread. Every Julia thread but thread 1 hosts a pool worker.

use std::{
    sync::{
        atomic::{AtomicBool, Ordering},
        Arc, OnceLock,
    },
    time::Duration,
};

use event_listener::Event;
use jlrs_async::{AsyncExecutor, AsyncHandle};
use jlrs_core::{
    latch::{wait_until_blocking, Latch},
    sync::{GcSafeMutex, GcSafeMutexGuard, GcSafeRwLock},
    GcFrame, JlResult,
};
use jlrs_mt::{Builder, MtHandle};
use jlrs_pool::PoolBuilderExt;
use jlrs_tests::watchdog;

struct Setup {
    mt: MtHandle,
    pool: AsyncHandle,
    /// The tests run one at a time: each needs every worker.
    one_at_a_time: GcSafeMutex<()>,
}

const SETUP: &str = r#"
function threads_sum()
    s = Threads.Atomic{Int}(0)
    Threads.@threads for i in 1:100
        Threads.atomic_add!(s, i)
    end
    return s[]
end
"#;

fn setup() -> (&'static Setup, GcSafeMutexGuard<'static, ()>) {
    static SETUP_ONCE: OnceLock<Setup> = OnceLock::new();
    let setup = SETUP_ONCE.get_or_init(|| {
        let (mt, _thread) = Builder::new()
            .with_threads(0)
            .n_threads(2)
            .spawn_mt()
            .expect("cannot start Julia");
        let pool = mt
            .pool_builder(AsyncExecutor::<1>::new())
            .n_workers(2.try_into().unwrap())
            .spawn();
        assert_eq!(pool.n_workers(), 2);
        mt.with(|julia| julia.scope(|mut frame| frame.eval(SETUP).map(|_| ())))
            .unwrap();
        Setup {
            mt,
            pool,
            one_at_a_time: GcSafeMutex::new(()),
        }
    });
    (setup, setup.one_at_a_time.lock())
}

fn threads_sum(frame: &mut GcFrame<'_>) -> JlResult<i64> {
    frame.call("threads_sum", &[])?.unbox::<i64>()
}

/// Runs `give` on thread 1. `give` first takes what the pool task will wait for, if it
/// holds anything, then calls `start`, which dispatches `wait` as a pool task and returns
/// once the task is about to wait; then `give` runs `Threads.@threads` and releases what
/// the task waits for. Both must finish.
fn pool_task_waits_while_thread_1_runs_threads(
    what: &str,
    wait: impl FnOnce() -> i64 + Send + 'static,
    give: impl FnOnce(&mut GcFrame<'_>, &mut dyn FnMut()) -> JlResult<i64> + Send + 'static,
) {
    let _dog = watchdog(what, Duration::from_secs(120));
    let (setup, _one) = setup();
    let pool = setup.pool.clone();
    let (sum, task) = setup
        .mt
        .with(move |julia| {
            let mut wait = Some(wait);
            let mut task = None;
            let mut start = || {
                let waiting = Arc::new(AtomicBool::new(false));
                let wait = wait.take().unwrap();
                let flag = waiting.clone();
                task = Some(
                    pool.blocking_task(move |_frame| {
                        flag.store(true, Ordering::SeqCst);
                        Ok(wait())
                    })
                    .dispatch_blocking()
                    .unwrap(),
                );
                jlrs_core::blocking(|| {
                    while !waiting.load(Ordering::SeqCst) {
                        std::thread::yield_now();
                    }
                });
            };
            let sum = julia.scope(|mut frame| give(&mut frame, &mut start))?;
            Ok((sum, task.unwrap()))
        })
        .unwrap();
    assert_eq!(sum, 5050);
    assert_eq!(task.wait_blocking().unwrap(), 7);
}

#[test]
fn a_pool_task_waiting_for_a_mutex_whose_holder_runs_threads_finishes() {
    let lock = Arc::new(GcSafeMutex::new(0i64));
    let guard = lock.clone();
    let (held_tx, held) = oneshot::channel();
    let holder = std::thread::spawn(move || {
        // Held on a plain thread until thread 1 has run `@threads`, then released.
        let mut g = guard.lock();
        *g = 7;
        let (release_tx, release) = oneshot::channel::<()>();
        held_tx.send(release_tx).unwrap();
        let _ = release.recv();
        drop(g);
    });
    let release = held.recv().unwrap();
    pool_task_waits_while_thread_1_runs_threads(
        "mutex",
        move || *lock.lock(),
        move |frame, start| {
            start();
            let sum = threads_sum(frame)?;
            release.send(()).unwrap();
            Ok(sum)
        },
    );
    holder.join().unwrap();
}

#[test]
fn a_pool_task_waiting_for_a_mutex_held_by_thread_1_during_threads_finishes() {
    let lock = Arc::new(GcSafeMutex::new(7i64));
    let held = lock.clone();
    pool_task_waits_while_thread_1_runs_threads(
        "mutex held by thread 1",
        move || *lock.lock(),
        move |frame, start| {
            let _g = held.lock();
            start();
            threads_sum(frame)
        },
    );
}

#[test]
fn a_pool_task_waiting_to_write_while_thread_1_reads_during_threads_finishes() {
    let lock = Arc::new(GcSafeRwLock::new(7i64));
    let held = lock.clone();
    pool_task_waits_while_thread_1_runs_threads(
        "rwlock",
        move || *lock.write(),
        move |frame, start| {
            let _g = held.read();
            start();
            threads_sum(frame)
        },
    );
}

#[test]
fn a_pool_task_waiting_for_a_latch_set_after_threads_finishes() {
    let latch = Arc::new(Latch::new());
    let set = latch.clone();
    pool_task_waits_while_thread_1_runs_threads(
        "latch",
        move || {
            latch.wait_blocking();
            7
        },
        move |frame, start| {
            start();
            let sum = threads_sum(frame)?;
            set.set();
            Ok(sum)
        },
    );
}

#[test]
fn a_pool_task_waiting_for_a_condition_made_true_after_threads_finishes() {
    let state = Arc::new((Event::new(), AtomicBool::new(false)));
    let give = state.clone();
    pool_task_waits_while_thread_1_runs_threads(
        "condition",
        move || {
            wait_until_blocking(&state.0, || state.1.load(Ordering::SeqCst));
            7
        },
        move |frame, start| {
            start();
            let sum = threads_sum(frame)?;
            give.1.store(true, Ordering::SeqCst);
            give.0.notify(usize::MAX);
            Ok(sum)
        },
    );
}

#[test]
fn a_pool_task_waiting_for_with_on_thread_1_that_runs_threads_finishes() {
    // `with` waits for its answer through a oneshot (`wait::oneshot`); thread 1 serves it.
    let (setup, one) = setup();
    drop(one);
    let mt = setup.mt.clone();
    pool_task_waits_while_thread_1_runs_threads(
        "with from a pool task",
        move || {
            let sum = mt
                .with(|julia| julia.scope(|mut frame| threads_sum(&mut frame)))
                .unwrap();
            assert_eq!(sum, 5050);
            7
        },
        |frame, start| {
            start();
            threads_sum(frame)
        },
    );
}
