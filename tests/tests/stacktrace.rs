//! Stack traces as data: `tracing_call` and `attach_stacktrace` errors carry the frames
//! their exception was thrown through (function, file, line); ordinary calls do not look
//! for frames.

use jlrs_core::{Error, GcFrame, JuliaException, StackFrame};
use jlrs_tests::julia;

/// User code in a named file: `checked_sqrt` throws a `DomainError` on line 3.
const USER_CODE: &str = "\
# user code
function checked_sqrt(x)
    x < 0 && throw(DomainError(x, \"checked_sqrt needs x >= 0\"))
    return sqrt(x)
end
@noinline outer_sqrt(x) = checked_sqrt(x) + 1
scaled_sqrt(x; scale = 1) = checked_sqrt(scale * x)
";

fn define(f: &mut GcFrame<'_>) {
    f.include_string(USER_CODE, "user_math.jl").unwrap();
}

fn exception(err: Error) -> JuliaException {
    match err {
        Error::Exception(e) => e,
        other => panic!("expected a Julia exception, got {other:?}"),
    }
}

/// The Julia frames (C frames left out).
fn julia_frames(e: &JuliaException) -> Vec<StackFrame> {
    let frames = e
        .backtrace()
        .unwrap_or_else(|| panic!("no backtrace: {e:?}"));
    frames.iter().filter(|f| !f.from_c).cloned().collect()
}

fn assert_user_frame(frame: &StackFrame, function: &str, line: u32) {
    assert_eq!(frame.function, function, "{frame:?}");
    assert_eq!(frame.file, "user_math.jl", "{frame:?}");
    assert_eq!(frame.line, line, "{frame:?}");
}

#[test]
fn tracing_call_names_the_function_file_and_line_that_threw() {
    julia().run(|j| {
        j.scope(|mut f| {
            define(&mut f);
            let x = f.box_value(-4.0f64);
            let e = exception(f.tracing_call("outer_sqrt", &[x]).unwrap_err());
            assert_eq!(e.type_name(), "DomainError", "{e:?}");
            assert!(e.message().contains("checked_sqrt needs x >= 0"), "{e:?}");
            let frames = julia_frames(&e);
            assert_user_frame(&frames[0], "checked_sqrt", 3);
            assert_user_frame(&frames[1], "outer_sqrt", 6);
            // `outer_sqrt` is not inlined, so its frame names its method's module
            // (`checked_sqrt` may be inlined into it, and then names none).
            assert!(!frames[1].inlined, "{frames:?}");
            assert_eq!(frames[1].module.as_deref(), Some("Main"), "{frames:?}");
            // Only the frames between the throw and the call: not the library's own
            // helpers, not whatever called the traced call.
            assert_eq!(frames.len(), 2, "{frames:#?}");
            assert!(
                e.backtrace()
                    .unwrap()
                    .iter()
                    .all(|f| f.module.as_deref() != Some("Main.JlrsCore")),
                "{e:#?}"
            );

            // The same through the value, and with keywords.
            let g = f.global("checked_sqrt").unwrap();
            let e = exception(g.tracing_call(&mut f, &[x]).unwrap_err());
            assert_user_frame(&julia_frames(&e)[0], "checked_sqrt", 3);
            let h = f.global("scaled_sqrt").unwrap();
            let one = f.box_value(1.0f64);
            let minus = f.box_value(-2.0f64);
            let e = exception(
                h.tracing_call_kw(&mut f, &[one], &[("scale", minus)])
                    .unwrap_err(),
            );
            assert_eq!(e.type_name(), "DomainError", "{e:?}");
            let frames = julia_frames(&e);
            assert_eq!(frames[0].function, "checked_sqrt", "{frames:#?}");
            assert!(
                frames.iter().all(|f| f.file == "user_math.jl"),
                "{frames:#?}"
            );

            // A traced call that returns gives the value.
            let four = f.box_value(4.0f64);
            let r = f.tracing_call("outer_sqrt", &[four]).unwrap();
            assert_eq!(r.unbox::<f64>().unwrap(), 3.0);
        })
    });
}

#[test]
fn ordinary_calls_carry_no_backtrace() {
    julia().run(|j| {
        j.scope(|mut f| {
            define(&mut f);
            let x = f.box_value(-4.0f64);
            let e = exception(f.call("outer_sqrt", &[x]).unwrap_err());
            assert_eq!(e.type_name(), "DomainError");
            assert!(e.backtrace().is_none(), "{e:?}");
            // Display names the exception; the alternate form adds nothing without frames.
            assert_eq!(format!("{e}"), format!("{e:#}"));
        })
    });
}

#[test]
fn attach_stacktrace_wraps_a_function_for_any_caller() {
    julia().run(|j| {
        j.scope(|mut f| {
            define(&mut f);
            let g = f.global("outer_sqrt").unwrap();
            let traced = g.attach_stacktrace(&mut f).unwrap();

            // Called from Rust.
            let x = f.box_value(-1.0f64);
            let e = exception(traced.call(&mut f, &[x]).unwrap_err());
            assert_eq!(e.type_name(), "DomainError", "{e:?}");
            let frames = julia_frames(&e);
            assert_user_frame(&frames[0], "checked_sqrt", 3);
            assert_user_frame(&frames[1], "outer_sqrt", 6);

            // Handed to Julia code, which calls it.
            let xs = f.eval("[4.0, -9.0]").unwrap();
            let e = exception(f.call("map", &[traced, xs]).unwrap_err());
            assert_eq!(e.type_name(), "DomainError", "{e:?}");
            assert_user_frame(&julia_frames(&e)[0], "checked_sqrt", 3);

            // As a value: Julia's `TracedException`, with `exc` and `stacktrace`.
            let caught = traced.call_catch(&mut f, &[x]).unwrap().unwrap_err();
            assert_eq!(caught.datatype_name(), "TracedException");
            let exc = caught.field(&mut f, "exc").unwrap();
            assert_eq!(exc.datatype_name(), "DomainError");
            let st = caught.field(&mut f, "stacktrace").unwrap();
            let n = f.call("length", &[st]).unwrap().unbox::<i64>().unwrap();
            assert!(n >= 2, "{n}");

            // Returns what the function returns.
            let nine = f.box_value(9.0f64);
            assert_eq!(
                traced
                    .call(&mut f, &[nine])
                    .unwrap()
                    .unbox::<f64>()
                    .unwrap(),
                4.0
            );
        })
    });
}

#[test]
fn alternate_display_prints_the_frames() {
    julia().run(|j| {
        j.scope(|mut f| {
            define(&mut f);
            let x = f.box_value(-4.0f64);
            let err = f.tracing_call("outer_sqrt", &[x]).unwrap_err();
            let short = format!("{err}");
            let long = format!("{err:#}");
            assert!(!short.contains("Stacktrace"), "{short}");
            assert!(long.starts_with(&short), "{long}");
            assert!(long.contains("checked_sqrt at user_math.jl:3"), "{long}");
            assert!(long.contains("outer_sqrt at user_math.jl:6"), "{long}");
        })
    });
}

#[test]
fn errors_thrown_in_c_and_deep_recursion_are_traced() {
    julia().run(|j| {
        j.scope(|mut f| {
            // An exception thrown by Julia's runtime (C) names the C function first.
            let v = f.eval("[1, 2]").unwrap();
            let i = f.box_value(5i64);
            let e = exception(f.tracing_call("getindex", &[v, i]).unwrap_err());
            assert_eq!(e.type_name(), "BoundsError");
            let frames = e.backtrace().unwrap();
            assert!(frames[0].from_c, "{frames:#?}");
            assert_eq!(frames[0].line, 0, "{frames:#?}");
            assert!(
                frames.iter().any(|f| f.function == "getindex"),
                "{frames:#?}"
            );

            // A stack overflow keeps a bounded number of frames.
            f.include_string("runaway(n) = runaway(n + 1) + 1", "runaway.jl")
                .unwrap();
            let n = f.box_value(1i64);
            let e = exception(f.tracing_call("runaway", &[n]).unwrap_err());
            assert_eq!(e.type_name(), "StackOverflowError");
            let frames = e.backtrace().unwrap();
            assert!(
                !frames.is_empty() && frames.len() <= 256,
                "{}",
                frames.len()
            );
            assert!(frames.iter().all(|f| f.function == "runaway" || f.from_c));

            // The runtime is fine afterwards.
            assert_eq!(f.eval("1 + 1").unwrap().unbox::<i64>().unwrap(), 2);
        })
    });
}
