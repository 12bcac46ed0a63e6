//! Faults: Julia exceptions of several kinds on every kind of thread, and panics in every
//! place user code runs, including a persistent task's exit hook. Nothing is lost and the
//! process never aborts.

use std::{
    sync::{
        atomic::{AtomicUsize, Ordering},
        OnceLock,
    },
    time::Duration,
};

use jlrs_async::{AsyncExecutor, AsyncHandle, AsyncRuntimeExt, Error, PersistentTask};
use jlrs_core::{GcFrame, JlResult};
use jlrs_mt::{Builder, MtHandle};
use jlrs_pool::PoolBuilderExt;
use jlrs_tests::{wait_until, watchdog};

struct Runtimes {
    mt: MtHandle,
    runtime_thread: AsyncHandle,
    pool: AsyncHandle,
}

fn runtimes() -> &'static Runtimes {
    static R: OnceLock<Runtimes> = OnceLock::new();
    R.get_or_init(|| {
        let (mt, runtime_thread, _thread) = Builder::new()
            .n_threads(2)
            .async_runtime(AsyncExecutor::<4>::new())
            .spawn_mt()
            .expect("cannot start Julia");
        mt.with(|j| j.scope(|mut f| f.eval("deep(n) = n == 0 ? 0 : 1 + deep(n - 1)").map(|_| ())))
            .unwrap();
        let pool = mt
            .pool_builder(AsyncExecutor::<4>::new())
            .n_workers(2.try_into().unwrap())
            .spawn();
        Runtimes {
            mt,
            runtime_thread,
            pool,
        }
    })
}

const EXCEPTIONS: &[(&str, &str)] = &[
    ("error(\"plain error\")", "ErrorException"),
    ("sqrt(\"not a number\")", "MethodError"),
    ("an_undefined_name_here", "UndefVarError"),
    ("deep(10^9)", "StackOverflowError"),
    ("throw(InterruptException())", "InterruptException"),
];

fn exception_type(r: Result<(), Error>) -> String {
    match r {
        Err(Error::Julia(jlrs_core::Error::Exception(e))) => e.type_name().to_string(),
        other => panic!("expected a Julia exception, got {other:?}"),
    }
}

#[test]
fn julia_exceptions_of_every_kind_on_every_kind_of_thread() {
    let _dog = watchdog("exceptions everywhere", Duration::from_secs(180));
    let r = runtimes();
    for &(code, ty) in EXCEPTIONS {
        for (where_, handle) in [("runtime thread", &r.runtime_thread), ("pool", &r.pool)] {
            let async_r = handle
                .task(async move |mut f| f.eval(code).map(|_| ()))
                .dispatch_blocking()
                .unwrap()
                .wait_blocking();
            assert_eq!(
                exception_type(async_r),
                ty,
                "{code} in an async task on the {where_}"
            );
            let blocking_r = handle
                .blocking_task(move |mut f| f.eval(code).map(|_| ()))
                .dispatch_blocking()
                .unwrap()
                .wait_blocking();
            assert_eq!(
                exception_type(blocking_r),
                ty,
                "{code} in a blocking task on the {where_}"
            );
        }
        let with_r =
            r.mt.with(move |j| j.scope(|mut f| f.eval(code).map(|_| ())));
        match with_r {
            Err(jlrs_mt::Error::Julia(jlrs_core::Error::Exception(e))) => {
                assert_eq!(e.type_name(), ty, "{code} in with")
            }
            other => panic!("{code} in with: {other:?}"),
        }
    }
    // Every thread still works.
    let v =
        r.mt.with(|j| j.scope(|mut f| f.eval("deep(100)")?.unbox::<i64>()))
            .unwrap();
    assert_eq!(v, 100);
}

static EXIT_HOOKS: AtomicUsize = AtomicUsize::new(0);

/// A persistent task that can panic anywhere.
struct Fragile {
    panic_in_exit: bool,
}

impl PersistentTask for Fragile {
    type State<'s> = ();
    type Input = bool;
    type Output = i64;

    async fn init<'s>(&mut self, _frame: &mut GcFrame<'s>) -> JlResult<()> {
        Ok(())
    }

    async fn call<'s, 'c>(
        &mut self,
        _state: &mut Self::State<'s>,
        frame: &mut GcFrame<'c>,
        panic: bool,
    ) -> JlResult<i64> {
        assert!(!panic, "panic in call");
        frame.eval("1")?.unbox::<i64>()
    }

    async fn exit<'s>(&mut self, _state: (), _frame: &mut GcFrame<'s>) {
        EXIT_HOOKS.fetch_add(1, Ordering::SeqCst);
        if self.panic_in_exit {
            panic!("panic in exit hook");
        }
    }
}

#[test]
fn a_panicking_exit_hook_harms_nothing() {
    let _dog = watchdog("exit hook panic", Duration::from_secs(60));
    let r = runtimes();
    for handle in [&r.runtime_thread, &r.pool] {
        let before = EXIT_HOOKS.load(Ordering::SeqCst);
        let p = handle
            .persistent(Fragile {
                panic_in_exit: true,
            })
            .dispatch_blocking()
            .unwrap()
            .wait_blocking()
            .unwrap();
        assert!(matches!(
            p.call(true).wait_blocking(),
            Err(Error::Panicked(_))
        ));
        assert_eq!(p.call(false).wait_blocking().unwrap(), 1);
        drop(p);
        wait_until("the exit hook never ran", || {
            EXIT_HOOKS.load(Ordering::SeqCst) != before
        });
        // Tasks queued around the panic are all answered.
        let results: Vec<_> = (0..50i64)
            .map(|i| {
                handle
                    .blocking_task(move |mut f| f.box_value(i).unbox::<i64>())
                    .dispatch_blocking()
                    .unwrap()
            })
            .collect();
        for (i, t) in results.into_iter().enumerate() {
            assert_eq!(t.wait_blocking().unwrap(), i as i64);
        }
    }
}
