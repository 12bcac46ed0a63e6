//! Waiting for other threads without stalling Julia's garbage collector or its scheduler:
//! locks, latches and spinning.

pub mod latch;
pub mod spin;
pub mod sync;
pub mod wait;
