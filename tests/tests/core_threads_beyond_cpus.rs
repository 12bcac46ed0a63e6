//! jlrs-core: Julia starts the threads asked for, more than the machine shows CPUs, and
//! `cpu_limit` and `Sys.CPU_THREADS` stay true.

use std::time::Duration;

use jlrs_core::{cpu_limit, raised_cpu_answers, InitOptions, Runtime};
use jlrs_tests::watchdog;

#[test]
fn julia_starts_more_threads_than_cpus() {
    let _dog = watchdog("threads beyond cpus", Duration::from_secs(120));
    let cpus = cpu_limit();
    let asked = cpus + 3;
    let mut rt =
        Runtime::init(InitOptions::new().n_julia_threads(asked)).expect("cannot start Julia");
    assert_eq!(rt.n_julia_threads(), asked, "the machine shows {cpus} CPUs");
    // The raised count was Julia's answer once, during its start-up, and no longer.
    assert_eq!(raised_cpu_answers(), 1);
    assert_eq!(cpu_limit(), cpus);
    let (julia_cpus, nthreads) = rt
        .julia()
        .scope(|mut frame| {
            let v = frame.eval("(Sys.CPU_THREADS, Threads.nthreads())")?;
            let a = frame.call("first", &[v])?.unbox::<i64>()?;
            let b = frame.call("last", &[v])?.unbox::<i64>()?;
            Ok::<_, jlrs_core::JuliaError>((a, b))
        })
        .unwrap();
    assert_eq!(julia_cpus as usize, cpus, "Sys.CPU_THREADS");
    assert_eq!(nthreads as usize, asked);
    drop(rt);
}
