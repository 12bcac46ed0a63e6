//! `cargo xtask demo`: Julia behind a pool of workers and the async runtime thread.
//!
//! Prints which worker handled which request, the pool's statistics, and the round-trip
//! latency of the same task on the runtime thread and on the pool.

use std::time::{Duration, Instant};

use jlrs::prelude::*;

const WORKERS: usize = 3;

fn main() -> anyhow::Result<()> {
    let started = Instant::now();
    let (mt, runtime_thread_handle, runtime) = Builder::new()
        .n_threads(WORKERS)
        .async_runtime(AsyncExecutor::<4>::new())
        .spawn_mt()?;
    let version = mt.with(|j| j.scope(|mut f| f.eval("string(VERSION)")?.unbox::<String>()))?;
    println!(
        "Julia {version}: {} threads (1 runtime, {} `with`, {} worker), started in {:.0?}",
        mt.n_julia_threads(),
        mt.n_with_threads(),
        mt.n_worker_threads(),
        started.elapsed()
    );
    mt.with(|j| {
        j.scope(|mut f| {
            // Defined once: evaluating code per request would parse and compile every time.
            f.eval(
                "collatz(n) = (steps = 0; while n != 1; n = iseven(n) ? n ÷ 2 : 3n + 1; steps += 1; end; steps)
                 longest_chain(b) = (maximum(collatz, 1:b), Threads.threadid())",
            )
            .map(|_| ())
        })
    })?;

    let pool = mt
        .pool_builder(AsyncExecutor::<4>::new())
        .n_workers(WORKERS.try_into()?)
        .name_prefix("worker")
        .spawn();

    // Requests: the longest Collatz chain below a bound, each computed in Julia.
    println!("\n  request  bound       longest chain  handled by   Julia thread");
    let requests: Vec<_> = (1..=12i64)
        .map(|k| {
            let bound = 20_000 * k;
            pool.blocking_task(move |mut f| {
                let b = f.box_value(bound);
                let out = f.call("longest_chain", &[b])?;
                let best = f.call("first", &[out])?.unbox::<i64>()?;
                let tid = f.call("last", &[out])?.unbox::<i64>()?;
                Ok((
                    bound,
                    best,
                    jlrs::pool::current_worker().unwrap_or_default(),
                    tid,
                ))
            })
            .dispatch_blocking()
            .map_err(|e| anyhow::anyhow!("{e}"))
        })
        .collect::<Result<_, _>>()?;
    for (k, r) in requests.into_iter().enumerate() {
        let (bound, best, worker, tid) = r.wait_blocking()?;
        println!(
            "  {:>7}  {bound:<10}  {best:>13}  {worker:<11}  {tid:>12}",
            k + 1
        );
    }

    let s = pool.stats();
    println!(
        "\n  pool statistics: {} workers, {} queued, {} running, {} completed, {} panicked, {} restarted",
        s.workers, s.queued, s.running, s.completed, s.panicked, s.restarted
    );

    println!("\n  round trip of a trivial blocking task (box, call, unbox), 2000 each:");
    println!("  where                 p50          p99");
    for (name, handle) in [("runtime thread", &runtime_thread_handle), ("pool", &pool)] {
        let (p50, p99) = latency(handle, 2000)?;
        println!("  {name:<18} {:>8.1} µs  {:>8.1} µs", p50, p99);
    }

    drop(pool);
    drop(runtime_thread_handle);
    drop(mt);
    runtime
        .join()
        .map_err(|_| anyhow::anyhow!("the runtime thread panicked"))?;
    println!("\nJulia shut down cleanly after {:.1?}", started.elapsed());
    Ok(())
}

/// p50 and p99 round-trip times of `abs2(i)` as a blocking task, in microseconds.
fn latency(handle: &AsyncHandle, n: usize) -> anyhow::Result<(f64, f64)> {
    let mut times: Vec<Duration> = Vec::with_capacity(n);
    for i in 0..n as i64 {
        let t = Instant::now();
        let v = handle
            .blocking_task(move |mut f| {
                let x = f.box_value(i);
                f.call("abs2", &[x])?.unbox::<i64>()
            })
            .dispatch_blocking()
            .map_err(|e| anyhow::anyhow!("{e}"))?
            .wait_blocking()?;
        times.push(t.elapsed());
        anyhow::ensure!(v == i * i, "wrong result");
    }
    times.sort();
    let us = |d: Duration| d.as_secs_f64() * 1e6;
    Ok((us(times[n / 2]), us(times[n * 99 / 100])))
}
