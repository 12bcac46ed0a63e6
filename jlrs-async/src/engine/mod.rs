//! The task engine: everything that runs tasks without caring which thread it runs on.
//!
//! A [`Queue`](queue::Queue) carries tasks ([`TaskFactory`](task::TaskFactory): async,
//! blocking, [persistent](persistent) and [register](register) tasks, each made into a
//! future on the thread that takes it); [`serve`](serve::serve) takes them and runs them
//! on one thread's [executor](executor) within its [budget](budget) of `N` slots. The
//! async runtime thread (`runtime_thread.rs`) and the pools of `jlrs-pool` drive it.

pub(crate) mod budget;
pub(crate) mod executor;
pub(crate) mod persistent;
pub(crate) mod queue;
pub(crate) mod register;
pub(crate) mod self_wait;
pub(crate) mod serve;
pub(crate) mod task;
#[cfg(feature = "tokio-rt")]
pub(crate) mod tokio;
pub(crate) mod workers;
