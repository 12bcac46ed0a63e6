//! jlrs-core: a value made in a nested scope leaves it through a slot reserved in an
//! outer frame ([`GcFrame::output`], [`Value::root`]), and stays rooted there.

use std::{
    cell::RefCell,
    panic::{catch_unwind, AssertUnwindSafe},
};

use jlrs_core::{GcFrame, JlResult, Output, RootStack, Value};
use jlrs_tests::julia;

/// Julia code that makes objects whose finalizer counts them when they are collected.
const TRACKED: &str = r#"
mutable struct JlrsOutputTracked
    x::Int
end
const jlrs_output_collected = Ref(0)
function jlrs_output_tracked(x)
    t = JlrsOutputTracked(x)
    finalizer(_ -> (jlrs_output_collected[] += 1), t)
    t
end
nothing
"#;

fn define_tracked(frame: &mut GcFrame<'_>) {
    let defined = frame
        .eval("isdefined(Main, :JlrsOutputTracked)")
        .unwrap()
        .unbox::<bool>()
        .unwrap();
    if !defined {
        frame.eval(TRACKED).unwrap();
    }
}

fn collected(frame: &mut GcFrame<'_>) -> i64 {
    frame
        .eval("jlrs_output_collected[]")
        .unwrap()
        .unbox::<i64>()
        .unwrap()
}

/// Makes a tracked object in a nested scope, with other garbage, and returns it through an
/// output of `frame`: the helper pattern upstream writes with `frame.output()`.
fn make_tracked<'s>(frame: &mut GcFrame<'s>, x: i64) -> JlResult<Value<'s>> {
    let output = frame.output();
    frame.scope(|mut inner| {
        for _ in 0..10 {
            inner.eval("rand(100)")?;
        }
        let x = inner.box_value(x);
        let t = inner.call("jlrs_output_tracked", &[x])?;
        Ok(t.root(output))
    })
}

#[test]
fn a_value_leaves_its_scope_through_an_output_and_survives_collections() {
    julia().run(|j| {
        j.scope(|mut frame| {
            define_tracked(&mut frame);
            let before = frame.n_roots();
            let t = make_tracked(&mut frame, 42).unwrap();
            // Only the reserved slot is left of the inner scope's roots.
            assert_eq!(frame.n_roots(), before + 1);
            let start = collected(&mut frame);
            for _ in 0..3 {
                frame.scope(|mut f| {
                    for _ in 0..100 {
                        f.eval("rand(1000)").unwrap();
                    }
                });
                frame.collect_garbage(true);
            }
            // Nothing was collected: the value is rooted in the outer frame.
            assert_eq!(collected(&mut frame), start);
            assert_eq!(t.type_name(), "JlrsOutputTracked");
            assert_eq!(
                t.field(&mut frame, "x").unwrap().unbox::<i64>().unwrap(),
                42
            );
        });
        // Once the frame is gone, the value can be collected: the slot was a real root.
        j.scope(|mut frame| {
            let start = collected(&mut frame);
            frame.scope(|mut f| {
                let _ = make_tracked(&mut f, 1).unwrap();
            });
            frame.collect_garbage(true);
            frame.collect_garbage(true);
            assert!(
                collected(&mut frame) > start,
                "the value was never unrooted"
            );
        });
    });
}

#[test]
fn a_long_loop_keeps_one_root_per_result() {
    julia().run(|j| {
        j.scope(|mut frame| {
            let before = frame.n_roots();
            let mut results = Vec::new();
            for i in 0..200i64 {
                let output = frame.output();
                let v = frame.scope(|mut inner| {
                    let a = inner.box_value(i);
                    let b = inner.box_value(2i64);
                    let p = inner.call("*", &[a, b]).unwrap();
                    let s = inner.call("string", &[p]).unwrap();
                    s.root(output)
                });
                results.push(v);
            }
            assert_eq!(frame.n_roots(), before + 200);
            frame.collect_garbage(true);
            for (i, v) in results.into_iter().enumerate() {
                assert_eq!(v.unbox::<String>().unwrap(), (2 * i).to_string());
            }
        });
    });
}

#[test]
fn an_output_can_skip_scopes_and_be_reserved_in_a_nested_frame() {
    julia().run(|j| {
        j.scope(|mut frame| {
            let output = frame.output();
            let v = frame.scope(|mut inner| {
                let inner_output = inner.output();
                let w = inner
                    .scope(|mut innermost| innermost.eval("[1, 2, 3]").unwrap().root(inner_output));
                let n = inner.call("sum", &[w]).unwrap();
                inner.scope(|mut innermost| {
                    let m = innermost.call("-", &[n]).unwrap();
                    Output::root(output, m)
                })
            });
            frame.collect_garbage(true);
            assert_eq!(v.unbox::<i64>().unwrap(), -6);
        });
    });
}

#[test]
fn an_output_carries_a_value_out_of_an_async_scope() {
    julia().run(|j| {
        let mut stack = j.new_root_stack();
        let mut frame = stack.frame();
        let output = frame.output();
        let before = frame.n_roots();
        let v = smol::block_on(frame.async_scope(async move |mut inner| {
            let v = inner.eval("\"async \" * \"scope\"").unwrap();
            smol::future::yield_now().await;
            inner.eval("rand(1000)").unwrap();
            v.root(output)
        }));
        assert_eq!(frame.n_roots(), before);
        frame.collect_garbage(true);
        assert_eq!(v.unbox::<String>().unwrap(), "async scope");
    });
}

thread_local! {
    static OUTPUT: RefCell<Option<Output<'static>>> = const { RefCell::new(None) };
    static VALUE: RefCell<Option<Value<'static>>> = const { RefCell::new(None) };
}

#[test]
fn rooting_through_an_output_inside_a_gc_safe_region_panics() {
    let message = julia().run(|j| {
        let stack: &'static mut RootStack = Box::leak(Box::new(j.new_root_stack()));
        let mut frame = stack.frame();
        let v = frame.box_value(7i64);
        let output = frame.output();
        OUTPUT.with(|o| *o.borrow_mut() = Some(output));
        VALUE.with(|x| *x.borrow_mut() = Some(v));
        let outcome = j.gc_safe(|| {
            catch_unwind(AssertUnwindSafe(|| {
                let output = OUTPUT.with(|o| o.borrow_mut().take().unwrap());
                let v = VALUE.with(|x| x.borrow_mut().take().unwrap());
                let _ = v.root(output);
            }))
        });
        let message = outcome
            .map(|()| "no panic".to_string())
            .unwrap_or_else(|p| jlrs_core::panic_message(&*p).to_string());
        // The frame still works outside the region.
        assert_eq!(frame.eval("1 + 1").unwrap().unbox::<i64>().unwrap(), 2);
        message
    });
    assert!(message.contains("GC-safe"), "{message}");
}
