//! `Threads.@spawn` work is picked up by an idle hosted thread while thread 1 is busy, with
//! 3 Julia threads besides thread 1, each hosting an idle pool worker.

#[test]
fn spawned_work_runs_on_idle_hosted_threads() {
    jlrs_tests::spawn_pickup::spawned_work_runs_on_idle_hosted_threads(3, 3000);
}
