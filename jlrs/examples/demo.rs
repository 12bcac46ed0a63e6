//! `cargo xtask demo`: starts Julia with several threads and computes on hosted threads.

use std::time::Instant;

use jlrs::prelude::*;

const HOSTED: usize = 3;

fn main() -> anyhow::Result<()> {
    let started = Instant::now();
    let mut rt = Runtime::init(InitOptions::new().n_threads(1 + HOSTED))?;
    let julia = rt.julia();
    let version = julia.scope(|mut f| f.eval("string(VERSION)")?.unbox::<String>())?;
    println!(
        "Julia {version} started with {} threads in {:?}",
        julia.n_threads(),
        started.elapsed()
    );
    if julia.n_threads() < 1 + HOSTED {
        anyhow::bail!(
            "Julia started {} threads, {} are needed: run through `cargo xtask demo`, \
             which shows Julia 8 CPUs",
            julia.n_threads(),
            1 + HOSTED
        );
    }
    julia.scope(|mut f| {
        f.eval("demo_chunk(lo, hi) = (sum(x -> x^2, lo:hi), Threads.threadid())")
            .map(|_| ())
    })?;

    // Each hosted loop computes one chunk of Σx² for x in 1..=N in Julia, on its own
    // Julia thread, and sends the partial sum back.
    const N: i64 = 3_000_000;
    let (tx, rx) = std::sync::mpsc::channel();
    let chunk = N / HOSTED as i64;
    let handles = (0..HOSTED)
        .map(|k| {
            let tx = tx.clone();
            let (lo, hi) = (
                k as i64 * chunk + 1,
                if k + 1 == HOSTED {
                    N
                } else {
                    (k as i64 + 1) * chunk
                },
            );
            Hosted::on_thread(k + 2).spawn(julia, move |j: &mut Julia| {
                let (partial, tid) = j
                    .scope(|mut f| {
                        let (lo, hi) = (f.box_value(lo), f.box_value(hi));
                        let t = f.call("demo_chunk", &[lo, hi])?;
                        let first = f.call("first", &[t])?.unbox::<i64>()?;
                        let last = f.call("last", &[t])?.unbox::<i64>()?;
                        Ok::<_, Error>((first, last))
                    })
                    .expect("demo_chunk failed");
                tx.send((k, lo, hi, partial, tid)).unwrap();
            })
        })
        .collect::<Result<Vec<_>, _>>()?;
    drop(tx);
    let mut rows: Vec<_> = julia.gc_safe(move || rx.iter().collect());
    rows.sort();
    for h in &handles {
        h.join();
    }

    println!("\n  chunk  range                    Julia thread   Σx² of the chunk");
    for (k, lo, hi, partial, tid) in &rows {
        println!(
            "  {k:>5}  {:<24} {tid:>12}   {partial:>22}",
            format!("{lo}..={hi}")
        );
    }
    let total: i64 = rows.iter().map(|r| r.3).sum();
    let check = julia.scope(|mut f| f.eval(&format!("sum(x -> x^2, 1:{N})"))?.unbox::<i64>())?;
    println!(
        "\n  total Σx² for x in 1..={N}: {total} (Julia on thread 1 agrees: {})",
        total == check
    );
    let threads: std::collections::BTreeSet<_> = rows.iter().map(|r| r.4).collect();
    println!(
        "  computed on {} hosted Julia threads: {threads:?}",
        threads.len()
    );
    anyhow::ensure!(
        total == check && threads.len() == HOSTED,
        "the demo's result is wrong"
    );
    rt.shutdown();
    Ok(())
}
