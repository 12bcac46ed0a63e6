//! Spinning briefly before blocking: a hand-off that completes within the window costs no
//! kernel wake-up on either side.

use std::time::{Duration, Instant};

/// How long a waiting thread spins before it blocks.
pub const SPIN: Duration = Duration::from_micros(50);

/// Spins until `done` returns `true` or `limit` has passed; returns whether `done` did.
pub fn spin_until(limit: Duration, mut done: impl FnMut() -> bool) -> bool {
    let deadline = Instant::now() + limit;
    loop {
        if done() {
            return true;
        }
        if Instant::now() >= deadline {
            return false;
        }
        for _ in 0..16 {
            std::hint::spin_loop();
        }
    }
}

/// Tries `attempt` on `source` while spinning for [`SPIN`]; if it never yields a value,
/// blocks with `block`.
pub fn spin_then<S, T>(
    source: S,
    mut attempt: impl FnMut(&S) -> Option<T>,
    block: impl FnOnce(S) -> T,
) -> T {
    let mut got = None;
    spin_until(SPIN, || {
        got = attempt(&source);
        got.is_some()
    });
    match got {
        Some(v) => v,
        None => block(source),
    }
}

/// Waits for a oneshot's value: spins first, then blocks (GC-safely on a Julia thread; on a
/// hosted thread, inside Julia's scheduler, see [`idle`](crate::idle)).
pub fn wait_oneshot<T: Send>(rx: oneshot::Receiver<T>) -> Result<T, oneshot::RecvError> {
    if crate::idle::on_hosted_thread() {
        // A hosted thread waits in Julia's scheduler, so that Julia tasks queued for it
        // (such as a `Threads.@threads` chunk of the very task it waits for) still run.
        return crate::idle::block_on(rx);
    }
    crate::blocking(move || {
        spin_then(
            rx,
            |rx| match rx.try_recv() {
                Ok(v) => Some(Ok(v)),
                Err(oneshot::TryRecvError::Empty) => None,
                Err(oneshot::TryRecvError::Disconnected) => Some(Err(oneshot::RecvError)),
            },
            |rx| rx.recv(),
        )
    })
}
