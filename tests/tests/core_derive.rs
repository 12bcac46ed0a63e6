//! `#[derive(IntoJulia, Unbox)]`: user bits types round-trip, and a Rust struct whose
//! layout differs from its Julia type is refused with an error naming the field.

use jlrs_core::{Error, GcFrame, Value};
use jlrs_macros::{IntoJulia, Unbox};
use jlrs_tests::julia;
use num_complex::Complex;

#[derive(Clone, Copy, Debug, PartialEq, IntoJulia, Unbox)]
#[repr(C)]
#[jlrs(julia_type = "Main.Point")]
struct Point {
    x: f64,
    y: i64,
}

/// Nested: a struct of derived structs and a complex number.
#[derive(Clone, Copy, Debug, PartialEq, IntoJulia, Unbox)]
#[repr(C)]
#[jlrs(julia_type = "Main.Segment")]
struct Segment {
    from: Point,
    to: Point,
    #[jlrs(rename = "weight")]
    w: Complex<f32>,
    tag: u8,
}

/// The fields of `Point` in the wrong order.
#[derive(Clone, Copy, Debug, IntoJulia, Unbox)]
#[repr(C)]
#[jlrs(julia_type = "Main.Point")]
struct Swapped {
    y: i64,
    x: f64,
}

/// The right names, the wrong size.
#[derive(Clone, Copy, Debug, IntoJulia, Unbox)]
#[repr(C)]
#[jlrs(julia_type = "Main.Point")]
struct Narrow {
    x: f64,
    y: i32,
}

/// Too small.
#[derive(Clone, Copy, Debug, IntoJulia, Unbox)]
#[repr(C)]
#[jlrs(julia_type = "Main.Point")]
struct Short {
    x: f64,
}

/// The right layout, the wrong field type.
#[derive(Clone, Copy, Debug, IntoJulia, Unbox)]
#[repr(C)]
#[jlrs(julia_type = "Main.Point")]
struct Unsigned {
    x: f64,
    y: u64,
}

/// A Julia type that is not isbits.
#[derive(Clone, Copy, Debug, IntoJulia, Unbox)]
#[repr(C)]
#[jlrs(julia_type = "Main.NotBits")]
struct NotBits {
    x: f64,
}

/// A Julia type that does not exist.
#[derive(Clone, Copy, Debug, IntoJulia, Unbox)]
#[repr(C)]
#[jlrs(julia_type = "Main.NoSuchType")]
struct Missing {
    x: f64,
}

fn define(f: &mut GcFrame<'_>) {
    f.eval(
        "if !isdefined(Main, :Point)
             struct Point; x::Float64; y::Int64; end
             struct Segment; from::Point; to::Point; weight::ComplexF32; tag::UInt8; end
             mutable struct NotBits; x::Float64; end
         end",
    )
    .unwrap();
}

fn repr(f: &mut GcFrame<'_>, v: Value<'_>) -> String {
    f.call("repr", &[v]).unwrap().unbox::<String>().unwrap()
}

#[test]
fn a_derived_point_round_trips() {
    julia().run(|j| {
        j.scope(|mut f| {
            define(&mut f);
            let p = Point { x: 1.5, y: -7 };
            let v = f.box_value(p).unwrap();
            assert_eq!(repr(&mut f, v), "Point(1.5, -7)");
            assert!(v.is::<Point>());
            assert_eq!(v.unbox::<Point>().unwrap(), p);
            // Julia computes with it and hands one back.
            f.eval("shift(p::Point) = Point(p.x + 1, p.y * 2)").unwrap();
            let w = f.call("shift", &[v]).unwrap().unbox::<Point>().unwrap();
            assert_eq!(w, Point { x: 2.5, y: -14 });
            // Many round trips under collections: the bits are copied, never shared.
            for i in 0..1000 {
                let p = Point { x: i as f64, y: i };
                let v = f.box_value(p).unwrap();
                if i % 250 == 0 {
                    f.collect_garbage(true);
                }
                assert_eq!(v.unbox::<Point>().unwrap(), p);
            }
            // Not a Point.
            let one = f.box_value(1.0f64);
            assert!(!one.is::<Point>());
            let err = one.unbox::<Point>().unwrap_err();
            assert!(matches!(err, Error::WrongType { .. }), "{err}");
        })
    });
}

#[test]
fn nested_derived_structs_round_trip() {
    julia().run(|j| {
        j.scope(|mut f| {
            define(&mut f);
            let s = Segment {
                from: Point { x: 0.0, y: 1 },
                to: Point { x: 3.0, y: 4 },
                w: Complex::new(0.5, -1.0),
                tag: 9,
            };
            let v = f.box_value(s).unwrap();
            assert_eq!(
                repr(&mut f, v),
                "Segment(Point(0.0, 1), Point(3.0, 4), 0.5f0 - 1.0f0im, 0x09)"
            );
            assert_eq!(v.unbox::<Segment>().unwrap(), s);
            let from = v.field(&mut f, "from").unwrap().unbox::<Point>().unwrap();
            assert_eq!(from, s.from);
            let made = f
                .eval("Segment(Point(1, 2), Point(3, 4), ComplexF32(1, 1), 0x01)")
                .unwrap()
                .unbox::<Segment>()
                .unwrap();
            assert_eq!(made.to, Point { x: 3.0, y: 4 });
            assert_eq!(made.w, Complex::new(1.0, 1.0));
        })
    });
}

#[test]
fn mismatched_structs_are_refused_naming_the_field() {
    julia().run(|j| {
        j.scope(|mut f| {
            define(&mut f);
            let v = f.eval("Point(1.0, 2)").unwrap();

            let err = v.unbox::<Swapped>().unwrap_err();
            let text = err.to_string();
            assert!(matches!(err, Error::Layout { .. }), "{text}");
            assert!(text.contains("field `y`"), "{text}");
            assert!(!v.is::<Swapped>());
            let err = f.box_value(Swapped { y: 2, x: 1.0 }).unwrap_err();
            assert!(err.to_string().contains("field `y`"), "{err}");

            let err = v.unbox::<Narrow>().unwrap_err();
            let text = err.to_string();
            assert!(
                text.contains("field `y`") && text.contains("4 bytes"),
                "{text}"
            );
            assert!(text.contains("Main.Point"), "{text}");
            assert!(f.box_value(Narrow { x: 1.0, y: 2 }).is_err());

            let err = v.unbox::<Short>().unwrap_err();
            let text = err.to_string();
            assert!(
                text.contains("has 8 bytes") && text.contains("has 16"),
                "{text}"
            );

            let err = v.unbox::<Unsigned>().unwrap_err();
            let text = err.to_string();
            assert!(
                text.contains("field `y`") && text.contains("UInt64"),
                "{text}"
            );

            let err = f.box_value(NotBits { x: 1.0 }).unwrap_err();
            assert!(
                err.to_string().contains("not a concrete isbits type"),
                "{err}"
            );

            let err = f.box_value(Missing { x: 1.0 }).unwrap_err();
            assert!(err.to_string().contains("Main.NoSuchType"), "{err}");
            let err = v.unbox::<Missing>().unwrap_err();
            assert!(err.to_string().contains("Main.NoSuchType"), "{err}");

            // The good type still works beside the refused ones.
            assert_eq!(v.unbox::<Point>().unwrap(), Point { x: 1.0, y: 2 });
        })
    });
}
