//! A program that embeds Julia and runs a long Julia loop in a pool task, for
//! `tests/tests/signals.rs`, which sends it SIGINT or SIGTERM. The first argument picks
//! the scenario: `terminate` or `sigterm` (default policy), `interrupt` and
//! `interrupt-runtime` (`SigintPolicy::InterruptJulia`, the loop in a pool task or in a
//! task on the runtime thread), `application` and `application-early`
//! (`SigintPolicy::Application`, with `tokio::signal::ctrl_c()` set up after or before
//! Julia starts). It prints `READY` once the loop runs, then what happened.

use std::{
    future::Future,
    io::Write as _,
    pin::pin,
    task::Poll,
    time::{Duration, Instant},
};

use jlrs_async::{AsyncExecutor, AsyncHandle, AsyncRuntimeExt, TaskHandle};
use jlrs_core::SigintPolicy;
use jlrs_mt::{Builder, MtHandle};
use jlrs_pool::PoolBuilderExt;
use jlrs_tests::watchdog;

/// The loop allocates, so it reaches GC safepoints; it ends when `STOP[]` is set.
const SPIN: &str = "
const STARTED = Threads.Atomic{Int}(0)
const STOP = Threads.Atomic{Bool}(false)
function spin()
    Threads.atomic_add!(STARTED, 1)
    n = 0
    while !STOP[]
        n += length(string(n))
    end
    return n
end
";

fn say(line: &str) {
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "{line}");
    let _ = out.flush();
}

fn start(policy: SigintPolicy) -> (MtHandle, AsyncHandle, std::thread::JoinHandle<()>) {
    let (mt, runtime) = Builder::new()
        .n_threads(2)
        .sigint(policy)
        .spawn_mt()
        .expect("cannot start Julia");
    mt.with(|julia| julia.scope(|mut frame| frame.eval(SPIN).map(|_| ())))
        .expect("defining the loop");
    let pool = mt
        .pool_builder(AsyncExecutor::<1>::new())
        .n_workers(2.try_into().unwrap())
        .spawn();
    (mt, pool, runtime)
}

/// Dispatches the loop to the pool and returns once it runs.
fn spin(mt: &MtHandle, pool: &AsyncHandle) -> TaskHandle<i64> {
    let task = pool
        .blocking_task(|mut frame| frame.call("spin", &[])?.unbox::<i64>())
        .dispatch_blocking()
        .unwrap();
    let started = Instant::now();
    loop {
        let n = mt
            .with(|julia| julia.scope(|mut frame| frame.eval("STARTED[]")?.unbox::<i64>()))
            .expect("reading STARTED");
        if n > 0 {
            return task;
        }
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "the loop never started"
        );
        std::thread::sleep(Duration::from_millis(5));
    }
}

fn stop_loop(mt: &MtHandle) {
    mt.with(|julia| julia.scope(|mut frame| frame.eval("STOP[] = true").map(|_| ())))
        .expect("setting STOP");
}

fn shut_down(mt: MtHandle, pool: AsyncHandle, runtime: std::thread::JoinHandle<()>) {
    drop(pool);
    drop(mt);
    runtime.join().expect("the runtime thread panicked");
    say("JOINED");
}

fn main() {
    // An orphaned child must not spin forever.
    let _dog = watchdog("the signal test's child", Duration::from_secs(120));
    let mode = std::env::args().nth(1).unwrap_or_default();
    match mode.as_str() {
        "terminate" | "sigterm" => {
            let (mt, pool, _runtime) = start(SigintPolicy::default());
            let task = spin(&mt, &pool);
            say("READY");
            // Only a signal ends this.
            let outcome = task.wait_blocking();
            say(&format!("UNEXPECTED: the loop returned {outcome:?}"));
        }
        "interrupt" => {
            let (mt, pool, runtime) = start(SigintPolicy::InterruptJulia);
            let task = spin(&mt, &pool);
            say("READY");
            match task.wait_blocking() {
                Ok(n) => say(&format!("RETURNED: {n}")),
                Err(e) => say(&format!("ERROR: {e}")),
            }
            // The runtime is still usable: on the pool, through `with`, and the loop
            // itself runs again and ends normally.
            let two = pool
                .blocking_task(|mut frame| frame.eval("1 + 1")?.unbox::<i64>())
                .dispatch_blocking()
                .unwrap()
                .wait_blocking();
            say(&format!("AFTER: {two:?}"));
            let again = spin(&mt, &pool);
            stop_loop(&mt);
            say(&format!("AGAIN: {}", again.wait_blocking().is_ok()));
            shut_down(mt, pool, runtime);
        }
        "interrupt-runtime" => {
            let (mt, on_runtime, runtime) = Builder::new()
                .n_threads(2)
                .sigint(SigintPolicy::InterruptJulia)
                .async_runtime(AsyncExecutor::<2>::new())
                .spawn_mt()
                .expect("cannot start Julia");
            mt.with(|julia| julia.scope(|mut frame| frame.eval(SPIN).map(|_| ())))
                .expect("defining the loop");
            let task = spin(&mt, &on_runtime);
            say("READY");
            match task.wait_blocking() {
                Ok(n) => say(&format!("RETURNED: {n}")),
                Err(e) => say(&format!("ERROR: {e}")),
            }
            let two = on_runtime
                .blocking_task(|mut frame| frame.eval("1 + 1")?.unbox::<i64>())
                .dispatch_blocking()
                .unwrap()
                .wait_blocking();
            say(&format!("AFTER: {two:?}"));
            let again = spin(&mt, &on_runtime);
            stop_loop(&mt);
            say(&format!("AGAIN: {}", again.wait_blocking().is_ok()));
            shut_down(mt, on_runtime, runtime);
        }
        "application" | "application-early" => {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            rt.block_on(async {
                let mut ctrl_c = None;
                if mode == "application-early" {
                    ctrl_c = Some(Box::pin(tokio::signal::ctrl_c()));
                    register(ctrl_c.as_mut().unwrap()).await;
                }
                let (mt, pool, runtime) = start(SigintPolicy::Application);
                let task = spin(&mt, &pool);
                let mut ctrl_c = match ctrl_c {
                    Some(c) => c,
                    None => {
                        let mut c = Box::pin(tokio::signal::ctrl_c());
                        register(&mut c).await;
                        c
                    }
                };
                say("READY");
                ctrl_c.as_mut().await.expect("ctrl_c failed");
                say("CTRL_C");
                stop_loop(&mt);
                say(&format!("TASK_DONE: {}", task.wait_blocking().is_ok()));
                shut_down(mt, pool, runtime);
            });
        }
        other => panic!("unknown mode {other:?}"),
    }
}

/// Polls `ctrl_c` once, which installs tokio's handler.
async fn register<F: Future + Unpin>(ctrl_c: &mut F) {
    std::future::poll_fn(|cx| {
        let _ = pin!(&mut *ctrl_c).poll(cx);
        Poll::Ready(())
    })
    .await
}
