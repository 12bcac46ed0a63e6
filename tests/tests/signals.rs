//! Ctrl-C and SIGTERM reach a program that embeds Julia: each test starts
//! `src/bin/signal_child.rs` as a child process, waits until its pool task runs a long
//! Julia loop, sends it a signal and checks how the child ended.

use std::{
    io::{BufRead, BufReader},
    os::unix::process::ExitStatusExt,
    process::{Child, Command, ExitStatus, Stdio},
    sync::mpsc,
    time::{Duration, Instant},
};

use jlrs_core::sync::{GcSafeMutex, GcSafeMutexGuard};
use jlrs_tests::watchdog;

/// The children spin on the CPU; one at a time.
fn exclusive() -> GcSafeMutexGuard<'static, ()> {
    static LOCK: GcSafeMutex<()> = GcSafeMutex::new(());
    LOCK.lock()
}

struct Run {
    status: ExitStatus,
    /// From the signal to the child's end.
    elapsed: Duration,
    /// What the child printed after `READY`.
    lines: Vec<String>,
}

/// Starts the child in `mode`, sends `signal` once it is `READY`, and waits (at most 60 s)
/// for it to end.
fn run(mode: &str, signal: libc::c_int) -> Run {
    let mut child: Child = Command::new(env!("CARGO_BIN_EXE_signal_child"))
        .arg(mode)
        .stdout(Stdio::piped())
        .spawn()
        .expect("cannot start the child");
    let (tx, rx) = mpsc::channel();
    let stdout = child.stdout.take().unwrap();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines() {
            let Ok(line) = line else { break };
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    match rx.recv_timeout(Duration::from_secs(60)) {
        Ok(line) if line == "READY" => {}
        other => {
            let _ = child.kill();
            panic!("the child did not get ready: {other:?}");
        }
    }
    let pid = libc::pid_t::try_from(child.id()).unwrap();
    let sent = Instant::now();
    // SAFETY: `kill` has no memory-safety preconditions; `pid` is our child, not reaped.
    assert_eq!(unsafe { libc::kill(pid, signal) }, 0, "kill failed");
    let status = loop {
        if let Some(status) = child.try_wait().expect("waiting for the child") {
            break status;
        }
        if sent.elapsed() > Duration::from_secs(60) {
            let _ = child.kill();
            let _ = child.wait();
            panic!("the child still runs 60 s after the signal");
        }
        std::thread::sleep(Duration::from_millis(1));
    };
    let elapsed = sent.elapsed();
    let lines = rx.try_iter().collect();
    let run = Run {
        status,
        elapsed,
        lines,
    };
    eprintln!(
        "{mode}: signal {signal} -> {:?} after {:?}; printed {:?}",
        run.status, run.elapsed, run.lines
    );
    run
}

#[test]
fn sigint_ends_the_process_by_default() {
    let _dog = watchdog("SIGINT with the default policy", Duration::from_secs(150));
    let _x = exclusive();
    let run = run("terminate", libc::SIGINT);
    assert_eq!(
        run.status.signal(),
        Some(libc::SIGINT),
        "the child was not killed by SIGINT: {:?}, printed {:?}",
        run.status,
        run.lines
    );
}

#[test]
fn sigterm_ends_the_process() {
    let _dog = watchdog("SIGTERM with the default policy", Duration::from_secs(150));
    let _x = exclusive();
    let run = run("sigterm", libc::SIGTERM);
    // Killed by SIGTERM when a thread started before Julia takes it; exit status 143
    // (128 + 15) after Julia's handler when its listener takes it.
    assert!(
        run.status.signal() == Some(libc::SIGTERM) || run.status.code() == Some(143),
        "SIGTERM did not end the child: {:?}, printed {:?}",
        run.status,
        run.lines
    );
}

#[test]
fn interrupt_julia_interrupts_the_pool_task() {
    let _dog = watchdog("SIGINT with InterruptJulia", Duration::from_secs(150));
    let _x = exclusive();
    assert_interrupted(&run("interrupt", libc::SIGINT));
}

#[test]
fn interrupt_julia_interrupts_a_task_on_the_runtime_thread() {
    let _dog = watchdog(
        "SIGINT with InterruptJulia, runtime thread",
        Duration::from_secs(150),
    );
    let _x = exclusive();
    assert_interrupted(&run("interrupt-runtime", libc::SIGINT));
}

fn assert_interrupted(run: &Run) {
    assert!(
        run.status.success(),
        "{:?}, printed {:?}",
        run.status,
        run.lines
    );
    let error = run.lines.iter().find(|l| l.starts_with("ERROR: "));
    assert!(
        error.is_some_and(|e| e.contains("InterruptException")),
        "the caller did not get an InterruptException: {:?}",
        run.lines
    );
    assert!(
        run.lines.iter().any(|l| l == "AFTER: Ok(2)"),
        "{:?}",
        run.lines
    );
    assert!(
        run.lines.iter().any(|l| l == "AGAIN: true"),
        "{:?}",
        run.lines
    );
    assert_eq!(run.lines.last().map(String::as_str), Some("JOINED"));
}

fn assert_application_shut_down(run: &Run) {
    assert!(
        run.status.success(),
        "{:?}, printed {:?}",
        run.status,
        run.lines
    );
    assert_eq!(
        run.lines,
        ["CTRL_C", "TASK_DONE: true", "JOINED"],
        "the child did not shut down through its handles"
    );
}

#[test]
fn application_receives_ctrl_c_and_shuts_down() {
    let _dog = watchdog("SIGINT with Application", Duration::from_secs(150));
    let _x = exclusive();
    assert_application_shut_down(&run("application", libc::SIGINT));
}

#[test]
fn application_handler_installed_before_julia_survives_init() {
    let _dog = watchdog(
        "SIGINT with Application, handler set up first",
        Duration::from_secs(150),
    );
    let _x = exclusive();
    assert_application_shut_down(&run("application-early", libc::SIGINT));
}

/// The callback ran to its end (so it released its lock) and the caller got the
/// interrupt once it had returned.
fn assert_callback_deferred(run: &Run) {
    assert!(
        run.status.success(),
        "{:?}, printed {:?}",
        run.status,
        run.lines
    );
    let done = run.lines.iter().position(|l| l == "CLOSURE_DONE");
    let error = run.lines.iter().position(|l| l.starts_with("ERROR: "));
    assert!(
        done.is_some(),
        "the callback was cut short: {:?}",
        run.lines
    );
    assert!(
        error.is_some_and(|e| run.lines[e].contains("InterruptException") && Some(e) > done),
        "the caller did not get the interrupt after the callback returned: {:?}",
        run.lines
    );
    assert!(
        run.lines.iter().any(|l| l == "LOCK_FREE: true"),
        "{:?}",
        run.lines
    );
    assert!(
        run.lines.iter().any(|l| l == "AFTER: Ok(2)"),
        "{:?}",
        run.lines
    );
    assert_eq!(run.lines.last().map(String::as_str), Some("JOINED"));
}

#[test]
fn interrupt_julia_waits_for_a_callback_on_a_pool_worker() {
    let _dog = watchdog(
        "SIGINT with InterruptJulia during a callback",
        Duration::from_secs(150),
    );
    let _x = exclusive();
    assert_callback_deferred(&run("callback", libc::SIGINT));
}

#[test]
fn interrupt_julia_waits_for_a_callback_on_the_runtime_thread() {
    let _dog = watchdog(
        "SIGINT with InterruptJulia during a callback, runtime thread",
        Duration::from_secs(150),
    );
    let _x = exclusive();
    assert_callback_deferred(&run("callback-runtime", libc::SIGINT));
}

#[test]
fn interrupt_julia_waits_for_a_cfunction_on_the_runtime_thread() {
    let _dog = watchdog(
        "SIGINT with InterruptJulia during a C function, runtime thread",
        Duration::from_secs(150),
    );
    let _x = exclusive();
    assert_callback_deferred(&run("cfunction-runtime", libc::SIGINT));
}

#[test]
fn interrupt_julia_spares_other_tasks_on_the_calls_thread() {
    let _dog = watchdog(
        "SIGINT with InterruptJulia, a task runs while the call waits",
        Duration::from_secs(150),
    );
    let _x = exclusive();
    assert_spared(&run("spawned-task", libc::SIGINT));
}

#[test]
fn interrupt_julia_spares_other_tasks_on_a_pool_workers_thread() {
    let _dog = watchdog(
        "SIGINT with InterruptJulia, a task runs while a pool call waits",
        Duration::from_secs(150),
    );
    let _x = exclusive();
    assert_spared(&run("spawned-task-pool", libc::SIGINT));
}

fn assert_spared(run: &Run) {
    assert!(
        run.status.success(),
        "{:?}, printed {:?}",
        run.status,
        run.lines
    );
    // The call itself may get the interrupt once it runs again; the task it waited for,
    // which is not the call, must not.
    let outcome = run
        .lines
        .iter()
        .find(|l| l.starts_with("RETURNED: ") || l.starts_with("ERROR: "));
    assert!(
        outcome.is_some_and(|l| l.starts_with("RETURNED: ")
            || (l.contains("InterruptException") && !l.contains("TaskFailedException"))),
        "the interrupt landed in the task the call waited for: {:?}",
        run.lines
    );
    assert!(
        run.lines.iter().any(|l| l == "AFTER: Ok(2)"),
        "{:?}",
        run.lines
    );
    assert_eq!(run.lines.last().map(String::as_str), Some("JOINED"));
}

#[test]
fn an_interrupt_never_lands_in_a_later_call() {
    let _dog = watchdog(
        "SIGINT with InterruptJulia, a call that ends first",
        Duration::from_secs(150),
    );
    let _x = exclusive();
    let run = run("stale", libc::SIGINT);
    assert!(
        run.status.success(),
        "{:?}, printed {:?}",
        run.status,
        run.lines
    );
    assert!(
        run.lines.iter().any(|l| l == "LATER: Ok(2)"),
        "the interrupt meant for an earlier call landed in a later one: {:?}",
        run.lines
    );
    assert_eq!(run.lines.last().map(String::as_str), Some("JOINED"));
}
