//! Evaluating code that throws, on several threads while another forces collections,
//! always reports the exception (Julia 1.5's `jl_eval_string` does not, so `eval` does not
//! use it).

use std::{
    sync::atomic::{AtomicBool, Ordering},
    time::Duration,
};

use jlrs_mt::{Builder, Error};
use jlrs_tests::watchdog;

#[test]
fn throwing_code_never_evaluates_to_a_value_under_concurrent_collections() {
    let _dog = watchdog("eval under GC", Duration::from_secs(180));
    let (mt, runtime) = Builder::new()
        .with_threads(4)
        .n_threads(1)
        .spawn_mt()
        .expect("cannot start Julia");
    let stop = AtomicBool::new(false);
    std::thread::scope(|s| {
        let collector = s.spawn(|| {
            let mut n = 0;
            while !stop.load(Ordering::Relaxed) {
                mt.with(|j| {
                    j.collect_garbage(false);
                    Ok(())
                })
                .unwrap();
                n += 1;
            }
            n
        });
        let evaluators: Vec<_> = (0..3)
            .map(|t| {
                let mt = &mt;
                s.spawn(move || {
                    let codes = ["an_undefined_name", "error(\"x\")", "sqrt(\"x\")"];
                    for k in 0..500 {
                        let code = codes[(t + k) % 3];
                        let r = mt.with(move |j| j.scope(|mut f| f.eval(code).map(|_| ())));
                        assert!(
                            matches!(r, Err(Error::Julia(jlrs_core::Error::Exception(_)))),
                            "`{code}` evaluated to {r:?}"
                        );
                    }
                })
            })
            .collect();
        for e in evaluators {
            e.join().unwrap();
        }
        stop.store(true, Ordering::Relaxed);
        assert!(collector.join().unwrap() > 0);
    });
    drop(mt);
    runtime.join().unwrap();
}
