//! `cargo xtask`: the one entry point for provisioning Julia, running the tests and the demo.
//!
//! This crate never links Julia, so it builds on a machine that has none.

mod dist;
mod exec;
mod imports;
mod julia;
mod loadtest;
mod msrv;
mod sshd;
mod tasks;
mod valgrind;

use std::process::ExitCode;

const USAGE: &str = "\
usage: cargo xtask <command>

commands:
  julia [--env]        provision Julia 1.5.3 (or use $JULIA_DIR); --env prints shell exports
  exec -- CMD [ARGS]   run CMD with the project's Julia in its environment (JULIA_DIR,
                       LD_LIBRARY_PATH)
  dist (--bin NAME | --example NAME) [--manifest-path PATH] [--out DIR] [-- CARGO ARGS]
                       build a release binary into a folder to ship, with the Julia it
                       needs (target/dist/NAME by default)
  msrv                 check that the workspace's rust-version is a real minimum (the
                       dependencies' rust-version, newer language features; clippy's
                       incompatible_msrv lint covers standard library items)
  imports              check that no two files of a library crate import each other
  test-julia           provision Julia (and OpenSSH for the SSH test, as root), then run
                       every test of the workspace against it
  demo                 provision Julia, then run the demonstration program
  soak [--minutes N]   provision Julia, then run mixed load with churn for N minutes
  bench [--quick]      provision Julia, then measure every path into Julia
                       (target/jlrs-bench/summary.json, summary.md, latency.svg)
  loadtest [--connections N] [--seconds D] [--rounds R]
                       serve the http_service example on loopback and load each
                       Julia route and its Rust twin alternately (docs/bench/loadtest.*)
  valgrind [TEST...]   run the array test binaries (or the named ones) under valgrind's
                       memcheck; fails on any invalid read, write or free (slow: minutes)
";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("julia") => julia::cmd(&args[1..]),
        Some("exec") => exec::cmd(&args[1..]),
        Some("dist") => dist::cmd(&args[1..]),
        Some("imports") => imports::cmd(&args[1..]),
        Some("msrv") => msrv::cmd(&args[1..]),
        Some("test-julia") => tasks::test_julia(&args[1..]),
        Some("demo") => tasks::demo(&args[1..]),
        Some("bench") => tasks::bench(&args[1..]),
        Some("soak") => tasks::soak(&args[1..]),
        Some("loadtest") => loadtest::cmd(&args[1..]),
        Some("valgrind") => valgrind::cmd(&args[1..]),
        Some("help") | Some("--help") | Some("-h") | None => {
            print!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Some(other) => Err(anyhow::anyhow!("unknown command `{other}`\n\n{USAGE}")),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("xtask: error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

/// The workspace root (the parent of this crate's manifest directory).
fn workspace_root() -> std::path::PathBuf {
    let manifest = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    manifest
        .parent()
        .expect("xtask lives in the workspace")
        .to_path_buf()
}
