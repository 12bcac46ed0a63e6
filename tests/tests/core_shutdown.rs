//! jlrs-core: initialisation errors, shutdown after hosted loops return, no second init.

use std::time::Duration;

use jlrs_core::{hosted::Hosted, InitError, InitOptions, Julia, Runtime};
use jlrs_tests::watchdog;

#[test]
fn init_errors_shutdown_and_no_second_init() {
    let _dog = watchdog("init and shutdown", Duration::from_secs(120));
    // Bad options fail before Julia starts, so a good init can follow.
    let err = Runtime::init(InitOptions::new().n_threads(0))
        .err()
        .unwrap();
    assert!(matches!(err, InitError::BadThreadCount(0)), "{err}");
    let err = Runtime::init(InitOptions::new().julia_dir("/no/such/julia"))
        .err()
        .unwrap();
    assert!(matches!(err, InitError::JuliaNotFound(_)), "{err}");
    let err = Runtime::init(InitOptions::new().julia_dir("/tmp"))
        .err()
        .unwrap();
    assert!(matches!(err, InitError::BadPath { .. }), "{err}");
    assert!(!jlrs_core::is_running());

    let mut rt = Runtime::init(InitOptions::new().n_threads(4)).expect("cannot start Julia");
    assert!(jlrs_core::is_running());
    assert_eq!(
        rt.n_threads(),
        4,
        "Julia starts the threads asked for, whatever the CPU count"
    );

    // Hosted loops that wait for a signal, then call Julia once more and return.
    let (tx, rx) = async_channel::unbounded::<()>();
    let (done_tx, done_rx) = async_channel::unbounded::<i64>();
    let handles: Vec<_> = (2..=4)
        .map(|tid| {
            let rx = rx.clone();
            let done_tx = done_tx.clone();
            Hosted::on_thread(tid)
                .spawn(rt.julia(), move |j: &mut Julia| {
                    let _ = j.gc_safe(|| rx.recv_blocking());
                    let id = j.scope(|mut f| {
                        f.eval("Threads.threadid()")
                            .unwrap()
                            .unbox::<i64>()
                            .unwrap()
                    });
                    done_tx.send_blocking(id).unwrap();
                })
                .unwrap()
        })
        .collect();
    let err = Hosted::on_thread(3)
        .spawn(rt.julia(), |_: &mut Julia| {})
        .err()
        .unwrap();
    assert!(err.to_string().contains("already hosts a loop"), "{err}");

    // Closing the channel lets the loops finish; shutdown waits for them.
    drop(tx);
    rt.shutdown();
    let mut ids: Vec<i64> = std::iter::from_fn(|| done_rx.try_recv().ok()).collect();
    ids.sort();
    assert_eq!(ids, vec![2, 3, 4]);
    assert!(handles.iter().all(|h| h.is_finished()));
    assert!(!jlrs_core::is_running());

    let err = Runtime::init(InitOptions::new()).err().unwrap();
    assert!(matches!(err, InitError::AlreadyInitialized), "{err}");
}
