//! A program that runs like any Rust binary: 1 runtime + 1 `with` + 3 worker threads,
//! however many CPUs the machine shows, and three blocking pool tasks that run at once.
//!
//! `cargo build -p jlrs --features async-rt --example threads`, then run
//! `target/debug/examples/threads` from anywhere, even with `env -i`: it finds the Julia it
//! was built against. Prints the order in which the tasks started and ended.

use std::{
    sync::{
        atomic::{AtomicUsize, Ordering},
        mpsc, Arc,
    },
    time::{Duration, Instant},
};

use jlrs::prelude::*;

const WORKERS: usize = 3;

fn main() -> anyhow::Result<()> {
    let (mt, runtime) = Builder::new()
        .n_threads(WORKERS)
        .with_threads(1)
        .spawn_mt()?;
    println!(
        "cpus: {}, julia threads: {} (1 runtime, {} `with`, {} worker)",
        jlrs::base::cpu_limit(),
        mt.n_julia_threads(),
        mt.n_with_threads(),
        mt.n_worker_threads()
    );
    let pool = mt
        .pool_builder(AsyncExecutor::<2>::new())
        .n_workers(WORKERS.try_into()?)
        .spawn();

    // Each task records its start and end. A task takes 200 ms, and then waits (up to a
    // minute) until every task has started: on real threads all three start before any
    // ends; on fewer threads the order shows it.
    let (events, recorded) = mpsc::channel::<String>();
    let started = Arc::new(AtomicUsize::new(0));
    let tasks: Vec<_> = (0..WORKERS)
        .map(|i| {
            let events = events.clone();
            let started = started.clone();
            pool.blocking_task(move |_frame| {
                let _ = events.send(format!("start{i}"));
                started.fetch_add(1, Ordering::SeqCst);
                jlrs::base::blocking(|| {
                    std::thread::sleep(Duration::from_millis(200));
                    let deadline = Instant::now() + Duration::from_secs(60);
                    while started.load(Ordering::SeqCst) < WORKERS && Instant::now() < deadline {
                        std::thread::sleep(Duration::from_millis(5));
                    }
                });
                let _ = events.send(format!("end{i}"));
                Ok(jlrs::pool::current_worker().unwrap_or_default())
            })
            .dispatch_blocking()
            .map_err(|_| anyhow::anyhow!("the pool is closed"))
        })
        .collect::<anyhow::Result<_>>()?;
    drop(events);
    let mut workers: Vec<String> = tasks
        .into_iter()
        .map(|t| t.wait_blocking())
        .collect::<Result<_, _>>()?;
    let order: Vec<String> = recorded.iter().collect();
    println!("order: {}", order.join(" "));
    workers.sort();
    workers.dedup();
    println!("workers: {}", workers.join(" "));
    let overlapped = order.iter().take(WORKERS).all(|e| e.starts_with("start"));
    println!("overlap: {overlapped}");

    drop(pool);
    drop(mt);
    runtime.join().expect("the runtime thread panicked");
    anyhow::ensure!(overlapped, "the tasks did not run at once: {order:?}");
    Ok(())
}
