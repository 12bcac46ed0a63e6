//! The floor: the same hand-off as a pool round trip, in pure Rust.
//!
//! A server thread runs the runtimes' executor driver (`block_on` with spin-then-park)
//! over an async-executor that takes jobs from an async-channel; the client waits for each
//! answer on a oneshot, spinning first, as `TaskHandle::wait_blocking` does
//! (`jlrs_core::wait::oneshot`).

use jlrs::async_rt::{AsyncExecutor, Executor, LocalExecutor};

type Job = Box<dyn FnOnce() + Send>;

pub(crate) struct Floor {
    jobs: async_channel::Sender<Job>,
    server: Option<std::thread::JoinHandle<()>>,
}

impl Floor {
    pub(crate) fn start() -> Self {
        let (jobs, rx) = async_channel::unbounded::<Job>();
        let server = std::thread::spawn(move || {
            let local = <AsyncExecutor<8> as Executor<8>>::local(&AsyncExecutor::new());
            let local = &local;
            jlrs::async_rt::block_on(local.run(Box::pin(async move {
                while let Ok(job) = rx.recv().await {
                    local.spawn_local(Box::pin(async move { job() }));
                }
            })));
        });
        Floor {
            jobs,
            server: Some(server),
        }
    }

    pub(crate) fn round_trip(&self, i: i64) -> i64 {
        let (tx, rx) = oneshot::channel();
        self.jobs
            .send_blocking(Box::new(move || {
                let _ = tx.send(i + 1);
            }))
            .unwrap();
        let v = jlrs::base::spin::spin_then(rx, |rx| rx.try_recv().ok(), |rx| rx.recv().unwrap());
        assert_eq!(v, i + 1);
        v
    }
}

impl Drop for Floor {
    fn drop(&mut self) {
        self.jobs.close();
        if let Some(s) = self.server.take() {
            let _ = s.join();
        }
    }
}
