//! `cargo xtask soak --minutes N`: mixed load on every runtime for N minutes, with worker
//! churn and forced collections; prints tasks done, errors by kind, restarts and RSS every
//! minute, and fails if a result is wrong, an error is unexpected or RSS grows.
//!
//! A watchdog fails it (status 101, with the test watchdog's diagnostic) when a client
//! waits longer than `--stall-seconds S` (default 60) for one answer, a lost or deadlocked
//! task, or when shutting down takes longer than two minutes. `--lose-a-task` sends one
//! task that never answers, to check that watchdog: an async task that waits forever, so
//! that it holds one slot of its worker and strands nothing else (a blocking task that
//! never returned would also hold up the tasks its worker had started before it).

use std::{
    sync::{
        atomic::{AtomicBool, AtomicU64, Ordering},
        Arc,
    },
    time::{Duration, Instant},
};

use jlrs_async::{AsyncExecutor, AsyncHandle, AsyncRuntimeExt, Error, PersistentTask};
use jlrs_core::{GcFrame, JlResult, Value};
use jlrs_mt::{Builder, MtHandle};
use jlrs_pool::PoolBuilderExt;

#[derive(Default)]
struct Counts {
    done: AtomicU64,
    julia_errors: AtomicU64,
    panics: AtomicU64,
    cancelled: AtomicU64,
    closed: AtomicU64,
    wrong: AtomicU64,
    collections: AtomicU64,
    churn: AtomicU64,
}

/// A running total in a Julia `Ref`.
struct Total;

impl PersistentTask for Total {
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
        x: i64,
    ) -> JlResult<i64> {
        let old = frame.call("getindex", &[*state])?.unbox::<i64>()?;
        let new = frame.box_value(old + x);
        frame.call("setindex!", &[*state, new])?;
        Ok(old + x)
    }
}

/// A small xorshift generator: the load is varied but reproducible per client.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
}

/// Sorts an outcome into the counters; `expect` is the right answer, if any.
fn tally(counts: &Counts, got: Result<i64, Error>, expect: Option<i64>, expect_error: bool) {
    counts.done.fetch_add(1, Ordering::Relaxed);
    match got {
        Ok(v) if expect.is_none_or(|e| e == v) && !expect_error => {}
        Ok(_) => {
            counts.wrong.fetch_add(1, Ordering::Relaxed);
        }
        Err(Error::Julia(_)) if expect_error => {
            counts.julia_errors.fetch_add(1, Ordering::Relaxed);
        }
        Err(Error::Panicked(_)) if expect_error => {
            counts.panics.fetch_add(1, Ordering::Relaxed);
        }
        Err(Error::Cancelled) => {
            counts.cancelled.fetch_add(1, Ordering::Relaxed);
        }
        Err(Error::Closed) => {
            counts.closed.fetch_add(1, Ordering::Relaxed);
        }
        Err(e) => {
            eprintln!("soak: unexpected error: {e}");
            counts.wrong.fetch_add(1, Ordering::Relaxed);
        }
    }
}

fn one_op(rng: &mut Rng, mt: &MtHandle, rt: &AsyncHandle, pool: &AsyncHandle, counts: &Counts) {
    let i = (rng.next() % 1000) as i64;
    let target = if rng.next().is_multiple_of(4) {
        rt
    } else {
        pool
    };
    match rng.next() % 10 {
        0..=3 => {
            let r = target
                .task(async move |mut f| {
                    let x = f.box_value(i);
                    let v = f.call("soak_vec", &[x])?;
                    smol::future::yield_now().await;
                    f.call("sum", &[v])?.unbox::<i64>()
                })
                .dispatch_blocking()
                .map_err(|_| Error::Closed)
                .and_then(|h| h.wait_blocking());
            tally(counts, r, Some(i * (i + 1) / 2), false);
        }
        4 | 5 => {
            let r = target
                .blocking_task(move |mut f| {
                    let x = f.box_value(i);
                    let s = f.call("string", &[x])?.unbox::<String>()?;
                    Ok(s.parse::<i64>().unwrap_or(-1))
                })
                .dispatch_blocking()
                .map_err(|_| Error::Closed)
                .and_then(|h| h.wait_blocking());
            tally(counts, r, Some(i), false);
        }
        6 => {
            let r = mt
                .with(move |j| j.scope(|mut f| f.box_value(i).unbox::<i64>()))
                .map_err(|e| match e {
                    jlrs_mt::Error::Panicked(m) => Error::Panicked(m),
                    _ => Error::Closed,
                });
            tally(counts, r, Some(i), false);
        }
        7 => {
            let code = [
                "error(\"soak\")",
                "soak_undefined_name",
                "sqrt(\"x\")",
                "throw(InterruptException())",
            ][(rng.next() % 4) as usize];
            let r = target
                .blocking_task(move |mut f| f.eval(code)?.unbox::<i64>())
                .dispatch_blocking()
                .map_err(|_| Error::Closed)
                .and_then(|h| h.wait_blocking());
            tally(counts, r, None, true);
        }
        8 => {
            let r = target
                .blocking_task(|_f| -> JlResult<i64> { panic!("soak panic") })
                .dispatch_blocking()
                .map_err(|_| Error::Closed)
                .and_then(|h| h.wait_blocking());
            tally(counts, r, None, true);
        }
        _ => {
            let full = rng.next().is_multiple_of(8);
            let r = target
                .blocking_task(move |mut f| {
                    f.collect_garbage(full);
                    Ok(0)
                })
                .dispatch_blocking()
                .map_err(|_| Error::Closed)
                .and_then(|h| h.wait_blocking());
            counts.collections.fetch_add(1, Ordering::Relaxed);
            tally(counts, r, Some(0), false);
        }
    }
}

fn main() {
    // Panics are part of the load; one line each is enough.
    std::panic::set_hook(Box::new(|_| {}));
    let flag = |name: &str| {
        std::env::args()
            .skip_while(|a| a != name)
            .nth(1)
            .and_then(|m| m.parse::<u64>().ok())
    };
    let minutes = flag("--minutes").unwrap_or(1);
    let stall_limit = Duration::from_secs(flag("--stall-seconds").unwrap_or(60));
    let lose_a_task = std::env::args().any(|a| a == "--lose-a-task");
    let (mt, rt, runtime) = Builder::new()
        .n_threads(4)
        .async_runtime(AsyncExecutor::<8>::new())
        .spawn_mt()
        .expect("cannot start Julia");
    mt.with(|j| j.scope(|mut f| f.eval("soak_vec(n) = collect(1:n)").map(|_| ())))
        .unwrap();
    let pool = mt
        .pool_builder(AsyncExecutor::<8>::new())
        .n_workers(2.try_into().unwrap())
        .spawn();
    let total = pool
        .persistent(Total)
        .dispatch_blocking()
        .unwrap()
        .wait_blocking()
        .unwrap();
    let counts = Arc::new(Counts::default());
    let stop = Arc::new(AtomicBool::new(false));
    let start = Instant::now();
    // When each client last got an answer, in milliseconds since `start`.
    let answered: Arc<Vec<AtomicU64>> = Arc::new((0..4).map(|_| AtomicU64::new(0)).collect());

    let clients: Vec<_> = (0..4u64)
        .map(|c| {
            let (mt, rt, pool, counts, stop) = (
                mt.clone(),
                rt.clone(),
                pool.clone(),
                counts.clone(),
                stop.clone(),
            );
            let (total, answered) = (total.clone(), answered.clone());
            std::thread::spawn(move || {
                let mut rng = Rng(0x9E37_79B9_7F4A_7C15 ^ (c + 1));
                let mut sum = 0;
                let mut lost = None;
                while !stop.load(Ordering::Relaxed) {
                    if lose_a_task && c == 0 && answered[0].load(Ordering::Relaxed) > 1000 {
                        // A task that never answers: it waits for a sender kept alive here.
                        let (keep, never) = async_channel::bounded::<()>(1);
                        lost = Some(keep);
                        let _ = pool
                            .task(async move |_f| {
                                let _ = never.recv().await;
                                Ok(0i64)
                            })
                            .dispatch_blocking()
                            .map(|h| h.wait_blocking());
                    }
                    one_op(&mut rng, &mt, &rt, &pool, &counts);
                    let now = start.elapsed().as_millis() as u64;
                    answered[c as usize].store(now.max(1), Ordering::Relaxed);
                    if rng.next().is_multiple_of(16) {
                        sum += 1;
                        total.call(1).wait_blocking().unwrap();
                    }
                }
                drop(lost);
                sum
            })
        })
        .collect();
    let churn = {
        let (pool, counts, stop) = (pool.clone(), counts.clone(), stop.clone());
        std::thread::spawn(move || {
            let mut rng = Rng(7);
            while !stop.load(Ordering::Relaxed) {
                std::thread::sleep(Duration::from_millis(200));
                let n = pool.n_workers();
                let changed = if (rng.next().is_multiple_of(2) && n < 4) || n <= 1 {
                    pool.try_add_worker()
                } else {
                    pool.try_remove_worker()
                };
                if changed {
                    counts.churn.fetch_add(1, Ordering::Relaxed);
                }
            }
        })
    };

    let mut rss_after_first_minute = 0;
    let report = |minute: u64| {
        let c = &counts;
        let s = pool.stats();
        println!(
            "minute {minute:>3}: {:>9} tasks, errors: {} julia (expected), {} panics (expected), \
             {} cancelled, {} closed, {} wrong; {} collections forced, {} worker changes, \
             {} restarts, {} workers; RSS {} MiB",
            c.done.load(Ordering::Relaxed),
            c.julia_errors.load(Ordering::Relaxed),
            c.panics.load(Ordering::Relaxed),
            c.cancelled.load(Ordering::Relaxed),
            c.closed.load(Ordering::Relaxed),
            c.wrong.load(Ordering::Relaxed),
            c.collections.load(Ordering::Relaxed),
            c.churn.load(Ordering::Relaxed),
            s.restarted,
            s.workers,
            jlrs_tests::rss_kib() / 1024,
        );
    };
    let check_stalls = || {
        let now = start.elapsed();
        for (c, at) in answered.iter().enumerate() {
            let last = Duration::from_millis(at.load(Ordering::Relaxed));
            if now.saturating_sub(last) > stall_limit {
                report(now.as_secs() / 60);
                jlrs_tests::fail_hung(
                    &format!(
                        "soak client {c}'s task (no answer since {:.1} s into the soak)",
                        last.as_secs_f64()
                    ),
                    stall_limit,
                );
            }
        }
    };
    for minute in 1..=minutes {
        while start.elapsed() < Duration::from_secs(60 * minute) {
            std::thread::sleep(Duration::from_millis(100));
            check_stalls();
        }
        report(minute);
        if minute == 1 {
            rss_after_first_minute = jlrs_tests::rss_kib();
        }
    }
    stop.store(true, Ordering::Relaxed);
    let _dog = jlrs_tests::watchdog(
        "the soak's shutdown (clients' last tasks, the persistent task's total, Julia's exit)",
        Duration::from_secs(120),
    );
    let calls: i64 = clients.into_iter().map(|c| c.join().unwrap()).sum();
    churn.join().unwrap();
    let recorded = total.call(0).wait_blocking().unwrap();
    let rss_end = jlrs_tests::rss_kib();
    let wrong = counts.wrong.load(Ordering::Relaxed);
    let unexpected_cancel =
        counts.cancelled.load(Ordering::Relaxed) + counts.closed.load(Ordering::Relaxed);
    drop((total, pool, rt, mt));
    runtime.join().unwrap();

    let mut failures = Vec::new();
    if wrong > 0 {
        failures.push(format!("{wrong} wrong results or unexpected errors"));
    }
    if unexpected_cancel > 0 {
        failures.push(format!("{unexpected_cancel} tasks cancelled or refused"));
    }
    if recorded != calls {
        failures.push(format!(
            "the persistent task recorded {recorded} calls of {calls}"
        ));
    }
    if minutes >= 2 && rss_end > rss_after_first_minute + rss_after_first_minute / 5 {
        failures.push(format!(
            "RSS grew from {} MiB after the first minute to {} MiB",
            rss_after_first_minute / 1024,
            rss_end / 1024
        ));
    }
    if failures.is_empty() {
        println!("soak: clean after {minutes} minute(s); Julia shut down");
    } else {
        eprintln!("soak: FAILED: {}", failures.join("; "));
        std::process::exit(1);
    }
}
