//! Compiles the C shim against the headers of the Julia found through `JULIA_DIR`.

use std::path::PathBuf;

fn main() {
    println!("cargo:rerun-if-changed=csrc");
    println!("cargo:rerun-if-env-changed=JULIA_DIR");
    let Some(dir) = std::env::var_os("JULIA_DIR").filter(|d| !d.is_empty()) else {
        panic!(
            "JULIA_DIR is not set: build through `cargo xtask exec -- cargo ...`, which \
             provisions Julia 1.5.3, or point JULIA_DIR at a Julia 1.5 installation"
        );
    };
    let dir = PathBuf::from(dir);
    let include = dir.join("include/julia");
    if !include.join("julia.h").is_file() {
        panic!("JULIA_DIR={} has no include/julia/julia.h", dir.display());
    }
    // Every C file of `csrc/`, one per topic.
    let mut sources: Vec<PathBuf> = std::fs::read_dir("csrc")
        .expect("csrc/ exists")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "c"))
        .collect();
    sources.sort();
    cc::Build::new()
        .files(&sources)
        .include(&include)
        .flag_if_supported("-fPIC")
        .warnings(true)
        .compile("jlrs_core_shim");
    // Where the runtime looks for Julia when JULIA_DIR is not set when the program runs.
    println!("cargo:rustc-env=JLRS_BUILD_JULIA_DIR={}", dir.display());
}
