//! A pool's worker hooks: `on_worker_panic` hears of a worker whose loop panicked outside
//! any task (and whether it restarts), `on_worker_exit` of every worker that stopped; a
//! hook that panics changes nothing. And the `tracing` events of the same.

use std::time::Duration;

use jlrs_async::{AsyncExecutor, AsyncHandle, Error};
use jlrs_core::sync::{GcSafeMutex, GcSafeMutexGuard};
use jlrs_mt::MtHandle;
use jlrs_pool::{PoolBuilderExt, WorkerExit, WorkerPanic};
use jlrs_tests::{faulty::Faulty, pool_runtime::PoolRuntime, wait_until, watchdog};

const WORKER_THREADS: usize = 2;

static RUNTIME: PoolRuntime = PoolRuntime::new(WORKER_THREADS);

fn mt() -> &'static MtHandle {
    RUNTIME.mt()
}

fn exclusive() -> GcSafeMutexGuard<'static, ()> {
    RUNTIME.exclusive()
}

/// Fails the only worker of `pool` once (the task whose admission failed is cancelled)
/// and waits until the worker has been restarted.
fn fail_worker(pool: &AsyncHandle) {
    Faulty::fail_next_spawn();
    let lost = pool.blocking_task(|_f| Ok(())).dispatch_blocking().unwrap();
    assert!(matches!(lost.wait_blocking(), Err(Error::Cancelled)));
    // The worker's tasks end before its restart is decided.
    wait_until("the worker restarts", || pool.stats().restarted == 1);
}

#[test]
fn hooks_hear_of_a_restart_and_of_every_exit() {
    let _dog = watchdog("pool hooks", Duration::from_secs(60));
    let _x = exclusive();
    static PANICS: GcSafeMutex<Vec<WorkerPanic>> = GcSafeMutex::new(Vec::new());
    static EXITS: GcSafeMutex<Vec<WorkerExit>> = GcSafeMutex::new(Vec::new());
    let pool = mt()
        .pool_builder::<_, 2>(Faulty)
        .name_prefix("hooked")
        .on_worker_panic(|event| PANICS.lock().push(event.clone()))
        .on_worker_exit(|event| EXITS.lock().push(event.clone()))
        .spawn();
    assert_eq!(pool.n_workers(), 1);
    fail_worker(&pool);
    wait_until("the hook hears of the panic", || !PANICS.lock().is_empty());
    {
        let panics = PANICS.lock();
        assert_eq!(panics.len(), 1, "{panics:?}");
        let event = &panics[0];
        assert_eq!((event.index, &*event.name), (0, "hooked-0"));
        assert!(event.message.contains("deliberate executor failure"));
        assert!(event.restarting);
    }
    assert!(EXITS.lock().is_empty(), "a restarted worker did not exit");
    // The restarted worker still runs tasks.
    let one = pool.blocking_task(|mut f| f.eval("1")?.unbox::<i64>());
    assert_eq!(one.dispatch_blocking().unwrap().wait_blocking().unwrap(), 1);

    assert!(pool.try_add_worker());
    assert!(pool.try_remove_worker());
    wait_until("the removed worker exits", || EXITS.lock().len() == 1);
    assert_eq!(&*EXITS.lock()[0].name, "hooked-1");
    pool.close(false);
    wait_until("the last worker exits", || EXITS.lock().len() == 2);
    assert_eq!(&*EXITS.lock()[1].name, "hooked-0");
    assert_eq!(PANICS.lock().len(), 1);
}

#[test]
fn a_panicking_hook_does_not_stop_the_restart() {
    let _dog = watchdog("a panicking hook", Duration::from_secs(60));
    let _x = exclusive();
    let pool = mt()
        .pool_builder::<_, 2>(Faulty)
        .on_worker_panic(|_| panic!("deliberate hook failure"))
        .spawn();
    fail_worker(&pool);
    let s = pool.stats();
    assert_eq!((s.restarted, s.workers), (1, 1), "{s:?}");
    let two = pool.blocking_task(|mut f| f.eval("2")?.unbox::<i64>());
    assert_eq!(two.dispatch_blocking().unwrap().wait_blocking().unwrap(), 2);
    pool.close(false);
}

fn events_matching(pattern: &str) -> usize {
    jlrs_tests::events::matching(pattern)
}

#[test]
fn tracing_reports_worker_starts_restarts_stops_and_task_panics() {
    let _dog = watchdog("tracing events", Duration::from_secs(60));
    let _x = exclusive();
    jlrs_tests::events::record();
    let pool = mt()
        .pool_builder::<_, 2>(Faulty)
        .name_prefix("traced")
        .on_worker_panic(|_| {})
        .spawn();
    wait_until("a start event", || {
        events_matching("jlrs::pool message=worker started worker=\"traced-0\"") == 1
    });
    let panicked =
        pool.blocking_task(|_f| -> jlrs_core::JlResult<()> { panic!("traced task panic") });
    let panicked = panicked.dispatch_blocking().unwrap().wait_blocking();
    assert!(matches!(panicked, Err(Error::Panicked(_))));
    assert_eq!(
        events_matching("jlrs::task message=a task panicked panic=\"traced task panic\""),
        1
    );
    fail_worker(&pool);
    wait_until("a restart event", || {
        events_matching("worker=\"traced-0\" panic=\"deliberate executor failure\" restarting=true")
            == 1
    });
    pool.close(false);
    wait_until("a stop event", || {
        events_matching("message=worker stopped worker=\"traced-0\"") == 1
    });
}

#[test]
fn a_task_knows_its_workers_index_and_name() {
    let _dog = watchdog("current worker", Duration::from_secs(60));
    let _x = exclusive();
    assert_eq!(jlrs_pool::current_worker_index(), None);
    assert!(jlrs_pool::current_worker_name().is_none());
    let pool = mt()
        .pool_builder(AsyncExecutor::<1>::new())
        .name_prefix("known")
        .n_workers(2.try_into().unwrap())
        .spawn();
    // Worker 0 holds a blocking task until worker 1 has answered, so both answer.
    let (gate_tx, gate_rx) = async_channel::bounded::<()>(1);
    let whoami = |gate: Option<async_channel::Receiver<()>>| {
        pool.blocking_task(move |_f| {
            if let Some(gate) = gate {
                let _ = jlrs_core::blocking(|| gate.recv_blocking());
            }
            let name = jlrs_pool::current_worker_name().expect("a worker's name");
            Ok((jlrs_pool::current_worker_index(), name.to_string()))
        })
        .dispatch_blocking()
        .unwrap()
    };
    let first = whoami(Some(gate_rx));
    let second = whoami(None).wait_blocking().unwrap();
    gate_tx.send_blocking(()).unwrap();
    let first = first.wait_blocking().unwrap();
    let mut seen = vec![first, second];
    seen.sort();
    assert_eq!(
        seen,
        [
            (Some(0), "known-0".to_string()),
            (Some(1), "known-1".to_string())
        ]
    );
    pool.close(false);
}
