//! `cargo xtask msrv`: checks that the workspace's `rust-version` is a real minimum with
//! the one toolchain at hand.
//!
//! Three checks, each for what the others cannot see:
//! - **Dependencies**: every package the facade needs to build (normal and build
//!   dependencies, all features) declares a `rust-version` no newer than ours.
//! - **Language features**: the library crates' sources use none of the newer language
//!   features in [`FEATURES`] (a source scan: it knows only the features listed).
//! - **Standard library items**: clippy's `incompatible_msrv` lint, which reads the
//!   `rust-version`, flags calls and paths of `std` items stabilised after it (run by CI's
//!   clippy with `-D warnings`; it does not see trait bounds or syntax).

use std::{collections::BTreeMap, fs, path::Path, process::Command, process::ExitCode};

use anyhow::{bail, Context, Result};

/// Language features newer than the 1.80 line, with the release that stabilised them and
/// a source pattern that shows their use.
const FEATURES: &[(&str, (u32, u32), &str)] = &[
    ("async closures", (1, 85), "async |"),
    ("async move closures", (1, 85), "async move |"),
    ("AsyncFn* traits", (1, 85), "AsyncFn"),
    ("precise capturing in traits", (1, 87), "+ use<"),
    ("`&raw const` / `&raw mut`", (1, 82), "&raw "),
    ("`unsafe extern` blocks", (1, 82), "unsafe extern \"C\" {"),
    ("`#[unsafe(...)]` attributes", (1, 82), "#[unsafe("),
    ("let chains", (1, 88), "&& let "),
    ("naked functions", (1, 88), "#[unsafe(naked)]"),
    ("`cfg(boolean)` literals", (1, 88), "cfg(true"),
    ("inline `const` blocks", (1, 79), "const {"),
];

/// The library crates whose sources must build with the declared minimum.
const LIBRARY_CRATES: &[&str] = &[
    "jlrs-core",
    "jlrs-mt",
    "jlrs-async",
    "jlrs-pool",
    "jlrs",
    "jlrs-macros",
];

pub(crate) fn cmd(args: &[String]) -> Result<ExitCode> {
    if !args.is_empty() {
        bail!("usage: cargo xtask msrv");
    }
    let root = crate::workspace_root();
    let manifest = fs::read_to_string(root.join("Cargo.toml"))?;
    let declared = manifest
        .lines()
        .find_map(|l| l.trim().strip_prefix("rust-version = "))
        .map(|v| v.trim_matches('"').to_string())
        .context("the workspace declares no rust-version")?;
    let msrv = version(&declared).context("rust-version is not a version")?;
    let mut problems = Vec::new();
    problems.extend(dependency_problems(&root, msrv)?);
    problems.extend(feature_problems(&root, msrv)?);
    if problems.is_empty() {
        println!("msrv: rust-version {declared} holds for the dependencies and the language features checked");
        return Ok(ExitCode::SUCCESS);
    }
    for p in &problems {
        eprintln!("msrv: {p}");
    }
    bail!(
        "rust-version {declared} is not a real minimum ({} problems)",
        problems.len()
    )
}

/// `1.85` or `1.85.0` as (1, 85).
fn version(text: &str) -> Option<(u32, u32)> {
    let mut parts = text.split('.');
    Some((parts.next()?.parse().ok()?, parts.next()?.parse().ok()?))
}

/// Packages the facade builds with that declare a newer `rust-version`.
fn dependency_problems(root: &Path, msrv: (u32, u32)) -> Result<Vec<String>> {
    let tree = Command::new("cargo")
        .current_dir(root)
        .args([
            "tree",
            "-e",
            "normal,build",
            "-p",
            "jlrs",
            "--features",
            "full",
        ])
        .args(["--prefix", "none", "--format", "{p}"])
        .output()
        .context("running cargo tree")?;
    if !tree.status.success() {
        bail!(
            "cargo tree failed: {}",
            String::from_utf8_lossy(&tree.stderr)
        );
    }
    let needed: Vec<String> = String::from_utf8_lossy(&tree.stdout)
        .lines()
        .filter_map(|l| {
            let mut words = l.split_whitespace();
            Some(format!(
                "{}@{}",
                words.next()?,
                words.next()?.trim_start_matches('v')
            ))
        })
        .collect();
    let metadata = Command::new("cargo")
        .current_dir(root)
        .args(["metadata", "--format-version", "1"])
        .output()
        .context("running cargo metadata")?;
    // Each package's id comes before its rust_version in cargo's output; ids of registry
    // packages end in `#name@version`.
    let text = String::from_utf8_lossy(&metadata.stdout);
    let mut versions = BTreeMap::new();
    let mut last_id = String::new();
    for token in text.split(['{', ',']) {
        if let Some(id) = token.strip_prefix("\"id\":\"") {
            last_id = id
                .trim_end_matches('"')
                .rsplit('#')
                .next()
                .unwrap_or("")
                .to_string();
        } else if let Some(rv) = token.strip_prefix("\"rust_version\":\"") {
            let rv = rv.split('"').next().unwrap_or("");
            versions.insert(last_id.clone(), rv.to_string());
        }
    }
    let mut problems = Vec::new();
    for package in needed {
        if let Some(rv) = versions.get(&package) {
            if version(rv).is_some_and(|v| v > msrv) {
                problems.push(format!("dependency {package} needs Rust {rv}"));
            }
        }
    }
    problems.sort();
    problems.dedup();
    Ok(problems)
}

/// Uses of language features newer than `msrv` in the library crates' sources.
fn feature_problems(root: &Path, msrv: (u32, u32)) -> Result<Vec<String>> {
    let mut problems = Vec::new();
    for krate in LIBRARY_CRATES {
        let mut files = Vec::new();
        rust_files(&root.join(krate).join("src"), &mut files)?;
        for file in files {
            let text = fs::read_to_string(&file)?;
            for (n, line) in text.lines().enumerate() {
                let code = line.trim_start();
                if code.starts_with("//") && !code.starts_with("//! ") && !code.starts_with("/// ")
                {
                    continue;
                }
                for (name, since, pattern) in FEATURES {
                    if *since > msrv && line.contains(pattern) {
                        problems.push(format!(
                            "{}:{}: {name} need Rust {}.{}",
                            file.strip_prefix(root).unwrap_or(&file).display(),
                            n + 1,
                            since.0,
                            since.1
                        ));
                    }
                }
            }
        }
    }
    Ok(problems)
}

fn rust_files(dir: &Path, out: &mut Vec<std::path::PathBuf>) -> Result<()> {
    for entry in fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() {
            rust_files(&path, out)?;
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
    out.sort();
    Ok(())
}
