//! Every public type of the library implements `Debug` (the workspace lint
//! `missing_debug_implementations` keeps it so); the handles print something useful.

use std::fmt::Debug;

use jlrs_async::{
    AsyncBuilder, AsyncExecutor, AsyncHandle, AsyncLocal, AsyncRuntimeExt, Dispatch, DispatchError,
    PersistentHandle, Queue, Stats, TaskHandle, Tokio, TokioLocal,
};
use jlrs_core::{
    event_loop::{EventLoop, Notifier, Step},
    gc::{GcSafeGuard, GcUnsafeGuard},
    hosted::{Hosted, HostedThread},
    sync::{GcSafeMutex, GcSafeMutexGuard, GcSafeReadGuard, GcSafeRwLock, GcSafeWriteGuard},
    thread_state::ThreadState,
    GcFrame, InitOptions, Julia, JuliaException, RootStack, Runtime, Value,
};
use jlrs_mt::{Builder, MtHandle, WorkerThread};
use jlrs_pool::{PoolBuilder, PoolBuilderExt, PoolError};

fn is_debug<T: Debug + ?Sized>() {}

struct Nothing;

impl jlrs_async::PersistentTask for Nothing {
    type State<'s> = ();
    type Input = ();
    type Output = ();

    async fn init<'s>(&mut self, _frame: &mut GcFrame<'s>) -> jlrs_core::JlResult<()> {
        Ok(())
    }

    async fn call<'s, 'c>(
        &mut self,
        _state: &mut Self::State<'s>,
        _frame: &mut GcFrame<'c>,
        _input: (),
    ) -> jlrs_core::JlResult<()> {
        Ok(())
    }
}

#[test]
fn every_public_type_is_debug() {
    is_debug::<Runtime>();
    is_debug::<InitOptions>();
    is_debug::<Julia>();
    is_debug::<GcFrame<'static>>();
    is_debug::<RootStack>();
    is_debug::<Value<'static>>();
    is_debug::<JuliaException>();
    is_debug::<jlrs_core::Error>();
    is_debug::<jlrs_core::InitError>();
    is_debug::<GcSafeGuard>();
    is_debug::<GcUnsafeGuard>();
    is_debug::<Hosted>();
    is_debug::<HostedThread>();
    is_debug::<Notifier>();
    is_debug::<EventLoop>();
    is_debug::<Step>();
    is_debug::<ThreadState>();
    is_debug::<GcSafeMutex<u8>>();
    is_debug::<GcSafeMutexGuard<'static, u8>>();
    is_debug::<GcSafeRwLock<u8>>();
    is_debug::<GcSafeReadGuard<'static, u8>>();
    is_debug::<GcSafeWriteGuard<'static, u8>>();
    is_debug::<Builder>();
    is_debug::<MtHandle>();
    is_debug::<WorkerThread>();
    is_debug::<jlrs_mt::Error>();
    is_debug::<AsyncBuilder<AsyncExecutor<2>, 2>>();
    is_debug::<AsyncExecutor<2>>();
    is_debug::<AsyncLocal>();
    is_debug::<Tokio<2>>();
    is_debug::<TokioLocal>();
    is_debug::<AsyncHandle>();
    is_debug::<Queue>();
    is_debug::<Dispatch<i64>>();
    is_debug::<DispatchError<Dispatch<i64>>>();
    is_debug::<TaskHandle<i64>>();
    is_debug::<PersistentHandle<Nothing>>();
    is_debug::<Stats>();
    is_debug::<jlrs_async::Error>();
    is_debug::<PoolBuilder<AsyncExecutor<2>, 2>>();
    is_debug::<PoolError>();
}

#[test]
fn handles_print_what_they_are() {
    let (mt, async_handle, runtime) = Builder::new()
        .n_threads(1)
        .async_runtime(AsyncExecutor::<2>::new())
        .spawn_mt()
        .expect("cannot start Julia");
    // The example: `unwrap_err` needs the handles to be `Debug`.
    let err = Builder::new().spawn_mt().unwrap_err();
    assert!(matches!(err, jlrs_mt::Error::Init(_)), "{err}");
    let shown = format!("{mt:?}");
    assert!(
        shown.contains("MtHandle") && shown.contains("n_worker_threads: 1"),
        "{shown}"
    );
    let pool = mt.pool_builder(AsyncExecutor::<2>::new());
    assert!(format!("{pool:?}").contains("PoolBuilder"));
    let task = async_handle
        .blocking_task(|mut f| f.eval("1")?.unbox::<i64>())
        .dispatch_blocking()
        .unwrap();
    assert!(format!("{task:?}").contains("TaskHandle"));
    assert_eq!(task.wait_blocking().unwrap(), 1);
    assert!(format!("{async_handle:?}").contains("completed: 1"));
    drop((pool, mt, async_handle));
    runtime.join().unwrap();
}
