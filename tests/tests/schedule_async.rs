//! jlrs-core: Julia tasks started without being awaited (`schedule_async`,
//! `schedule_async_kw`) and held as `JuliaTask`s: results, the task's own exception (kept
//! until someone fetches it), keyword arguments, Julia code waiting on them, and bad input.

use std::time::Duration;

use jlrs_core::{JuliaError, JuliaTask};
use jlrs_tests::{julia, watchdog};

/// The Julia exception of `err`, as `(type, message)`.
fn exception(err: JuliaError) -> (String, String) {
    match err {
        JuliaError::Exception(e) => (e.type_name().to_string(), e.message().to_string()),
        other => panic!("expected a Julia exception, got {other:?}"),
    }
}

#[test]
fn a_scheduled_task_runs_without_being_awaited_and_is_fetched_later() {
    let _dog = watchdog("schedule_async and fetch", Duration::from_secs(120));
    julia().run(|julia| {
        julia.scope(|mut frame| {
            frame
                .eval("sched_gate = Channel{Int}(1); gated_add(a) = take!(sched_gate) + a")
                .unwrap();
            let f = frame.global("gated_add").unwrap();
            let a = frame.box_value(40i64);
            let task = frame.schedule_async(f, &[a]).unwrap();
            // The call returned while the task waits for the gate.
            assert!(!task.is_done(), "{task:?}");
            frame.collect_garbage(true);
            frame.eval("put!(sched_gate, 2)").unwrap();
            assert_eq!(task.fetch(&mut frame).unwrap().unbox::<i64>().unwrap(), 42);
            assert!(task.is_done() && !task.is_failed(), "{task:?}");
            // Fetching again gives the same value.
            assert_eq!(task.fetch(&mut frame).unwrap().unbox::<i64>().unwrap(), 42);

            // Julia code fetches the same task.
            frame.set_global("sched_t", task.as_value()).unwrap();
            let from_julia = frame
                .eval("fetch(sched_t)")
                .unwrap()
                .unbox::<i64>()
                .unwrap();
            assert_eq!(from_julia, 42);
        })
    });
}

#[test]
fn a_failing_task_keeps_its_exception_until_fetched() {
    let _dog = watchdog("a failing scheduled task", Duration::from_secs(120));
    julia().run(|julia| {
        julia.scope(|mut frame| {
            let f = frame.global("sqrt").unwrap();
            let x = frame.box_value(-1.0f64);
            let task = frame.schedule_async(f, &[x]).unwrap();
            frame.set_global("sched_failing", task.as_value()).unwrap();
            // Nobody fetches it; Julia code waits for its end without looking at it.
            frame
                .eval("try wait(sched_failing) catch end; nothing")
                .unwrap();
            assert!(task.is_done() && task.is_failed(), "{task:?}");

            // The exception is still there, as the task's own (not a TaskFailedException).
            for _ in 0..2 {
                let (ty, msg) = exception(task.fetch(&mut frame).unwrap_err());
                assert_eq!(ty, "DomainError", "{msg}");
                assert!(msg.contains("sqrt"), "{msg}");
            }
            // Julia's own fetch wraps it, as Julia does.
            let seen = frame
                .eval(
                    "try fetch(sched_failing); \"no error\" catch e; \
                     string(typeof(e), \" of \", typeof(e.task.exception)) end",
                )
                .unwrap()
                .unbox::<String>()
                .unwrap();
            assert_eq!(seen, "TaskFailedException of DomainError");
        })
    });
}

#[test]
fn keyword_arguments_reach_the_task() {
    let _dog = watchdog("schedule_async_kw", Duration::from_secs(120));
    julia().run(|julia| {
        julia.scope(|mut frame| {
            frame
                .eval("sched_scaled(x; by = 1, plus = 0) = x * by + plus")
                .unwrap();
            let f = frame.global("sched_scaled").unwrap();
            let x = frame.box_value(3i64);
            let by = frame.box_value(5i64);
            let plus = frame.box_value(1i64);
            let task = frame
                .schedule_async_kw(f, &[x], &[("by", by), ("plus", plus)])
                .unwrap();
            assert_eq!(task.fetch(&mut frame).unwrap().unbox::<i64>().unwrap(), 16);

            let none = frame.schedule_async_kw(f, &[x], &[]).unwrap();
            assert_eq!(none.fetch(&mut frame).unwrap().unbox::<i64>().unwrap(), 3);

            // A named tuple made by Julia serves as the keyword arguments too.
            let nt = frame
                .eval("(by = 2, plus = 10)")
                .unwrap()
                .cast::<jlrs_core::NamedTuple>()
                .unwrap();
            let task = frame.schedule_async_kw(f, &[x], nt).unwrap();
            assert_eq!(task.fetch(&mut frame).unwrap().unbox::<i64>().unwrap(), 16);

            // An unknown keyword fails the task, and the fetch says so.
            let task = frame.schedule_async_kw(f, &[x], &[("scale", by)]).unwrap();
            let (ty, msg) = exception(task.fetch(&mut frame).unwrap_err());
            assert_eq!(ty, "MethodError", "{msg}");

            // A name given twice is refused before anything is scheduled.
            let err = frame
                .schedule_async_kw(f, &[x], &[("by", by), ("by", plus)])
                .unwrap_err();
            assert!(
                matches!(err, JuliaError::DuplicateName(ref n) if n == "by"),
                "{err}"
            );
        })
    });
}

#[test]
fn bad_input_gets_clear_errors() {
    let _dog = watchdog("bad input for tasks", Duration::from_secs(120));
    julia().run(|julia| {
        julia.scope(|mut frame| {
            let one = frame.box_value(1i64);
            let err = JuliaTask::from_value(one).unwrap_err();
            assert!(
                matches!(err, JuliaError::WrongType { ref expected, ref found }
                    if expected == "Task" && found == "Int64"),
                "{err}"
            );

            // Not callable: the task fails with Julia's MethodError.
            let task = frame.schedule_async(one, &[one]).unwrap();
            let (ty, _) = exception(task.fetch(&mut frame).unwrap_err());
            assert_eq!(ty, "MethodError");

            // A task that would wait for itself: an error, not a hang.
            let me = frame.eval("current_task()").unwrap();
            let me = JuliaTask::from_value(me).unwrap();
            let (_, msg) = exception(me.fetch(&mut frame).unwrap_err());
            assert!(msg.contains("deadlock detected"), "{msg}");

            // A task Julia code made is a JuliaTask too.
            let made = frame.eval("Threads.@spawn 20 + 1").unwrap();
            let made = JuliaTask::from_value(made).unwrap();
            assert_eq!(made.fetch(&mut frame).unwrap().unbox::<i64>().unwrap(), 21);
        })
    });
}
