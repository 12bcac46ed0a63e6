//! `cargo xtask valgrind`: the array tests under valgrind's memcheck, reporting invalid
//! reads, writes and frees (kept out of `test-julia`: each test binary takes minutes).
//!
//! Julia's own tricks are set aside: `--smc-check=all-non-file` for the code Julia
//! compiles at run time, `--undef-value-errors=no` because Julia's collector scans stacks
//! conservatively (uninitialised words are its normal input), and `valgrind/julia.supp`
//! for the dynamic loader's and libunwind's well-known false reports. What remains are
//! accesses to memory that is not allocated, which is what an array bug produces: Rust
//! buffers are `malloc`ed, so memcheck sees a read of one after it is freed.

use std::process::ExitCode;

use anyhow::{bail, Result};

use crate::{exec, julia};

/// The test binaries of the array code, run one after the other.
const TESTS: &[&str] = &[
    "arrays_soundness",
    "arrays_after_shutdown",
    "arrays_forgotten_borrow",
    "arrays",
];

/// The exit status valgrind gives a run that reported errors.
const ERROR_EXIT: i32 = 99;

pub(crate) fn cmd(args: &[String]) -> Result<ExitCode> {
    let tests: Vec<&str> = match args {
        [] => TESTS.to_vec(),
        names => names.iter().map(String::as_str).collect(),
    };
    let Some(valgrind) = julia::which("valgrind") else {
        bail!("valgrind is not installed (apt-get install valgrind)");
    };
    let julia = julia::ensure(true)?;
    let supp = crate::workspace_root().join("xtask/valgrind/julia.supp");
    let runner = format!(
        "{} --tool=memcheck --smc-check=all-non-file --undef-value-errors=no \
         --error-limit=no --num-callers=40 --error-exitcode={ERROR_EXIT} --suppressions={}",
        valgrind.display(),
        supp.display()
    );
    // Read by cargo for the test binaries it runs, and by the tests' watchdogs.
    std::env::set_var("CARGO_TARGET_X86_64_UNKNOWN_LINUX_GNU_RUNNER", runner);
    std::env::set_var("JLRS_WATCHDOG_SCALE", "20");
    let mut failed = Vec::new();
    for test in &tests {
        eprintln!("xtask: `{test}` under valgrind");
        let cmd: Vec<String> = ["cargo", "test", "-p", "jlrs-tests", "--test", test]
            .into_iter()
            .map(String::from)
            .collect();
        let status = exec::run_with_julia(&julia, &cmd)?;
        if status.success() {
            eprintln!("xtask: `{test}`: no invalid access");
        } else {
            // Cargo reports the binary's status: 99 when valgrind found errors (listed
            // above, each `==PID== Invalid ...` with its stack), else a failed test.
            eprintln!("xtask: `{test}` failed under valgrind ({status})");
            failed.push(*test);
        }
    }
    if !failed.is_empty() {
        bail!("under valgrind: {}", failed.join(", "));
    }
    println!("valgrind: {} test binaries, no invalid access", tests.len());
    Ok(ExitCode::SUCCESS)
}
