//! Arrays: `array_from_vec` (no copy) of 1 K and 1 M `f64`, `array_from_slice` of 1 M
//! beside plain Rust copies, the same Julia `sum` over a Rust-owned (`array_from_vec`) and
//! a Julia-owned 1 M array, and a pool task that hands a `Vec` to Julia and sums it.

use std::time::{Duration, Instant};

use criterion::Criterion;
use jlrs::prelude::*;

/// One row of the summary: a median time and what it means.
pub(crate) struct Row {
    pub(crate) name: &'static str,
    pub(crate) p50_us: f64,
    pub(crate) note: String,
}

const MILLION: usize = 1_000_000;

fn median(mut t: Vec<Duration>) -> Duration {
    t.sort();
    t[t.len() / 2]
}

/// `n` calls of `array_from_vec` with `len` elements inside one `with`, each timed
/// (making the `Vec` is not).
fn from_vec(mt: &MtHandle, len: usize, n: usize) -> Vec<Duration> {
    mt.with(move |j| {
        j.scope(|mut f| {
            let mut times = Vec::with_capacity(n);
            for _ in 0..n {
                // `array_from_vec` runs a collection once 256 MiB of `Vec`s have been
                // handed over since the last one: those calls are timed with it.
                let v = vec![1.0f64; len];
                f.scope(|mut inner| {
                    let t = Instant::now();
                    let a = inner.array_from_vec(v, [len])?;
                    times.push(t.elapsed());
                    assert_eq!(a.len(), len);
                    Ok::<_, Error>(())
                })?;
            }
            Ok(times)
        })
    })
    .unwrap()
}

/// `n` calls of `array_from_slice` with a million elements, each timed.
fn from_slice(mt: &MtHandle, n: usize) -> Vec<Duration> {
    mt.with(move |j| {
        j.scope(|mut f| {
            let src = vec![1.5f64; MILLION];
            let mut times = Vec::with_capacity(n);
            for _ in 0..n {
                f.scope(|mut inner| {
                    let t = Instant::now();
                    let a = inner.array_from_slice(&src, [MILLION])?;
                    times.push(t.elapsed());
                    assert_eq!(a.len(), MILLION);
                    Ok::<_, Error>(())
                })?;
            }
            Ok(times)
        })
    })
    .unwrap()
}

/// A plain Rust copy of the same buffer into a new allocation (`to_vec`), and into an
/// existing one (`copy_from_slice`, the bandwidth ceiling).
fn rust_copies(n: usize) -> (Vec<Duration>, Vec<Duration>) {
    let src = vec![1.5f64; MILLION];
    let mut fresh = Vec::with_capacity(n);
    for _ in 0..n {
        let t = Instant::now();
        let v = std::hint::black_box(&src).to_vec();
        fresh.push(t.elapsed());
        std::hint::black_box(v);
    }
    let mut dst = vec![0.0f64; MILLION];
    let mut existing = Vec::with_capacity(n);
    for _ in 0..n {
        let t = Instant::now();
        dst.copy_from_slice(std::hint::black_box(&src));
        existing.push(t.elapsed());
        std::hint::black_box(&mut dst);
    }
    (fresh, existing)
}

/// A blocking pool task that hands `data` to Julia (no copy) and sums it there.
fn pool_sum(pool: &AsyncHandle, data: Vec<f64>) -> f64 {
    pool.blocking_task(move |mut f| {
        let a = f.array_from_vec(data, [MILLION])?;
        let sum = f.global("sum")?;
        sum.call(&mut f, &[a.as_value()])?.unbox::<f64>()
    })
    .dispatch_blocking()
    .unwrap()
    .wait_blocking()
    .unwrap()
}

/// Julia's `sum` of a million `f64`, timed `n` times inside Julia, over a Julia-owned
/// array (`rust_owned == false`) or over a Rust `Vec` given with `array_from_vec`.
fn julia_sum(mt: &MtHandle, n: usize, rust_owned: bool) -> Vec<Duration> {
    mt.with(move |j| {
        j.scope(|mut f| {
            let a = if rust_owned {
                f.array_from_vec(vec![1.5f64; MILLION], [MILLION])?
                    .as_value()
            } else {
                f.eval("fill(1.5, 1_000_000)")?
            };
            let n = f.box_value(n as i64);
            let csv = f.call("bench_sum_times", &[a, n])?.unbox::<String>()?;
            Ok(csv
                .split(',')
                .map(|ns| Duration::from_nanos(ns.parse().unwrap()))
                .collect())
        })
    })
    .unwrap()
}

/// Criterion groups and the summary rows.
pub(crate) fn run(c: &mut Criterion, mt: &MtHandle, pool: &AsyncHandle, quick: bool) -> Vec<Row> {
    mt.with(|j| {
        j.scope(|mut f| {
            f.eval(
                "function bench_sum_times(A, n)
                     sum(A)
                     times = Vector{UInt64}(undef, n)
                     for i in 1:n
                         t = time_ns()
                         s = sum(A)
                         times[i] = time_ns() - t
                         s == 1.5e6 || error(\"wrong sum\")
                     end
                     join(times, ',')
                 end",
            )
            .map(|_| ())
        })
    })
    .unwrap();

    let mut g = c.benchmark_group("arrays");
    for (name, len) in [("array_from_vec_1k", 1_000), ("array_from_vec_1m", MILLION)] {
        g.bench_function(name, |b| {
            b.iter_custom(|iters| from_vec(mt, len, iters as usize).into_iter().sum())
        });
    }
    g.bench_function("array_from_slice_1m", |b| {
        b.iter_custom(|iters| from_slice(mt, iters as usize).into_iter().sum())
    });
    g.bench_function("pool_sum_from_vec_1m", |b| {
        b.iter_batched(
            || vec![1.5f64; MILLION],
            |data| pool_sum(pool, data),
            criterion::BatchSize::PerIteration,
        )
    });
    g.finish();

    let n = if quick { 100 } else { 1000 };
    let gbps = |d: Duration| (MILLION * 8) as f64 / d.as_secs_f64() / 1e9;
    let mut rows = Vec::new();
    for (name, len) in [
        ("array_from_vec 1K f64", 1_000),
        ("array_from_vec 1M f64", MILLION),
    ] {
        let d = median(from_vec(mt, len, n));
        rows.push(Row {
            name,
            p50_us: d.as_secs_f64() * 1e6,
            note: "no copy; target ≤ 2 µs".into(),
        });
    }
    let slice = median(from_slice(mt, n));
    let (fresh, existing) = rust_copies(n);
    let (fresh, existing) = (median(fresh), median(existing));
    rows.push(Row {
        name: "array_from_slice 1M f64",
        p50_us: slice.as_secs_f64() * 1e6,
        note: format!("{:.2} GB/s", gbps(slice)),
    });
    rows.push(Row {
        name: "Rust to_vec 1M f64",
        p50_us: fresh.as_secs_f64() * 1e6,
        note: format!(
            "{:.2} GB/s (new allocation, as array_from_slice)",
            gbps(fresh)
        ),
    });
    rows.push(Row {
        name: "Rust copy_from_slice 1M f64",
        p50_us: existing.as_secs_f64() * 1e6,
        note: format!("{:.2} GB/s (existing buffer)", gbps(existing)),
    });
    let mut times = Vec::with_capacity(n);
    for _ in 0..n {
        let data = vec![1.5f64; MILLION];
        let t = Instant::now();
        let s = pool_sum(pool, data);
        times.push(t.elapsed());
        assert_eq!(s, 1.5e6);
    }
    let pooled = median(times);
    let rust_owned = median(julia_sum(mt, n, true));
    let own = median(julia_sum(mt, n, false));
    rows.push(Row {
        name: "Julia sum of a Rust-owned 1M f64",
        p50_us: rust_owned.as_secs_f64() * 1e6,
        note: format!(
            "{:+.1} % over the Julia-owned array; target ≤ 5 % (array_from_vec, timed inside Julia)",
            (rust_owned.as_secs_f64() / own.as_secs_f64() - 1.0) * 100.0
        ),
    });
    rows.push(Row {
        name: "Julia sum of a Julia-owned 1M f64",
        p50_us: own.as_secs_f64() * 1e6,
        note: "the same function, timed inside Julia".into(),
    });
    rows.push(Row {
        name: "pool task: array_from_vec + sum of 1M f64",
        p50_us: pooled.as_secs_f64() * 1e6,
        note: "round trip from the caller".into(),
    });
    rows
}
