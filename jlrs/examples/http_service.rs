//! Julia numerics behind an HTTP API (axum), served by a pool, beside the same endpoints
//! in pure Rust.
//!
//! | route | Julia (`/julia/...`) | Rust (`/rust/...`) |
//! |-------|----------------------|--------------------|
//! | `POST /{lang}/summary` `{"values": [..]}` | `Service.summary(v)` | `summary` |
//! | `POST /{lang}/solve` `{"a": [[..], ..], "b": [..]}` | `A \ b` and `cond(A, 1)` | LU with partial pivoting |
//! | `POST /{lang}/montecarlo` `{"samples": n, "seed": s, ..}` | `Service.montecarlo(; kwargs...)` | the same estimate |
//! | `GET /stats` | the pool's counters and Julia's GC statistics | |
//!
//! Arrays come in as JSON (a matrix as a list of rows: `Vec<Vec<f64>>` converts to a
//! `Matrix{Float64}`), results go out as Rust structs unboxed from Julia's named tuples
//! (`#[derive(Unbox)]` over `Vec` and `String` fields) and serialised with serde. Each
//! handler is one step: `pool.run_fallible(..).await`, with the service's own error type;
//! Julia's exceptions come back as 4xx (bad input: `ArgumentError`, `DomainError`,
//! `DimensionMismatch`, `SingularException`, an unsupported keyword) or 5xx, with Julia's
//! message. The Julia code is loaded as `service.jl`, so its errors name that file and
//! line.
//!
//! `cargo run --example http_service --features async-rt,derive -- serve [ADDR]` serves
//! until SIGINT, then finishes the requests in flight and shuts Julia down (SIGINT is the
//! application's, `SigintPolicy::Application`; a SIGTERM that Julia 1.5's signal listener
//! takes ends the process at once, so a supervisor should send SIGINT). Without arguments
//! it drives itself: it serves on a free loopback port, sends every route good and bad
//! requests (and a burst of concurrent ones), checks the answers, then sends itself SIGINT
//! and shuts down gracefully. `cargo xtask loadtest` measures it.

use std::{net::SocketAddr, time::Instant};

use axum::{
    extract::State,
    http::StatusCode,
    response::{IntoResponse, Response},
    routing::{get, post},
    Json, Router,
};
use jlrs::{base::gc_stats::gc_stats, prelude::*};
use serde::{Deserialize, Serialize};
use serde_json::json;

/// The Julia half of the service, loaded once per pool as the file `service.jl`.
const SERVICE_JL: &str = r#"
module Service
using LinearAlgebra, Random, Statistics

# `v` is the request's own copy (boxed from Rust), so it is sorted in place: the only
# allocation of a request is that copy and the result.
function summary(v::Vector{Float64})
    isempty(v) && throw(ArgumentError("the vector is empty"))
    n = length(v)
    m = mean(v)
    sd = n > 1 ? std(v; mean = m) : 0.0
    s = sort!(v)
    med = isodd(n) ? s[(n + 1) ÷ 2] : (s[n ÷ 2] + s[n ÷ 2 + 1]) / 2
    (n = n, mean = m, std = sd, min = s[1], max = s[end], median = med)
end

# `A` and `b` are the request's own copies: one LU factorization, in place, serves both
# the solution and cond(A, 1) = ‖A‖₁ ‖A⁻¹‖₁ (a singular `A` throws `SingularException`).
function solve(A::Matrix{Float64}, b::Vector{Float64})
    size(A, 1) == size(A, 2) ||
        throw(DimensionMismatch("A is $(size(A, 1))×$(size(A, 2)); it must be square"))
    a1 = opnorm(A, 1)
    F = lu!(A)
    (x = ldiv!(F, b), cond = a1 * opnorm(inv(F), 1))
end

# One generator per Julia thread, reseeded per request: a new MersenneTwister would be
# about 20 KB of garbage per request, and garbage is what makes collections, which stop
# every Julia thread. (A request runs on one thread without yielding.)
const RNGS = [MersenneTwister(0) for _ in 1:Threads.nthreads()]

function montecarlo(; samples::Int = 10_000, seed::Int = 1)
    samples > 0 || throw(DomainError(samples, "samples must be positive"))
    rng = Random.seed!(RNGS[Threads.threadid()], seed)
    hits = 0
    for _ in 1:samples
        x, y = rand(rng), rand(rng)
        hits += x * x + y * y <= 1.0
    end
    p = hits / samples
    (estimate = 4p, samples = samples, stderr = 4sqrt(p * (1 - p) / samples),
     method = "Julia")
end

# Compiles what the routes call before the first request does.
function warmup()
    summary([1.0, 2.0])
    solve([2.0 0.0; 0.0 4.0], [1.0, 1.0])
    montecarlo(samples = 10, seed = 1)
    nothing
end
end
"#;

/// Loads `service.jl` on the pool.
struct ServiceCode;

impl Register for ServiceCode {
    fn register(frame: &mut GcFrame<'_>) -> JlResult<()> {
        frame.include_string(SERVICE_JL, "service.jl")?;
        frame.call("Service.warmup", &[])?;
        // The garbage of start-up and compilation goes now, in one full collection, not
        // in the first collections under load (measured: 100-400 ms each, all Julia
        // threads stopped; see `cargo xtask loadtest`).
        frame.eval("GC.gc(true)").map(|_| ())
    }
}

// ---- what goes in and out ----

#[derive(Deserialize)]
struct Values {
    values: Vec<f64>,
}

#[derive(Deserialize)]
struct System {
    a: Vec<Vec<f64>>,
    b: Vec<f64>,
}

/// Unboxed from Julia's named tuple, field by field.
#[derive(Debug, PartialEq, Serialize, Unbox)]
#[jlrs(crate = "jlrs::base")]
struct Summary {
    n: i64,
    mean: f64,
    std: f64,
    min: f64,
    max: f64,
    median: f64,
}

#[derive(Debug, Serialize, Unbox)]
#[jlrs(crate = "jlrs::base")]
struct Solution {
    x: Vec<f64>,
    cond: f64,
}

#[derive(Debug, Serialize, Unbox)]
#[jlrs(crate = "jlrs::base")]
struct Estimate {
    estimate: f64,
    samples: i64,
    stderr: f64,
    method: String,
}

// ---- errors ----

/// The service's own error: what the client did wrong, what Julia threw, what failed.
#[derive(Debug)]
enum ApiError {
    BadInput(String),
    Julia(JuliaError),
    Task(TaskError),
}

impl From<JuliaError> for ApiError {
    fn from(e: JuliaError) -> Self {
        ApiError::Julia(e)
    }
}

impl From<TaskError> for ApiError {
    fn from(e: TaskError) -> Self {
        ApiError::Task(e)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (status, kind, message) = match self {
            ApiError::BadInput(m) => (StatusCode::BAD_REQUEST, "BadInput".to_string(), m),
            ApiError::Julia(JuliaError::Exception(e)) => {
                let status = match e.type_name() {
                    "ArgumentError" | "MethodError" | "TypeError" => StatusCode::BAD_REQUEST,
                    "DomainError" | "DimensionMismatch" | "SingularException"
                    | "LAPACKException" => StatusCode::UNPROCESSABLE_ENTITY,
                    _ => StatusCode::INTERNAL_SERVER_ERROR,
                };
                (status, e.type_name().to_string(), e.message().to_string())
            }
            // A value Julia could not take or give in the shape asked for: the input.
            ApiError::Julia(e @ (JuliaError::Conversion { .. } | JuliaError::WrongType { .. })) => {
                (StatusCode::BAD_REQUEST, "Conversion".into(), e.to_string())
            }
            ApiError::Julia(e) => (
                StatusCode::INTERNAL_SERVER_ERROR,
                "Julia".into(),
                e.to_string(),
            ),
            ApiError::Task(e @ TaskError::Closed) => (
                StatusCode::SERVICE_UNAVAILABLE,
                "Closed".into(),
                e.to_string(),
            ),
            ApiError::Task(e) => (
                StatusCode::INTERNAL_SERVER_ERROR,
                "Task".into(),
                e.to_string(),
            ),
        };
        (status, Json(json!({ "error": kind, "message": message }))).into_response()
    }
}

type Reply<T> = Result<Json<T>, ApiError>;

// ---- Julia routes: one step each ----

async fn julia_summary(
    State(pool): State<AsyncHandle>,
    Json(body): Json<Values>,
) -> Reply<Summary> {
    let summary = pool
        .run_fallible(async move |mut frame| -> Result<_, ApiError> {
            if body.values.iter().any(|x| !x.is_finite()) {
                return Err(ApiError::BadInput("the values must be finite".into()));
            }
            let v = frame.box_value(body.values)?;
            Ok(frame.call("Service.summary", &[v])?.unbox::<Summary>()?)
        })
        .await
        .map_err(RunError::into_error)?;
    Ok(Json(summary))
}

async fn julia_solve(State(pool): State<AsyncHandle>, Json(body): Json<System>) -> Reply<Solution> {
    let solution = pool
        .run_fallible(async move |mut frame| -> Result<_, ApiError> {
            let a = frame.box_value(body.a)?; // rows in, Matrix{Float64}
            let b = frame.box_value(body.b)?;
            Ok(frame.call("Service.solve", &[a, b])?.unbox::<Solution>()?)
        })
        .await
        .map_err(RunError::into_error)?;
    Ok(Json(solution))
}

async fn julia_montecarlo(
    State(pool): State<AsyncHandle>,
    Json(body): Json<serde_json::Map<String, serde_json::Value>>,
) -> Reply<Estimate> {
    let estimate = pool
        .run_fallible(async move |mut frame| -> Result<_, ApiError> {
            // Every field is a keyword argument: Julia judges the names and types.
            let mut kwargs = Vec::with_capacity(body.len());
            for (name, value) in &body {
                let boxed = match (value.as_i64(), value.as_f64()) {
                    (Some(i), _) => frame.box_value(i),
                    (None, Some(f)) => frame.box_value(f),
                    _ => return Err(ApiError::BadInput(format!("`{name}` must be a number"))),
                };
                kwargs.push((name.as_str(), boxed));
            }
            Ok(frame
                .call_kw("Service.montecarlo", &[], &kwargs)?
                .unbox::<Estimate>()?)
        })
        .await
        .map_err(RunError::into_error)?;
    Ok(Json(estimate))
}

// ---- the same in Rust ----

async fn rust_summary(Json(body): Json<Values>) -> Reply<Summary> {
    let v = body.values;
    if v.iter().any(|x| !x.is_finite()) {
        return Err(ApiError::BadInput("the values must be finite".into()));
    }
    if v.is_empty() {
        return Err(ApiError::BadInput("the vector is empty".into()));
    }
    let mut s = v.clone();
    s.sort_by(f64::total_cmp);
    let n = v.len();
    let mean = v.iter().sum::<f64>() / n as f64;
    let std = if n > 1 {
        (v.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1) as f64).sqrt()
    } else {
        0.0
    };
    let median = if n % 2 == 1 {
        s[n / 2]
    } else {
        (s[n / 2 - 1] + s[n / 2]) / 2.0
    };
    Ok(Json(Summary {
        n: n as i64,
        mean,
        std,
        min: s[0],
        max: s[n - 1],
        median,
    }))
}

// Textbook index loops: they read as the algorithm does.
#[allow(clippy::needless_range_loop)]
/// LU factors with partial pivoting of a square matrix (row-major), or the singular step.
fn lu(a: &[Vec<f64>]) -> Result<(Vec<Vec<f64>>, Vec<usize>), ApiError> {
    let n = a.len();
    if a.iter().any(|r| r.len() != n) {
        return Err(ApiError::BadInput(format!(
            "A has {n} rows; it must be square"
        )));
    }
    let mut lu = a.to_vec();
    let mut perm: Vec<usize> = (0..n).collect();
    for k in 0..n {
        let p = (k..n)
            .max_by(|&i, &j| lu[i][k].abs().total_cmp(&lu[j][k].abs()))
            .unwrap_or(k);
        if lu[p][k] == 0.0 {
            return Err(ApiError::BadInput(format!("SingularException({})", k + 1)));
        }
        lu.swap(k, p);
        perm.swap(k, p);
        for i in k + 1..n {
            let f = lu[i][k] / lu[k][k];
            lu[i][k] = f;
            for j in k + 1..n {
                lu[i][j] -= f * lu[k][j];
            }
        }
    }
    Ok((lu, perm))
}

#[allow(clippy::needless_range_loop)]
fn lu_solve(lu: &[Vec<f64>], perm: &[usize], b: &[f64]) -> Vec<f64> {
    let n = lu.len();
    let mut x: Vec<f64> = perm.iter().map(|&p| b[p]).collect();
    for i in 0..n {
        for j in 0..i {
            x[i] -= lu[i][j] * x[j];
        }
    }
    for i in (0..n).rev() {
        for j in i + 1..n {
            x[i] -= lu[i][j] * x[j];
        }
        x[i] /= lu[i][i];
    }
    x
}

async fn rust_solve(Json(body): Json<System>) -> Reply<Solution> {
    let n = body.a.len();
    if body.b.len() != n {
        return Err(ApiError::BadInput(format!(
            "b has {} elements, A {n} rows",
            body.b.len()
        )));
    }
    let (lu, perm) = lu(&body.a)?;
    let x = lu_solve(&lu, &perm, &body.b);
    // cond(A, 1) = ‖A‖₁ ‖A⁻¹‖₁, the inverse column by column.
    let norm1 = |col: &dyn Fn(usize) -> Vec<f64>| {
        (0..n)
            .map(|j| col(j).iter().map(|v| v.abs()).sum::<f64>())
            .fold(0.0, f64::max)
    };
    let a_norm = norm1(&|j| body.a.iter().map(|r| r[j]).collect());
    let inv_norm = norm1(&|j| {
        let e: Vec<f64> = (0..n).map(|i| if i == j { 1.0 } else { 0.0 }).collect();
        lu_solve(&lu, &perm, &e)
    });
    Ok(Json(Solution {
        x,
        cond: a_norm * inv_norm,
    }))
}

async fn rust_montecarlo(
    Json(body): Json<serde_json::Map<String, serde_json::Value>>,
) -> Reply<Estimate> {
    let mut samples = 10_000i64;
    let mut seed = 1i64;
    for (name, value) in &body {
        let v = value
            .as_i64()
            .ok_or_else(|| ApiError::BadInput(format!("`{name}` must be an integer")))?;
        match name.as_str() {
            "samples" => samples = v,
            "seed" => seed = v,
            _ => {
                return Err(ApiError::BadInput(format!(
                    "unsupported keyword argument `{name}`"
                )))
            }
        }
    }
    if samples <= 0 {
        return Err(ApiError::BadInput("samples must be positive".into()));
    }
    // xorshift64*, seeded.
    let mut state = (seed as u64) ^ 0x9E37_79B9_7F4A_7C15;
    let mut next = || {
        state ^= state >> 12;
        state ^= state << 25;
        state ^= state >> 27;
        (state.wrapping_mul(0x2545_F491_4F6C_DD1D) >> 11) as f64 / (1u64 << 53) as f64
    };
    let hits = (0..samples).filter(|_| {
        let (x, y) = (next(), next());
        x * x + y * y <= 1.0
    });
    let p = hits.count() as f64 / samples as f64;
    Ok(Json(Estimate {
        estimate: 4.0 * p,
        samples,
        stderr: 4.0 * (p * (1.0 - p) / samples as f64).sqrt(),
        method: "Rust".into(),
    }))
}

// ---- operations ----

async fn stats(State(pool): State<AsyncHandle>) -> Json<serde_json::Value> {
    let s = pool.stats();
    let gc = gc_stats();
    Json(json!({
        "pool": {
            "workers": s.workers, "queued": s.queued, "running": s.running,
            "completed": s.completed, "panicked": s.panicked, "cancelled": s.cancelled,
            "restarted": s.restarted,
        },
        "gc": {
            "collections": gc.collections, "full_collections": gc.full_collections,
            "gc_time_ms": gc.gc_time.as_secs_f64() * 1e3,
            "total_pause_ms": gc.total_pause.as_secs_f64() * 1e3,
            "longest_pause_ms": gc.longest_pause.as_secs_f64() * 1e3,
            "allocated_bytes": gc.allocated_bytes,
        },
    }))
}

fn app(pool: AsyncHandle) -> Router {
    Router::new()
        .route("/julia/summary", post(julia_summary))
        .route("/julia/solve", post(julia_solve))
        .route("/julia/montecarlo", post(julia_montecarlo))
        .route("/rust/summary", post(rust_summary))
        .route("/rust/solve", post(rust_solve))
        .route("/rust/montecarlo", post(rust_montecarlo))
        .route("/stats", get(stats))
        .with_state(pool)
}

/// Resolves at the first SIGINT, or at a SIGTERM that reaches this handler rather than
/// Julia's listener (which ends the process).
async fn shutdown_signal() {
    let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        .expect("cannot listen for SIGTERM");
    tokio::select! {
        _ = tokio::signal::ctrl_c() => eprintln!("SIGINT: finishing the requests in flight"),
        _ = term.recv() => eprintln!("SIGTERM: finishing the requests in flight"),
    }
}

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let serve = args.first().map(String::as_str) == Some("serve");
    let addr: SocketAddr = match args.get(1) {
        Some(a) if serve => a.parse()?,
        _ => "127.0.0.1:0".parse()?,
    };

    // Thread 1 runs Julia's event loop; the pool takes up to two more Julia threads.
    let workers = jlrs::base::cpu_limit().saturating_sub(1).clamp(1, 2);
    let (mt, runtime) = Builder::new()
        .n_threads(workers)
        .sigint(SigintPolicy::Application) // Ctrl-C is the server's: graceful shutdown
        .spawn_mt()?;
    // The pool's handle is an `AsyncHandle`: `Clone + Send + Sync`, axum's state as it is.
    let pool = mt
        .pool_builder(AsyncExecutor::<16>::new())
        .n_workers(workers.try_into()?)
        .channel_capacity(1024)
        .spawn();
    pool.register::<ServiceCode>()
        .dispatch_blocking()?
        .wait_blocking()?;

    let tokio = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    let result = tokio.block_on(async {
        let listener = tokio::net::TcpListener::bind(addr).await?;
        let local = listener.local_addr()?;
        println!("listening on {local} pid {}", std::process::id());
        let server =
            axum::serve(listener, app(pool.clone())).with_graceful_shutdown(shutdown_signal());
        let server = tokio::spawn(std::future::IntoFuture::into_future(server));
        if !serve {
            drive(local).await?;
            // SIGINT to this process, as a supervisor told `KillSignal=SIGINT` sends it.
            let pid = std::process::id().to_string();
            std::process::Command::new("sh")
                .args(["-c", &format!("kill -INT {pid}")])
                .status()?;
        }
        server.await??;
        anyhow::Ok(())
    });
    let stats = pool.stats();
    eprintln!("pool: {stats:?}; gc: {:?}", gc_stats());
    drop((pool, mt));
    runtime
        .join()
        .map_err(|_| anyhow::anyhow!("the runtime thread panicked"))?;
    result
}

// ---- the self-driving run ----

/// One HTTP/1.1 request on a new connection; the status and the body.
async fn request(
    addr: SocketAddr,
    method: &str,
    path: String,
    body: serde_json::Value,
) -> anyhow::Result<(u16, serde_json::Value)> {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let body = body.to_string();
    let mut stream = tokio::net::TcpStream::connect(addr).await?;
    let head = format!(
        "{method} {path} HTTP/1.1\r\nhost: {addr}\r\ncontent-type: application/json\r\n\
         content-length: {}\r\nconnection: close\r\n\r\n",
        body.len()
    );
    stream.write_all(head.as_bytes()).await?;
    stream.write_all(body.as_bytes()).await?;
    let mut response = String::new();
    stream.read_to_string(&mut response).await?;
    let status: u16 = response.split(' ').nth(1).unwrap_or("0").parse()?;
    let body = response.split_once("\r\n\r\n").map_or("", |(_, b)| b);
    Ok((
        status,
        serde_json::from_str(body).unwrap_or(serde_json::Value::Null),
    ))
}

/// Sends every route good and bad requests and checks the answers.
async fn drive(addr: SocketAddr) -> anyhow::Result<()> {
    let post = |path: &str, body: serde_json::Value| request(addr, "POST", path.to_string(), body);
    let started = Instant::now();
    for lang in ["julia", "rust"] {
        let path = |p: &str| format!("/{lang}/{p}");
        let (status, s) = post(&path("summary"), json!({"values": [4.0, 1.0, 3.0, 2.0]})).await?;
        anyhow::ensure!(status == 200, "{lang} summary: {status} {s}");
        anyhow::ensure!(s["mean"] == 2.5 && s["median"] == 2.5 && s["n"] == 4, "{s}");
        let (status, s) = post(
            &path("solve"),
            json!({"a": [[2.0, 0.0], [0.0, 4.0]], "b": [2.0, 8.0]}),
        )
        .await?;
        anyhow::ensure!(
            status == 200 && s["x"] == json!([1.0, 2.0]) && s["cond"] == 2.0,
            "{lang} solve: {status} {s}"
        );
        let (status, s) = post(&path("montecarlo"), json!({"samples": 20000, "seed": 7})).await?;
        let pi = s["estimate"].as_f64().unwrap_or(0.0);
        anyhow::ensure!(
            status == 200 && (pi - std::f64::consts::PI).abs() < 0.1,
            "{lang} mc: {s}"
        );
        // Bad input: the service's own check, answered 400.
        let (status, s) = post(&path("summary"), json!({"values": []})).await?;
        anyhow::ensure!(
            status == 400 && s["message"].as_str().unwrap_or("").contains("empty"),
            "{lang}: {status} {s}"
        );
        let (status, _) = post(&path("montecarlo"), json!({"sampels": 10})).await?;
        anyhow::ensure!(status == 400, "{lang} bad keyword: {status}");
    }
    // Julia's own messages.
    let (status, s) = post(
        "/julia/solve",
        json!({"a": [[1.0, 2.0], [2.0, 4.0]], "b": [1.0, 2.0]}),
    )
    .await?;
    anyhow::ensure!(
        status == 422 && s["error"] == "SingularException",
        "singular: {status} {s}"
    );
    let (status, s) = post("/julia/montecarlo", json!({"sampels": 10})).await?;
    let msg = s["message"].as_str().unwrap_or("");
    anyhow::ensure!(
        status == 400 && msg.contains("unsupported keyword"),
        "bad keyword: {s}"
    );
    let (status, s) = post("/julia/montecarlo", json!({"samples": -3})).await?;
    anyhow::ensure!(
        status == 422 && s["error"] == "DomainError",
        "negative samples: {status} {s}"
    );
    let (status, s) = post(
        "/julia/solve",
        json!({"a": [[1.0, 2.0, 3.0], [2.0, 4.0, 1.0]], "b": [1.0, 2.0]}),
    )
    .await?;
    let msg = s["message"].as_str().unwrap_or("");
    anyhow::ensure!(
        status == 422 && msg.contains("must be square"),
        "not square: {status} {s}"
    );
    let (status, s) = post(
        "/julia/solve",
        json!({"a": [[1.0, 2.0], [3.0]], "b": [1.0, 2.0]}),
    )
    .await?;
    anyhow::ensure!(
        status == 400 && s["message"].as_str().unwrap_or("").contains("row 1"),
        "ragged: {status} {s}"
    );
    println!("routes answered as expected ({:?})", started.elapsed());

    // A burst: 16 connections at once, 25 requests each, Julia and Rust.
    let clients: Vec<_> = (0..16)
        .map(|c| {
            tokio::spawn(async move {
                for i in 0..25 {
                    let lang = if (c + i) % 2 == 0 { "julia" } else { "rust" };
                    let values: Vec<f64> = (0..64)
                        .map(|k| ((c * 31 + i * 7 + k) % 17) as f64)
                        .collect();
                    let path = format!("/{lang}/summary");
                    let (status, s) =
                        request(addr, "POST", path.clone(), json!({ "values": values })).await?;
                    anyhow::ensure!(status == 200 && s["n"] == 64, "{path}: {status} {s}");
                }
                anyhow::Ok(())
            })
        })
        .collect();
    for c in clients {
        c.await??;
    }
    let (status, s) = request(addr, "GET", "/stats".into(), json!({})).await?;
    anyhow::ensure!(
        status == 200 && s["pool"]["completed"].as_u64().unwrap_or(0) >= 200,
        "stats: {s}"
    );
    println!("400 concurrent requests answered; /stats: {s}");
    Ok(())
}
