//! Distributed workers over SSH, as on a real cluster: the test starts an `sshd` on a
//! loopback port with throwaway host and user keys, adds two workers through Julia's SSH
//! cluster manager, checks a `pmap` over them exactly, removes them and stops the daemon.
//! Every connection (SSH and the cluster's own) stays on 127.0.0.1.

use std::time::Duration;

use jlrs_async::{AsyncExecutor, AsyncRuntimeExt};
use jlrs_core::distributed::WorkerSpec;
use jlrs_mt::Builder;
use jlrs_tests::{
    distributed::{wait_gone, Sshd},
    watchdog,
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
    let result = rt
        .task(async move |mut frame| {
            let spec = WorkerSpec::ssh(&[("127.0.0.1", 2)]).sshflags(&flags);
            let ids = frame.add_workers(spec).await?;
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
            Ok((ids, squares, pids, addrs))
        })
        .dispatch_blocking()
        .unwrap()
        .wait_blocking();
    let (ids, squares, pids, addrs) = match result {
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
    let pids: Vec<i32> = pids.iter().map(|&p| p as i32).collect();
    wait_gone("the SSH workers to exit", &pids, false);

    drop(rt);
    drop(mt);
    runtime.join().expect("the runtime thread panicked");
    let sshd_pid = sshd.pid();
    sshd.stop();
    wait_gone("sshd to stop", &[sshd_pid], false);
}
