//! Support for the integration tests: one Julia per test binary, and watchdogs.
//!
//! Julia starts once per process, so every test binary is one runtime scenario. Tests of
//! jlrs-core share a [`JuliaThread`] that owns the runtime and runs closures on it.

use std::{
    panic::{catch_unwind, resume_unwind, AssertUnwindSafe},
    sync::{mpsc, OnceLock},
    time::Duration,
};

use jlrs_core::{InitOptions, Julia, Runtime};

pub mod deploy;
pub mod distributed;
pub mod events;
pub mod faulty;
pub mod pool_runtime;
pub mod spawn_pickup;

type Job = Box<dyn FnOnce(&mut Julia) + Send>;

/// A thread that owns the process's Julia runtime and runs jobs on it.
#[derive(Debug)]
pub struct JuliaThread {
    jobs: async_channel::Sender<Job>,
    n_threads: usize,
}

/// How many threads the shared test runtime asks Julia for.
pub const TEST_THREADS: usize = 6;

/// The process's Julia thread, started on first use with [`TEST_THREADS`] threads.
pub fn julia() -> &'static JuliaThread {
    static JULIA: OnceLock<JuliaThread> = OnceLock::new();
    JULIA.get_or_init(|| {
        let (jobs, rx) = async_channel::unbounded::<Job>();
        let (ready_tx, ready_rx) = mpsc::channel();
        std::thread::Builder::new()
            .name("julia-runtime".into())
            .stack_size(8 << 20)
            .spawn(move || {
                let mut rt = Runtime::init(InitOptions::new().n_threads(TEST_THREADS))
                    .expect("cannot start Julia");
                ready_tx.send(rt.n_threads()).unwrap();
                let julia = rt.julia();
                while let Ok(job) = julia.gc_safe(|| rx.recv_blocking()) {
                    job(julia);
                }
            })
            .expect("cannot spawn the runtime thread");
        let n_threads = ready_rx
            .recv()
            .expect("the runtime thread died during init");
        JuliaThread { jobs, n_threads }
    })
}

impl JuliaThread {
    /// Runs `f` on the runtime thread and returns its result; a panic in `f` is
    /// re-raised here. A job that takes longer than five minutes fails the test binary.
    pub fn run<T: Send + 'static>(&self, f: impl FnOnce(&mut Julia) -> T + Send + 'static) -> T {
        let _dog = watchdog(
            "a job on the Julia runtime thread",
            Duration::from_secs(300),
        );
        let (tx, rx) = oneshot::channel();
        let job: Job = Box::new(move |julia| {
            let _ = tx.send(catch_unwind(AssertUnwindSafe(|| f(julia))));
        });
        self.jobs
            .send_blocking(job)
            .expect("the runtime thread is gone");
        match rx.recv().expect("the runtime thread dropped the job") {
            Ok(v) => v,
            Err(p) => resume_unwind(p),
        }
    }

    /// The number of threads Julia started.
    pub fn n_threads(&self) -> usize {
        self.n_threads
    }
}

/// Fails the whole test binary with a diagnostic if it is not dropped in time.
#[derive(Debug)]
pub struct Watchdog {
    done: Option<mpsc::Sender<()>>,
}

/// Starts a watchdog for `what` that exits the process with status 101 after `limit`.
///
/// `JLRS_WATCHDOG_SCALE=N` multiplies every limit by `N` (for runs under valgrind, which
/// are some twenty times slower).
pub fn watchdog(what: &str, limit: Duration) -> Watchdog {
    let scale = std::env::var("JLRS_WATCHDOG_SCALE")
        .ok()
        .and_then(|s| s.parse::<u32>().ok())
        .unwrap_or(1)
        .max(1);
    let limit = limit * scale;
    let (tx, rx) = mpsc::channel::<()>();
    let what = what.to_string();
    std::thread::spawn(move || {
        if let Err(mpsc::RecvTimeoutError::Timeout) = rx.recv_timeout(limit) {
            fail_hung(&what, limit);
        }
    });
    Watchdog { done: Some(tx) }
}

/// Prints the watchdog's diagnostic for `what`, which did not finish within `limit`, and
/// exits the process with status 101.
pub fn fail_hung(what: &str, limit: Duration) -> ! {
    // Written to stderr directly: the test harness captures `eprintln!` of threads a test
    // spawns, and that output is lost when the process exits here.
    use std::io::Write as _;
    let _ = writeln!(
        std::io::stderr(),
        "watchdog: `{what}` did not finish within {limit:?}; it is hung (a deadlock or a \
         lost task). Failing the test binary."
    );
    std::process::exit(101);
}

impl Drop for Watchdog {
    fn drop(&mut self) {
        if let Some(tx) = self.done.take() {
            let _ = tx.send(());
        }
    }
}

/// The resident set size of this process, in KiB (0 where `/proc` does not tell).
pub fn rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|v| v.parse().ok())
        })
        .unwrap_or(0)
}

/// Polls `cond` every 2 ms until it holds; fails naming `what` after 30 s.
pub fn wait_until(what: &str, cond: impl Fn() -> bool) {
    let start = std::time::Instant::now();
    while !cond() {
        assert!(
            start.elapsed() < Duration::from_secs(30),
            "timed out waiting: {what}"
        );
        std::thread::sleep(Duration::from_millis(2));
    }
}
