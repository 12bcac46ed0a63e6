//! A `with` closure on the runtime thread hands a pool task to a pool of two idle workers
//! and waits for it; the task awaits `call_async` (a `Threads.@spawn`ed Julia task). Each
//! iteration needs an idle hosted thread to find the spawned task while thread 1 waits: a
//! hosted loop that slept beside it would hang the loop.

use std::time::Duration;

use jlrs_async::{AsyncExecutor, AsyncHandle};
use jlrs_mt::{Builder, MtHandle};
use jlrs_pool::PoolBuilderExt;
use jlrs_tests::watchdog;

fn setup() -> (MtHandle, AsyncHandle) {
    let (mt, _thread) = Builder::new()
        .with_threads(0)
        .n_threads(2)
        .spawn_mt()
        .expect("cannot start Julia");
    let pool = mt
        .pool_builder(AsyncExecutor::<1>::new())
        .n_workers(2.try_into().unwrap())
        .spawn();
    assert_eq!(pool.n_workers(), 2);
    (mt, pool)
}

#[test]
fn with_waits_for_a_pool_task_that_awaits_call_async() {
    const ITERATIONS: i64 = 20_000;
    let _dog = watchdog("with -> pool task -> call_async", Duration::from_secs(900));
    let (mt, pool) = setup();
    let total = mt
        .with(move |_julia| {
            let mut total = 0i64;
            for i in 0..ITERATIONS {
                let got = pool
                    .task(async move |mut frame| {
                        let f = frame.global("identity")?;
                        let x = frame.box_value(i);
                        frame.call_async(f, &[x]).await?.unbox::<i64>()
                    })
                    .dispatch_blocking()
                    .unwrap()
                    .wait_blocking()
                    .unwrap();
                assert_eq!(got, i);
                total += got;
            }
            Ok(total)
        })
        .unwrap();
    assert_eq!(total, ITERATIONS * (ITERATIONS - 1) / 2);
}
