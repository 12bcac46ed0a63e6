//! jlrs-core: Julia cannot be called from a GC-safe region, even through a root stack or
//! frame smuggled in through a thread-local; the attempt is a clear error or panic.

use std::{
    cell::RefCell,
    panic::{catch_unwind, AssertUnwindSafe},
    time::Duration,
};

use jlrs_core::{Error, GcFrame, RootStack, Value};
use jlrs_tests::{julia, watchdog};

thread_local! {
    static STACK: RefCell<Option<RootStack>> = const { RefCell::new(None) };
    static FRAME: RefCell<Option<GcFrame<'static>>> = const { RefCell::new(None) };
    static VALUES: RefCell<Vec<Value<'static>>> = const { RefCell::new(Vec::new()) };
}

fn message(p: Box<dyn std::any::Any + Send>) -> String {
    jlrs_core::panic_message(&*p)
}

/// A collection forced on another thread at the same time makes a call that slips
/// through abort with "GC error (probable corruption)"; the check stops it first.
fn collections_meanwhile() -> impl Drop {
    /// Stops the collector and waits for it; holds thread 2 for one test at a time.
    struct Stop(
        async_channel::Sender<()>,
        Option<std::thread::JoinHandle<()>>,
        #[allow(dead_code)] jlrs_core::sync::GcSafeMutexGuard<'static, ()>,
    );
    impl Drop for Stop {
        fn drop(&mut self) {
            self.0.close();
            let _ = self.1.take().map(|t| t.join());
        }
    }
    static ONE: jlrs_core::sync::GcSafeMutex<()> = jlrs_core::sync::GcSafeMutex::new(());
    let one = ONE.lock();
    let (tx, rx) = async_channel::bounded::<()>(1);
    let collector = jlrs_core::hosted::Hosted::on_thread(2);
    let handle = julia()
        .run(move |j| {
            collector.spawn(j, move |j: &mut jlrs_core::Julia| {
                while !rx.is_closed() {
                    j.collect_garbage(false);
                    j.gc_safe(std::thread::yield_now);
                }
            })
        })
        .expect("thread 2 free");
    Stop(tx, Some(std::thread::spawn(move || handle.join())), one)
}

#[test]
fn a_thread_local_root_stack_cannot_make_a_frame_inside_gc_safe() {
    let _dog = watchdog("frames inside gc_safe", Duration::from_secs(60));
    let _collect = collections_meanwhile();
    let outcomes = julia().run(|j| {
        STACK.with(|s| *s.borrow_mut() = Some(j.new_root_stack()));
        let mut outcomes = Vec::new();
        for _ in 0..100 {
            let attempt = j.gc_safe(|| {
                catch_unwind(AssertUnwindSafe(|| {
                    STACK.with(|s| {
                        let mut s = s.borrow_mut();
                        let mut frame = s.as_mut().unwrap().frame();
                        frame.eval("sum(rand(1000))").map(|v| v.unbox::<f64>())
                    })
                }))
            });
            outcomes.push(attempt.map_err(message).map(|r| format!("{r:?}")));
        }
        // Outside the region the same stack works.
        let ok = STACK.with(|s| {
            let mut s = s.borrow_mut();
            let mut frame = s.as_mut().unwrap().frame();
            frame.eval("1 + 1").unwrap().unbox::<i64>().unwrap()
        });
        STACK.with(|s| s.borrow_mut().take());
        (outcomes, ok)
    });
    let (outcomes, ok) = outcomes;
    assert_eq!(ok, 2);
    for outcome in outcomes {
        let msg = outcome.expect_err("a frame was made inside a GC-safe region");
        assert!(msg.contains("GC-safe region"), "{msg}");
    }
}

#[test]
fn a_frame_kept_in_a_thread_local_cannot_call_julia_inside_blocking() {
    let _dog = watchdog("calls inside blocking", Duration::from_secs(60));
    let _collect = collections_meanwhile();
    let (errors, panics) = julia().run(|j| {
        let stack: &'static mut RootStack = Box::leak(Box::new(j.new_root_stack()));
        let mut frame = stack.frame();
        // `sum`, a vector and a `dims` value, for a keyword call made inside `blocking`.
        let kw_call = [
            frame.global("sum").unwrap(),
            frame.eval("rand(1000)").unwrap(),
            frame.box_value(1i64),
        ];
        // Made once here, so that inside `blocking` the call finds its keyword type cached.
        let [f, xs, dims] = kw_call;
        f.call_kw(&mut frame, &[xs], &[("dims", dims)]).unwrap();
        VALUES.with(|v| *v.borrow_mut() = kw_call.to_vec());
        FRAME.with(|f| *f.borrow_mut() = Some(frame));
        let mut errors = Vec::new();
        let mut panics = Vec::new();
        for _ in 0..100 {
            let (eval, call, global, kw, caught) = jlrs_core::blocking(|| {
                FRAME.with(|f| {
                    let mut f = f.borrow_mut();
                    let frame = f.as_mut().unwrap();
                    let eval = frame.eval("sum(rand(1000))").map(|_| ());
                    let call = frame.call("rand", &[]).map(|_| ());
                    let global = frame.global("Base.sqrt").map(|_| ());
                    let kw = VALUES.with(|v| {
                        let v = v.borrow();
                        v[0].call_kw(frame, &[v[1]], &[("dims", v[2])]).map(|_| ())
                    });
                    let caught = VALUES.with(|v| {
                        let v = v.borrow();
                        v[0].call_catch(frame, &[v[1]]).map(|_| ())
                    });
                    (eval, call, global, kw, caught)
                })
            });
            errors.extend([eval, call, global, kw, caught]);
            let boxed = jlrs_core::blocking(|| {
                catch_unwind(AssertUnwindSafe(|| {
                    FRAME.with(|f| {
                        f.borrow_mut().as_mut().unwrap().box_value(1i64);
                    })
                }))
            });
            panics.push(boxed.map_err(message));
        }
        FRAME.with(|f| f.borrow_mut().take());
        VALUES.with(|v| v.borrow_mut().clear());
        (errors, panics)
    });
    for e in errors {
        assert!(matches!(e, Err(Error::GcSafeRegion)), "{e:?}");
    }
    for p in panics {
        let msg = p.expect_err("a value was boxed inside a GC-safe region");
        assert!(msg.contains("GC-safe region"), "{msg}");
    }
}
