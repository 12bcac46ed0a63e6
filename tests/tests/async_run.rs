//! One-step task calls: `run`/`run_blocking` on the runtime thread and on a pool, tasks
//! that fail with the caller's own error type (`run_fallible`), and every public error
//! type usable as `Box<dyn Error + Send + Sync>` (so `?` works into `anyhow::Error`).

use std::{error::Error, time::Duration};

use jlrs_async::{
    AsyncExecutor, AsyncHandle, AsyncRuntimeExt, Dispatch, DispatchError, RunError, TaskError,
};
use jlrs_core::JuliaError;
use jlrs_mt::{Builder, MtHandle};
use jlrs_pool::PoolBuilderExt;
use jlrs_tests::watchdog;

static_assertions::assert_impl_all!(TaskError: Send, Sync, Error);
static_assertions::assert_impl_all!(DispatchError<Dispatch<i64>>: Send, Sync, Error);
static_assertions::assert_impl_all!(DispatchError<Dispatch<Vec<String>>>: Send, Sync, Error);
static_assertions::assert_impl_all!(RunError<JuliaError>: Send, Sync, Error);
static_assertions::assert_impl_all!(JuliaError: Send, Sync, Error);
static_assertions::assert_impl_all!(jlrs_core::JuliaException: Send, Sync, Error);
static_assertions::assert_impl_all!(jlrs_core::InitError: Send, Sync, Error);
static_assertions::assert_impl_all!(jlrs_core::ArrayError: Send, Sync, Error);
static_assertions::assert_impl_all!(jlrs_mt::RuntimeError: Send, Sync, Error);
static_assertions::assert_impl_all!(jlrs_pool::PoolError: Send, Sync, Error);

/// The caller's own error type, as a service would have.
#[derive(Debug)]
enum ApiError {
    BadInput(String),
    Julia(JuliaError),
}

impl From<JuliaError> for ApiError {
    fn from(e: JuliaError) -> Self {
        ApiError::Julia(e)
    }
}

/// One runtime for the binary: the async runtime thread and a pool of one worker (a
/// second worker thread is left for `run_after_close_is_closed`).
fn runtime() -> &'static (MtHandle, AsyncHandle, AsyncHandle) {
    static RT: std::sync::OnceLock<(MtHandle, AsyncHandle, AsyncHandle)> =
        std::sync::OnceLock::new();
    RT.get_or_init(|| {
        let (mt, handle, _thread) = Builder::new()
            .n_threads(2)
            .async_runtime(AsyncExecutor::<4>::new())
            .spawn_mt()
            .expect("cannot start Julia");
        let pool = mt
            .pool_builder(AsyncExecutor::<4>::new())
            .n_workers(1.try_into().unwrap())
            .spawn();
        (mt, handle, pool)
    })
}

fn handles() -> [&'static AsyncHandle; 2] {
    let (_, rt, pool) = runtime();
    [rt, pool]
}

fn is_send<T: Send>(_: &T) {}

#[test]
fn run_answers_in_one_step_on_the_runtime_and_on_a_pool() {
    let _dog = watchdog("run", Duration::from_secs(120));
    for handle in handles() {
        let fut = handle.run(async |mut frame| frame.eval("sum(1:10)")?.unbox::<i64>());
        is_send(&fut);
        assert_eq!(smol::block_on(fut).unwrap(), 55);

        let err =
            smol::block_on(handle.run(async |mut f| f.eval("error(\"boom\")")?.unbox::<i64>()));
        match err {
            Err(TaskError::Julia(e)) => assert!(e.to_string().contains("boom"), "{e}"),
            other => panic!("expected a Julia error, got {other:?}"),
        }
        let panicked =
            smol::block_on(handle.run(async |_f| -> jlrs_core::JlResult<i64> { panic!("oops") }));
        assert!(
            matches!(&panicked, Err(TaskError::Panicked(m)) if m.contains("oops")),
            "{panicked:?}"
        );

        let two = handle.run_blocking(async |mut f| f.eval("1 + 1")?.unbox::<i64>());
        assert_eq!(two.unwrap(), 2);
    }
}

#[test]
fn run_blocking_keeps_the_deadlock_protection() {
    let _dog = watchdog("run_blocking self-wait", Duration::from_secs(120));
    for handle in handles() {
        // A task on the queue's only worker that blocks for another task of the same
        // queue would wait forever: it is refused.
        let inner = handle.clone();
        let got = handle
            .run_blocking(async move |_f| {
                Ok(inner.run_blocking(async |mut f| f.eval("2 + 2")?.unbox::<i64>()))
            })
            .unwrap();
        assert!(matches!(got, Err(TaskError::WouldDeadlock)), "{got:?}");
        // Awaiting `run` from the task works.
        let inner = handle.clone();
        let got = handle
            .run_blocking(async move |_f| {
                Ok(inner
                    .run(async |mut f| f.eval("2 + 2")?.unbox::<i64>())
                    .await)
            })
            .unwrap();
        assert_eq!(got.unwrap(), 4);
    }
}

#[test]
fn run_after_close_is_closed() {
    let _dog = watchdog("run after close", Duration::from_secs(120));
    let (mt, _, _) = runtime();
    let closed = mt
        .pool_builder(AsyncExecutor::<1>::new())
        .n_workers(1.try_into().unwrap())
        .spawn();
    closed.close(false);
    let got = smol::block_on(closed.run(async |mut f| f.eval("1")?.unbox::<i64>()));
    assert!(matches!(got, Err(TaskError::Closed)), "{got:?}");
    let got = closed.run_blocking(async |mut f| f.eval("1")?.unbox::<i64>());
    assert!(matches!(got, Err(TaskError::Closed)), "{got:?}");
}

#[test]
fn a_task_fails_with_the_callers_error_type() {
    let _dog = watchdog("run_fallible", Duration::from_secs(120));
    for handle in handles() {
        let sqrt = |n: i64| {
            handle.run_fallible_blocking(async move |mut frame| {
                if n < 0 {
                    return Err(ApiError::BadInput(format!("{n} is negative")));
                }
                let x = frame.box_value(n);
                // `?` on a Julia call converts the JuliaError into ApiError.
                let root = frame.call("sqrt", &[x])?.unbox::<f64>()?;
                if root > 10.0 {
                    frame.eval("throw(DomainError(1, \"too big\"))")?;
                }
                Ok(root)
            })
        };
        assert_eq!(sqrt(16).unwrap(), 4.0);
        assert!(
            matches!(sqrt(-1), Err(RunError::Returned(ApiError::BadInput(m))) if m == "-1 is negative")
        );
        match sqrt(1000) {
            Err(RunError::Returned(ApiError::Julia(e))) => {
                assert!(e.to_string().contains("too big"), "{e}")
            }
            other => panic!("expected the Julia error as ApiError, got {other:?}"),
        }
        // A panic is still the task's failure, not the caller's error type.
        let panicked = smol::block_on(
            handle.run_fallible(async |_f| -> Result<i64, ApiError> { panic!("bad") }),
        );
        assert!(
            matches!(&panicked, Err(RunError::Failed(TaskError::Panicked(m))) if m.contains("bad"))
        );
        // The dispatch form: the task's result is `Result<T, E>`.
        let task = handle.fallible_task(async |_f| Err::<i64, _>(ApiError::BadInput("x".into())));
        let got = task.dispatch_blocking().unwrap().wait_blocking().unwrap();
        assert!(matches!(got, Err(ApiError::BadInput(_))));
    }
}

/// `?` turns each error into a boxed `Send + Sync` error (as `anyhow` needs).
fn dispatch_and_wait(handle: &AsyncHandle) -> Result<i64, Box<dyn Error + Send + Sync>> {
    let sent = handle
        .task(async |mut f| f.eval("40 + 2")?.unbox::<i64>())
        .try_dispatch()?;
    Ok(sent.wait_blocking()?)
}

fn run_boxed(handle: &AsyncHandle) -> Result<i64, Box<dyn Error + Send + Sync>> {
    // The task's error type is the caller's (here a JuliaError, boxed by `?`).
    let v = handle.run_fallible_blocking(async |mut f| -> Result<i64, JuliaError> {
        let x = f.eval("6 * 7")?;
        x.unbox::<i64>()
    })?;
    Ok(v)
}

#[test]
fn errors_go_into_boxed_send_sync_errors() {
    let _dog = watchdog("boxed errors", Duration::from_secs(120));
    for handle in handles() {
        assert_eq!(dispatch_and_wait(handle).unwrap(), 42);
        assert_eq!(run_boxed(handle).unwrap(), 42);
    }
}
