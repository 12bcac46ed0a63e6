//! Control over remote calls: a call with a timeout that runs too long is interrupted and
//! leaves its worker idle (a sleeping call and one in a loop that reaches no safepoint);
//! `interrupt` stops a running call; `pmap_with` retries items whose worker died and
//! replaces failures through `on_error`; and a result whose type the master does not know
//! names the worker that sent it.

use std::time::Duration;

use jlrs_core::{
    distributed::{PmapOptions, WorkerSpec},
    Error,
};
use jlrs_tests::{
    distributed::{run, start_runtime, PrivateDir, SPIN},
    watchdog,
};

const SETUP: &str = r#"
const RUNNING = Ref(false)
busy(f, args...) = (RUNNING[] = true; try f(args...) finally RUNNING[] = false end)
slow_call(s) = busy(sleep, s)
spin_call(path) = busy(spin, path)
running() = RUNNING[]
# Exits the worker the first time it maps `x == 3` (`path` marks that it did).
function dies_once(path, x)
    x == 3 && !isfile(path) && (touch(path); exit(1))
    return 10x
end
fails_on_two(x) = x == 2 ? error("two") : x
define_only_here() = (Core.eval(Main, :(struct OnlyOnWorker; x::Int; end)); nothing)
make_only_here() = Base.invokelatest(() -> Main.OnlyOnWorker(7))
"#;

#[test]
fn timeouts_interrupts_pmap_retries_and_unknown_result_types() {
    let _dog = watchdog("Distributed control", Duration::from_secs(240));
    let dir = PrivateDir::new("jlrs-control-");
    let (mt, rt, runtime) = start_runtime();
    let ids = run(&rt, async |mut frame| {
        let ids = frame.add_workers(WorkerSpec::local(2)).await?;
        frame.everywhere(SPIN).await?;
        frame.everywhere(SETUP).await?;
        Ok(ids)
    })
    .unwrap();
    let (w, other) = (ids[0], ids[1]);

    // A sleeping call and a spinning one time out; the worker is idle afterwards.
    let spin_marker = dir.path().join("spin").display().to_string();
    let (slept, spun, running, answer) = run(&rt, async move |mut frame| {
        let slow = frame.global("slow_call")?;
        let long = frame.box_value(3600.0f64);
        let slept = frame
            .remotecall_fetch_timeout(w, slow, &[long], Duration::from_secs(1))
            .await
            .map(|_| ());
        let spin = frame.global("spin_call")?;
        let marker = frame.box_value(spin_marker.as_str());
        let spun = frame
            .remotecall_fetch_timeout(w, spin, &[marker], Duration::from_secs(1))
            .await
            .map(|_| ());
        let running = frame.global("running")?;
        let running = frame
            .remotecall_fetch(w, running, &[])
            .await?
            .unbox::<bool>()?;
        let myid = frame.global("myid")?;
        let answer = frame.remotecall_fetch(w, myid, &[]).await?.unbox::<i64>()?;
        Ok((slept, spun, running, answer))
    })
    .unwrap();
    assert!(
        matches!(slept, Err(Error::TimedOut { worker }) if worker == w),
        "{slept:?}"
    );
    assert!(
        matches!(spun, Err(Error::TimedOut { worker }) if worker == w),
        "{spun:?}"
    );
    assert!(!running, "the timed-out call still runs on worker {w}");
    assert_eq!(answer, w.get());

    // `interrupt` stops a running call: its future fails with InterruptException.
    let interrupted = run(&rt, async move |mut frame| {
        let slow = frame.global("slow_call")?;
        let long = frame.box_value(3600.0f64);
        let future = frame.remotecall(w, slow, &[long])?;
        std::thread::sleep(Duration::from_millis(100));
        frame.interrupt(&[w]).await?;
        Ok(frame.fetch(future).await.map(|_| ()))
    })
    .unwrap();
    match &interrupted {
        Err(Error::Remote { worker, exception }) => {
            assert_eq!(*worker, w);
            assert_eq!(exception.type_name(), "InterruptException", "{exception}");
        }
        other => panic!("expected InterruptException from worker {w}, got {other:?}"),
    }
    let master = run(&rt, async |mut frame| {
        frame
            .interrupt(&[jlrs_core::distributed::WorkerId::MASTER])
            .await
    });
    assert!(master.is_err(), "interrupting the master: {master:?}");

    // A result of a type only the worker knows.
    let unknown = run(&rt, async move |mut frame| {
        let define = frame.global("define_only_here")?;
        frame.remotecall_fetch(other, define, &[]).await?;
        let make = frame.global("make_only_here")?;
        Ok(frame.remotecall_fetch(other, make, &[]).await.map(|_| ()))
    })
    .unwrap();
    match &unknown {
        Err(Error::Remote { worker, exception }) => {
            assert_eq!(*worker, other, "{exception}");
            let msg = exception.to_string();
            assert!(msg.contains("unknown on the receiving side"), "{msg}");
            assert!(msg.contains("OnlyOnWorker"), "{msg}");
        }
        other => panic!("expected an unknown-type error naming worker {w}, got {other:?}"),
    }

    // on_error takes the place of a failing item; retry_delays survive a worker's death.
    let die_marker = dir.path().join("died").display().to_string();
    let (replaced, retried, left) = run(&rt, async move |mut frame| {
        let f = frame.global("fails_on_two")?;
        let items = frame.eval("1:4")?;
        let on_error = frame.eval("e -> -1")?;
        let replaced = frame
            .pmap_with(f, items, &PmapOptions::new().on_error(on_error))
            .await?
            .array::<i64>()?
            .data()?
            .to_vec();
        let g = frame.eval(&format!("x -> dies_once({die_marker:?}, x)"))?;
        let items = frame.eval("1:6")?;
        let delays = [Duration::from_millis(100); 3];
        let retried = frame
            .pmap_with(g, items, &PmapOptions::new().retry_delays(&delays))
            .await?
            .array::<i64>()?
            .data()?
            .to_vec();
        Ok((replaced, retried, frame.workers()?))
    })
    .unwrap();
    assert_eq!(replaced, vec![1, -1, 3, 4]);
    assert_eq!(retried, vec![10, 20, 30, 40, 50, 60]);
    assert_eq!(left.len(), 1, "one worker died during the map: {left:?}");

    drop(rt);
    drop(mt);
    runtime.join().expect("the runtime thread panicked");
}
