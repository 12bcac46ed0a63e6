//! jlrs-core: values rooted in frames and root stacks survive forced collections, and
//! values of ended scopes are released.

use jlrs_tests::julia;

#[test]
fn rooted_values_survive_collections() {
    julia().run(|j| {
        j.scope(|mut f| {
            let values: Vec<_> = (0..200)
                .map(|i| f.eval(&format!("collect(1:{})", 1000 + i)).unwrap())
                .collect();
            for _ in 0..3 {
                f.eval("for _ in 1:100; zeros(10_000); end").unwrap();
                f.collect_garbage(true);
                f.collect_garbage(false);
            }
            for (i, v) in values.iter().enumerate() {
                let n = f.call("sum", &[*v]).unwrap().unbox::<i64>().unwrap();
                let len = 1000 + i as i64;
                assert_eq!(n, len * (len + 1) / 2);
            }
        })
    });
}

#[test]
fn ended_scopes_release_their_values() {
    julia().run(|j| {
        j.scope(|mut f| {
            f.eval("const JLRS_WEAK = Ref{WeakRef}()").unwrap();
            let before = f.n_roots();
            f.scope(|mut inner| {
                let v = inner.eval("collect(1:100)").unwrap();
                let mk = inner
                    .eval("x -> (JLRS_WEAK[] = WeakRef(x); nothing)")
                    .unwrap();
                mk.call(&mut inner, &[v]).unwrap();
                inner.collect_garbage(true);
                let alive = inner.eval("JLRS_WEAK[].value !== nothing").unwrap();
                assert!(alive.unbox::<bool>().unwrap(), "rooted value was collected");
            });
            assert_eq!(f.n_roots(), before);
            f.collect_garbage(true);
            let gone = f.eval("JLRS_WEAK[].value === nothing").unwrap();
            assert!(
                gone.unbox::<bool>().unwrap(),
                "value of an ended scope is still rooted"
            );
        })
    });
}

#[test]
fn root_stacks_hold_values_like_a_future_would() {
    julia().run(|j| {
        // A root stack stands for a future's roots: values rooted in it live until it is
        // dropped, whatever happens on the thread in between.
        let mut stack = j.new_root_stack();
        let mut frame = stack.frame();
        let v = frame.eval("Dict(i => string(i) for i in 1:1000)").unwrap();
        j.scope(|mut f| {
            for _ in 0..50 {
                f.eval("[rand(100) for _ in 1:100]").unwrap();
            }
            f.collect_garbage(true);
        });
        let n = frame.call("length", &[v]).unwrap().unbox::<i64>().unwrap();
        assert_eq!(n, 1000);
        assert!(stack.len() >= 2);
    });
}

#[test]
fn root_stacks_stay_valid_across_await_points_of_interleaved_futures() {
    julia().run(|j| {
        j.scope(|mut f| {
            f.eval("stack_payload(i) = [i * k for k in 1:1000]")
                .map(|_| ())
        })
        .unwrap();
        // Futures that each own a root stack and hold values across `.await` points,
        // interleaved on one executor (their roots are not pushed and popped in order),
        // with collections forced between their steps.
        let ex = smol::LocalExecutor::new();
        let tasks: Vec<_> = (0..20i64)
            .map(|i| {
                let mut stack = j.new_root_stack();
                ex.spawn(async move {
                    let mut frame = stack.frame();
                    let x = frame.box_value(i);
                    let v = frame.call("stack_payload", &[x]).unwrap();
                    for step in 0..5 {
                        smol::future::yield_now().await;
                        if (i + step) % 7 == 0 {
                            frame.collect_garbage(step % 2 == 0);
                        }
                        frame.eval("[rand(100) for _ in 1:50]").unwrap();
                    }
                    frame.call("sum", &[v]).unwrap().unbox::<i64>().unwrap()
                })
            })
            .collect();
        let sums = smol::block_on(ex.run(async {
            let mut out = Vec::new();
            for t in tasks {
                out.push(t.await);
            }
            out
        }));
        for (i, s) in sums.into_iter().enumerate() {
            assert_eq!(s, i as i64 * 500_500);
        }
    });
}

#[test]
fn a_panic_inside_a_gc_safe_region_restores_the_gc_state() {
    julia().run(|j| {
        let caught = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            j.gc_safe(|| panic!("deliberate panic while GC-safe"))
        }));
        assert!(caught.is_err());
        // SAFETY: this is the runtime thread, a Julia thread.
        let still_safe = unsafe { jlrs_core::gc::is_gc_safe() };
        assert!(!still_safe, "still GC-safe after the panic");
        // And Julia can be called as before.
        let v = j.scope(|mut f| f.eval("1 + 1").unwrap().unbox::<i64>().unwrap());
        assert_eq!(v, 2);
        let inside = j.gc_safe(|| {
            // SAFETY: as above.
            unsafe { jlrs_core::gc::is_gc_safe() }
        });
        assert!(inside);
    });
}
