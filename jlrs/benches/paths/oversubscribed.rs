//! More threads than cores: a pool of 3 workers and 4 client threads, each client timing
//! its own round trips (`pool_oversubscribed`), beside the same 4 clients sending to the
//! runtime thread while that pool is up (`runtime_oversubscribed`).

use std::time::Duration;

use jlrs::prelude::*;

/// Pool workers of the oversubscribed rows.
pub(crate) const WORKERS: usize = 3;
/// Client threads of the oversubscribed rows.
pub(crate) const CLIENTS: usize = 4;

/// `n` round trips in all, from [`CLIENTS`] threads at once, each timed on its own.
fn from_clients(n: usize, one: impl Fn(i64) -> i64 + Sync) -> Vec<Duration> {
    std::thread::scope(|s| {
        let clients: Vec<_> = (0..CLIENTS)
            .map(|c| {
                let one = &one;
                s.spawn(move || {
                    // Each client its own range of arguments, so every answer is checked.
                    let base = (c * n) as i64;
                    crate::sample(n / CLIENTS, |i| one(base + i) - base)
                })
            })
            .collect();
        clients
            .into_iter()
            .flat_map(|c| c.join().unwrap())
            .collect()
    })
}

/// The rows `pool_oversubscribed` and `runtime_oversubscribed`, `n` round trips each.
pub(crate) fn run(
    mt: &MtHandle,
    runtime_thread: &AsyncHandle,
    n: usize,
) -> Vec<(&'static str, Vec<Duration>)> {
    let pool = crate::pool(mt, WORKERS);
    // Warm up, as the single-client rows are warmed up by criterion.
    from_clients(n / 4, |i| crate::async_round_trip(&pool, i));
    let on_pool = from_clients(n, |i| crate::async_round_trip(&pool, i));
    let on_runtime = from_clients(n, |i| crate::async_round_trip(runtime_thread, i));
    drop(pool);
    crate::wait_free(mt);
    vec![
        ("pool_oversubscribed", on_pool),
        ("runtime_oversubscribed", on_runtime),
    ]
}
