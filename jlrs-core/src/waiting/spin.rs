//! Waiting briefly before blocking, without taking a core from a thread that has work: a
//! hand-off that completes within the window costs no kernel wake-up on either side.
//!
//! A waiting thread checks its condition in two phases, then blocks:
//!
//! 1. it *spins* (checks in a tight loop) for its hot window, at most `SPIN_HOT`
//!    (4 µs): long enough for an uncontended round trip;
//! 2. it keeps checking but *yields its core* between checks until its whole window, at
//!    most `SPIN` (50 µs), has passed; a yield that let another thread run ends this phase
//!    early (one more check, then it blocks), so that the kernel's wake-up can place the
//!    thread on a free core: two threads that only yield to each other would otherwise
//!    share one core for as long as they run.
//!
//! The windows are per thread and adapt to what the thread saw lately
//! (`spin_until_adaptive`):
//!
//! - the whole window doubles (up to `SPIN`) each time the value arrived while the
//!   thread was checking, and halves (down to `SPIN_HOT`) each time it had to block
//!   anyway: a thread whose waits are long stops burning a core on them;
//! - the hot window halves (down to nothing) each time a yield let another thread run,
//!   that is, each time the thread found its core wanted by another, and doubles again
//!   (up to `SPIN_HOT`) after a wait in which no yield did; a thread that has stopped
//!   spinning tries the full hot window again after 1 ms (its yields cannot tell whether
//!   the thread it waits for shares its core or another busy thread does);
//! - a yield that kept the thread off its core for long (a busy thread of another
//!   process took the core for a scheduler slice, milliseconds) turns yielding off for
//!   the thread for a while (10 ms, doubling up to 1 s while it keeps happening): it then
//!   blocks right after its hot window, and the kernel's wake-up puts it back on a core.
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
#[doc(hidden)]
pub const SPIN: Duration = Duration::from_micros(50);

/// The longest a waiting thread spins without yielding its core.
#[doc(hidden)]
pub const SPIN_HOT: Duration = Duration::from_micros(4);

/// The smallest hot window that grows again (below it, the thread yields at once).
const HOT_MIN: Duration = Duration::from_nanos(250);

/// A yield that took longer than this ran another thread meanwhile: on the 2-core VM this
/// was tuned on, a bare `sched_yield` takes about 0.5 µs, and one that switches to another
/// thread and back at least 2.3 µs (two context switches).
const YIELD_SWITCHED: Duration = Duration::from_nanos(1500);

/// A yield that took longer than this lost the core to a thread that did not give it back
/// soon (ours hand it back within microseconds).
const YIELD_STARVED: Duration = Duration::from_micros(200);

/// How long a thread waits without hot spinning before it tries hot spinning again.
const HOT_RETRY: Duration = Duration::from_millis(1);

/// How long yielding stays off after the first starved yield; doubled while it recurs.
const NO_YIELD_MIN: Duration = Duration::from_millis(10);
const NO_YIELD_MAX: Duration = Duration::from_secs(1);

/// How a wait went.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
struct Outcome {
    /// The value arrived while checking.
    got: bool,
    /// A yield let another thread run: the core was wanted.
    contended: bool,
    /// A yield kept the thread off its core for longer than [`YIELD_STARVED`].
    starved: bool,
    /// The thread yielded at least once.
    yielded: bool,
}

/// Checks `done` until it returns `true` or `limit` has passed: spins for `hot`, then
/// yields the core between checks.
fn check(limit: Duration, hot: Duration, mut done: impl FnMut() -> bool) -> Outcome {
    let start = Instant::now();
    let hot = limit.min(hot);
    let mut outcome = Outcome::default();
    loop {
        if done() {
            outcome.got = true;
            return outcome;
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
            outcome.got = true;
            return outcome;
        }
        let before = Instant::now();
        if before.duration_since(start) >= limit {
            return outcome;
        }
        std::thread::yield_now();
        let took = before.elapsed();
        outcome.yielded = true;
        outcome.starved = took > YIELD_STARVED;
        if took > YIELD_SWITCHED {
            // Another thread wanted this core: look once more, then block, so that the
            // kernel's wake-up may place this thread on a free core (threads that only
            // yield to each other would share one core for as long as they run).
            outcome.contended = true;
            outcome.got = done();
            return outcome;
        }
    }
}

/// Checks `done` until it returns `true` or `limit` has passed; returns whether it did.
/// Spins for at most `SPIN_HOT`, then yields the core between checks.
pub fn spin_until(limit: Duration, done: impl FnMut() -> bool) -> bool {
    check(limit, SPIN_HOT, done).got
}

/// A thread's adaptive windows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Windows {
    /// The whole window: hot spinning, then yielding.
    whole: Duration,
    /// The hot window.
    hot: Duration,
    /// How long yielding is turned off after the next starved yield.
    no_yield: Duration,
    /// Yielding is off until then.
    no_yield_until: Option<Instant>,
    /// When the hot window dropped below [`HOT_MIN`], if it has.
    cold_since: Option<Instant>,
}

impl Windows {
    const START: Windows = Windows {
        whole: SPIN,
        hot: SPIN_HOT,
        no_yield: NO_YIELD_MIN,
        no_yield_until: None,
        cold_since: None,
    };

    /// The window to check for now: without yielding, only the hot one.
    fn limit(&self, now: Instant) -> Duration {
        match self.no_yield_until {
            Some(until) if now < until => self.hot,
            _ => self.whole,
        }
    }

    /// The windows after a wait that ended at `now` with `outcome`.
    fn adapt(self, outcome: Outcome, now: Instant) -> Windows {
        let whole = if outcome.got {
            (self.whole * 2).clamp(SPIN_HOT, SPIN)
        } else {
            (self.whole / 2).max(SPIN_HOT)
        };
        let mut hot = if outcome.contended {
            self.hot / 2
        } else {
            (self.hot * 2).clamp(HOT_MIN, SPIN_HOT)
        };
        // A thread that no longer spins learns nothing more about spinning: every yield
        // of a core shared with any busy thread looks contended. Try the full hot window
        // again now and then; if the core is still crowded, it shrinks again within a few
        // waits.
        let mut cold_since = if hot < HOT_MIN {
            self.cold_since.or(Some(now))
        } else {
            None
        };
        if cold_since.is_some_and(|t| now.duration_since(t) >= HOT_RETRY) {
            (hot, cold_since) = (SPIN_HOT, None);
        }
        let (no_yield, no_yield_until) = if outcome.starved {
            (
                (self.no_yield * 2).min(NO_YIELD_MAX),
                Some(now + self.no_yield),
            )
        } else if outcome.yielded {
            (NO_YIELD_MIN, None)
        } else {
            (self.no_yield, self.no_yield_until)
        };
        Windows {
            whole,
            hot,
            no_yield,
            no_yield_until,
            cold_since,
        }
    }
}

thread_local! {
    static WINDOWS: Cell<Windows> = const { Cell::new(Windows::START) };
}

/// [`spin_until`] with this thread's adaptive windows (see the module docs); returns
/// whether `done` returned `true`.
#[doc(hidden)]
pub fn spin_until_adaptive(done: impl FnMut() -> bool) -> bool {
    let windows = WINDOWS.with(Cell::get);
    let outcome = check(windows.limit(Instant::now()), windows.hot, done);
    WINDOWS.with(|w| w.set(windows.adapt(outcome, Instant::now())));
    outcome.got
}

/// Tries `attempt` on `source` while checking as `spin_until_adaptive` does; if it never
/// yields a value, blocks with `block`.
#[doc(hidden)]
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

#[cfg(test)]
mod test {
    use super::*;

    fn outcome(got: bool, contended: bool, starved: bool) -> Outcome {
        Outcome {
            got,
            contended,
            starved,
            yielded: contended || starved,
        }
    }

    #[test]
    fn windows_adapt() {
        let now = Instant::now();
        let missed = outcome(false, false, false);
        let crowded = outcome(true, true, false);
        let quiet = outcome(true, false, false);
        // Blocking anyway shrinks the whole window, never below the hot limit.
        let mut w = Windows::START;
        for _ in 0..20 {
            w = w.adapt(missed, now);
        }
        assert_eq!(w.whole, SPIN_HOT);
        // Success grows it back to the limit.
        for _ in 0..20 {
            w = w.adapt(quiet, now);
        }
        assert_eq!(w, Windows::START);
        // A contended core stops hot spinning altogether...
        for _ in 0..20 {
            w = w.adapt(crowded, now);
        }
        assert!(w.hot < HOT_MIN, "{w:?}");
        assert_eq!(w.whole, SPIN);
        // ...and tries it again after a while.
        let retried = w.adapt(crowded, now + HOT_RETRY);
        assert_eq!(retried.hot, SPIN_HOT);
        // ...until waits are quiet again.
        for _ in 0..20 {
            w = w.adapt(quiet, now);
        }
        assert_eq!(w, Windows::START);
    }

    #[test]
    fn starved_yields_turn_yielding_off_for_a_while() {
        let now = Instant::now();
        let w = Windows::START.adapt(outcome(false, true, true), now);
        // Off for the first period: only the hot window is checked.
        assert_eq!(w.limit(now), w.hot);
        assert_eq!(
            w.limit(now + NO_YIELD_MIN - Duration::from_micros(1)),
            w.hot
        );
        assert_eq!(w.limit(now + NO_YIELD_MIN), w.whole);
        // Starved again: the next period is twice as long, up to the maximum.
        let later = now + NO_YIELD_MIN;
        let w2 = w.adapt(outcome(false, true, true), later);
        assert_eq!(
            w2.limit(later + 2 * NO_YIELD_MIN - Duration::from_micros(1)),
            w2.hot
        );
        let mut w3 = w2;
        for _ in 0..20 {
            w3 = w3.adapt(outcome(false, true, true), later);
        }
        assert_eq!(w3.no_yield, NO_YIELD_MAX);
        // Waits that succeed without yielding keep the period; a yield that was not
        // starved ends it.
        let w4 = w3.adapt(outcome(true, false, false), later);
        assert_eq!(w4.no_yield_until, w3.no_yield_until);
        let w5 = w4.adapt(outcome(true, true, false), later);
        assert_eq!((w5.no_yield, w5.no_yield_until), (NO_YIELD_MIN, None));
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
