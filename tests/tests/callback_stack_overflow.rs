//! jlrs-core: Rust code that overflows its stack inside a callback (`define_function`, or
//! a function of `define_cfunction`) aborts the process with a message naming the thread, as on a hosted thread
//! (`core_rust_stack_overflow.rs`), instead of becoming a `StackOverflowError` that jumps
//! over the callback's frames (leaking the lock it holds) and lets the caller carry on.
//! The overflow runs in a child process (this same test binary, asked to through an
//! environment variable).

use std::{os::unix::process::ExitStatusExt, process::Command, time::Duration};

use jlrs_core::{sync::GcSafeMutex, Value};
use jlrs_tests::{julia, watchdog};

const CHILD: &str = "JLRS_TEST_CALLBACK_STACK_OVERFLOW_CHILD";
const TEST: &str = "rust_stack_overflow_in_a_callback_aborts_with_a_message";
const CTEST: &str = "rust_stack_overflow_in_a_cfunction_aborts_with_a_message";

static LOCK: GcSafeMutex<()> = GcSafeMutex::new(());

#[inline(never)]
fn recurse(n: u64) -> u64 {
    let frame = [n; 256];
    std::hint::black_box(&frame);
    if n == 0 {
        0
    } else {
        recurse(n - 1).wrapping_add(frame[n as usize % 256])
    }
}

/// In the child: a callback that holds a lock overflows the runtime thread's stack.
fn child() {
    let _dog = watchdog(
        "calling a callback that overflows its stack",
        Duration::from_secs(60),
    );
    let outcome = julia().run(|j| {
        j.scope(|mut frame| {
            frame.define_function("overflow_in_rust", |frame, _: &[Value<'_>]| {
                let _held = LOCK.lock();
                let n = std::hint::black_box(recurse(u64::MAX));
                Ok(frame.box_value(n))
            })?;
            frame.eval("overflow_in_rust()").map(|_| ())
        })
    });
    eprintln!(
        "child: the call returned {outcome:?}; the lock is free: {}",
        LOCK.try_lock().is_some()
    );
    std::process::exit(3);
}

/// In the child: a function of `define_cfunction` that holds a lock overflows the runtime
/// thread's stack.
fn cfunction_child() {
    extern "C" fn overflow(n: u64) -> u64 {
        let _held = LOCK.lock();
        std::hint::black_box(recurse(n))
    }
    let _dog = watchdog(
        "calling a cfunction that overflows its stack",
        Duration::from_secs(60),
    );
    let outcome = julia().run(|j| {
        j.scope(|mut frame| {
            frame.define_cfunction(
                "overflow_in_cfunction",
                overflow as extern "C" fn(u64) -> u64,
            )?;
            frame
                .eval("overflow_in_cfunction(typemax(UInt64))")
                .map(|_| ())
        })
    });
    eprintln!(
        "child: the call returned {outcome:?}; the lock is free: {}",
        LOCK.try_lock().is_some()
    );
    std::process::exit(3);
}

/// Runs `test` in a child process and checks that it aborted with the message.
fn assert_child_aborts(test: &str) {
    let out = Command::new(std::env::current_exe().unwrap())
        .args(["--exact", test, "--nocapture", "--test-threads=1"])
        .env(CHILD, "1")
        .output()
        .expect("cannot run the child");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(
        out.status.signal(),
        Some(6),
        "the child did not abort ({}); its stderr:\n{stderr}",
        out.status
    );
    assert!(
        stderr.contains(
            "jlrs: a Rust function called from Julia on Julia thread 1 overflowed its stack"
        ),
        "{stderr}"
    );
}

#[test]
fn rust_stack_overflow_in_a_callback_aborts_with_a_message() {
    if std::env::var_os(CHILD).is_some() {
        return child();
    }
    let _dog = watchdog(
        "the child that overflows its stack in a callback",
        Duration::from_secs(120),
    );
    assert_child_aborts(TEST);
}

#[test]
fn rust_stack_overflow_in_a_cfunction_aborts_with_a_message() {
    if std::env::var_os(CHILD).is_some() {
        return cfunction_child();
    }
    let _dog = watchdog(
        "the child that overflows its stack in a cfunction",
        Duration::from_secs(120),
    );
    assert_child_aborts(CTEST);
}
