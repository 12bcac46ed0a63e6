//! `cargo xtask bench`: the latency and throughput of every path into Julia, beside the
//! pure-Rust floor and Julia's own scheduler.
//!
//! Criterion times each path; a second pass samples every round trip on its own for the
//! percentiles, measures pool throughput per worker count and the memory of a million
//! pool tasks, times the array paths (`arrays.rs`), Distributed workers
//! (`distributed.rs`, `distributed.md`), the hardware's own round trip (`hardware.rs`),
//! standalone Julia (`peer.rs`) and more threads than cores (`oversubscribed.rs`), and
//! writes `target/jlrs-bench/summary.{json,md}` and `latency.svg`.
//! `JLRS_BENCH_QUICK=1` shortens every part.

mod arrays;
mod calls;
mod distributed;
mod floor;
mod hardware;
mod idle;
mod oversubscribed;
mod peer;
mod report;

use std::time::{Duration, Instant};

use criterion::{BatchSize, Criterion, Throughput};
use jlrs::prelude::*;

/// Runs `abs2(i)` as a blocking task on `handle` and waits for it.
fn blocking_round_trip(handle: &AsyncHandle, i: i64) -> i64 {
    handle
        .blocking_task(move |mut f| {
            let x = f.box_value(i);
            f.call("bench_f", &[x])?.unbox::<i64>()
        })
        .dispatch_blocking()
        .unwrap()
        .wait_blocking()
        .unwrap()
}

/// The same as an async task.
fn async_round_trip(handle: &AsyncHandle, i: i64) -> i64 {
    handle
        .task(async move |mut f| {
            let x = f.box_value(i);
            f.call("bench_f", &[x])?.unbox::<i64>()
        })
        .dispatch_blocking()
        .unwrap()
        .wait_blocking()
        .unwrap()
}

fn with_round_trip(mt: &MtHandle, i: i64) -> i64 {
    mt.with(move |j| {
        j.scope(|mut f| {
            let x = f.box_value(i);
            f.call("bench_f", &[x])?.unbox::<i64>()
        })
    })
    .unwrap()
}

/// `n` direct calls on a Julia thread (inside one `with`), each timed.
fn direct_calls(mt: &MtHandle, n: usize) -> Vec<Duration> {
    mt.with(move |j| {
        j.scope(|mut f| {
            let func = f.global("bench_f")?;
            let mut times = Vec::with_capacity(n);
            for i in 0..n as i64 {
                let t = Instant::now();
                f.scope(|mut inner| {
                    let x = inner.box_value(i);
                    let y = func.call(&mut inner, &[x])?.unbox::<i64>()?;
                    assert_eq!(y, i + 1);
                    Ok::<_, jlrs::base::JuliaError>(())
                })?;
                times.push(t.elapsed());
            }
            Ok(times)
        })
    })
    .unwrap()
}

/// `n` round trips of `fetch(Threads.@spawn bench_f(i))`, each timed inside Julia.
fn julia_spawn_fetch(mt: &MtHandle, n: usize) -> Vec<Duration> {
    mt.with(move |j| {
        j.scope(|mut f| {
            let n = f.box_value(n as i64);
            let csv = f.call("bench_spawn_fetch", &[n])?.unbox::<String>()?;
            Ok(csv
                .split(',')
                .map(|ns| Duration::from_nanos(ns.parse().unwrap()))
                .collect())
        })
    })
    .unwrap()
}

/// Times `n` round trips one by one; each must answer `i + 1`.
fn sample(n: usize, mut one: impl FnMut(i64) -> i64) -> Vec<Duration> {
    (0..n as i64)
        .map(|i| {
            let t = Instant::now();
            let v = one(i);
            let elapsed = t.elapsed();
            assert_eq!(v, i + 1);
            elapsed
        })
        .collect()
}

fn pool(mt: &MtHandle, workers: usize) -> AsyncHandle {
    let pool = mt
        .pool_builder(AsyncExecutor::<8>::new())
        .n_workers(workers.try_into().unwrap())
        .spawn();
    assert_eq!(pool.n_workers(), workers, "not enough free worker threads");
    pool
}

/// Tasks per second for `n` async tasks sent by 4 client threads to a pool of `workers`.
fn throughput(mt: &MtHandle, workers: usize, n: usize) -> f64 {
    let pool = pool(mt, workers);
    let t = Instant::now();
    std::thread::scope(|s| {
        for c in 0..4 {
            let pool = &pool;
            s.spawn(move || {
                let handles: Vec<_> = (0..n / 4)
                    .map(|i| {
                        pool.task(async move |mut f| {
                            let x = f.box_value((c * n + i) as i64);
                            f.call("bench_work", &[x])?.unbox::<i64>()
                        })
                        .dispatch_blocking()
                        .unwrap()
                    })
                    .collect();
                for h in handles {
                    h.wait_blocking().unwrap();
                }
            });
        }
    });
    let rate = n as f64 / t.elapsed().as_secs_f64();
    drop(pool);
    wait_free(mt);
    rate
}

fn wait_free(mt: &MtHandle) {
    let start = Instant::now();
    while mt.n_free_worker_threads() != mt.n_worker_threads() {
        assert!(
            start.elapsed() < Duration::from_secs(30),
            "worker threads not freed"
        );
        std::thread::sleep(Duration::from_millis(1));
    }
}

/// RSS before and after `n` pool tasks, sent in batches of 1000.
fn memory(mt: &MtHandle, n: usize) -> (u64, u64) {
    let pool = pool(mt, 1);
    // Warm up so allocator pools and compiled code are in place before measuring.
    for i in 0..2000 {
        async_round_trip(&pool, i);
    }
    let before = jlrs_tests::rss_kib();
    for batch in 0..n / 1000 {
        let handles: Vec<_> = (0..1000)
            .map(|i| {
                let i = (batch * 1000 + i) as i64;
                pool.task(async move |mut f| f.box_value(i).unbox::<i64>())
                    .dispatch_blocking()
                    .unwrap()
            })
            .collect();
        for h in handles {
            h.wait_blocking().unwrap();
        }
    }
    let after = jlrs_tests::rss_kib();
    drop(pool);
    wait_free(mt);
    (before, after)
}

fn main() {
    let quick = std::env::var_os("JLRS_BENCH_QUICK").is_some();
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    // 1 runtime + 1 `with` + 4 worker threads, whatever the CPU count (they share the cores
    // of a small machine, as the oversubscribed rows intend).
    let workers = 4;
    let n = if quick { 2_000 } else { 20_000 };
    // Standalone Julia first, in its own process, before this one starts Julia.
    let peer = peer::run(cores, n);
    let (mt, runtime_thread, runtime) = Builder::new()
        .n_threads(workers)
        .async_runtime(AsyncExecutor::<8>::new())
        .spawn_mt()
        .expect("cannot start Julia");
    mt.with(|j| {
        j.scope(|mut f| {
            f.eval(
                "bench_f(x) = x + 1
                 bench_work(x) = sum(k -> k * x, 1:100)
                 function bench_spawn_fetch(n)
                     times = Vector{UInt64}(undef, n)
                     fetch(Threads.@spawn bench_f(0))
                     for i in 1:n
                         t = time_ns()
                         fetch(Threads.@spawn bench_f(i))
                         times[i] = time_ns() - t
                     end
                     join(times, ',')
                 end",
            )
            .map(|_| ())
        })
    })
    .unwrap();

    // Criterion: each path timed as it would be in a service.
    let mut c = Criterion::default().configure_from_args();
    c = if quick {
        c.sample_size(10)
            .warm_up_time(Duration::from_millis(200))
            .measurement_time(Duration::from_millis(600))
    } else {
        c.measurement_time(Duration::from_secs(3))
    };
    calls::define(&mt);
    calls::bench(&mut c, &mt);
    let pool1 = pool(&mt, 1);
    let floor = floor::Floor::start();
    {
        let mut g = c.benchmark_group("round_trip");
        g.bench_function("floor", |b| b.iter(|| floor.round_trip(1)));
        g.bench_function("direct_call", |b| {
            b.iter_custom(|iters| direct_calls(&mt, iters as usize).into_iter().sum())
        });
        g.bench_function("mt_with", |b| b.iter(|| with_round_trip(&mt, 1)));
        g.bench_function("runtime_async", |b| {
            b.iter(|| async_round_trip(&runtime_thread, 1))
        });
        g.bench_function("runtime_blocking", |b| {
            b.iter(|| blocking_round_trip(&runtime_thread, 1))
        });
        g.bench_function("pool_async", |b| b.iter(|| async_round_trip(&pool1, 1)));
        g.bench_function("pool_blocking", |b| {
            b.iter(|| blocking_round_trip(&pool1, 1))
        });
        g.bench_function("julia_spawn_fetch", |b| {
            b.iter_custom(|iters| julia_spawn_fetch(&mt, iters as usize).into_iter().sum())
        });
        g.finish();
        let mut g = c.benchmark_group("pool_throughput");
        let batch = if quick { 2_000 } else { 20_000 };
        g.throughput(Throughput::Elements(batch as u64));
        g.sample_size(10);
        g.bench_function("1_worker", |b| {
            b.iter_batched(
                || (),
                |()| throughput_on(&pool1, batch),
                BatchSize::PerIteration,
            )
        });
        g.finish();
    }

    // Percentiles: every round trip timed on its own.
    let mut paths = vec![
        ("hardware_round_trip", hardware::round_trips(n)),
        ("floor", sample(n, |i| floor.round_trip(i))),
        ("direct_call", direct_calls(&mt, n)),
        ("mt_with", sample(n, |i| with_round_trip(&mt, i))),
        (
            "runtime_async",
            sample(n, |i| async_round_trip(&runtime_thread, i)),
        ),
        (
            "runtime_blocking",
            sample(n, |i| blocking_round_trip(&runtime_thread, i)),
        ),
        ("pool_async", sample(n, |i| async_round_trip(&pool1, i))),
        (
            "pool_blocking",
            sample(n, |i| blocking_round_trip(&pool1, i)),
        ),
        ("julia_spawn_fetch", julia_spawn_fetch(&mt, n)),
    ];
    if let Some(peer) = &peer {
        paths.push(("julia_standalone_spawn_fetch", peer.spawn_fetch.clone()));
        paths.push(("julia_standalone_channel", peer.channel.clone()));
    }
    let array_rows = arrays::run(&mut c, &mt, &pool1, quick);
    drop(pool1);
    drop(floor);
    wait_free(&mt);
    if workers >= oversubscribed::WORKERS {
        paths.extend(oversubscribed::run(&mt, &runtime_thread, n));
    }
    for (_, times) in &mut paths {
        times.sort();
    }

    let tasks = if quick { 20_000 } else { 200_000 };
    let throughputs: Vec<(usize, f64, bool)> = (1..=workers)
        .map(|w| (w, throughput(&mt, w, tasks), w + 1 > cores))
        .collect();
    let memory_tasks = if quick { 100_000 } else { 1_000_000 };
    let (rss_before, rss_after) = memory(&mt, memory_tasks);
    let idle_workers = workers.min(3);
    let idle_pool = pool(&mt, idle_workers);
    let window = Duration::from_secs(if quick { 2 } else { 5 });
    let idle_cpu = idle::idle_cpu_percent(&idle_pool, window);
    drop(idle_pool);
    wait_free(&mt);

    let summary = report::Summary {
        quick,
        cores,
        julia_threads: mt.n_julia_threads(),
        samples: n,
        paths: paths
            .iter()
            .map(|(name, t)| report::Path::new(name, t))
            .collect(),
        throughputs,
        throughput_tasks: tasks,
        memory_tasks,
        rss_before_kib: rss_before,
        rss_after_kib: rss_after,
        idle: (idle_workers, idle_cpu),
        standalone: peer.as_ref().map(|p| {
            (
                p.threads,
                p.spawn_elsewhere_percent,
                p.spawn_elsewhere_p50_us,
            )
        }),
        arrays: array_rows,
    };
    let dir = report::out_dir();
    report::write(&summary, &dir).expect("cannot write the summary");
    println!("{}", report::markdown(&summary));
    let calls_table = calls::table(&mt, if quick { 100_000 } else { 1_000_000 });
    println!("{calls_table}");
    std::fs::write(dir.join("calls.md"), &calls_table).expect("cannot write calls.md");
    let dist_pool = pool(&mt, 1);
    let dist_table = distributed::table(&runtime_thread, &dist_pool, quick);
    drop(dist_pool);
    wait_free(&mt);
    println!("{dist_table}");
    std::fs::write(dir.join("distributed.md"), &dist_table).expect("cannot write distributed.md");
    println!(
        "wrote {}/summary.json, summary.md and latency.svg",
        dir.display()
    );

    drop(runtime_thread);
    drop(mt);
    runtime.join().unwrap();
}

/// `n` async tasks on an existing pool, from this thread.
fn throughput_on(pool: &AsyncHandle, n: usize) {
    let handles: Vec<_> = (0..n as i64)
        .map(|i| {
            pool.task(async move |mut f| {
                let x = f.box_value(i);
                f.call("bench_work", &[x])?.unbox::<i64>()
            })
            .dispatch_blocking()
            .unwrap()
        })
        .collect();
    for h in handles {
        h.wait_blocking().unwrap();
    }
}
