//! 100 000 tasks over the runtime thread, a pool of three workers and `MtHandle::with`,
//! each allocating Julia values and holding them across `.await`, while other tasks force
//! collections. Every result is checked.

use std::time::Duration;

use jlrs_async::{AsyncExecutor, AsyncHandle, AsyncRuntimeExt, TaskHandle};
use jlrs_mt::{Builder, MtHandle};
use jlrs_pool::PoolBuilderExt;
use jlrs_tests::watchdog;

const TASKS: usize = 100_000;
const BATCH: usize = 500;

/// An async task that roots a vector, yields, allocates, and sums the vector.
fn vector_task(handle: &AsyncHandle, i: i64) -> TaskHandle<i64> {
    handle
        .task(async move |mut f| {
            let n = f.box_value(i % 50 + 1);
            let v = f.call("stress_vec", &[n])?;
            smol::future::yield_now().await;
            f.call("stress_alloc", &[])?;
            smol::future::yield_now().await;
            f.call("sum", &[v])?.unbox::<i64>()
        })
        .dispatch_blocking()
        .unwrap()
}

fn expected(i: i64) -> i64 {
    let n = i % 50 + 1;
    n * (n + 1) / 2
}

fn with_task(mt: &MtHandle, i: i64) -> i64 {
    mt.with(move |j| {
        j.scope(|mut f| {
            let n = f.box_value(i % 50 + 1);
            let v = f.call("stress_vec", &[n])?;
            f.call("stress_alloc", &[])?;
            f.call("sum", &[v])?.unbox::<i64>()
        })
    })
    .unwrap()
}

#[test]
fn a_hundred_thousand_tasks_under_forced_collections() {
    let _dog = watchdog("100 000 tasks under GC", Duration::from_secs(600));
    let (mt, runtime_thread, runtime) = Builder::new()
        .n_threads(3)
        .async_runtime(AsyncExecutor::<8>::new())
        .spawn_mt()
        .expect("cannot start Julia");
    mt.with(|j| {
        j.scope(|mut f| {
            f.eval("stress_vec(n) = collect(1:n); stress_alloc() = [zeros(8) for _ in 1:8]")
                .map(|_| ())
        })
    })
    .unwrap();
    let pool = mt
        .pool_builder(AsyncExecutor::<8>::new())
        .n_workers(3.try_into().unwrap())
        .spawn();
    assert_eq!(pool.n_workers(), 3);

    let per_client = TASKS / 4;
    std::thread::scope(|s| {
        let clients: Vec<_> = (0..4i64)
            .map(|c| {
                let (mt, rt, pool) = (&mt, &runtime_thread, &pool);
                s.spawn(move || {
                    let mut done = 0;
                    for batch in 0..(per_client / BATCH) as i64 {
                        let base = c * per_client as i64 + batch * BATCH as i64;
                        let handles: Vec<(i64, TaskHandle<i64>)> = (0..BATCH as i64)
                            .filter_map(|k| {
                                let i = base + k;
                                match i % 10 {
                                    0..=4 => Some((i, vector_task(pool, i))),
                                    5..=7 => Some((i, vector_task(rt, i))),
                                    _ => {
                                        assert_eq!(with_task(mt, i), expected(i), "with {i}");
                                        done += 1;
                                        None
                                    }
                                }
                            })
                            .collect();
                        // A collection forced from each kind of thread, every batch.
                        let full = batch % 4 == 0;
                        for target in [pool, rt] {
                            target
                                .blocking_task(move |mut f| {
                                    f.collect_garbage(full);
                                    Ok(())
                                })
                                .dispatch_blocking()
                                .unwrap()
                                .wait_blocking()
                                .unwrap();
                        }
                        mt.with(|j| {
                            j.collect_garbage(false);
                            Ok(())
                        })
                        .unwrap();
                        for (i, h) in handles {
                            assert_eq!(h.wait_blocking().unwrap(), expected(i), "task {i}");
                            done += 1;
                        }
                    }
                    done
                })
            })
            .collect();
        let done: usize = clients.into_iter().map(|c| c.join().unwrap()).sum();
        assert_eq!(done, TASKS);
    });
    let stats = pool.stats();
    assert_eq!(stats.panicked, 0);
    assert!(stats.completed >= TASKS / 2, "{stats:?}");
    drop((pool, runtime_thread, mt));
    runtime.join().unwrap();
}
