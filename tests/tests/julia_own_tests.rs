//! Julia's own test files for tasks and threads, run on thread 1 while every other Julia
//! thread hosts an idle pool worker: the hosted loops must leave Julia's scheduler working
//! as Julia's own tests expect (`asyncmap`, `Channel`s, tasks on other threads).
//!
//! `threads_exec.jl` is not run: on the shared 2-core machine (8 CPUs shown, load above
//! 12) it did not finish within 10 minutes; its spin-lock loops across 4 threads that
//! share 2 cores are the likely cost, not established.

use std::{path::PathBuf, sync::OnceLock, time::Duration};

use jlrs_async::{AsyncExecutor, AsyncHandle};
use jlrs_core::sync::{GcSafeMutex, GcSafeMutexGuard};
use jlrs_mt::{Builder, MtHandle};
use jlrs_pool::PoolBuilderExt;
use jlrs_tests::watchdog;

struct Setup {
    mt: MtHandle,
    _pool: AsyncHandle,
    one_at_a_time: GcSafeMutex<()>,
}

const RUNNER: &str = r#"
using Test
# Runs one of Julia's test files in a module of its own, as Julia's `runtests` does, and
# returns the number of tests that passed; a failure or error throws.
function run_julia_test_file(path)
    m = Module(:JuliaOwnTest)
    Core.eval(m, :(using Test, Random))
    Core.eval(m, :(include(p) = Base.include($m, p)))
    ts = @testset "$(basename(path))" begin
        Base.include(m, path)
    end
    c = Test.get_test_counts(ts)
    return c[1] + c[5]
end
"#;

fn setup() -> (&'static Setup, GcSafeMutexGuard<'static, ()>) {
    static SETUP_ONCE: OnceLock<Setup> = OnceLock::new();
    let setup = SETUP_ONCE.get_or_init(|| {
        let (mt, _thread) = Builder::new()
            .with_threads(0)
            .n_threads(3)
            .spawn_mt()
            .expect("cannot start Julia");
        let pool = mt
            .pool_builder(AsyncExecutor::<1>::new())
            .n_workers(3.try_into().unwrap())
            .spawn();
        assert_eq!(pool.n_workers(), 3);
        mt.with(|julia| julia.scope(|mut frame| frame.eval(RUNNER).map(|_| ())))
            .unwrap();
        Setup {
            mt,
            _pool: pool,
            one_at_a_time: GcSafeMutex::new(()),
        }
    });
    (setup, setup.one_at_a_time.lock())
}

fn julia_test_file(name: &str) -> String {
    let dir = std::env::var("JULIA_DIR").expect("run through `cargo xtask exec`");
    let path: PathBuf = [&dir, "share", "julia", "test", name].iter().collect();
    assert!(path.exists(), "{} is missing", path.display());
    path.to_string_lossy().into_owned()
}

fn run(name: &str) {
    let _dog = watchdog(name, Duration::from_secs(600));
    let (setup, _one) = setup();
    let path = julia_test_file(name);
    let passed = setup
        .mt
        .with(move |julia| {
            julia.scope(|mut frame| {
                let path = frame.box_value(path.as_str());
                frame.call("run_julia_test_file", &[path])?.unbox::<i64>()
            })
        })
        .unwrap();
    assert!(passed > 0, "{name}: no test ran");
    eprintln!("{name}: {passed} tests passed");
}

#[test]
fn asyncmap() {
    run("asyncmap.jl");
}

#[test]
fn channels() {
    run("channels.jl");
}
