//! jlrs-pool bookkeeping under races: adding and removing a worker at once, a new pool
//! right after a closed one, a worker restarted with tasks in flight and persistent
//! tasks on it, and the statistics that count all of this.

use std::{
    alloc::{GlobalAlloc, Layout, System},
    cell::Cell,
    sync::atomic::{AtomicUsize, Ordering},
    time::Duration,
};

use jlrs_async::{AsyncExecutor, AsyncHandle, Error, PersistentTask};
use jlrs_core::{
    sync::{GcSafeMutex, GcSafeMutexGuard},
    GcFrame, JlResult,
};
use jlrs_mt::MtHandle;
use jlrs_pool::PoolBuilderExt;
use jlrs_tests::{faulty::Faulty, pool_runtime::PoolRuntime, wait_until, watchdog};

const WORKER_THREADS: usize = 3;

static RUNTIME: PoolRuntime = PoolRuntime::new(WORKER_THREADS);

fn mt() -> &'static MtHandle {
    RUNTIME.mt()
}

fn exclusive() -> GcSafeMutexGuard<'static, ()> {
    RUNTIME.exclusive()
}

fn pool(n: usize) -> AsyncHandle {
    mt().pool_builder(AsyncExecutor::<3>::new())
        .n_workers(n.try_into().unwrap())
        .spawn()
}

/// A blocking task that sleeps for `pause` (GC-safely) and returns 1.
fn nap(pool: &AsyncHandle, pause: Duration) -> jlrs_async::TaskHandle<i64> {
    pool.blocking_task(move |mut frame| {
        jlrs_core::blocking(|| std::thread::sleep(pause));
        frame.eval("1")?.unbox::<i64>()
    })
    .dispatch_blocking()
    .unwrap()
}

/// Stretches every allocation of a thread that asks for it, to widen the race windows of
/// the code under test: no thread's schedule can be forced from outside, but each step
/// that allocates can be made slow, as a busy machine makes it now and then.
struct SlowAlloc;

thread_local! {
    static SLOW: Cell<bool> = const { Cell::new(false) };
}

// SAFETY: every call is forwarded unchanged to the system allocator.
unsafe impl GlobalAlloc for SlowAlloc {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        if SLOW.try_with(Cell::get).unwrap_or(false) {
            std::thread::sleep(Duration::from_micros(200));
        }
        // SAFETY: the caller upholds `alloc`'s contract, which `System` has too.
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: `ptr` came from `System.alloc` with this layout.
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static ALLOCATOR: SlowAlloc = SlowAlloc;

/// Runs `f` with this thread's allocations slowed down.
fn slowly<T>(f: impl FnOnce() -> T) -> T {
    SLOW.with(|s| s.set(true));
    let result = f();
    SLOW.with(|s| s.set(false));
    result
}

#[test]
fn adding_and_removing_a_worker_at_once_leaks_no_worker() {
    let _dog = watchdog("add and remove at once", Duration::from_secs(240));
    let _x = exclusive();
    let pool = pool(1);
    for round in 0..300 {
        // The remover strikes the moment the new worker is counted, while its start is
        // still under way.
        let remover = {
            let pool = pool.clone();
            std::thread::spawn(move || {
                while pool.n_workers() < 2 {
                    std::hint::spin_loop();
                }
                pool.try_remove_worker()
            })
        };
        // Every step of the addition is slow: the removal lands between any two of them.
        let added = slowly(|| pool.try_add_worker());
        assert!(added, "round {round}: a thread is free");
        assert!(
            remover.join().unwrap(),
            "round {round}: a worker was removed"
        );
        assert_eq!(pool.n_workers(), 1, "round {round}");
        // The removed worker stops and frees its thread: no worker runs uncounted.
        wait_until("the removed worker frees its thread", || {
            mt().n_free_worker_threads() == WORKER_THREADS - 1
        });
    }
    assert_eq!(nap(&pool, Duration::ZERO).wait_blocking().unwrap(), 1);
    pool.close(false);
}

#[test]
fn a_new_pool_gets_every_thread_of_a_pool_closed_just_before() {
    let _dog = watchdog("close a pool, start a new one", Duration::from_secs(240));
    let _x = exclusive();
    for round in 0..40 {
        let pool = if round % 2 == 0 {
            pool(WORKER_THREADS)
        } else {
            mt().pool_builder(AsyncExecutor::<3>::new())
                .n_workers(WORKER_THREADS.try_into().unwrap())
                .try_spawn()
                .unwrap_or_else(|e| panic!("round {round}: {e}"))
        };
        assert_eq!(pool.n_workers(), WORKER_THREADS, "round {round}");
        // Tasks still run when the pool closes: its workers exit only after them.
        let busy: Vec<_> = (0..WORKER_THREADS)
            .map(|_| nap(&pool, Duration::from_millis(round % 3)))
            .collect();
        pool.close(false);
        assert!(pool.is_closed());
        for t in busy {
            assert_eq!(t.wait_blocking().unwrap(), 1, "round {round}");
        }
    }
}

/// Started with a handle to keep; while it lives, a pool keeps one of its threads.
struct Idle;

impl PersistentTask for Idle {
    type State<'s> = ();
    type Input = ();
    type Output = ();

    async fn init<'s>(&mut self, _frame: &mut GcFrame<'s>) -> JlResult<()> {
        Ok(())
    }

    async fn call<'s, 'c>(
        &mut self,
        _state: &mut Self::State<'s>,
        _frame: &mut GcFrame<'c>,
        _input: (),
    ) -> JlResult<()> {
        Ok(())
    }
}

#[test]
fn spawn_does_not_wait_for_threads_that_open_pools_hold() {
    let _dog = watchdog("spawn next to open pools", Duration::from_secs(60));
    let _x = exclusive();
    let open = pool(1);
    // A second worker takes a persistent task; removed, it keeps its thread while the
    // task's handle lives, although the pool does not count it.
    let gate = async_channel::bounded::<()>(1);
    let (started_tx, started_rx) = async_channel::bounded::<()>(1);
    let rx = gate.1.clone();
    let held = open
        .blocking_task(move |_f| {
            started_tx.send_blocking(()).unwrap();
            let _ = jlrs_core::blocking(|| rx.recv_blocking());
            Ok(())
        })
        .dispatch_blocking()
        .unwrap();
    started_rx.recv_blocking().unwrap();
    assert!(open.try_add_worker());
    let idle = open
        .persistent(Idle)
        .dispatch_blocking()
        .unwrap()
        .wait_blocking()
        .unwrap();
    assert!(open.try_remove_worker());
    gate.0.send_blocking(()).unwrap();
    held.wait_blocking().unwrap();
    assert_eq!(mt().n_free_worker_threads(), WORKER_THREADS - 2);

    // Returns at once with the one thread that is free.
    let other = pool(WORKER_THREADS);
    assert_eq!(other.n_workers(), WORKER_THREADS - 2);
    other.close(false);
    idle.call(()).wait_blocking().unwrap();
    drop(idle);
    open.close(false);
}

fn faulty_pool() -> AsyncHandle {
    mt().pool_builder::<_, 4>(Faulty)
        .n_workers(1.try_into().unwrap())
        .spawn()
}

/// Makes the next task's admission fail, restarting the pool's only worker; returns that
/// task, which answers `Cancelled`.
fn fail_worker(pool: &AsyncHandle) -> jlrs_async::TaskHandle<()> {
    Faulty::fail_next_spawn();
    pool.blocking_task(|_f| Ok(())).dispatch_blocking().unwrap()
}

/// Counts its calls in a Julia `Ref`; its exit reads the count back and records it.
struct Tally;

static TALLY_EXITS: GcSafeMutex<Vec<i64>> = GcSafeMutex::new(Vec::new());

impl PersistentTask for Tally {
    type State<'s> = jlrs_core::Value<'s>;
    type Input = ();
    type Output = i64;

    async fn init<'s>(&mut self, frame: &mut GcFrame<'s>) -> JlResult<jlrs_core::Value<'s>> {
        frame.eval("Ref(0)")
    }

    async fn call<'s, 'c>(
        &mut self,
        state: &mut Self::State<'s>,
        frame: &mut GcFrame<'c>,
        _input: (),
    ) -> JlResult<i64> {
        let n = frame.call("getindex", &[*state])?.unbox::<i64>()? + 1;
        let boxed = frame.box_value(n);
        frame.call("setindex!", &[*state, boxed])?;
        Ok(n)
    }

    async fn exit<'s>(&mut self, state: jlrs_core::Value<'s>, frame: &mut GcFrame<'s>) {
        let n = frame
            .call("getindex", &[state])
            .and_then(|v| v.unbox::<i64>())
            .unwrap_or(-1);
        TALLY_EXITS.lock().push(n);
    }
}

/// Its call waits for a message that never comes; its exit records that it ran.
struct Stuck {
    started: async_channel::Sender<()>,
}

static STUCK_EXITS: AtomicUsize = AtomicUsize::new(0);

impl PersistentTask for Stuck {
    type State<'s> = jlrs_core::Value<'s>;
    type Input = async_channel::Receiver<()>;
    type Output = ();

    async fn init<'s>(&mut self, frame: &mut GcFrame<'s>) -> JlResult<jlrs_core::Value<'s>> {
        frame.eval("[1, 2, 3]")
    }

    async fn call<'s, 'c>(
        &mut self,
        _state: &mut Self::State<'s>,
        frame: &mut GcFrame<'c>,
        never: async_channel::Receiver<()>,
    ) -> JlResult<()> {
        let _rooted = frame.eval("Ref(1)")?;
        self.started.send(()).await.unwrap();
        let _ = never.recv().await;
        Ok(())
    }

    async fn exit<'s>(&mut self, state: jlrs_core::Value<'s>, frame: &mut GcFrame<'s>) {
        let sum = frame.call("sum", &[state]).and_then(|v| v.unbox::<i64>());
        assert_eq!(sum.unwrap(), 6, "the state is intact");
        STUCK_EXITS.fetch_add(1, Ordering::SeqCst);
    }
}

#[test]
fn a_restarted_worker_ends_its_persistent_tasks_with_their_exit() {
    let _dog = watchdog("persistent tasks and restarts", Duration::from_secs(60));
    let _x = exclusive();
    TALLY_EXITS.lock().clear();
    let pool = faulty_pool();
    let tally = pool
        .persistent(Tally)
        .dispatch_blocking()
        .unwrap()
        .wait_blocking()
        .unwrap();
    assert_eq!(tally.call(()).wait_blocking().unwrap(), 1);
    assert_eq!(tally.call(()).wait_blocking().unwrap(), 2);
    // Another one is inside a call when the worker fails.
    let (started_tx, started_rx) = async_channel::bounded(1);
    let stuck = pool
        .persistent(Stuck {
            started: started_tx,
        })
        .dispatch_blocking()
        .unwrap()
        .wait_blocking()
        .unwrap();
    let (_never_tx, never_rx) = async_channel::bounded::<()>(1);
    let in_call = stuck.call(never_rx);
    started_rx.recv_blocking().unwrap();
    let stuck_exits = STUCK_EXITS.load(Ordering::SeqCst);

    assert!(matches!(
        fail_worker(&pool).wait_blocking(),
        Err(Error::Cancelled)
    ));
    assert!(
        matches!(in_call.wait_blocking(), Err(Error::Cancelled)),
        "the call in progress is cut short"
    );
    // The restarted worker takes this task: by then the old one has ended its tasks.
    assert_eq!(nap(&pool, Duration::ZERO).wait_blocking().unwrap(), 1);
    assert_eq!(
        *TALLY_EXITS.lock(),
        [2],
        "exit ran once, with the state the calls left"
    );
    assert_eq!(STUCK_EXITS.load(Ordering::SeqCst), stuck_exits + 1);
    assert!(
        tally.is_closed() && stuck.is_closed(),
        "the tasks have ended"
    );
    assert!(matches!(tally.call(()).wait_blocking(), Err(Error::Closed)));
    let s = pool.stats();
    assert_eq!((s.restarted, s.workers), (1, 1), "{s:?}");
    pool.close(false);
}

#[test]
fn tasks_in_flight_when_a_worker_restarts_are_cancelled_and_queued_ones_run() {
    let _dog = watchdog("tasks in flight at a restart", Duration::from_secs(60));
    let _x = exclusive();
    let pool = faulty_pool();
    // Two async tasks wait on the worker, each with a Julia value rooted across the
    // await, when the worker's loop fails.
    let (started_tx, started_rx) = async_channel::unbounded::<()>();
    let (_gate_tx, gate_rx) = async_channel::bounded::<()>(1);
    let in_flight: Vec<_> = (0..2)
        .map(|_| {
            let started = started_tx.clone();
            let gate = gate_rx.clone();
            pool.task(async move |mut frame| {
                let v = frame.eval("[1, 2, 3]")?;
                started.send(()).await.unwrap();
                let _ = gate.recv().await;
                frame.call("sum", &[v])?.unbox::<i64>()
            })
            .dispatch_blocking()
            .unwrap()
        })
        .collect();
    for _ in 0..2 {
        started_rx.recv_blocking().unwrap();
    }
    let lost = fail_worker(&pool);
    let queued: Vec<_> = (0..10).map(|_| nap(&pool, Duration::ZERO)).collect();
    assert!(matches!(lost.wait_blocking(), Err(Error::Cancelled)));
    for t in in_flight {
        assert!(matches!(t.wait_blocking(), Err(Error::Cancelled)));
    }
    for t in queued {
        assert_eq!(t.wait_blocking().unwrap(), 1, "a queued task was lost");
    }
    let s = pool.stats();
    assert_eq!((s.restarted, s.workers), (1, 1), "{s:?}");
    pool.close(false);
}

static ENDED: AtomicUsize = AtomicUsize::new(0);

/// Ends when its handles are gone and says so.
struct Short;

impl PersistentTask for Short {
    type State<'s> = ();
    type Input = ();
    type Output = ();

    async fn init<'s>(&mut self, _frame: &mut GcFrame<'s>) -> JlResult<()> {
        Ok(())
    }

    async fn call<'s, 'c>(
        &mut self,
        _: &mut Self::State<'s>,
        _: &mut GcFrame<'c>,
        _: (),
    ) -> JlResult<()> {
        Ok(())
    }

    async fn exit<'s>(&mut self, _state: (), _frame: &mut GcFrame<'s>) {
        ENDED.fetch_add(1, Ordering::SeqCst);
    }
}

#[test]
fn statistics_count_every_outcome_once() {
    let _dog = watchdog("statistics", Duration::from_secs(60));
    let _x = exclusive();
    let pool = pool(1);
    let (gate_tx, gate_rx) = async_channel::bounded::<()>(1);
    let (started_tx, started_rx) = async_channel::bounded::<()>(1);
    let held = pool
        .blocking_task(move |_f| {
            started_tx.send_blocking(()).unwrap();
            let _ = jlrs_core::blocking(|| gate_rx.recv_blocking());
            Ok(7i64)
        })
        .dispatch_blocking()
        .unwrap();
    started_rx.recv_blocking().unwrap();
    let queued: Vec<_> = (0..5).map(|_| nap(&pool, Duration::ZERO)).collect();
    pool.close(true);
    // Counted before `close` returns, so before any caller sees `Cancelled`.
    let s = pool.stats();
    assert_eq!((s.cancelled, s.completed, s.running), (5, 0, 1), "{s:?}");
    for t in queued {
        assert!(matches!(t.wait_blocking(), Err(Error::Cancelled)));
    }
    gate_tx.send_blocking(()).unwrap();
    assert_eq!(held.wait_blocking().unwrap(), 7);
    let s = pool.stats();
    assert_eq!((s.cancelled, s.completed, s.running), (5, 1, 0), "{s:?}");

    // A persistent task counts as running while it lives and as completed once it ends.
    let pool = self::pool(1);
    let ended = ENDED.load(Ordering::SeqCst);
    let short = pool
        .persistent(Short)
        .dispatch_blocking()
        .unwrap()
        .wait_blocking()
        .unwrap();
    short.call(()).wait_blocking().unwrap();
    let bad = pool
        .task(async |_f| -> JlResult<()> { panic!("counted panic") })
        .dispatch_blocking()
        .unwrap();
    assert!(matches!(bad.wait_blocking(), Err(Error::Panicked(_))));
    let s = pool.stats();
    assert_eq!(
        (s.running, s.completed, s.panicked, s.cancelled),
        (1, 1, 1, 0),
        "{s:?}"
    );
    drop(short);
    wait_until("the persistent task is counted", || {
        pool.stats().completed == 2
    });
    assert_eq!(ENDED.load(Ordering::SeqCst), ended + 1);
    let s = pool.stats();
    assert_eq!((s.running, s.panicked, s.cancelled), (0, 1, 0), "{s:?}");
    pool.close(false);
}
