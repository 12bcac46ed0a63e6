//! jlrs-mt: handles dropped on other threads, the join started before the last drop.

use std::time::Duration;

use jlrs_mt::Builder;
use jlrs_tests::watchdog;

#[test]
fn the_runtime_shuts_down_when_handles_are_dropped_on_other_threads() {
    let _dog = watchdog(
        "shutdown after drops on other threads",
        Duration::from_secs(120),
    );
    let (mt, runtime) = Builder::new()
        .n_threads(1)
        .spawn_mt()
        .expect("cannot start Julia");
    // The join starts first, on its own thread; it completes only after the last drop.
    let joiner = std::thread::spawn(move || runtime.join());
    let users: Vec<_> = (0..6i64)
        .map(|i| {
            let mt = mt.clone();
            std::thread::spawn(move || {
                let v =
                    mt.with(move |j| j.scope(|mut f| f.eval(&format!("{i} + 1"))?.unbox::<i64>()));
                assert_eq!(v.unwrap(), i + 1);
                // `mt` is dropped here, on this thread.
            })
        })
        .collect();
    drop(mt);
    for u in users {
        u.join().unwrap();
    }
    joiner.join().unwrap().expect("the runtime thread panicked");
    assert!(
        !jlrs_core::is_running(),
        "Julia still runs after the last handle was dropped"
    );
}
