//! Arrays after `Runtime::shutdown`: Julia's exit ran every array finalizer, so arrays
//! made before it cannot be read or written, and no array can be made; each attempt is a
//! `ShutDown` error, never a read of freed memory.

use std::time::Duration;

use jlrs_core::{Error, InitOptions, Runtime};
use jlrs_tests::watchdog;

#[test]
fn arrays_made_before_shutdown_report_shut_down() {
    let _dog = watchdog("arrays after shutdown", Duration::from_secs(120));
    let mut rt = Runtime::init(InitOptions::new()).expect("cannot start Julia");
    let mut stack = rt.julia().new_root_stack();
    let mut frame = stack.frame();
    // 8 MiB: unmapped when freed, so a read after the free would fault.
    let a = frame
        .array_from_vec(vec![1.0f64; 1 << 20], [1 << 20])
        .unwrap();
    let j = frame.eval("zeros(10)").unwrap();
    assert_eq!(a.data().unwrap()[0], 1.0);
    rt.shutdown();

    assert!(matches!(a.data().map(|_| ()), Err(Error::ShutDown)));
    assert!(matches!(a.data_mut().map(|_| ()), Err(Error::ShutDown)));
    assert!(matches!(a.to_vec(), Err(Error::ShutDown)));
    assert!(matches!(j.array::<f64>().map(|_| ()), Err(Error::ShutDown)));
    assert!(matches!(j.array_any().map(|_| ()), Err(Error::ShutDown)));
    assert!(matches!(
        frame.new_array::<f64>(&[3]).map(|_| ()),
        Err(Error::ShutDown)
    ));
    assert!(matches!(
        frame.array_from_slice(&[1.0f64], [1]).map(|_| ()),
        Err(Error::ShutDown)
    ));
    assert!(matches!(
        frame.array_from_vec(vec![1.0f64], [1]).map(|_| ()),
        Err(Error::ShutDown)
    ));
}
