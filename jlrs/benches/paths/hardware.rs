//! The hardware's round trip: two threads handing a value back and forth through one
//! atomic, both spinning. No path between two threads can beat it; every other row is
//! also reported as a multiple of it.

use std::{
    hint::spin_loop,
    sync::atomic::{AtomicU64, Ordering},
    time::{Duration, Instant},
};

/// Tells the echo thread to stop.
const STOP: u64 = u64::MAX;

/// `n` timed round trips (after a warm-up): the client stores an odd number, the echo
/// thread answers with the next even one.
pub(crate) fn round_trips(n: usize) -> Vec<Duration> {
    let cell = AtomicU64::new(0);
    let warm_up = 10_000;
    std::thread::scope(|s| {
        s.spawn(|| {
            let mut last = 0;
            loop {
                let v = cell.load(Ordering::Acquire);
                if v == STOP {
                    return;
                }
                if v != last && v % 2 == 1 {
                    last = v + 1;
                    cell.store(last, Ordering::Release);
                } else {
                    spin_loop();
                }
            }
        });
        let mut times = Vec::with_capacity(n);
        for i in 0..(warm_up + n) as u64 {
            let t = Instant::now();
            cell.store(2 * i + 1, Ordering::Release);
            while cell.load(Ordering::Acquire) != 2 * i + 2 {
                spin_loop();
            }
            if i >= warm_up as u64 {
                times.push(t.elapsed());
            }
        }
        cell.store(STOP, Ordering::Release);
        times
    })
}
