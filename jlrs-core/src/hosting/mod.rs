//! Rust loops hosted on Julia's own threads, and how they wait inside Julia's scheduler.

pub mod event_loop;
pub mod hosted;
pub mod idle;
