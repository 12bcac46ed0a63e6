//! jlrs-core: Rust closures run off-thread whose results Julia code waits for as Julia
//! tasks (`spawn_background_task`): fetched by Julia code and by Rust on the runtime
//! thread, panics as Julia exceptions, many at once, and a task whose Rust root is gone
//! before its closure ends.

use std::{sync::mpsc, time::Duration};

use jlrs_core::{thread_state::ThreadState, JuliaError};
use jlrs_tests::{julia, watchdog};

#[test]
fn julia_code_on_the_runtime_thread_fetches_the_result() {
    let _dog = watchdog("Julia fetches a background task", Duration::from_secs(120));
    julia().run(|julia| {
        julia.scope(|mut frame| {
            frame.eval(UNTIL_WAITING).unwrap();
            let (release, gate) = mpsc::channel::<()>();
            let task = frame
                .spawn_background_task(move || {
                    gate.recv().unwrap();
                    (1..=10u64).product::<u64>()
                })
                .unwrap();
            frame.set_global("bg_product", task.as_value()).unwrap();
            frame.call("bg_until_waiting", &[task.as_value()]).unwrap();
            release.send(()).unwrap();
            let got = frame
                .eval("fetch(bg_product)")
                .unwrap()
                .unbox::<u64>()
                .unwrap();
            assert_eq!(got, 3_628_800);
            let ty = frame.eval("string(typeof(bg_product))").unwrap();
            assert_eq!(ty.unbox::<String>().unwrap(), "Task");

            // Strings and tuples convert too; the closure ran on a thread that is not
            // one of Julia's.
            let task = frame
                .spawn_background_task(|| {
                    let foreign = jlrs_core::thread_state::current() == ThreadState::Foreign;
                    (format!("off {}", "thread"), foreign)
                })
                .unwrap();
            frame.set_global("bg_tuple", task.as_value()).unwrap();
            let got = frame.eval("fetch(bg_tuple)").unwrap();
            assert_eq!(
                got.unbox::<(String, bool)>().unwrap(),
                ("off thread".to_string(), true)
            );
        })
    });
}

/// Julia code that returns once `task` waits in a queue (on its condition), so that the
/// closure's end must wake it.
const UNTIL_WAITING: &str = "bg_until_waiting(t) = while t.queue === nothing; sleep(0.001); end";

#[test]
fn rust_waits_in_julia_while_the_closure_blocks() {
    let _dog = watchdog("Rust fetches a background task", Duration::from_secs(120));
    let (release, gate) = mpsc::channel::<i64>();
    julia().run(move |julia| {
        julia.scope(|mut frame| {
            frame.eval(UNTIL_WAITING).unwrap();
            let task = frame
                .spawn_background_task(move || gate.recv().unwrap() + 1)
                .unwrap();
            // The task waits on its condition before the closure ends; from the release
            // on, the runtime thread is in Rust until it waits inside Julia's `fetch`,
            // whose event loop must deliver the wake-up.
            frame.call("bg_until_waiting", &[task.as_value()]).unwrap();
            release.send(41).unwrap();
            assert_eq!(task.fetch(&mut frame).unwrap().unbox::<i64>().unwrap(), 42);
            assert!(task.is_done() && !task.is_failed());
        })
    });
}

#[test]
fn a_panicking_closure_becomes_a_julia_exception() {
    let _dog = watchdog("a panicking background task", Duration::from_secs(120));
    julia().run(|julia| {
        julia.scope(|mut frame| {
            let task = frame
                .spawn_background_task(|| -> i64 { panic!("no answer today") })
                .unwrap();
            frame.set_global("bg_panic", task.as_value()).unwrap();
            let seen = frame
                .eval(
                    "try fetch(bg_panic); \"no error\" catch e; \
                     string(nameof(typeof(e.task.exception)), \": \", e.task.exception.msg) end",
                )
                .unwrap()
                .unbox::<String>()
                .unwrap();
            assert_eq!(seen, "RustPanic: no answer today");
            assert!(task.is_failed());

            match task.fetch(&mut frame).unwrap_err() {
                JuliaError::Exception(e) => {
                    assert!(e.type_name().ends_with("RustPanic"), "{e}");
                    assert!(e.message().contains("no answer today"), "{e}");
                }
                other => panic!("expected a Julia exception, got {other:?}"),
            }
        })
    });
}

#[test]
fn many_background_tasks_at_once() {
    const N: u64 = 64;
    let _dog = watchdog("many background tasks", Duration::from_secs(180));
    julia().run(|julia| {
        julia.scope(|mut frame| {
            frame.eval(UNTIL_WAITING).unwrap();
            let tasks = frame.eval("bg_many = Task[]").unwrap();
            let mut releases = Vec::new();
            for i in 0..N {
                let (release, gate) = mpsc::channel::<()>();
                releases.push(release);
                let task = frame
                    .spawn_background_task(move || {
                        gate.recv().unwrap();
                        i * i
                    })
                    .unwrap();
                frame.call("push!", &[tasks, task.as_value()]).unwrap();
            }
            // Every task waits before any closure ends.
            frame.eval("foreach(bg_until_waiting, bg_many)").unwrap();
            releases.into_iter().for_each(|r| r.send(()).unwrap());
            let total = frame
                .eval("sum(fetch.(bg_many))")
                .unwrap()
                .unbox::<u64>()
                .unwrap();
            assert_eq!(total, (0..N).map(|i| i * i).sum::<u64>());
        })
    });
}

#[test]
fn a_task_whose_root_is_gone_still_ends_with_its_result() {
    let _dog = watchdog("an unrooted background task", Duration::from_secs(120));
    let (release, gate) = mpsc::channel::<()>();
    julia().run(move |julia| {
        julia.scope(|mut frame| {
            frame.eval(UNTIL_WAITING).unwrap();
            frame.scope(|mut inner| {
                let task = inner
                    .spawn_background_task(move || {
                        gate.recv().unwrap();
                        ["kept"; 3].join(" ")
                    })
                    .unwrap();
                inner.call("bg_until_waiting", &[task.as_value()]).unwrap();
                // Only a weak reference is left once the scope ends.
                let weak = inner.call("WeakRef", &[task.as_value()]).unwrap();
                inner.set_global("bg_weak", weak).unwrap();
            });
            for _ in 0..3 {
                frame.collect_garbage(true);
            }
            release.send(()).unwrap();
            // The waiting task is kept alive by the condition it waits on.
            let got = frame
                .eval("bg_weak.value === nothing ? \"collected\" : fetch(bg_weak.value)")
                .unwrap()
                .unbox::<String>()
                .unwrap();
            assert_eq!(got, "kept kept kept");
        })
    });
}
