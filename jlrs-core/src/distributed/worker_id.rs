//! [`WorkerId`]: the id of a process in a Distributed cluster.

use std::fmt;

/// The id of a process in Julia's Distributed cluster (`myid()` on that process).
///
/// The master, the process that embeds Julia, is [`WorkerId::MASTER`] (id 1); workers
/// get ids 2, 3, ... in the order they are added, and an id is never reused.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct WorkerId(i64);

impl WorkerId {
    /// Process 1: the process that embeds Julia.
    pub const MASTER: WorkerId = WorkerId(1);

    /// The worker with Julia's process id `id` (as `workers()` and `myid()` return it).
    pub const fn new(id: i64) -> Self {
        WorkerId(id)
    }

    /// Julia's process id.
    pub const fn get(self) -> i64 {
        self.0
    }
}

impl From<WorkerId> for i64 {
    fn from(id: WorkerId) -> i64 {
        id.0
    }
}

impl fmt::Display for WorkerId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}
