//! `cargo xtask dist`: a folder to ship, with a release binary and the Julia it runs on.
//!
//! ```text
//! target/dist/NAME/
//!   NAME                           the binary: needs libjulia.so.1, rpath $ORIGIN/julia/lib/...
//!   julia/bin/                     Julia's bindir (the runtime passes it to jl_init)
//!   julia/lib/x86_64-linux-gnu/    libjulia, the libraries it and Julia's own libraries need
//!   julia/lib/x86_64-linux-gnu/julia/   the system image and Julia's private libraries
//!   julia/lib/lib/                 links where libLLVM looks for its dependencies
//!   julia/share/julia/             Base's sources and the standard library
//! ```
//!
//! The binary is built with `JLRS_LIBJULIA_PATH=libjulia.so.1` (jlrs-core's build script
//! then links libjulia by name) and a `DT_RPATH` of `$ORIGIN/julia/lib/x86_64-linux-gnu`
//! and its `julia/` directory. A `DT_RPATH` rather than a `DT_RUNPATH`: the dynamic loader
//! also searches the program's `DT_RPATH` for the dependencies of libraries that have no
//! search path of their own (libgit2, libgfortran), and for Julia's `dlopen`s. Every shared
//! library that `ldd` resolves for these files, except the C library's own, is copied in,
//! so the folder runs on a machine without Julia.

use std::{
    collections::BTreeMap,
    fs,
    path::{Path, PathBuf},
    process::{Command, ExitCode},
};

use anyhow::{bail, Context, Result};

use crate::julia::{self, MULTIARCH};

const USAGE: &str = "usage: cargo xtask dist (--bin NAME | --example NAME) \
                     [--manifest-path PATH] [--out DIR] [-- CARGO BUILD ARGS]";

/// Libraries every Linux system has, left out of the folder (the C library's parts and
/// the compiler's runtime support, which must match the system's C library).
const SYSTEM_LIBS: &[&str] = &[
    "linux-vdso.so.1",
    "ld-linux-x86-64.so.2",
    "libc.so.6",
    "libm.so.6",
    "libdl.so.2",
    "libpthread.so.0",
    "librt.so.1",
    "libutil.so.1",
    "libresolv.so.2",
    "libgcc_s.so.1",
];

/// Where the binary finds libjulia and the libraries without a search path of their own.
const RPATH: &str = "$ORIGIN/julia/lib/x86_64-linux-gnu:$ORIGIN/julia/lib/x86_64-linux-gnu/julia";

struct Args {
    kind: &'static str,
    name: String,
    manifest: Option<PathBuf>,
    out: Option<PathBuf>,
    cargo: Vec<String>,
}

fn parse(args: &[String]) -> Result<Args> {
    let mut parsed = Args {
        kind: "",
        name: String::new(),
        manifest: None,
        out: None,
        cargo: Vec::new(),
    };
    let mut it = args.iter();
    while let Some(a) = it.next() {
        let mut value = || {
            it.next()
                .cloned()
                .with_context(|| format!("{a} needs a value\n{USAGE}"))
        };
        match a.as_str() {
            "--bin" => (parsed.kind, parsed.name) = ("--bin", value()?),
            "--example" => (parsed.kind, parsed.name) = ("--example", value()?),
            "--manifest-path" => parsed.manifest = Some(PathBuf::from(value()?)),
            "--out" => parsed.out = Some(PathBuf::from(value()?)),
            "--" => {
                parsed.cargo = it.cloned().collect();
                break;
            }
            other => bail!("unknown argument `{other}`\n{USAGE}"),
        }
    }
    if parsed.kind.is_empty() {
        bail!("{USAGE}");
    }
    Ok(parsed)
}

pub(crate) fn cmd(args: &[String]) -> Result<ExitCode> {
    let args = parse(args)?;
    let julia = julia::ensure(true)?;
    let target = crate::workspace_root().join("target");
    let build_dir = target.join("jlrs-dist-build");
    let binary = build(&julia, &args, &build_dir)?;
    let out = args
        .out
        .clone()
        .unwrap_or_else(|| target.join("dist").join(&args.name));
    assemble(&julia, &binary, &args.name, &out)?;
    let size = dir_size(&out)?;
    println!(
        "xtask: {} is ready ({:.0} MiB): run {}",
        out.display(),
        size as f64 / (1024.0 * 1024.0),
        out.join(&args.name).display()
    );
    Ok(ExitCode::SUCCESS)
}

/// Builds the release binary for the folder in its own target directory; returns its path.
fn build(julia: &julia::Julia, args: &Args, build_dir: &Path) -> Result<PathBuf> {
    let mut rustflags = std::env::var("RUSTFLAGS").unwrap_or_default();
    rustflags.push_str(&format!(
        " -C link-arg=-Wl,--disable-new-dtags,-rpath,{RPATH}"
    ));
    let mut cmd = Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()));
    cmd.args(["build", "--release", "--target-dir"])
        .arg(build_dir)
        .args([args.kind, &args.name]);
    if let Some(m) = &args.manifest {
        cmd.arg("--manifest-path").arg(m);
    }
    cmd.args(&args.cargo)
        .envs(julia.env())
        .env("JLRS_LIBJULIA_PATH", "libjulia.so.1")
        .env("RUSTFLAGS", rustflags.trim());
    julia::run(&mut cmd).context("building the release binary")?;
    let sub = if args.kind == "--example" {
        "release/examples"
    } else {
        "release"
    };
    let binary = build_dir.join(sub).join(&args.name);
    if !binary.is_file() {
        bail!("cargo built no {}", binary.display());
    }
    Ok(binary)
}

/// Fills `out` with the binary and the Julia it needs.
fn assemble(julia: &julia::Julia, binary: &Path, name: &str, out: &Path) -> Result<()> {
    if out.exists() {
        fs::remove_dir_all(out).with_context(|| format!("removing {}", out.display()))?;
    }
    let root = out.join("julia");
    let libdir = root.join("lib").join(MULTIARCH);
    fs::create_dir_all(&libdir)?;
    fs::copy(binary, out.join(name))?;
    // Julia's tree: its bindir, libraries, system image and standard library.
    copy_tree(&julia.dir.join("bin"), &root.join("bin"))?;
    copy_tree(&julia.libdir(), &libdir)?;
    for part in ["base", "stdlib"] {
        copy_tree(
            &julia.dir.join("share/julia").join(part),
            &root.join("share/julia").join(part),
        )?;
    }
    // Everything those need that the system may lack.
    let mut needed = BTreeMap::new();
    let mut objects = vec![out.join(name)];
    objects.extend(shared_objects(&libdir)?);
    objects.extend(shared_objects(&libdir.join("julia"))?);
    for object in &objects {
        for (soname, path) in ldd(julia, object)? {
            needed.entry(soname).or_insert(path);
        }
    }
    for (soname, path) in needed {
        if SYSTEM_LIBS.contains(&soname.as_str()) || libdir.join(&soname).exists() {
            continue;
        }
        fs::copy(&path, libdir.join(&soname))
            .with_context(|| format!("copying {}", path.display()))?;
    }
    // libLLVM finds its dependencies in `$ORIGIN/../lib` only.
    let lib_lib = root.join("lib/lib");
    fs::create_dir_all(&lib_lib)?;
    for entry in fs::read_dir(&libdir)? {
        let name = entry?.file_name();
        let link = lib_lib.join(&name);
        if name.to_string_lossy().contains(".so") && fs::symlink_metadata(&link).is_err() {
            std::os::unix::fs::symlink(Path::new("..").join(MULTIARCH).join(&name), &link)?;
        }
    }
    Ok(())
}

/// Copies `from` into `to`: files, and symbolic links that stay inside `from` as links;
/// a link that leads out of `from` (to the host's libraries) becomes a copy of its target.
fn copy_tree(from: &Path, to: &Path) -> Result<()> {
    copy_within(&from.canonicalize()?, from, to)
}

fn copy_within(root: &Path, from: &Path, to: &Path) -> Result<()> {
    fs::create_dir_all(to)?;
    for entry in fs::read_dir(from).with_context(|| format!("reading {}", from.display()))? {
        let entry = entry?;
        let (src, dst) = (entry.path(), to.join(entry.file_name()));
        let meta = fs::symlink_metadata(&src)?;
        if meta.file_type().is_symlink() {
            let target = fs::read_link(&src)?;
            let inside = target.is_relative()
                && src
                    .canonicalize()
                    .is_ok_and(|resolved| resolved.starts_with(root));
            if inside {
                std::os::unix::fs::symlink(&target, &dst)?;
            } else if src.is_dir() {
                copy_within(root, &src, &dst)?;
            } else if src.exists() {
                fs::copy(&src, &dst).with_context(|| format!("copying {}", src.display()))?;
            }
        } else if meta.is_dir() {
            copy_within(root, &src, &dst)?;
        } else {
            fs::copy(&src, &dst).with_context(|| format!("copying {}", src.display()))?;
        }
    }
    Ok(())
}

/// The shared libraries directly in `dir` (files, not links).
fn shared_objects(dir: &Path) -> Result<Vec<PathBuf>> {
    let mut found = Vec::new();
    for entry in fs::read_dir(dir)? {
        let path = entry?.path();
        let meta = fs::symlink_metadata(&path)?;
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        if meta.is_file() && name.contains(".so") {
            found.push(path);
        }
    }
    found.sort();
    Ok(found)
}

/// The libraries `ldd` resolves for `object` with Julia's library path: soname and path.
fn ldd(julia: &julia::Julia, object: &Path) -> Result<Vec<(String, PathBuf)>> {
    let out = Command::new("ldd")
        .arg(object)
        .envs(julia.env())
        .output()
        .context("running ldd")?;
    let text = String::from_utf8_lossy(&out.stdout);
    let mut libs = Vec::new();
    for line in text.lines() {
        let line = line.trim();
        if let Some((soname, rest)) = line.split_once(" => ") {
            if rest.starts_with("not found") {
                eprintln!(
                    "xtask: warning: {} needs {soname}, which neither Julia nor the system \
                     provides; it fails to load",
                    object.display()
                );
            }
            if let Some(path) = rest
                .split_whitespace()
                .next()
                .filter(|p| p.starts_with('/'))
            {
                libs.push((soname.trim().to_string(), PathBuf::from(path)));
            }
        }
    }
    Ok(libs)
}

/// The bytes of the files under `dir` (links not followed).
fn dir_size(dir: &Path) -> Result<u64> {
    let mut total = 0;
    for entry in fs::read_dir(dir)? {
        let path = entry?.path();
        let meta = fs::symlink_metadata(&path)?;
        total += if meta.is_dir() {
            dir_size(&path)?
        } else {
            meta.len()
        };
    }
    Ok(total)
}
