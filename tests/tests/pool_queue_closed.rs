//! A worker told to stop finishes its tasks, but a persistent task it runs lives on until
//! the pool's queue closes (here after the drop of the pool's last handle): the stopped
//! worker hears of it through the queue's `closed` latch, not by polling.

use std::time::Duration;

use jlrs_async::{AsyncExecutor, Error, PersistentTask};
use jlrs_core::{GcFrame, JlResult};
use jlrs_mt::Builder;
use jlrs_pool::PoolBuilderExt;
use jlrs_tests::{wait_until, watchdog};

/// Answers each call with its input; counts nothing.
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
        _state: &mut (),
        _frame: &mut GcFrame<'c>,
        input: i64,
    ) -> JlResult<i64> {
        Ok(input)
    }
}

#[test]
fn dropping_the_last_handle_ends_a_persistent_task_on_a_stopped_worker() {
    let _dog = watchdog(
        "persistent task on a stopped worker",
        Duration::from_secs(60),
    );
    let (mt, _runtime) = Builder::new().n_threads(2).spawn_mt().unwrap();
    let pool = mt
        .pool_builder(AsyncExecutor::<2>::new())
        .n_workers(1.try_into().unwrap())
        .spawn();
    // Hold worker 0, so that the new worker 1 starts the persistent task.
    let (gate_tx, gate_rx) = async_channel::bounded::<()>(1);
    let (started_tx, started_rx) = async_channel::bounded::<()>(1);
    let held = pool
        .blocking_task(move |_f| {
            started_tx.send_blocking(()).unwrap();
            let _ = jlrs_core::blocking(|| gate_rx.recv_blocking());
            Ok(())
        })
        .dispatch_blocking()
        .unwrap();
    started_rx.recv_blocking().unwrap();
    assert!(pool.try_add_worker());
    let echo = pool
        .persistent(Echo)
        .dispatch_blocking()
        .unwrap()
        .wait_blocking()
        .unwrap();
    // Worker 1, its host, stops taking tasks; the persistent task lives on there.
    assert!(pool.try_remove_worker());
    gate_tx.send_blocking(()).unwrap();
    held.wait_blocking().unwrap();
    assert_eq!(echo.call(7).wait_blocking().unwrap(), 7);
    assert!(!echo.is_closed());
    // The last handle goes: the queue closes, and the stopped worker ends the task.
    drop(pool);
    wait_until("the persistent task ended", || echo.is_closed());
    assert!(matches!(echo.call(1).wait_blocking(), Err(Error::Closed)));
    drop(echo);
    wait_until("both threads free", || mt.n_free_worker_threads() == 2);
}
