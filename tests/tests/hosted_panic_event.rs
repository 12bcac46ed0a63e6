//! Every hosted loop reports a panic outside any task as a `tracing` event, whoever runs
//! the loop (a pool worker, a `with` server, a loop of one's own): with its thread, its
//! name if it has one, the panic's message and whether it restarts.

use std::time::Duration;

use jlrs_core::{hosted::Hosted, hosted::HostedLoop, Julia};
use jlrs_mt::Builder;
use jlrs_tests::{events, watchdog};

/// Panics on each of its first two runs; restarts after the first panic only.
struct PanicsTwice {
    runs: usize,
    /// Released when the loop's state drops.
    _thread: jlrs_mt::WorkerThread,
}

impl HostedLoop for PanicsTwice {
    fn run(&mut self, _julia: &mut Julia) {
        self.runs += 1;
        panic!("deliberate loop panic {}", self.runs);
    }

    fn panicked(&mut self, _payload: Box<dyn std::any::Any + Send>) -> bool {
        self.runs < 2
    }
}

#[test]
fn a_hosted_loop_that_panics_outside_a_task_emits_an_event() {
    let _dog = watchdog("hosted-loop panic events", Duration::from_secs(60));
    events::record();
    let (mt, runtime) = Builder::new()
        .n_threads(1)
        .spawn_mt()
        .expect("cannot start Julia");
    for name in [None, Some("named-loop")] {
        let thread = mt.claim_worker_thread().expect("a free worker thread");
        let tid = thread.tid();
        let body = PanicsTwice {
            runs: 0,
            _thread: thread,
        };
        let handle = mt
            .with(move |julia| {
                let hosted = Hosted::on_thread(tid);
                let hosted = match name {
                    Some(name) => hosted.name(name),
                    None => hosted,
                };
                hosted.spawn(julia, body)
            })
            .unwrap();
        handle.join();
        assert_eq!((handle.panics(), handle.restarts()), (2, 1));
        let worker = name.map_or(String::new(), |n| format!(" worker={n:?}"));
        let events = events::events();
        for (run, restarting) in [(1, true), (2, false)] {
            let expected = format!(
                "jlrs::hosted message=hosted loop panicked outside a task tid={tid}{worker} \
                 panic=\"deliberate loop panic {run}\" restarting={restarting}"
            );
            assert_eq!(
                events.iter().filter(|e| **e == expected).count(),
                1,
                "expected {expected:?} once among {events:#?}"
            );
        }
        // The loop's thread is released when its state drops; the next round claims it.
        jlrs_tests::wait_until("the thread is free again", || {
            mt.n_free_worker_threads() == 1
        });
    }
    drop(mt);
    runtime.join().unwrap();
}
