//! jlrs-async on a pool: six threads register the same `Register` types at once on a pool
//! of three workers, while registration allocates and forces collections. Workers that
//! wait for the registry while GC-unsafe would stall the first collection for good.

use std::{sync::OnceLock, time::Duration};

use jlrs_async::{AsyncExecutor, AsyncHandle, Register};
use jlrs_core::{GcFrame, JlResult};
use jlrs_mt::{Builder, MtHandle};
use jlrs_pool::PoolBuilderExt;
use jlrs_tests::watchdog;

fn mt() -> &'static MtHandle {
    static MT: OnceLock<MtHandle> = OnceLock::new();
    MT.get_or_init(|| {
        Builder::new()
            .n_threads(3)
            .spawn_mt()
            .expect("cannot start Julia")
            .0
    })
}

/// Defines `registered_K()` after allocating and collecting; one type per `K`.
struct Allocating<const K: usize>;

impl<const K: usize> Register for Allocating<K> {
    fn register(frame: &mut GcFrame<'_>) -> JlResult<()> {
        for _ in 0..10 {
            frame.eval("[Vector{Float64}(undef, 1000) for _ in 1:100]")?;
        }
        frame.collect_garbage(true);
        frame.eval(&format!("registered_{K}() = {K}"))?;
        Ok(())
    }
}

fn register_all(pool: &AsyncHandle) {
    macro_rules! each {
        ($($k:literal)*) => {$(
            pool.register::<Allocating<$k>>()
                .dispatch_blocking()
                .unwrap()
                .wait_blocking()
                .unwrap();
        )*};
    }
    each!(0 1 2 3 4 5 6 7 8 9);
}

#[test]
fn concurrent_register_under_gc_on_a_pool_of_three() {
    let _dog = watchdog(
        "six threads registering on a pool of three under forced collections",
        Duration::from_secs(180),
    );
    for _round in 0..2 {
        let pool = mt()
            .pool_builder(AsyncExecutor::<2>::new())
            .n_workers(3.try_into().unwrap())
            .spawn();
        let threads: Vec<_> = (0..6)
            .map(|_| {
                let pool = pool.clone();
                std::thread::spawn(move || register_all(&pool))
            })
            .collect();
        threads.into_iter().for_each(|t| t.join().unwrap());
        // Each type was registered once, and its code works on any worker.
        let sum = pool
            .blocking_task(|mut frame| {
                (0..10)
                    .map(|k| frame.call(&format!("registered_{k}"), &[])?.unbox::<i64>())
                    .sum::<JlResult<i64>>()
            })
            .dispatch_blocking()
            .unwrap()
            .wait_blocking()
            .unwrap();
        assert_eq!(sum, 45);
        pool.close(false);
        jlrs_tests::wait_until("the pool's threads are free", || {
            mt().n_free_worker_threads() == 3
        });
    }
}
