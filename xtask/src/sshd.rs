//! The OpenSSH server the SSH test of Distributed workers starts on a loopback port
//! (`tests/tests/distributed_ssh.rs`): Debian's `openssh-server`, installed when missing.
//!
//! The test runs `sshd` itself, as the user running the tests, with throwaway keys in a
//! temporary directory; nothing here starts a daemon. An `sshd` started by root needs the
//! privilege-separation user `sshd`, which the package creates, so as root the packages
//! are installed with the host's `apt-get` (with any service start refused, so the
//! system gets the programs, not a running daemon). Without root nothing is installed and
//! the SSH test fails with advice: inside the CPU namespace the user is mapped to root,
//! and `sshd` started as that root needs the `sshd` user and a root-owned `/run/sshd`.

use std::{
    fs,
    path::{Path, PathBuf},
    process::Command,
};

use anyhow::{bail, Context, Result};

use crate::julia::{run, which};

const PACKAGES: &[&str] = &["openssh-server", "openssh-client"];

/// Makes sure `sshd`, `ssh` and `ssh-keygen` are installed (and, for root, the `sshd`
/// user); installs the packages when they are not and this process runs as root.
pub(crate) fn ensure(verbose: bool) -> Result<()> {
    if ready() {
        return Ok(());
    }
    if !is_root() {
        // The other tests are still worth running: the SSH test fails with this advice.
        eprintln!(
            "xtask: warning: the SSH test of Distributed workers needs OpenSSH's server and \
             client (sshd, ssh, ssh-keygen) and root (sshd, started as root inside the CPU \
             namespace, needs its privilege-separation user); install them with `sudo \
             apt-get install openssh-server openssh-client`"
        );
        return Ok(());
    }
    if verbose {
        eprintln!("xtask: installing {} for the SSH test", PACKAGES.join(" "));
    }
    install().context("installing OpenSSH for the SSH test")?;
    if !ready() {
        bail!(
            "{} are installed but sshd, ssh or the sshd user is still missing",
            PACKAGES.join(" ")
        );
    }
    Ok(())
}

/// Whether everything the test needs is there.
fn ready() -> bool {
    sshd().is_some()
        && which("ssh").is_some()
        && which("ssh-keygen").is_some()
        && (!is_root() || has_user("sshd"))
}

/// `sshd` on `PATH` or in `/usr/sbin` (not on a normal user's `PATH`).
pub(crate) fn sshd() -> Option<PathBuf> {
    which("sshd").or_else(|| Some(PathBuf::from("/usr/sbin/sshd")).filter(|p| p.is_file()))
}

fn install() -> Result<()> {
    // Refuse service starts while the packages install (Debian's invoke-rc.d asks
    // policy-rc.d), unless the machine already has a policy of its own.
    let policy = Path::new("/usr/sbin/policy-rc.d");
    let own_policy = !policy.exists();
    if own_policy {
        fs::write(
            policy,
            "#!/bin/sh\n# Written by cargo xtask while installing OpenSSH.\nexit 101\n",
        )?;
        set_executable(policy)?;
    }
    let result = apt_install().or_else(|_| {
        run(Command::new("apt-get").args(["-q", "update"]))?;
        apt_install()
    });
    if own_policy {
        let _ = fs::remove_file(policy);
    }
    result
}

fn apt_install() -> Result<()> {
    run(Command::new("apt-get")
        .args(["-q", "-y", "--no-install-recommends", "install"])
        .args(PACKAGES)
        .env("DEBIAN_FRONTEND", "noninteractive"))
}

/// Whether this process runs as root (effective user id 0).
pub(crate) fn is_root() -> bool {
    fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("Uid:"))
                .and_then(|l| l.split_whitespace().nth(2).map(|e| e == "0"))
        })
        .unwrap_or(false)
}

fn has_user(name: &str) -> bool {
    fs::read_to_string("/etc/passwd")
        .map(|p| p.lines().any(|l| l.split(':').next() == Some(name)))
        .unwrap_or(false)
        || Command::new("getent")
            .args(["passwd", name])
            .output()
            .is_ok_and(|o| o.status.success())
}

fn set_executable(path: &Path) -> Result<()> {
    use std::os::unix::fs::PermissionsExt;
    fs::set_permissions(path, fs::Permissions::from_mode(0o755))?;
    Ok(())
}
