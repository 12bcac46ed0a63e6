//! jlrs-core: tasks and background work around `Runtime::shutdown`: a closure still
//! running at shutdown ends without touching the closed event loop, and every later call
//! returns `ShutDown` without running its closure.

use std::{
    sync::{
        atomic::{AtomicBool, Ordering},
        mpsc, Arc,
    },
    time::Duration,
};

use jlrs_core::{Error, InitOptions, Runtime};
use jlrs_tests::watchdog;

#[test]
fn tasks_after_shutdown_report_shut_down() {
    let _dog = watchdog("tasks after shutdown", Duration::from_secs(120));
    let mut rt = Runtime::init(InitOptions::new()).expect("cannot start Julia");
    let mut stack = rt.julia().new_root_stack();
    let (release, gate) = mpsc::channel::<()>();
    let (finished_tx, finished) = mpsc::channel::<()>();
    let mut frame = stack.frame();
    // Still running when Julia shuts down.
    frame
        .spawn_background_task(move || {
            gate.recv().unwrap();
            finished_tx.send(()).unwrap();
            7i64
        })
        .unwrap();
    let f = frame.global("identity").unwrap();
    let x = frame.box_value(3i64);
    let task = frame.schedule_async(f, &[x]).unwrap();
    assert_eq!(task.fetch(&mut frame).unwrap().unbox::<i64>().unwrap(), 3);

    rt.shutdown();
    // The closure ends after Julia closed libuv's handles: it must not send to them.
    release.send(()).unwrap();
    finished.recv().unwrap();

    assert!(matches!(
        frame.schedule_async(f, &[x]),
        Err(Error::ShutDown)
    ));
    assert!(matches!(
        frame.schedule_async_kw(f, &[x], &[("a", x)]),
        Err(Error::ShutDown)
    ));
    assert!(matches!(task.fetch(&mut frame), Err(Error::ShutDown)));
    assert!(task.is_done(), "what Julia left is still readable");

    // Refused without running the closure: it is dropped here, unrun.
    let ran = Arc::new(AtomicBool::new(false));
    let flag = ran.clone();
    let err = frame
        .spawn_background_task(move || flag.store(true, Ordering::SeqCst))
        .unwrap_err();
    assert!(matches!(err, Error::ShutDown), "{err}");
    assert_eq!(
        Arc::strong_count(&ran),
        1,
        "the closure was kept or started"
    );
    assert!(
        !ran.load(Ordering::SeqCst),
        "the closure ran after shutdown"
    );
}
