//! jlrs-core: type introspection from Rust ([`DataType`]), checked against what Julia's
//! own reflection says about the same types.

use jlrs_core::{DataType, GcFrame, JuliaError, Value};
use jlrs_tests::julia;

const TYPES: &str = r#"
struct JlrsDtPoint
    x::Float64
    y::Int32
end
mutable struct JlrsDtBox
    v::Vector{Int}
    n::Int8
end
struct JlrsDtRef
    s::String
    k::Int
end
struct JlrsDtParam{T}
    t::T
end
abstract type JlrsDtAbstract end
jlrs_dt_facts(T) = (isbitstype(T), T.mutable, T.isinlinealloc, T.abstract, sizeof(T),
    Base.datatype_alignment(T), fieldcount(T), join(string.(fieldnames(T)), ","),
    join(string.(fieldtypes(T)), ","))
nothing
"#;

fn julia_facts(frame: &mut GcFrame<'_>, ty: Value<'_>) -> String {
    let facts = frame.call("jlrs_dt_facts", &[ty]).unwrap();
    frame
        .call("string", &[facts])
        .unwrap()
        .unbox::<String>()
        .unwrap()
}

fn rust_facts(frame: &mut GcFrame<'_>, ty: DataType<'_>) -> String {
    let types: Vec<String> = ty
        .field_types(frame)
        .unwrap()
        .into_iter()
        .map(|t| {
            frame
                .call("string", &[t])
                .unwrap()
                .unbox::<String>()
                .unwrap()
        })
        .collect();
    let b = |x: bool| x.to_string();
    format!(
        "({}, {}, {}, {}, {}, {}, {}, \"{}\", \"{}\")",
        b(ty.isbits()),
        b(ty.is_mutable()),
        b(ty.isinlinealloc()),
        b(ty.is_abstract()),
        ty.size().unwrap(),
        ty.align().unwrap(),
        ty.n_fields().unwrap(),
        ty.field_names().join(","),
        types.join(","),
    )
}

#[test]
fn the_facts_match_julias_reflection() {
    julia().run(|j| {
        j.scope(|mut frame| {
            frame.eval(TYPES).unwrap();
            for code in [
                "Float64",
                "Int8",
                "Bool",
                "Nothing",
                "Complex{Float32}",
                "Tuple{Int8, Float64}",
                "Tuple{}",
                "NamedTuple{(:a, :b), Tuple{Int, String}}",
                "JlrsDtPoint",
                "JlrsDtBox",
                "JlrsDtRef",
                "JlrsDtParam{JlrsDtPoint}",
                "JlrsDtParam{Any}",
                "Some{Vector{Float64}}",
                "Base.RefValue{Int}",
            ] {
                let ty = frame.eval(code).unwrap();
                let dt = DataType::from_value(ty).unwrap();
                assert!(dt.is_concrete(), "{code}");
                let expected = julia_facts(&mut frame, ty);
                assert_eq!(rust_facts(&mut frame, dt), expected, "{code}");
            }
        });
    });
}

#[test]
fn layouts_names_and_parameters() {
    julia().run(|j| {
        j.scope(|mut frame| {
            frame.eval(TYPES).unwrap();
            let p = frame.eval("JlrsDtPoint(1.0, Int32(2))").unwrap();
            let dt = DataType::of(p);
            assert_eq!(dt.name(), "JlrsDtPoint");
            assert_eq!((dt.size(), dt.align()), (Some(16), Some(8)));
            assert_eq!(dt.field_names(), ["x", "y"]);
            assert_eq!(dt.field_offset(0), Some(0));
            assert_eq!(dt.field_offset(1), Some(8));
            assert_eq!(dt.field_offset(2), None);
            assert_eq!(dt.field_is_pointer(1), Some(false));
            assert_eq!(dt.n_parameters(), 0);
            assert_eq!(dt.super_type(&mut frame).name(), "Any");

            let b = frame.eval("JlrsDtBox([1], 2)").unwrap();
            let dt = DataType::of(b);
            assert!(dt.is_mutable() && !dt.isbits() && !dt.isinlinealloc());
            assert_eq!(dt.field_is_pointer(0), Some(true));
            assert_eq!(dt.field_is_pointer(1), Some(false));

            let a = frame.eval("zeros(Int, 3)").unwrap();
            let dt = DataType::of(a);
            assert_eq!(dt.name(), "Array");
            let params = dt.parameters(&mut frame);
            assert_eq!(params.len(), 2);
            assert_eq!(DataType::from_value(params[0]).unwrap().name(), "Int64");
            assert_eq!(params[1].unbox::<i64>().unwrap(), 1);
            assert_eq!(dt.super_type(&mut frame).name(), "DenseArray");

            let x = frame.eval("1.5").unwrap();
            assert_eq!(
                DataType::of(x).super_type(&mut frame).name(),
                "AbstractFloat"
            );
        });
    });
}

#[test]
fn types_without_a_layout() {
    julia().run(|j| {
        j.scope(|mut frame| {
            frame.eval(TYPES).unwrap();
            for code in ["Real", "JlrsDtAbstract", "Any"] {
                let dt = DataType::from_value(frame.eval(code).unwrap()).unwrap();
                assert!(dt.is_abstract() && !dt.is_concrete(), "{code}");
                assert_eq!((dt.size(), dt.align(), dt.n_fields()), (None, None, None));
                assert!(dt.field_names().is_empty());
                assert!(dt.field_types(&mut frame).unwrap().is_empty());
                assert_eq!(dt.field_offset(0), None);
            }
            // A type with a free parameter: fields known, layout not.
            let body = frame.eval("Base.unwrap_unionall(JlrsDtParam)").unwrap();
            let dt = DataType::from_value(body).unwrap();
            assert!(!dt.is_abstract() && !dt.is_concrete());
            assert_eq!(dt.size(), None);
            assert_eq!(dt.n_fields(), Some(1));
            assert_eq!(dt.field_names(), ["t"]);
            let types = dt.field_types(&mut frame).unwrap();
            assert_eq!(types[0].type_name(), "TypeVar");
            // A tuple of any length has no field count.
            let va = frame.eval("Tuple{Vararg{Int}}").unwrap();
            let dt = DataType::from_value(va).unwrap();
            assert_eq!(dt.n_fields(), None);
            let fixed = frame.eval("Tuple{Int, Vararg{Int, 2}}").unwrap();
            let dt = DataType::from_value(fixed).unwrap();
            assert_eq!(dt.n_fields(), Some(3), "Vararg with a length is fixed");
        });
    });
}

#[test]
fn values_that_are_not_datatypes_are_refused() {
    julia().run(|j| {
        j.scope(|mut frame| {
            for (code, found) in [
                ("Complex", "UnionAll"),
                ("Union{Int, Nothing}", "Union"),
                ("1", "Int64"),
                ("Base", "Module"),
            ] {
                let v = frame.eval(code).unwrap();
                match DataType::from_value(v).unwrap_err() {
                    JuliaError::WrongType { expected, found: f } => {
                        assert_eq!(expected, "DataType");
                        assert_eq!(f, found, "{code}");
                    }
                    other => panic!("{code}: {other:?}"),
                }
                assert!(DataType::try_from(v).is_err());
            }
        });
    });
}
