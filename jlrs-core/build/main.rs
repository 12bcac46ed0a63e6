//! Build script: finds Julia, compiles the C shim against its headers and links libjulia
//! so that the program finds it at run time (`link.rs`). Without a Julia, `cargo check` and
//! `cargo doc` still work; only linking a program needs one.

mod elf;
mod link;

use std::{
    env,
    path::{Path, PathBuf},
};

fn main() {
    println!("cargo:rerun-if-changed=csrc");
    println!("cargo:rerun-if-changed=build");
    println!("cargo:rerun-if-env-changed=JULIA_DIR");
    println!("cargo:rerun-if-env-changed=JLRS_LIBJULIA_PATH");
    println!("cargo:rerun-if-env-changed=PATH");
    let Some(dir) = find_julia() else {
        // Checking and documenting need no Julia. Linking a program fails at once, naming
        // the library it cannot find.
        if env::var_os("DOCS_RS").is_none() {
            println!(
                "cargo:warning=no Julia found (JULIA_DIR is not set and `julia` is not on \
                 PATH): checking and documenting work, linking a program needs Julia 1.5"
            );
        }
        println!("cargo:rustc-env=JLRS_BUILD_JULIA_DIR=");
        println!("cargo:rustc-link-lib=dylib=julia");
        return;
    };
    compile_shim(&dir);
    let libjulia = find_libjulia(&dir).unwrap_or_else(|| {
        panic!("{} has no lib/libjulia.so.1", dir.display());
    });
    // The file the program loads at run time: the libjulia it was built against, unless
    // `JLRS_LIBJULIA_PATH` names another (`cargo xtask dist` names one relative to the
    // program, `$ORIGIN/...`).
    let needed = env::var("JLRS_LIBJULIA_PATH")
        .ok()
        .filter(|p| !p.is_empty())
        .unwrap_or_else(|| libjulia.display().to_string());
    let out = PathBuf::from(env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));
    match link::write_stand_in(&libjulia, &needed, &out.join("libjulia-link")) {
        Ok(stand_in) => println!(
            "cargo:rustc-link-search=native={}",
            stand_in.parent().unwrap().display()
        ),
        Err(e) => {
            println!(
                "cargo:warning=linking libjulia by name ({e}): the program finds it through \
                 LD_LIBRARY_PATH only"
            );
            println!(
                "cargo:rustc-link-search=native={}",
                libjulia.parent().unwrap().display()
            );
        }
    }
    println!("cargo:rustc-link-lib=dylib=julia");
    // Where the runtime looks for Julia's own files (bin/, the system image) by default.
    println!("cargo:rustc-env=JLRS_BUILD_JULIA_DIR={}", dir.display());
    // For the build scripts of crates that depend on this one directly
    // (`DEP_JLRS_CORE_SHIM_JULIA_DIR`, `DEP_JLRS_CORE_SHIM_LIBJULIA`).
    println!("cargo:julia_dir={}", dir.display());
    println!("cargo:libjulia={}", libjulia.display());
}

/// `$JULIA_DIR`, else the installation of the `julia` on `PATH` (as jl-sys finds it).
fn find_julia() -> Option<PathBuf> {
    if let Some(dir) = env::var_os("JULIA_DIR").filter(|d| !d.is_empty()) {
        let dir = PathBuf::from(dir);
        if !dir.join("include/julia/julia.h").is_file() {
            panic!("JULIA_DIR={} has no include/julia/julia.h", dir.display());
        }
        return Some(dir);
    }
    let path = env::var_os("PATH")?;
    let julia = env::split_paths(&path)
        .map(|p| p.join("julia"))
        .find(|p| p.is_file())?;
    let dir = julia.canonicalize().ok()?.parent()?.parent()?.to_path_buf();
    dir.join("include/julia/julia.h").is_file().then_some(dir)
}

/// The real file of `libjulia.so.1` under `dir/lib` (directly or in a multiarch directory).
fn find_libjulia(dir: &Path) -> Option<PathBuf> {
    let lib = dir.join("lib");
    let mut candidates = vec![lib.join("libjulia.so.1")];
    if let Ok(entries) = std::fs::read_dir(&lib) {
        let mut subdirs: Vec<PathBuf> = entries
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.is_dir())
            .collect();
        subdirs.sort();
        candidates.extend(subdirs.into_iter().map(|d| d.join("libjulia.so.1")));
    }
    candidates.push(lib.join("libjulia.so"));
    candidates
        .into_iter()
        .find(|p| p.is_file())
        .and_then(|p| p.canonicalize().ok())
}

/// Compiles every C file of `csrc/`, one per topic, against Julia's headers.
fn compile_shim(dir: &Path) {
    let include = dir.join("include/julia");
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
}
