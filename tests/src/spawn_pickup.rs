//! `Threads.@spawn` work beside idle hosted loops: a runtime whose every thread but thread 1
//! hosts an idle pool worker, thread 1 busy in Julia code, and a task spawned from that
//! thread. An idle hosted thread must pick the task up while thread 1 is still busy; each thread
//! count is its own test binary (Julia starts once per process), because whether Julia's
//! random probe of its task heaps finds the task depends on how many heaps there are.

use std::{sync::OnceLock, time::Duration};

use jlrs_async::{AsyncExecutor, AsyncHandle};
use jlrs_mt::{Builder, MtHandle};
use jlrs_pool::PoolBuilderExt;

use crate::watchdog;

/// How long thread 1 stays busy at most in one round: far longer than any pick-up takes,
/// even on a loaded machine; a task that was not picked up by then was stranded.
const BUSY_LIMIT: Duration = Duration::from_secs(10);

const SETUP: &str = r#"
# Spawns a task from thread 1, then stays busy (never yielding) until the task has run or
# `limit_ns` has passed. Returns the id of the thread that ran it while thread 1 was busy
# (0 if none did) and the nanoseconds from the spawn to its start.
function spawn_while_busy(limit_ns)
    started = Threads.Atomic{UInt64}(0)
    tid = Threads.Atomic{Int}(0)
    t0 = time_ns()
    t = Threads.@spawn begin
        started[] = time_ns()
        tid[] = Threads.threadid()
    end
    deadline = t0 + limit_ns
    while tid[] == 0 && time_ns() < deadline
        ccall(:jl_gc_safepoint, Cvoid, ())
    end
    picked = tid[]
    latency = picked == 0 ? 0 : Int(started[] - t0)
    wait(t)
    return (picked, latency)
end
"#;

struct Setup {
    mt: MtHandle,
    _pool: AsyncHandle,
}

fn setup(hosted: usize) -> &'static Setup {
    static SETUP_ONCE: OnceLock<Setup> = OnceLock::new();
    SETUP_ONCE.get_or_init(|| {
        let (mt, _thread) = Builder::new()
            .with_threads(0)
            .n_threads(hosted)
            .spawn_mt()
            .expect("cannot start Julia");
        assert_eq!(
            mt.n_julia_threads(),
            1 + hosted,
            "the namespace shows too few CPUs"
        );
        let pool = mt
            .pool_builder(AsyncExecutor::<1>::new())
            .n_workers(hosted.try_into().unwrap())
            .spawn();
        assert_eq!(pool.n_workers(), hosted);
        mt.with(|julia| julia.scope(|mut frame| frame.eval(SETUP).map(|_| ())))
            .unwrap();
        Setup { mt, _pool: pool }
    })
}

/// Runs `rounds` rounds with `hosted` Julia threads besides thread 1, each hosting an idle
/// pool worker; asserts that every spawned task ran on a hosted thread while thread 1 was
/// busy, and prints the pick-up latencies (measured, not asserted).
pub fn spawned_work_runs_on_idle_hosted_threads(hosted: usize, rounds: usize) {
    let _dog = watchdog("@spawn beside idle hosted loops", Duration::from_secs(600));
    let setup = setup(hosted);
    let mut latencies = Vec::with_capacity(rounds);
    for round in 0..rounds {
        // Let the workers settle into their sleep: the case that strands work.
        if round % 8 == 0 {
            std::thread::sleep(Duration::from_millis(20));
        }
        let (tid, latency) = setup
            .mt
            .with(move |julia| {
                julia.scope(|mut frame| {
                    let limit = frame.box_value(BUSY_LIMIT.as_nanos() as i64);
                    let r = frame.call("spawn_while_busy", &[limit])?;
                    let tid = r.field_at(&mut frame, 0)?.unbox::<i64>()?;
                    let ns = r.field_at(&mut frame, 1)?.unbox::<i64>()?;
                    Ok((tid, ns))
                })
            })
            .unwrap();
        assert!(
            tid >= 2,
            "round {round}: a task spawned while thread 1 was busy was not picked up by any \
             of the {hosted} idle hosted threads within {BUSY_LIMIT:?} (ran on thread {tid})"
        );
        latencies.push(latency);
    }
    latencies.sort_unstable();
    let pct = |p: usize| Duration::from_nanos(latencies[(latencies.len() - 1) * p / 100] as u64);
    eprintln!(
        "spawn pick-up with {hosted} hosted threads, {rounds} rounds: p50 {:?}, p90 {:?}, max {:?}",
        pct(50),
        pct(90),
        pct(100)
    );
}
