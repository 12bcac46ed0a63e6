//! Named tuples as values: made in Rust (`NamedTuple::new`, the builder, `named_tuple!`)
//! and read back, made by Julia and passed as keyword arguments (`call_kw`,
//! `call_async_kw`), `filter`, `set` and `remove`, and the errors for bad input.

use std::time::Duration;

use jlrs_core::{named_tuple, GcFrame, JuliaError, Kwargs, NamedTuple, Value};
use jlrs_tests::{julia, watchdog};

/// `repr(v)`.
fn show(f: &mut GcFrame<'_>, v: Value<'_>) -> String {
    f.call("repr", &[v]).unwrap().unbox::<String>().unwrap()
}

#[test]
fn made_in_rust_and_read_back() {
    julia().run(|j| {
        j.scope(|mut f| {
            let a = f.box_value(1i64);
            let b = f.box_value("two");
            let c = f.box_value(3.5f64);
            let nt = NamedTuple::new(&mut f, &[("a", a), ("b", b), ("c", c)]).unwrap();
            assert_eq!(show(&mut f, nt.as_value()), "(a = 1, b = \"two\", c = 3.5)");
            assert_eq!(nt.len(), 3);
            assert!(!nt.is_empty());
            assert_eq!(nt.field_names(), ["a", "b", "c"]);
            assert!(nt.contains("b") && !nt.contains("d"));
            assert_eq!(nt.get(&mut f, "a").unwrap().unbox::<i64>().unwrap(), 1);
            assert_eq!(
                nt.get(&mut f, "b").unwrap().unbox::<String>().unwrap(),
                "two"
            );
            assert_eq!(nt.get(&mut f, "c").unwrap().unbox::<f64>().unwrap(), 3.5);
            let values = nt.values(&mut f).unwrap();
            assert_eq!(values.len(), 3);
            assert_eq!(values[2].unbox::<f64>().unwrap(), 3.5);
            let pairs = nt.to_pairs(&mut f).unwrap();
            let names: Vec<_> = pairs.iter().map(|(n, _)| n.as_str()).collect();
            assert_eq!(names, ["a", "b", "c"]);
            assert_eq!(pairs[1].1.unbox::<String>().unwrap(), "two");
            // Julia sees the type it would have made itself.
            let same = f.eval("(a = 1, b = \"two\", c = 3.5)").unwrap();
            let eq = f.call("isequal", &[nt.as_value(), same]).unwrap();
            assert!(eq.unbox::<bool>().unwrap());
            let t1 = f.call("typeof", &[nt.as_value()]).unwrap();
            let t2 = f.call("typeof", &[same]).unwrap();
            assert!(f.call("===", &[t1, t2]).unwrap().unbox::<bool>().unwrap());

            // The empty named tuple.
            let empty = NamedTuple::new(&mut f, &[]).unwrap();
            assert!(empty.is_empty());
            assert_eq!(show(&mut f, empty.as_value()), "NamedTuple()");

            // Values survive a full collection: everything is rooted in `f`.
            f.collect_garbage(true);
            assert_eq!(
                nt.get(&mut f, "b").unwrap().unbox::<String>().unwrap(),
                "two"
            );
        })
    });
}

/// `named_tuple!` with a `&mut GcFrame`, as a helper that gets one writes it.
fn point<'s>(frame: &mut GcFrame<'s>, x: f64, y: f64) -> jlrs_core::JlResult<NamedTuple<'s>> {
    named_tuple!(frame, "x" => frame.box_value(x), "y" => frame.box_value(y))
}

#[test]
fn the_macro_and_the_builder() {
    julia().run(|j| {
        j.scope(|mut f| {
            let a = f.box_value(1i64);
            // Values may use the frame; a trailing comma is fine.
            let nt = named_tuple!(f, "a" => a, "b" => f.box_value(2.0f64),).unwrap();
            assert_eq!(show(&mut f, nt.as_value()), "(a = 1, b = 2.0)");
            let p = point(&mut f, 1.5, -2.0).unwrap();
            assert_eq!(show(&mut f, p.as_value()), "(x = 1.5, y = -2.0)");
            let empty = named_tuple!(f).unwrap();
            assert_eq!(show(&mut f, empty.as_value()), "NamedTuple()");
            // Names made at run time, a named tuple as a field.
            let name = format!("n{}", 7);
            let nested = named_tuple!(&mut f, name.as_str() => a, "p" => p).unwrap();
            assert_eq!(
                show(&mut f, nested.as_value()),
                "(n7 = 1, p = (x = 1.5, y = -2.0))"
            );

            let b = f.box_value('z');
            let built = NamedTuple::builder()
                .field("first", a)
                .field(String::from("second"), b)
                .build(&mut f)
                .unwrap();
            assert_eq!(show(&mut f, built.as_value()), "(first = 1, second = 'z')");
            let builder = NamedTuple::builder().field("only", b);
            assert_eq!(builder.pairs().len(), 1);
            let once = builder.build(&mut f).unwrap();
            let twice = builder.build(&mut f).unwrap();
            assert_eq!(
                show(&mut f, once.as_value()),
                show(&mut f, twice.as_value())
            );
            let none = NamedTuple::builder().build(&mut f).unwrap();
            assert!(none.is_empty());
        })
    });
}

#[test]
fn a_named_tuple_from_julia_as_keyword_arguments() {
    julia().run(|j| {
        j.scope(|mut f| {
            f.eval("ntkw(x = 0; a, b = -1.0) = string(x, \":\", a, \":\", b)")
                .unwrap();
            let kw = NamedTuple::from_value(f.eval("(a = 1, b = 2.0)").unwrap()).unwrap();
            let s = f.call_kw("ntkw", &[], kw).unwrap();
            assert_eq!(s.unbox::<String>().unwrap(), "0:1:2.0");
            let x = f.box_value(9i64);
            let s = f.call_kw("ntkw", &[x], kw).unwrap();
            assert_eq!(s.unbox::<String>().unwrap(), "9:1:2.0");
            // Through the value, and wrapped in `Kwargs`.
            let g = f.global("ntkw").unwrap();
            let s = g.call_kw(&mut f, &[x], kw).unwrap();
            assert_eq!(s.unbox::<String>().unwrap(), "9:1:2.0");
            let s = g.call_kw(&mut f, &[], Kwargs::named_tuple(kw)).unwrap();
            assert_eq!(s.unbox::<String>().unwrap(), "0:1:2.0");
            // Only the required keyword; Julia's defaults for the rest.
            let only_a = kw.filter(&mut f, &["a"]).unwrap();
            let s = f.call_kw("ntkw", &[], only_a).unwrap();
            assert_eq!(s.unbox::<String>().unwrap(), "0:1:-1.0");
            // Pairs still work, as an array, a slice and a Vec.
            let one = f.box_value(1i64);
            let s = f.call_kw("ntkw", &[], &[("a", one)]).unwrap();
            assert_eq!(s.unbox::<String>().unwrap(), "0:1:-1.0");
            let pairs = vec![("a", one)];
            let s = f.call_kw("ntkw", &[], &pairs).unwrap();
            assert_eq!(s.unbox::<String>().unwrap(), "0:1:-1.0");
            let s = f.call_kw("ntkw", &[], pairs.as_slice()).unwrap();
            assert_eq!(s.unbox::<String>().unwrap(), "0:1:-1.0");
            // A named tuple made in Rust works the same.
            let made = named_tuple!(f, "b" => f.box_value(5i64), "a" => one).unwrap();
            let s = f.call_kw("ntkw", &[], made).unwrap();
            assert_eq!(s.unbox::<String>().unwrap(), "0:1:5");

            // Julia's errors: a missing required keyword, an unknown one.
            let no_a = kw.remove(&mut f, "a").unwrap();
            let err = f.call_kw("ntkw", &[], no_a).unwrap_err();
            assert!(
                err.to_string().contains("keyword argument a not assigned"),
                "{err}"
            );
            let unknown: NamedTuple = f.eval("(a = 1, c = 3)").unwrap().try_into().unwrap();
            let err = f.call_kw("ntkw", &[], unknown).unwrap_err();
            assert!(
                err.to_string()
                    .contains("got unsupported keyword argument \"c\""),
                "{err}"
            );
            // A `Value` that is a named tuple, as Julia returned it; anything else is a
            // typed error, and Julia is not called.
            let v = f.eval("(a = 4,)").unwrap();
            let s = f.call_kw("ntkw", &[], v).unwrap();
            assert_eq!(s.unbox::<String>().unwrap(), "0:4:-1.0");
            f.eval("ntcalls = Ref(0); counted(; kw...) = (ntcalls[] += 1; length(kw))")
                .unwrap();
            for code in ["(1, 2)", "Dict(:a => 1)", "nothing", "NamedTuple"] {
                let not_nt = f.eval(code).unwrap();
                let err = f.call_kw("counted", &[], not_nt).unwrap_err();
                assert!(
                    matches!(&err, JuliaError::WrongType { expected, .. } if expected == "NamedTuple"),
                    "{code}: {err}"
                );
                let err = g.call_kw(&mut f, &[], Kwargs::value(not_nt)).unwrap_err();
                assert!(matches!(err, JuliaError::WrongType { .. }), "{code}: {err}");
            }
            let calls = f.eval("ntcalls[]").unwrap().unbox::<i64>().unwrap();
            assert_eq!(calls, 0, "Julia was not called with bad keyword arguments");
            // The empty named tuple is an ordinary call.
            let empty = NamedTuple::from_value(f.eval("NamedTuple()").unwrap()).unwrap();
            let s = f.call_kw("string", &[x], empty).unwrap();
            assert_eq!(s.unbox::<String>().unwrap(), "9");
        })
    });
}

#[test]
fn a_named_tuple_as_keyword_arguments_of_call_async_kw() {
    let _dog = watchdog("call_async_kw with a named tuple", Duration::from_secs(120));
    let (s, err) = julia().run(|j| {
        j.scope(|mut f| {
            let m = f.eval("[1 2; 3 4]").unwrap();
            let sum = f.global("sum").unwrap();
            let kw = NamedTuple::from_value(f.eval("(dims = 1,)").unwrap()).unwrap();
            let s = jlrs_core::idle::block_on(f.call_async_kw(sum, &[m], kw)).unwrap();
            let s = show(&mut f, s);
            let bad = NamedTuple::from_value(f.eval("(dimz = 1,)").unwrap()).unwrap();
            let err = jlrs_core::idle::block_on(f.call_async_kw(sum, &[m], bad)).unwrap_err();
            (s, err.to_string())
        })
    });
    assert_eq!(s, "[4 6]");
    assert!(err.contains("dimz"), "{err}");
}

#[test]
fn call_async_kw_refuses_a_value_that_is_not_a_named_tuple() {
    let _dog = watchdog("call_async_kw with a tuple", Duration::from_secs(120));
    let err = julia().run(|j| {
        j.scope(|mut f| {
            let sum = f.global("sum").unwrap();
            let m = f.eval("[1 2; 3 4]").unwrap();
            let not_nt = f.eval("(1,)").unwrap();
            let err = jlrs_core::idle::block_on(f.call_async_kw(sum, &[m], not_nt)).unwrap_err();
            // A named tuple as a `Value` works.
            let kw = f.eval("(dims = 2,)").unwrap();
            let s = jlrs_core::idle::block_on(f.call_async_kw(sum, &[m], kw)).unwrap();
            assert_eq!(show(&mut f, s), "[3; 7]");
            err
        })
    });
    assert!(matches!(err, JuliaError::WrongType { .. }), "{err}");
}

#[test]
fn filter_set_and_remove_make_new_named_tuples() {
    julia().run(|j| {
        j.scope(|mut f| {
            let nt = NamedTuple::from_value(f.eval("(a = 1, b = 2.0, c = \"c\", d = :d)").unwrap())
                .unwrap();
            // `filter` keeps the tuple's own order, whatever the order asked.
            let n0 = f.n_roots();
            let kept = nt.filter(&mut f, &["d", "a"]).unwrap();
            assert_eq!(
                f.n_roots(),
                n0 + 1,
                "one root for the result, none piled up"
            );
            assert_eq!(show(&mut f, kept.as_value()), "(a = 1, d = :d)");
            let none = nt.filter(&mut f, &[]).unwrap();
            assert_eq!(show(&mut f, none.as_value()), "NamedTuple()");
            let by = nt
                .filter_by(&mut f, |name, value| {
                    name != "b" && value.type_name() != "Symbol"
                })
                .unwrap();
            assert_eq!(show(&mut f, by.as_value()), "(a = 1, c = \"c\")");

            // `set` replaces in place (the type follows the value) or adds last.
            let x = f.box_value("x");
            let replaced = nt.set(&mut f, "b", x).unwrap();
            assert_eq!(
                show(&mut f, replaced.as_value()),
                "(a = 1, b = \"x\", c = \"c\", d = :d)"
            );
            let added = nt.set(&mut f, "e", x).unwrap();
            assert_eq!(
                show(&mut f, added.as_value()),
                "(a = 1, b = 2.0, c = \"c\", d = :d, e = \"x\")"
            );
            let from_empty = NamedTuple::new(&mut f, &[])
                .unwrap()
                .set(&mut f, "z", x)
                .unwrap();
            assert_eq!(show(&mut f, from_empty.as_value()), "(z = \"x\",)");
            // Julia's own `merge` agrees.
            let julia_merge = f
                .eval("merge((a = 1, b = 2.0, c = \"c\", d = :d), (b = \"x\",))")
                .unwrap();
            assert_eq!(show(&mut f, julia_merge), show(&mut f, replaced.as_value()));

            let removed = nt.remove(&mut f, "c").unwrap();
            assert_eq!(show(&mut f, removed.as_value()), "(a = 1, b = 2.0, d = :d)");

            // The original is unchanged, and every result is rooted.
            f.collect_garbage(true);
            assert_eq!(
                show(&mut f, nt.as_value()),
                "(a = 1, b = 2.0, c = \"c\", d = :d)"
            );
            assert_eq!(kept.get(&mut f, "a").unwrap().unbox::<i64>().unwrap(), 1);
            assert_eq!(
                added.get(&mut f, "e").unwrap().unbox::<String>().unwrap(),
                "x"
            );
        })
    });
}

#[test]
fn results_live_as_long_as_the_frame_they_are_rooted_in() {
    julia().run(|j| {
        j.scope(|mut f| {
            let nt = NamedTuple::from_value(f.eval("(a = [1, 2, 3], b = 2)").unwrap()).unwrap();
            let mut kept = Vec::new();
            for i in 0..50i64 {
                let v = f.box_value(i);
                let field = format!("f{i}");
                kept.push((i, nt.set(&mut f, &field, v).unwrap()));
                // Garbage between the results.
                f.scope(|mut inner| {
                    for _ in 0..100 {
                        inner.eval("collect(1:100)").unwrap();
                    }
                });
            }
            f.collect_garbage(true);
            for (i, nt) in kept {
                let field = format!("f{i}");
                assert_eq!(nt.get(&mut f, &field).unwrap().unbox::<i64>().unwrap(), i);
                let a = nt.get(&mut f, "a").unwrap();
                assert_eq!(show(&mut f, a), "[1, 2, 3]");
            }
        })
    });
}

#[test]
fn bad_input_is_a_typed_error() {
    julia().run(|j| {
        j.scope(|mut f| {
            // `cast` is `from_value`.
            let nt = f.eval("(a = 1,)").unwrap().cast::<NamedTuple>().unwrap();
            assert_eq!(nt.field_names(), ["a"]);
            // Values that are not named tuples.
            for code in ["(1, 2.0)", "1", "1 => 2", "NamedTuple{(:a,), Tuple{Int}}", "nothing"] {
                let v = f.eval(code).unwrap();
                assert!(!v.is_named_tuple(), "{code}");
                let err = NamedTuple::from_value(v).unwrap_err();
                assert!(
                    matches!(&err, JuliaError::WrongType { expected, .. } if expected == "NamedTuple"),
                    "{code}: {err}"
                );
                assert!(NamedTuple::try_from(v).is_err(), "{code}");
                assert!(v.cast::<NamedTuple>().is_err(), "{code}");
            }
            let a = f.box_value(1i64);
            // Names given twice.
            let err = NamedTuple::new(&mut f, &[("a", a), ("a", a)]).unwrap_err();
            assert!(matches!(&err, JuliaError::DuplicateName(n) if n == "a"), "{err}");
            let err = named_tuple!(f, "x" => a, "y" => a, "x" => a).unwrap_err();
            assert!(matches!(&err, JuliaError::DuplicateName(n) if n == "x"), "{err}");
            let err = NamedTuple::builder()
                .field("b", a)
                .field("b", a)
                .build(&mut f)
                .unwrap_err();
            assert!(matches!(&err, JuliaError::DuplicateName(n) if n == "b"), "{err}");
            let nt = named_tuple!(f, "a" => a, "b" => a).unwrap();
            let err = nt.filter(&mut f, &["a", "a"]).unwrap_err();
            assert!(matches!(&err, JuliaError::DuplicateName(n) if n == "a"), "{err}");
            // Fields it does not have.
            let err = nt.get(&mut f, "zz").unwrap_err();
            assert!(
                matches!(&err, JuliaError::NoSuchField { field, .. } if field == "zz"),
                "{err}"
            );
            let err = nt.filter(&mut f, &["a", "zz"]).unwrap_err();
            assert!(
                matches!(&err, JuliaError::NoSuchField { field, .. } if field == "zz"),
                "{err}"
            );
            let err = nt.remove(&mut f, "zz").unwrap_err();
            assert!(
                matches!(&err, JuliaError::NoSuchField { field, .. } if field == "zz"),
                "{err}"
            );
            // A name Julia cannot take.
            let err = NamedTuple::new(&mut f, &[("a\0b", a)]).unwrap_err();
            assert!(matches!(err, JuliaError::NulByte(_)), "{err}");
            let err = nt.set(&mut f, "a\0b", a).unwrap_err();
            assert!(matches!(err, JuliaError::NulByte(_)), "{err}");
            // Nothing above unrooted or broke the named tuple.
            assert_eq!(show(&mut f, nt.as_value()), "(a = 1, b = 1)");
        })
    });
}

#[test]
fn is_tells_the_checked_views_apart() {
    julia().run(|j| {
        j.scope(|mut f| {
            let nt = f.eval("(a = 1, b = 2.0)").unwrap();
            let tuple = f.eval("(1, 2.0)").unwrap();
            let ty = f.eval("Float64").unwrap();
            let module = f.eval("Base").unwrap();
            let task = f.eval("Task(() -> 1)").unwrap();
            assert!(nt.is::<NamedTuple>());
            assert!(!tuple.is::<NamedTuple>());
            assert!(!nt.is::<jlrs_core::DataType>());
            assert!(ty.is::<jlrs_core::DataType>());
            assert!(module.is::<jlrs_core::Module>());
            assert!(!ty.is::<jlrs_core::Module>());
            assert!(task.is::<jlrs_core::JuliaTask>());
            assert!(!nt.is::<jlrs_core::JuliaTask>());
            // Unbox types still work through the same method.
            assert!(!ty.is::<f64>() && f.box_value(1.5f64).is::<f64>());
        })
    });
}
