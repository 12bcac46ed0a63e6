//! Julia calls back into Rust: an ODE solved by a Julia integrator whose right-hand side
//! is a Rust closure (`define_function`), and a hot scalar callback with no boxing
//! (`define_cfunction`).
//!
//! Run with `cargo xtask exec -- cargo run -p jlrs --example callbacks`.

use std::sync::{
    atomic::{AtomicU64, Ordering},
    Arc,
};

use jlrs::prelude::*;

/// Exponential decay `u' = -k u`, for `define_cfunction`.
extern "C" fn decay(u: f64, k: f64) -> f64 {
    -k * u
}

fn main() -> anyhow::Result<()> {
    let mut rt = Runtime::init(InitOptions::new())?;
    let evaluations = Arc::new(AtomicU64::new(0));
    let counter = evaluations.clone();
    rt.julia().scope(|mut frame| {
        // The Lotka–Volterra equations, right-hand side in Rust: (x, y) -> (x', y').
        let (a, b, c, d) = (1.5, 1.0, 3.0, 1.0);
        frame.define_function("lotka_volterra", move |frame, args: &[Value<'_>]| {
            counter.fetch_add(1, Ordering::Relaxed);
            let (x, y) = args[0].unbox::<(f64, f64)>()?;
            frame.box_value((a * x - b * x * y, -c * y + d * x * y))
        })?;
        frame.define_cfunction("decay", decay as extern "C" fn(f64, f64) -> f64)?;

        // A classic fourth-order Runge–Kutta integrator, in Julia, generic over `rhs`.
        frame.eval(
            "function rk4(rhs, u, t1, n, p...)
                 h = t1 / n
                 for _ in 1:n
                     k1 = rhs(u, p...)
                     k2 = rhs(u .+ (h / 2) .* k1, p...)
                     k3 = rhs(u .+ (h / 2) .* k2, p...)
                     k4 = rhs(u .+ h .* k3, p...)
                     u = u .+ (h / 6) .* (k1 .+ 2 .* k2 .+ 2 .* k3 .+ k4)
                 end
                 return u
             end",
        )?;

        // Lotka–Volterra conserves V = d x - c ln x + b y - a ln y: check it.
        let rhs = frame.global("lotka_volterra")?;
        let u0 = frame.box_value((1.0f64, 1.0f64))?;
        let t1 = frame.box_value(10.0f64);
        let n = frame.box_value(10_000i64);
        let (x, y) = frame
            .call("rk4", &[rhs, u0, t1, n])?
            .unbox::<(f64, f64)>()?;
        let v = |x: f64, y: f64| d * x - c * x.ln() + b * y - a * y.ln();
        println!("Lotka–Volterra at t = 10: x = {x:.6}, y = {y:.6}");
        println!("  invariant drift: {:.2e}", (v(x, y) - v(1.0, 1.0)).abs());
        assert!((v(x, y) - v(1.0, 1.0)).abs() < 1e-8);

        // Exponential decay through the cfunction: the analytic answer is exp(-k t).
        let rhs = frame.global("decay")?;
        let u0 = frame.box_value(1.0f64);
        let t1 = frame.box_value(2.0f64);
        let n = frame.box_value(1_000i64);
        let k = frame.box_value(0.5f64);
        let u = frame.call("rk4", &[rhs, u0, t1, n, k])?.unbox::<f64>()?;
        println!("decay at t = 2: {u:.12} (exact {:.12})", (-1.0f64).exp());
        assert!((u - (-1.0f64).exp()).abs() < 1e-12);

        // Errors in the closure become Julia exceptions, then Rust errors.
        let bad = frame.box_value("not a tuple");
        let err = frame.call("lotka_volterra", &[bad]).unwrap_err();
        println!("a bad argument: {err}");
        Ok::<_, Error>(())
    })?;
    println!(
        "the Rust right-hand side ran {} times",
        evaluations.load(Ordering::Relaxed)
    );
    Ok(())
}
