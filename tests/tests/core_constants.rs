//! jlrs-core: defining `const` globals from Rust (`set_const`), and the clear error for a
//! redefinition.

use jlrs_core::{GcFrame, JuliaError, Module};
use jlrs_tests::julia;

fn is_const(frame: &mut GcFrame<'_>, module: &str, name: &str) -> bool {
    frame
        .eval(&format!("isconst({module}, :{name})"))
        .unwrap()
        .unbox::<bool>()
        .unwrap()
}

#[test]
fn set_const_defines_a_constant_julia_sees() {
    julia().run(|j| {
        j.scope(|mut frame| {
            let v = frame.box_value(42i64);
            frame.set_const("jlrs_const_answer", v).unwrap();
            assert!(is_const(&mut frame, "Main", "jlrs_const_answer"));
            let got = frame.eval("jlrs_const_answer + 0").unwrap();
            assert_eq!(got.unbox::<i64>().unwrap(), 42);
            assert!(Module::main(&mut frame)
                .is_const("jlrs_const_answer")
                .unwrap());

            // Any value, not only bits.
            let s = frame.box_value("text");
            frame.set_const("Main.jlrs_const_text", s).unwrap();
            let len = frame.eval("length(jlrs_const_text)").unwrap();
            assert_eq!(len.unbox::<i64>().unwrap(), 4);

            // Never reassigned from Rust, not even with a value of the same type (for
            // which Julia itself would only warn).
            let same_type = frame.box_value(1i64);
            let err = frame
                .set_global("jlrs_const_answer", same_type)
                .unwrap_err();
            match &err {
                JuliaError::Exception(e) => {
                    assert_eq!(e.type_name(), "ErrorException");
                    assert!(
                        e.message().contains("invalid redefinition of constant"),
                        "{e}"
                    );
                    assert!(e.message().contains("jlrs_const_answer"), "{e}");
                }
                other => panic!("{other:?}"),
            }
            let main = Module::main(&mut frame);
            let err = main
                .set_global(&mut frame, "jlrs_const_answer", same_type)
                .unwrap_err();
            assert!(matches!(err, JuliaError::Exception(_)), "{err:?}");
            // Julia refuses to give it a value of another type, as for any constant.
            assert!(frame.eval("jlrs_const_answer = \"s\"").is_err());
            let v = frame.box_value(1.5f64);
            assert!(frame.set_global("jlrs_const_answer", v).is_err());
            let got = frame.global("jlrs_const_answer").unwrap();
            assert_eq!(got.unbox::<i64>().unwrap(), 42);
        });
    });
}

#[test]
fn a_redefinition_is_refused_with_a_clear_error() {
    julia().run(|j| {
        j.scope(|mut frame| {
            let one = frame.box_value(1i64);
            let two = frame.box_value(2i64);
            frame.set_const("jlrs_const_once", one).unwrap();
            let err = frame.set_const("jlrs_const_once", two).unwrap_err();
            assert!(
                matches!(&err, JuliaError::AlreadyDefined(name) if name == "jlrs_const_once"),
                "{err:?}"
            );
            let message = err.to_string();
            assert!(message.contains("jlrs_const_once"), "{message}");
            assert!(
                message.contains("constant cannot be redefined"),
                "{message}"
            );
            // The same value again is a redefinition too.
            assert!(frame.set_const("jlrs_const_once", one).is_err());
            let got = frame.global("jlrs_const_once").unwrap();
            assert_eq!(got.unbox::<i64>().unwrap(), 1);

            // A plain global, or a constant Julia code defined, cannot become one either.
            frame
                .eval("jlrs_const_plain = 3; const jlrs_const_julia = 4")
                .unwrap();
            for name in ["jlrs_const_plain", "jlrs_const_julia"] {
                let err = frame.set_const(name, two).unwrap_err();
                assert!(
                    matches!(err, JuliaError::AlreadyDefined(_)),
                    "{name}: {err:?}"
                );
            }
            assert!(!is_const(&mut frame, "Main", "jlrs_const_plain"));
            // A plain global is still reassigned.
            frame.set_global("jlrs_const_plain", two).unwrap();
            let plain = frame.global("jlrs_const_plain").unwrap();
            assert_eq!(plain.unbox::<i64>().unwrap(), 2);
            frame.set_global("jlrs_const_plain", one).unwrap();
            let plain = frame.global("jlrs_const_plain").unwrap();
            assert_eq!(plain.unbox::<i64>().unwrap(), 1);
        });
    });
}

#[test]
fn constants_in_other_modules_and_bad_paths() {
    julia().run(|j| {
        j.scope(|mut frame| {
            frame.eval("module JlrsConstMod end").unwrap();
            let v = frame.box_value(1.5f64);
            frame.set_const("JlrsConstMod.x", v).unwrap();
            assert!(is_const(&mut frame, "JlrsConstMod", "x"));
            assert!(!is_const(&mut frame, "Main", "x"));
            let m = frame.module("JlrsConstMod").unwrap();
            let w = frame.box_value(2i64);
            m.set_const(&mut frame, ":y", w).unwrap();
            let y = frame.global("JlrsConstMod.y").unwrap();
            assert_eq!(y.unbox::<i64>().unwrap(), 2);
            let err = m.set_const(&mut frame, "y", v).unwrap_err();
            assert!(
                matches!(&err, JuliaError::AlreadyDefined(n) if n == "JlrsConstMod.y"),
                "{err:?}"
            );

            // Not a module, no such module, not a name.
            let err = frame.set_const("JlrsConstMod.x.z", v).unwrap_err();
            assert!(matches!(err, JuliaError::WrongType { .. }), "{err:?}");
            let err = frame.set_const("JlrsNoSuchModule.z", v).unwrap_err();
            assert!(matches!(err, JuliaError::UndefinedName(_)), "{err:?}");
            for bad in ["", "JlrsConstMod.", "a\0b"] {
                assert!(frame.set_const(bad, v).is_err(), "{bad:?} accepted");
            }
        });
    });
}
