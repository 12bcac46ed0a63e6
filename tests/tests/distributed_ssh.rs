//! Distributed workers over SSH, as on a real cluster: the test starts an `sshd` on a
//! loopback port with throwaway host and user keys, adds two workers through Julia's SSH
//! cluster manager, checks a `pmap` over them exactly, removes them and stops the daemon.
//! Every connection (SSH and the cluster's own) stays on 127.0.0.1. An environment value
//! given to the workers reaches them over SSH and is on no process's command line; a host
//! written `host bind_addr` and a tunnelled worker with the master-worker topology work.

use std::time::Duration;

use jlrs_async::{AsyncExecutor, AsyncRuntimeExt};
use jlrs_core::distributed::{Topology, WorkerSpec};
use jlrs_mt::Builder;
use jlrs_tests::{
    distributed::{cmdlines_containing, run, wait_gone, CmdlineScanner, Sshd},
    wait_until, watchdog,
};

#[test]
fn workers_over_ssh_run_a_pmap_exactly() {
    let _dog = watchdog("Distributed workers over SSH", Duration::from_secs(180));
    let sshd = Sshd::start();
    let (mt, rt, runtime) = Builder::new()
        .n_threads(1)
        .async_runtime(AsyncExecutor::<4>::new())
        .spawn_mt()
        .expect("cannot start Julia");

    let flags = sshd.ssh_flags();
    let secret = format!("jlrs-ssh-secret-{}", std::process::id());
    let scanner = CmdlineScanner::start(&secret);
    let spec_secret = secret.clone();
    let result = rt
        .task(async move |mut frame| {
            let spec = WorkerSpec::ssh(&[("127.0.0.1", 2)])
                .sshflags(&flags)
                .env("JLRS_TEST_SECRET", spec_secret);
            let ids = frame.add_workers(spec).await?;
            frame
                .everywhere(r#"secret_env() = get(ENV, "JLRS_TEST_SECRET", "")"#)
                .await?;
            let f = frame.global("secret_env")?;
            let seen = frame
                .remotecall_fetch(ids[1], f, &[])
                .await?
                .unbox::<String>()?;
            frame
                .everywhere("where_and_square(x) = (gethostname(), getpid(), x^2)")
                .await?;
            let f = frame.global("where_and_square")?;
            let items = frame.eval("1:100")?;
            let out = frame.pmap(f, items).await?;
            let squares = frame
                .eval("out -> [s for (_, _, s) in out]")?
                .call(&mut frame, &[out])?
                .array::<i64>()?
                .data()?
                .to_vec();
            let pids = frame
                .eval("out -> sort!(unique([Int(p) for (_, p, _) in out]))")?
                .call(&mut frame, &[out])?
                .array::<i64>()?
                .data()?
                .to_vec();
            // Where each worker listens (what the master connected to).
            let addrs = frame.eval(
                "[string(Distributed.worker_from_id(p).config.bind_addr) for p in workers()]",
            )?;
            let addrs = frame.call("join", &[addrs])?.unbox::<String>()?;
            frame.remove_workers(&ids).await?;
            Ok((ids, squares, pids, addrs, seen))
        })
        .dispatch_blocking()
        .unwrap()
        .wait_blocking();
    let on_cmdlines = scanner.finish();
    let (ids, squares, pids, addrs, seen) = match result {
        Ok(r) => r,
        Err(e) => panic!("{e}\nsshd's log:\n{}", sshd.log()),
    };
    assert_eq!(ids.len(), 2);
    assert_eq!(squares, (1..=100).map(|x| x * x).collect::<Vec<i64>>());
    assert_eq!(pids.len(), 2, "both SSH workers took part: {pids:?}");
    assert_eq!(
        addrs, "127.0.0.1127.0.0.1",
        "the workers listen on the loopback address"
    );
    assert_eq!(seen, secret, "the SSH worker has the environment value");
    assert!(
        on_cmdlines.is_empty(),
        "an environment value was on a command line: {on_cmdlines:?}"
    );
    let pids: Vec<i32> = pids.iter().map(|&p| p as i32).collect();
    wait_gone("the SSH workers to exit", &pids, false);

    // `user@host bind_addr`, tunnelled, master-worker topology.
    let user = String::from_utf8(
        std::process::Command::new("id")
            .arg("-un")
            .output()
            .unwrap()
            .stdout,
    )
    .unwrap();
    let host = format!("{}@127.0.0.1 127.0.0.1", user.trim());
    let flags = sshd.ssh_flags();
    let tunnelled = run(&rt, async move |mut frame| {
        let spec = WorkerSpec::ssh(&[(host.as_str(), 1)])
            .sshflags(&flags)
            .tunnel(true)
            .topology(Topology::MasterWorker);
        let ids = frame.add_workers(spec).await?;
        let myid = frame.global("myid")?;
        let id = frame
            .remotecall_fetch(ids[0], myid, &[])
            .await?
            .unbox::<i64>()?;
        let facts = frame.eval(
            "w = Distributed.worker_from_id(workers()[1]); \
             string(w.config.bind_addr, ' ', w.config.tunnel, ' ', Distributed.PGRP.topology)",
        )?;
        let facts = facts.unbox::<String>()?;
        frame.remove_workers(&ids).await?;
        Ok((ids[0].get() == id, facts))
    });
    let (answered, facts) = match tunnelled {
        Ok(r) => r,
        Err(e) => panic!("{e}\nsshd's log:\n{}", sshd.log()),
    };
    assert!(answered);
    assert_eq!(facts, "127.0.0.1 true master_worker");
    // No ssh client is left: not the worker's, not the tunnel's.
    let port_flag = format!("-p {} ", sshd.port());
    wait_until("the ssh clients to exit", || {
        cmdlines_containing(&port_flag).is_empty()
    });

    drop(rt);
    drop(mt);
    runtime.join().expect("the runtime thread panicked");
    let sshd_pid = sshd.pid();
    sshd.stop();
    wait_gone("sshd to stop", &[sshd_pid], false);
    assert!(cmdlines_containing(&secret).is_empty());
}
