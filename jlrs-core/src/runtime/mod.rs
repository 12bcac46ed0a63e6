//! The runtime's state: starting and stopping Julia, the current thread's relation to it,
//! signals, panics, diagnostics and the garbage collector.

pub mod diagnostics;
pub mod gc;
pub mod gc_control;
pub mod gc_stats;
pub(crate) mod init;
pub(crate) mod julia;
pub mod panics;
pub(crate) mod shutdown;
pub(crate) mod signals;
pub mod thread_state;
