//! Julia's Distributed workers on this machine, driven from Rust: two workers, code
//! defined everywhere, `pmap` exact, remote calls from a pool task, from `with` and from
//! an async task on the runtime thread all at once; remote exceptions as
//! `Error::Remote`; bad input; and the runtime-thread trap (pool workers' remote calls
//! keep flowing while a task on the runtime thread awaits a long remote call).

use std::{
    sync::{
        atomic::{AtomicBool, Ordering},
        Arc, OnceLock,
    },
    time::Duration,
};

use jlrs_async::{AsyncExecutor, AsyncHandle, AsyncRuntimeExt};
use jlrs_core::{
    distributed::{WorkerId, WorkerSpec},
    idle::block_on,
    Error,
};
use jlrs_mt::{Builder, MtHandle};
use jlrs_pool::PoolBuilderExt;
use jlrs_tests::watchdog;

struct Cluster {
    mt: MtHandle,
    rt: AsyncHandle,
    pool: AsyncHandle,
    ids: Vec<WorkerId>,
}

const SETUP: &str = r#"
triple(x) = 3x + myid() - myid()
whoami() = myid()
slow(s) = (sleep(s); myid())
checked_sqrt(x) = x < 0 ? throw(DomainError(x, "negative")) : sqrt(x)
"#;

/// One runtime (runtime thread, a pool of 2, `with`) and two local workers with `SETUP`
/// defined everywhere, shared by the tests of this binary.
fn cluster() -> &'static Cluster {
    static CLUSTER: OnceLock<Cluster> = OnceLock::new();
    CLUSTER.get_or_init(|| {
        let _dog = watchdog("starting Julia and two workers", Duration::from_secs(120));
        let (mt, rt, _thread) = Builder::new()
            .n_threads(3)
            .async_runtime(AsyncExecutor::<4>::new())
            .spawn_mt()
            .expect("cannot start Julia");
        let pool = mt
            .pool_builder(AsyncExecutor::<4>::new())
            .n_workers(2.try_into().unwrap())
            .spawn();
        let ids = rt
            .task(async |mut frame| {
                let ids = frame.add_workers(WorkerSpec::local(2)).await?;
                frame.everywhere(SETUP).await?;
                Ok(ids)
            })
            .dispatch_blocking()
            .unwrap()
            .wait_blocking()
            .unwrap();
        Cluster { mt, rt, pool, ids }
    })
}

#[test]
fn pmap_and_remote_calls_from_the_runtime_thread_a_pool_and_with_at_once() {
    let c = cluster();
    let _dog = watchdog("pmap and remote calls at once", Duration::from_secs(120));
    assert_eq!(c.ids.len(), 2);
    let (w1, w2) = (c.ids[0], c.ids[1]);

    // An async task on the runtime thread: pmap over 100 items, then a remote call.
    let on_runtime =
        c.rt.task(async move |mut frame| {
            let triple = frame.global("triple")?;
            let items = frame.eval("collect(1:100)")?;
            let out = frame.pmap(triple, items).await?;
            let out = out.array::<i64>()?.data()?.to_vec();
            let whoami = frame.global("whoami")?;
            let who = frame.remotecall_fetch(w1, whoami, &[]).await?;
            Ok((out, who.unbox::<i64>()?))
        })
        .dispatch_blocking()
        .unwrap();
    // A pool task: remote calls to both workers, and remotecall + fetch.
    let on_pool = c
        .pool
        .task(async move |mut frame| {
            let triple = frame.global("triple")?;
            let mut sums = 0;
            for i in 0..20i64 {
                let x = frame.box_value(i);
                let w = if i % 2 == 0 { w1 } else { w2 };
                sums += frame
                    .remotecall_fetch(w, triple, &[x])
                    .await?
                    .unbox::<i64>()?;
            }
            let whoami = frame.global("whoami")?;
            let future = frame.remotecall(w2, whoami, &[])?;
            let who = frame.fetch(future).await?.unbox::<i64>()?;
            Ok((sums, who))
        })
        .dispatch_blocking()
        .unwrap();
    // `with` on its own Rust thread: a synchronous caller drives the call with block_on.
    let mt = c.mt.clone();
    let with = std::thread::spawn(move || {
        mt.with(move |julia| {
            julia.scope(|mut frame| {
                let triple = frame.global("triple")?;
                let x = frame.box_value(14i64);
                let r = block_on(frame.remotecall_fetch(w2, triple, &[x]))?;
                r.unbox::<i64>()
            })
        })
    });

    let (pmapped, who) = on_runtime.wait_blocking().unwrap();
    assert_eq!(pmapped, (1..=100).map(|x| 3 * x).collect::<Vec<i64>>());
    assert_eq!(who, w1.get());
    let (sums, who) = on_pool.wait_blocking().unwrap();
    assert_eq!(sums, (0..20).map(|x| 3 * x).sum::<i64>());
    assert_eq!(who, w2.get());
    assert_eq!(with.join().unwrap().unwrap(), 42);

    let workers =
        c.rt.task(async |mut frame| frame.workers())
            .dispatch_blocking()
            .unwrap()
            .wait_blocking()
            .unwrap();
    assert!(c.ids.iter().all(|id| workers.contains(id)), "{workers:?}");
}

#[test]
fn a_remote_exception_comes_back_with_its_worker_type_and_message() {
    let c = cluster();
    let _dog = watchdog("remote exceptions", Duration::from_secs(120));
    let w = c.ids[1];
    let errors = c
        .pool
        .task(async move |mut frame| {
            let f = frame.global("checked_sqrt")?;
            let x = frame.box_value(-4.0f64);
            let direct = frame.remotecall_fetch(w, f, &[x]).await.unwrap_err();
            let future = frame.remotecall(w, f, &[x])?;
            let fetched = frame.fetch(future).await.unwrap_err();
            let items = frame.eval("[1.0, 4.0, -1.0, 9.0]")?;
            let mapped = frame.pmap(f, items).await.unwrap_err();
            // Throws on the workers only: on the master it would be a local exception.
            let everywhere = frame
                .everywhere("myid() == 1 || error(\"nope\")")
                .await
                .unwrap_err();
            let syntax = frame.everywhere("f(x = ").await.unwrap_err();
            Ok((direct, fetched, mapped, everywhere, syntax))
        })
        .dispatch_blocking()
        .unwrap()
        .wait_blocking()
        .unwrap();
    let (direct, fetched, mapped, everywhere, syntax) = errors;
    for (what, err) in [("remotecall_fetch", &direct), ("fetch", &fetched)] {
        match err {
            Error::Remote { worker, exception } => {
                assert_eq!(*worker, w, "{what}");
                assert_eq!(exception.type_name(), "DomainError", "{what}");
                assert!(
                    exception.message().contains("negative"),
                    "{what}: {exception}"
                );
            }
            other => panic!("{what}: expected Error::Remote, got {other:?}"),
        }
    }
    assert!(
        direct.to_string().contains(&format!("worker {w}")),
        "{direct}"
    );
    match &mapped {
        Error::Remote { worker, exception } => {
            assert!(c.ids.contains(worker), "{mapped}");
            assert_eq!(exception.type_name(), "DomainError");
        }
        other => panic!("pmap: expected Error::Remote, got {other:?}"),
    }
    match &everywhere {
        Error::Remote { exception, .. } => {
            assert_eq!(exception.type_name(), "ErrorException");
            assert!(exception.message().contains("nope"));
        }
        other => panic!("everywhere: expected Error::Remote, got {other:?}"),
    }
    assert!(
        matches!(&syntax, Error::Exception(e) if e.type_name() == "ParseError"),
        "{syntax:?}"
    );
}

#[test]
fn bad_worker_ids_are_clear_errors() {
    let c = cluster();
    let _dog = watchdog("bad worker ids", Duration::from_secs(120));
    let (call, remove_master, remove_unknown, spec) =
        c.rt.task(async |mut frame| {
            let f = frame.global("whoami")?;
            let call = frame
                .remotecall_fetch(WorkerId::new(999), f, &[])
                .await
                .unwrap_err();
            let master = frame.remove_workers(&[WorkerId::MASTER]).await.unwrap_err();
            let unknown = frame
                .remove_workers(&[WorkerId::new(999)])
                .await
                .unwrap_err();
            let spec = frame
                .add_workers(WorkerSpec::ssh(&[(" ", 1)]))
                .await
                .unwrap_err();
            Ok((call, master, unknown, spec))
        })
        .dispatch_blocking()
        .unwrap()
        .wait_blocking()
        .unwrap();
    assert!(call.to_string().contains("999"), "{call}");
    assert!(
        remove_master.to_string().contains("master"),
        "{remove_master}"
    );
    assert!(
        remove_unknown.to_string().contains("no worker 999"),
        "{remove_unknown}"
    );
    assert!(spec.to_string().contains("empty"), "{spec}");
}

/// All of a cluster's sockets are served by thread 1's event loop. A task on the runtime
/// thread that *awaits* a long remote call leaves thread 1 in Julia's scheduler, so remote
/// calls made meanwhile from pool workers complete; a task that blocked the thread instead
/// would stall them all until it returned.
#[test]
fn pool_remote_calls_flow_while_the_runtime_thread_awaits_a_long_remote_call() {
    let c = cluster();
    let _dog = watchdog("the runtime-thread trap", Duration::from_secs(120));
    let (w1, w2) = (c.ids[0], c.ids[1]);
    let long_done = Arc::new(AtomicBool::new(false));
    let (started_tx, started_rx) = std::sync::mpsc::channel::<()>();

    let done = long_done.clone();
    let long =
        c.rt.task(async move |mut frame| {
            let slow = frame.global("slow")?;
            let two = frame.box_value(2.0f64);
            started_tx.send(()).unwrap();
            let who = frame.remotecall_fetch(w1, slow, &[two]).await?;
            done.store(true, Ordering::SeqCst);
            who.unbox::<i64>()
        })
        .dispatch_blocking()
        .unwrap();
    started_rx.recv().unwrap();

    let done = long_done.clone();
    let (n_calls, long_finished_first) = c
        .pool
        .task(async move |mut frame| {
            let whoami = frame.global("whoami")?;
            let mut n = 0;
            for _ in 0..20 {
                let who = frame.remotecall_fetch(w2, whoami, &[]).await?;
                assert_eq!(who.unbox::<i64>()?, w2.get());
                n += 1;
            }
            Ok((n, done.load(Ordering::SeqCst)))
        })
        .dispatch_blocking()
        .unwrap()
        .wait_blocking()
        .unwrap();
    assert_eq!(n_calls, 20);
    assert!(
        !long_finished_first,
        "the pool's 20 remote calls waited for the runtime thread's 2 s call"
    );
    assert_eq!(long.wait_blocking().unwrap(), w1.get());
    assert!(long_done.load(Ordering::SeqCst));
}
