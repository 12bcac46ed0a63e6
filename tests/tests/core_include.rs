//! Code with a file name: `include_string` and `include` make Julia's messages name the
//! user's file and line, where `eval`'s code is `none`.

use jlrs_core::JuliaError;
use jlrs_tests::julia;

const SERVICE: &str = "\
# service.jl
scale(x::Float64, k::Float64) = k * x

function check(x)
    x < 0 && throw(DomainError(x, \"negative\"))
    x
end
check(-1.0)
";

#[test]
fn errors_while_loading_name_the_file_and_line() {
    julia().run(|j| {
        j.scope(|mut f| {
            let err = f.include_string(SERVICE, "service.jl").unwrap_err();
            let text = err.to_string();
            assert!(text.contains("service.jl:8"), "{text}");
            let JuliaError::Exception(e) = err else {
                panic!("expected an exception, got {err:?}")
            };
            assert_eq!(e.type_name(), "LoadError");
            assert_eq!(e.causes()[0].type_name(), "DomainError");
            assert!(e.causes()[0].message().contains("negative"));
            // The methods defined before the error exist and name the file.
            let s = f.box_value("a");
            let x = f.box_value(1.0f64);
            let err = f.call("scale", &[x, s]).unwrap_err().to_string();
            assert!(err.contains("service.jl:2"), "{err}");
            // `eval`'s code has no file.
            f.eval("unnamed(x::Float64) = x").unwrap();
            let err = f.call("unnamed", &[s]).unwrap_err().to_string();
            assert!(
                err.contains("none:1") && !err.contains("service.jl"),
                "{err}"
            );
        });
    });
}

#[test]
fn a_file_from_disk_names_its_path() {
    let dir = std::env::temp_dir().join(format!("jlrs-include-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("model.jl");
    std::fs::write(&path, "model_value() = 42\nmodel_value()\n").unwrap();
    let bad = dir.join("broken.jl");
    std::fs::write(&bad, "x = 1\n\nundefined_thing_here + 1\n").unwrap();
    let missing = dir.join("missing.jl");
    julia().run(move |j| {
        j.scope(|mut f| {
            assert_eq!(f.include(&path).unwrap().unbox::<i64>().unwrap(), 42);
            let err = f.include(&bad).unwrap_err().to_string();
            assert!(
                err.contains("broken.jl:3") && err.contains("undefined_thing_here"),
                "{err}"
            );
            let err = f.include(&missing).unwrap_err().to_string();
            assert!(err.contains("missing.jl"), "{err}");
            let err = f.include_string("1", "bad\0name.jl").unwrap_err();
            assert!(matches!(err, JuliaError::NulByte(_)), "{err:?}");
        });
    });
    let _ = std::fs::remove_dir_all(dir);
}
