//! [`WorkerSpec`]: what `addprocs` should start, locally or over SSH.

use std::path::PathBuf;

/// Where and how to start Distributed workers, for
/// [`GcFrame::add_workers`](crate::GcFrame::add_workers).
///
/// By default every worker runs the same Julia as this process (its `julia` binary and
/// system image) with this Julia's library directory and this process's
/// `LD_LIBRARY_PATH` in its `LD_LIBRARY_PATH`: a Julia provisioned outside the system's
/// library path (such as the one `cargo xtask` provisions) does not start without it.
/// Local workers listen on `127.0.0.1` only; SSH workers on a loopback host do too, SSH
/// workers on other hosts on their host's first address (Distributed's default).
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
    /// A host is written as Distributed takes it: `[user@]host[:port] [bind_addr[:port]]`.
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

    /// How many workers this spec starts.
    pub fn n_workers(&self) -> usize {
        match &self.hosts {
            Hosts::Local(n) => *n,
            Hosts::Ssh(hosts) => hosts.iter().map(|(_, n)| n).sum(),
        }
    }
}
