//! jlrs-pool: tasks reach any worker; workers are added and removed; the three ways a
//! pool shuts down; restart after a worker panics; churn while tasks flow; handles
//! dropped inside tasks; statistics.

use std::{collections::BTreeSet, time::Duration};

use jlrs_async::{AsyncExecutor, AsyncHandle, Error};
use jlrs_core::sync::GcSafeMutexGuard;
use jlrs_mt::MtHandle;
use jlrs_pool::{current_worker, PoolBuilderExt};
use jlrs_tests::{faulty::Faulty, pool_runtime::PoolRuntime, wait_until, watchdog};

const WORKER_THREADS: usize = 4;

static RUNTIME: PoolRuntime = PoolRuntime::new(WORKER_THREADS);

fn mt() -> &'static MtHandle {
    RUNTIME.mt()
}

fn exclusive() -> GcSafeMutexGuard<'static, ()> {
    RUNTIME.exclusive()
}

fn pool(n: usize) -> AsyncHandle {
    mt().pool_builder(AsyncExecutor::<3>::new())
        .n_workers(n.try_into().unwrap())
        .name_prefix("test")
        .spawn()
}

fn which_worker(pool: &AsyncHandle, pause: Duration) -> jlrs_async::TaskHandle<String> {
    pool.blocking_task(move |_frame| {
        jlrs_core::blocking(|| std::thread::sleep(pause));
        Ok(current_worker().expect("tasks run on named workers"))
    })
    .dispatch_blocking()
    .unwrap()
}

#[test]
fn tasks_reach_any_worker() {
    let _dog = watchdog("tasks reach any worker", Duration::from_secs(60));
    let _x = exclusive();
    let pool = pool(3);
    assert_eq!(pool.n_workers(), 3);
    let tasks: Vec<_> = (0..30)
        .map(|_| which_worker(&pool, Duration::from_millis(10)))
        .collect();
    let workers: BTreeSet<String> = tasks
        .into_iter()
        .map(|t| t.wait_blocking().unwrap())
        .collect();
    assert!(
        workers.len() >= 2,
        "one worker took every task: {workers:?}"
    );
    assert!(
        workers.iter().all(|w| w.starts_with("test-")),
        "{workers:?}"
    );
}

#[test]
fn workers_are_added_and_removed_and_the_last_removal_closes_the_pool() {
    let _dog = watchdog("add and remove", Duration::from_secs(60));
    let _x = exclusive();
    let pool = pool(3);
    assert!(pool.try_add_worker());
    assert_eq!(
        pool.n_workers(),
        4,
        "n_workers shows the new worker at once"
    );
    assert!(!pool.try_add_worker(), "no worker thread is free");
    assert_eq!(pool.n_workers(), 4);
    // Tasks still run on the grown pool.
    assert!(which_worker(&pool, Duration::ZERO).wait_blocking().is_ok());
    for left in (0..4).rev() {
        assert!(pool.try_remove_worker());
        assert_eq!(pool.n_workers(), left);
    }
    assert!(!pool.try_remove_worker(), "no worker is left to remove");
    assert!(pool.is_closed(), "removing the last worker closes the pool");
    assert!(!pool.try_add_worker(), "a closed pool takes no workers");
    // The threads return to the runtime.
    wait_until("threads freed", || {
        mt().n_free_worker_threads() == WORKER_THREADS
    });
}

#[test]
fn a_pool_shuts_down_when_its_handles_are_dropped_or_it_is_closed() {
    let _dog = watchdog("pool shutdown", Duration::from_secs(60));
    let _x = exclusive();
    let p = pool(2);
    let pending = which_worker(&p, Duration::from_millis(20));
    let clone = p.clone();
    drop(p);
    assert_eq!(
        mt().n_free_worker_threads(),
        WORKER_THREADS - 2,
        "a handle is still alive"
    );
    drop(clone);
    assert!(pending.wait_blocking().is_ok(), "a running task finishes");
    wait_until("threads freed after the last drop", || {
        mt().n_free_worker_threads() == WORKER_THREADS
    });

    let p = pool(2);
    let queued: Vec<_> = (0..10)
        .map(|_| which_worker(&p, Duration::from_millis(2)))
        .collect();
    p.close(false);
    assert!(p.is_closed());
    for q in queued {
        assert!(q.wait_blocking().is_ok(), "queued tasks run after close");
    }
    wait_until("threads freed after close", || {
        mt().n_free_worker_threads() == WORKER_THREADS
    });
    // The freed threads serve new pools.
    let again = pool(WORKER_THREADS);
    assert_eq!(again.n_workers(), WORKER_THREADS);
}

#[test]
fn a_worker_that_panics_is_restarted_and_no_queued_task_is_lost() {
    let _dog = watchdog("worker restart", Duration::from_secs(60));
    let _x = exclusive();
    let pool = mt()
        .pool_builder::<_, 2>(Faulty)
        .n_workers(1.try_into().unwrap())
        .spawn();
    Faulty::fail_next_spawn();
    let lost = pool.blocking_task(|_f| Ok(())).dispatch_blocking().unwrap();
    let after: Vec<_> = (0..20i64)
        .map(|i| {
            pool.blocking_task(move |mut f| f.box_value(i).unbox::<i64>())
                .dispatch_blocking()
                .unwrap()
        })
        .collect();
    assert!(matches!(lost.wait_blocking(), Err(Error::Cancelled)));
    for (i, t) in after.into_iter().enumerate() {
        assert_eq!(
            t.wait_blocking().unwrap(),
            i as i64,
            "a queued task was lost"
        );
    }
    let stats = pool.stats();
    assert_eq!(stats.restarted, 1);
    assert_eq!(stats.workers, 1, "the worker was replaced on its thread");
    assert_eq!(pool.n_workers(), 1);
}

#[test]
fn workers_come_and_go_while_tasks_flow() {
    let _dog = watchdog("churn", Duration::from_secs(120));
    let _x = exclusive();
    let pool = pool(1);
    let churn = {
        let pool = pool.clone();
        std::thread::spawn(move || {
            let (mut added, mut removed) = (0, 0);
            for _ in 0..50 {
                if pool.try_add_worker() {
                    added += 1;
                }
                std::thread::sleep(Duration::from_millis(1));
                if pool.n_workers() > 1 && pool.try_remove_worker() {
                    removed += 1;
                }
            }
            (added, removed)
        })
    };
    let tasks: Vec<_> = (0..2000i64)
        .map(|i| {
            pool.task(async move |mut f| {
                let x = f.box_value(i);
                smol::future::yield_now().await;
                f.call("abs2", &[x])?.unbox::<i64>()
            })
            .dispatch_blocking()
            .unwrap()
        })
        .collect();
    for (i, t) in tasks.into_iter().enumerate() {
        assert_eq!(t.wait_blocking().unwrap(), (i * i) as i64);
    }
    let (added, removed) = churn.join().unwrap();
    assert!(added > 0 && removed > 0, "added {added}, removed {removed}");
    assert!(pool.n_workers() >= 1);
    let stats = pool.stats();
    assert!(stats.completed >= 2000, "{stats:?}");
}

#[test]
fn the_last_handle_can_be_dropped_inside_a_task() {
    let _dog = watchdog("drop inside a task", Duration::from_secs(60));
    let _x = exclusive();
    let pool = pool(2);
    let inner = pool.clone();
    let result = pool
        .task(async move |mut f| {
            // This task holds the last handle once the caller's is gone.
            smol::Timer::after(Duration::from_millis(20)).await;
            drop(inner);
            f.eval("1 + 1")?.unbox::<i64>()
        })
        .dispatch_blocking()
        .unwrap();
    drop(pool);
    assert_eq!(result.wait_blocking().unwrap(), 2);
    wait_until("threads freed", || {
        mt().n_free_worker_threads() == WORKER_THREADS
    });
}

#[test]
fn statistics_count_tasks() {
    let _dog = watchdog("statistics", Duration::from_secs(60));
    let _x = exclusive();
    let pool = pool(2);
    let ok: Vec<_> = (0..10)
        .map(|_| which_worker(&pool, Duration::ZERO))
        .collect();
    let bad = pool
        .blocking_task(|_f| -> jlrs_core::JlResult<()> { panic!("counted panic") })
        .dispatch_blocking()
        .unwrap();
    for t in ok {
        t.wait_blocking().unwrap();
    }
    assert!(matches!(bad.wait_blocking(), Err(Error::Panicked(_))));
    let s = pool.stats();
    assert_eq!(
        (s.workers, s.completed, s.panicked, s.restarted),
        (2, 11, 1, 0),
        "{s:?}"
    );
    assert_eq!((s.queued, s.running), (0, 0), "{s:?}");
}

/// A counter kept by a persistent task.
struct Counter;

impl jlrs_async::PersistentTask for Counter {
    type State<'s> = i64;
    type Input = i64;
    type Output = (i64, String);

    async fn init<'s>(&mut self, _frame: &mut jlrs_core::GcFrame<'s>) -> jlrs_core::JlResult<i64> {
        Ok(0)
    }

    async fn call<'s, 'c>(
        &mut self,
        state: &mut Self::State<'s>,
        frame: &mut jlrs_core::GcFrame<'c>,
        x: i64,
    ) -> jlrs_core::JlResult<(i64, String)> {
        let v = frame.box_value(*state + x);
        *state = v.unbox::<i64>()?;
        Ok((*state, current_worker().unwrap_or_default()))
    }
}

#[test]
fn a_persistent_task_outlives_the_removal_of_its_worker_and_ends_with_the_pool() {
    let _dog = watchdog(
        "persistent task and worker removal",
        Duration::from_secs(60),
    );
    let _x = exclusive();
    let pool = pool(1);
    // Hold worker 0 (and wait until it is held), so the new worker starts the persistent
    // task.
    let (gate_tx, gate_rx) = async_channel::bounded::<()>(1);
    let (started_tx, started_rx) = async_channel::bounded::<()>(1);
    let held = pool
        .blocking_task(move |_f| {
            started_tx.send_blocking(()).unwrap();
            let _ = jlrs_core::blocking(|| gate_rx.recv_blocking());
            Ok(())
        })
        .dispatch_blocking()
        .unwrap();
    started_rx.recv_blocking().unwrap();
    assert!(pool.try_add_worker());
    let counter = pool
        .persistent(Counter)
        .dispatch_blocking()
        .unwrap()
        .wait_blocking()
        .unwrap();
    let (_, host) = counter.call(1).wait_blocking().unwrap();
    assert_eq!(host, "test-1");
    // Removing the newest worker (its host) stops it taking tasks, not its persistent task.
    assert!(pool.try_remove_worker());
    assert_eq!(pool.n_workers(), 1);
    assert_eq!(counter.call(2).wait_blocking().unwrap().0, 3);
    gate_tx.send_blocking(()).unwrap();
    held.wait_blocking().unwrap();
    assert_eq!(counter.call(3).wait_blocking().unwrap().0, 6);
    // Closing the pool ends the persistent task; later calls say so.
    pool.close(false);
    wait_until("the persistent task ended", || counter.is_closed());
    assert!(matches!(
        counter.call(1).wait_blocking(),
        Err(Error::Closed)
    ));
    drop(counter);
    drop(pool);
    wait_until("threads freed", || {
        mt().n_free_worker_threads() == WORKER_THREADS
    });
}
