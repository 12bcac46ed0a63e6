//! The summary files: `summary.json`, `summary.md` and `latency.svg`.

use std::{fmt::Write as _, path::PathBuf, time::Duration};

pub(crate) struct Path {
    pub(crate) name: &'static str,
    /// Percentiles 1, 25, 50, 75, 99, in microseconds.
    pub(crate) pct: [f64; 5],
}

impl Path {
    /// Percentiles of sorted samples.
    pub(crate) fn new(name: &'static str, sorted: &[Duration]) -> Self {
        let at = |p: f64| {
            let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
            sorted[i].as_secs_f64() * 1e6
        };
        Path {
            name,
            pct: [at(0.01), at(0.25), at(0.50), at(0.75), at(0.99)],
        }
    }

    fn p50(&self) -> f64 {
        self.pct[2]
    }

    fn p99(&self) -> f64 {
        self.pct[4]
    }
}

pub(crate) struct Summary {
    pub(crate) quick: bool,
    pub(crate) cores: usize,
    pub(crate) julia_threads: usize,
    pub(crate) samples: usize,
    pub(crate) paths: Vec<Path>,
    /// Workers, tasks per second, whether overcommitted.
    pub(crate) throughputs: Vec<(usize, f64, bool)>,
    pub(crate) throughput_tasks: usize,
    pub(crate) memory_tasks: usize,
    pub(crate) rss_before_kib: u64,
    pub(crate) rss_after_kib: u64,
    /// Idle pool workers, and the CPU (% of one core) the idle runtime used.
    pub(crate) idle: (usize, f64),
    /// The array paths.
    pub(crate) arrays: Vec<crate::arrays::Row>,
    /// The standalone Julia peer's threads, the share (%) of its spawned tasks that ran on
    /// another thread than the fetching one, and their p50 (µs), if it ran.
    pub(crate) standalone: Option<(usize, f64, Option<f64>)>,
}

/// The row every path is compared with.
pub(crate) const HARDWARE: &str = "hardware_round_trip";

/// What a row measures, where its name alone could mislead.
fn note(name: &str) -> &'static str {
    match name {
        "hardware_round_trip" => "two threads, one atomic, both spinning: the limit",
        "floor" => "the same hand-off as a pool round trip, in pure Rust",
        "direct_call" => "a call on a Julia thread, no hand-off",
        "julia_spawn_fetch" => {
            "in the embedding, on a `with` thread: mostly a task switch on the same thread"
        }
        "julia_standalone_spawn_fetch" => {
            "standalone `julia -t CORES`: `fetch(Threads.@spawn f(i))`"
        }
        "julia_standalone_channel" => "standalone `julia -t CORES`: `Channel` ping-pong, 2 threads",
        "pool_oversubscribed" => "pool of 3, 4 client threads at once",
        "runtime_oversubscribed" => "runtime thread, 4 client threads at once, pool of 3 up",
        _ => "",
    }
}

impl Summary {
    /// Each path's p50 over the hardware round trip's p50, if that row is present.
    pub(crate) fn ratios(&self) -> Vec<(&'static str, f64)> {
        let Some(hw) = self.paths.iter().find(|p| p.name == HARDWARE) else {
            return Vec::new();
        };
        self.paths
            .iter()
            .map(|p| (p.name, p.p50() / hw.p50()))
            .collect()
    }
}

pub(crate) fn out_dir() -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target"));
    target.join("jlrs-bench")
}

pub(crate) fn write(s: &Summary, dir: &std::path::Path) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    std::fs::write(dir.join("summary.json"), json(s))?;
    std::fs::write(dir.join("summary.md"), markdown(s))?;
    std::fs::write(dir.join("latency.svg"), svg(s))?;
    Ok(())
}

fn json(s: &Summary) -> String {
    let mut out = String::from("{\n");
    let _ = writeln!(out, "  \"quick\": {},", s.quick);
    let _ = writeln!(out, "  \"cores\": {},", s.cores);
    let _ = writeln!(out, "  \"julia_threads\": {},", s.julia_threads);
    let _ = writeln!(out, "  \"samples_per_path\": {},", s.samples);
    out.push_str("  \"paths\": {\n");
    for (i, p) in s.paths.iter().enumerate() {
        let comma = if i + 1 < s.paths.len() { "," } else { "" };
        let _ = writeln!(
            out,
            "    \"{}\": {{ \"p50_us\": {:.3}, \"p99_us\": {:.3} }}{comma}",
            p.name,
            p.p50(),
            p.p99()
        );
    }
    out.push_str("  },\n  \"ratios\": {\n");
    let ratios = s.ratios();
    for (i, (name, r)) in ratios.iter().enumerate() {
        let comma = if i + 1 < ratios.len() { "," } else { "" };
        let _ = writeln!(out, "    \"{name}\": {r:.2}{comma}");
    }
    out.push_str("  },\n  \"throughput\": [\n");
    for (i, (w, rate, over)) in s.throughputs.iter().enumerate() {
        let comma = if i + 1 < s.throughputs.len() { "," } else { "" };
        let _ = writeln!(
            out,
            "    {{ \"workers\": {w}, \"tasks_per_s\": {rate:.0}, \"overcommitted\": {over} }}{comma}"
        );
    }
    let _ = writeln!(out, "  ],\n  \"throughput_tasks\": {},", s.throughput_tasks);
    let _ = writeln!(
        out,
        "  \"memory\": {{ \"tasks\": {}, \"rss_before_kib\": {}, \"rss_after_kib\": {} }},",
        s.memory_tasks, s.rss_before_kib, s.rss_after_kib
    );
    let _ = writeln!(
        out,
        "  \"idle\": {{ \"pool_workers\": {}, \"cpu_percent_of_one_core\": {:.2} }},",
        s.idle.0, s.idle.1
    );
    let _ = writeln!(out, "  \"idle_cpu_percent\": {:.2},", s.idle.1);
    if let Some((t, elsewhere, p50)) = s.standalone {
        let p50 = p50.map_or("null".to_string(), |p| format!("{p:.3}"));
        let _ = writeln!(
            out,
            "  \"julia_standalone\": {{ \"threads\": {t}, \"spawn_ran_on_other_thread_percent\": {elsewhere:.2}, \"spawn_on_other_thread_p50_us\": {p50} }},"
        );
    }
    out.push_str("  \"arrays\": {\n");
    for (i, r) in s.arrays.iter().enumerate() {
        let comma = if i + 1 < s.arrays.len() { "," } else { "" };
        let _ = writeln!(
            out,
            "    \"{}\": {{ \"p50_us\": {:.3}, \"note\": \"{}\" }}{comma}",
            r.name, r.p50_us, r.note
        );
    }
    out.push_str("  }\n}\n");
    out
}

pub(crate) fn markdown(s: &Summary) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "Machine: {} cores, Julia with {} threads{}; {} round trips per path.\n",
        s.cores,
        s.julia_threads,
        if s.quick { " (quick run)" } else { "" },
        s.samples
    );
    if let Some((t, elsewhere, p50)) = s.standalone {
        let p50 = p50.map_or(String::new(), |p| format!(" (p50 of those: {p:.2} µs)"));
        let _ = writeln!(
            out,
            "Standalone Julia rows: a separate `julia -t {t}` process, timed inside it; \
             {elsewhere:.2} % of its spawned tasks ran on another thread than the one that \
             fetched{p50}.\n"
        );
    }
    out.push_str(
        "| path | p50 (µs) | p99 (µs) | p50 × hardware | what |\n|---|---:|---:|---:|---|\n",
    );
    let ratios = s.ratios();
    for p in &s.paths {
        let ratio = ratios
            .iter()
            .find(|(n, _)| *n == p.name)
            .map_or(String::from("–"), |(_, r)| format!("{r:.1}×"));
        let _ = writeln!(
            out,
            "| {} | {:.2} | {:.2} | {ratio} | {} |",
            p.name,
            p.p50(),
            p.p99(),
            note(p.name)
        );
    }
    let _ = writeln!(
        out,
        "\n| pool workers | tasks/s ({} tasks from 4 threads) |\n|---:|---:|",
        s.throughput_tasks
    );
    for (w, rate, over) in &s.throughputs {
        let mark = if *over { " (overcommitted)" } else { "" };
        let _ = writeln!(out, "| {w}{mark} | {rate:.0} |");
    }
    let _ = writeln!(
        out,
        "\nRSS: {} KiB before and {} KiB after {} pool tasks ({:+} KiB).",
        s.rss_before_kib,
        s.rss_after_kib,
        s.memory_tasks,
        s.rss_after_kib as i64 - s.rss_before_kib as i64
    );
    let _ = writeln!(
        out,
        "\nIdle: the runtime with a pool of {} idle workers used {:.2} % of one core.",
        s.idle.0, s.idle.1
    );
    out.push_str("\n| array path | p50 (µs) | |\n|---|---:|---|\n");
    for r in &s.arrays {
        let _ = writeln!(out, "| {} | {:.2} | {} |", r.name, r.p50_us, r.note);
    }
    out
}

/// Box plots (1st–99th percentile whiskers, quartile box, median) on a log scale.
fn svg(s: &Summary) -> String {
    let (left, width, row) = (220.0, 620.0, 40.0);
    let height = 70.0 + row * s.paths.len() as f64;
    let (lo, hi) = (0.01f64.log10(), 10_000f64.log10());
    let x = |us: f64| left + (us.clamp(0.01, 10_000.0).log10() - lo) / (hi - lo) * width;
    let ratios = s.ratios();
    let mut out = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{}\" height=\"{height}\" \
         font-family=\"sans-serif\" font-size=\"12\">\n<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n",
        left + width + 70.0
    );
    let _ = writeln!(
        out,
        "<text x=\"{left}\" y=\"20\" font-size=\"14\">Round-trip latency (µs, log scale): whiskers p1–p99, box p25–p75, line p50; right: p50 × hardware</text>"
    );
    for tick in [0.01, 0.1, 1.0, 10.0, 100.0, 1000.0, 10_000.0] {
        let tx = x(tick);
        let _ = writeln!(
            out,
            "<line x1=\"{tx:.1}\" y1=\"35\" x2=\"{tx:.1}\" y2=\"{:.1}\" stroke=\"#ddd\"/>\
             <text x=\"{tx:.1}\" y=\"{:.1}\" text-anchor=\"middle\">{tick}</text>",
            height - 25.0,
            height - 10.0
        );
    }
    for (i, p) in s.paths.iter().enumerate() {
        let y = 45.0 + row * i as f64;
        let mid = y + 12.0;
        let [p1, p25, p50, p75, p99] = p.pct;
        let ratio = ratios
            .iter()
            .find(|(n, _)| *n == p.name)
            .map_or(String::new(), |(_, r)| format!("{r:.1}×"));
        let _ = writeln!(
            out,
            "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\">{}</text>\
             <text x=\"{:.1}\" y=\"{:.1}\" font-size=\"10\" fill=\"#666\">{}</text>\
             <line x1=\"{:.1}\" y1=\"{mid:.1}\" x2=\"{:.1}\" y2=\"{mid:.1}\" stroke=\"#555\"/>\
             <rect x=\"{:.1}\" y=\"{:.1}\" width=\"{:.1}\" height=\"14\" fill=\"#7aa6d6\" stroke=\"#345\"/>\
             <line x1=\"{:.1}\" y1=\"{:.1}\" x2=\"{:.1}\" y2=\"{:.1}\" stroke=\"#c00\" stroke-width=\"2\"/>\
             <text x=\"{:.1}\" y=\"{:.1}\">{ratio}</text>",
            left - 10.0,
            mid + 4.0,
            p.name,
            left + 4.0,
            mid + 20.0,
            xml_escape(note(p.name)),
            x(p1),
            x(p99),
            x(p25),
            mid - 7.0,
            (x(p75) - x(p25)).max(1.0),
            x(p50),
            mid - 9.0,
            x(p50),
            mid + 9.0,
            left + width + 10.0,
            mid + 4.0,
        );
    }
    out.push_str("</svg>\n");
    out
}

fn xml_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('`', "")
}
