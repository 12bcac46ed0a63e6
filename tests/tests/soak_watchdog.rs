//! The soak's watchdog: a task that never answers fails the soak with the watchdog's
//! diagnostic instead of hanging it. Runs the soak binary with `--lose-a-task`.

use std::{process::Command, time::Duration};

use jlrs_tests::watchdog;

#[test]
fn a_lost_task_fails_the_soak_with_a_diagnostic() {
    let _dog = watchdog("a soak with a lost task", Duration::from_secs(170));
    // The stall limit leaves room for tasks slowed by forced collections on a busy
    // machine: only the lost task may trip it.
    let out = Command::new(env!("CARGO_BIN_EXE_soak"))
        .args(["--minutes", "1", "--stall-seconds", "20", "--lose-a-task"])
        .output()
        .expect("cannot run the soak");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(101), "{}\n{stderr}", out.status);
    assert!(
        stderr.contains("watchdog: `soak client 0's task (no answer since")
            && stderr.contains("it is hung (a deadlock or a lost task)"),
        "{stderr}"
    );
}
