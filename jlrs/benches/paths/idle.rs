//! The CPU an idle runtime costs: the runtime thread, the `with` thread and a pool of idle
//! workers, measured from `/proc/self/stat` while the program only sleeps.

use std::time::{Duration, Instant};

use jlrs::prelude::*;

/// User plus system CPU time of this process so far (zero where `/proc` does not tell).
fn cpu_time() -> Duration {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    // The fields after the command name, which is in parentheses and may hold spaces.
    let rest = stat.rsplit_once(')').map_or("", |(_, r)| r);
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let ticks = |i: usize| {
        fields
            .get(i)
            .and_then(|f| f.parse::<u64>().ok())
            .unwrap_or(0)
    };
    // utime and stime are fields 14 and 15 of the line, 12 and 13 after the name.
    let total = ticks(11) + ticks(12);
    // The kernel counts in USER_HZ, which is 100 on Linux.
    Duration::from_millis(total * 10)
}

/// The share of one core (in %) that `pool` (idle) and the runtime use over `window`.
pub(crate) fn idle_cpu_percent(pool: &AsyncHandle, window: Duration) -> f64 {
    // Let the workers finish spinning after their last task.
    assert!(pool.n_workers() > 0);
    std::thread::sleep(Duration::from_millis(200));
    let (cpu, wall) = (cpu_time(), Instant::now());
    std::thread::sleep(window);
    let used = cpu_time().saturating_sub(cpu);
    100.0 * used.as_secs_f64() / wall.elapsed().as_secs_f64()
}
