//! Keeping values alive: scoped GC frames, root stacks that live across `.await`, and
//! output slots in outer frames.

pub(crate) mod frame;
pub(crate) mod output;
pub(crate) mod roots;
