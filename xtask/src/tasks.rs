//! `cargo xtask test-julia`, `demo`, `bench` and `soak`: cargo runs against the project's
//! Julia.

use std::process::ExitCode;

use anyhow::{bail, Result};

use crate::{exec, julia};

/// Runs `cargo ARGS...` with Julia's environment (in the CPU namespace).
fn cargo(julia: &julia::Julia, args: &[&str]) -> Result<std::process::ExitStatus> {
    let cmd: Vec<String> = std::iter::once("cargo")
        .chain(args.iter().copied())
        .map(String::from)
        .collect();
    exec::run_with_julia(julia, &cmd)
}

/// `cargo run` of one of the facade's examples.
fn example(julia: &julia::Julia, name: &str, release: bool) -> Result<std::process::ExitStatus> {
    let mut args = vec![
        "run",
        "--quiet",
        "-p",
        "jlrs",
        "--all-features",
        "--example",
        name,
    ];
    if release {
        args.insert(2, "--release");
    }
    cargo(julia, &args)
}

/// Provisions Julia, then runs every test of the workspace (unit, integration and doc
/// tests) against it, then every example.
pub(crate) fn test_julia(args: &[String]) -> Result<ExitCode> {
    let julia = julia::ensure(true)?;
    crate::sshd::ensure(true)?;
    let mut cargo_args = vec!["test", "--workspace", "--all-features"];
    cargo_args.extend(args.iter().map(String::as_str));
    let status = cargo(&julia, &cargo_args)?;
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
        if example(julia, name, false)?.success() {
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
    for (name, what) in [
        ("combined", "the multithreaded and async runtimes together"),
        ("pool", "a pool of 3 workers, one added and one removed"),
    ] {
        println!("== seed scenario: {what} (example `{name}`)");
        let status = example(&julia, name, true)?;
        if !status.success() {
            bail!("the example `{name}` failed ({status})");
        }
        println!("   ok\n");
    }
    println!("== demonstration");
    Ok(exec::exit_code(example(&julia, "demo", true)?))
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
    let status = cargo(
        &julia,
        &["bench", "-p", "jlrs", "--all-features", "--bench", "paths"],
    )?;
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
    let args = [
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
    ];
    Ok(exec::exit_code(cargo(&julia, &args)?))
}
