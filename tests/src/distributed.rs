//! Support for the Distributed tests: the process table, and a throwaway `sshd` on a
//! loopback port.

use std::{
    fs,
    net::TcpListener,
    path::{Path, PathBuf},
    process::{Child, Command, Stdio},
    time::Duration,
};

use crate::wait_until;

/// What the process table says about process `pid`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ProcState {
    /// No such process.
    Gone,
    /// It has exited and waits for its parent to reap it (state `Z`).
    Zombie,
    /// It is running (or sleeping, or stopped): its command line.
    Alive(String),
}

/// Looks `pid` up in `/proc`.
pub fn proc_state(pid: i32) -> ProcState {
    let Ok(stat) = fs::read_to_string(format!("/proc/{pid}/stat")) else {
        return ProcState::Gone;
    };
    // The state follows the command name, which is in parentheses and may hold spaces.
    let state = stat
        .rsplit_once(')')
        .and_then(|(_, rest)| rest.split_whitespace().next())
        .unwrap_or("?");
    if state == "Z" || state == "X" {
        return ProcState::Zombie;
    }
    let cmdline = fs::read(format!("/proc/{pid}/cmdline"))
        .map(|b| String::from_utf8_lossy(&b).replace('\0', " "))
        .unwrap_or_default();
    ProcState::Alive(cmdline)
}

/// The Julia worker processes (`julia ... --worker`) that are alive in the whole process
/// table, as `(pid, command line)`.
pub fn julia_workers_alive() -> Vec<(i32, String)> {
    let Ok(dir) = fs::read_dir("/proc") else {
        return Vec::new();
    };
    dir.filter_map(|e| e.ok()?.file_name().to_str()?.parse::<i32>().ok())
        .filter_map(|pid| match proc_state(pid) {
            ProcState::Alive(cmd) if cmd.contains("julia") && cmd.contains("--worker") => {
                Some((pid, cmd))
            }
            _ => None,
        })
        .collect()
}

/// Waits (up to 30 s) until none of `pids` is alive; zombies count as alive unless
/// `allow_zombies`.
pub fn wait_gone(what: &str, pids: &[i32], allow_zombies: bool) {
    wait_until(what, || {
        pids.iter().all(|&p| match proc_state(p) {
            ProcState::Gone => true,
            ProcState::Zombie => allow_zombies,
            ProcState::Alive(_) => false,
        })
    });
}

/// An `sshd` listening on `127.0.0.1` only, with throwaway host and user keys in a
/// temporary directory; stopped (and the directory removed) on drop.
#[derive(Debug)]
pub struct Sshd {
    child: Child,
    dir: PathBuf,
    port: u16,
}

impl Sshd {
    /// Starts one. `sshd` is `$JLRS_SSHD`, else `sshd` on `PATH`, else `/usr/sbin/sshd`
    /// (`cargo xtask test-julia` installs Debian's `openssh-server` when it is missing).
    ///
    /// # Panics
    /// If no `sshd` or `ssh-keygen` is found or the daemon does not start listening.
    pub fn start() -> Sshd {
        let sshd = find_sshd().expect(
            "no sshd found: install Debian's openssh-server (`cargo xtask test-julia` \
             installs it) or set JLRS_SSHD",
        );
        let dir = std::env::temp_dir().join(format!("jlrs-sshd-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).unwrap();
        set_mode(&dir, 0o700);
        for key in ["host_key", "user_key"] {
            let status = Command::new("ssh-keygen")
                .args(["-q", "-t", "ed25519", "-N", "", "-f"])
                .arg(dir.join(key))
                .status()
                .expect("ssh-keygen is needed for the SSH test");
            assert!(status.success(), "ssh-keygen failed");
        }
        fs::copy(dir.join("user_key.pub"), dir.join("authorized_keys")).unwrap();
        // A free port on the loopback interface (released just before sshd binds it).
        let port = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let config = format!(
            "Port {port}\n\
             ListenAddress 127.0.0.1\n\
             HostKey {dir}/host_key\n\
             AuthorizedKeysFile {dir}/authorized_keys\n\
             PidFile {dir}/sshd.pid\n\
             StrictModes no\n\
             UsePAM no\n\
             PasswordAuthentication no\n\
             KbdInteractiveAuthentication no\n\
             PermitRootLogin prohibit-password\n\
             AllowTcpForwarding no\n\
             X11Forwarding no\n\
             PrintMotd no\n",
            dir = dir.display()
        );
        fs::write(dir.join("sshd_config"), config).unwrap();
        // sshd started by root needs its privilege separation directory, which Debian's
        // init scripts create when they start the system's daemon.
        if is_root() && !Path::new("/run/sshd").is_dir() {
            fs::create_dir_all("/run/sshd").expect("cannot create /run/sshd");
            set_mode(Path::new("/run/sshd"), 0o755);
        }
        let child = Command::new(&sshd)
            .args(["-D", "-e", "-f"])
            .arg(dir.join("sshd_config"))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(fs::File::create(dir.join("sshd.log")).unwrap())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {}: {e}", sshd.display()));
        let mut sshd = Sshd { child, dir, port };
        let start = std::time::Instant::now();
        loop {
            if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
                break;
            }
            if let Ok(Some(status)) = sshd.child.try_wait() {
                panic!(
                    "sshd exited with {status} before listening:\n{}",
                    sshd.log()
                );
            }
            assert!(
                start.elapsed() < Duration::from_secs(20),
                "sshd did not listen on 127.0.0.1:{port} within 20 s:\n{}",
                sshd.log()
            );
            std::thread::sleep(Duration::from_millis(20));
        }
        sshd
    }

    /// The port it listens on (on `127.0.0.1`).
    pub fn port(&self) -> u16 {
        self.port
    }

    /// The process id of the daemon.
    pub fn pid(&self) -> i32 {
        self.child.id() as i32
    }

    /// Flags for `ssh` that log in to this daemon with the throwaway user key and accept
    /// its throwaway host key.
    pub fn ssh_flags(&self) -> String {
        let dir = self.dir.display();
        format!(
            "-p {} -i {dir}/user_key -o IdentitiesOnly=yes -o BatchMode=yes \
             -o StrictHostKeyChecking=no -o UserKnownHostsFile={dir}/known_hosts \
             -o LogLevel=ERROR",
            self.port
        )
    }

    /// What the daemon logged.
    pub fn log(&self) -> String {
        fs::read_to_string(self.dir.join("sshd.log")).unwrap_or_default()
    }

    /// Stops the daemon and waits for it to exit.
    pub fn stop(mut self) {
        self.kill();
    }

    fn kill(&mut self) {
        // SIGTERM, as an init system would stop it; it closes its listener at once.
        let _ = Command::new("kill")
            .arg(self.child.id().to_string())
            .status();
        let _ = self.child.wait();
        let _ = fs::remove_dir_all(&self.dir);
    }
}

impl Drop for Sshd {
    fn drop(&mut self) {
        if self.dir.exists() {
            self.kill();
        }
    }
}

fn find_sshd() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("JLRS_SSHD").filter(|p| !p.is_empty()) {
        return Some(PathBuf::from(p));
    }
    std::env::var_os("PATH")
        .and_then(|paths| {
            std::env::split_paths(&paths)
                .map(|p| p.join("sshd"))
                .find(|p| p.is_file())
        })
        .or_else(|| Some(PathBuf::from("/usr/sbin/sshd")).filter(|p| p.is_file()))
}

fn set_mode(path: &Path, mode: u32) {
    use std::os::unix::fs::PermissionsExt;
    fs::set_permissions(path, fs::Permissions::from_mode(mode)).unwrap();
}

fn is_root() -> bool {
    // SAFETY: geteuid has no preconditions.
    unsafe { libc::geteuid() == 0 }
}
