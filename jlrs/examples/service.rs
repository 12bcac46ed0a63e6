//! A pool serving many concurrent requests: each request calls Julia functions, and a
//! persistent task keeps a running statistic in Julia state.
//!
//! Eight client threads send 200 requests each. A request normalises a vector in Julia on
//! whichever pool worker is free, then records its norm with the persistent task, which
//! keeps every norm in a Julia vector and answers with the running mean.

use jlrs::prelude::*;

/// Keeps every recorded norm in a Julia `Vector{Float64}`.
struct Norms;

impl PersistentTask for Norms {
    type State<'s> = Value<'s>;
    type Input = f64;
    type Output = (usize, f64);

    async fn init<'s>(&mut self, frame: &mut GcFrame<'s>) -> JlResult<Value<'s>> {
        frame.eval("Float64[]")
    }

    async fn call<'s, 'c>(
        &mut self,
        norms: &mut Self::State<'s>,
        frame: &mut GcFrame<'c>,
        norm: f64,
    ) -> JlResult<(usize, f64)> {
        let x = frame.box_value(norm);
        frame.call("push!", &[*norms, x])?;
        let n = frame.call("length", &[*norms])?.unbox::<i64>()? as usize;
        let mean = frame.call("Service.mean", &[*norms])?.unbox::<f64>()?;
        Ok((n, mean))
    }
}

/// The Julia side of the service, loaded once.
struct Service;

impl Register for Service {
    fn register(frame: &mut GcFrame<'_>) -> JlResult<()> {
        frame
            .eval(
                "module Service
                 mean(v) = sum(v) / length(v)
                 norm2(v) = sqrt(sum(abs2, v))
                 function normalise(seed::Int, n::Int)
                     v = [sin(seed * k) for k in 1:n]
                     norm = sqrt(sum(abs2, v))
                     return (v ./ norm, norm)
                 end
                 end",
            )
            .map(|_| ())
    }
}

fn main() -> anyhow::Result<()> {
    let (mt, runtime) = Builder::new().n_threads(3).spawn_mt()?;
    let pool = mt
        .pool_builder(AsyncExecutor::<8>::new())
        .n_workers(3.try_into()?)
        .channel_capacity(64)
        .spawn();
    pool.register::<Service>()
        .dispatch_blocking()?
        .wait_blocking()?;
    let norms = pool
        .persistent(Norms)
        .dispatch_blocking()?
        .wait_blocking()?;

    let clients: Vec<_> = (0..8i64)
        .map(|client| {
            let (pool, norms) = (pool.clone(), norms.clone());
            std::thread::spawn(move || -> anyhow::Result<f64> {
                let mut last_mean = 0.0;
                for r in 0..200i64 {
                    let seed = client * 1000 + r + 1;
                    let norm = pool
                        .task(async move |mut frame| {
                            let (s, n) = (frame.box_value(seed), frame.box_value(64i64));
                            let out = frame.call("Service.normalise", &[s, n])?;
                            let unit = frame.call("first", &[out])?;
                            // The normalised vector has norm 1.
                            let one = frame.call("Service.norm2", &[unit])?.unbox::<f64>()?;
                            assert!((one - 1.0).abs() < 1e-9);
                            frame.call("last", &[out])?.unbox::<f64>()
                        })
                        .dispatch_blocking()?
                        .wait_blocking()?;
                    let (_, mean) = norms.call(norm).wait_blocking()?;
                    last_mean = mean;
                }
                Ok(last_mean)
            })
        })
        .collect();
    for c in clients {
        c.join()
            .map_err(|_| anyhow::anyhow!("a client panicked"))??;
    }
    let (n, mean) = norms.call(0.0).wait_blocking()?;
    let stats = pool.stats();
    println!(
        "recorded {} norms (mean {:.4}); pool: {stats:?}",
        n - 1,
        mean
    );
    anyhow::ensure!(n == 1601, "every request was recorded once");

    drop((norms, pool, mt));
    runtime
        .join()
        .map_err(|_| anyhow::anyhow!("the runtime thread panicked"))?;
    Ok(())
}
