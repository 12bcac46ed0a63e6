//! Eight client threads drive pool workers, `MtHandle::with` threads and async tasks on
//! the runtime thread for about fifteen seconds: each job makes an array of a random size
//! (up to a million elements) in one of four ways, fills it, has Julia and Rust sum it and
//! drops it, while some jobs force full collections. Every sum must be exact, every Rust
//! buffer given to Julia must be dropped by the end, and the RSS must stay flat.

use std::{
    sync::atomic::{AtomicUsize, Ordering},
    time::{Duration, Instant},
};

use jlrs_async::{AsyncExecutor, AsyncHandle, AsyncRuntimeExt};
use jlrs_core::{array::owned_buffers, GcFrame, JlResult};
use jlrs_mt::{Builder, MtHandle};
use jlrs_pool::PoolBuilderExt;
use jlrs_tests::{rss_kib, wait_until, watchdog};

const RUN_FOR: Duration = Duration::from_secs(15);
const CLIENTS: u64 = 8;
const MAX_LEN: u64 = 1_000_000;

/// A small deterministic generator (xorshift), one per client.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
}

/// One job: an array of `n` elements `0..n` made in the way `mode` says, summed by Julia
/// and by Rust. Returns the number of elements checked.
fn job(frame: &mut GcFrame<'_>, n: usize, mode: u64, collect: bool) -> JlResult<usize> {
    let expected = (n as i64) * (n as i64 - 1) / 2;
    let check = |frame: &mut GcFrame<'_>, a: jlrs_core::Array<'_, i64>| -> JlResult<()> {
        let julia = frame.call("sum", &[a.as_value()])?.unbox::<i64>()?;
        let rust: i64 = a.data()?.iter().sum();
        assert_eq!(
            (julia, rust),
            (expected, expected),
            "n = {n}, mode = {mode}"
        );
        Ok(())
    };
    frame.scope(|mut f| -> JlResult<()> {
        match mode % 4 {
            0 => {
                let a = f.array_from_vec((0..n as i64).collect(), [n])?;
                check(&mut f, a)
            }
            1 => {
                let data: Vec<i64> = (0..n as i64).collect();
                let a = f.array_from_slice(&data, [1, n])?;
                check(&mut f, a)
            }
            2 => {
                let a = f.new_array::<i64>(&[n, 1, 1])?;
                for (i, x) in a.data_mut()?.iter_mut().enumerate() {
                    *x = i as i64;
                }
                check(&mut f, a)
            }
            _ => {
                let mut data: Vec<i64> = (0..n as i64).collect();
                f.borrow_array_copy(&mut data, [n], |f, a| check(f, a))??;
                // Julia doubled nothing: the buffer is still 0..n.
                assert_eq!(data.last().copied(), n.checked_sub(1).map(|x| x as i64));
                Ok(())
            }
        }
    })?;
    if collect {
        frame.collect_garbage(true);
    }
    Ok(n)
}

enum Target {
    Pool(AsyncHandle),
    With(MtHandle),
    Runtime(AsyncHandle),
}

impl Target {
    fn run(&self, n: usize, mode: u64, collect: bool) -> usize {
        match self {
            Target::Pool(h) | Target::Runtime(h) => h
                .task(async move |mut f| job(&mut f, n, mode, collect))
                .dispatch_blocking()
                .unwrap()
                .wait_blocking()
                .unwrap(),
            Target::With(mt) => mt
                .with(move |j| j.scope(|mut f| job(&mut f, n, mode, collect)))
                .unwrap(),
        }
    }
}

#[test]
fn eight_threads_make_fill_sum_and_drop_arrays_under_forced_collections() {
    let _dog = watchdog("the array stress test", Duration::from_secs(300));
    let (mt, runtime, _thread) = Builder::new()
        .with_threads(2)
        .n_threads(4)
        .async_runtime(AsyncExecutor::<4>::new())
        .spawn_mt()
        .expect("cannot start Julia");
    let pool = mt
        .pool_builder(AsyncExecutor::<2>::new())
        .n_workers(4.try_into().unwrap())
        .spawn();
    assert_eq!(pool.n_workers(), 4);
    let buffers_before = owned_buffers();

    let jobs = AtomicUsize::new(0);
    let elements = AtomicUsize::new(0);
    let start = Instant::now();
    let mut rss_warm = 0;
    std::thread::scope(|s| {
        for c in 0..CLIENTS {
            let target = match c % 3 {
                0 => Target::Pool(pool.clone()),
                1 => Target::With(mt.clone()),
                _ => Target::Runtime(runtime.clone()),
            };
            let (jobs, elements) = (&jobs, &elements);
            s.spawn(move || {
                let mut rng = Rng(0x9e37_79b9_7f4a_7c15 ^ (c + 1));
                let mut k = 0u64;
                while start.elapsed() < RUN_FOR {
                    // Mostly small arrays, some up to a million elements.
                    let r = rng.next();
                    let n = match r % 8 {
                        0 => (rng.next() % MAX_LEN) + 1,
                        1..=3 => rng.next() % 10_000,
                        _ => rng.next() % 100,
                    } as usize;
                    let collect = k % 32 == 31;
                    elements.fetch_add(target.run(n, rng.next(), collect), Ordering::Relaxed);
                    jobs.fetch_add(1, Ordering::Relaxed);
                    k += 1;
                }
            });
        }
        std::thread::sleep(RUN_FOR / 3);
        rss_warm = rss_kib();
    });

    // Everything Julia was given is dropped once nothing references it.
    wait_until("every Vec given to Julia is dropped", || {
        mt.with(|j| {
            j.collect_garbage(true);
            Ok(())
        })
        .unwrap();
        owned_buffers() == buffers_before
    });
    let rss_end = rss_kib();
    let jobs = jobs.into_inner();
    eprintln!(
        "arrays stress: {jobs} jobs, {} elements, RSS {rss_warm} KiB after warm-up, {rss_end} KiB at the end",
        elements.into_inner()
    );
    assert!(jobs > 100, "too little progress: {jobs} jobs");
    // Flat: at most 256 MiB above the level after warm-up (leaking the buffers would
    // grow by gigabytes).
    assert!(
        rss_end < rss_warm + 256 * 1024,
        "RSS grew from {rss_warm} KiB to {rss_end} KiB"
    );
    drop(pool);
    drop(runtime);
    drop(mt);
}
