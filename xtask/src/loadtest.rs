//! `cargo xtask loadtest`: starts the `http_service` example (release build) on loopback,
//! drives each endpoint with N keep-alive connections for D seconds, alternating between
//! the Julia route and its pure-Rust twin, and reports req/s, p50, p99, max, errors and
//! the server's RSS, with the Julia/Rust ratios, to stdout and `docs/bench/loadtest.{md,json,svg}`.
//!
//! The load generator is plain `std` (threads, `TcpStream`, HTTP/1.1), so it needs nothing
//! beyond this crate. It only connects to 127.0.0.1, and every phase is bounded in time.

use std::{
    io::{BufRead, BufReader, Read, Write},
    net::{SocketAddr, TcpStream},
    process::{Child, Command, Stdio},
    sync::{
        atomic::{AtomicBool, Ordering},
        Arc,
    },
    time::{Duration, Instant},
};

use anyhow::{bail, Context, Result};

use crate::{exec, julia};

const USAGE: &str = "usage: cargo xtask loadtest [--connections N] [--seconds D] [--rounds R]";

/// What one run measures, and how.
struct Config {
    connections: usize,
    /// Seconds of load per route (split into `rounds` alternating phases).
    seconds: u64,
    rounds: u64,
}

fn parse(args: &[String]) -> Result<Config> {
    let mut c = Config {
        connections: 32,
        seconds: 10,
        rounds: 2,
    };
    let mut it = args.iter();
    while let Some(flag) = it.next() {
        let value: u64 = it
            .next()
            .and_then(|v| v.parse().ok())
            .with_context(|| USAGE.to_string())?;
        match flag.as_str() {
            "--connections" => c.connections = value as usize,
            "--seconds" => c.seconds = value,
            "--rounds" => c.rounds = value,
            _ => bail!("{USAGE}"),
        }
    }
    if !(1..=256).contains(&c.connections) || !(1..=120).contains(&c.seconds) || c.rounds == 0 {
        bail!("{USAGE} (1..=256 connections, 1..=120 seconds, at least one round)");
    }
    Ok(c)
}

/// One endpoint: its name and a request body (`k` varies it per request).
struct Endpoint {
    name: &'static str,
    body: fn(usize) -> String,
}

fn summary_body(k: usize) -> String {
    let values: Vec<String> = (0..256)
        .map(|i| format!("{}.5", (i * 37 + k) % 101))
        .collect();
    format!("{{\"values\":[{}]}}", values.join(","))
}

fn solve_body(k: usize) -> String {
    let n = 8;
    let rows: Vec<String> = (0..n)
        .map(|i| {
            let row: Vec<String> = (0..n)
                .map(|j| {
                    let v = if i == j {
                        10.0 + (k % 5) as f64
                    } else {
                        ((i * 3 + j * 7 + k) % 11) as f64 / 10.0
                    };
                    format!("{v}")
                })
                .collect();
            format!("[{}]", row.join(","))
        })
        .collect();
    let b: Vec<String> = (0..n).map(|i| format!("{}", i + 1)).collect();
    format!("{{\"a\":[{}],\"b\":[{}]}}", rows.join(","), b.join(","))
}

fn montecarlo_body(k: usize) -> String {
    format!("{{\"samples\":2000,\"seed\":{}}}", k % 1000 + 1)
}

const ENDPOINTS: &[Endpoint] = &[
    Endpoint {
        name: "summary",
        body: summary_body,
    },
    Endpoint {
        name: "solve",
        body: solve_body,
    },
    Endpoint {
        name: "montecarlo",
        body: montecarlo_body,
    },
];

/// The server, started through the project's Julia environment.
struct Server {
    child: Child,
    addr: SocketAddr,
    pid: u32,
}

impl Server {
    fn start(julia: &julia::Julia) -> Result<Server> {
        let bin = crate::workspace_root().join("target/release/examples/http_service");
        let args = vec![
            bin.display().to_string(),
            "serve".into(),
            "127.0.0.1:0".into(),
        ];
        let mut child = exec::command_with_julia(julia, &args)
            .stdout(Stdio::piped())
            .spawn()
            .context("starting the http_service example")?;
        let stdout = child.stdout.take().context("no stdout")?;
        // "listening on ADDR pid PID"
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let mut lines = BufReader::new(stdout).lines();
            if let Some(Ok(line)) = lines.next() {
                let _ = tx.send(line);
            }
            for line in lines.map_while(Result::ok) {
                println!("server: {line}");
            }
        });
        let line = match rx.recv_timeout(Duration::from_secs(120)) {
            Ok(line) => line,
            Err(_) => {
                let _ = child.kill();
                bail!("the server did not say where it listens within 120 s");
            }
        };
        let words: Vec<&str> = line.split_whitespace().collect();
        let (Some(addr), Some(pid)) = (words.get(2), words.get(4)) else {
            let _ = child.kill();
            bail!("unexpected first line from the server: {line}");
        };
        Ok(Server {
            addr: addr.parse()?,
            pid: pid.parse()?,
            child,
        })
    }

    /// The server's resident set size, in KiB.
    fn rss_kib(&self) -> u64 {
        std::fs::read_to_string(format!("/proc/{}/status", self.pid))
            .ok()
            .and_then(|s| {
                s.lines()
                    .find(|l| l.starts_with("VmRSS:"))
                    .and_then(|l| l.split_whitespace().nth(1)?.parse().ok())
            })
            .unwrap_or(0)
    }

    /// SIGINT (the server's graceful stop), then waits (at most 60 s) for a clean exit.
    fn stop(mut self) -> Result<()> {
        Command::new("sh")
            .args(["-c", &format!("kill -INT {}", self.pid)])
            .status()?;
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            if let Some(status) = self.child.try_wait()? {
                if !status.success() {
                    bail!("the server exited with {status} after SIGINT");
                }
                return Ok(());
            }
            if Instant::now() > deadline {
                let _ = self.child.kill();
                bail!("the server did not exit within 60 s of SIGINT");
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

/// Sends one request on a keep-alive connection and reads the response; the status and
/// the body.
fn exchange(
    stream: &mut BufReader<TcpStream>,
    method: &str,
    path: &str,
    body: &str,
) -> Result<(u16, String)> {
    let head = format!(
        "{method} {path} HTTP/1.1\r\nhost: loadtest\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n",
        body.len()
    );
    let s = stream.get_mut();
    s.write_all(head.as_bytes())?;
    s.write_all(body.as_bytes())?;
    let mut status_line = String::new();
    if stream.read_line(&mut status_line)? == 0 {
        bail!("the server closed the connection");
    }
    let status: u16 = status_line.split(' ').nth(1).unwrap_or("0").parse()?;
    let mut length = 0usize;
    loop {
        let mut line = String::new();
        stream.read_line(&mut line)?;
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        if let Some((k, v)) = line.split_once(':') {
            if k.eq_ignore_ascii_case("content-length") {
                length = v.trim().parse()?;
            }
        }
    }
    let mut buf = vec![0; length];
    stream.read_exact(&mut buf)?;
    Ok((status, String::from_utf8_lossy(&buf).into_owned()))
}

fn connect(addr: SocketAddr) -> Result<BufReader<TcpStream>> {
    let s = TcpStream::connect_timeout(&addr, Duration::from_secs(10))?;
    s.set_nodelay(true)?;
    s.set_read_timeout(Some(Duration::from_secs(30)))?;
    Ok(BufReader::new(s))
}

/// Requests slower than this are checked against the collections that ran meanwhile.
const SLOW: Duration = Duration::from_millis(20);

/// What a phase measured: every latency (µs), the errors, the slow requests (start and
/// end) and the windows in which the server's GC ran (between two polls of `/stats`, with
/// the pause time they added, in ms).
#[derive(Default)]
struct Sample {
    latencies_us: Vec<u32>,
    errors: usize,
    elapsed: Duration,
    slow: Vec<(Instant, Instant)>,
    gc_windows: Vec<(Instant, Instant, f64, f64)>,
}

impl Sample {
    fn merge(&mut self, other: Sample) {
        self.latencies_us.extend(other.latencies_us);
        self.errors += other.errors;
        self.elapsed += other.elapsed;
        self.slow.extend(other.slow);
        self.gc_windows.extend(other.gc_windows);
    }

    /// Collections, their pause time (ms), slow requests and how many of them overlap a
    /// window in which a collection ran.
    fn gc_attribution(&self) -> (f64, f64, usize, usize) {
        // `+ 0.0`: the sum of nothing is -0.0.
        let collections = self.gc_windows.iter().map(|w| w.2).sum::<f64>() + 0.0;
        let pause = self.gc_windows.iter().map(|w| w.3).sum::<f64>() + 0.0;
        let overlapping = self
            .slow
            .iter()
            .filter(|(s, e)| self.gc_windows.iter().any(|(a, b, _, _)| s < b && a < e))
            .count();
        (collections, pause, self.slow.len(), overlapping)
    }
}

/// Polls `/stats` every 20 ms until `stop`: the windows in which collections ran.
fn poll_gc(addr: SocketAddr, stop: Arc<AtomicBool>) -> Vec<(Instant, Instant, f64, f64)> {
    let mut windows = Vec::new();
    let Ok(mut conn) = connect(addr) else {
        return windows;
    };
    let read = |conn: &mut BufReader<TcpStream>| {
        exchange(conn, "GET", "/stats", "").ok().map(|(_, body)| {
            (
                json_number(&body, "collections"),
                json_number(&body, "total_pause_ms"),
            )
        })
    };
    let Some(mut last) = read(&mut conn) else {
        return windows;
    };
    let mut last_at = Instant::now();
    while !stop.load(Ordering::Relaxed) {
        std::thread::sleep(Duration::from_millis(20));
        let Some(now) = read(&mut conn) else { break };
        let at = Instant::now();
        if now.0 > last.0 {
            windows.push((last_at, at, now.0 - last.0, now.1 - last.1));
        }
        (last, last_at) = (now, at);
    }
    windows
}

/// `connections` clients send `path` requests back to back for `duration`.
fn drive(
    addr: SocketAddr,
    path: &str,
    body: fn(usize) -> String,
    connections: usize,
    duration: Duration,
) -> Sample {
    let stop = Arc::new(AtomicBool::new(false));
    let started = Instant::now();
    let poller = {
        let stop = stop.clone();
        std::thread::spawn(move || poll_gc(addr, stop))
    };
    let clients: Vec<_> = (0..connections)
        .map(|c| {
            let (stop, path) = (stop.clone(), path.to_string());
            std::thread::spawn(move || {
                let mut sample = Sample::default();
                let mut conn = None;
                let mut k = c * 7919;
                while !stop.load(Ordering::Relaxed) {
                    k += 1;
                    let request_body = body(k);
                    let t = Instant::now();
                    let stream = match conn.as_mut() {
                        Some(s) => s,
                        None => match connect(addr) {
                            Ok(s) => conn.insert(s),
                            Err(_) => {
                                sample.errors += 1;
                                std::thread::sleep(Duration::from_millis(10));
                                continue;
                            }
                        },
                    };
                    match exchange(stream, "POST", &path, &request_body) {
                        Ok((200, _)) => {
                            let took = t.elapsed();
                            if took >= SLOW {
                                sample.slow.push((t, t + took));
                            }
                            let us = took.as_micros().min(u32::MAX as u128) as u32;
                            sample.latencies_us.push(us);
                        }
                        Ok(_) => sample.errors += 1,
                        Err(_) => {
                            sample.errors += 1;
                            conn = None;
                        }
                    }
                }
                sample
            })
        })
        .collect();
    std::thread::sleep(duration);
    stop.store(true, Ordering::Relaxed);
    let mut total = Sample::default();
    for c in clients {
        if let Ok(s) = c.join() {
            total.latencies_us.extend(s.latencies_us);
            total.errors += s.errors;
            total.slow.extend(s.slow);
        }
    }
    total.elapsed = started.elapsed();
    total.gc_windows = poller.join().unwrap_or_default();
    total
}

/// Summary numbers of a route.
struct Stats {
    /// Collections during its phases, their pauses (ms), slow requests (≥ `SLOW`), and
    /// how many of those overlapped a window in which a collection ran.
    gc: (f64, f64, usize, usize),
    requests: usize,
    rps: f64,
    p50_ms: f64,
    p99_ms: f64,
    max_ms: f64,
    errors: usize,
}

fn stats(mut s: Sample) -> Stats {
    let gc = s.gc_attribution();
    s.latencies_us.sort_unstable();
    let n = s.latencies_us.len();
    let at = |q: f64| {
        if n == 0 {
            0.0
        } else {
            s.latencies_us[((n - 1) as f64 * q).round() as usize] as f64 / 1e3
        }
    };
    Stats {
        gc,
        requests: n,
        rps: n as f64 / s.elapsed.as_secs_f64().max(1e-9),
        p50_ms: at(0.5),
        p99_ms: at(0.99),
        max_ms: at(1.0),
        errors: s.errors,
    }
}

/// The server's `/stats` body.
fn server_stats(addr: SocketAddr) -> String {
    connect(addr)
        .and_then(|mut c| exchange(&mut c, "GET", "/stats", ""))
        .map(|(_, body)| body)
        .unwrap_or_default()
}

/// A number field of a flat JSON text, found by name.
fn json_number(text: &str, name: &str) -> f64 {
    let key = format!("\"{name}\":");
    text.find(&key)
        .map(|i| &text[i + key.len()..])
        .and_then(|rest| {
            let end = rest.find([',', '}']).unwrap_or(rest.len());
            rest[..end].trim().parse().ok()
        })
        .unwrap_or(f64::NAN)
}

fn loadavg() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_default()
}

pub(crate) fn cmd(args: &[String]) -> Result<std::process::ExitCode> {
    let config = parse(args)?;
    let julia = julia::ensure(true)?;
    let build: Vec<String> = [
        "cargo",
        "build",
        "--release",
        "-p",
        "jlrs",
        "--all-features",
        "--example",
        "http_service",
    ]
    .map(String::from)
    .to_vec();
    let status = exec::run_with_julia(&julia, &build)?;
    if !status.success() {
        bail!("building the http_service example failed ({status})");
    }
    let load_before = loadavg();
    let server = Server::start(&julia)?;
    let result = run(&server, &config);
    let stopped = server.stop();
    let report = result?;
    stopped?;
    let load_after = loadavg();
    let cpus = std::thread::available_parallelism().map_or(0, |n| n.get());
    let text = report.markdown(&config, cpus, &load_before, &load_after);
    println!("{text}");
    let dir = crate::workspace_root().join("docs/bench");
    std::fs::create_dir_all(&dir)?;
    std::fs::write(dir.join("loadtest.md"), &text)?;
    std::fs::write(
        dir.join("loadtest.json"),
        report.json(&config, cpus, &load_before, &load_after),
    )?;
    std::fs::write(dir.join("loadtest.svg"), report.svg())?;
    println!("wrote docs/bench/loadtest.md, loadtest.json, loadtest.svg");
    if !report.meets_targets() {
        // A measurement, not a test: a busy machine misses targets a quiet one meets.
        println!("some targets were missed (see the table)");
    }
    Ok(std::process::ExitCode::SUCCESS)
}

/// Everything a run measured.
struct Report {
    routes: Vec<(&'static str, Stats, Stats)>,
    rss_warm_kib: u64,
    rss_start_kib: u64,
    rss_end_kib: u64,
    gc_before: String,
    gc_after: String,
}

fn run(server: &Server, c: &Config) -> Result<Report> {
    let rss_start_kib = server.rss_kib();
    // Warm-up: every route, so that Julia compiles what it serves before the clock runs.
    for e in ENDPOINTS {
        for lang in ["julia", "rust"] {
            let s = drive(
                server.addr,
                &format!("/{lang}/{}", e.name),
                e.body,
                c.connections,
                Duration::from_secs(2),
            );
            if s.latencies_us.is_empty() {
                bail!(
                    "/{lang}/{} answered no request during warm-up ({} errors)",
                    e.name,
                    s.errors
                );
            }
        }
    }
    let rss_warm_kib = server.rss_kib();
    let gc_before = server_stats(server.addr);
    let phase = Duration::from_millis(c.seconds * 1000 / c.rounds);
    let mut routes = Vec::new();
    for e in ENDPOINTS {
        let (mut jl, mut rs) = (Sample::default(), Sample::default());
        for _ in 0..c.rounds {
            jl.merge(drive(
                server.addr,
                &format!("/julia/{}", e.name),
                e.body,
                c.connections,
                phase,
            ));
            rs.merge(drive(
                server.addr,
                &format!("/rust/{}", e.name),
                e.body,
                c.connections,
                phase,
            ));
        }
        routes.push((e.name, stats(jl), stats(rs)));
    }
    Ok(Report {
        routes,
        rss_warm_kib,
        rss_start_kib,
        rss_end_kib: server.rss_kib(),
        gc_before,
        gc_after: server_stats(server.addr),
    })
}

impl Report {
    fn ratios(j: &Stats, r: &Stats) -> (f64, f64, f64) {
        (j.rps / r.rps, j.p99_ms / r.p99_ms, j.max_ms / r.max_ms)
    }

    fn meets_targets(&self) -> bool {
        let rss_ok = (self.rss_end_kib as f64) <= 1.5 * self.rss_warm_kib as f64;
        rss_ok
            && self.routes.iter().all(|(_, j, r)| {
                let (rps, p99, max) = Self::ratios(j, r);
                rps >= 0.6 && p99 <= 2.0 && max <= 5.0 && j.errors == 0 && r.errors == 0
            })
    }

    fn gc_line(&self) -> String {
        let d = |name: &str| json_number(&self.gc_after, name) - json_number(&self.gc_before, name);
        format!(
            "during the measured phases: {} collections ({} full), {:.1} ms collecting, {:.1} ms of pauses; longest pause since start {:.1} ms",
            d("collections"),
            d("full_collections"),
            d("gc_time_ms"),
            d("total_pause_ms"),
            json_number(&self.gc_after, "longest_pause_ms"),
        )
    }

    fn markdown(&self, c: &Config, cpus: usize, load_before: &str, load_after: &str) -> String {
        let mut t = format!(
            "# Load test: `http_service`, Julia routes against their Rust twins\n\n\
             `cargo xtask loadtest --connections {} --seconds {} --rounds {}`: {} keep-alive \
             connections on loopback, {} s per route in {} alternating phases, after a 2 s \
             warm-up of every route. Machine: {cpus} CPUs, load average {load_before} before, \
             {load_after} after.\n\n\
             | endpoint | route | requests | req/s | p50 ms | p99 ms | max ms | errors | GCs | GC pause ms | slow (≥ 20 ms) | slow during a GC |\n\
             |---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n",
            c.connections, c.seconds, c.rounds, c.connections, c.seconds, c.rounds
        );
        for (name, j, r) in &self.routes {
            for (lang, s) in [("julia", j), ("rust", r)] {
                let (gcs, pause, slow, during) = s.gc;
                t += &format!(
                    "| {name} | {lang} | {} | {:.0} | {:.2} | {:.2} | {:.1} | {} | {gcs} | {pause:.1} | {slow} | {during} |\n",
                    s.requests, s.rps, s.p50_ms, s.p99_ms, s.max_ms, s.errors
                );
            }
        }
        t += "\n| endpoint | Julia/Rust req/s (≥ 0.6) | p99 (≤ 2) | max (≤ 5) |\n|---|---:|---:|---:|\n";
        for (name, j, r) in &self.routes {
            let (rps, p99, max) = Self::ratios(j, r);
            t += &format!("| {name} | {rps:.2} | {p99:.2} | {max:.2} |\n");
        }
        t += &format!(
            "\nServer RSS: {} MiB at start, {} MiB after warm-up, {} MiB at the end ({:.2}× after warm-up; ≤ 1.5).\n\nGC: {}.\n\nAll targets met: {}.\n",
            self.rss_start_kib / 1024,
            self.rss_warm_kib / 1024,
            self.rss_end_kib / 1024,
            self.rss_end_kib as f64 / self.rss_warm_kib.max(1) as f64,
            self.gc_line(),
            if self.meets_targets() { "yes" } else { "no" },
        );
        t
    }

    fn json(&self, c: &Config, cpus: usize, load_before: &str, load_after: &str) -> String {
        let routes: Vec<String> = self
            .routes
            .iter()
            .flat_map(|(name, j, r)| {
                [("julia", j), ("rust", r)].map(|(lang, s)| {
                    let (gcs, pause, slow, during) = s.gc;
                    format!(
                        "    {{\"endpoint\": \"{name}\", \"route\": \"{lang}\", \"requests\": {}, \"rps\": {:.1}, \"p50_ms\": {:.3}, \"p99_ms\": {:.3}, \"max_ms\": {:.3}, \"errors\": {}, \"collections\": {gcs}, \"gc_pause_ms\": {pause:.1}, \"slow\": {slow}, \"slow_during_gc\": {during}}}",
                        s.requests, s.rps, s.p50_ms, s.p99_ms, s.max_ms, s.errors
                    )
                })
            })
            .collect();
        format!(
            "{{\n  \"connections\": {}, \"seconds\": {}, \"rounds\": {}, \"cpus\": {cpus},\n  \"loadavg_before\": \"{load_before}\", \"loadavg_after\": \"{load_after}\",\n  \"rss_kib\": {{\"start\": {}, \"after_warmup\": {}, \"end\": {}}},\n  \"routes\": [\n{}\n  ],\n  \"stats_before\": {},\n  \"stats_after\": {},\n  \"targets_met\": {}\n}}\n",
            c.connections, c.seconds, c.rounds, self.rss_start_kib, self.rss_warm_kib, self.rss_end_kib,
            routes.join(",\n"),
            if self.gc_before.is_empty() { "null" } else { &self.gc_before },
            if self.gc_after.is_empty() { "null" } else { &self.gc_after },
            self.meets_targets()
        )
    }

    /// Grouped bars, log scale: p50, p99 and max of each route, Julia beside Rust.
    fn svg(&self) -> String {
        let (w, h, left, top, bottom) = (760.0, 360.0, 60.0, 40.0, 300.0);
        let lo = 0.01f64.log10();
        let hi = self
            .routes
            .iter()
            .flat_map(|(_, j, r)| [j.max_ms, r.max_ms])
            .fold(1.0f64, f64::max)
            .log10()
            .ceil();
        let y = |ms: f64| bottom - (ms.max(0.01).log10() - lo) / (hi - lo) * (bottom - top);
        let mut s = format!(
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{w}\" height=\"{h}\" font-family=\"sans-serif\" font-size=\"11\">\n\
             <text x=\"{left}\" y=\"20\" font-size=\"13\">http_service latency per route (ms, log scale): p50, p99, max; Julia (blue) and Rust (orange)</text>\n"
        );
        let mut decade = lo;
        while decade <= hi {
            let yy = y(10f64.powf(decade));
            s += &format!(
                "<line x1=\"{left}\" x2=\"{}\" y1=\"{yy:.1}\" y2=\"{yy:.1}\" stroke=\"#ddd\"/><text x=\"{}\" y=\"{:.1}\" text-anchor=\"end\">{}</text>\n",
                w - 10.0,
                left - 4.0,
                yy + 4.0,
                10f64.powf(decade)
            );
            decade += 1.0;
        }
        let group = (w - left - 20.0) / self.routes.len() as f64;
        for (g, (name, j, r)) in self.routes.iter().enumerate() {
            let x0 = left + g as f64 * group + 10.0;
            for (m, (label, jv, rv)) in [
                ("p50", j.p50_ms, r.p50_ms),
                ("p99", j.p99_ms, r.p99_ms),
                ("max", j.max_ms, r.max_ms),
            ]
            .into_iter()
            .enumerate()
            {
                let bx = x0 + m as f64 * (group - 20.0) / 3.0;
                let bw = (group - 20.0) / 3.0 / 2.0 - 4.0;
                for (k, (v, color)) in [(jv, "#4477aa"), (rv, "#ee8833")].into_iter().enumerate() {
                    let x = bx + k as f64 * (bw + 2.0);
                    let yy = y(v);
                    s += &format!(
                        "<rect x=\"{x:.1}\" y=\"{yy:.1}\" width=\"{bw:.1}\" height=\"{:.1}\" fill=\"{color}\"><title>{name} {label} {}: {v:.3} ms</title></rect>\n",
                        bottom - yy,
                        if k == 0 { "julia" } else { "rust" }
                    );
                }
                s += &format!(
                    "<text x=\"{:.1}\" y=\"{}\" text-anchor=\"middle\">{label}</text>\n",
                    bx + bw + 1.0,
                    bottom + 14.0
                );
            }
            s += &format!(
                "<text x=\"{:.1}\" y=\"{}\" text-anchor=\"middle\" font-size=\"12\">{name}</text>\n",
                x0 + (group - 20.0) / 2.0,
                bottom + 32.0
            );
        }
        s += "</svg>\n";
        s
    }
}
