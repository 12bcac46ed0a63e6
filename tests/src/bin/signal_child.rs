//! A program that embeds Julia and runs a long Julia loop in a pool task, for
//! `tests/tests/signals.rs`, which sends it SIGINT or SIGTERM. The first argument picks
//! the scenario: `terminate` or `sigterm` (default policy), `interrupt` and
//! `interrupt-runtime` (`SigintPolicy::InterruptJulia`, the loop in a pool task or in a
//! task on the runtime thread), `application` and `application-early`
//! (`SigintPolicy::Application`, with `tokio::signal::ctrl_c()` set up after or before
//! Julia starts). With `InterruptJulia` also: `callback` and `callback-runtime` (a Rust
//! callback that holds a lock runs when the signal comes, on a pool worker or on the
//! runtime thread), `cfunction-runtime` (the same with a `define_cfunction` function),
//! `spawned-task` and `spawned-task-pool` (a call on the runtime thread or on a pool worker
//! waits for a task that runs on the same thread) and `stale` (a call on the runtime thread ends before the
//! interrupt lands, and a later call follows). It prints `READY` once the loop runs,
//! then what happened.

use std::{
    future::Future,
    io::Write as _,
    pin::pin,
    task::Poll,
    time::{Duration, Instant},
};

use jlrs_async::{AsyncExecutor, AsyncHandle, AsyncRuntimeExt, TaskHandle};
use jlrs_core::{sync::GcSafeMutex, SigintPolicy, Value};
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

/// For `spawned-task` and `stale`: Julia code that waits until Julia's listener has taken
/// the signal (`jl_signal_pending` is set), with or without reaching safepoints.
const WAIT_FOR_SIGNAL: &str = "
function spin_until_signal()
    p = cglobal(:jl_signal_pending, Cint)
    n = 0
    # No safepoint here, so the interrupt cannot be taken before this sees it.
    while unsafe_load(p) == 0 && !STOP[]
        ccall(:usleep, Cint, (UInt32,), 1000)
    end
    # Safepoints, where a pending interrupt would land.
    for i in 1:200_000
        n += length(string(i))
    end
    return n
end
# On a thread other than thread 1, where the shim's interrupt comes with a collection:
# waits (through safepoints that allocate nothing) for a collection after the count in
# `COLLECTIONS`, then allocates.
const COLLECTIONS = Ref(0)
function spin_until_collection()
    while Base.gc_num().pause == COLLECTIONS[] && !STOP[]
        GC.safepoint()
    end
    n = 0
    for i in 1:200_000
        n += length(string(i))
    end
    return n
end
# Waits for a task pinned to this thread, which runs while this call waits.
function fetch_spinner(spin = spin_until_signal)
    t = Task(spin)
    t.sticky = true
    ccall(:jl_set_task_tid, Cvoid, (Any, Cint), t, Threads.threadid() - 1)
    COLLECTIONS[] = Base.gc_num().pause
    schedule(t)
    Threads.atomic_add!(STARTED, 1)
    return fetch(t)
end
# Compiled now: compiling allocates, and could start a collection at the wrong moment.
precompile(spin_until_signal, ())
precompile(spin_until_collection, ())
# Returns as soon as the signal is pending, reaching no safepoint on the way.
function wait_for_signal()
    Threads.atomic_add!(STARTED, 1)
    p = cglobal(:jl_signal_pending, Cint)
    while unsafe_load(p) == 0 && !STOP[]
        ccall(:usleep, Cint, (UInt32,), 1000)
    end
    return nothing
end
";

/// Held by the callback of the `callback` modes while it runs.
static HELD: GcSafeMutex<()> = GcSafeMutex::new(());

/// Defines `hold_and_spin()`: a Rust callback that holds [`HELD`], says `READY` and runs
/// for 4 s through safepoints (allocations, GC-safe waits), then says `CLOSURE_DONE`.
fn define_callback(mt: &MtHandle) {
    mt.with(|julia| {
        julia.scope(|mut frame| {
            frame
                .define_function("hold_and_spin", |frame, _: &[Value<'_>]| {
                    let _held = HELD.lock();
                    say("READY");
                    let started = Instant::now();
                    let mut n = 0i64;
                    while started.elapsed() < Duration::from_secs(4) {
                        n = frame.box_value(n + 1000).unbox::<i64>()? - 999;
                        jlrs_core::blocking(|| std::thread::sleep(Duration::from_millis(1)));
                    }
                    say("CLOSURE_DONE");
                    Ok(frame.box_value(n))
                })
                .map(|_| ())
        })
    })
    .expect("defining the callback");
}

/// The `extern "C"` twin of `hold_and_spin()`: GC-safe waits reach safepoints.
extern "C" fn hold_and_spin_c(seconds: f64) -> i64 {
    let _held = HELD.lock();
    say("READY");
    let started = Instant::now();
    let mut n = 0i64;
    while started.elapsed().as_secs_f64() < seconds {
        jlrs_core::blocking(|| std::thread::sleep(Duration::from_millis(1)));
        n += 1;
    }
    say("CLOSURE_DONE");
    n
}

/// Defines `hold_and_spin_c(seconds)`, which calls [`hold_and_spin_c`].
fn define_cfunction(mt: &MtHandle) {
    mt.with(|julia| {
        julia.scope(|mut frame| {
            frame
                .define_cfunction(
                    "hold_and_spin_c",
                    hold_and_spin_c as extern "C" fn(f64) -> i64,
                )
                .map(|_| ())
        })
    })
    .expect("defining the C function");
}

/// Runs `hold_and_spin()` (or, with `c`, `hold_and_spin_c(4.0)`) on `on`, then reports
/// the call's outcome, whether the lock is free, and whether the runtime still works.
fn run_callback(mt: MtHandle, on: AsyncHandle, runtime: std::thread::JoinHandle<()>, c: bool) {
    let code = if c {
        define_cfunction(&mt);
        "hold_and_spin_c(4.0)"
    } else {
        define_callback(&mt);
        "hold_and_spin()"
    };
    let task = on
        .blocking_task(move |mut frame| frame.eval(code)?.unbox::<i64>())
        .dispatch_blocking()
        .unwrap();
    match task.wait_blocking() {
        Ok(n) => say(&format!("RETURNED: {n}")),
        Err(e) => say(&format!("ERROR: {e}")),
    }
    say(&format!("LOCK_FREE: {}", HELD.try_lock().is_some()));
    let two = on
        .blocking_task(|mut frame| frame.eval("1 + 1")?.unbox::<i64>())
        .dispatch_blocking()
        .unwrap()
        .wait_blocking();
    say(&format!("AFTER: {two:?}"));
    shut_down(mt, on, runtime);
}

/// Julia with an async runtime on the runtime thread, `SPIN` and `WAIT_FOR_SIGNAL`.
fn start_on_runtime() -> (MtHandle, AsyncHandle, std::thread::JoinHandle<()>) {
    let (mt, on_runtime, runtime) = Builder::new()
        .n_threads(2)
        .sigint(SigintPolicy::InterruptJulia)
        .async_runtime(AsyncExecutor::<2>::new())
        .spawn_mt()
        .expect("cannot start Julia");
    mt.with(|julia| {
        julia.scope(|mut frame| {
            frame.eval(SPIN)?;
            frame.eval(WAIT_FOR_SIGNAL).map(|_| ())
        })
    })
    .expect("defining the loop");
    (mt, on_runtime, runtime)
}

/// Waits until `STARTED[]` is positive.
fn wait_started(mt: &MtHandle) {
    let started = Instant::now();
    loop {
        let n = mt
            .with(|julia| julia.scope(|mut frame| frame.eval("STARTED[]")?.unbox::<i64>()))
            .expect("reading STARTED");
        if n > 0 {
            return;
        }
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "the call never started"
        );
        std::thread::sleep(Duration::from_millis(5));
    }
}

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
        "callback" => {
            let (mt, pool, runtime) = start(SigintPolicy::InterruptJulia);
            run_callback(mt, pool, runtime, false);
        }
        "callback-runtime" => {
            let (mt, on_runtime, runtime) = start_on_runtime();
            run_callback(mt, on_runtime, runtime, false);
        }
        "cfunction-runtime" => {
            let (mt, on_runtime, runtime) = start_on_runtime();
            run_callback(mt, on_runtime, runtime, true);
        }
        "spawned-task" | "spawned-task-pool" => {
            let (mt, on, runtime) = if mode == "spawned-task" {
                start_on_runtime()
            } else {
                let (mt, pool, runtime) = start(SigintPolicy::InterruptJulia);
                mt.with(|julia| julia.scope(|mut frame| frame.eval(WAIT_FOR_SIGNAL).map(|_| ())))
                    .expect("defining the spinner");
                (mt, pool, runtime)
            };
            let on_runtime = on;
            let spinner = if mode == "spawned-task" {
                "fetch_spinner()"
            } else {
                "fetch_spinner(spin_until_collection)"
            };
            let task = on_runtime
                .blocking_task(move |mut frame| frame.eval(spinner)?.unbox::<i64>())
                .dispatch_blocking()
                .unwrap();
            wait_started(&mt);
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
            shut_down(mt, on_runtime, runtime);
        }
        "stale" => {
            let (mt, on_runtime, runtime) = start_on_runtime();
            // Both calls in one task, back to back: nothing else runs on the thread
            // between them.
            let task = on_runtime
                .blocking_task(|mut frame| {
                    let first = frame.call("wait_for_signal", &[]).map(|_| ());
                    let later = frame.eval("1 + 1").and_then(|v| v.unbox::<i64>());
                    Ok(format!("FIRST: {first:?}\nLATER: {later:?}"))
                })
                .dispatch_blocking()
                .unwrap();
            wait_started(&mt);
            say("READY");
            match task.wait_blocking() {
                Ok(lines) => say(&lines),
                Err(e) => say(&format!("ERROR: {e}")),
            }
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
