//! Rust functions called from Julia (`define_function`, `define_cfunction`) on every kind
//! of Julia thread, under forced collections; errors and panics in them; an ODE with a
//! Rust right-hand side; keyword calls and failing Julia tasks through `call_async` on a
//! pool.

use std::{
    sync::{
        atomic::{AtomicU64, Ordering},
        OnceLock,
    },
    time::Duration,
};

use jlrs_async::{AsyncExecutor, AsyncHandle, Error as TaskError};
use jlrs_core::{
    sync::{GcSafeMutex, GcSafeMutexGuard},
    Error, GcFrame, JlResult, Value,
};
use jlrs_mt::{Builder, MtHandle};
use jlrs_pool::PoolBuilderExt;
use jlrs_tests::watchdog;

const WORKER_THREADS: usize = 4;

/// How many times `rust_add` has run.
static CALLS: AtomicU64 = AtomicU64::new(0);

fn mt() -> &'static MtHandle {
    static MT: OnceLock<MtHandle> = OnceLock::new();
    MT.get_or_init(|| {
        let mt = Builder::new()
            .n_threads(WORKER_THREADS)
            .with_threads(2)
            .spawn_mt()
            .expect("cannot start Julia")
            .0;
        mt.with(|j| j.scope(|mut f| define_all(&mut f)))
            .expect("the callbacks are defined");
        mt
    })
}

/// A pool of two workers; the other two worker threads stay free for `@spawn` tasks.
fn pool() -> &'static AsyncHandle {
    static POOL: OnceLock<AsyncHandle> = OnceLock::new();
    POOL.get_or_init(|| {
        mt().pool_builder(AsyncExecutor::<2>::new())
            .n_workers(2.try_into().unwrap())
            .spawn()
    })
}

/// Tests that use many threads run one at a time.
fn exclusive() -> GcSafeMutexGuard<'static, ()> {
    static LOCK: GcSafeMutex<()> = GcSafeMutex::new(());
    LOCK.lock()
}

fn define_all(f: &mut GcFrame<'_>) -> JlResult<()> {
    // a + b, counted; every 20 000th call forces a collection from inside the callback.
    f.define_function("rust_add", |frame, args| {
        let n = CALLS.fetch_add(1, Ordering::Relaxed);
        if n.is_multiple_of(20_000) {
            frame.collect_garbage(false);
        }
        let a = args[0].unbox::<i64>()?;
        let b = args[1].unbox::<i64>()?;
        Ok(frame.box_value(a + b))
    })?;
    // Fails as asked: "error" returns an error, "panic" panics, anything else echoes.
    f.define_function("Main.rust_fail", |frame, args| {
        let how = args[0].unbox::<String>()?;
        match how.as_str() {
            "error" => Err(Error::UndefinedName(format!(
                "asked to fail {}",
                args.len()
            ))),
            "panic" => panic!("asked to panic with {} arguments", args.len()),
            _ => Ok(frame.box_value(how)),
        }
    })?;
    // The harmonic oscillator x'' = -x as a first-order system: (x, v) -> (v, -x).
    f.define_function("rust_rhs", |frame, args| {
        let (x, v) = args[0].unbox::<(f64, f64)>()?;
        let _t = args[1].unbox::<f64>()?;
        frame.box_value((v, -x))
    })?;
    extern "C" fn add_c(a: i64, b: i64) -> i64 {
        a.wrapping_add(b)
    }
    f.define_cfunction("rust_add_c", add_c as extern "C" fn(i64, i64) -> i64)?;
    f.eval(
        "function call_many(f, n, k)
             s = 0
             for i in 1:n
                 s += f(i, k)
             end
             return s
         end
         function rk4(rhs, u, t0, t1, n)
             h = (t1 - t0) / n
             t = t0
             for _ in 1:n
                 k1 = rhs(u, t)
                 k2 = rhs(u .+ (h / 2) .* k1, t + h / 2)
                 k3 = rhs(u .+ (h / 2) .* k2, t + h / 2)
                 k4 = rhs(u .+ h .* k3, t + h)
                 u = u .+ (h / 6) .* (k1 .+ 2 .* k2 .+ 2 .* k3 .+ k4)
                 t += h
             end
             return u
         end",
    )?;
    Ok(())
}

/// The exact value of `call_many(+, n, k)`.
fn expected(n: i64, k: i64) -> i64 {
    n * (n + 1) / 2 + n * k
}

#[test]
fn a_rust_closure_called_from_four_threads_under_collections() {
    let _dog = watchdog("a million callbacks", Duration::from_secs(240));
    let _x = exclusive();
    // 4 callers of 250 000 calls each: two pool workers and two `Threads.@spawn` tasks.
    const N: i64 = 250_000;
    let before = CALLS.load(Ordering::Relaxed);
    let on_workers: Vec<_> = (1..=2i64)
        .map(|k| {
            pool()
                .blocking_task(move |mut f| {
                    let g = f.global("rust_add")?;
                    let n = f.box_value(N);
                    let k = f.box_value(k);
                    f.call("call_many", &[g, n, k])?.unbox::<i64>()
                })
                .dispatch_blocking()
                .unwrap()
        })
        .collect();
    let spawned = mt()
        .with(|j| {
            j.scope(|mut f| {
                f.eval(&format!(
                    "let
                         done = Threads.Atomic{{Bool}}(false)
                         gc = Threads.@spawn while !done[]
                             GC.gc(false)
                             sleep(0.002)
                         end
                         ts = [Threads.@spawn call_many(rust_add, {N}, k) for k in 3:4]
                         r = fetch.(ts)
                         done[] = true
                         wait(gc)
                         (r[1], r[2])
                     end"
                ))?
                .unbox::<(i64, i64)>()
            })
        })
        .unwrap();
    let workers: Vec<i64> = on_workers
        .into_iter()
        .map(|t| t.wait_blocking().unwrap())
        .collect();
    assert_eq!(workers, vec![expected(N, 1), expected(N, 2)]);
    assert_eq!(spawned, (expected(N, 3), expected(N, 4)));
    assert_eq!(CALLS.load(Ordering::Relaxed) - before, 4 * N as u64);
}

#[test]
fn errors_and_panics_reach_julia_and_the_caller() {
    let _dog = watchdog("failing callbacks", Duration::from_secs(60));
    let _x = exclusive();
    let check = |f: &mut GcFrame<'_>| -> JlResult<()> {
        // Julia sees exceptions with the error's text and the panic's message.
        let caught = f
            .eval(
                "map((\"error\", \"panic\")) do how
                     try
                         rust_fail(how, 1, 2)
                         \"no exception\"
                     catch e
                         string(typeof(e), \": \", e.msg)
                     end
                 end",
            )?
            .unbox::<(String, String)>()?;
        assert_eq!(
            caught.0,
            "Main.JlrsCore.RustError: `asked to fail 3` is not defined"
        );
        assert_eq!(
            caught.1,
            "Main.JlrsCore.RustPanic: asked to panic with 3 arguments"
        );
        // The Rust caller gets an `Error` naming them.
        for (how, ty, text) in [
            ("error", "RustError", "asked to fail 1"),
            ("panic", "RustPanic", "asked to panic with 1 arguments"),
        ] {
            let how = f.box_value(how);
            let err = f.call("rust_fail", &[how]).unwrap_err();
            let Error::Exception(e) = &err else {
                panic!("{err:?}")
            };
            assert_eq!(e.type_name(), ty, "{err}");
            assert!(e.message().contains(text), "{err}");
        }
        // A wrong argument type is an error of the closure, not a crash.
        let one = f.box_value(1i64);
        let err = f.call("rust_fail", &[one]).unwrap_err();
        assert!(err.to_string().contains("RustError"), "{err}");
        // And the function still works.
        let ok = f.box_value("fine");
        assert_eq!(f.call("rust_fail", &[ok])?.unbox::<String>()?, "fine");
        Ok(())
    };
    // On a `with` thread, on a pool worker, and inside a `Threads.@spawn` task.
    mt().with(move |j| j.scope(|mut f| check(&mut f))).unwrap();
    pool()
        .blocking_task(move |mut f| check(&mut f))
        .dispatch_blocking()
        .unwrap()
        .wait_blocking()
        .unwrap();
    let from_task = mt()
        .with(|j| {
            j.scope(|mut f| {
                f.eval(
                    "fetch(Threads.@spawn begin
                         r = try rust_fail(\"panic\") catch e; e end
                         (Threads.threadid(), string(typeof(r)))
                     end)",
                )?
                .unbox::<(i64, String)>()
            })
        })
        .unwrap();
    assert_eq!(from_task.1, "Main.JlrsCore.RustPanic");
}

#[test]
fn an_ode_with_a_rust_right_hand_side() {
    let _dog = watchdog("ODE", Duration::from_secs(60));
    let (x, v) = mt()
        .with(|j| {
            j.scope(|mut f| {
                let rhs = f.global("rust_rhs")?;
                let u0 = f.box_value((1.0f64, 0.0f64))?;
                let t0 = f.box_value(0.0f64);
                let t1 = f.box_value(1.0f64);
                let n = f.box_value(1000i64);
                f.call("rk4", &[rhs, u0, t0, t1, n])?.unbox::<(f64, f64)>()
            })
        })
        .unwrap();
    // x(t) = cos t, v(t) = -sin t; RK4 with h = 1e-3 is accurate to ~1e-13.
    assert!((x - 1f64.cos()).abs() < 1e-10, "x = {x}");
    assert!((v + 1f64.sin()).abs() < 1e-10, "v = {v}");
}

#[test]
fn a_cfunction_is_called_without_boxing() {
    let _dog = watchdog("cfunction", Duration::from_secs(60));
    let r = mt()
        .with(|j| {
            j.scope(|mut f| {
                let s = f
                    .eval("call_many(rust_add_c, 100_000, 7)")?
                    .unbox::<i64>()?;
                // The method takes exactly the C types: no conversion, no boxing.
                let m = f.eval("first(methods(rust_add_c)).sig")?;
                let sig = f.call("string", &[m])?.unbox::<String>()?;
                let err = f.eval("rust_add_c(1.0, 2)").unwrap_err();
                // `@allocated` counts every thread's allocations, and the other tests of
                // this binary allocate meanwhile: the fewest bytes of 20 measurements is
                // this call's own (each measurement only adds others' bytes).
                let allocs = f
                    .eval(
                        "rust_add_c(1, 2); \
                         minimum(_ -> @allocated(rust_add_c(1, 2)), 1:20)",
                    )?
                    .unbox::<i64>()?;
                Ok::<_, Error>((s, sig, err.to_string(), allocs))
            })
        })
        .unwrap();
    assert_eq!(r.0, expected(100_000, 7));
    assert_eq!(r.1, "Tuple{typeof(rust_add_c),Int64,Int64}");
    assert!(r.2.contains("MethodError"), "{}", r.2);
    assert_eq!(r.3, 0, "a call of a cfunction allocates nothing");
}

#[test]
fn keywords_through_call_async_kw_on_a_pool() {
    let _dog = watchdog("call_async_kw", Duration::from_secs(60));
    let s = pool()
        .task(async |mut f| {
            let m = f.eval("[1 2; 3 4]")?;
            let sum = f.global("sum")?;
            let dims = f.box_value(1i64);
            let s = f.call_async_kw(sum, &[m], &[("dims", dims)]).await?;
            let text = f.call("repr", &[s])?.unbox::<String>()?;
            let bad = f.call_async_kw(sum, &[m], &[("dimz", dims)]).await;
            Ok((text, bad.unwrap_err().to_string()))
        })
        .dispatch_blocking()
        .unwrap()
        .wait_blocking()
        .unwrap();
    assert_eq!(s.0, "[4 6]");
    assert!(s.1.contains("dimz"), "{}", s.1);
}

#[test]
fn a_failed_julia_task_names_the_inner_exception() {
    let _dog = watchdog("a failed Julia task", Duration::from_secs(60));
    let err = pool()
        .task(async |mut f| {
            let g = f.eval("() -> throw(DomainError(-1.0, \"deep inside\"))")?;
            f.call_async(g, &[]).await.map(|_| ())
        })
        .dispatch_blocking()
        .unwrap()
        .wait_blocking()
        .unwrap_err();
    let TaskError::Julia(Error::Exception(e)) = &err else {
        panic!("{err:?}")
    };
    // The exception the task threw, not the `TaskFailedException` that wraps it.
    assert_eq!(e.type_name(), "DomainError", "{e}");
    assert!(e.message().contains("deep inside"), "{e:?}");
    assert!(e.causes().is_empty(), "{e:?}");
}

#[test]
fn callbacks_get_rooted_values_that_survive_collections() {
    let _dog = watchdog("rooting in callbacks", Duration::from_secs(60));
    let r = mt()
        .with(|j| {
            j.scope(|mut f| {
                f.define_function("rust_strings", |frame, args| {
                    // Allocate, collect, then read the first values again.
                    let n = args[0].unbox::<i64>()?;
                    let mut vs: Vec<Value<'_>> = Vec::new();
                    for i in 0..n {
                        vs.push(frame.box_value(format!("s{i}")));
                    }
                    frame.collect_garbage(true);
                    let mut total = String::new();
                    for v in vs {
                        total.push_str(&v.unbox::<String>()?);
                    }
                    Ok(frame.box_value(total))
                })?;
                f.eval("rust_strings(5)")?.unbox::<String>()
            })
        })
        .unwrap();
    assert_eq!(r, "s0s1s2s3s4");
}
