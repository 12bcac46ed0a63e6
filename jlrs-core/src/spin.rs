//! Waiting briefly before blocking, without taking a core from a thread that has work: a
//! hand-off that completes within the window costs no kernel wake-up on either side.
//!
//! A waiting thread checks its condition in two phases, then blocks:
//!
//! 1. it *spins* (checks in a tight loop) for its hot window, at most [`SPIN_HOT`]: long
//!    enough for an uncontended round trip;
//! 2. it keeps checking but *yields its core* between checks until its whole window, at
//!    most [`SPIN`], has passed.
//!
//! Both windows are per thread and adapt to what the thread saw lately
//! ([`spin_until_adaptive`]):
//!
//! - the whole window doubles (up to [`SPIN`]) each time the value arrived while the
//!   thread was checking, and halves (down to [`SPIN_HOT`]) each time it had to block
//!   anyway: a thread whose waits are long stops burning a core on them;
//! - the hot window halves (down to nothing) each time a yield let another thread run,
//!   that is, each time the thread found its core wanted by another, and doubles again
//!   (up to [`SPIN_HOT`]) after a wait in which no yield did.
//!
//! Why: when threads outnumber cores (a pool of 3 with 4 clients on 2 cores, or a machine
//! busy with other processes), a spinning thread holds a core that the thread it waits for
//! may need, and every hand-off then waits for the spinner's window to run out (a fixed
//! 50 µs spin made a pool round trip take over 100 µs on a 2-core machine with one core
//! busy elsewhere). `sched_yield` hands the core to a runnable thread and returns at once
//! when there is none; a thread that finds its core contended stops spinning hot and
//! checks only between yields, so the thread it waits for runs at once.

use std::{
    cell::Cell,
    time::{Duration, Instant},
};

/// The longest a waiting thread checks before it blocks.
pub const SPIN: Duration = Duration::from_micros(50);

/// The longest a waiting thread spins without yielding its core.
pub const SPIN_HOT: Duration = Duration::from_micros(4);

/// The smallest hot window that grows again (below it, the thread yields at once).
const HOT_MIN: Duration = Duration::from_nanos(250);

/// A yield that took longer than this ran another thread meanwhile (a bare `sched_yield`
/// takes well under a microsecond).
const YIELD_SWITCHED: Duration = Duration::from_micros(3);

/// How a wait went.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Outcome {
    /// The value arrived while checking.
    got: bool,
    /// A yield let another thread run: the core was wanted.
    contended: bool,
}

/// Checks `done` until it returns `true` or `limit` has passed: spins for `hot`, then
/// yields the core between checks.
fn check(limit: Duration, hot: Duration, mut done: impl FnMut() -> bool) -> Outcome {
    let start = Instant::now();
    let hot = limit.min(hot);
    let mut contended = false;
    loop {
        if done() {
            return Outcome {
                got: true,
                contended,
            };
        }
        if start.elapsed() >= hot {
            break;
        }
        for _ in 0..16 {
            std::hint::spin_loop();
        }
    }
    loop {
        if done() {
            return Outcome {
                got: true,
                contended,
            };
        }
        let before = Instant::now();
        if before.duration_since(start) >= limit {
            return Outcome {
                got: false,
                contended,
            };
        }
        std::thread::yield_now();
        contended |= before.elapsed() > YIELD_SWITCHED;
    }
}

/// Checks `done` until it returns `true` or `limit` has passed; returns whether it did.
/// Spins for at most [`SPIN_HOT`], then yields the core between checks.
pub fn spin_until(limit: Duration, done: impl FnMut() -> bool) -> bool {
    check(limit, SPIN_HOT, done).got
}

thread_local! {
    /// This thread's windows for [`spin_until_adaptive`]: (whole, hot).
    static WINDOWS: Cell<(Duration, Duration)> = const { Cell::new((SPIN, SPIN_HOT)) };
}

/// The windows after a wait with `outcome`.
fn adapt((whole, hot): (Duration, Duration), outcome: Outcome) -> (Duration, Duration) {
    let whole = if outcome.got {
        (whole * 2).min(SPIN)
    } else {
        (whole / 2).max(SPIN_HOT)
    };
    let hot = if outcome.contended {
        hot / 2
    } else {
        (hot * 2).clamp(HOT_MIN, SPIN_HOT)
    };
    (whole, hot)
}

/// [`spin_until`] with this thread's adaptive windows (see the module docs); returns
/// whether `done` returned `true`.
pub fn spin_until_adaptive(done: impl FnMut() -> bool) -> bool {
    let windows = WINDOWS.with(Cell::get);
    let outcome = check(windows.0, windows.1, done);
    WINDOWS.with(|w| w.set(adapt(windows, outcome)));
    outcome.got
}

/// Tries `attempt` on `source` while checking as [`spin_until_adaptive`] does; if it never
/// yields a value, blocks with `block`.
pub fn spin_then<S, T>(
    source: S,
    mut attempt: impl FnMut(&S) -> Option<T>,
    block: impl FnOnce(S) -> T,
) -> T {
    let mut got = None;
    spin_until_adaptive(|| {
        got = attempt(&source);
        got.is_some()
    });
    match got {
        Some(v) => v,
        None => block(source),
    }
}

/// Waits for a oneshot's value: checks first, then blocks (GC-safely on a Julia thread).
pub fn wait_oneshot<T: Send>(rx: oneshot::Receiver<T>) -> Result<T, oneshot::RecvError> {
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

#[cfg(test)]
mod test {
    use super::*;

    #[test]
    fn windows_adapt() {
        let start = (SPIN, SPIN_HOT);
        let missed = Outcome {
            got: false,
            contended: false,
        };
        let crowded = Outcome {
            got: true,
            contended: true,
        };
        let quiet = Outcome {
            got: true,
            contended: false,
        };
        // Blocking anyway shrinks the whole window, never below the hot limit.
        let mut w = start;
        for _ in 0..20 {
            w = adapt(w, missed);
        }
        assert_eq!(w.0, SPIN_HOT);
        // Success grows it back to the limit.
        for _ in 0..20 {
            w = adapt(w, quiet);
        }
        assert_eq!(w, start);
        // A contended core stops hot spinning altogether...
        for _ in 0..20 {
            w = adapt(w, crowded);
        }
        assert!(w.1 < HOT_MIN, "{w:?}");
        assert_eq!(w.0, SPIN);
        // ...until waits are quiet again.
        for _ in 0..20 {
            w = adapt(w, quiet);
        }
        assert_eq!(w, start);
    }

    #[test]
    fn checks_until_done_or_limit() {
        let mut n = 0;
        assert!(spin_until(SPIN, || {
            n += 1;
            n == 3
        }));
        assert!(!spin_until(Duration::from_micros(200), || false));
    }
}
