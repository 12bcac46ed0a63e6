//! Busy workers leave no process behind: a worker in a loop that never yields is gone from
//! the process table once `remove_workers_within` returns, one is gone after the runtime
//! shuts down, and one, local or over SSH, dies when the program that started it is killed
//! with SIGKILL (`tests/src/bin/dist_parent.rs`). One test: it ends by shutting Julia down.

use std::{
    io::{BufRead, BufReader},
    process::{Command, Stdio},
    time::Duration,
};

use jlrs_core::distributed::{WorkerId, WorkerSpec};
use jlrs_tests::{
    distributed::{proc_state, run, start_runtime, wait_gone, PrivateDir, ProcState, Sshd, SPIN},
    wait_until, watchdog,
};

#[test]
fn busy_workers_end_on_removal_shutdown_and_sigkill_of_their_parent() {
    let _dog = watchdog("busy Distributed workers", Duration::from_secs(240));
    let dir = PrivateDir::new("jlrs-busy-");

    // SIGKILL of the program that started a busy worker: a local one, and one over SSH
    // (whose worker dies when its SSH session ends).
    let sshd = Sshd::start();
    for (name, ssh_flags) in [("local", None), ("ssh", Some(sshd.ssh_flags()))] {
        let marker = dir.path().join(format!("parent-spin-{name}"));
        let mut command = Command::new(env!("CARGO_BIN_EXE_dist_parent"));
        command.arg(&marker).stdout(Stdio::piped());
        if let Some(flags) = &ssh_flags {
            command.arg(flags);
        }
        let mut parent = command.spawn().expect("cannot start dist_parent");
        let mut line = String::new();
        BufReader::new(parent.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let orphan: i32 = line
            .strip_prefix("WORKER ")
            .and_then(|p| p.trim().parse().ok())
            .unwrap_or_else(|| panic!("dist_parent ({name}) said {line:?}"));
        wait_until("the parent's worker to spin", || marker.exists());
        parent.kill().unwrap(); // SIGKILL
        parent.wait().unwrap();
        // Its parent is gone, so whoever adopts it reaps it (or leaves a zombie: dead).
        wait_gone(
            &format!("the busy {name} worker of a killed program to die"),
            &[orphan],
            true,
        );
    }
    sshd.stop();

    // Removal of a busy worker: killed after the removal timeout, reaped when it returns.
    let (mt, rt, runtime) = start_runtime();
    let workers: Vec<(WorkerId, i32)> = run(&rt, async |mut frame| {
        let ids = frame.add_workers(WorkerSpec::local(2)).await?;
        frame.everywhere(SPIN).await?;
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
    .unwrap();
    let (removed, removed_pid) = workers[0];
    let (kept, kept_pid) = workers[1];
    for (i, &(id, _)) in workers.iter().enumerate() {
        let marker = dir.path().join(format!("spin-{i}")).display().to_string();
        run(&rt, async move |mut frame| {
            let spin = frame.global("spin")?;
            let marker = frame.box_value(marker.as_str());
            frame.remotecall(id, spin, &[marker]).map(|_| ())
        })
        .unwrap();
        let path = dir.path().join(format!("spin-{i}"));
        wait_until("the worker to spin", || path.exists());
    }
    run(&rt, async move |mut frame| {
        frame
            .remove_workers_within(&[removed], Duration::from_secs(2))
            .await
    })
    .unwrap();
    assert_eq!(
        proc_state(removed_pid),
        ProcState::Gone,
        "the busy worker is still in the process table after its removal"
    );
    let left = run(&rt, async |mut frame| frame.workers()).unwrap();
    assert_eq!(left, vec![kept]);

    // Shutdown with a busy worker.
    assert!(matches!(proc_state(kept_pid), ProcState::Alive(_)));
    drop(rt);
    drop(mt);
    runtime.join().expect("the runtime thread panicked");
    wait_gone("the busy worker to end after shutdown", &[kept_pid], true);
}
