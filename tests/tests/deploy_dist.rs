//! Deployment: `cargo xtask dist` makes a folder whose program runs with an empty
//! environment while the Julia it was built against is hidden (an empty directory mounted
//! over it in a user and mount namespace), and its pool answers.

use std::{process::Command, time::Duration};

use jlrs_tests::deploy::{cargo, empty_dir, run, run_unchecked, workspace_root};

#[test]
fn the_dist_folder_runs_without_the_julia_it_was_built_against() {
    let target = workspace_root().join("target");
    let folder = target.join("dist-test").join("threads");
    run(
        cargo()
            .args(["xtask", "dist", "--example", "threads", "--out"])
            .arg(&folder)
            .args(["--", "-p", "jlrs", "--features", "async-rt"]),
        Duration::from_secs(3600),
    );
    let julia = target.join("julia-1.5.3");
    assert!(
        julia.is_dir(),
        "no provisioned Julia at {}",
        julia.display()
    );
    let probe = run_unchecked(
        Command::new("unshare").args(["--user", "--map-root-user", "--mount", "true"]),
        Duration::from_secs(60),
    );
    assert!(
        probe.status.success(),
        "this test hides Julia in a user and mount namespace, which `unshare` cannot \
         create here: {}",
        String::from_utf8_lossy(&probe.stderr)
    );
    let empty = empty_dir("hidden-julia");
    let script = format!(
        "mount --bind '{}' '{}' && test -z \"$(ls -A '{}')\" && cd / && exec env -i '{}'",
        empty.display(),
        julia.display(),
        julia.display(),
        folder.join("threads").display()
    );
    let out = run(
        Command::new("unshare")
            .args(["--user", "--map-root-user", "--mount", "sh", "-c"])
            .arg(script),
        Duration::from_secs(300),
    );
    let _ = std::fs::remove_dir(&empty);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("overlap: true"), "{stdout}");
    let workers = stdout
        .lines()
        .find_map(|l| l.strip_prefix("workers: "))
        .unwrap_or_default();
    assert_eq!(
        workers.split(' ').count(),
        3,
        "the pool did not answer:\n{stdout}"
    );
}
