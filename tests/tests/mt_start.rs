//! jlrs-mt: `start_mt` runs Julia on the current thread, with `with` served by the
//! runtime thread itself; a second runtime is a clear error.

use std::time::Duration;

use jlrs_mt::{Builder, Error};
use jlrs_tests::watchdog;

#[test]
fn start_mt_returns_the_result_after_shutdown_and_no_second_runtime_starts() {
    let _dog = watchdog("start_mt", Duration::from_secs(120));
    let out = Builder::new()
        .with_threads(0)
        .n_threads(1)
        .start_mt(|mt| {
            assert_eq!(mt.n_with_threads(), 0);
            let callers: Vec<_> = (0..4i64)
                .map(|i| {
                    let mt = mt.clone();
                    std::thread::spawn(move || {
                        (0..250i64)
                            .map(|k| {
                                mt.with(move |j| {
                                    let tid = j.thread_id();
                                    let v = j.scope(|mut f| {
                                        let x = f.box_value(i * 1000 + k);
                                        f.call("abs2", &[x])?.unbox::<i64>()
                                    })?;
                                    assert_eq!(tid, 1, "the runtime thread serves with");
                                    Ok(v)
                                })
                                .unwrap()
                            })
                            .sum::<i64>()
                    })
                })
                .collect();
            callers.into_iter().map(|c| c.join().unwrap()).sum::<i64>()
        })
        .expect("cannot run the runtime");
    let expected: i64 = (0..4i64)
        .flat_map(|i| (0..250i64).map(move |k| (i * 1000 + k).pow(2)))
        .sum();
    assert_eq!(out, expected);
    assert!(
        !jlrs_core::is_running(),
        "start_mt returned before Julia shut down"
    );

    let err = Builder::new().n_threads(1).spawn_mt().err().unwrap();
    assert!(
        matches!(err, Error::Init(jlrs_core::InitError::AlreadyInitialized)),
        "{err}"
    );
    let err = Builder::new().start_mt(|_| ()).err().unwrap();
    assert!(
        matches!(err, Error::Init(jlrs_core::InitError::AlreadyInitialized)),
        "{err}"
    );
}
