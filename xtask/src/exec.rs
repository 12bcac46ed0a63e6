//! `cargo xtask exec`: run a command with the project's Julia in its environment.
//!
//! `JULIA_DIR` tells jlrs-core's build script which Julia to build against;
//! `LD_LIBRARY_PATH` lets the `julia` processes that Distributed starts find their
//! libraries. Programs built with jlrs need neither to run: they find the libjulia they
//! were built against, and start the threads they ask for whatever the CPU count.

use std::process::{Command, ExitCode, ExitStatus};

use anyhow::{bail, Context, Result};

use crate::julia;

pub(crate) fn cmd(args: &[String]) -> Result<ExitCode> {
    let args = match args {
        [dash, rest @ ..] if dash == "--" => rest,
        rest => rest,
    };
    if args.is_empty() {
        bail!("usage: cargo xtask exec -- CMD [ARGS]");
    }
    let julia = julia::ensure(true)?;
    let status = run_with_julia(&julia, args)?;
    Ok(exit_code(status))
}

pub(crate) fn exit_code(status: ExitStatus) -> ExitCode {
    match status.code() {
        Some(0) => ExitCode::SUCCESS,
        Some(c) => ExitCode::from(u8::try_from(c).unwrap_or(1)),
        None => ExitCode::from(101),
    }
}

/// Runs `args` with Julia's environment.
pub(crate) fn run_with_julia(julia: &julia::Julia, args: &[String]) -> Result<ExitStatus> {
    command_with_julia(julia, args)
        .status()
        .with_context(|| format!("running {:?}", args[0]))
}

/// The command that [`run_with_julia`] runs, to be spawned by the caller.
pub(crate) fn command_with_julia(julia: &julia::Julia, args: &[String]) -> Command {
    let mut cmd = Command::new(&args[0]);
    cmd.args(&args[1..]).envs(julia.env());
    cmd
}
