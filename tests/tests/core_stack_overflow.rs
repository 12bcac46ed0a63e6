//! jlrs-core: deep recursion in Julia becomes a `StackOverflowError`, on the runtime
//! thread and on a hosted thread, and the thread keeps working.

use std::time::Duration;

use jlrs_core::{hosted::Hosted, Error, Julia};
use jlrs_tests::{julia, watchdog};

fn overflow(j: &mut Julia) -> (String, i64) {
    j.scope(|mut f| {
        f.eval("deep_recursion(n) = n == 0 ? 0 : 1 + deep_recursion(n - 1)")
            .unwrap();
        let err = f.eval("deep_recursion(10^9)").unwrap_err();
        let Error::Exception(e) = err else {
            panic!("{err:?}")
        };
        let after = f
            .eval("deep_recursion(1000)")
            .unwrap()
            .unbox::<i64>()
            .unwrap();
        (e.type_name().to_string(), after)
    })
}

#[test]
fn stack_overflow_on_the_runtime_thread_is_an_error() {
    let _dog = watchdog("stack overflow on thread 1", Duration::from_secs(120));
    let (ty, after) = julia().run(overflow);
    assert_eq!(ty, "StackOverflowError");
    assert_eq!(after, 1000);
}

#[test]
fn stack_overflow_on_a_hosted_thread_is_an_error() {
    let _dog = watchdog(
        "stack overflow on a hosted thread",
        Duration::from_secs(120),
    );
    let (tx, rx) = std::sync::mpsc::channel();
    let handle = julia()
        .run(move |j| {
            let mut tx = Some(tx);
            Hosted::on_thread(2).spawn(j, move |j: &mut Julia| {
                if let Some(tx) = tx.take() {
                    tx.send(overflow(j)).unwrap();
                }
            })
        })
        .unwrap();
    let (ty, after) = rx.recv().expect("the hosted loop died");
    handle.join();
    assert_eq!(ty, "StackOverflowError");
    assert_eq!(after, 1000);
}
