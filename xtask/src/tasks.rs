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
    run_examples(&julia)?;
    Ok(ExitCode::SUCCESS)
}

/// Runs every example of the facade; each must exit successfully.
fn run_examples(julia: &julia::Julia) -> Result<()> {
    let dir = crate::workspace_root().join("jlrs/examples");
    let mut names: Vec<String> = std::fs::read_dir(&dir)?
        .filter_map(|e| e.ok())
        .filter_map(|e| {
            let name = e.file_name().to_string_lossy().to_string();
            name.strip_suffix(".rs").map(str::to_string)
        })
        .collect();
    names.sort();
    let (mut passed, mut failed) = (0, 0);
    for name in &names {
        eprintln!("xtask: running example `{name}`");
        let cmd = [
            "cargo",
            "run",
            "--quiet",
            "-p",
            "jlrs",
            "--all-features",
            "--example",
            name,
        ]
        .map(String::from);
        if exec::run_with_julia(julia, &cmd)?.success() {
            passed += 1;
        } else {
            eprintln!("xtask: example `{name}` failed");
            failed += 1;
        }
    }
    println!("examples: {passed} passed, {failed} failed");
    if failed > 0 {
        bail!("{failed} example(s) failed");
    }
    Ok(())
}

/// Provisions Julia, runs the seed's two examples (each starts Julia, so each is its own
/// process), then the demonstration program of the facade.
pub(crate) fn demo(args: &[String]) -> Result<ExitCode> {
    if !args.is_empty() {
        bail!("usage: cargo xtask demo");
    }
    let julia = julia::ensure(true)?;
    for (example, what) in [
        ("combined", "the multithreaded and async runtimes together"),
        ("pool", "a pool of 3 workers, one added and one removed"),
    ] {
        println!("== seed scenario: {what} (example `{example}`)");
        let cmd = [
            "cargo",
            "run",
            "--quiet",
            "--release",
            "-p",
            "jlrs",
            "--all-features",
            "--example",
            example,
        ]
        .map(String::from);
        let status = exec::run_with_julia(&julia, &cmd)?;
        if !status.success() {
            bail!("the example `{example}` failed ({status})");
        }
        println!("   ok\n");
    }
    println!("== demonstration");
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

/// Provisions Julia, then runs the benchmarks of every path (`--quick`: a short run).
pub(crate) fn bench(args: &[String]) -> Result<ExitCode> {
    let quick = match args {
        [] => false,
        [q] if q == "--quick" => true,
        _ => bail!("usage: cargo xtask bench [--quick]"),
    };
    let julia = julia::ensure(true)?;
    if quick {
        // Read by the benchmark binary, which passes its arguments on to criterion.
        std::env::set_var("JLRS_BENCH_QUICK", "1");
    }
    let cmd = [
        "cargo",
        "bench",
        "-p",
        "jlrs",
        "--all-features",
        "--bench",
        "paths",
    ]
    .map(String::from);
    let status = exec::run_with_julia(&julia, &cmd)?;
    Ok(exec::exit_code(status))
}

/// Provisions Julia, then runs the soak test for `--minutes N` (default 10).
pub(crate) fn soak(args: &[String]) -> Result<ExitCode> {
    let minutes = match args {
        [] => "10".to_string(),
        [flag, n] if flag == "--minutes" && n.parse::<u64>().is_ok() => n.clone(),
        _ => bail!("usage: cargo xtask soak [--minutes N]"),
    };
    let julia = julia::ensure(true)?;
    let cmd = [
        "cargo",
        "run",
        "--quiet",
        "--release",
        "-p",
        "jlrs-tests",
        "--bin",
        "soak",
        "--",
        "--minutes",
        &minutes,
    ]
    .map(String::from);
    let status = exec::run_with_julia(&julia, &cmd)?;
    Ok(exec::exit_code(status))
}
