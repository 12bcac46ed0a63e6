//! jlrs-core: evaluation, lookup, calls, boxing and unboxing, and the errors of each.

use jlrs_core::{Error, Value};
use jlrs_tests::julia;

#[test]
fn eval_and_unbox() {
    let v = julia().run(|j| j.scope(|mut f| f.eval("1 + 2").unwrap().unbox::<i64>()));
    assert_eq!(v.unwrap(), 3);
}

#[test]
fn call_with_any_number_of_arguments() {
    julia().run(|j| {
        j.scope(|mut f| {
            f.eval("jlrs_test_args(xs...) = foldl(+, xs; init = 0)")
                .unwrap();
            for n in 0..12i64 {
                let args: Vec<Value> = (1..=n).map(|i| f.box_value(i)).collect();
                let r = f
                    .call("jlrs_test_args", &args)
                    .unwrap()
                    .unbox::<i64>()
                    .unwrap();
                assert_eq!(r, n * (n + 1) / 2, "{n} arguments");
            }
        })
    });
}

macro_rules! round_trip {
    ($f:ident, $($v:expr => $ty:ty, $jl:literal;)*) => {$(
        let x = $f.box_value($v);
        assert_eq!(x.type_name(), $jl);
        assert!(x.is::<$ty>());
        assert_eq!(x.unbox::<$ty>().unwrap(), $v);
        // The value Julia sees is the same one: compare inside Julia too.
        let expected = $f.eval(&format!("{}({:?})", $jl, $v)).unwrap();
        let eq = $f.call("isequal", &[x, expected]).unwrap().unbox::<bool>().unwrap();
        assert!(eq, "{} {:?}", $jl, $v);
    )*};
}

#[test]
fn box_and_unbox_every_primitive() {
    julia().run(|j| {
        j.scope(|mut f| {
            round_trip!(f,
                true => bool, "Bool";
                false => bool, "Bool";
                -8i8 => i8, "Int8";
                -16i16 => i16, "Int16";
                -32i32 => i32, "Int32";
                i64::MIN => i64, "Int64";
                250u8 => u8, "UInt8";
                65000u16 => u16, "UInt16";
                4_000_000_000u32 => u32, "UInt32";
                u64::MAX => u64, "UInt64";
                1.5f32 => f32, "Float32";
                -2.25f64 => f64, "Float64";
            );
            let isize_v = f.box_value(-3isize);
            assert_eq!(isize_v.unbox::<i64>().unwrap(), -3);
            let usize_v = f.box_value(7usize);
            assert_eq!(usize_v.unbox::<u64>().unwrap(), 7);
        })
    });
}

#[test]
fn chars_and_strings() {
    julia().run(|j| {
        j.scope(|mut f| {
            for c in ['a', 'é', '€', '𝄞'] {
                let v = f.box_value(c);
                assert_eq!(v.type_name(), "Char");
                assert_eq!(v.unbox::<char>().unwrap(), c);
                let s = f.call("string", &[v]).unwrap().unbox::<String>().unwrap();
                assert_eq!(s, c.to_string());
            }
            let julia_char = f.eval("'λ'").unwrap();
            assert_eq!(julia_char.unbox::<char>().unwrap(), 'λ');
            let invalid = f.eval("reinterpret(Char, 0xff000000)").unwrap();
            assert!(matches!(
                invalid.unbox::<char>(),
                Err(Error::InvalidChar(0xff00_0000))
            ));

            let s = f.box_value("héllo, wörld");
            let n = f.call("length", &[s]).unwrap().unbox::<i64>().unwrap();
            assert_eq!(n, 12);
            let upper = f
                .call("uppercase", &[s])
                .unwrap()
                .unbox::<String>()
                .unwrap();
            assert_eq!(upper, "HÉLLO, WÖRLD");
            let owned = f.box_value(String::from("x"));
            assert_eq!(owned.unbox::<String>().unwrap(), "x");
        })
    });
}

#[test]
fn invalid_utf8_strings_keep_their_bytes() {
    julia().run(|j| {
        j.scope(|mut f| {
            let s = f.eval("String(UInt8[129, 2, 0, 0])").unwrap();
            assert_eq!(s.string_bytes().unwrap(), [129, 2, 0, 0]);
            match s.unbox::<String>() {
                Err(Error::InvalidUtf8(e)) => {
                    assert_eq!(e.as_bytes(), [129, 2, 0, 0]);
                    assert_eq!(e.utf8_error().valid_up_to(), 0);
                }
                other => panic!("expected InvalidUtf8, got {other:?}"),
            }
            // Valid UTF-8, NUL bytes included, is unchanged either way.
            let ok = f.eval("String(UInt8[0x68, 0xc3, 0xa9, 0x00])").unwrap();
            assert_eq!(ok.unbox::<String>().unwrap(), "h\u{e9}\0");
            assert_eq!(ok.string_bytes().unwrap(), [0x68, 0xc3, 0xa9, 0]);
            let not_a_string = f.eval("1").unwrap();
            assert!(matches!(
                not_a_string.string_bytes(),
                Err(Error::WrongType { .. })
            ));
        })
    });
}

#[test]
fn unboxing_the_wrong_type_names_both_types() {
    let err = julia().run(|j| j.scope(|mut f| f.eval("1.5").unwrap().unbox::<i64>().unwrap_err()));
    match &err {
        Error::WrongType { expected, found } => {
            assert_eq!(expected, "Int64");
            assert_eq!(found, "Float64");
        }
        other => panic!("unexpected error {other:?}"),
    }
    assert_eq!(
        err.to_string(),
        "expected a value of type Int64, found one of type Float64"
    );
}

#[test]
fn exceptions_carry_type_and_message() {
    let err = julia().run(|j| j.scope(|mut f| f.eval("error(\"custom failure\")").unwrap_err()));
    let Error::Exception(e) = err else {
        panic!("expected an exception, got {err:?}")
    };
    assert_eq!(e.type_name(), "ErrorException");
    assert_eq!(e.message(), "custom failure");

    let err = julia().run(|j| {
        j.scope(|mut f| {
            let s = f.box_value("text");
            f.call("sqrt", &[s]).unwrap_err()
        })
    });
    let Error::Exception(e) = err else {
        panic!("expected an exception, got {err:?}")
    };
    assert_eq!(e.type_name(), "MethodError");
    assert!(
        e.message().contains("no method matching sqrt(::String)"),
        "{}",
        e.message()
    );
}

#[test]
fn invalid_syntax_is_an_error() {
    let err = julia().run(|j| j.scope(|mut f| f.eval("1 + * 2)").unwrap_err()));
    let Error::Exception(e) = err else {
        panic!("expected an exception, got {err:?}")
    };
    assert!(e.message().contains("syntax"), "{}", e.message());
}

#[test]
fn undefined_names_are_errors() {
    julia().run(|j| {
        j.scope(|mut f| {
            let err = f.eval("this_name_is_not_defined_anywhere + 1").unwrap_err();
            let Error::Exception(e) = err else {
                panic!("expected an exception, got {err:?}")
            };
            assert_eq!(e.type_name(), "UndefVarError");

            let err = f.global("Base.no_such_function").unwrap_err();
            assert!(matches!(&err, Error::UndefinedName(n) if n == "Base.no_such_function"));
            let err = f.call("NoSuchModule.f", &[]).unwrap_err();
            assert!(matches!(&err, Error::UndefinedName(n) if n == "NoSuchModule.f"));
            // A global that is not a module cannot be looked into.
            let err = f.global("pi.x").unwrap_err();
            assert!(matches!(err, Error::WrongType { .. }), "{err:?}");
        })
    });
}

#[test]
fn calling_a_non_function_is_a_method_error() {
    let err = julia().run(|j| {
        j.scope(|mut f| {
            let x = f.box_value(3i64);
            x.call(&mut f, &[]).unwrap_err()
        })
    });
    let Error::Exception(e) = err else {
        panic!("expected an exception, got {err:?}")
    };
    assert_eq!(e.type_name(), "MethodError");
}

#[test]
fn nul_bytes_are_rejected() {
    let err = julia().run(|j| j.scope(|mut f| f.eval("1\0").unwrap_err()));
    assert!(matches!(err, Error::NulByte(_)));
}

#[test]
fn modules_and_globals() {
    julia().run(|j| {
        j.scope(|mut f| {
            f.eval("module JlrsTestMod; const answer = 42; double(x) = 2x; end")
                .unwrap();
            let v = f
                .global("JlrsTestMod.answer")
                .unwrap()
                .unbox::<i64>()
                .unwrap();
            assert_eq!(v, 42);
            let main = f.main_module();
            assert!(main.is_module());
            let m = main.get(&mut f, "JlrsTestMod").unwrap();
            let double = m.get(&mut f, "double").unwrap();
            let x = f.box_value(21i64);
            assert_eq!(
                double.call(&mut f, &[x]).unwrap().unbox::<i64>().unwrap(),
                42
            );
        })
    });
}
