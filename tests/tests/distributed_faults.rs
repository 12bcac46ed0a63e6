//! Faults of Distributed workers: a worker killed with SIGKILL during a `pmap` is a clear
//! error, the remaining worker still serves and a new one can be added; removing workers
//! and shutting the runtime down leave no Julia process behind (checked in the process
//! table). One test: it ends by shutting Julia down.

use std::time::Duration;

use jlrs_async::{AsyncExecutor, AsyncHandle, AsyncRuntimeExt};
use jlrs_core::{
    distributed::{WorkerId, WorkerSpec},
    Error, GcFrame, JlResult,
};
use jlrs_mt::Builder;
use jlrs_tests::{
    distributed::{julia_workers_alive, proc_state, wait_gone, ProcState},
    wait_until, watchdog,
};

const SETUP: &str = r#"
# Appends a line to `marker` (so the test sees the map running), then doubles slowly.
function marked_double(marker, x)
    open(io -> println(io, x), marker, "a")
    sleep(0.1)
    return 2x
end
"#;

#[test]
fn a_killed_worker_fails_the_pmap_the_cluster_survives_and_nothing_is_left_behind() {
    let _dog = watchdog("Distributed faults", Duration::from_secs(240));
    let (mt, rt, runtime) = Builder::new()
        .n_threads(1)
        .async_runtime(AsyncExecutor::<4>::new())
        .spawn_mt()
        .expect("cannot start Julia");

    // Two workers and their operating-system process ids.
    let workers: Vec<(WorkerId, i32)> = rt
        .task(async |mut frame| {
            let ids = frame.add_workers(WorkerSpec::local(2)).await?;
            frame.everywhere(SETUP).await?;
            let getpid = frame.global("getpid")?;
            let mut out = Vec::new();
            for id in ids {
                let pid = frame
                    .remotecall_fetch(id, getpid, &[])
                    .await?
                    .unbox::<i32>()?;
                out.push((id, pid));
            }
            Ok(out)
        })
        .dispatch_blocking()
        .unwrap()
        .wait_blocking()
        .unwrap();
    let (victim, victim_pid) = workers[0];
    let (survivor, survivor_pid) = workers[1];
    for &(_, pid) in &workers {
        assert!(
            matches!(proc_state(pid), ProcState::Alive(ref cmd) if cmd.contains("--worker")),
            "worker process {pid}: {:?}",
            proc_state(pid)
        );
    }

    // A pmap of 100 slow items; SIGKILL the victim once the map is running.
    let marker = std::env::temp_dir().join(format!("jlrs-pmap-{}", std::process::id()));
    let _ = std::fs::remove_file(&marker);
    let marker_str = marker.display().to_string();
    let pmap = rt
        .task(async move |mut frame| {
            frame
                .everywhere(&format!("md(x) = marked_double({marker_str:?}, x)"))
                .await?;
            let f = frame.global("md")?;
            let items = frame.eval("1:100")?;
            frame.pmap(f, items).await.map(|_| ())
        })
        .dispatch_blocking()
        .unwrap();
    wait_until("the pmap to run", || {
        std::fs::read_to_string(&marker).is_ok_and(|s| s.lines().count() >= 4)
    });
    assert_eq!(sigkill(victim_pid), 0, "kill -9 {victim_pid}");
    let err = pmap.wait_blocking().unwrap_err();
    match &err {
        jlrs_async::Error::Julia(Error::WorkerExited { worker }) => assert_eq!(*worker, victim),
        other => panic!("expected Error::WorkerExited for worker {victim}, got {other:?}"),
    }
    assert!(err.to_string().contains("ProcessExitedException"), "{err}");
    let _ = std::fs::remove_file(&marker);

    // The survivor serves, a new worker can be added, and a pmap uses both, exactly.
    let (after_kill, added, out) = run(&rt, async move |mut frame| {
        let after_kill = frame.workers()?;
        let added = frame.add_workers(WorkerSpec::local(1)).await?;
        frame.everywhere("double(x) = 2x").await?;
        let f = frame.global("double")?;
        let items = frame.eval("1:100")?;
        let out = frame.pmap(f, items).await?.array::<i64>()?.data()?.to_vec();
        Ok((after_kill, added, out))
    })
    .unwrap();
    assert_eq!(after_kill, vec![survivor]);
    assert_eq!(added.len(), 1);
    assert_eq!(out, (1..=100).map(|x| 2 * x).collect::<Vec<i64>>());
    let new = added[0];
    let new_pid = run(&rt, async move |mut frame| {
        let getpid = frame.global("getpid")?;
        frame
            .remotecall_fetch(new, getpid, &[])
            .await?
            .unbox::<i32>()
    })
    .unwrap();

    // The killed worker was reaped; removing the survivor ends its process.
    wait_gone("the killed worker to be reaped", &[victim_pid], false);
    run(&rt, async move |mut frame| {
        frame.remove_workers(&[survivor]).await
    })
    .unwrap();
    assert_eq!(proc_state(survivor_pid), ProcState::Gone, "removed worker");
    let left = run(&rt, async |mut frame| frame.workers()).unwrap();
    assert_eq!(left, vec![new]);

    // Shutting down with a worker still running: Julia's exit hooks remove it.
    assert!(matches!(proc_state(new_pid), ProcState::Alive(_)));
    drop(rt);
    drop(mt);
    runtime.join().expect("the runtime thread panicked");
    // Julia's exit hooks remove the worker and wait for it, so it is reaped, not a zombie.
    wait_gone("the last worker to exit after shutdown", &[new_pid], false);
    let ours: Vec<_> = julia_workers_alive()
        .into_iter()
        .filter(|(pid, _)| [victim_pid, survivor_pid, new_pid].contains(pid))
        .collect();
    assert!(ours.is_empty(), "Julia workers left behind: {ours:?}");
}

/// Runs an async task on the runtime thread and waits for its result.
fn run<T: Send + 'static>(
    rt: &AsyncHandle,
    f: impl for<'s> AsyncFnOnce(GcFrame<'s>) -> JlResult<T> + Send + 'static,
) -> Result<T, jlrs_async::Error> {
    rt.task(f).dispatch_blocking().unwrap().wait_blocking()
}

fn sigkill(pid: i32) -> i32 {
    // SAFETY: kill(2) has no memory-safety preconditions.
    unsafe { libc::kill(pid, libc::SIGKILL) }
}
