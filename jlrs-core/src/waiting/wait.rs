//! Waiting for another thread's answer, on whatever thread the caller is: a hosted thread
//! waits inside Julia's scheduler ([`idle`]), so that the Julia tasks queued
//! for it still run; any other thread checks briefly ([`spin`](crate::waiting::spin)), then blocks,
//! GC-safely if it is a Julia thread.
//!
//! This is how a caller waits for a task it handed to a runtime (`wait_blocking`,
//! `MtHandle::with`). Waiting for a flag is [`latch`](crate::waiting::latch)'s job.

use crate::{hosting::idle, runtime::julia::blocking, waiting::spin::spin_then};

/// Waits for a oneshot's value: checks first, then blocks (GC-safely on a Julia thread; on
/// a hosted thread, inside Julia's scheduler).
pub fn oneshot<T: Send>(rx: oneshot::Receiver<T>) -> Result<T, oneshot::RecvError> {
    if idle::on_hosted_thread() {
        // A hosted thread waits in Julia's scheduler, so that Julia tasks queued for it
        // (such as a `Threads.@threads` chunk of the very task it waits for) still run.
        return idle::block_on(rx);
    }
    blocking(move || {
        spin_then(
            rx,
            |rx| match rx.try_recv() {
                Ok(v) => Some(Ok(v)),
                Err(oneshot::TryRecvError::Empty) => None,
                Err(oneshot::TryRecvError::Disconnected) => Some(Err(oneshot::RecvError)),
            },
            |rx| rx.recv(),
        )
    })
}
