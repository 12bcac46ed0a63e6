//! `call_async` errors name the user's exception, on the async runtime thread and on a
//! pool worker: its type and message (not `TaskFailedException`, not the library's task
//! frames), with the frames it was thrown through in the task as its backtrace.

use std::{sync::OnceLock, time::Duration};

use jlrs_async::{AsyncExecutor, AsyncHandle, AsyncRuntimeExt, Error as TaskError};
use jlrs_core::{Error, GcFrame, JlResult, JuliaException};
use jlrs_mt::{Builder, MtHandle};
use jlrs_pool::PoolBuilderExt;
use jlrs_tests::watchdog;

/// User code in a named file: `checked_sqrt` throws a `DomainError` on line 3.
const USER_CODE: &str = "\
# user code
function checked_sqrt(x)
    x < 0 && throw(DomainError(x, \"checked_sqrt needs x >= 0\"))
    return sqrt(x)
end
@noinline outer_sqrt(x) = checked_sqrt(x) + 1
scaled_sqrt(x; scale = 1) = checked_sqrt(scale * x)
fetch_failing() = fetch(Threads.@spawn checked_sqrt(-1.0))
";

/// The multithreaded runtime with the async runtime on its thread 1.
fn runtime() -> &'static (MtHandle, AsyncHandle) {
    static RT: OnceLock<(MtHandle, AsyncHandle)> = OnceLock::new();
    RT.get_or_init(|| {
        let (mt, handle, _thread) = Builder::new()
            .n_threads(4)
            .async_runtime(AsyncExecutor::<4>::new())
            .spawn_mt()
            .expect("cannot start Julia");
        mt.with(|j| j.scope(|mut f| f.include_string(USER_CODE, "user_math.jl").map(|_| ())))
            .expect("the user code is defined");
        (mt, handle)
    })
}

/// A pool of one worker; the other threads stay free for `@spawn` tasks.
fn pool() -> &'static AsyncHandle {
    static POOL: OnceLock<AsyncHandle> = OnceLock::new();
    POOL.get_or_init(|| {
        runtime()
            .0
            .pool_builder(AsyncExecutor::<2>::new())
            .n_workers(1.try_into().unwrap())
            .spawn()
    })
}

/// `call_async(checked_sqrt, -1.0)`, `call_async(outer_sqrt, -2.0)` and
/// `call_async_kw(scaled_sqrt, 1.0; scale = -3.0)`: their errors.
async fn failing_calls(f: &mut GcFrame<'_>) -> JlResult<Vec<Error>> {
    let mut errors = Vec::new();
    let checked = f.global("checked_sqrt")?;
    let x = f.box_value(-1.0f64);
    errors.push(f.call_async(checked, &[x]).await.unwrap_err());
    let outer = f.global("outer_sqrt")?;
    let x = f.box_value(-2.0f64);
    errors.push(f.call_async(outer, &[x]).await.unwrap_err());
    let scaled = f.global("scaled_sqrt")?;
    let one = f.box_value(1.0f64);
    let scale = f.box_value(-3.0f64);
    errors.push(
        f.call_async_kw(scaled, &[one], &[("scale", scale)])
            .await
            .unwrap_err(),
    );
    Ok(errors)
}

fn exception(err: &Error) -> &JuliaException {
    match err {
        Error::Exception(e) => e,
        other => panic!("expected a Julia exception, got {other:?}"),
    }
}

/// The user's exception first; none of the task's wrapping or the library's frames.
fn assert_names_the_users_exception(err: &Error) {
    let e = exception(err);
    assert_eq!(e.type_name(), "DomainError", "{e:?}");
    assert!(e.message().contains("checked_sqrt needs x >= 0"), "{e:?}");
    let shown = err.to_string();
    for library in [
        "TaskFailedException",
        "call_then_done",
        "JlrsCore",
        "kwapply",
    ] {
        assert!(!shown.contains(library), "{library} in {shown:?}");
        assert!(!e.message().contains(library), "{library} in {e:?}");
    }
    assert!(e.causes().is_empty(), "{e:?}");
    let frames: Vec<_> = e
        .backtrace()
        .unwrap_or_else(|| panic!("no backtrace: {e:?}"))
        .iter()
        .filter(|f| !f.from_c)
        .collect();
    assert_eq!(frames[0].function, "checked_sqrt", "{frames:#?}");
    assert_eq!(frames[0].file, "user_math.jl", "{frames:#?}");
    assert_eq!(frames[0].line, 3, "{frames:#?}");
    assert!(
        frames
            .iter()
            .all(|f| f.file == "user_math.jl" && f.module.as_deref() != Some("Main.JlrsCore")),
        "{frames:#?}"
    );
}

fn check(errors: &[Error]) {
    assert_eq!(errors.len(), 3);
    for err in errors {
        assert_names_the_users_exception(err);
    }
    let outer = exception(&errors[1]).backtrace().unwrap();
    assert!(
        outer
            .iter()
            .any(|f| f.function == "outer_sqrt" && f.line == 6),
        "{outer:#?}"
    );
}

#[test]
fn call_async_on_the_runtime_thread_names_the_users_exception() {
    let _dog = watchdog(
        "call_async errors on the runtime thread",
        Duration::from_secs(120),
    );
    let errors = runtime()
        .1
        .task(async |mut f| failing_calls(&mut f).await)
        .dispatch_blocking()
        .unwrap()
        .wait_blocking()
        .unwrap();
    check(&errors);
}

#[test]
fn call_async_on_a_pool_worker_names_the_users_exception() {
    let _dog = watchdog(
        "call_async errors on a pool worker",
        Duration::from_secs(120),
    );
    let errors = pool()
        .task(async |mut f| failing_calls(&mut f).await)
        .dispatch_blocking()
        .unwrap()
        .wait_blocking()
        .unwrap();
    check(&errors);
}

#[test]
fn a_task_error_returned_by_a_task_names_the_users_exception() {
    let _dog = watchdog("a task's Julia error", Duration::from_secs(120));
    let err = pool()
        .task(async |mut f| {
            let g = f.global("outer_sqrt")?;
            let x = f.box_value(-1.0f64);
            f.call_async(g, &[x]).await.map(|_| ())
        })
        .dispatch_blocking()
        .unwrap()
        .wait_blocking()
        .unwrap_err();
    let TaskError::Julia(err) = &err else {
        panic!("{err:?}")
    };
    assert_names_the_users_exception(err);
}

#[test]
fn a_task_failure_of_the_users_own_stays_a_task_failed_exception() {
    let _dog = watchdog(
        "the user's own TaskFailedException",
        Duration::from_secs(120),
    );
    let err = runtime()
        .1
        .task(async |mut f| {
            let g = f.global("fetch_failing")?;
            Ok(f.call_async(g, &[]).await.unwrap_err())
        })
        .dispatch_blocking()
        .unwrap()
        .wait_blocking()
        .unwrap();
    let e = exception(&err);
    // The user's function threw a `TaskFailedException` itself: that is its exception.
    assert_eq!(e.type_name(), "TaskFailedException", "{e:?}");
    assert_eq!(e.causes()[0].type_name(), "DomainError", "{e:?}");
    assert!(
        e.backtrace()
            .unwrap()
            .iter()
            .any(|f| f.function == "fetch_failing"),
        "{e:#?}"
    );
}
