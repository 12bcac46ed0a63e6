//! jlrs-core: Rust code that overflows a hosted loop's stack aborts the process with a
//! message naming the thread, like Rust's own "has overflowed its stack", instead of
//! leaving the loop's joiners waiting forever. The overflow runs in a child process (this
//! same test binary, asked to through an environment variable).

use std::{os::unix::process::ExitStatusExt, process::Command, time::Duration};

use jlrs_core::{hosted::Hosted, Julia};
use jlrs_tests::{julia, watchdog};

const CHILD: &str = "JLRS_TEST_RUST_STACK_OVERFLOW_CHILD";
const TEST: &str = "rust_stack_overflow_on_a_hosted_thread_aborts_with_a_message";

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

/// In the child: overflow a hosted loop's 1 MiB stack in Rust, then wait for the loop.
fn child() {
    let _dog = watchdog(
        "joining a hosted loop that overflowed its stack",
        Duration::from_secs(60),
    );
    let handle = julia()
        .run(|j| {
            Hosted::on_thread(2)
                .stack_size(1 << 20)
                .spawn(j, |_: &mut Julia| {
                    std::hint::black_box(recurse(u64::MAX));
                })
        })
        .unwrap();
    handle.join();
    eprintln!("child: join returned after the overflow");
    std::process::exit(3);
}

#[test]
fn rust_stack_overflow_on_a_hosted_thread_aborts_with_a_message() {
    if std::env::var_os(CHILD).is_some() {
        return child();
    }
    let _dog = watchdog(
        "the child that overflows its stack",
        Duration::from_secs(120),
    );
    let out = Command::new(std::env::current_exe().unwrap())
        .args(["--exact", TEST, "--nocapture", "--test-threads=1"])
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
            "jlrs: the hosted loop on Julia thread 2 overflowed its stack of 1048576 bytes"
        ),
        "{stderr}"
    );
}
