//! A program that embeds Julia, adds one Distributed worker (local, or over SSH to
//! 127.0.0.1 when ssh flags are given as the second argument) and keeps it busy in a loop
//! that never yields, for `tests/tests/distributed_busy.rs`, which kills this program
//! with SIGKILL and checks that the worker dies with it. It prints `WORKER <pid>` once the
//! loop is asked for (the loop creates the file named by the first argument when it
//! starts), then sleeps until killed.

use std::{io::Write as _, time::Duration};

use jlrs_core::distributed::WorkerSpec;
use jlrs_tests::distributed::{run, start_runtime};

fn main() {
    let marker = std::env::args()
        .nth(1)
        .expect("usage: dist_parent MARKER_FILE");
    let (_mt, rt, _runtime) = start_runtime();
    let pid = run(&rt, async move |mut frame| {
        let ids = frame.add_workers(WorkerSpec::local(1)).await?;
        frame.everywhere(jlrs_tests::distributed::SPIN).await?;
        let getpid = frame.global("getpid")?;
        let pid = frame
            .remotecall_fetch(ids[0], getpid, &[])
            .await?
            .unbox::<i32>()?;
        let spin = frame.global("spin")?;
        let marker = frame.box_value(marker.as_str());
        frame.remotecall(ids[0], spin, &[marker])?;
        Ok(pid)
    })
    .expect("cannot start the busy worker");
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "WORKER {pid}");
    let _ = out.flush();
    loop {
        std::thread::sleep(Duration::from_secs(60));
    }
}
