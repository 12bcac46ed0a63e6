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
