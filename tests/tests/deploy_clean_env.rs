//! Deployment: an example program built with cargo runs directly, with an empty
//! environment and from another directory, and starts the threads it asks for (one runtime,
//! one `with` and three worker threads) whatever the CPU count: three blocking pool tasks
//! run at once.

use std::{process::Command, time::Duration};

use jlrs_tests::deploy::{cargo, empty_dir, run, workspace_root};

#[test]
fn the_example_runs_with_a_clean_environment_from_anywhere() {
    // Its own target directory: a build with other features in the directory of the
    // `cargo test` that runs this test would replace libraries its doctests link.
    let target = workspace_root().join("target").join("jlrs-deploy-tests");
    run(
        cargo()
            .args(["build", "--quiet", "--target-dir"])
            .arg(&target)
            .args([
                "-p",
                "jlrs",
                "--features",
                "async-rt",
                "--example",
                "threads",
            ]),
        Duration::from_secs(3600),
    );
    let program = target.join("debug/examples/threads");
    let elsewhere = empty_dir("clean-env");
    let out = run(
        Command::new(&program).env_clear().current_dir(&elsewhere),
        Duration::from_secs(300),
    );
    let _ = std::fs::remove_dir_all(&elsewhere);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("julia threads: 5 (1 runtime, 1 `with`, 3 worker)"),
        "{stdout}"
    );
    let order = stdout
        .lines()
        .find_map(|l| l.strip_prefix("order: "))
        .unwrap_or_else(|| panic!("no task order in:\n{stdout}"));
    let events: Vec<&str> = order.split(' ').collect();
    assert_eq!(events.len(), 6, "{order}");
    assert!(
        events[..3].iter().all(|e| e.starts_with("start")),
        "the three tasks did not overlap: {order}"
    );
    let workers = stdout
        .lines()
        .find_map(|l| l.strip_prefix("workers: "))
        .unwrap_or_default();
    assert_eq!(workers.split(' ').count(), 3, "{stdout}");
}
