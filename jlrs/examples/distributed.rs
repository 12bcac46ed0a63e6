//! Julia's Distributed workers driven from Rust: two local worker processes, code defined
//! on all of them, `pmap`, remote calls from the runtime thread and from a pool, and a
//! remote exception coming back as an error.
//!
//! Every remote call is awaited (a Julia task), so neither the runtime thread nor a pool
//! worker blocks while the network works: the runtime thread keeps serving Julia's event
//! loop, which carries every socket of the cluster in Julia 1.5.

use jlrs::{distributed::WorkerSpec, prelude::*};

fn main() -> anyhow::Result<()> {
    let (mt, rt, runtime) = Builder::new()
        .n_threads(2)
        .async_runtime(AsyncExecutor::<4>::new())
        .spawn_mt()
        .map_err(|e| anyhow::anyhow!("cannot start Julia: {e}"))?;
    let pool = mt
        .pool_builder(AsyncExecutor::<4>::new())
        .n_workers(1.try_into()?)
        .spawn();

    // Start two workers and define a function on every process.
    let ids = rt
        .task(async |mut frame| {
            let ids = frame.add_workers(WorkerSpec::local(2)).await?;
            frame
                .everywhere("collatz(n) = (k = 0; while n != 1; n = iseven(n) ? n ÷ 2 : 3n + 1; k += 1; end; k)")
                .await?;
            Ok(ids)
        })
        .dispatch_blocking()
        .map_err(|e| anyhow::anyhow!("{e}"))?
        .wait_blocking()?;
    println!("workers: {ids:?}");

    // `pmap` over the workers, awaited on the runtime thread.
    let steps = rt
        .task(async |mut frame| {
            let collatz = frame.global("collatz")?;
            let range = frame.eval("1:1000")?;
            let steps = frame.pmap(collatz, range).await?;
            Ok(steps.array::<i64>()?.data()?.to_vec())
        })
        .dispatch_blocking()
        .map_err(|e| anyhow::anyhow!("{e}"))?
        .wait_blocking()?;
    let (longest, n) = steps.iter().zip(1..).max().unwrap();
    println!("pmap: below 1000, {n} takes the most Collatz steps ({longest})");
    assert_eq!((n, *longest), (871, 178));

    // A remote call from a pool worker, and one that throws on the worker.
    let worker = ids[1];
    let (pid, err) = pool
        .task(async move |mut frame| {
            let getpid = frame.global("getpid")?;
            let pid = frame.remotecall_fetch(worker, getpid, &[]).await?;
            let sqrt = frame.global("sqrt")?;
            let x = frame.box_value(-1.0f64);
            let err = frame
                .remotecall_fetch(worker, sqrt, &[x])
                .await
                .unwrap_err();
            Ok((pid.unbox::<i32>()?, err))
        })
        .dispatch_blocking()
        .map_err(|e| anyhow::anyhow!("{e}"))?
        .wait_blocking()?;
    println!("worker {worker} is process {pid}");
    match &err {
        JuliaError::Remote {
            worker: w,
            exception,
        } => {
            println!("worker {w} threw {}", exception.type_name());
            assert_eq!(exception.type_name(), "DomainError");
        }
        other => anyhow::bail!("expected a remote exception, got {other}"),
    }

    // Remove the workers; the processes have exited when this returns.
    rt.task(async move |mut frame| frame.remove_workers(&ids).await)
        .dispatch_blocking()
        .map_err(|e| anyhow::anyhow!("{e}"))?
        .wait_blocking()?;
    println!("workers removed");

    drop(pool);
    drop(rt);
    drop(mt);
    runtime
        .join()
        .map_err(|_| anyhow::anyhow!("the runtime thread panicked"))?;
    Ok(())
}
