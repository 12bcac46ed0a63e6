//! Launch failures of Distributed workers are clear and leave nothing behind: an SSH host
//! that `ssh` would read as an option is refused before anything runs; a missing binary,
//! an unknown flag and a refused SSH port fail with the worker's (or ssh's) own message
//! and the command; a worker that never reports its address, and an `ssh` to a port that
//! never answers, are killed after the launch timeout.

use std::{net::TcpListener, time::Duration};

use jlrs_core::{distributed::WorkerSpec, Error};
use jlrs_tests::{
    distributed::{cmdlines_containing, run, start_runtime, PrivateDir},
    watchdog,
};

/// The message of the error `add_workers(spec)` fails with (it must fail).
fn launch_error(rt: &jlrs_async::AsyncHandle, spec: WorkerSpec) -> String {
    let out = run(rt, async move |mut frame| frame.add_workers(spec).await);
    match out {
        Err(jlrs_async::Error::Julia(Error::Exception(e))) => e.to_string(),
        other => panic!("expected a launch error, got {other:?}"),
    }
}

#[test]
fn launch_failures_say_what_failed_and_leave_no_process() {
    let _dog = watchdog("Distributed launch failures", Duration::from_secs(240));
    let dir = PrivateDir::new("jlrs-launch-");
    let (mt, rt, runtime) = start_runtime();

    // Option injection through the host name: refused before ssh runs. An `ssh` first on
    // Julia's PATH records every run, so the test sees that none happened (whether a given
    // OpenSSH would then run the proxy command depends on its version).
    let bin = dir.path().join("bin");
    std::fs::create_dir(&bin).unwrap();
    let ssh_runs = dir.path().join("ssh-runs");
    let fake_ssh = bin.join("ssh");
    std::fs::write(
        &fake_ssh,
        format!(
            "#!/bin/sh\necho \"$@\" >> {}\nexit 255\n",
            ssh_runs.display()
        ),
    )
    .unwrap();
    set_executable(&fake_ssh);
    let bin_str = bin.display().to_string();
    run(&rt, async move |mut frame| {
        let set = frame.eval("(dir) -> ENV[\"PATH\"] = dir * \":\" * ENV[\"PATH\"]")?;
        let dir = frame.box_value(bin_str.as_str());
        set.call(&mut frame, &[dir]).map(|_| ())
    })
    .unwrap();
    let marker = dir.path().join("proxy-ran");
    let injected = [
        format!("-oProxyCommand=touch${{IFS}}{}", marker.display()),
        format!("127.0.0.1 -oProxyCommand=touch${{IFS}}{}", marker.display()),
        format!("user@-oProxyCommand=touch${{IFS}}{}", marker.display()),
        "-p2222".to_string(),
    ];
    for host in &injected {
        let spec = WorkerSpec::ssh(&[(host.as_str(), 1)])
            .sshflags("-o BatchMode=yes -o ConnectTimeout=2")
            .launch_timeout(Duration::from_secs(10));
        let msg = launch_error(&rt, spec);
        assert!(
            !ssh_runs.exists(),
            "{host}: ssh ran: {}",
            std::fs::read_to_string(&ssh_runs).unwrap_or_default()
        );
        assert!(
            !marker.exists(),
            "{host}: ssh ran the injected ProxyCommand"
        );
        assert!(msg.contains("refused"), "{host}: {msg}");
    }
    // The recording ssh does run for a good host name (so it would have seen a run).
    let _ = launch_error(
        &rt,
        WorkerSpec::ssh(&[("localhost", 1)]).launch_timeout(Duration::from_secs(10)),
    );
    assert!(ssh_runs.exists(), "the recording ssh was not used");
    run(&rt, async |mut frame| {
        frame
            .eval("ENV[\"PATH\"] = join(split(ENV[\"PATH\"], ':')[2:end], ':')")
            .map(|_| ())
    })
    .unwrap();

    // A binary that does not exist: the shell's own message, and the command.
    let msg = launch_error(&rt, WorkerSpec::local(1).exename("/nonexistent/jlrs-julia"));
    assert!(msg.contains("/nonexistent/jlrs-julia: not found"), "{msg}");
    assert!(msg.contains("command:"), "{msg}");

    // An unknown flag: Julia's own message.
    let msg = launch_error(&rt, WorkerSpec::local(1).exeflags("--no-such-flag"));
    assert!(msg.contains("unknown option"), "{msg}");
    assert!(msg.contains("--no-such-flag"), "{msg}");

    // An SSH port nobody listens on: ssh's own message.
    let closed = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let spec = WorkerSpec::ssh(&[("127.0.0.1", 1)])
        .sshflags(&format!("-p {closed} -o BatchMode=yes"))
        .launch_timeout(Duration::from_secs(10));
    let msg = launch_error(&rt, spec);
    assert!(msg.contains("Connection refused"), "{msg}");

    // A "worker" that starts, says something on stderr, and never reports: killed after
    // the launch timeout, with what it said in the error.
    let tag = format!("{}.25", std::process::id());
    let script = dir.path().join("silent-worker");
    std::fs::write(
        &script,
        format!("#!/bin/sh\necho 'silent worker starting' >&2\nexec sleep {tag}\n"),
    )
    .unwrap();
    set_executable(&script);
    let spec = WorkerSpec::local(1)
        .exename(&script)
        .launch_timeout(Duration::from_secs(3));
    let msg = launch_error(&rt, spec);
    assert!(msg.contains("did not report its host:port"), "{msg}");
    assert!(msg.contains("silent worker starting"), "{msg}");
    assert!(
        cmdlines_containing(&format!("sleep {tag}")).is_empty(),
        "the silent worker is still running"
    );

    // `ssh` to a port that accepts and never answers: killed after the launch timeout.
    let silent = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = silent.local_addr().unwrap().port();
    let flags = format!("-p {port} -o BatchMode=yes -o StrictHostKeyChecking=no");
    let spec = WorkerSpec::ssh(&[("127.0.0.1", 1)])
        .sshflags(&flags)
        .launch_timeout(Duration::from_secs(3));
    let msg = launch_error(&rt, spec);
    assert!(msg.contains("did not report its host:port"), "{msg}");
    assert!(msg.contains(&format!("-p {port}")), "{msg}");
    assert!(
        cmdlines_containing(&format!("-p {port}")).is_empty(),
        "the ssh client is still running"
    );
    drop(silent);

    let workers = run(&rt, async |mut frame| frame.workers()).unwrap();
    assert!(workers.is_empty(), "{workers:?}");
    drop(rt);
    drop(mt);
    runtime.join().expect("the runtime thread panicked");
}

fn set_executable(path: &std::path::Path) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755)).unwrap();
}
