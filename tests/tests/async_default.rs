//! jlrs-async on the default executor: every kind of task, rooting across `.await` under
//! forced collections, errors and panics, the task budget, and Julia's event loop running
//! while Rust tasks are served.

use std::{
    sync::{
        atomic::{AtomicUsize, Ordering},
        Arc, OnceLock,
    },
    time::Duration,
};

use jlrs_async::{
    AsyncExecutor, AsyncHandle, AsyncRuntimeExt, Error, PersistentTask, Register, TaskHandle,
};
use jlrs_core::{GcFrame, JlResult, Value};
use jlrs_mt::Builder;
use jlrs_tests::{wait_until, watchdog};

const N: usize = 4;

fn handle() -> &'static AsyncHandle {
    static HANDLE: OnceLock<AsyncHandle> = OnceLock::new();
    HANDLE.get_or_init(|| {
        let (handle, _thread) = Builder::new()
            .n_threads(2)
            .async_runtime(AsyncExecutor::<N>::new())
            .spawn()
            .expect("cannot start Julia");
        let helpers = handle.blocking_task(|mut frame| {
            frame
                .eval("make_vec(n) = collect(1:n); alloc_some() = [zeros(10) for _ in 1:10]")
                .map(|_| ())
        });
        send(helpers).wait_blocking().unwrap();
        handle
    })
}

fn send<T: Send + 'static>(d: jlrs_async::Dispatch<T>) -> TaskHandle<T> {
    d.dispatch_blocking().expect("the runtime is closed")
}

#[test]
fn async_and_blocking_tasks() {
    let _dog = watchdog("async and blocking tasks", Duration::from_secs(60));
    let r = send(handle().task(async |mut frame| {
        let v = frame.eval("[1.5, 2.5]")?;
        smol::future::yield_now().await;
        frame.call("sum", &[v])?.unbox::<f64>()
    }))
    .wait_blocking();
    assert_eq!(r.unwrap(), 4.0);

    let r = send(handle().blocking_task(|mut frame| {
        let tid = frame.eval("Threads.threadid()")?.unbox::<i64>()?;
        Ok(tid)
    }))
    .wait_blocking();
    assert_eq!(r.unwrap(), 1, "the async runtime runs on Julia's thread 1");
}

#[test]
fn many_concurrent_tasks_keep_their_values_across_awaits_while_collections_run() {
    let _dog = watchdog("concurrent tasks under GC", Duration::from_secs(180));
    let tasks: Vec<_> = (0..400i64)
        .map(|i| {
            send(handle().task(async move |mut frame| {
                let x = frame.box_value(i);
                let n = frame.box_value(100i64);
                let v = frame.call("make_vec", &[n])?;
                let s = frame.call("string", &[x])?;
                for step in 0..3 {
                    smol::future::yield_now().await;
                    if (i + step) % 25 == 0 {
                        frame.collect_garbage(step == 0);
                    }
                    // Allocate between awaits.
                    frame.call("alloc_some", &[])?;
                }
                let sum = frame.call("sum", &[v])?.unbox::<i64>()?;
                Ok((sum, s.unbox::<String>()?))
            }))
        })
        .collect();
    for (i, t) in tasks.into_iter().enumerate() {
        let (sum, s) = t.wait_blocking().unwrap();
        assert_eq!(sum, 5050);
        assert_eq!(s, i.to_string());
    }
}

#[test]
fn call_async_runs_julia_tasks_and_roots_their_results() {
    let _dog = watchdog("call_async", Duration::from_secs(60));
    let r = send(handle().task(async |mut frame| {
        frame.eval("slow_vec(n) = (sleep(0.01); collect(1:n))")?;
        let f = frame.global("slow_vec")?;
        let mut results: Vec<Value> = Vec::new();
        for n in 1..=5i64 {
            let n = frame.box_value(n);
            results.push(frame.call_async(f, &[n]).await?);
            frame.collect_garbage(true);
        }
        let mut lens = Vec::new();
        for v in results {
            lens.push(frame.call("length", &[v])?.unbox::<i64>()?);
        }
        let error = frame.global("error")?;
        let msg = frame.box_value("inside a Julia task");
        let err = frame.call_async(error, &[msg]).await;
        let msg = err.unwrap_err().to_string();
        Ok((lens, msg))
    }))
    .wait_blocking()
    .unwrap();
    assert_eq!(r.0, vec![1, 2, 3, 4, 5]);
    assert!(r.1.contains("inside a Julia task"), "{}", r.1);
}

#[test]
fn julia_timers_and_async_tasks_run_while_rust_tasks_are_served() {
    let _dog = watchdog("Julia's event loop", Duration::from_secs(60));
    send(handle().blocking_task(|mut frame| {
        frame.eval(
            "const TICKS = Threads.Atomic{Int}(0);
             const TIMER = Timer(_ -> Threads.atomic_add!(TICKS, 1), 0.001; interval = 0.005);
             const ASYNC_TICKS = Threads.Atomic{Int}(0);
             @async while true; sleep(0.005); Threads.atomic_add!(ASYNC_TICKS, 1); end",
        )?;
        Ok(())
    }))
    .wait_blocking()
    .unwrap();
    let read = || {
        send(handle().blocking_task(|mut frame| {
            let t = frame.eval("TICKS[]")?.unbox::<i64>()?;
            let a = frame.eval("ASYNC_TICKS[]")?.unbox::<i64>()?;
            Ok((t, a))
        }))
        .wait_blocking()
        .unwrap()
    };
    let before = read();
    // Keep Rust tasks flowing for a while; Julia's timer and task must keep ticking.
    for _ in 0..20 {
        send(handle().task(async |_frame| {
            smol::Timer::after(Duration::from_millis(10)).await;
            Ok(())
        }))
        .wait_blocking()
        .unwrap();
    }
    let after = read();
    assert!(
        after.0 > before.0 + 5,
        "Julia's Timer stalled: {before:?} -> {after:?}"
    );
    assert!(
        after.1 > before.1 + 5,
        "Julia's @async task stalled: {before:?} -> {after:?}"
    );
}

#[test]
fn exceptions_and_panics_in_each_kind_of_task_reach_the_caller() {
    let _dog = watchdog("errors in tasks", Duration::from_secs(60));
    let e = send(handle().task(async |mut frame| frame.eval("throw(KeyError(:k))").map(|_| ())))
        .wait_blocking()
        .unwrap_err();
    assert!(
        matches!(&e, Error::Julia(jlrs_core::Error::Exception(x)) if x.type_name() == "KeyError"),
        "{e}"
    );
    let e = send(handle().task(async |_frame| -> JlResult<()> { panic!("async panic") }))
        .wait_blocking()
        .unwrap_err();
    assert!(
        matches!(&e, Error::Panicked(m) if m == "async panic"),
        "{e}"
    );
    let e = send(handle().blocking_task(|_frame| -> JlResult<()> { panic!("blocking panic") }))
        .wait_blocking()
        .unwrap_err();
    assert!(
        matches!(&e, Error::Panicked(m) if m == "blocking panic"),
        "{e}"
    );
    let e = send(handle().register::<PanickyRegister>())
        .wait_blocking()
        .unwrap_err();
    assert!(
        matches!(&e, Error::Panicked(m) if m == "register panic"),
        "{e}"
    );
    let e = send(handle().persistent(Accumulator::new(true).0))
        .wait_blocking()
        .err()
        .unwrap();
    assert!(matches!(&e, Error::Panicked(m) if m == "init panic"), "{e}");
    // The runtime still works.
    let r =
        send(handle().blocking_task(|mut frame| frame.eval("7")?.unbox::<i64>())).wait_blocking();
    assert_eq!(r.unwrap(), 7);
}

struct PanickyRegister;

impl Register for PanickyRegister {
    fn register(_frame: &mut GcFrame<'_>) -> JlResult<()> {
        panic!("register panic")
    }
}

struct Functions;

static REGISTRATIONS: AtomicUsize = AtomicUsize::new(0);

impl Register for Functions {
    fn register(frame: &mut GcFrame<'_>) -> JlResult<()> {
        REGISTRATIONS.fetch_add(1, Ordering::SeqCst);
        frame.eval("registered_double(x) = 2x").map(|_| ())
    }
}

#[test]
fn register_tasks_load_code_once() {
    let _dog = watchdog("register", Duration::from_secs(60));
    for _ in 0..3 {
        send(handle().register::<Functions>())
            .wait_blocking()
            .unwrap();
    }
    assert_eq!(REGISTRATIONS.load(Ordering::SeqCst), 1);
    let r = send(handle().blocking_task(|mut frame| {
        let x = frame.box_value(21i64);
        frame.call("registered_double", &[x])?.unbox::<i64>()
    }))
    .wait_blocking();
    assert_eq!(r.unwrap(), 42);
}

/// Keeps a Julia `Dict` in its state; each call stores a value and returns the size.
/// Its exit hook adds the final size to `exits`, a counter of its own test.
struct Accumulator {
    panic_in_init: bool,
    exits: Arc<AtomicUsize>,
}

impl Accumulator {
    fn new(panic_in_init: bool) -> (Self, Arc<AtomicUsize>) {
        let exits = Arc::new(AtomicUsize::new(0));
        let task = Accumulator {
            panic_in_init,
            exits: exits.clone(),
        };
        (task, exits)
    }
}

impl PersistentTask for Accumulator {
    type State<'s> = Value<'s>;
    type Input = (i64, bool);
    type Output = i64;

    async fn init<'s>(&mut self, frame: &mut GcFrame<'s>) -> JlResult<Value<'s>> {
        if self.panic_in_init {
            panic!("init panic");
        }
        frame.eval("Dict{Int,Vector{Int}}()")
    }

    async fn call<'s, 'c>(
        &mut self,
        state: &mut Self::State<'s>,
        frame: &mut GcFrame<'c>,
        (k, panic): (i64, bool),
    ) -> JlResult<i64> {
        if panic {
            panic!("call panic");
        }
        let key = frame.box_value(k);
        let n = frame.box_value(1000i64);
        let value = frame.call("make_vec", &[n])?;
        frame.call("setindex!", &[*state, value, key])?;
        smol::future::yield_now().await;
        frame.collect_garbage(k % 10 == 0);
        frame.call("length", &[*state])?.unbox::<i64>()
    }

    async fn exit<'s>(&mut self, state: Value<'s>, frame: &mut GcFrame<'s>) {
        let n = frame
            .call("length", &[state])
            .unwrap()
            .unbox::<i64>()
            .unwrap();
        self.exits.fetch_add(n as usize, Ordering::SeqCst);
    }
}

#[test]
fn persistent_tasks_keep_julia_state_across_calls_and_exit_when_their_handles_are_gone() {
    let _dog = watchdog("persistent task", Duration::from_secs(120));
    let (accumulator, exits) = Accumulator::new(false);
    let p = send(handle().persistent(accumulator))
        .wait_blocking()
        .unwrap();
    let callers: Vec<_> = (0..4i64)
        .map(|t| {
            let p = p.clone();
            std::thread::spawn(move || {
                for k in 0..25 {
                    p.call((t * 100 + k, false)).wait_blocking().unwrap();
                }
            })
        })
        .collect();
    for c in callers {
        c.join().unwrap();
    }
    let e = p.call((0, true)).wait_blocking().unwrap_err();
    assert!(matches!(&e, Error::Panicked(m) if m == "call panic"), "{e}");
    // After a panicking call the state is intact and calls go on.
    assert_eq!(p.call((100_000, false)).wait_blocking().unwrap(), 101);
    drop(p);
    wait_until("the exit hook did not run", || {
        exits.load(Ordering::SeqCst) == 101
    });
}

#[test]
fn the_budget_bounds_concurrency_and_awaiting_a_persistent_call_cannot_deadlock() {
    let _dog = watchdog("budget", Duration::from_secs(120));
    let current = Arc::new(AtomicUsize::new(0));
    let max = Arc::new(AtomicUsize::new(0));
    let tasks: Vec<_> = (0..20)
        .map(|_| {
            let (current, max) = (current.clone(), max.clone());
            send(handle().task(async move |_frame| {
                let now = current.fetch_add(1, Ordering::SeqCst) + 1;
                max.fetch_max(now, Ordering::SeqCst);
                smol::Timer::after(Duration::from_millis(5)).await;
                current.fetch_sub(1, Ordering::SeqCst);
                Ok(())
            }))
        })
        .collect();
    for t in tasks {
        t.wait_blocking().unwrap();
    }
    assert!(
        max.load(Ordering::SeqCst) <= N,
        "{} tasks ran at once",
        max.load(Ordering::SeqCst)
    );
    assert!(
        max.load(Ordering::SeqCst) >= 2,
        "tasks did not run concurrently"
    );

    // Fill every slot with tasks that await a persistent task's calls.
    let p = send(handle().persistent(Accumulator::new(false).0))
        .wait_blocking()
        .unwrap();
    let tasks: Vec<_> = (0..2 * N as i64)
        .map(|i| {
            let p = p.clone();
            send(handle().task(async move |_frame| Ok(p.call((i, false)).await)))
        })
        .collect();
    for t in tasks {
        t.wait_blocking().unwrap().unwrap();
    }
}
