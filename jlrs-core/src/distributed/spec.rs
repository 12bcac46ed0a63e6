//! [`WorkerSpec`]: what `addprocs` should start, locally or over SSH.

use std::{path::PathBuf, time::Duration};

/// Where and how to start Distributed workers, for
/// [`GcFrame::add_workers`](crate::GcFrame::add_workers).
///
/// By default every worker runs the same Julia as this process (its `julia` binary and
/// system image) with this Julia's library directory and this process's
/// `LD_LIBRARY_PATH` in its `LD_LIBRARY_PATH`: a Julia provisioned outside the system's
/// library path (such as the one `cargo xtask` provisions) does not start without it.
/// Local workers listen on `127.0.0.1` only; SSH workers on a loopback host, and every
/// tunnelled SSH worker, do too; other SSH workers listen on the bind address given with
/// their host, else on their host's first address (Distributed's default).
///
/// Environment values set with [`env`](Self::env) reach the worker on its standard input,
/// never on a command line (which every local user can read in `/proc`), and every process
/// started for a worker is killed when the thread that started it (the runtime thread)
/// ends, however the process ends (through util-linux's `setpriv --pdeathsig`, when it is
/// on `PATH`).
///
/// ```
/// use jlrs_core::distributed::WorkerSpec;
///
/// let local = WorkerSpec::local(2).threads(2).env("OMP_NUM_THREADS", "1");
/// let cluster = WorkerSpec::ssh(&[("node1", 4), ("node2", 4)])
///     .sshflags("-i /home/me/.ssh/cluster_key")
///     .exename("/opt/julia-1.5.3/bin/julia")
///     .dir("/scratch/me");
/// # let _ = (local, cluster);
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WorkerSpec {
    pub(crate) hosts: Hosts,
    pub(crate) threads: usize,
    pub(crate) exeflags: String,
    pub(crate) env: Vec<(String, String)>,
    pub(crate) dir: Option<PathBuf>,
    pub(crate) exename: Option<PathBuf>,
    pub(crate) sshflags: String,
    pub(crate) tunnel: bool,
    pub(crate) topology: Topology,
    pub(crate) launch_timeout: Duration,
}

/// How workers connect to each other (Distributed's `topology` keyword).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum Topology {
    /// Every process connects to every other one (Distributed's default; workers connect
    /// to each other when they first talk).
    #[default]
    AllToAll,
    /// Only the master connects to the workers; a message from one worker to another is
    /// an error.
    MasterWorker,
}

impl Topology {
    pub(crate) fn julia_name(self) -> &'static str {
        match self {
            Topology::AllToAll => "all_to_all",
            Topology::MasterWorker => "master_worker",
        }
    }
}

/// Where the workers run.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Hosts {
    /// This many workers on this machine (Distributed's `LocalManager`).
    Local(usize),
    /// `(host, count)` pairs, started through Distributed's `SSHManager`.
    Ssh(Vec<(String, usize)>),
}

impl WorkerSpec {
    /// `n` workers on this machine, started as child processes (`addprocs(n)`).
    pub fn local(n: usize) -> Self {
        Self::new(Hosts::Local(n))
    }

    /// `count` workers on each `host`, started through Distributed's SSH manager
    /// (`addprocs([(host, count), ...])`).
    ///
    /// A host is written as Distributed takes it: `[user@]host[:port] [bind_addr]`; the
    /// worker listens on `bind_addr` (see [`tunnel`](Self::tunnel) for traffic that should
    /// not cross the network in the clear). A host name that `ssh` could read as an option
    /// (one starting with `-`) or that holds anything but letters, digits and `.-_@:[]%`
    /// is refused before anything runs.
    /// The SSH client (`ssh` on `PATH`) must log in without a password prompt (keys,
    /// an agent or [`sshflags`](Self::sshflags)), and by default each host must have
    /// this Julia at the same path (see [`exename`](Self::exename)).
    pub fn ssh(hosts: &[(&str, usize)]) -> Self {
        Self::new(Hosts::Ssh(
            hosts.iter().map(|(h, n)| (h.to_string(), *n)).collect(),
        ))
    }

    fn new(hosts: Hosts) -> Self {
        WorkerSpec {
            hosts,
            threads: 0,
            exeflags: String::new(),
            env: Vec::new(),
            dir: None,
            exename: None,
            sshflags: String::new(),
            tunnel: false,
            topology: Topology::AllToAll,
            launch_timeout: Self::DEFAULT_LAUNCH_TIMEOUT,
        }
    }

    /// How many threads each worker starts (`--threads=t`; Julia 1.5 starts at most as
    /// many as its machine shows CPUs). By default Julia's own default, 1.
    pub fn threads(mut self, t: usize) -> Self {
        self.threads = t;
        self
    }

    /// More command-line flags for each worker's `julia`, split like a shell command
    /// line (`"--optimize=3 --check-bounds=no"`). Calling it again appends.
    pub fn exeflags(mut self, flags: &str) -> Self {
        if !self.exeflags.is_empty() {
            self.exeflags.push(' ');
        }
        self.exeflags.push_str(flags);
        self
    }

    /// An environment variable set for each worker, over the defaults (a value given for
    /// `LD_LIBRARY_PATH` replaces the default one). Calling it again for the same key
    /// replaces the value.
    ///
    /// The value is written to the worker's standard input (through the SSH connection
    /// for SSH workers) and exported by a shell builtin: it is on no command line. A key
    /// must be a shell variable name and a value cannot hold a newline or NUL; else
    /// [`add_workers`](crate::GcFrame::add_workers) fails before anything starts.
    pub fn env(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        let key = key.into();
        self.env.retain(|(k, _)| *k != key);
        self.env.push((key, value.into()));
        self
    }

    /// The working directory of each worker (by default this process's).
    pub fn dir(mut self, path: impl Into<PathBuf>) -> Self {
        self.dir = Some(path.into());
        self
    }

    /// The `julia` binary the workers run (by default this process's Julia, with its
    /// system image). A Julia named here finds its own system image.
    pub fn exename(mut self, path: impl Into<PathBuf>) -> Self {
        self.exename = Some(path.into());
        self
    }

    /// Flags for the `ssh` client, split like a shell command line
    /// (`"-p 2222 -i key -o StrictHostKeyChecking=no"`). Ignored for local workers.
    /// Calling it again appends.
    pub fn sshflags(mut self, flags: &str) -> Self {
        if !self.sshflags.is_empty() {
            self.sshflags.push(' ');
        }
        self.sshflags.push_str(flags);
        self
    }

    /// Reach SSH workers through their SSH connection (Distributed's `tunnel = true`):
    /// the master connects to each worker through an `ssh -L` port forward, and the
    /// worker listens on its host's `127.0.0.1` unless a bind address is given. Without
    /// it, the cluster's traffic crosses the network unencrypted. The SSH server must
    /// allow TCP forwarding. Ignored for local workers.
    pub fn tunnel(mut self, tunnel: bool) -> Self {
        self.tunnel = tunnel;
        self
    }

    /// How the workers connect to each other (Distributed's `topology`); the default
    /// is [`Topology::AllToAll`]. All workers of a cluster should use the same.
    pub fn topology(mut self, topology: Topology) -> Self {
        self.topology = topology;
        self
    }

    /// How long a worker may take from its start to reporting the address it listens
    /// on ([`DEFAULT_LAUNCH_TIMEOUT`](Self::DEFAULT_LAUNCH_TIMEOUT) by default). A worker
    /// (or `ssh`) that has not reported by then is killed and the launch fails.
    pub fn launch_timeout(mut self, timeout: Duration) -> Self {
        self.launch_timeout = timeout;
        self
    }

    /// The default [`launch_timeout`](Self::launch_timeout): 60 s, Distributed's own.
    pub const DEFAULT_LAUNCH_TIMEOUT: Duration = Duration::from_secs(60);

    /// What is wrong with this spec, if anything: checked before anything starts.
    pub(crate) fn check(&self) -> Result<(), String> {
        if let Hosts::Ssh(hosts) = &self.hosts {
            for (host, count) in hosts {
                if *count > 0 {
                    check_host(host)?;
                }
            }
        }
        for (key, value) in &self.env {
            let mut chars = key.chars();
            let ok_start = chars
                .next()
                .is_some_and(|c| c.is_ascii_alphabetic() || c == '_');
            if !ok_start || !chars.all(|c| c.is_ascii_alphanumeric() || c == '_') {
                return Err(format!(
                    "the environment variable name {key:?} is not a shell variable name"
                ));
            }
            if value.contains(['\n', '\0']) {
                return Err(format!(
                    "the value of the environment variable {key} holds a newline or NUL"
                ));
            }
        }
        if self.launch_timeout.is_zero() {
            return Err("the launch timeout is zero".into());
        }
        Ok(())
    }

    /// How many workers this spec starts.
    pub fn n_workers(&self) -> usize {
        match &self.hosts {
            Hosts::Local(n) => *n,
            Hosts::Ssh(hosts) => hosts.iter().map(|(_, n)| n).sum(),
        }
    }
}

/// Checks an SSH host written `[user@]host[:port] [bind_addr]`: no word that `ssh` (or the
/// worker's `--bind-to`) could read as an option, and only the characters of user names,
/// host names and addresses.
fn check_host(host: &str) -> Result<(), String> {
    let words: Vec<&str> = host.split_whitespace().collect();
    if words.is_empty() {
        return Err("an SSH host name is empty".into());
    }
    if words.len() > 2 {
        return Err(format!(
            "the SSH host {host:?} is not `[user@]host[:port] [bind_addr]`"
        ));
    }
    for word in words {
        let allowed = |c: char| c.is_ascii_alphanumeric() || ".-_@:[]%".contains(c);
        if word.starts_with('-') || word.contains("@-") || !word.chars().all(allowed) {
            return Err(format!(
                "the SSH host {host:?} is refused: a host, user or address must not start \
                 with `-` (ssh would read it as an option) and may hold only letters, \
                 digits and `.-_@:[]%`"
            ));
        }
    }
    Ok(())
}
