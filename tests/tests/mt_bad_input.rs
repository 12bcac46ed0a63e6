//! jlrs-mt: impossible thread counts and a second runtime are clear errors.

use std::time::Duration;

use jlrs_mt::{Builder, Error};
use jlrs_tests::watchdog;

#[test]
fn impossible_thread_counts_and_second_runtimes_are_errors() {
    let _dog = watchdog("bad input", Duration::from_secs(120));
    let limit = jlrs_core::MAX_JULIA_THREADS;
    let err = Builder::new().n_threads(limit).spawn_mt().err().unwrap();
    match &err {
        Error::TooManyThreads {
            requested,
            limit: l,
            ..
        } => {
            assert_eq!(*requested, limit + 2);
            assert_eq!(*l, limit);
        }
        other => panic!("unexpected {other:?}"),
    }
    assert!(
        err.to_string().contains(&format!("starts at most {limit}")),
        "{err}"
    );
    let err = Builder::new()
        .with_threads(limit)
        .start_mt(|_| ())
        .err()
        .unwrap();
    assert!(matches!(err, Error::TooManyThreads { .. }), "{err}");
    let err = Builder::new()
        .julia_dir("/no/such/dir")
        .spawn_mt()
        .err()
        .unwrap();
    assert!(
        matches!(err, Error::Init(jlrs_core::InitError::JuliaNotFound(_))),
        "{err}"
    );
    // None of those started Julia; this one does.
    assert!(!jlrs_core::is_running());

    let (mt, runtime) = Builder::new()
        .n_threads(1)
        .spawn_mt()
        .expect("cannot start Julia");
    let err = Builder::new().n_threads(1).spawn_mt().err().unwrap();
    assert!(
        matches!(err, Error::Init(jlrs_core::InitError::AlreadyInitialized)),
        "{err}"
    );
    assert_eq!(mt.with(|j| Ok(j.n_threads())).unwrap(), 3);
    drop(mt);
    runtime.join().unwrap();
}
