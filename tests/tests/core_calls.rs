//! jlrs-core: keyword calls, tuples and named tuples, fields, symbols and globals,
//! packages, types, more conversions, `call_catch` and nested exception causes.

use jlrs_core::{Error, GcFrame, Value};
use jlrs_tests::julia;
use num_complex::Complex;

fn string_of(f: &mut GcFrame<'_>, v: Value<'_>) -> String {
    f.call("repr", &[v]).unwrap().unbox::<String>().unwrap()
}

#[test]
fn sum_with_dims_keyword() {
    julia().run(|j| {
        j.scope(|mut f| {
            let m = f.eval("[1 2; 3 4]").unwrap();
            let one = f.box_value(1i64);
            let two = f.box_value(2i64);
            let s = f.call_kw("sum", &[m], &[("dims", one)]).unwrap();
            assert_eq!(string_of(&mut f, s), "[4 6]");
            let s = f.call_kw("sum", &[m], &[("dims", two)]).unwrap();
            assert_eq!(string_of(&mut f, s), "[3; 7]");
            // The same through the value.
            let sum = f.global("sum").unwrap();
            let s = sum.call_kw(&mut f, &[m], &[("dims", one)]).unwrap();
            assert_eq!(string_of(&mut f, s), "[4 6]");
        })
    });
}

#[test]
fn required_and_optional_keywords() {
    julia().run(|j| {
        j.scope(|mut f| {
            f.eval("kwtest(a, b = 10; scale, shift = 0.5) = (a + b) * scale + shift")
                .unwrap();
            let a = f.box_value(1.0f64);
            let b = f.box_value(2.0f64);
            let scale = f.box_value(3.0f64);
            let shift = f.box_value(-1.0f64);
            let r = f
                .call_kw("kwtest", &[a], &[("scale", scale)])
                .unwrap()
                .unbox::<f64>()
                .unwrap();
            assert_eq!(r, 11.0 * 3.0 + 0.5);
            let r = f
                .call_kw("kwtest", &[a, b], &[("shift", shift), ("scale", scale)])
                .unwrap()
                .unbox::<f64>()
                .unwrap();
            assert_eq!(r, 3.0 * 3.0 - 1.0);
            // A missing required keyword: Julia's own error.
            let err = f.call_kw("kwtest", &[a], &[("shift", shift)]).unwrap_err();
            assert!(
                err.to_string()
                    .contains("keyword argument scale not assigned"),
                "{err}"
            );
            // No keywords at all is a plain call.
            let err = f.call_kw("kwtest", &[a], &[]).unwrap_err();
            assert!(err.to_string().contains("scale"), "{err}");
        })
    });
}

#[test]
fn wrong_keyword_name_is_julias_error() {
    julia().run(|j| {
        j.scope(|mut f| {
            let m = f.eval("[1 2; 3 4]").unwrap();
            let one = f.box_value(1i64);
            let err = f.call_kw("sum", &[m], &[("dimz", one)]).unwrap_err();
            let Error::Exception(e) = &err else {
                panic!("{err:?}")
            };
            assert_eq!(e.type_name(), "MethodError", "{err}");
            assert!(e.message().contains("dimz"), "{err}");
            // A name given twice is refused before Julia sees it.
            let err = f
                .call_kw("sum", &[m], &[("dims", one), ("dims", one)])
                .unwrap_err();
            assert!(
                matches!(err, Error::DuplicateName(ref n) if n == "dims"),
                "{err}"
            );
            // Calling a non-function with keywords is an error, not a crash.
            let five = f.box_value(5i64);
            let err = five.call_kw(&mut f, &[], &[("x", one)]).unwrap_err();
            assert!(matches!(err, Error::Exception(_)), "{err}");
        })
    });
}

#[test]
fn tuples_both_ways() {
    julia().run(|j| {
        j.scope(|mut f| {
            let a = f.box_value(1.5f64);
            let b = f.box_value(7i64);
            let t = f.new_tuple(&[a, b]).unwrap();
            assert_eq!(string_of(&mut f, t), "(1.5, 7)");
            assert_eq!(t.unbox::<(f64, i64)>().unwrap(), (1.5, 7));
            let t = f.eval("(2.5, -3, true)").unwrap();
            assert_eq!(t.unbox::<(f64, i64, bool)>().unwrap(), (2.5, -3, true));
            assert!(t.is::<(f64, i64, bool)>());
            assert!(!t.is::<(f64, i64, i64)>());
            let err = t.unbox::<(f64, i64, i64)>().unwrap_err();
            assert!(matches!(err, Error::WrongType { .. }), "{err}");
            let err = t.unbox::<(f64, i64)>().unwrap_err();
            assert!(matches!(err, Error::WrongType { .. }), "{err}");
            // Boxing Rust tuples, nested and with strings.
            let v = f.box_value((1u8, ("x", 2.0f32), 'c')).unwrap();
            assert_eq!(string_of(&mut f, v), "(0x01, (\"x\", 2.0f0), 'c')");
            let back = v.unbox::<(u8, (String, f32), char)>().unwrap();
            assert_eq!(back, (1, ("x".to_string(), 2.0), 'c'));
            let eight = f
                .box_value((1i8, 2i16, 3i32, 4i64, 5u8, 6u16, 7u32, 8u64))
                .unwrap();
            assert_eq!(
                eight
                    .unbox::<(i8, i16, i32, i64, u8, u16, u32, u64)>()
                    .unwrap(),
                (1, 2, 3, 4, 5, 6, 7, 8)
            );
            let empty = f.new_tuple(&[]).unwrap();
            assert_eq!(string_of(&mut f, empty), "()");
        })
    });
}

#[test]
fn tuple_elements_survive_collections_while_unboxing() {
    julia().run(|j| {
        j.scope(|mut f| {
            let t = f.eval("((1.0, 2), (\"a\", 3.0), (4, (5.0, 6)))").unwrap();
            for _ in 0..200 {
                let v = t
                    .unbox::<((f64, i64), (String, f64), (i64, (f64, i64)))>()
                    .unwrap();
                assert_eq!(v, ((1.0, 2), ("a".into(), 3.0), (4, (5.0, 6))));
            }
            f.collect_garbage(true);
        })
    });
}

#[test]
fn named_tuples_both_ways() {
    julia().run(|j| {
        j.scope(|mut f| {
            let a = f.box_value(1i64);
            let b = f.box_value("two");
            let nt = f.new_named_tuple(&[("a", a), ("b", b)]).unwrap();
            assert_eq!(string_of(&mut f, nt), "(a = 1, b = \"two\")");
            assert_eq!(nt.field_names(), vec!["a", "b"]);
            assert_eq!(
                nt.field(&mut f, "b").unwrap().unbox::<String>().unwrap(),
                "two"
            );
            let empty = f.new_named_tuple(&[]).unwrap();
            assert_eq!(string_of(&mut f, empty), "NamedTuple()");
            let err = f.new_named_tuple(&[("a", a), ("a", b)]).unwrap_err();
            assert!(matches!(err, Error::DuplicateName(_)), "{err}");
            // From Julia, read field by field.
            let nt = f.eval("(x = 1.5, y = 2)").unwrap();
            let x = nt.field(&mut f, "x").unwrap().unbox::<f64>().unwrap();
            let y = nt.field_at(&mut f, 1).unwrap().unbox::<i64>().unwrap();
            assert_eq!((x, y), (1.5, 2));
            assert_eq!(
                nt.unbox::<(f64, i64)>().ok(),
                None,
                "a named tuple is not a tuple"
            );
        })
    });
}

#[test]
fn fields_of_a_julia_struct() {
    julia().run(|j| {
        j.scope(|mut f| {
            f.eval("struct FieldTest; a::Float64; b::String; c::Vector{Int}; end")
                .unwrap();
            f.eval(
                "mutable struct FieldTestUndef; a::Int; b::String; FieldTestUndef() = new(); end",
            )
            .unwrap();
            let v = f.eval("FieldTest(1.5, \"hi\", [1, 2, 3])").unwrap();
            assert_eq!(v.field_names(), vec!["a", "b", "c"]);
            assert_eq!(v.n_fields(), 3);
            assert_eq!(v.field(&mut f, "a").unwrap().unbox::<f64>().unwrap(), 1.5);
            assert_eq!(
                v.field(&mut f, "b").unwrap().unbox::<String>().unwrap(),
                "hi"
            );
            let c = v.field_at(&mut f, 2).unwrap();
            assert_eq!(string_of(&mut f, c), "[1, 2, 3]");
            let err = v.field(&mut f, "nope").unwrap_err();
            assert_eq!(err.to_string(), "the type FieldTest has no field `nope`");
            let err = v.field_at(&mut f, 3).unwrap_err();
            assert!(err.to_string().contains("FieldTest has 3 fields"), "{err}");
            let u = f.eval("FieldTestUndef()").unwrap();
            let err = u.field(&mut f, "b").unwrap_err();
            assert!(
                matches!(err, Error::UndefinedField { ref field, .. } if field == "b"),
                "{err}"
            );
            // Tuples have numbered fields.
            let t = f.eval("(10, 20)").unwrap();
            assert_eq!(t.field_names(), vec!["1", "2"]);
            assert_eq!(t.field(&mut f, "2").unwrap().unbox::<i64>().unwrap(), 20);
            assert!(t.field(&mut f, "3").is_err());
            // A number has no fields.
            let n = f.box_value(3i64);
            assert!(n.field_names().is_empty());
            assert!(n.field(&mut f, "x").is_err());
        })
    });
}

#[test]
fn symbols_globals_and_types() {
    julia().run(|j| {
        j.scope(|mut f| {
            let s = f.symbol("hello").unwrap();
            assert_eq!(s.datatype_name(), "Symbol");
            assert_eq!(string_of(&mut f, s), ":hello");
            let v = f.box_value(42i64);
            f.set_global("Main.jlrs_set_x", v).unwrap();
            assert_eq!(
                f.eval("jlrs_set_x + 1").unwrap().unbox::<i64>().unwrap(),
                43
            );
            let v = f.box_value("again");
            f.set_global("jlrs_set_x", v).unwrap();
            assert_eq!(
                f.eval("jlrs_set_x").unwrap().unbox::<String>().unwrap(),
                "again"
            );
            f.eval("module JlrsSetM end").unwrap();
            f.set_global("Main.JlrsSetM.y", v).unwrap();
            assert_eq!(
                f.eval("JlrsSetM.y").unwrap().unbox::<String>().unwrap(),
                "again"
            );
            assert!(f.set_global("Main.NoSuchModule.y", v).is_err());
            f.eval("const JLRS_SET_CONST = 1").unwrap();
            let err = f.set_global("Main.JLRS_SET_CONST", v).unwrap_err();
            assert!(matches!(err, Error::Exception(_)), "{err}");

            let float64 = f.global("Float64").unwrap();
            let complex = f.apply_type("Complex", &[float64]).unwrap();
            assert_eq!(string_of(&mut f, complex), "Complex{Float64}");
            let one = f.box_value(1.0f64);
            let z = f.call("complex", &[one]).unwrap();
            assert!(z.isa(&mut f, complex).unwrap());
            assert!(!one.isa(&mut f, complex).unwrap());
            let real = f.global("Real").unwrap();
            assert!(one.isa(&mut f, real).unwrap());
            assert!(one.isa(&mut f, one).is_err(), "1.0 is not a type");
            assert!(f.apply_type("Complex", &[one, one]).is_err());
            assert_eq!(z.datatype_name(), "Complex");
            let t = z.datatype(&mut f).unwrap();
            assert_eq!(string_of(&mut f, t), "Complex{Float64}");
        })
    });
}

#[test]
fn using_a_standard_library_and_a_missing_package() {
    julia().run(|j| {
        j.scope(|mut f| {
            f.using("LinearAlgebra").unwrap();
            let a = f.eval("[1.0, 2.0, 2.0]").unwrap();
            let b = f.eval("[3.0, 0.0, 1.0]").unwrap();
            assert_eq!(f.call("dot", &[a, b]).unwrap().unbox::<f64>().unwrap(), 5.0);
            assert_eq!(f.call("norm", &[a]).unwrap().unbox::<f64>().unwrap(), 3.0);
            let err = f.using("NoSuchPkg").unwrap_err();
            assert!(
                matches!(err, Error::Package { ref name, .. } if name == "NoSuchPkg"),
                "{err}"
            );
            assert!(err.to_string().contains("NoSuchPkg"), "{err}");
            assert!(f.using("Bad Name").is_err());
            assert!(f.using("").is_err());
        })
    });
}

#[test]
fn unit_option_and_complex() {
    julia().run(|j| {
        j.scope(|mut f| {
            let n = f.box_value(());
            assert_eq!(string_of(&mut f, n), "nothing");
            n.unbox::<()>().unwrap();
            assert!(f.box_value(1i64).unbox::<()>().is_err());
            let some = f.eval("x = Union{Int, Nothing}[3, nothing]; x[1]").unwrap();
            assert_eq!(some.unbox::<Option<i64>>().unwrap(), Some(3));
            let none = f.eval("x[2]").unwrap();
            assert_eq!(none.unbox::<Option<i64>>().unwrap(), None);
            assert!(f.box_value(1.5f64).unbox::<Option<i64>>().is_err());

            let z = f.box_value(Complex::new(1.5f64, -2.0));
            assert_eq!(string_of(&mut f, z), "1.5 - 2.0im");
            assert_eq!(z.unbox::<Complex<f64>>().unwrap(), Complex::new(1.5, -2.0));
            let w = f.eval("ComplexF32(0.5, 4)").unwrap();
            assert_eq!(
                w.unbox::<Complex<f32>>().unwrap(),
                Complex::new(0.5f32, 4.0)
            );
            assert!(w.unbox::<Complex<f64>>().is_err());
            let sq = f.call("abs2", &[z]).unwrap().unbox::<f64>().unwrap();
            assert_eq!(sq, 1.5 * 1.5 + 4.0);
            let back = f
                .call("conj", &[z])
                .unwrap()
                .unbox::<Complex<f64>>()
                .unwrap();
            assert_eq!(back, Complex::new(1.5, 2.0));
        })
    });
}

#[test]
fn call_catch_returns_the_exception_object() {
    julia().run(|j| {
        j.scope(|mut f| {
            let sqrt = f.global("sqrt").unwrap();
            let minus = f.box_value(-1.0f64);
            let exc = sqrt.call_catch(&mut f, &[minus]).unwrap().unwrap_err();
            assert_eq!(exc.datatype_name(), "DomainError");
            let ty = f.global("DomainError").unwrap();
            assert!(exc.isa(&mut f, ty).unwrap());
            assert_eq!(
                exc.field(&mut f, "val").unwrap().unbox::<f64>().unwrap(),
                -1.0
            );
            let four = f.box_value(4.0f64);
            let ok = sqrt.call_catch(&mut f, &[four]).unwrap().unwrap();
            assert_eq!(ok.unbox::<f64>().unwrap(), 2.0);
            // The exception is cleared: the next call works.
            assert_eq!(f.eval("1 + 1").unwrap().unbox::<i64>().unwrap(), 2);
            // A thrown non-exception value comes back as it is.
            let thrower = f.eval("() -> throw(42)").unwrap();
            let thrown = thrower.call_catch(&mut f, &[]).unwrap().unwrap_err();
            assert_eq!(thrown.unbox::<i64>().unwrap(), 42);
        })
    });
}

#[test]
fn nested_causes_of_task_and_composite_exceptions() {
    julia().run(|j| {
        j.scope(|mut f| {
            let err = f
                .eval("fetch(Threads.@spawn error(\"inner boom\"))")
                .unwrap_err();
            let Error::Exception(e) = &err else {
                panic!("{err:?}")
            };
            assert_eq!(e.type_name(), "TaskFailedException");
            assert_eq!(e.causes().len(), 1, "{e:?}");
            assert_eq!(e.causes()[0].type_name(), "ErrorException");
            assert_eq!(e.causes()[0].message(), "inner boom");

            let err = f
                .eval(
                    "failed = try fetch(Threads.@spawn throw(DomainError(2.0))) catch e; e end; \
                     throw(CompositeException([ErrorException(\"one\"), failed]))",
                )
                .unwrap_err();
            let Error::Exception(e) = &err else {
                panic!("{err:?}")
            };
            assert_eq!(e.type_name(), "CompositeException");
            let causes = e.causes();
            assert_eq!(causes.len(), 2, "{e:?}");
            assert_eq!(causes[0].message(), "one");
            assert_eq!(causes[1].type_name(), "TaskFailedException");
            assert_eq!(causes[1].causes()[0].type_name(), "DomainError");

            let err = f.eval("error(\"plain\")").unwrap_err();
            let Error::Exception(e) = &err else {
                panic!("{err:?}")
            };
            assert!(e.causes().is_empty());
        })
    });
}
