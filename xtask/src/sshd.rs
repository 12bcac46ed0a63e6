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
    // policy-rc.d), unless the machine already has a policy of its own. The file is
    // removed on every path: when the install ends, by the guard's drop (also on errors
    // and panics), and, if this process is killed, by a watcher process that outlives it.
    let policy = Path::new(POLICY_RC_D);
    let _guard = PolicyGuard::write(policy)?;
    apt_install().or_else(|_| {
        run(Command::new("apt-get").args(["-q", "update"]))?;
        apt_install()
    })
}

/// Where Debian's `invoke-rc.d` looks for the policy that may refuse service starts.
const POLICY_RC_D: &str = "/usr/sbin/policy-rc.d";

/// The line that marks a policy file as written by xtask (and so as xtask's to remove).
const POLICY_MARK: &str = "# Written by cargo xtask while installing OpenSSH.";

/// A temporary `policy-rc.d` that refuses every service start, removed on drop and, should
/// this process die first (Ctrl-C, SIGKILL), by a watcher in its own session that waits for
/// this process to end. Only a file that carries [`POLICY_MARK`] is ever removed, so a
/// machine's own policy is left alone; a file left by an earlier run that died before its
/// watcher started is removed before a new one is written.
#[derive(Debug)]
pub(crate) struct PolicyGuard {
    path: Option<PathBuf>,
    watcher: Option<std::process::Child>,
}

impl PolicyGuard {
    /// Writes the policy at `path` unless a policy not written by xtask is there (then the
    /// guard does nothing).
    pub(crate) fn write(path: &Path) -> Result<PolicyGuard> {
        remove_if_ours(path);
        if path.exists() {
            return Ok(PolicyGuard {
                path: None,
                watcher: None,
            });
        }
        // The watcher first, so that no moment exists in which the file is there and
        // nothing would remove it.
        let watcher = spawn_watcher(std::process::id(), path)?;
        let guard = PolicyGuard {
            path: Some(path.to_path_buf()),
            watcher: Some(watcher),
        };
        fs::write(path, format!("#!/bin/sh\n{POLICY_MARK}\nexit 101\n"))?;
        set_executable(path)?;
        Ok(guard)
    }
}

impl Drop for PolicyGuard {
    fn drop(&mut self) {
        if let Some(path) = self.path.take() {
            remove_if_ours(&path);
        }
        if let Some(mut watcher) = self.watcher.take() {
            let _ = watcher.kill();
            let _ = watcher.wait();
        }
    }
}

/// Starts, in a session of its own (so Ctrl-C in the terminal does not reach it), a shell
/// that polls every 0.2 s for process `pid` and, once it is gone, removes `path` if xtask
/// wrote it.
fn spawn_watcher(pid: u32, path: &Path) -> Result<std::process::Child> {
    let script = format!(
        "while kill -0 \"$1\" 2>/dev/null; do sleep 0.2; done; \
         grep -qxF '{POLICY_MARK}' \"$2\" 2>/dev/null && rm -f \"$2\""
    );
    Command::new("setsid")
        .args(["sh", "-c", &script, "xtask-policy-watcher"])
        .arg(pid.to_string())
        .arg(path)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .spawn()
        .context("starting the policy-rc.d watcher (setsid, sh)")
}

/// Removes `path` if xtask wrote it.
fn remove_if_ours(path: &Path) {
    let ours = fs::read_to_string(path).is_ok_and(|s| s.lines().any(|l| l == POLICY_MARK));
    if ours {
        let _ = fs::remove_file(path);
    }
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

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::{Duration, Instant};

    /// A new directory (`create_dir` fails rather than reuse anything already there).
    fn private_dir(name: &str) -> PathBuf {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .subsec_nanos();
        let dir = std::env::temp_dir().join(format!(
            "xtask-policy-{name}-{}-{nanos}",
            std::process::id()
        ));
        fs::create_dir(&dir).unwrap();
        use std::os::unix::fs::PermissionsExt;
        fs::set_permissions(&dir, fs::Permissions::from_mode(0o700)).unwrap();
        dir
    }

    #[test]
    fn the_policy_is_removed_on_drop_and_a_foreign_one_is_kept() {
        let dir = private_dir("drop");
        let path = dir.join("policy-rc.d");
        {
            let _guard = PolicyGuard::write(&path).unwrap();
            assert!(fs::read_to_string(&path).unwrap().contains(POLICY_MARK));
        }
        assert!(!path.exists(), "the policy outlived its guard");
        fs::write(&path, "#!/bin/sh\nexit 0\n").unwrap();
        drop(PolicyGuard::write(&path).unwrap());
        assert_eq!(fs::read_to_string(&path).unwrap(), "#!/bin/sh\nexit 0\n");
        let _ = fs::remove_dir_all(&dir);
    }

    #[test]
    fn a_policy_left_by_a_killed_xtask_is_removed() {
        let dir = private_dir("killed");
        let path = dir.join("policy-rc.d");
        // A child stands for an xtask that writes the policy and is killed: the watcher
        // watches the child's pid as it would watch xtask's.
        let mut xtask = Command::new("sleep").arg("1000").spawn().unwrap();
        let mut watcher = spawn_watcher(xtask.id(), &path).unwrap();
        fs::write(&path, format!("#!/bin/sh\n{POLICY_MARK}\nexit 101\n")).unwrap();
        xtask.kill().unwrap();
        xtask.wait().unwrap();
        let start = Instant::now();
        while path.exists() && start.elapsed() < Duration::from_secs(20) {
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = watcher.wait();
        assert!(!path.exists(), "the policy outlived the killed process");
        // And one left behind by a process that died before its watcher ran is removed by
        // the next write's clean-up.
        fs::write(&path, format!("#!/bin/sh\n{POLICY_MARK}\nexit 101\n")).unwrap();
        drop(PolicyGuard::write(&path).unwrap());
        assert!(!path.exists());
        let _ = fs::remove_dir_all(&dir);
    }
}
