//! Support for the Distributed tests: the process table, a runtime to run async tasks on,
//! and a throwaway `sshd` on a loopback port.

use std::{
    ffi::CString,
    fs,
    net::TcpListener,
    os::unix::ffi::OsStrExt,
    path::{Path, PathBuf},
    process::{Child, Command, Stdio},
    sync::{
        atomic::{AtomicBool, Ordering},
        Arc,
    },
    thread::JoinHandle,
    time::{Duration, Instant},
};

use jlrs_async::{AsyncExecutor, AsyncHandle, AsyncRuntimeExt};
use jlrs_core::{GcFrame, JlResult};
use jlrs_mt::{Builder, MtHandle};

use crate::wait_until;

/// Julia code for a worker: `spin(path)` creates the file `path`, then loops on integer
/// arithmetic, reaching no safepoint and never yielding (so the worker serves no message
/// while it runs).
pub const SPIN: &str = r#"
function spin_loop()
    x = 0
    while x >= 0
        x = (x + 1) % 1_000_000_007
    end
    return x
end
spin(path) = (touch(path); spin_loop())
"#;

/// Starts Julia with one thread and an async runtime on the runtime thread.
pub fn start_runtime() -> (MtHandle, AsyncHandle, JoinHandle<()>) {
    let (mt, rt, thread) = Builder::new()
        .n_threads(1)
        .async_runtime(AsyncExecutor::<4>::new())
        .spawn_mt()
        .expect("cannot start Julia");
    (mt, rt, thread)
}

/// Runs an async task on the runtime thread and waits for its result.
pub fn run<T: Send + 'static>(
    rt: &AsyncHandle,
    f: impl for<'s> AsyncFnOnce(GcFrame<'s>) -> JlResult<T> + Send + 'static,
) -> Result<T, jlrs_async::Error> {
    rt.task(f).dispatch_blocking().unwrap().wait_blocking()
}

/// Every process whose command line (`/proc/<pid>/cmdline`) contains `needle`, as
/// `(pid, command line)`; this process's own is skipped.
pub fn cmdlines_containing(needle: &str) -> Vec<(i32, String)> {
    let me = std::process::id() as i32;
    let Ok(dir) = fs::read_dir("/proc") else {
        return Vec::new();
    };
    dir.filter_map(|e| e.ok()?.file_name().to_str()?.parse::<i32>().ok())
        .filter(|&pid| pid != me)
        .filter_map(|pid| {
            let cmd = fs::read(format!("/proc/{pid}/cmdline")).ok()?;
            let cmd = String::from_utf8_lossy(&cmd).replace('\0', " ");
            cmd.contains(needle).then_some((pid, cmd))
        })
        .collect()
}

/// A thread that scans every process's command line for a string until stopped, and
/// keeps what it found.
#[derive(Debug)]
pub struct CmdlineScanner {
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<Vec<(i32, String)>>>,
}

impl CmdlineScanner {
    /// Starts scanning for `needle`.
    pub fn start(needle: &str) -> Self {
        let stop = Arc::new(AtomicBool::new(false));
        let needle = needle.to_string();
        let thread = {
            let stop = stop.clone();
            std::thread::spawn(move || {
                let mut found = Vec::new();
                while !stop.load(Ordering::Relaxed) {
                    found.extend(cmdlines_containing(&needle));
                }
                found
            })
        };
        CmdlineScanner {
            stop,
            thread: Some(thread),
        }
    }

    /// Stops scanning and returns every `(pid, command line)` seen with the string.
    pub fn finish(mut self) -> Vec<(i32, String)> {
        self.stop.store(true, Ordering::Relaxed);
        self.thread
            .take()
            .map(|t| t.join().unwrap())
            .unwrap_or_default()
    }
}

impl Drop for CmdlineScanner {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
    }
}

/// A directory that only this user can enter, created by `mkdtemp(3)` under the
/// temporary directory (an unpredictable name, created atomically: no other user can
/// plant a file or a symbolic link in it first), and removed on drop.
#[derive(Debug)]
pub struct PrivateDir(PathBuf);

impl PrivateDir {
    /// Creates one named `<prefix>XXXXXX`.
    pub fn new(prefix: &str) -> PrivateDir {
        let template = std::env::temp_dir().join(format!("{prefix}XXXXXX"));
        let template = CString::new(template.as_os_str().as_bytes()).unwrap();
        let raw = template.into_raw();
        // SAFETY: `raw` is a NUL-terminated, writable buffer ending in `XXXXXX`, as
        // mkdtemp requires; it is given back to a `CString` right after.
        let made = unsafe { libc::mkdtemp(raw) };
        // SAFETY: `raw` came from `CString::into_raw` and mkdtemp kept its length.
        let path = unsafe { CString::from_raw(raw) };
        assert!(
            !made.is_null(),
            "mkdtemp failed: {}",
            std::io::Error::last_os_error()
        );
        // mkdtemp creates it with mode 0700.
        PrivateDir(PathBuf::from(std::ffi::OsStr::from_bytes(path.as_bytes())))
    }

    /// Its path.
    pub fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for PrivateDir {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.0);
    }
}

/// Waits until none of `pids` is in the process table (zombies count as gone only with
/// `allow_zombies`), for at most `limit`; returns whether they went.
pub fn gone_within(pids: &[i32], limit: Duration, allow_zombies: bool) -> bool {
    let start = Instant::now();
    loop {
        let gone = pids.iter().all(|&p| match proc_state(p) {
            ProcState::Gone => true,
            ProcState::Zombie => allow_zombies,
            ProcState::Alive(_) => false,
        });
        if gone {
            return true;
        }
        if start.elapsed() > limit {
            return false;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
}

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
    dir: PrivateDir,
    port: u16,
    stopped: bool,
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
        let private = PrivateDir::new("jlrs-sshd-");
        let dir = private.path().to_path_buf();
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
             AllowTcpForwarding local\n\
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
        let mut sshd = Sshd {
            child,
            dir: private,
            port,
            stopped: false,
        };
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
        let dir = self.dir.path().display();
        format!(
            "-p {} -i {dir}/user_key -o IdentitiesOnly=yes -o BatchMode=yes \
             -o StrictHostKeyChecking=no -o UserKnownHostsFile={dir}/known_hosts \
             -o LogLevel=ERROR",
            self.port
        )
    }

    /// What the daemon logged.
    pub fn log(&self) -> String {
        fs::read_to_string(self.dir.path().join("sshd.log")).unwrap_or_default()
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
        self.stopped = true;
    }
}

impl Drop for Sshd {
    fn drop(&mut self) {
        if !self.stopped {
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
