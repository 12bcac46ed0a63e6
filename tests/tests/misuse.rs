//! Misuse: dispatching to a closed pool, dropping every handle while 10 000 tasks wait,
//! using a persistent task after its pool is gone. Each gets a clear answer, and the
//! process exits.

use std::time::Duration;

use jlrs_async::{AsyncExecutor, Error, PersistentTask};
use jlrs_core::{GcFrame, JlResult};
use jlrs_mt::Builder;
use jlrs_pool::PoolBuilderExt;
use jlrs_tests::{wait_until, watchdog};

struct Echo;

impl PersistentTask for Echo {
    type State<'s> = ();
    type Input = i64;
    type Output = i64;

    async fn init<'s>(&mut self, _frame: &mut GcFrame<'s>) -> JlResult<()> {
        Ok(())
    }

    async fn call<'s, 'c>(
        &mut self,
        _state: &mut Self::State<'s>,
        _frame: &mut GcFrame<'c>,
        x: i64,
    ) -> JlResult<i64> {
        Ok(x)
    }
}

#[test]
fn every_caller_gets_an_answer_and_the_process_exits() {
    let _dog = watchdog("misuse", Duration::from_secs(180));
    let (mt, runtime) = Builder::new()
        .n_threads(2)
        .spawn_mt()
        .expect("cannot start Julia");

    // A closed pool refuses work with a clear error.
    let pool = mt.pool_builder(AsyncExecutor::<2>::new()).spawn();
    pool.close(false);
    let refused = pool.blocking_task(|_f| Ok(())).dispatch_blocking();
    assert!(refused.err().unwrap().is_closed());
    assert!(!pool.try_add_worker(), "a closed pool takes no workers");
    drop(pool);

    // A persistent task outlived by its pool answers `Closed`.
    let pool = mt.pool_builder(AsyncExecutor::<2>::new()).spawn();
    let echo = pool
        .persistent(Echo)
        .dispatch_blocking()
        .unwrap()
        .wait_blocking()
        .unwrap();
    assert_eq!(echo.call(5).wait_blocking().unwrap(), 5);
    drop(pool);
    wait_until("the persistent task outlived its pool", || echo.is_closed());
    assert!(matches!(echo.call(6).wait_blocking(), Err(Error::Closed)));
    drop(echo);

    // Every handle dropped while 10 000 tasks wait behind a busy worker: each caller is
    // answered (the queue drains), then the runtime shuts down.
    let pool = mt.pool_builder(AsyncExecutor::<1>::new()).spawn();
    let (gate_tx, gate_rx) = async_channel::bounded::<()>(1);
    let busy = pool
        .blocking_task(move |_f| {
            let _ = jlrs_core::blocking(|| gate_rx.recv_blocking());
            Ok(-1i64)
        })
        .dispatch_blocking()
        .unwrap();
    let queued: Vec<_> = (0..10_000i64)
        .map(|i| {
            pool.blocking_task(move |mut f| f.box_value(i).unbox::<i64>())
                .dispatch_blocking()
                .unwrap()
        })
        .collect();
    drop(pool);
    drop(mt);
    gate_tx.send_blocking(()).unwrap();
    assert_eq!(busy.wait_blocking().unwrap(), -1);
    // Dropping the handles closes the queue without cancelling it: every queued task runs.
    let mut ran = 0;
    for (i, q) in queued.into_iter().enumerate() {
        match q.wait_blocking() {
            Ok(v) => assert_eq!(v, i as i64),
            Err(e) => panic!("task {i} did not run although the queue drains: {e}"),
        }
        ran += 1;
    }
    assert_eq!(ran, 10_000);
    runtime.join().expect("the runtime thread panicked");
    assert!(!jlrs_core::is_running());
}
