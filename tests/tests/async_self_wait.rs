//! jlrs-async and jlrs-pool: a task that blocks waiting for a task of its own queue (its
//! result, or room to send it) gets a clear error where nobody else could run that task,
//! instead of a deadlock: on the runtime thread, on a persistent task's thread, and on a
//! pool whose every worker does the same.

use std::{
    sync::{Arc, Barrier, OnceLock},
    time::Duration,
};

use jlrs_async::{AsyncExecutor, AsyncHandle, AsyncRuntimeExt, DispatchError, Error};
use jlrs_core::{GcFrame, JlResult, Value};
use jlrs_mt::{Builder, MtHandle};
use jlrs_pool::PoolBuilderExt;
use jlrs_tests::watchdog;

fn runtime() -> &'static (MtHandle, AsyncHandle) {
    static RT: OnceLock<(MtHandle, AsyncHandle)> = OnceLock::new();
    RT.get_or_init(|| {
        let (mt, handle, _thread) = Builder::new()
            .n_threads(3)
            .async_runtime(AsyncExecutor::<4>::new())
            .channel_capacity(1)
            .spawn_mt()
            .expect("cannot start Julia");
        (mt, handle)
    })
}

/// The tests share the runtime's one-task queue: one at a time.
fn exclusive() -> jlrs_core::sync::GcSafeMutexGuard<'static, ()> {
    static LOCK: jlrs_core::sync::GcSafeMutex<()> = jlrs_core::sync::GcSafeMutex::new(());
    LOCK.lock()
}

/// What a task got when it waited for a task of its own queue.
fn wait_for_own(handle: &AsyncHandle) -> Result<i64, Error> {
    handle
        .blocking_task(|mut f| {
            f.collect_garbage(false);
            f.eval("1 + 1")?.unbox::<i64>()
        })
        .dispatch_blocking()
        .map_err(|_| Error::Closed)?
        .wait_blocking()
}

#[test]
fn a_blocking_task_on_the_runtime_thread_cannot_wait_for_its_own_queue() {
    let _dog = watchdog("self-wait on the runtime thread", Duration::from_secs(60));
    let _one = exclusive();
    let (_, handle) = runtime();
    let inner = handle.clone();
    let got = handle
        .blocking_task(move |_f| Ok(wait_for_own(&inner)))
        .dispatch_blocking()
        .unwrap()
        .wait_blocking()
        .unwrap();
    assert!(matches!(got, Err(Error::WouldDeadlock)), "{got:?}");
    // Awaiting instead works, and the runtime is fine.
    let inner = handle.clone();
    let awaited = handle
        .task(async move |_f| {
            let t = inner
                .blocking_task(|mut f| f.eval("2 + 2")?.unbox::<i64>())
                .dispatch()
                .await
                .map_err(|_| jlrs_core::Error::ShutDown)?;
            Ok(t.await)
        })
        .dispatch_blocking()
        .unwrap()
        .wait_blocking()
        .unwrap();
    assert_eq!(awaited.unwrap(), 4);
}

#[test]
fn an_async_task_on_the_runtime_thread_cannot_block_on_a_full_queue() {
    let _dog = watchdog("self-dispatch on a full queue", Duration::from_secs(60));
    let _one = exclusive();
    let (_, handle) = runtime();
    let inner = handle.clone();
    let got = handle
        .task(async move |_f| {
            // The queue holds one task: fill it, then ask to wait for room.
            let mut queued = Vec::new();
            let full = loop {
                match inner.blocking_task(|_f| Ok(0i64)).try_dispatch() {
                    Ok(t) => queued.push(t),
                    Err(DispatchError::Full(d)) => break d,
                    Err(DispatchError::Closed(_)) => panic!("closed"),
                }
            };
            let refused = full.dispatch_blocking().err().map(|e| e.to_string());
            let waited = inner
                .blocking_task(|_f| Ok(0i64))
                .try_dispatch()
                .err()
                .map(|_| "full")
                .unwrap_or("room");
            Ok((refused, waited, queued.len()))
        })
        .dispatch_blocking()
        .unwrap()
        .wait_blocking()
        .unwrap();
    assert_eq!(got.0.as_deref(), Some("the runtime's channel is full"));
    assert_eq!(got.1, "full");
}

struct Adder;

impl jlrs_async::PersistentTask for Adder {
    type State<'s> = Value<'s>;
    type Input = i64;
    type Output = i64;

    async fn init<'s>(&mut self, frame: &mut GcFrame<'s>) -> JlResult<Value<'s>> {
        frame.eval("Ref(0)")
    }

    async fn call<'s, 'c>(
        &mut self,
        state: &mut Self::State<'s>,
        frame: &mut GcFrame<'c>,
        input: i64,
    ) -> JlResult<i64> {
        let old = frame.call("getindex", &[*state])?.unbox::<i64>()?;
        let new = frame.box_value(old + input);
        frame.call("setindex!", &[*state, new])?;
        Ok(old + input)
    }
}

#[test]
fn a_task_on_a_persistent_tasks_thread_cannot_block_on_its_call() {
    let _dog = watchdog("self-wait on a persistent task", Duration::from_secs(60));
    let _one = exclusive();
    let (_, handle) = runtime();
    let adder = handle
        .persistent(Adder)
        .dispatch_blocking()
        .unwrap()
        .wait_blocking()
        .unwrap();
    let inner = adder.clone();
    let got = handle
        .blocking_task(move |_f| Ok(inner.call(1).wait_blocking()))
        .dispatch_blocking()
        .unwrap()
        .wait_blocking()
        .unwrap();
    assert!(matches!(got, Err(Error::WouldDeadlock)), "{got:?}");
    // From another thread the call is fine.
    assert!(adder.call(2).wait_blocking().unwrap() >= 2);
}

#[test]
fn every_worker_of_a_pool_waiting_for_its_own_pool_leaves_one_refused() {
    let _dog = watchdog(
        "self-wait on every worker of a pool",
        Duration::from_secs(120),
    );
    let _one = exclusive();
    let (mt, _) = runtime();
    for _round in 0..5 {
        let pool = mt
            .pool_builder(AsyncExecutor::<2>::new())
            .n_workers(3.try_into().unwrap())
            .spawn();
        let barrier = Arc::new(Barrier::new(3));
        let waiters: Vec<_> = (0..3)
            .map(|_| {
                let (inner, barrier) = (pool.clone(), barrier.clone());
                pool.blocking_task(move |_f| {
                    // All three hold a worker before any waits.
                    jlrs_core::blocking(|| barrier.wait());
                    Ok(wait_for_own(&inner))
                })
                .dispatch_blocking()
                .unwrap()
            })
            .collect();
        let results: Vec<_> = waiters
            .into_iter()
            .map(|w| w.wait_blocking().unwrap())
            .collect();
        let refused = results
            .iter()
            .filter(|r| matches!(r, Err(Error::WouldDeadlock)))
            .count();
        let answered = results.iter().filter(|r| matches!(r, Ok(2))).count();
        assert_eq!((refused, answered), (1, 2), "{results:?}");
        pool.close(false);
        jlrs_tests::wait_until("the pool's threads are free", || {
            mt.n_free_worker_threads() == 3
        });
    }
}
