//! jlrs-core: after `Runtime::shutdown`, a root stack made before it cannot reach Julia:
//! every call returns `Error::ShutDown`, and calls that return no `Result` panic.

use std::{
    panic::{catch_unwind, AssertUnwindSafe},
    time::Duration,
};

use jlrs_core::{Error, InitOptions, Runtime};
use jlrs_tests::watchdog;

#[test]
fn a_root_stack_from_before_shutdown_reports_shut_down() {
    let _dog = watchdog("calls after shutdown", Duration::from_secs(120));
    let mut rt = Runtime::init(InitOptions::new()).expect("cannot start Julia");
    let mut stack = rt.julia().new_root_stack();
    assert_eq!(
        stack
            .frame()
            .eval("sum(1:10)")
            .unwrap()
            .unbox::<i64>()
            .unwrap(),
        55
    );
    rt.shutdown();

    let mut frame = stack.frame();
    assert!(matches!(frame.eval("sum(1:10)"), Err(Error::ShutDown)));
    assert!(matches!(frame.call("rand", &[]), Err(Error::ShutDown)));
    assert!(matches!(frame.global("Base.sqrt"), Err(Error::ShutDown)));
    let boxed = catch_unwind(AssertUnwindSafe(|| {
        frame.box_value(1i64);
    }));
    let msg = jlrs_core::panic_message(&*boxed.unwrap_err());
    assert!(msg.contains("shut down"), "{msg}");
    let err = frame.eval("1").unwrap_err();
    assert_eq!(
        err.to_string(),
        "Julia has shut down; it cannot be called again in this process"
    );
}
