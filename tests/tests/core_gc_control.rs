//! jlrs-core: turning collection off and on from Rust (`enable_gc`, `gc_is_enabled`,
//! `disable_gc`'s guard, `gc_safepoint`), with Julia code changing it meanwhile.

use std::{
    cell::RefCell,
    panic::{catch_unwind, AssertUnwindSafe},
    sync::{
        atomic::{AtomicBool, Ordering},
        Arc,
    },
    time::Duration,
};

use jlrs_core::{gc_control::GcDisabledGuard, hosted::Hosted, GcFrame, Julia};
use jlrs_tests::{julia, watchdog};

/// How many collections Julia has run (its own count).
fn pauses(frame: &mut GcFrame<'_>) -> i64 {
    frame
        .eval("Int(Base.gc_num().pause)")
        .unwrap()
        .unbox::<i64>()
        .unwrap()
}

/// Whether a forced collection runs now.
fn collects(frame: &mut GcFrame<'_>) -> bool {
    let before = pauses(frame);
    frame.collect_garbage(true);
    pauses(frame) > before
}

fn julia_sees_enabled(frame: &mut GcFrame<'_>) -> bool {
    // `GC.enable` returns the previous state; set it back at once.
    let on = frame
        .eval("let on = GC.enable(true); GC.enable(on); on end")
        .unwrap()
        .unbox::<bool>()
        .unwrap();
    on
}

#[test]
fn enable_gc_turns_collection_off_and_on_and_reports_the_previous_state() {
    julia().run(|j| {
        j.scope(|mut frame| {
            assert!(frame.gc_is_enabled());
            assert!(collects(&mut frame));
            assert!(frame.enable_gc(false), "it was on");
            assert!(!frame.gc_is_enabled());
            assert!(!julia_sees_enabled(&mut frame));
            assert!(!collects(&mut frame), "collected while off");
            assert!(!frame.enable_gc(false), "it was off");
            assert!(!frame.enable_gc(true), "it was off");
            assert!(frame.gc_is_enabled());
            assert!(julia_sees_enabled(&mut frame));
            assert!(collects(&mut frame));
        });
    });
}

#[test]
fn the_guard_turns_collection_off_and_restores_it() {
    julia().run(|j| {
        j.scope(|mut frame| {
            {
                let _guard = frame.disable_gc();
                assert!(!frame.gc_is_enabled());
                assert!(!collects(&mut frame), "collected under the guard");
                // Values made meanwhile are fine.
                let v = frame.eval("sum(rand(10_000) .* 0) + 3").unwrap();
                assert_eq!(v.unbox::<f64>().unwrap(), 3.0);
            }
            assert!(frame.gc_is_enabled());
            assert!(collects(&mut frame));

            // Off before the guard: still off after it.
            frame.enable_gc(false);
            drop(frame.disable_gc());
            assert!(!frame.gc_is_enabled(), "the guard turned collection on");
            frame.enable_gc(true);
        });
        // The context has the same methods.
        let guard = j.disable_gc();
        assert!(!j.gc_is_enabled());
        drop(guard);
        assert!(j.gc_is_enabled());
    });
}

#[test]
fn guards_nest_and_may_be_dropped_in_any_order() {
    julia().run(|j| {
        j.scope(|mut frame| {
            let first = frame.disable_gc();
            let second = frame.disable_gc();
            drop(first);
            assert!(!frame.gc_is_enabled(), "on while a guard lives");
            assert!(!collects(&mut frame));
            let third = frame.disable_gc();
            drop(second);
            assert!(!frame.gc_is_enabled(), "on while a guard lives");
            drop(third);
            assert!(frame.gc_is_enabled(), "off after the last guard");
            assert!(collects(&mut frame));
        });
    });
}

#[test]
fn julia_code_may_change_the_state_under_a_guard() {
    julia().run(|j| {
        j.scope(|mut frame| {
            let guard = frame.disable_gc();
            // Julia turns it back on: that holds until the guard goes.
            assert!(!frame
                .eval("GC.enable(true)")
                .unwrap()
                .unbox::<bool>()
                .unwrap());
            assert!(frame.gc_is_enabled());
            assert!(collects(&mut frame));
            drop(guard);
            assert!(frame.gc_is_enabled());

            // Julia turns it off under a guard: the guard restores the state it found.
            let guard = frame.disable_gc();
            frame.eval("GC.enable(false)").unwrap();
            drop(guard);
            assert!(frame.gc_is_enabled(), "the guard did not restore the state");
            assert!(collects(&mut frame));
        });
    });
}

thread_local! {
    static GUARD: RefCell<Option<GcDisabledGuard>> = const { RefCell::new(None) };
}

#[test]
fn a_guard_dropped_inside_a_gc_safe_region_still_restores_the_state() {
    julia().run(|j: &mut Julia| {
        GUARD.with(|g| *g.borrow_mut() = Some(j.disable_gc()));
        assert!(!j.gc_is_enabled());
        j.gc_safe(|| GUARD.with(|g| drop(g.borrow_mut().take())));
        assert!(j.gc_is_enabled());
        j.scope(|mut frame| assert!(collects(&mut frame)));
    });
}

#[test]
fn the_controls_refuse_a_gc_safe_region() {
    let messages = julia().run(|j| {
        // A frame smuggled into the region through a thread-local.
        let stack: &'static mut jlrs_core::RootStack = Box::leak(Box::new(j.new_root_stack()));
        let frame: GcFrame<'static> = stack.frame();
        thread_local! {
            static FRAME: RefCell<Option<GcFrame<'static>>> = const { RefCell::new(None) };
        }
        FRAME.with(|f| *f.borrow_mut() = Some(frame));
        let calls: [fn(&mut GcFrame<'static>); 4] = [
            |f| {
                let _ = f.enable_gc(false);
            },
            |f| {
                let _ = f.gc_is_enabled();
            },
            |f| f.gc_safepoint(),
            |f| drop(f.disable_gc()),
        ];
        let mut messages = Vec::new();
        for call in calls {
            let outcome = j.gc_safe(|| {
                catch_unwind(AssertUnwindSafe(|| {
                    FRAME.with(|f| call(f.borrow_mut().as_mut().unwrap()))
                }))
            });
            messages.push(
                outcome
                    .map(|()| "no panic".to_string())
                    .unwrap_or_else(|p| jlrs_core::panic_message(&*p)),
            );
        }
        FRAME.with(|f| f.borrow_mut().take());
        assert!(j.gc_is_enabled());
        messages
    });
    for m in messages {
        assert!(m.contains("GC-safe"), "{m}");
    }
}

#[test]
fn a_safepoint_lets_another_threads_collection_run() {
    let _dog = watchdog(
        "a collection waiting for a safepoint",
        Duration::from_secs(120),
    );
    let done = Arc::new(AtomicBool::new(false));
    let handle = julia().run({
        let done = done.clone();
        move |j| {
            let collector = {
                let done = done.clone();
                Hosted::on_thread(2)
                    .spawn(j, move |j: &mut Julia| {
                        j.collect_garbage(true);
                        done.store(true, Ordering::Release);
                    })
                    .expect("thread 2 free")
            };
            // A Rust loop that never calls Julia: the collection on thread 2 waits for
            // this thread until it reaches a safepoint.
            j.scope(|mut frame| {
                while !done.load(Ordering::Acquire) {
                    frame.gc_safepoint();
                    std::hint::spin_loop();
                }
            });
            collector
        }
    });
    handle.join();
    assert!(done.load(Ordering::Acquire));
}
