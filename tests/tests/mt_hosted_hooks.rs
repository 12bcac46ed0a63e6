//! jlrs-mt with jlrs-core's hosted loops: a loop's `panicked` hook and the drop of its
//! state may call `MtHandle::with` and wait in `blocking` while collections are forced
//! from other threads; nothing deadlocks.

use std::{
    sync::{
        atomic::{AtomicBool, Ordering},
        Arc, OnceLock,
    },
    time::Duration,
};

use jlrs_core::{hosted::Hosted, hosted::HostedLoop, Julia};
use jlrs_mt::{Builder, MtHandle};
use jlrs_tests::{wait_until, watchdog};

fn mt() -> &'static MtHandle {
    static MT: OnceLock<MtHandle> = OnceLock::new();
    MT.get_or_init(|| {
        Builder::new()
            .n_threads(2)
            .spawn_mt()
            .expect("cannot start Julia")
            .0
    })
}

/// Forces a full collection on a `with` thread and returns what Julia computed after it.
fn collect_with(mt: &MtHandle) -> i64 {
    mt.with(|julia| {
        julia.collect_garbage(true);
        julia.scope(|mut f| f.eval("sum(1:10)")?.unbox::<i64>())
    })
    .expect("with works")
}

/// Panics on its first run; its hook and its drop call into Julia through `with` and
/// wait, GC-safely, for the test thread, which forces collections first.
struct Hooked {
    mt: MtHandle,
    waiting: Arc<AtomicBool>,
    go: async_channel::Receiver<()>,
    results: async_channel::Sender<i64>,
    thread: Option<jlrs_mt::WorkerThread>,
}

impl Hooked {
    fn call_and_wait(&self) {
        let sum = collect_with(&self.mt);
        self.results.send_blocking(sum).unwrap();
        self.waiting.store(true, Ordering::Release);
        jlrs_core::blocking(|| self.go.recv_blocking()).unwrap();
        self.waiting.store(false, Ordering::Release);
    }
}

impl HostedLoop for Hooked {
    fn run(&mut self, _julia: &mut Julia) {
        panic!("the loop fails at once");
    }

    fn panicked(&mut self, _payload: Box<dyn std::any::Any + Send>) -> bool {
        self.call_and_wait();
        false
    }
}

impl Drop for Hooked {
    fn drop(&mut self) {
        self.call_and_wait();
        drop(self.thread.take());
    }
}

#[test]
fn panicked_and_drop_call_with_and_block_under_collections() {
    let _dog = watchdog(
        "a hosted loop's panicked hook and drop calling with and blocking",
        Duration::from_secs(120),
    );
    let mt = mt();
    for _round in 0..3 {
        let waiting = Arc::new(AtomicBool::new(false));
        let (go_tx, go) = async_channel::unbounded();
        let (results, got) = async_channel::unbounded();
        let thread = mt.claim_worker_thread().expect("a free worker thread");
        let tid = thread.tid();
        let hooked = Hooked {
            mt: mt.clone(),
            waiting: waiting.clone(),
            go,
            results,
            thread: Some(thread),
        };
        let handle = mt
            .with(move |julia| Hosted::on_thread(tid).spawn(julia, hooked))
            .unwrap();
        // Twice: once in `panicked`, once in the drop.
        for _ in 0..2 {
            assert_eq!(got.recv_blocking().unwrap(), 55);
            wait_until("the hook waits", || waiting.load(Ordering::Acquire));
            // Collections from another Julia thread while the hook waits.
            for _ in 0..3 {
                assert_eq!(collect_with(mt), 55);
            }
            go_tx.send_blocking(()).unwrap();
        }
        handle.join();
        assert_eq!(handle.panics(), 1);
    }
}
