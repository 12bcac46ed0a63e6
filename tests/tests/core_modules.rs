//! jlrs-core: Julia's own path syntax (`"Base.:+"`) and module objects that look up many
//! globals without parsing a path each time.

use jlrs_core::{GcFrame, JuliaError, Module, Value};
use jlrs_tests::julia;

fn call_i64(frame: &mut GcFrame<'_>, f: Value<'_>, args: &[i64]) -> i64 {
    let args: Vec<Value> = args.iter().map(|&a| frame.box_value(a)).collect();
    f.call(frame, &args).unwrap().unbox::<i64>().unwrap()
}

#[test]
fn operators_are_found_in_julias_path_syntax() {
    julia().run(|j| {
        j.scope(|mut frame| {
            for path in ["Base.:+", "Base.+", ":+", "+", "Main.:+", "Base.:(+)"] {
                let plus = frame.global(path).unwrap();
                assert_eq!(call_i64(&mut frame, plus, &[1, 2]), 3, "{path}");
            }
            let eq = frame.global("Base.:(==)").unwrap();
            let a = frame.box_value(1i64);
            let r = eq.call(&mut frame, &[a, a]).unwrap();
            assert!(r.unbox::<bool>().unwrap());
            let colon = frame.global("Base.:(:)").unwrap();
            let r = frame.call("Base.:(:)", &[a, a]).unwrap();
            assert_eq!(r.type_name(), "UnitRange");
            assert_eq!(colon.type_name(), "Colon");
            let sin = frame.global("Base.Math.:sin").unwrap();
            let x = frame.box_value(0.0f64);
            assert_eq!(
                sin.call(&mut frame, &[x]).unwrap().unbox::<f64>().unwrap(),
                0.0
            );

            for bad in ["Base.:(==", "Base..x", "Base.", "Base.:(+)x", ""] {
                let err = frame.global(bad).unwrap_err();
                assert!(
                    matches!(err, JuliaError::UndefinedName(_)),
                    "{bad:?}: {err:?}"
                );
            }
            let err = frame.global("Base.:(==").unwrap_err();
            assert!(err.to_string().contains("unbalanced"), "{err}");
        });
    });
}

#[test]
fn modules_are_found_once_and_asked_many_times() {
    julia().run(|j| {
        j.scope(|mut frame| {
            let main = Module::main(&mut frame);
            assert_eq!(main.name(), "Main");
            let base = main.submodule(&mut frame, "Base").unwrap();
            assert_eq!(base.name(), "Base");
            assert_eq!(Module::base(&mut frame).name(), "Base");
            assert_eq!(Module::core(&mut frame).name(), "Core");
            let math = base.submodule(&mut frame, "Math").unwrap();
            assert_eq!(math.name(), "Math");
            assert_eq!(math.parent(&mut frame).name(), "Base");
            assert_eq!(frame.module("Base.Math").unwrap().name(), "Math");

            let before = frame.n_roots();
            let total = frame.scope(|mut f| {
                let plus = base.global(&mut f, ":+").unwrap();
                let mut total = 0;
                for i in 0..100 {
                    let abs = base.global(&mut f, "abs").unwrap();
                    total += call_i64(&mut f, abs, &[-i]);
                    total = call_i64(&mut f, plus, &[total, 0]);
                }
                total
            });
            assert_eq!(total, 4950);
            assert_eq!(frame.n_roots(), before);

            // A path relative to the module.
            let sin = base.global(&mut frame, "Math.sin").unwrap();
            let x = frame.box_value(0.0f64);
            assert_eq!(
                sin.call(&mut frame, &[x]).unwrap().unbox::<f64>().unwrap(),
                0.0
            );

            // Globals set through the module are the module's.
            frame.eval("module JlrsModulesTest end").unwrap();
            let m = main.submodule(&mut frame, "JlrsModulesTest").unwrap();
            let v = frame.box_value(7i64);
            m.set_global(&mut frame, "seven", v).unwrap();
            let got = frame.eval("JlrsModulesTest.seven").unwrap();
            assert_eq!(got.unbox::<i64>().unwrap(), 7);
            assert!(main.global(&mut frame, "seven").is_err());
        });
    });
}

#[test]
fn bad_module_lookups_are_errors() {
    julia().run(|j| {
        j.scope(|mut frame| {
            let base = Module::base(&mut frame);
            let err = base.global(&mut frame, "jlrs_no_such_name").unwrap_err();
            match err {
                JuliaError::UndefinedName(name) => assert_eq!(name, "Base.jlrs_no_such_name"),
                other => panic!("{other:?}"),
            }
            let err = base.submodule(&mut frame, "sqrt").unwrap_err();
            assert!(matches!(err, JuliaError::WrongType { .. }), "{err:?}");
            let err = frame.module("Base.sqrt").unwrap_err();
            assert!(matches!(err, JuliaError::WrongType { .. }), "{err:?}");
            let one = frame.box_value(1i64);
            let err = Module::from_value(one).unwrap_err();
            assert!(matches!(err, JuliaError::WrongType { .. }), "{err:?}");
            assert!(Module::try_from(frame.main_module()).is_ok());
            assert!(base.global(&mut frame, "a\0b").is_err());
        });
    });
}
