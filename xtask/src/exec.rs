//! `cargo xtask exec`: run a command with the project's Julia, showing it 8 CPUs.
//!
//! Julia 1.5 caps its thread count at the number of online CPUs. On a smaller machine the
//! command runs in a user and mount namespace where `/sys/devices/system/cpu/online` reads
//! `0-7`; the threads are real and share the machine's cores. Root gets a mount namespace
//! only where it may, and keeps its real user ids (the SSH test's `sshd` switches users).

use std::{
    fs,
    path::PathBuf,
    process::{Command, ExitCode, ExitStatus},
};

use anyhow::{bail, Context, Result};

use crate::julia;

/// How many CPUs the command should see.
const SHOWN_CPUS: usize = 8;
const ONLINE: &str = "/sys/devices/system/cpu/online";

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

/// Runs `args` with Julia's environment, inside the CPU namespace when the machine shows
/// fewer than [`SHOWN_CPUS`] CPUs and namespaces are permitted.
pub(crate) fn run_with_julia(julia: &julia::Julia, args: &[String]) -> Result<ExitStatus> {
    command_with_julia(julia, args)?
        .status()
        .with_context(|| format!("running {:?}", args[0]))
}

/// The command that [`run_with_julia`] runs, to be spawned by the caller.
pub(crate) fn command_with_julia(julia: &julia::Julia, args: &[String]) -> Result<Command> {
    let mut cmd = match cpu_namespace()? {
        Some((file, flags)) => {
            let mut c = Command::new("unshare");
            c.args(flags)
                .args(["sh", "-c"])
                .arg(format!(
                    "mount --bind '{}' {ONLINE} && exec \"$@\"",
                    file.display()
                ))
                .arg("sh")
                .args(args);
            c
        }
        None => {
            let mut c = Command::new(&args[0]);
            c.args(&args[1..]);
            c
        }
    };
    cmd.envs(julia.env());
    Ok(cmd)
}

/// The file to bind over the online-CPU list and `unshare`'s flags, or `None` when no
/// namespace is needed or possible.
fn cpu_namespace() -> Result<Option<(PathBuf, &'static [&'static str])>> {
    let online = fs::read_to_string(ONLINE).unwrap_or_default();
    let n = count_cpus(online.trim());
    if n >= SHOWN_CPUS {
        return Ok(None);
    }
    let dir = crate::workspace_root().join("target");
    fs::create_dir_all(&dir)?;
    let file = dir.join("jlrs-cpus-online");
    fs::write(&file, format!("0-{}\n", SHOWN_CPUS - 1))?;
    let mut failure = String::new();
    for flags in namespace_flags() {
        let probe = Command::new("unshare")
            .args(*flags)
            .args(["sh", "-c"])
            .arg(format!(
                "mount --bind '{}' {ONLINE} && cat {ONLINE}",
                file.display()
            ))
            .output();
        match probe {
            Ok(out)
                if out.status.success()
                    && count_cpus(String::from_utf8_lossy(&out.stdout).trim()) == SHOWN_CPUS =>
            {
                eprintln!(
                    "xtask: the machine shows {n} CPUs; running in a namespace that shows {SHOWN_CPUS}"
                );
                return Ok(Some((file, flags)));
            }
            Ok(out) => failure = String::from_utf8_lossy(&out.stderr).trim().to_string(),
            Err(e) => {
                eprintln!("xtask: warning: `unshare` is unavailable ({e}); Julia will start at most {n} threads");
                return Ok(None);
            }
        }
    }
    eprintln!(
        "xtask: warning: the machine shows {n} CPUs and a namespace showing {SHOWN_CPUS} \
         is not permitted here ({failure}); Julia will start at most {n} threads"
    );
    Ok(None)
}

/// `unshare`'s flags for the CPU namespace, best first: root tries a mount namespace
/// alone, keeping its real user ids (the SSH test's `sshd` switches users), before a mount
/// namespace inside a user namespace that maps the user to root.
fn namespace_flags() -> &'static [&'static [&'static str]] {
    const USER: &[&str] = &["--user", "--map-root-user", "--mount", "--fork"];
    const MOUNT: &[&str] = &["--mount", "--fork"];
    if crate::sshd::is_root() {
        &[MOUNT, USER]
    } else {
        &[USER]
    }
}

/// Counts the CPUs in a list such as `0-3,5`.
fn count_cpus(list: &str) -> usize {
    list.split(',')
        .filter(|s| !s.is_empty())
        .map(|part| match part.split_once('-') {
            Some((a, b)) => match (a.parse::<usize>(), b.parse::<usize>()) {
                (Ok(a), Ok(b)) if b >= a => b - a + 1,
                _ => 0,
            },
            None => usize::from(part.parse::<usize>().is_ok()),
        })
        .sum()
}

#[cfg(test)]
mod test {
    use super::count_cpus;

    #[test]
    fn counts_cpu_lists() {
        assert_eq!(count_cpus("0-1"), 2);
        assert_eq!(count_cpus("0-7"), 8);
        assert_eq!(count_cpus("0,2-3,5"), 4);
        assert_eq!(count_cpus(""), 0);
        assert_eq!(count_cpus("junk"), 0);
    }
}
