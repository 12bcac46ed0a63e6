//! `#[derive(IntoJulia, Unbox)]` for real structs: `bool`, `char` and tuple fields, generic
//! structs, arrays of derived bits types viewed in place, and structs with `String` and
//! `Vec` fields read in one call; invalid `Bool` bytes and `Char`s are errors.

use jlrs_core::{Error, GcFrame, Value};
use jlrs_macros::{IntoJulia, Unbox};
use jlrs_tests::julia;

/// `bool`, `char` and a tuple stored inline, as Julia stores them.
#[derive(Clone, Copy, Debug, PartialEq, IntoJulia, Unbox)]
#[repr(C)]
#[jlrs(julia_type = "Main.Flags")]
struct Flags {
    on: bool,
    letter: char,
    pair: (f64, i64),
    n: i32,
}

#[derive(Clone, Copy, Debug, PartialEq, IntoJulia, Unbox)]
#[repr(C)]
#[jlrs(julia_type = "Main.BoolBox")]
struct BoolBox {
    b: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, IntoJulia, Unbox)]
#[repr(C)]
#[jlrs(julia_type = "Main.CharBox")]
struct CharBox {
    c: char,
}

/// Converted field by field: the same kinds of fields, and a `String` in the tuple.
#[derive(Clone, Debug, PartialEq, IntoJulia, Unbox)]
#[jlrs(julia_type = "Main.Record")]
struct Record {
    flag: bool,
    letter: char,
    span: (i64, String),
}

/// A generic bits struct: `WithGeneric{T}` in Julia.
#[derive(Clone, Copy, Debug, PartialEq, IntoJulia, Unbox)]
#[repr(C)]
#[jlrs(julia_type = "Main.WithGeneric")]
struct WithGeneric<T> {
    t: T,
}

/// A generic instance nested in a bits struct: its field type is `WithGeneric{Float64}`.
#[derive(Clone, Copy, Debug, PartialEq, IntoJulia, Unbox)]
#[repr(C)]
#[jlrs(julia_type = "Main.Outer")]
struct Outer {
    w: WithGeneric<f64>,
    k: i8,
}

/// The same Julia type, with the wrong instance nested.
#[derive(Clone, Copy, Debug, PartialEq, IntoJulia, Unbox)]
#[repr(C)]
#[jlrs(julia_type = "Main.Outer")]
struct OuterInt {
    w: WithGeneric<i64>,
    k: i8,
}

/// A generic struct converted field by field: `Labeled{T}` in Julia.
#[derive(Clone, Debug, PartialEq, IntoJulia, Unbox)]
#[jlrs(julia_type = "Main.Labeled")]
struct Labeled<T> {
    label: String,
    items: Vec<T>,
}

#[derive(Clone, Copy, Debug, PartialEq, IntoJulia, Unbox)]
#[repr(C)]
#[jlrs(julia_type = "Main.Point")]
struct Point {
    x: f64,
    y: i64,
}

/// Julia's `PointYX` has `y` first.
#[derive(Clone, Copy, Debug, PartialEq, IntoJulia, Unbox)]
#[repr(C)]
#[jlrs(julia_type = "Main.PointYX")]
struct WrongOrder {
    x: f64,
    y: i64,
}

/// Julia's `PointF` has a `Float64` `y`.
#[derive(Clone, Copy, Debug, PartialEq, IntoJulia, Unbox)]
#[repr(C)]
#[jlrs(julia_type = "Main.PointF")]
struct WrongType {
    x: f64,
    y: i64,
}

/// A Julia struct with `String` and `Vector` fields, read in one call.
#[derive(Clone, Debug, PartialEq, Unbox)]
#[jlrs(julia_type = "Main.Report")]
struct Report {
    name: String,
    values: Vec<f64>,
    counts: Vec<i64>,
    tags: Vec<String>,
    origin: Point,
    ok: bool,
}

/// A struct that keeps a Julia value: its `Value` field is rooted in the caller's frame.
#[derive(Debug, IntoJulia, Unbox)]
#[jlrs(julia_type = "Main.Tagged")]
struct Tagged<'s> {
    tag: String,
    payload: Value<'s>,
}

fn define(f: &mut GcFrame<'_>) {
    f.eval(
        "if !isdefined(Main, :Flags)
             struct Flags; on::Bool; letter::Char; pair::Tuple{Float64, Int64}; n::Int32; end
             struct BoolBox; b::Bool; end
             struct CharBox; c::Char; end
             struct Record; flag::Bool; letter::Char; span::Tuple{Int64, String}; end
             struct WithGeneric{T}; t::T; end
             struct Labeled{T}; label::String; items::Vector{T}; end
             struct Outer; w::WithGeneric{Float64}; k::Int8; end
             mutable struct Tagged; tag::String; payload::Any; end
             struct Point; x::Float64; y::Int64; end
             struct PointYX; y::Int64; x::Float64; end
             struct PointF; x::Float64; y::Float64; end
             struct Report
                 name::String
                 values::Vector{Float64}
                 counts::Vector{Int64}
                 tags::Vector{String}
                 origin::Point
                 ok::Bool
             end
         end",
    )
    .unwrap();
}

fn repr(f: &mut GcFrame<'_>, v: Value<'_>) -> String {
    f.call("repr", &[v]).unwrap().unbox::<String>().unwrap()
}

#[test]
fn bool_char_and_tuple_fields_round_trip_as_bits() {
    julia().run(|j| {
        j.scope(|mut f| {
            define(&mut f);
            for (on, letter) in [(true, 'a'), (false, 'é'), (true, '€'), (false, '𝄞')] {
                let flags = Flags {
                    on,
                    letter,
                    pair: (1.5, -2),
                    n: 7,
                };
                let v = f.box_value(flags).unwrap();
                // Julia sees the character it is, not its scalar value's bits.
                let field = v.field(&mut f, "letter").unwrap();
                let shown = f.call("string", &[field]).unwrap();
                assert_eq!(shown.unbox::<String>().unwrap(), letter.to_string());
                assert_eq!(
                    repr(&mut f, v),
                    format!("Flags({on}, {letter:?}, (1.5, -2), 7)")
                );
                assert!(v.is::<Flags>());
                assert_eq!(v.unbox::<Flags>().unwrap(), flags);
            }
            // Made by Julia.
            let v = f.eval("Flags(true, '∀', (0.25, 9), -3)").unwrap();
            assert_eq!(
                v.unbox::<Flags>().unwrap(),
                Flags {
                    on: true,
                    letter: '∀',
                    pair: (0.25, 9),
                    n: -3
                }
            );
            // A tuple field on its own, and a bits tuple as a generic parameter.
            let g = f.box_value(WithGeneric { t: (2.0f64, 3i64) }).unwrap();
            assert_eq!(
                repr(&mut f, g),
                "WithGeneric{Tuple{Float64,Int64}}((2.0, 3))"
            );
            assert_eq!(
                g.unbox::<WithGeneric<(f64, i64)>>().unwrap(),
                WithGeneric { t: (2.0, 3) }
            );
        })
    });
}

#[test]
fn bool_char_and_tuple_fields_round_trip_field_by_field() {
    julia().run(|j| {
        j.scope(|mut f| {
            define(&mut f);
            let r = Record {
                flag: true,
                letter: 'ß',
                span: (4, "four".into()),
            };
            let v = f.box_value(r.clone()).unwrap();
            assert_eq!(repr(&mut f, v), "Record(true, 'ß', (4, \"four\"))");
            assert_eq!(v.unbox::<Record>().unwrap(), r);
            let v = f.eval("Record(false, 'x', (-1, \"minus\"))").unwrap();
            assert_eq!(
                v.unbox::<Record>().unwrap(),
                Record {
                    flag: false,
                    letter: 'x',
                    span: (-1, "minus".into())
                }
            );
        })
    });
}

#[test]
fn generic_structs_map_to_the_applied_julia_type() {
    julia().run(|j| {
        j.scope(|mut f| {
            define(&mut f);
            let a = f.box_value(WithGeneric { t: 1.5f64 }).unwrap();
            let b = f.box_value(WithGeneric { t: 7i32 }).unwrap();
            assert_eq!(repr(&mut f, a), "WithGeneric{Float64}(1.5)");
            assert_eq!(repr(&mut f, b), "WithGeneric{Int32}(7)");
            assert_eq!(a.unbox::<WithGeneric<f64>>().unwrap().t, 1.5);
            assert_eq!(b.unbox::<WithGeneric<i32>>().unwrap().t, 7);
            // Each instance is its own Julia type: no mix-up through a shared cache.
            assert!(a.is::<WithGeneric<f64>>() && !a.is::<WithGeneric<i32>>());
            assert!(b.is::<WithGeneric<i32>>() && !b.is::<WithGeneric<f64>>());
            let err = b.unbox::<WithGeneric<f64>>().unwrap_err();
            assert!(matches!(err, Error::WrongType { .. }), "{err}");
            assert!(err.to_string().contains("WithGeneric{Float64}"), "{err}");
            let c = f.eval("WithGeneric('q')").unwrap();
            assert_eq!(c.unbox::<WithGeneric<char>>().unwrap().t, 'q');

            // Nested: the field's type is the applied type.
            let o = Outer {
                w: WithGeneric { t: -0.5 },
                k: 3,
            };
            let v = f.box_value(o).unwrap();
            assert_eq!(repr(&mut f, v), "Outer(WithGeneric{Float64}(-0.5), 3)");
            assert_eq!(v.unbox::<Outer>().unwrap(), o);
            let err = v.unbox::<OuterInt>().unwrap_err();
            let text = err.to_string();
            assert!(matches!(err, Error::Layout { .. }), "{text}");
            assert!(
                text.contains("field `w.t`") && text.contains("Int64"),
                "{text}"
            );

            // Field by field, with a `Vec<T>` inside.
            let l = Labeled {
                label: "floats".into(),
                items: vec![1.0f64, 2.5],
            };
            let v = f.box_value(l.clone()).unwrap();
            assert_eq!(repr(&mut f, v), "Labeled{Float64}(\"floats\", [1.0, 2.5])");
            assert_eq!(v.unbox::<Labeled<f64>>().unwrap(), l);
            let v = f.eval("Labeled(\"ints\", [3, 4, 5])").unwrap();
            assert_eq!(
                v.unbox::<Labeled<i64>>().unwrap(),
                Labeled {
                    label: "ints".into(),
                    items: vec![3i64, 4, 5]
                }
            );
            let err = v.unbox::<Labeled<f64>>().unwrap_err();
            assert!(err.to_string().contains("items"), "{err}");
        })
    });
}

#[test]
fn arrays_of_a_derived_point_are_viewed_in_place() {
    julia().run(|j| {
        j.scope(|mut f| {
            define(&mut f);
            let v = f.eval("ps = [Point(1.0, 2), Point(3.5, -4)]").unwrap();
            let a = v.array::<Point>().unwrap();
            assert_eq!(
                &*a.data().unwrap(),
                &[Point { x: 1.0, y: 2 }, Point { x: 3.5, y: -4 }]
            );
            a.data_mut().unwrap()[1] = Point { x: 0.5, y: 40 };
            // Julia sees the write: the view is Julia's own memory.
            let y = f.eval("ps[2].y").unwrap().unbox::<i64>().unwrap();
            assert_eq!(y, 40);
            // And arrays made from Rust.
            let made = f.array_from_vec(vec![Point { x: 9.0, y: 9 }], [1]).unwrap();
            assert_eq!(repr(&mut f, made.as_value()), "Point[Point(9.0, 9)]");
            assert_eq!(made.to_vec().unwrap(), vec![Point { x: 9.0, y: 9 }]);
            // Generic instances too.
            let g = f.eval("[WithGeneric(1.0), WithGeneric(2.0)]").unwrap();
            let ts: Vec<f64> = g
                .array::<WithGeneric<f64>>()
                .unwrap()
                .to_vec()
                .unwrap()
                .iter()
                .map(|w| w.t)
                .collect();
            assert_eq!(ts, [1.0, 2.0]);
            assert!(g.array::<WithGeneric<i64>>().is_err());
            // Not an array of points.
            let floats = f.eval("[1.0, 2.0]").unwrap();
            assert!(floats.array::<Point>().is_err());
        })
    });
}

#[test]
fn array_views_refuse_a_layout_that_differs() {
    julia().run(|j| {
        j.scope(|mut f| {
            define(&mut f);
            let v = f.eval("[PointYX(1, 2.0)]").unwrap();
            let err = v.array::<WrongOrder>().unwrap_err();
            let text = err.to_string();
            assert!(matches!(err, Error::Layout { .. }), "{text}");
            assert!(
                text.contains("field `x`") && text.contains("PointYX"),
                "{text}"
            );

            let v = f.eval("[PointF(1.0, 2.0)]").unwrap();
            let err = v.array::<WrongType>().unwrap_err();
            let text = err.to_string();
            assert!(matches!(err, Error::Layout { .. }), "{text}");
            assert!(
                text.contains("field `y`") && text.contains("Float64"),
                "{text}"
            );

            // Bool and Char fields: Julia's bits are not always Rust's, so no view.
            let v = f.eval("[BoolBox(true)]").unwrap();
            let err = v.array::<BoolBox>().unwrap_err();
            assert!(err.to_string().contains("bool or char"), "{err}");
            let v = f.eval("[CharBox('c')]").unwrap();
            assert!(v.array::<CharBox>().is_err());
        })
    });
}

#[test]
fn a_struct_with_string_and_vector_fields_is_read_in_one_call() {
    julia().run(|j| {
        j.scope(|mut f| {
            define(&mut f);
            f.eval(
                "make_report() = Report(\"run 1\", [0.5, 1.5], collect(1:4), [\"a\", \"bé\"],
                                        Point(2.0, 3), true)",
            )
            .unwrap();
            let v = f.call("make_report", &[]).unwrap();
            let report = v.unbox::<Report>().unwrap();
            assert_eq!(
                report,
                Report {
                    name: "run 1".into(),
                    values: vec![0.5, 1.5],
                    counts: vec![1, 2, 3, 4],
                    tags: vec!["a".into(), "bé".into()],
                    origin: Point { x: 2.0, y: 3 },
                    ok: true,
                }
            );
            // A field of the wrong type is named.
            let bad = f.eval("(name = \"x\", values = [1], counts = [1], tags = String[], origin = Point(0.0, 0), ok = true)").unwrap();
            assert!(bad.unbox::<Report>().is_err());
        })
    });
}

#[test]
fn invalid_bool_bytes_and_chars_are_errors() {
    julia().run(|j| {
        j.scope(|mut f| {
            define(&mut f);
            // Julia stores whatever byte it is given in a Bool field.
            let v = f.eval("reinterpret(BoolBox, UInt8[0x02])[1]").unwrap();
            let err = v.unbox::<BoolBox>().unwrap_err();
            let text = err.to_string();
            assert!(
                text.contains("field `b`") && text.contains("0x02"),
                "{text}"
            );
            let ok = f.eval("reinterpret(BoolBox, UInt8[0x01])[1]").unwrap();
            assert_eq!(ok.unbox::<BoolBox>().unwrap(), BoolBox { b: true });

            // A Char holding bits that are no UTF-8 character.
            let v = f.eval("CharBox(reinterpret(Char, 0xffffffff))").unwrap();
            let err = v.unbox::<CharBox>().unwrap_err();
            let text = err.to_string();
            assert!(
                text.contains("field `c`") && text.contains("0xffffffff"),
                "{text}"
            );
            // Nested in a tuple, in a generic struct.
            let v = f
                .eval("WithGeneric((1.0, reinterpret(Char, 0xc0000000)))")
                .unwrap();
            let err = v.unbox::<WithGeneric<(f64, char)>>().unwrap_err();
            assert!(err.to_string().contains("field `t.2`"), "{err}");
            // Field by field: the Char field is named.
            let v = f
                .eval("Record(true, reinterpret(Char, 0xffffffff), (1, \"\"))")
                .unwrap();
            let err = v.unbox::<Record>().unwrap_err();
            assert!(err.to_string().contains("letter"), "{err}");
        })
    });
}

#[test]
fn value_fields_stay_rooted_in_the_callers_frame() {
    julia().run(|j| {
        j.scope(|mut f| {
            define(&mut f);
            let v = f
                .eval("tagged = Tagged(\"big\", collect(1.0:100_000.0))")
                .unwrap();
            let t = v.unbox_rooted::<Tagged>(&mut f).unwrap();
            assert_eq!(t.tag, "big");
            // Julia drops every reference it had: only the frame keeps the payload.
            f.eval("tagged.payload = nothing; tagged = nothing")
                .unwrap();
            for _ in 0..3 {
                f.eval("[collect(1.0:100_000.0) .* 0 for _ in 1:50]; nothing")
                    .unwrap();
                f.collect_garbage(true);
            }
            let sum = f.call("sum", &[t.payload]).unwrap().unbox::<f64>().unwrap();
            assert_eq!(sum, 5_000_050_000.0);

            // Boxed again: the constructor gets the very value.
            let again = f.box_value(t).unwrap();
            let same = f.eval("(a, b) -> a.payload === b").unwrap();
            let payload = again.field(&mut f, "payload").unwrap();
            let r = same.call(&mut f, &[again, payload]).unwrap();
            assert!(r.unbox::<bool>().unwrap());
            let tag = again.field(&mut f, "tag").unwrap();
            assert_eq!(tag.unbox::<String>().unwrap(), "big");

            // The wrong type is refused, naming it.
            let err = f
                .eval("1.5")
                .unwrap()
                .unbox_rooted::<Tagged>(&mut f)
                .unwrap_err();
            assert!(err.to_string().contains("Main.Tagged"), "{err}");
        })
    });
}
