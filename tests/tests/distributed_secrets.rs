//! The secrets of a Distributed cluster: the cluster cookie cannot be computed from a seed
//! of Julia's global RNG (Distributed's own cookie is `randstring(16)` on it), the
//! application can choose the cookie before the first worker, and `WorkerSpec::env`
//! values never appear on any process's command line. One test: the steps depend on the
//! cluster having no workers in between.

use std::time::Duration;

use jlrs_core::{distributed::WorkerSpec, Error};
use jlrs_tests::{
    distributed::{cmdlines_containing, run, start_runtime, CmdlineScanner},
    watchdog,
};

#[test]
fn the_cookie_is_unpredictable_or_chosen_and_env_values_stay_off_command_lines() {
    let _dog = watchdog("Distributed secrets", Duration::from_secs(240));
    let (mt, rt, runtime) = start_runtime();

    // A program that seeds Julia's RNG for reproducible results, then adds a worker, with
    // a secret in the worker's environment.
    let secret = format!(
        "jlrs-secret-{}-{}",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .subsec_nanos()
    );
    let scanner = CmdlineScanner::start(&secret);
    let spec = WorkerSpec::local(1).env("JLRS_TEST_SECRET", secret.clone());
    let (expected, cookie, worker_cookie, seen_by_worker) = run(&rt, async move |mut frame| {
        // What Distributed's own cookie would be under this seed.
        let expected = frame
            .eval("using Random; Random.seed!(1234); randstring(16)")?
            .unbox::<String>()?;
        frame.eval("Random.seed!(1234)")?;
        let ids = frame.add_workers(spec).await?;
        let cookie = frame
            .eval("Distributed.cluster_cookie()")?
            .unbox::<String>()?;
        let f = frame.global("Distributed.cluster_cookie")?;
        let worker_cookie = frame
            .remotecall_fetch(ids[0], f, &[])
            .await?
            .unbox::<String>()?;
        frame
            .everywhere(r#"secret_env() = get(ENV, "JLRS_TEST_SECRET", "")"#)
            .await?;
        let f = frame.global("secret_env")?;
        let seen = frame
            .remotecall_fetch(ids[0], f, &[])
            .await?
            .unbox::<String>()?;
        frame.remove_workers(&ids).await?;
        Ok((expected, cookie, worker_cookie, seen))
    })
    .unwrap();
    let seen_on_cmdlines = scanner.finish();
    assert_eq!(expected.len(), 16);
    assert_ne!(
        cookie, expected,
        "the cluster cookie is randstring(16) of the seeded global RNG"
    );
    assert_eq!(cookie.len(), 16, "cookie of 16 characters");
    assert!(cookie.bytes().all(|b| b.is_ascii_alphanumeric()));
    assert_eq!(worker_cookie, cookie, "the worker joined with the cookie");
    assert_eq!(
        seen_by_worker, secret,
        "the worker has the environment value"
    );
    assert!(
        seen_on_cmdlines.is_empty(),
        "an environment value was on a command line: {seen_on_cmdlines:?}"
    );

    // A cookie the application chooses, before the first worker; not while workers exist.
    let bad = run(&rt, async |mut frame| frame.set_cluster_cookie("has space"));
    assert!(
        matches!(bad, Err(jlrs_async::Error::Julia(Error::Exception(ref e))) if e.type_name() == "ArgumentError"),
        "{bad:?}"
    );
    let (chosen, on_worker, while_running) = run(&rt, async |mut frame| {
        frame.set_cluster_cookie("jlrs-test-cookie")?;
        let chosen = frame
            .eval("Distributed.cluster_cookie()")?
            .unbox::<String>()?;
        let ids = frame.add_workers(WorkerSpec::local(1)).await?;
        let f = frame.global("Distributed.cluster_cookie")?;
        let on_worker = frame
            .remotecall_fetch(ids[0], f, &[])
            .await?
            .unbox::<String>()?;
        let while_running = frame.set_cluster_cookie("another-cookie");
        frame.remove_workers(&ids).await?;
        Ok((chosen, on_worker, while_running))
    })
    .unwrap();
    assert_eq!(chosen, "jlrs-test-cookie");
    assert_eq!(on_worker, chosen);
    assert!(
        matches!(while_running, Err(Error::Exception(ref e)) if e.to_string().contains("workers exist")),
        "{while_running:?}"
    );

    drop(rt);
    drop(mt);
    runtime.join().expect("the runtime thread panicked");
    assert!(cmdlines_containing(&secret).is_empty());
}
