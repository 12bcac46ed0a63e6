//! Julia's own parallelism while hosted loops are up: `Threads.@threads` from every kind
//! of caller, with the pool idle and busy, and `Threads.@spawn` work on idle hosted
//! threads.

use std::{
    collections::BTreeSet,
    sync::{mpsc, OnceLock},
    time::Duration,
};

use jlrs_async::{AsyncHandle, AsyncRuntimeExt, Tokio};
use jlrs_core::{GcFrame, JlResult};
use jlrs_mt::{Builder, MtHandle};
use jlrs_pool::PoolBuilderExt;
use jlrs_tests::watchdog;

/// Julia threads: 1 runtime, 2 `with`, 3..=6 worker threads (a pool of 3 holds 3..=5).
const WORKER_THREADS: usize = 4;
const POOL_WORKERS: usize = 3;

struct Runtimes {
    mt: MtHandle,
    rt: AsyncHandle,
    pool: AsyncHandle,
}

const SETUP: &str = r#"
function threads_sum()
    s = Threads.Atomic{Int}(0)
    Threads.@threads for i in 1:100
        Threads.atomic_add!(s, i)
    end
    return s[]
end

# The ids of the threads that ran `n` spawned tasks, each doing a little work.
function spawn_threadids(n)
    tasks = [Threads.@spawn begin
        s = 0.0
        for k in 1:20_000
            s += sin(k)
        end
        s > -1e9 ? Threads.threadid() : 0
    end for i in 1:n]
    return sort!(unique(fetch.(tasks)))
end
"#;

fn runtimes() -> &'static Runtimes {
    static RT: OnceLock<Runtimes> = OnceLock::new();
    RT.get_or_init(|| {
        let (mt, rt, _thread) = Builder::new()
            .n_threads(WORKER_THREADS)
            .async_runtime(Tokio::<3>::new(false))
            .spawn_mt()
            .expect("cannot start Julia");
        let pool = mt
            .pool_builder(Tokio::<3>::new(false))
            .n_workers(POOL_WORKERS.try_into().unwrap())
            .spawn();
        assert_eq!(pool.n_workers(), POOL_WORKERS);
        rt.blocking_task(|mut frame| frame.eval(SETUP).map(|_| ()))
            .dispatch_blocking()
            .unwrap()
            .wait_blocking()
            .unwrap();
        Runtimes { mt, rt, pool }
    })
}

fn threads_sum(frame: &mut GcFrame<'_>) -> JlResult<i64> {
    frame.call("threads_sum", &[])?.unbox::<i64>()
}

fn from_runtime_blocking() -> i64 {
    runtimes()
        .rt
        .blocking_task(|mut frame| threads_sum(&mut frame))
        .dispatch_blocking()
        .unwrap()
        .wait_blocking()
        .unwrap()
}

fn from_runtime_async() -> i64 {
    runtimes()
        .rt
        .task(async |mut frame| threads_sum(&mut frame))
        .dispatch_blocking()
        .unwrap()
        .wait_blocking()
        .unwrap()
}

fn from_runtime_call_async() -> i64 {
    runtimes()
        .rt
        .task(async |mut frame| {
            let f = frame.global("threads_sum")?;
            frame.call_async(f, &[]).await?.unbox::<i64>()
        })
        .dispatch_blocking()
        .unwrap()
        .wait_blocking()
        .unwrap()
}

fn from_with() -> i64 {
    runtimes()
        .mt
        .with(|julia| julia.scope(|mut frame| threads_sum(&mut frame)))
        .unwrap()
}

fn from_pool() -> i64 {
    runtimes()
        .pool
        .blocking_task(|mut frame| threads_sum(&mut frame))
        .dispatch_blocking()
        .unwrap()
        .wait_blocking()
        .unwrap()
}

#[test]
fn threads_completes_from_every_caller_while_the_pool_is_idle() {
    let _dog = watchdog("@threads with an idle pool", Duration::from_secs(60));
    for _ in 0..5 {
        assert_eq!(from_runtime_blocking(), 5050);
        assert_eq!(from_runtime_async(), 5050);
        assert_eq!(from_runtime_call_async(), 5050);
        assert_eq!(from_with(), 5050);
        assert_eq!(from_pool(), 5050);
    }
}

#[test]
fn threads_completes_while_two_workers_run_long_blocking_tasks() {
    let _dog = watchdog("@threads with busy workers", Duration::from_secs(60));
    let (started_tx, started) = mpsc::channel();
    let long: Vec<_> = (0..2)
        .map(|_| {
            let started_tx = started_tx.clone();
            runtimes()
                .pool
                .blocking_task(move |_frame| {
                    started_tx.send(()).unwrap();
                    jlrs_core::blocking(|| std::thread::sleep(Duration::from_secs(2)));
                    Ok(())
                })
                .dispatch_blocking()
                .unwrap()
        })
        .collect();
    for _ in 0..2 {
        started.recv().unwrap();
    }
    // The chunks of the two busy workers' threads run once their tasks return.
    assert_eq!(from_runtime_blocking(), 5050);
    assert_eq!(from_runtime_async(), 5050);
    assert_eq!(from_with(), 5050);
    assert_eq!(from_pool(), 5050);
    for t in long {
        t.wait_blocking().unwrap();
    }
}

#[test]
fn spawned_julia_tasks_run_on_idle_hosted_threads() {
    let _dog = watchdog("@spawn on idle hosted threads", Duration::from_secs(60));
    // Threads 1 (the caller) and 6 (no loop) are not hosted; 2..=5 run hosted loops.
    let hosted: BTreeSet<i64> = (2..=5).collect();
    let mut seen = BTreeSet::new();
    for _ in 0..5 {
        let ids = runtimes()
            .rt
            .blocking_task(|mut frame| {
                let n = frame.box_value(100i64);
                let ids = frame.call("spawn_threadids", &[n])?;
                let len = frame.call("length", &[ids])?.unbox::<i64>()?;
                (1..=len)
                    .map(|i| {
                        let i = frame.box_value(i);
                        frame.call("getindex", &[ids, i])?.unbox::<i64>()
                    })
                    .collect::<JlResult<Vec<i64>>>()
            })
            .dispatch_blocking()
            .unwrap()
            .wait_blocking()
            .unwrap();
        assert!(ids.len() > 1, "all 100 tasks ran on one thread: {ids:?}");
        seen.extend(ids);
    }
    assert!(
        !seen.is_disjoint(&hosted),
        "no spawned task ran on a hosted thread (2..=5): {seen:?}"
    );
}

#[test]
fn threads_a_thousand_times_from_four_clients_under_forced_collections() {
    let _dog = watchdog("@threads under load", Duration::from_secs(240));
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let collector = {
        let stop = stop.clone();
        std::thread::spawn(move || {
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                runtimes()
                    .mt
                    .with(|julia| {
                        julia.collect_garbage(false);
                        Ok(())
                    })
                    .unwrap();
                std::thread::sleep(Duration::from_millis(5));
            }
        })
    };
    let clients: Vec<_> = (0..4)
        .map(|c| {
            std::thread::spawn(move || {
                for i in 0..250 {
                    let sum = if (i + c) % 2 == 0 {
                        from_runtime_blocking()
                    } else {
                        from_pool()
                    };
                    assert_eq!(sum, 5050, "client {c}, call {i}");
                }
            })
        })
        .collect();
    for c in clients {
        c.join().unwrap();
    }
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    collector.join().unwrap();
}

#[test]
fn a_pool_task_waiting_for_threads_on_the_runtime_thread_does_not_deadlock() {
    let _dog = watchdog("pool task waiting for @threads", Duration::from_secs(60));
    // The pool task's worker holds one of the threads `@threads` hands a chunk to, and it
    // waits for that very call: it must run its chunk while it waits.
    let sums: Vec<_> = (0..POOL_WORKERS * 2)
        .map(|_| {
            runtimes()
                .pool
                .blocking_task(|_frame| {
                    let on_runtime = runtimes()
                        .rt
                        .blocking_task(|mut frame| threads_sum(&mut frame))
                        .dispatch_blocking()
                        .expect("the runtime thread takes the task");
                    Ok(on_runtime
                        .wait_blocking()
                        .expect("@threads on the runtime thread"))
                })
                .dispatch_blocking()
                .unwrap()
        })
        .collect();
    for s in sums {
        assert_eq!(s.wait_blocking().unwrap(), 5050);
    }
}
