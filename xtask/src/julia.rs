//! `cargo xtask julia`: find or provision a private, rootless Julia 1.5.3.
//!
//! The private copy is built from Debian bullseye's packages, downloaded with the host's
//! `apt-get` against a private apt state directory (the system's apt configuration is left
//! alone) and unpacked with `dpkg-deb -x` under `target/julia-1.5.3/`.

use std::{
    fs,
    path::{Path, PathBuf},
    process::{Command, ExitCode},
};

use anyhow::{bail, Context, Result};

/// Packages that make up Julia 1.5.3 and the libraries Debian 12 lacks or has in an
/// incompatible version (bullseye's libunwind 1.3.2 is required: 1.6.2 crashes Julia 1.5.3
/// whenever an exception is thrown inside a task).
const PACKAGES: &[&str] = &[
    "julia",
    "julia-common",
    "libjulia1",
    "libjulia-dev",
    "libllvm9",
    "libgit2-1.1",
    "libmbedtls12",
    "libmbedcrypto3",
    "libmbedx509-0",
    "libdsfmt-19937-1",
    "libopenlibm3",
    "libffi7",
    "libunwind8",
    "libutf8proc2",
    "libhttp-parser2.9",
];

/// Libraries Julia needs that Debian 12 may have with the same soname (Julia's private
/// directory links some of them with `../lib*.so*` symlinks): the host's copy is used when
/// it has one, the bullseye package otherwise.
const HOST_OR_BULLSEYE: &[(&str, &str)] = &[
    ("libgfortran.so.5", "libgfortran5"),
    ("libquadmath.so.0", "libquadmath0"),
    ("libpcre.so.3", "libpcre3"),
    ("libpcre2-8.so.0", "libpcre2-8-0"),
    ("libgmp.so.10", "libgmp10"),
    ("libmpfr.so.6", "libmpfr6"),
    ("libcurl-gnutls.so.4", "libcurl3-gnutls"),
    ("libssh2.so.1", "libssh2-1"),
    ("libutf8proc.so.2", "libutf8proc2"),
];

pub(crate) const MULTIARCH: &str = "x86_64-linux-gnu";
const COMPLETE_MARKER: &str = ".jlrs-complete";

/// A usable Julia installation.
pub(crate) struct Julia {
    /// The directory with `bin/`, `lib/` and `include/julia/` (jl-sys's `JULIA_DIR`).
    pub(crate) dir: PathBuf,
    /// Directories the dynamic loader must search.
    pub(crate) lib_dirs: Vec<PathBuf>,
}

impl Julia {
    /// The directory of libjulia and the libraries it links.
    pub(crate) fn libdir(&self) -> PathBuf {
        let multiarch = self.dir.join("lib").join(MULTIARCH);
        if multiarch.is_dir() {
            multiarch
        } else {
            self.dir.join("lib")
        }
    }

    /// The library search path this Julia needs, without the inherited one.
    fn lib_path(&self) -> String {
        let dirs: Vec<String> = self
            .lib_dirs
            .iter()
            .map(|p| p.display().to_string())
            .collect();
        dirs.join(":")
    }

    /// The environment a process needs to build against and run this Julia.
    pub(crate) fn env(&self) -> Vec<(String, String)> {
        let mut ld = self.lib_path();
        if let Ok(old) = std::env::var("LD_LIBRARY_PATH") {
            for part in old.split(':').filter(|p| !p.is_empty()) {
                if !ld.split(':').any(|l| l == part) {
                    ld.push(':');
                    ld.push_str(part);
                }
            }
        }
        vec![
            ("JULIA_DIR".into(), self.dir.display().to_string()),
            ("LD_LIBRARY_PATH".into(), ld),
        ]
    }
}

pub(crate) fn cmd(args: &[String]) -> Result<ExitCode> {
    let env_only = match args {
        [] => false,
        [flag] if flag == "--env" => true,
        _ => bail!("usage: cargo xtask julia [--env]"),
    };
    let julia = ensure(!env_only)?;
    if env_only {
        println!(
            "export JULIA_DIR={}",
            shell_quote(&julia.dir.display().to_string())
        );
        println!(
            "export LD_LIBRARY_PATH={}\"${{LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}}\"",
            shell_quote(&julia.lib_path())
        );
    } else {
        eprintln!("xtask: Julia is ready at {}", julia.dir.display());
    }
    Ok(ExitCode::SUCCESS)
}

fn shell_quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', r"'\''"))
}

/// Finds a usable Julia: `$JULIA_DIR` if it points at one, else the private copy,
/// provisioning it first if needed. `verbose` reports progress on stderr.
pub(crate) fn ensure(verbose: bool) -> Result<Julia> {
    if let Some(dir) = std::env::var_os("JULIA_DIR").filter(|d| !d.is_empty()) {
        let dir = PathBuf::from(dir);
        if dir.join("include/julia/julia.h").is_file() {
            let mut lib_dirs = vec![dir.join("lib")];
            let multiarch = dir.join("lib").join(MULTIARCH);
            if multiarch.is_dir() {
                lib_dirs.insert(0, multiarch);
            }
            return Ok(Julia { dir, lib_dirs });
        }
        if dir != private_prefix().join("usr") {
            bail!(
                "JULIA_DIR={} is not a usable Julia (no include/julia/julia.h); \
                 unset it to let xtask provision Julia 1.5.3",
                dir.display()
            );
        }
    }
    let prefix = private_prefix();
    if !prefix.join(COMPLETE_MARKER).is_file() {
        provision(&prefix, verbose)?;
    }
    let usr = prefix.join("usr");
    link_dependencies(&usr)?;
    let mut lib_dirs = vec![usr.join("lib").join(MULTIARCH), usr.join("lib")];
    // Packages that install into `/lib` (bullseye's libpcre3, which libgit2 needs).
    let lib = prefix.join("lib").join(MULTIARCH);
    if lib.is_dir() {
        lib_dirs.push(lib);
    }
    Ok(Julia { lib_dirs, dir: usr })
}

/// Makes the private Julia find its own libraries without `LD_LIBRARY_PATH`, as a Julia
/// installed in the system's library directory does: Debian's libraries look for each
/// other in `/usr/lib/x86_64-linux-gnu`, which the private copy is not. libjulia itself
/// searches `$ORIGIN/julia:$ORIGIN`; libLLVM searches `$ORIGIN/../lib` (`usr/lib/lib`) and the
/// libraries of Julia's private directory `$ORIGIN` (`julia/`, where libopenblas needs
/// libgfortran): each library of the multiarch directory gets a link in both, except in
/// `julia/` one that finds its own dependencies relative to itself (`$ORIGIN`: libLLVM),
/// which must be loaded from where it is. (Libraries with no search path of their own,
/// such as libgit2, still need `LD_LIBRARY_PATH` or the program's rpath, which
/// `cargo xtask dist` gives.) Idempotent; run on every use, so older copies get the links.
fn link_dependencies(usr: &Path) -> Result<()> {
    let libdir = usr.join("lib").join(MULTIARCH);
    let mut names: Vec<String> = fs::read_dir(&libdir)
        .with_context(|| format!("reading {}", libdir.display()))?
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().to_string())
        .filter(|n| n.contains(".so.") && !n.starts_with("libjulia"))
        .collect();
    names.sort();
    fs::create_dir_all(usr.join("lib/lib"))?;
    for name in names {
        let relative = fs::read(libdir.join(&name))
            .map(|b| b.windows(7).any(|w| w == b"$ORIGIN"))
            .unwrap_or(true);
        let mut places = vec![(usr.join("lib/lib"), format!("../{MULTIARCH}/{name}"))];
        if !relative {
            places.push((libdir.join("julia"), format!("../{name}")));
        }
        for (dir, target) in places {
            let link = dir.join(&name);
            if dir.is_dir() && fs::symlink_metadata(&link).is_err() {
                std::os::unix::fs::symlink(&target, &link)
                    .with_context(|| format!("linking {}", link.display()))?;
            }
        }
    }
    Ok(())
}

fn private_prefix() -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| crate::workspace_root().join("target"));
    target.join("julia-1.5.3")
}

fn provision(prefix: &Path, verbose: bool) -> Result<()> {
    for tool in ["apt-get", "dpkg-deb"] {
        if which(tool).is_none() {
            bail!(
                "`{tool}` is not on PATH: provisioning Julia 1.5.3 needs Debian's apt-get and \
                 dpkg-deb; install them or point JULIA_DIR at an existing Julia 1.5"
            );
        }
    }
    if verbose {
        eprintln!("xtask: provisioning Julia 1.5.3 under {}", prefix.display());
    }
    let work = prefix.with_extension("partial");
    if work.exists() {
        fs::remove_dir_all(&work).with_context(|| format!("removing {}", work.display()))?;
    }
    let apt = Apt::new(&work.join("apt"))?;
    apt.run(&["update"]).context(
        "`apt-get update` against Debian bullseye failed: is the package mirror reachable?",
    )?;

    let root = work.join("root");
    fs::create_dir_all(&root)?;
    let mut packages: Vec<&str> = PACKAGES.to_vec();
    for (lib, pkg) in HOST_OR_BULLSEYE {
        if host_lib(lib).is_none() && !packages.contains(pkg) {
            packages.push(pkg);
        }
    }
    let debs = work.join("debs");
    fs::create_dir_all(&debs)?;
    apt.download(&debs, &packages)?;
    for entry in fs::read_dir(&debs)? {
        let path = entry?.path();
        if path.extension().is_some_and(|e| e == "deb") {
            run(Command::new("dpkg-deb").arg("-x").arg(&path).arg(&root))
                .with_context(|| format!("unpacking {}", path.display()))?;
        }
    }
    fix_links(&root.join("usr"))?;
    check(&root.join("usr"))?;

    if prefix.exists() {
        fs::remove_dir_all(prefix)?;
    }
    fs::rename(&root, prefix)?;
    fs::write(
        prefix.join(COMPLETE_MARKER),
        "julia 1.5.3 (Debian bullseye)\n",
    )?;
    fs::remove_dir_all(&work)?;
    if verbose {
        eprintln!("xtask: Julia 1.5.3 provisioned");
    }
    Ok(())
}

/// A private apt configuration: its own sources, state and cache, no locks on the
/// system's, run as the current user.
struct Apt {
    options: Vec<String>,
}

impl Apt {
    fn new(dir: &Path) -> Result<Self> {
        let etc = dir.join("etc");
        let parts = etc.join("sources.list.d");
        let prefs = etc.join("preferences.d");
        let lists = dir.join("lists");
        let cache = dir.join("cache");
        for d in [
            &parts,
            &prefs,
            &lists.join("partial"),
            &cache.join("archives/partial"),
        ] {
            fs::create_dir_all(d)?;
        }
        let keyring = "/usr/share/keyrings/debian-archive-keyring.gpg";
        if !Path::new(keyring).is_file() {
            bail!("{keyring} is missing: install Debian's `debian-archive-keyring` package");
        }
        let mirror = debian_mirror();
        let sources = etc.join("sources.list");
        fs::write(
            &sources,
            format!("deb [signed-by={keyring}] {mirror} bullseye main\n"),
        )?;
        let status = dir.join("status");
        fs::write(&status, "")?;
        let user = Command::new("id")
            .arg("-un")
            .output()
            .ok()
            .and_then(|o| String::from_utf8(o.stdout).ok())
            .map(|s| s.trim().to_string())
            .unwrap_or_else(|| "root".into());
        let opt = |k: &str, v: &Path| format!("{k}={}", v.display());
        let options = vec![
            opt("Dir::Etc::sourcelist", &sources),
            opt("Dir::Etc::sourceparts", &parts),
            opt("Dir::Etc::preferencesparts", &prefs),
            opt("Dir::Etc::preferences", &etc.join("preferences")),
            opt("Dir::State::Lists", &lists),
            opt("Dir::State::status", &status),
            opt("Dir::Cache", &cache),
            "Debug::NoLocking=1".into(),
            format!("APT::Sandbox::User={user}"),
        ];
        Ok(Apt { options })
    }

    fn command(&self) -> Command {
        let mut cmd = Command::new("apt-get");
        cmd.arg("-q");
        for o in &self.options {
            cmd.arg("-o").arg(o);
        }
        cmd
    }

    fn run(&self, args: &[&str]) -> Result<()> {
        run(self.command().args(args))
    }

    fn download(&self, into: &Path, packages: &[&str]) -> Result<()> {
        run(self
            .command()
            .current_dir(into)
            .arg("download")
            .args(packages))
        .with_context(|| {
            format!("downloading Julia's packages from Debian bullseye ({packages:?}) failed")
        })
    }
}

/// The Debian mirror the host's apt already uses, so the download goes where the machine
/// is allowed to reach. `JLRS_DEBIAN_MIRROR` overrides it.
fn debian_mirror() -> String {
    if let Ok(m) = std::env::var("JLRS_DEBIAN_MIRROR") {
        return m;
    }
    let mut texts = Vec::new();
    if let Ok(t) = fs::read_to_string("/etc/apt/sources.list") {
        texts.push(t);
    }
    if let Ok(dir) = fs::read_dir("/etc/apt/sources.list.d") {
        let mut paths: Vec<_> = dir.filter_map(|e| e.ok().map(|e| e.path())).collect();
        paths.sort();
        for p in paths {
            let ext = p.extension().and_then(|e| e.to_str());
            if matches!(ext, Some("list") | Some("sources")) {
                if let Ok(t) = fs::read_to_string(&p) {
                    texts.push(t);
                }
            }
        }
    }
    for text in &texts {
        for line in text.lines() {
            let line = line.trim();
            let candidates: Vec<&str> = if let Some(rest) = line.strip_prefix("URIs:") {
                rest.split_whitespace().collect()
            } else if line.starts_with("deb ") {
                line.split_whitespace()
                    .filter(|w| w.starts_with("http"))
                    .take(1)
                    .collect()
            } else {
                continue;
            };
            for uri in candidates {
                let uri = uri.trim_end_matches('/');
                if uri.ends_with("/debian") && !uri.contains("security") {
                    return uri.to_string();
                }
            }
        }
    }
    "http://deb.debian.org/debian".into()
}

/// Repoints the symlinks in Julia's private library directory that lead nowhere to the
/// host's libraries (or to ones unpacked from bullseye), and adds `lib/libjulia.so` where
/// jl-sys looks for it.
fn fix_links(usr: &Path) -> Result<()> {
    let libdir = usr.join("lib").join(MULTIARCH);
    let private = libdir.join("julia");
    for entry in fs::read_dir(&private).with_context(|| format!("reading {}", private.display()))? {
        let path = entry?.path();
        let Ok(target) = fs::read_link(&path) else {
            continue;
        };
        if path.parent().unwrap().join(&target).exists() {
            continue;
        }
        let name = target.file_name().unwrap().to_string_lossy().to_string();
        let replacement = [libdir.join(&name)]
            .into_iter()
            .find(|p| p.exists())
            .or_else(|| host_lib(&name));
        match replacement {
            Some(r) => {
                fs::remove_file(&path)?;
                std::os::unix::fs::symlink(&r, &path)?;
            }
            None => eprintln!(
                "xtask: warning: {} points to {name}, which neither the host nor the \
                 private prefix provides",
                path.display()
            ),
        }
    }
    let link = usr.join("lib/libjulia.so");
    if !link.exists() {
        std::os::unix::fs::symlink(format!("{MULTIARCH}/libjulia.so.1"), &link)?;
    }
    Ok(())
}

/// Checks that the unpacked Julia starts and reports version 1.5.3.
fn check(usr: &Path) -> Result<()> {
    let julia = Julia {
        dir: usr.to_path_buf(),
        lib_dirs: vec![usr.join("lib").join(MULTIARCH), usr.join("lib")],
    };
    let out = Command::new(usr.join("bin/julia"))
        .args([
            "--startup-file=no",
            "-e",
            "using LinearAlgebra, LibGit2, SuiteSparse; print(VERSION)",
        ])
        .envs(julia.env())
        .output()
        .context("running the provisioned julia")?;
    let version = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    if !out.status.success() || version.trim() != "1.5.3" || !stderr.trim().is_empty() {
        bail!(
            "the provisioned Julia does not start (status {}, stdout {version:?}):\n{}",
            out.status,
            stderr
        );
    }
    Ok(())
}

fn host_lib(name: &str) -> Option<PathBuf> {
    ["/usr/lib", "/lib"]
        .iter()
        .map(|d| Path::new(d).join(MULTIARCH).join(name))
        .find(|p| p.exists())
}

pub(crate) fn which(tool: &str) -> Option<PathBuf> {
    std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|p| p.join(tool))
            .find(|p| p.is_file())
    })
}

/// Runs `cmd`; an error if it cannot start or fails.
pub(crate) fn run(cmd: &mut Command) -> Result<()> {
    let status = cmd
        .status()
        .with_context(|| format!("starting {:?}", cmd.get_program()))?;
    if !status.success() {
        bail!("{:?} failed with {status}", cmd.get_program());
    }
    Ok(())
}
