//! Distributed workers: `pmap` of a CPU-bound Julia function (about 20 ms per item, 40
//! items) on 1 and then 2 local workers, and the round trip of `remotecall_fetch` from
//! an async task on the runtime thread and from a pool task.

use std::time::{Duration, Instant};

use jlrs::{distributed::WorkerSpec, prelude::*};

/// Work per item, in iterations of `busy`, calibrated on this process to about 20 ms.
const TARGET: Duration = Duration::from_millis(20);
const ITEMS: i64 = 40;

fn run<T: Send + 'static>(
    handle: &AsyncHandle,
    f: impl for<'s> AsyncFnOnce(GcFrame<'s>) -> JlResult<T> + Send + 'static,
) -> T {
    handle
        .task(f)
        .dispatch_blocking()
        .unwrap()
        .wait_blocking()
        .unwrap()
}

/// `n` round trips of `remotecall_fetch(bench_id, worker, i)` on `handle`, each timed.
fn round_trips(handle: &AsyncHandle, worker: WorkerId, n: usize) -> Vec<Duration> {
    run(handle, async move |mut frame| {
        let f = frame.global("bench_id")?;
        let mut times = Vec::with_capacity(n);
        for i in 0..n as i64 {
            let x = frame.box_value(i);
            let t = Instant::now();
            let y = frame
                .async_scope(async |mut inner| {
                    inner
                        .remotecall_fetch(worker, f, &[x])
                        .await?
                        .unbox::<i64>()
                })
                .await?;
            times.push(t.elapsed());
            assert_eq!(y, i);
        }
        Ok(times)
    })
}

/// The median wall time of `reps` runs of `pmap(busy, 1:ITEMS)`, checked.
fn pmap_time(handle: &AsyncHandle, reps: usize) -> Duration {
    let mut times: Vec<Duration> = (0..reps)
        .map(|_| {
            run(handle, async |mut frame| {
                let f = frame.global("busy")?;
                let items = frame.eval(&format!("1:{ITEMS}"))?;
                let t = Instant::now();
                let out = frame.pmap(f, items).await?;
                let elapsed = t.elapsed();
                assert_eq!(out.array_any()?.len(), ITEMS as usize);
                Ok(elapsed)
            })
        })
        .collect();
    times.sort();
    times[times.len() / 2]
}

fn percentile(sorted: &[Duration], p: f64) -> f64 {
    let i = ((sorted.len() as f64 * p) as usize).min(sorted.len() - 1);
    sorted[i].as_secs_f64() * 1e6
}

/// Runs the measurements and returns them as a Markdown table.
pub(crate) fn table(runtime: &AsyncHandle, pool: &AsyncHandle, quick: bool) -> String {
    // Calibrate `busy` on this process: iterations for about 20 ms of one core.
    let n_iter = run(runtime, async |mut frame| {
        frame.eval(
            "busy_loop(x, n) = (s = 0.0; for k in 1:n; s += sin(k * x); end; s)
             bench_id(x) = x",
        )?;
        let probe = frame.eval(
            "(busy_loop(1.0, 10); t = time_ns(); busy_loop(1.0, 2_000_000); time_ns() - t)",
        )?;
        let ns = probe.unbox::<u64>()? as f64;
        Ok((2_000_000.0 * TARGET.as_nanos() as f64 / ns) as i64)
    });
    let define = format!(
        "busy_loop(x, n) = (s = 0.0; for k in 1:n; s += sin(k * x); end; s)
         busy(x) = (busy_loop(Float64(x), {n_iter}); x)
         bench_id(x) = x"
    );
    let reps = if quick { 1 } else { 3 };

    let d = define.clone();
    let first = run(runtime, async move |mut frame| {
        let ids = frame.add_workers(WorkerSpec::local(1)).await?;
        frame.everywhere(&d).await?;
        Ok(ids[0])
    });
    pmap_time(runtime, 1); // compile on the worker
    let one = pmap_time(runtime, reps);

    let d = define.clone();
    let second = run(runtime, async move |mut frame| {
        let ids = frame.add_workers(WorkerSpec::local(1)).await?;
        frame.everywhere(&d).await?;
        Ok(ids[0])
    });
    pmap_time(runtime, 1);
    let two = pmap_time(runtime, reps);

    let n = if quick { 500 } else { 5_000 };
    round_trips(runtime, first, 200); // warm up
    let mut from_runtime = round_trips(runtime, first, n);
    from_runtime.sort();
    round_trips(pool, first, 200);
    let mut from_pool = round_trips(pool, first, n);
    from_pool.sort();

    run(runtime, async move |mut frame| {
        frame.remove_workers(&[first, second]).await
    });

    let mut out = String::new();
    out.push_str(&format!(
        "pmap of {ITEMS} items of a CPU-bound Julia function (~{} ms of one core each, \
         {n_iter} iterations), median of {reps} run(s):\n\n",
        TARGET.as_millis()
    ));
    out.push_str("| local workers | pmap wall time (ms) | speedup |\n|---:|---:|---:|\n");
    out.push_str(&format!(
        "| 1 | {:.0} | 1.00 |\n| 2 | {:.0} | {:.2} |\n\n",
        one.as_secs_f64() * 1e3,
        two.as_secs_f64() * 1e3,
        one.as_secs_f64() / two.as_secs_f64()
    ));
    out.push_str(&format!(
        "remotecall_fetch round trip ({n} calls of `bench_id(i)`, each timed):\n\n"
    ));
    out.push_str("| caller | p50 (µs) | p99 (µs) |\n|---|---:|---:|\n");
    for (name, t) in [
        ("async task on the runtime thread", &from_runtime),
        ("pool task", &from_pool),
    ] {
        out.push_str(&format!(
            "| {name} | {:.0} | {:.0} |\n",
            percentile(t, 0.5),
            percentile(t, 0.99)
        ));
    }
    out
}
