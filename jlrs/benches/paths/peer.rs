//! The peer a user would pick instead of jlrs: plain Julia with free threads, in a separate
//! `julia -t CORES` process started by the bench, timed inside that process.
//!
//! Two rows: `julia_standalone_spawn_fetch` (`fetch(Threads.@spawn f(i))`) and
//! `julia_standalone_channel` (a `Channel` ping-pong between a task on thread 1 and a task
//! pinned to the last thread). The in-embedding row `julia_spawn_fetch` is a different
//! thing: there every other Julia thread is held by a hosted loop, so `@spawn` mostly runs
//! the task on the calling thread.

use std::{path::PathBuf, process::Command, time::Duration};

/// What the standalone Julia process runs: it prints one line per row, `name:ns,ns,...`.
const SCRIPT: &str = r#"
f(x) = x + 1
# The same work, also telling which thread ran it.
g(x) = (x + 1, Threads.threadid())

function spawn_fetch(n)
    times = Vector{UInt64}(undef, n)
    moved = Vector{Bool}(undef, n)
    elsewhere = 0
    for i in 1:1000
        fetch(Threads.@spawn g(i))
    end
    for i in 1:n
        t = time_ns()
        v, tid = fetch(Threads.@spawn g(i))
        times[i] = time_ns() - t
        v == i + 1 || error("wrong answer")
        elsewhere += tid != Threads.threadid()
        moved[i] = tid != Threads.threadid()
    end
    return times, elsewhere, moved
end

function channel_ping_pong(n)
    req = Channel{Int}(1)
    resp = Channel{Int}(1)
    pong = Task(() -> for x in req
        put!(resp, f(x))
    end)
    pong.sticky = true
    ccall(:jl_set_task_tid, Cvoid, (Any, Cint), pong, Threads.nthreads() - 1)
    schedule(pong)
    for i in 1:1000
        put!(req, i)
        take!(resp)
    end
    times = Vector{UInt64}(undef, n)
    for i in 1:n
        t = time_ns()
        put!(req, i)
        v = take!(resp)
        times[i] = time_ns() - t
        v == i + 1 || error("wrong answer")
    end
    close(req)
    wait(pong)
    return times
end

n = parse(Int, ARGS[1])
println("threads:", Threads.nthreads())
times, elsewhere, moved = spawn_fetch(n)
println("spawn_fetch:", join(times, ','))
println("elsewhere:", elsewhere)
println("spawn_fetch_elsewhere:", join(times[moved], ','))
println("channel:", join(channel_ping_pong(n), ','))
"#;

/// The standalone peer's rows, and the number of threads its Julia ran with.
pub(crate) struct Peer {
    pub(crate) threads: usize,
    /// The share (%) of spawned tasks that ran on another thread than the fetching one.
    pub(crate) spawn_elsewhere_percent: f64,
    /// The p50 (µs) of the spawned tasks that did run on another thread.
    pub(crate) spawn_elsewhere_p50_us: Option<f64>,
    pub(crate) spawn_fetch: Vec<Duration>,
    pub(crate) channel: Vec<Duration>,
}

/// The `julia` binary of the Julia the bench runs with (`$JULIA_DIR/bin/julia`).
fn julia_binary() -> Option<PathBuf> {
    let dir = std::env::var_os("JULIA_DIR").filter(|d| !d.is_empty())?;
    let bin = PathBuf::from(dir).join("bin/julia");
    bin.is_file().then_some(bin)
}

/// Runs `n` round trips of each kind in `julia -t threads`; `None` (with a warning) when
/// there is no `julia` or it fails.
pub(crate) fn run(threads: usize, n: usize) -> Option<Peer> {
    let Some(bin) = julia_binary() else {
        eprintln!("bench: no $JULIA_DIR/bin/julia; skipping the standalone Julia peer");
        return None;
    };
    // The library path the embedding runs with (set by `cargo xtask`) is what this julia
    // needs too; it is inherited.
    let out = Command::new(&bin)
        .arg("--startup-file=no")
        .arg("-t")
        .arg(threads.to_string())
        .arg("-e")
        .arg(SCRIPT)
        .arg(n.to_string())
        .output();
    let out = match out {
        Ok(out) if out.status.success() => out,
        Ok(out) => {
            eprintln!(
                "bench: the standalone Julia peer failed ({}): {}",
                out.status,
                String::from_utf8_lossy(&out.stderr)
            );
            return None;
        }
        Err(e) => {
            eprintln!("bench: cannot start {}: {e}", bin.display());
            return None;
        }
    };
    let stdout = String::from_utf8_lossy(&out.stdout);
    let line = |name: &str| {
        stdout
            .lines()
            .find_map(|l| l.strip_prefix(name)?.strip_prefix(':'))
            .map(str::to_string)
    };
    let times = |name: &str| -> Option<Vec<Duration>> {
        line(name)?
            .split(',')
            .map(|ns| ns.parse().ok().map(Duration::from_nanos))
            .collect()
    };
    let elsewhere: usize = line("elsewhere")?.parse().ok()?;
    let mut moved = times("spawn_fetch_elsewhere").unwrap_or_default();
    moved.sort();
    let spawn_elsewhere_p50_us = moved.get(moved.len() / 2).map(|d| d.as_secs_f64() * 1e6);
    Some(Peer {
        threads: line("threads")?.parse().ok()?,
        spawn_elsewhere_percent: 100.0 * elsewhere as f64 / n.max(1) as f64,
        spawn_elsewhere_p50_us,
        spawn_fetch: times("spawn_fetch")?,
        channel: times("channel")?,
    })
}
