//! Copying conversions a service needs: `Vec<T>`/`&[T]` ↔ `Vector{T}`, `Vec<String>` ↔
//! `Vector{String}`, `Vec<Vec<T>>` (rows) ↔ `Matrix{T}`, tuples and structs holding them,
//! and `#[derive(IntoJulia, Unbox)]` over structs with `Vec` and `String` fields, with
//! errors that name the types and the field.

use jlrs_core::{GcFrame, JuliaError};
use jlrs_macros::{IntoJulia, Unbox};
use jlrs_tests::julia;

/// A Julia result moved into a Rust struct, field by field (no `#[repr(C)]`).
#[derive(Clone, Debug, PartialEq, IntoJulia, Unbox)]
struct Summary {
    mean: f64,
    quantiles: Vec<f64>,
    label: String,
    counts: Vec<i64>,
}

/// The same fields, checked against a Julia struct type.
#[derive(Clone, Debug, PartialEq, IntoJulia, Unbox)]
#[jlrs(julia_type = "Main.Fit")]
struct Fit {
    coef: Vec<f64>,
    #[jlrs(rename = "names")]
    labels: Vec<String>,
    design: Vec<Vec<f64>>,
    n: i64,
}

/// The full type of `v`, as Julia prints it.
fn type_of(f: &mut GcFrame<'_>, v: jlrs_core::Value<'_>) -> String {
    let t = f.call("typeof", &[v]).unwrap();
    f.call("string", &[t]).unwrap().unbox::<String>().unwrap()
}

fn define(f: &mut GcFrame<'_>) {
    f.eval(
        "if !isdefined(Main, :Fit)
             struct Fit; coef::Vector{Float64}; names::Vector{String}; design::Matrix{Float64}; n::Int; end
         end",
    )
    .unwrap();
}

#[test]
fn vectors_and_slices_round_trip_as_copies() {
    julia().run(|j| {
        j.scope(|mut f| {
            let v = f.box_value(vec![1.0f64, 2.5, -3.0]).unwrap();
            assert_eq!(type_of(&mut f, v), "Array{Float64,1}");
            assert_eq!(f.call("sum", &[v]).unwrap().unbox::<f64>().unwrap(), 0.5);
            assert_eq!(v.unbox::<Vec<f64>>().unwrap(), [1.0, 2.5, -3.0]);
            let s: &[i32] = &[4, 5];
            let v = f.box_value(s).unwrap();
            assert_eq!(v.unbox::<Vec<i32>>().unwrap(), [4, 5]);
            let empty = f.box_value(Vec::<u8>::new()).unwrap();
            assert!(empty.unbox::<Vec<u8>>().unwrap().is_empty());

            let words = f
                .box_value(vec!["a".to_string(), "βγ".to_string()])
                .unwrap();
            assert_eq!(type_of(&mut f, words), "Array{String,1}");
            assert_eq!(words.unbox::<Vec<String>>().unwrap(), ["a", "βγ"]);
            let none = f.box_value(Vec::<String>::new()).unwrap();
            assert!(none.unbox::<Vec<String>>().unwrap().is_empty());

            // A tuple holding an array unboxes.
            let t = f.eval("(1.5, 2.0, [1.0, 2.0, 3.0])").unwrap();
            let (a, b, c) = t.unbox::<(f64, f64, Vec<f64>)>().unwrap();
            assert_eq!((a, b, c), (1.5, 2.0, vec![1.0, 2.0, 3.0]));
            assert!(t.is::<(f64, f64, Vec<f64>)>());
            assert!(!t.is::<(f64, f64, Vec<i64>)>());
            let boxed = f.box_value((7i64, vec![1u8, 2])).unwrap();
            assert_eq!(boxed.unbox::<(i64, Vec<u8>)>().unwrap(), (7, vec![1, 2]));
        });
    });
}

#[test]
fn unboxing_a_vector_checks_its_type() {
    julia().run(|j| {
        j.scope(|mut f| {
            let ints = f.eval("[1, 2, 3]").unwrap();
            let err = ints.unbox::<Vec<f64>>().unwrap_err().to_string();
            assert!(
                err.contains("Vector{Float64}") && err.contains("Int64"),
                "{err}"
            );
            let m = f.eval("[1.0 2.0; 3.0 4.0]").unwrap();
            let err = m.unbox::<Vec<f64>>().unwrap_err().to_string();
            assert!(
                err.contains("Vector") && err.contains("Array{Float64,2}"),
                "{err}"
            );
            let x = f.eval("1.0").unwrap();
            assert!(x.unbox::<Vec<f64>>().is_err());
            assert!(x
                .unbox::<Vec<String>>()
                .unwrap_err()
                .to_string()
                .contains("Vector{String}"));
            let anys = f.eval("Any[\"a\", 1]").unwrap();
            assert!(anys.unbox::<Vec<String>>().is_err());
        });
    });
}

#[test]
fn matrices_are_rows_in_rust_and_column_major_in_julia() {
    julia().run(|j| {
        j.scope(|mut f| {
            let rows = vec![vec![1.0f64, 2.0, 3.0], vec![4.0, 5.0, 6.0]];
            let m = f.box_value(rows.clone()).unwrap();
            assert_eq!(type_of(&mut f, m), "Array{Float64,2}");
            assert_eq!(
                f.call("size", &[m]).unwrap().unbox::<(i64, i64)>().unwrap(),
                (2, 3)
            );
            // m[1, 3] is the first row's third element.
            let i = f.box_value(1i64);
            let k = f.box_value(3i64);
            assert_eq!(
                f.call("getindex", &[m, i, k])
                    .unwrap()
                    .unbox::<f64>()
                    .unwrap(),
                3.0
            );
            assert_eq!(m.unbox::<Vec<Vec<f64>>>().unwrap(), rows);
            // A \\ b on a matrix from rows.
            let a = f
                .box_value(vec![vec![2.0f64, 0.0], vec![0.0, 4.0]])
                .unwrap();
            let b = f.box_value(vec![2.0f64, 8.0]).unwrap();
            let x = f.call("\\", &[a, b]).unwrap();
            assert_eq!(x.unbox::<Vec<f64>>().unwrap(), [1.0, 2.0]);

            let ragged = f.box_value(vec![vec![1.0f64, 2.0], vec![3.0]]).unwrap_err();
            assert!(matches!(ragged, JuliaError::Conversion { .. }), "{ragged}");
            assert!(
                ragged.to_string().contains("row 1 has 1 elements"),
                "{ragged}"
            );
            let v = f.eval("[1.0, 2.0]").unwrap();
            assert!(v
                .unbox::<Vec<Vec<f64>>>()
                .unwrap_err()
                .to_string()
                .contains("Matrix"));
        });
    });
}

#[test]
fn derived_structs_with_array_and_string_fields() {
    julia().run(|j| {
        j.scope(|mut f| {
            define(&mut f);
            // From a named tuple (no Julia type named).
            let nt = f
                .eval("(mean = 2.0, quantiles = [1.0, 2.0, 3.0], label = \"x\", counts = [3, 4])")
                .unwrap();
            let s = nt.unbox::<Summary>().unwrap();
            assert_eq!(
                s,
                Summary {
                    mean: 2.0,
                    quantiles: vec![1.0, 2.0, 3.0],
                    label: "x".into(),
                    counts: vec![3, 4],
                }
            );
            assert!(nt.is::<Summary>());
            // Back to Julia: a named tuple.
            let back = f.box_value(s.clone()).unwrap();
            assert_eq!(back.unbox::<Summary>().unwrap(), s);
            let q = back.field(&mut f, "quantiles").unwrap();
            assert_eq!(f.call("sum", &[q]).unwrap().unbox::<f64>().unwrap(), 6.0);

            // A Julia struct type, with a renamed field and a matrix.
            let fit = f
                .eval("Fit([0.5, 2.0], [\"a\", \"b\"], [1.0 2.0; 3.0 4.0], 2)")
                .unwrap();
            let got = fit.unbox::<Fit>().unwrap();
            assert_eq!(got.labels, ["a", "b"]);
            assert_eq!(got.design, [[1.0, 2.0], [3.0, 4.0]]);
            let again = f.box_value(got.clone()).unwrap();
            assert_eq!(type_of(&mut f, again), "Fit");
            assert_eq!(again.unbox::<Fit>().unwrap(), got);

            // Errors name the field, its type and why.
            let bad = f
                .eval("(mean = 2.0, quantiles = [1, 2], label = \"x\", counts = [3])")
                .unwrap();
            let err = bad.unbox::<Summary>().unwrap_err().to_string();
            assert!(
                err.contains("`quantiles`") && err.contains("Vector{Float64}"),
                "{err}"
            );
            let missing = f.eval("(mean = 2.0, label = \"x\")").unwrap();
            let err = missing.unbox::<Summary>().unwrap_err().to_string();
            assert!(err.contains("quantiles"), "{err}");
            assert!(!missing.is::<Summary>());
            // The wrong Julia type is refused even with the right fields.
            let nt = f
                .eval("(coef = [1.0], names = [\"a\"], design = zeros(1, 1), n = 1)")
                .unwrap();
            let err = nt.unbox::<Fit>().unwrap_err().to_string();
            assert!(err.contains("Main.Fit"), "{err}");
        });
    });
}
