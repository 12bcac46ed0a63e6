//! jlrs-core: hosted loops on Julia's threads under GC pressure, panics, exceptions.

use std::{
    sync::{
        atomic::{AtomicBool, Ordering},
        Arc,
    },
    time::Duration,
};

use jlrs_core::{hosted::Hosted, Error, Julia};
use jlrs_tests::{julia, watchdog};

type Job = Box<dyn FnOnce(&mut Julia) + Send>;

/// A worker: a hosted loop that runs jobs from a channel and restarts after a panic.
struct Worker {
    jobs: async_channel::Receiver<Job>,
}

impl jlrs_core::hosted::HostedLoop for Worker {
    fn run(&mut self, julia: &mut Julia) {
        while let Ok(job) = julia.gc_safe(|| self.jobs.recv_blocking()) {
            job(julia);
        }
    }

    fn panicked(&mut self, _payload: Box<dyn std::any::Any + Send>) -> bool {
        true
    }
}

/// Hosts a worker on `tid`, waiting while another test's loop still occupies it.
fn spawn_worker(tid: usize) -> (async_channel::Sender<Job>, jlrs_core::hosted::HostedThread) {
    loop {
        let spawned = julia().run(move |j| {
            let (tx, rx) = async_channel::unbounded();
            Hosted::on_thread(tid)
                .spawn(j, Worker { jobs: rx })
                .map(|h| (tx, h))
        });
        match spawned {
            Ok(pair) => return pair,
            Err(Error::BadThread { reason, .. }) if reason.contains("already") => {
                std::thread::sleep(Duration::from_millis(10))
            }
            Err(e) => panic!("cannot host a loop on thread {tid}: {e}"),
        }
    }
}

fn ask<T: Send + 'static>(
    tx: &async_channel::Sender<Job>,
    f: impl FnOnce(&mut Julia) -> T + Send + 'static,
) -> oneshot::Receiver<T> {
    let (otx, orx) = oneshot::channel();
    tx.send_blocking(Box::new(move |j| {
        let _ = otx.send(f(j));
    }))
    .unwrap();
    orx
}

fn require_threads(n: usize) {
    let have = julia().n_threads();
    assert!(
        have >= n,
        "this test needs {n} Julia threads, Julia started {have}"
    );
}

#[test]
fn hosted_loops_serve_10_000_jobs_while_collections_are_forced() {
    require_threads(5);
    let _dog = watchdog("10 000 hosted jobs under GC", Duration::from_secs(240));
    let workers: Vec<_> = (3..=5).map(spawn_worker).collect();

    // Another thread (a fourth hosted loop) forces collections until told to stop.
    let stop = Arc::new(AtomicBool::new(false));
    let (gc_tx, gc_handle) = spawn_worker(2);
    let stop2 = stop.clone();
    let collections = ask(&gc_tx, move |j| {
        let mut n = 0u64;
        while !stop2.load(Ordering::Acquire) {
            j.collect_garbage(n.is_multiple_of(4));
            n += 1;
            j.gc_safe(|| std::thread::sleep(Duration::from_millis(1)));
        }
        n
    });

    julia()
        .run(|j| {
            j.scope(|mut f| {
                f.eval("jlrs_strings(i) = [string(k) for k in 1:1 + i % 50]")
                    .map(|_| ())
            })
        })
        .unwrap();
    let mut answers = Vec::new();
    for i in 0..10_000i64 {
        let (tx, _) = &workers[i as usize % workers.len()];
        answers.push((
            i,
            ask(tx, move |j| {
                let tid = j.thread_id();
                j.scope(|mut f| {
                    let x = f.box_value(i);
                    let v = f.call("jlrs_strings", &[x]).unwrap();
                    let s = f.call("string", &[x]).unwrap();
                    let joined = f.call("join", &[v]).unwrap().unbox::<String>().unwrap();
                    let expected: String = (1..=1 + i % 50).map(|k| k.to_string()).collect();
                    assert_eq!(joined, expected);
                    (s.unbox::<String>().unwrap(), tid)
                })
            }),
        ));
    }
    let mut seen = std::collections::BTreeSet::new();
    for (i, rx) in answers {
        let (s, tid) = rx.recv().expect("a job was lost");
        assert_eq!(s, i.to_string());
        seen.insert(tid);
    }
    assert_eq!(seen, [3, 4, 5].into_iter().collect());
    stop.store(true, Ordering::Release);
    assert!(collections.recv().unwrap() > 0);

    drop(gc_tx);
    gc_handle.join();
    for (tx, handle) in workers {
        drop(tx);
        handle.join();
        assert_eq!(handle.panics(), 0);
    }
}

#[test]
fn a_panic_is_caught_and_the_loop_serves_the_next_job_on_the_same_thread() {
    require_threads(6);
    let _dog = watchdog("panic in a hosted loop", Duration::from_secs(60));
    let (tx, handle) = spawn_worker(6);
    let lost = ask(&tx, |_| -> () {
        panic!("deliberate panic in a hosted job")
    });
    assert!(lost.recv().is_err(), "the panicking job cannot answer");
    let tid = ask(&tx, |j| {
        j.scope(|mut f| {
            f.eval("Threads.threadid()")
                .unwrap()
                .unbox::<i64>()
                .unwrap()
        })
    })
    .recv()
    .expect("the loop did not serve the next job");
    assert_eq!(tid, 6);
    assert_eq!(handle.panics(), 1);
    assert_eq!(handle.restarts(), 1);
    drop(tx);
    handle.join();
    assert!(handle.is_finished());
}

#[test]
fn exceptions_on_hosted_threads_come_back_as_errors() {
    require_threads(6);
    let _dog = watchdog("exceptions on hosted threads", Duration::from_secs(60));
    let tid = 6;
    let (tx, handle) = spawn_worker(tid);
    let err = ask(&tx, |j| {
        j.scope(|mut f| {
            let e = f
                .eval("throw(ArgumentError(\"bad argument\"))")
                .unwrap_err();
            (
                e.to_string(),
                f.eval("Threads.threadid()")
                    .unwrap()
                    .unbox::<i64>()
                    .unwrap(),
            )
        })
    })
    .recv()
    .unwrap();
    assert_eq!(err.0, "Julia exception: ArgumentError: bad argument");
    assert_eq!(err.1, tid as i64);
    drop(tx);
    handle.join();
}

#[test]
fn bad_thread_ids_are_errors() {
    let n = julia().n_threads();
    for tid in [0, 1, n + 1] {
        let err = julia()
            .run(move |j| {
                Hosted::on_thread(tid)
                    .spawn(j, |_: &mut Julia| {})
                    .map(|_| ())
            })
            .unwrap_err();
        assert!(
            matches!(err, Error::BadThread { tid: t, .. } if t == tid),
            "{err}"
        );
    }
}
