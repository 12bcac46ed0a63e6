//! `cargo xtask test-julia` and `cargo xtask demo`: cargo runs against the project's Julia.

use std::process::ExitCode;

use anyhow::{bail, Result};

use crate::{exec, julia};

/// Provisions Julia, then runs every test of the workspace (unit, integration and doc
/// tests) against it.
pub(crate) fn test_julia(args: &[String]) -> Result<ExitCode> {
    let julia = julia::ensure(true)?;
    let mut cmd: Vec<String> = ["cargo", "test", "--workspace", "--all-features"]
        .map(String::from)
        .to_vec();
    cmd.extend(args.iter().cloned());
    let status = exec::run_with_julia(&julia, &cmd)?;
    if !status.success() {
        bail!("tests failed ({status})");
    }
    Ok(ExitCode::SUCCESS)
}

/// Provisions Julia, then runs the demonstration program of the facade.
pub(crate) fn demo(args: &[String]) -> Result<ExitCode> {
    if !args.is_empty() {
        bail!("usage: cargo xtask demo");
    }
    let julia = julia::ensure(true)?;
    let cmd = [
        "cargo",
        "run",
        "--quiet",
        "--release",
        "-p",
        "jlrs",
        "--all-features",
        "--example",
        "demo",
    ]
    .map(String::from);
    let status = exec::run_with_julia(&julia, &cmd)?;
    Ok(exec::exit_code(status))
}
