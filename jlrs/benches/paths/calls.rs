//! Calling conventions: Julia calling Rust (`define_cfunction`, `define_function`) beside
//! a pure-Julia function doing the same work, and the overhead of `call_kw` over a
//! positional call of the same function.

use std::time::Duration;

use criterion::Criterion;
use jlrs::prelude::*;

/// The work every variant does: `2x + 1`.
extern "C" fn bench_c(x: f64) -> f64 {
    2.0 * x + 1.0
}

/// Defines the functions the benchmarks call.
pub(crate) fn define(mt: &MtHandle) {
    mt.with(|j| {
        j.scope(|mut f| {
            f.define_cfunction("bench_cfn", bench_c as extern "C" fn(f64) -> f64)?;
            f.define_function("bench_rfn", |frame, args: &[Value<'_>]| {
                let x = args[0].unbox::<f64>()?;
                Ok(frame.box_value(2.0 * x + 1.0))
            })?;
            f.eval(
                "@noinline bench_jfn(x::Float64) = 2x + 1
                 function bench_loop(f, n)
                     s = 0.0
                     t = time_ns()
                     for i in 1:n
                         s += f(Float64(i))
                     end
                     d = time_ns() - t
                     return (d, s)
                 end
                 bench_pos(x, y) = x + y
                 bench_kw(x; y = 0) = x + y",
            )
            .map(|_| ())
        })
    })
    .unwrap();
}

/// Julia calls `f` `n` times in a loop; the time of the loop, measured inside Julia.
fn julia_loop(mt: &MtHandle, f: &'static str, n: u64) -> Duration {
    let (ns, s) = mt
        .with(move |j| {
            j.scope(|mut fr| {
                let func = fr.global(f)?;
                let n = fr.box_value(n as i64);
                fr.call("bench_loop", &[func, n])?.unbox::<(u64, f64)>()
            })
        })
        .unwrap();
    let n = n as f64;
    assert_eq!(s, n * (n + 1.0) + n, "{f} computed the wrong sum");
    Duration::from_nanos(ns)
}

/// `n` calls of `bench_pos(x, 1)` or `bench_kw(x; y = 1)` from Rust, timed together.
fn rust_calls(mt: &MtHandle, kw: bool, n: u64) -> Duration {
    mt.with(move |j| {
        j.scope(|mut f| {
            let pos = f.global("bench_pos")?;
            let kwf = f.global("bench_kw")?;
            let one = f.box_value(1i64);
            let t = std::time::Instant::now();
            for i in 0..n as i64 {
                f.scope(|mut inner| {
                    let x = inner.box_value(i);
                    let r = if kw {
                        kwf.call_kw(&mut inner, &[x], &[("y", one)])?
                    } else {
                        pos.call(&mut inner, &[x, one])?
                    };
                    assert_eq!(r.unbox::<i64>()?, i + 1);
                    Ok::<_, Error>(())
                })?;
            }
            Ok(t.elapsed())
        })
    })
    .unwrap()
}

/// The criterion group `calls`.
pub(crate) fn bench(c: &mut Criterion, mt: &MtHandle) {
    let mut g = c.benchmark_group("calls");
    for (name, f) in [
        ("julia_calls_julia", "bench_jfn"),
        ("julia_calls_cfunction", "bench_cfn"),
        ("julia_calls_define_function", "bench_rfn"),
    ] {
        g.bench_function(name, |b| b.iter_custom(|iters| julia_loop(mt, f, iters)));
    }
    g.bench_function("call_positional", |b| {
        b.iter_custom(|iters| rust_calls(mt, false, iters))
    });
    g.bench_function("call_kw", |b| {
        b.iter_custom(|iters| rust_calls(mt, true, iters))
    });
    g.finish();
}

/// Per-call nanoseconds of each variant over `n` calls, for the summary.
pub(crate) fn table(mt: &MtHandle, n: u64) -> String {
    let per = |d: Duration| d.as_nanos() as f64 / n as f64;
    let rows = [
        (
            "Julia calls a Julia function (`@noinline`)",
            per(julia_loop(mt, "bench_jfn", n)),
        ),
        (
            "Julia calls a `define_cfunction`",
            per(julia_loop(mt, "bench_cfn", n)),
        ),
        (
            "Julia calls a `define_function` closure",
            per(julia_loop(mt, "bench_rfn", n)),
        ),
        (
            "Rust calls `f(x, 1)` (`call`)",
            per(rust_calls(mt, false, n)),
        ),
        (
            "Rust calls `f(x; y = 1)` (`call_kw`)",
            per(rust_calls(mt, true, n)),
        ),
    ];
    let mut s = String::from("| call | ns per call |\n|---|---:|\n");
    for (name, ns) in rows {
        s.push_str(&format!("| {name} | {ns:.1} |\n"));
    }
    s
}
