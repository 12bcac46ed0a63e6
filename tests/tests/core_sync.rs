//! jlrs-core: `GcSafeMutex` and `GcSafeRwLock` held across Julia calls and collections
//! by several Julia threads at once, and the thread states they rely on.

use std::{
    sync::{
        atomic::{AtomicBool, Ordering},
        Arc,
    },
    time::Duration,
};

use jlrs_core::{
    hosted::{Hosted, HostedThread},
    sync::{GcSafeMutex, GcSafeRwLock},
    thread_state::{self, ThreadState},
    Julia,
};
use jlrs_tests::{julia, wait_until, watchdog};

/// Tests of this binary use the same Julia threads: one at a time.
fn exclusive() -> jlrs_core::sync::GcSafeMutexGuard<'static, ()> {
    static LOCK: GcSafeMutex<()> = GcSafeMutex::new(());
    LOCK.lock()
}

/// Hosted loops that each run `body` once, on threads 2..=5.
fn on_four_threads(body: impl Fn(&mut Julia, usize) + Send + Sync + 'static) -> Vec<HostedThread> {
    let body = Arc::new(body);
    julia().run(move |j| {
        (2..=5)
            .map(|tid| {
                let body = body.clone();
                let mut once = Some(());
                Hosted::on_thread(tid)
                    .spawn(j, move |j: &mut Julia| {
                        if once.take().is_some() {
                            body(j, tid)
                        }
                    })
                    .expect("thread free")
            })
            .collect()
    })
}

#[test]
fn thread_states_are_told_apart() {
    assert_eq!(thread_state::current(), ThreadState::Foreign);
    let states = julia().run(|j| {
        let unsafe_state = thread_state::current();
        let safe_state = j.gc_safe(thread_state::current);
        (unsafe_state, safe_state)
    });
    assert_eq!(states, (ThreadState::GcUnsafe, ThreadState::GcSafe));
}

/// Four Julia threads take one mutex and, while holding it, allocate and force
/// collections. With a lock whose waiters stay GC-unsafe, the first collection waits for
/// a thread that waits for the lock, whose holder waits for the collection.
#[test]
fn holders_collect_while_others_wait_for_the_mutex() {
    let _one = exclusive();
    let _dog = watchdog(
        "four Julia threads sharing a GcSafeMutex under forced collections",
        Duration::from_secs(120),
    );
    let lock = Arc::new(GcSafeMutex::new(0usize));
    let l = lock.clone();
    let loops = on_four_threads(move |j, tid| {
        for i in 0..200 {
            let mut held = l.lock();
            j.scope(|mut f| {
                let v = f.eval("Vector{Int}(undef, 10_000)").unwrap();
                if i % 20 == tid % 20 {
                    f.collect_garbage(i % 40 == 0);
                }
                assert_eq!(
                    f.call("length", &[v]).unwrap().unbox::<i64>().unwrap(),
                    10_000
                );
            });
            *held += 1;
        }
    });
    loops.iter().for_each(HostedThread::join);
    assert_eq!(*lock.lock(), 4 * 200);
}

/// The same with a reader-writer lock: writers collect while readers and writers wait.
#[test]
fn writers_collect_while_readers_wait_for_the_rwlock() {
    let _one = exclusive();
    let _dog = watchdog(
        "four Julia threads sharing a GcSafeRwLock under forced collections",
        Duration::from_secs(120),
    );
    let lock = Arc::new(GcSafeRwLock::new(0usize));
    let l = lock.clone();
    let loops = on_four_threads(move |j, tid| {
        for i in 0..200 {
            if (i + tid) % 2 == 0 {
                let mut w = l.write();
                j.scope(|mut f| {
                    f.eval("Vector{Int}(undef, 10_000)").unwrap();
                    f.collect_garbage(false);
                });
                *w += 1;
            } else {
                let r = l.read();
                j.scope(|mut f| {
                    f.eval("Vector{Int}(undef, 10_000)").unwrap();
                });
                let _ = *r;
            }
        }
    });
    loops.iter().for_each(HostedThread::join);
    assert_eq!(*lock.read(), 4 * 100);
}

/// One thread holds the lock and collects only once another Julia thread is known to
/// wait for it: that waiter must be GC-safe, or the collection never starts.
#[test]
fn a_collection_proceeds_while_a_julia_thread_waits_for_the_lock() {
    let _one = exclusive();
    let _dog = watchdog(
        "a collection while a Julia thread waits for a GcSafeMutex",
        Duration::from_secs(120),
    );
    let lock = Arc::new(GcSafeMutex::new(()));
    let waiting = Arc::new(AtomicBool::new(false));
    let held = lock.lock();
    let (l, w) = (lock.clone(), waiting.clone());
    let waiter = julia().run(move |j| {
        let mut once = Some(());
        Hosted::on_thread(2)
            .spawn(j, move |_: &mut Julia| {
                if once.take().is_some() {
                    w.store(true, Ordering::Release);
                    drop(l.lock());
                }
            })
            .expect("thread 2 free")
    });
    wait_until("the hosted loop waits for the lock", || {
        waiting.load(Ordering::Acquire)
    });
    // The waiter is inside `lock()` or about to be; either way it reaches a GC-safe
    // region or a safepoint, so this collection completes.
    julia().run(|j| j.collect_garbage(true));
    drop(held);
    waiter.join();
}
