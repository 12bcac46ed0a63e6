//! Julia's `Distributed` standard library from Rust: worker processes on this machine or
//! over SSH, remote calls, `pmap` and `@everywhere` (feature `distributed`).
//!
//! This is a typed layer over Distributed itself (`addprocs`, `rmprocs`, `remotecall`,
//! `remotecall_fetch`, `fetch`, `pmap`, `@everywhere`), not a cluster of its own. The
//! methods live on [`GcFrame`], so they work wherever a frame does: on the runtime thread,
//! in `MtHandle::with`, in async tasks and pool tasks:
//!
//! - [`GcFrame::add_workers`] starts workers from a [`WorkerSpec`] and returns their
//!   [`WorkerId`]s; [`GcFrame::workers`] lists them; [`GcFrame::remove_workers`] stops
//!   them and waits until the processes have exited;
//! - [`GcFrame::everywhere`] evaluates code on this process and every worker;
//! - [`GcFrame::remotecall_fetch`], [`GcFrame::remotecall`] (a Julia `Future`) with
//!   [`GcFrame::fetch`], and [`GcFrame::pmap`].
//!
//! # Nothing blocks a thread
//!
//! Every method that waits on the network is `async` and awaits a Julia task through
//! [`GcFrame::call_async`]: the thread that awaits keeps serving its other work (a pool
//! worker its other tasks, the runtime thread Julia's event loop). From synchronous code
//! on a hosted thread (`MtHandle::with`), drive the future with
//! [`idle::block_on`](crate::hosting::idle::block_on), which waits inside Julia's scheduler; never
//! on the runtime thread, where it would park the thread that serves the network.
//!
//! **Do not block the runtime thread.** In Julia 1.5 every socket of the cluster is
//! served by the libuv event loop of thread 1, the runtime thread. While that thread runs
//! long Rust code or blocks (a long `blocking_task`, a synchronous wait in an async task),
//! *every* remote call of the process stalls, also those made from pool workers (a 47 ms
//! `remotecall_fetch` took 1.93 s behind a 2 s blocking task). Await instead, or run such
//! work on a pool.
//!
//! # Errors
//!
//! An exception thrown by Julia code on a worker (Julia's `RemoteException`) is
//! [`JuliaError::Remote`] with the worker's id and the exception it threw (its type and
//! message); a result the master could not read (its type is not defined here) is
//! [`JuliaError::Remote`] too, naming the worker that sent it and saying that the type is
//! unknown on the receiving side. A worker that exits or is killed while a call waits on
//! it (Julia's `ProcessExitedException`) is [`JuliaError::WorkerExited`]; Distributed drops
//! it from the cluster and the other workers stay usable. A call with a timeout that ran
//! out is [`JuliaError::TimedOut`]. Other exceptions, launch failures among them (a
//! `WorkerLaunchError` with the command and the last lines of the worker's stderr), are
//! [`JuliaError::Exception`].
//!
//! # Security and faults
//!
//! The cluster cookie is the only guard of a worker's port, and the cluster's traffic is
//! plaintext unless tunnelled ([`WorkerSpec::tunnel`]). The cookie comes from the OS's
//! secure generator, set before the first worker (or [`GcFrame::set_cluster_cookie`]);
//! [`WorkerSpec::env`] values and the cookie reach workers on their standard input, on no
//! command line; SSH host names that `ssh` could read as options are refused. Every
//! process started for a worker dies with the runtime thread (`setpriv --pdeathsig
//! KILL`), a removed worker that does not exit in time is killed, and a launch that does
//! not report in time is killed. The README's Security and Faults sections say exactly
//! what holds.
//!
//! # Example
//!
//! An async function that any task can run with its frame (the runnable examples are in
//! the `jlrs` facade and its README, which start the async runtime):
//!
//! ```
//! use jlrs_core::{distributed::WorkerSpec, GcFrame, JlResult};
//!
//! async fn squares(frame: &mut GcFrame<'_>) -> JlResult<Vec<i64>> {
//!     let ids = frame.add_workers(WorkerSpec::local(2)).await?;
//!     frame.everywhere("square(x) = x * x").await?;
//!     let square = frame.global("square")?;
//!     let seven = frame.box_value(7i64);
//!     let r = frame.remotecall_fetch(ids[0], square, &[seven]).await?;
//!     assert_eq!(r.unbox::<i64>()?, 49);
//!
//!     let range = frame.eval("1:10")?;
//!     let squares = frame.pmap(square, range).await?;
//!     let squares = squares.array::<i64>()?.data()?.to_vec();
//!     frame.remove_workers(&ids).await?;
//!     Ok(squares)
//! }
//! # let _ = squares;
//! ```

mod pmap_options;
mod spec;
pub(crate) mod worker_id;

use std::{
    borrow::Borrow,
    sync::atomic::{AtomicBool, Ordering},
    time::Duration,
};

pub use pmap_options::PmapOptions;
pub use spec::{Topology, WorkerSpec};
pub use worker_id::WorkerId;

use crate::{error::JlResult, error::JuliaError, rooting::frame::GcFrame, values::value::Value};
use spec::Hosts;

/// Whether `using Distributed` has run in `Main`.
static LOADED: AtomicBool = AtomicBool::new(false);

/// The cluster manager behind [`WorkerSpec`], evaluated in `JlrsCore` once `Distributed`
/// is loaded.
const MANAGER: &str = include_str!("../julia/distributed_manager.jl");

/// How long [`GcFrame::remove_workers`] gives a worker to exit before it kills it.
pub const DEFAULT_REMOVAL_TIMEOUT: Duration = Duration::from_secs(10);

/// Loads `Distributed` into `Main` once per process, with the cluster manager, and sets a
/// cluster cookie from the OS's secure generator (on thread 1, before any worker).
fn ensure_loaded(frame: &mut GcFrame<'_>) -> JlResult<()> {
    if !LOADED.load(Ordering::Acquire) {
        frame.using("Distributed")?;
        let on_main = frame.global("JlrsCore.dist_on_main")?;
        let init = frame.global("JlrsCore.dist_init")?;
        let code = frame.box_value(MANAGER);
        on_main.call(frame, &[init, code])?;
        LOADED.store(true, Ordering::Release);
    }
    Ok(())
}

/// An `ArgumentError` raised on the Rust side, before Julia runs anything.
fn argument_error(message: String) -> JuliaError {
    JuliaError::Exception(crate::error::JuliaException::new(
        "ArgumentError".into(),
        format!("ArgumentError: {message}"),
    ))
}

impl<'scope> GcFrame<'scope> {
    /// Starts the workers `spec` describes (`addprocs`) and returns their ids.
    ///
    /// Waits (asynchronously) until every worker has started and connected: about 1–2 s
    /// per local worker. Workers that could not start are an error; for SSH hosts, the
    /// workers that did start are removed again.
    pub async fn add_workers(&mut self, spec: impl Borrow<WorkerSpec>) -> JlResult<Vec<WorkerId>> {
        let spec = spec.borrow();
        if spec.n_workers() == 0 {
            return Ok(Vec::new());
        }
        spec.check().map_err(argument_error)?;
        ensure_loaded(self)?;
        let text = |frame: &mut Self, s: &str| frame.box_value(s);
        let (n, hosts, counts) = match &spec.hosts {
            Hosts::Local(n) => (*n, Vec::new(), Vec::new()),
            Hosts::Ssh(hosts) => {
                let mut names = Vec::new();
                let mut counts = Vec::new();
                for (host, count) in hosts.iter().filter(|(_, c)| *c > 0) {
                    names.push(text(self, host));
                    counts.push(self.box_value(*count as i64));
                }
                (0, names, counts)
            }
        };
        let mut env = Vec::with_capacity(spec.env.len());
        for (k, v) in &spec.env {
            env.push(self.box_value((k.as_str(), v.as_str()))?);
        }
        let path = |p: &Option<std::path::PathBuf>| {
            p.as_ref()
                .map(|p| p.to_string_lossy().into_owned())
                .unwrap_or_default()
        };
        let args = [
            self.box_value(n as i64),
            self.new_tuple(&hosts)?,
            self.new_tuple(&counts)?,
            self.box_value(spec.threads as i64),
            text(self, &spec.exeflags),
            self.new_tuple(&env)?,
            text(self, &path(&spec.dir)),
            text(self, &path(&spec.exename)),
            text(self, &spec.sshflags),
            self.box_value(spec.tunnel),
            text(self, spec.topology.julia_name()),
            self.box_value(spec.launch_timeout.as_secs_f64()),
        ];
        let ids = self.distributed_call("JlrsCore.dist_add", &args).await?;
        worker_ids(ids)
    }

    /// The ids of the workers in the cluster, in ascending order (not the master; empty
    /// when there are none).
    pub fn workers(&mut self) -> JlResult<Vec<WorkerId>> {
        ensure_loaded(self)?;
        let on_main = self.global("JlrsCore.dist_on_main")?;
        let helper = self.global("JlrsCore.dist_workers")?;
        let ids = on_main.call(self, &[helper])?;
        worker_ids(ids)
    }

    /// Removes workers (`rmprocs`) and waits (asynchronously) until they have left the
    /// cluster and the worker processes this process started have exited; a worker still
    /// there after [`DEFAULT_REMOVAL_TIMEOUT`] (one busy in a loop, say) is killed.
    ///
    /// The master ([`WorkerId::MASTER`]) or an id that never belonged to the cluster is
    /// an error and removes nothing; a worker that has already exited is skipped.
    pub async fn remove_workers(&mut self, ids: &[WorkerId]) -> JlResult<()> {
        self.remove_workers_within(ids, DEFAULT_REMOVAL_TIMEOUT)
            .await
    }

    /// [`remove_workers`](Self::remove_workers), killing the processes of the workers
    /// that have not exited within `timeout` (SIGKILL; for an SSH worker, its `ssh`
    /// session, which ends the remote worker).
    pub async fn remove_workers_within(
        &mut self,
        ids: &[WorkerId],
        timeout: Duration,
    ) -> JlResult<()> {
        if ids.is_empty() {
            return Ok(());
        }
        ensure_loaded(self)?;
        let ids = self.id_tuple(ids)?;
        let timeout = self.box_value(timeout.as_secs_f64());
        self.distributed_call("JlrsCore.dist_remove", &[ids, timeout])
            .await
            .map(|_| ())
    }

    /// Interrupts the call each worker runs (Julia's `interrupt`: SIGINT to the worker's
    /// process, as Ctrl-C would): it throws `InterruptException` at its next safepoint,
    /// which a waiting remote call sees as [`JuliaError::Remote`]. The master or an id
    /// that is not a worker of the cluster is an error.
    pub async fn interrupt(&mut self, ids: &[WorkerId]) -> JlResult<()> {
        if ids.is_empty() {
            return Ok(());
        }
        ensure_loaded(self)?;
        let ids = self.id_tuple(ids)?;
        self.distributed_call("JlrsCore.dist_interrupt", &[ids])
            .await
            .map(|_| ())
    }

    /// Sets the cluster cookie, the shared secret a worker checks on every connection, to
    /// `cookie` (at most 16 printable ASCII characters, no spaces). Only before the first
    /// worker: by default the cookie comes from the OS's secure generator (Julia's
    /// `RandomDevice`), set when Distributed is first used; this is for an application
    /// that starts workers by other means and must give them the same cookie.
    pub fn set_cluster_cookie(&mut self, cookie: &str) -> JlResult<()> {
        if cookie.is_empty() || cookie.len() > 16 || !cookie.bytes().all(|b| b.is_ascii_graphic()) {
            return Err(argument_error(
                "a cluster cookie is 1 to 16 printable ASCII characters without spaces".into(),
            ));
        }
        ensure_loaded(self)?;
        let on_main = self.global("JlrsCore.dist_on_main")?;
        let guard = self.global("JlrsCore.dist_guard")?;
        let set = self.global("JlrsCore.dist_set_cookie")?;
        let cookie = self.box_value(cookie);
        let out = on_main.call(self, &[guard, set, cookie])?;
        self.check_failure(out).map(|_| ())
    }

    /// `ids` as a Julia tuple of `Int`s.
    fn id_tuple(&mut self, ids: &[WorkerId]) -> JlResult<Value<'scope>> {
        let boxed: Vec<Value<'scope>> = ids.iter().map(|id| self.box_value(id.get())).collect();
        self.new_tuple(&boxed)
    }

    /// Evaluates `code` (top-level Julia code: definitions, `using`, ...) in `Main` on
    /// this process and on every worker, as `@everywhere` does.
    ///
    /// Workers added later do not see it: run it again for them.
    pub async fn everywhere(&mut self, code: &str) -> JlResult<()> {
        ensure_loaded(self)?;
        let code = self.box_value(code);
        self.distributed_call("JlrsCore.dist_everywhere", &[code])
            .await
            .map(|_| ())
    }

    /// Calls `f(args...)` on `worker` and waits (asynchronously) for the result
    /// (`remotecall_fetch`), which is copied back and rooted in this frame.
    ///
    /// `f` must exist on the worker: a function defined there (see
    /// [`everywhere`](Self::everywhere)) or of `Base`. An exception it throws is
    /// [`JuliaError::Remote`].
    pub async fn remotecall_fetch(
        &mut self,
        worker: WorkerId,
        f: Value<'_>,
        args: &[Value<'_>],
    ) -> JlResult<Value<'scope>> {
        let (helper, id, args) =
            self.remote_call_parts("JlrsCore.dist_remotecall_fetch", worker, args)?;
        self.distributed_call_value(helper, &[f, id, args]).await
    }

    /// [`remotecall_fetch`](Self::remotecall_fetch) that gives up after `timeout`: the
    /// call on the worker is then interrupted (see [`interrupt`](Self::interrupt)), again
    /// until it has ended, so the worker is idle when this returns
    /// [`JuliaError::TimedOut`].
    pub async fn remotecall_fetch_timeout(
        &mut self,
        worker: WorkerId,
        f: Value<'_>,
        args: &[Value<'_>],
        timeout: Duration,
    ) -> JlResult<Value<'scope>> {
        let (helper, id, args) =
            self.remote_call_parts("JlrsCore.dist_remotecall_fetch_timeout", worker, args)?;
        let timeout = self.box_value(timeout.as_secs_f64());
        self.distributed_call_value(helper, &[f, id, args, timeout])
            .await
    }

    /// Starts `f(args...)` on `worker` and returns at once with a Julia
    /// `Distributed.Future` for its result (`remotecall`); [`fetch`](Self::fetch) waits
    /// for it.
    pub fn remotecall(
        &mut self,
        worker: WorkerId,
        f: Value<'_>,
        args: &[Value<'_>],
    ) -> JlResult<Value<'scope>> {
        let (helper, id, args) =
            self.remote_call_parts("JlrsCore.dist_remotecall", worker, args)?;
        let on_main = self.global("JlrsCore.dist_on_main")?;
        let guard = self.global("JlrsCore.dist_guard")?;
        let out = on_main.call(self, &[guard, helper, f, id, args])?;
        self.check_failure(out)
    }

    /// What a remote call passes its Julia helper besides `f`: the helper at `helper`
    /// itself, the worker's id, and `args` as a tuple (Distributed loaded first).
    fn remote_call_parts(
        &mut self,
        helper: &str,
        worker: WorkerId,
        args: &[Value<'_>],
    ) -> JlResult<(Value<'scope>, Value<'scope>, Value<'scope>)> {
        ensure_loaded(self)?;
        let helper = self.global(helper)?;
        let id = self.box_value(worker.get());
        let args = self.new_tuple(args)?;
        Ok((helper, id, args))
    }

    /// Waits (asynchronously) for a `Future` (or any value Julia's `fetch` accepts, such
    /// as a `RemoteChannel` or a `Task`) and roots its value in this frame.
    pub async fn fetch(&mut self, future: Value<'_>) -> JlResult<Value<'scope>> {
        ensure_loaded(self)?;
        let helper = self.global("JlrsCore.dist_fetch")?;
        self.distributed_call_value(helper, &[future]).await
    }

    /// Maps `f` over `collection` on the workers (`pmap`) and returns the array of
    /// results, in the collection's order.
    ///
    /// Without workers, `pmap` runs on this process. The first exception thrown by `f`
    /// is [`JuliaError::Remote`]; a worker that exits during the map is
    /// [`JuliaError::WorkerExited`].
    pub async fn pmap(&mut self, f: Value<'_>, collection: Value<'_>) -> JlResult<Value<'scope>> {
        ensure_loaded(self)?;
        let helper = self.global("JlrsCore.dist_pmap")?;
        self.distributed_call_value(helper, &[f, collection]).await
    }

    /// [`pmap`](Self::pmap) with Distributed's `retry_delays` and `on_error`
    /// ([`PmapOptions`]): with retry delays, an item whose call failed (its worker exited,
    /// say) runs again, on any worker, after each delay in turn; with `on_error`, an item
    /// that still fails gets `on_error(exception)` as its result instead of failing the
    /// map.
    pub async fn pmap_with(
        &mut self,
        f: Value<'_>,
        collection: Value<'_>,
        options: &PmapOptions<'_>,
    ) -> JlResult<Value<'scope>> {
        ensure_loaded(self)?;
        let helper = self.global("JlrsCore.dist_pmap")?;
        let delays: Vec<Value<'scope>> = options
            .retry_delays
            .iter()
            .map(|d| self.box_value(d.as_secs_f64()))
            .collect();
        let delays = self.new_tuple(&delays)?;
        let on_error = match options.on_error {
            Some(v) => v,
            None => self.eval("nothing")?,
        };
        self.distributed_call_value(helper, &[f, collection, delays, on_error])
            .await
    }

    /// Runs the helper at `path` as [`distributed_call_value`](Self::distributed_call_value) does.
    async fn distributed_call(
        &mut self,
        path: &str,
        args: &[Value<'_>],
    ) -> JlResult<Value<'scope>> {
        let helper = self.global(path)?;
        self.distributed_call_value(helper, args).await
    }

    /// Runs `helper(args...)` as a Julia task on thread 1 (Julia 1.5's Distributed may
    /// only be used there) through `JlrsCore.dist_guard`, and turns a returned
    /// `DistFailure` into its error.
    async fn distributed_call_value(
        &mut self,
        helper: Value<'_>,
        args: &[Value<'_>],
    ) -> JlResult<Value<'scope>> {
        let guard = self.global("JlrsCore.dist_guard")?;
        let mut all = Vec::with_capacity(args.len() + 1);
        all.push(helper);
        all.extend_from_slice(args);
        let out = self
            .call_async_with("JlrsCore.dist_spawn_main", guard, &all)
            .await?;
        self.check_failure(out)
    }

    /// `out` itself, or the error a `JlrsCore.DistFailure` stands for.
    fn check_failure(&mut self, out: Value<'scope>) -> JlResult<Value<'scope>> {
        if out.datatype_name() != "DistFailure" {
            return Ok(out);
        }
        let ty = self.global("JlrsCore.DistFailure")?;
        if !out.isa(self, ty)? {
            return Ok(out);
        }
        let kind = out.field_at(self, 0)?.unbox::<i64>()?;
        let worker = WorkerId::new(out.field_at(self, 1)?.unbox::<i64>()?);
        let exception = out.field_at(self, 2)?;
        // Throwing the exception turns it into a described `JuliaException`.
        let thrown = match self.call("throw", &[exception]) {
            Err(JuliaError::Exception(e)) => e,
            Err(other) => return Err(other),
            Ok(_) => crate::error::JuliaException::new(
                exception.type_name(),
                "the exception could not be described".into(),
            ),
        };
        Err(match kind {
            1 => JuliaError::Remote {
                worker,
                exception: thrown,
            },
            2 => JuliaError::WorkerExited { worker },
            4 => JuliaError::TimedOut { worker },
            _ => JuliaError::Exception(thrown),
        })
    }
}

/// The ids in a Julia `Vector{Int}`.
fn worker_ids(ids: Value<'_>) -> JlResult<Vec<WorkerId>> {
    let ids = ids.array::<i64>()?;
    let data = ids.data()?;
    Ok(data.iter().map(|&id| WorkerId::new(id)).collect())
}
