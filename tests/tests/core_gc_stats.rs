//! GC statistics: Julia's counters and the timed pauses move with collections, can be
//! read from a thread that is not Julia's, and a long pause is a `jlrs::gc` event.

use std::time::Duration;

use jlrs_core::gc_stats::{gc_stats, set_long_pause_threshold};
use jlrs_tests::{events, julia};

#[test]
fn collections_are_counted_and_timed_and_long_ones_reported() {
    events::record();
    let before = std::thread::spawn(gc_stats).join().unwrap();
    // Every pause is "long" for this test.
    set_long_pause_threshold(Duration::ZERO);
    julia().run(|j| {
        j.scope(|mut f| {
            f.eval("x = [rand(1000) for _ in 1:1000]; GC.gc(false); GC.gc(true); length(x)")
                .unwrap();
        });
    });
    set_long_pause_threshold(Duration::from_secs(3600));
    // Read from a thread that is not one of Julia's.
    let after = std::thread::spawn(gc_stats).join().unwrap();
    assert!(
        after.collections >= before.collections + 2,
        "{before:?} {after:?}"
    );
    assert!(
        after.full_collections > before.full_collections,
        "{before:?} {after:?}"
    );
    assert!(after.pauses >= before.pauses + 2, "{before:?} {after:?}");
    assert_eq!(
        after.pauses, after.collections,
        "every collection is timed: {after:?}"
    );
    assert!(after.gc_time > before.gc_time, "{before:?} {after:?}");
    assert!(
        after.total_pause > before.total_pause,
        "{before:?} {after:?}"
    );
    assert!(after.longest_pause >= after.last_pause && after.last_pause > Duration::ZERO);
    // A pause includes Julia's collection time and more (stopping the world).
    assert!(after.total_pause >= after.gc_time, "{after:?}");
    assert!(
        after.allocated_bytes >= before.allocated_bytes + 8_000_000,
        "{before:?} {after:?}"
    );
    let reported = events::matching("jlrs::gc");
    assert!(reported >= 2, "{:?}", events::events());
    assert!(events::matching("full=true") >= 1, "{:?}", events::events());
}
