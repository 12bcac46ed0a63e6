//! Raw access to an embedded Julia 1.5: the foundation of `jlrs`.
//!
//! This crate is the only one that touches Julia's C API (its own declarations of the
//! layout-free part and a small C shim compiled against the installed headers). Its build
//! script links libjulia by the absolute path of the Julia it was built against
//! (`JULIA_DIR`, or `julia` on `PATH`), so programs run without environment variables;
//! without a Julia, checking and documenting still work. It offers:
//!
//! - [`Runtime`]: initialise Julia once per process and shut it down;
//! - [`Julia`]: the proof that the current thread may call Julia;
//! - [`GcFrame`] and [`Value`]: rooting, where every rooted value's lifetime is that of
//!   its frame; [`RootStack`] for roots that live across `.await`;
//! - evaluation, global lookup and calls, with every Julia exception turned into an
//!   [`JuliaError`] carrying its type and `showerror` text;
//! - boxing and unboxing of `bool`, integers, floats, `char`, strings, `()`, `Option`,
//!   tuples, `num_complex::Complex` (feature `complex`) and user bits types ([`bits`],
//!   with `#[derive(IntoJulia, Unbox)]` from `jlrs-macros`);
//! - [arrays](mod@array): typed N-dimensional [`Array`]s shared with Rust memory without
//!   copying, borrow-checked across threads (feature `ndarray` adds `ndarray` views);
//! - keyword calls ([`GcFrame::call_kw`], with `(name, value)` pairs or a
//!   [`NamedTuple`]: [`AsKwargs`]), tuples ([`GcFrame::new_tuple`]) and named tuples
//!   ([`NamedTuple`]: read, [`filter`](NamedTuple::filter), [`set`](NamedTuple::set);
//!   made with [`named_tuple!`] or [`NamedTuple::builder`]), fields ([`Value::field`]),
//!   symbols, globals and packages ([`GcFrame::set_global`], [`GcFrame::using`]), types
//!   ([`GcFrame::apply_type`], [`Value::isa`]) and exceptions as values
//!   ([`Value::call_catch`], [`JuliaException::causes`]);
//! - Rust functions that Julia calls ([`GcFrame::define_function`],
//!   [`GcFrame::define_cfunction`]);
//! - values that leave a nested scope through a slot of an outer frame ([`Output`]),
//!   modules ([`Module`]) and constants ([`GcFrame::set_const`]), type introspection
//!   ([`DataType`]), [`Symbol`]s, the empty tuple ([`Tuple0`]), raw pointers, `Cow<str>`
//!   and `half::f16` (feature `f16`);
//! - turning collection off and on ([`gc_control`]);
//! - GC-safe regions ([`Julia::gc_safe`], [`blocking`], [`gc`]) and brief spinning before
//!   a thread blocks ([`spin`]);
//! - [one waiting primitive](latch): a [`Latch`](latch::Latch) set once and waited for,
//!   with its wake-up protocol;
//! - locks whose waiters are GC-safe ([`sync::GcSafeMutex`], [`sync::GcSafeRwLock`]);
//! - [hosted loops](hosted): Rust loops running on Julia's own threads;
//! - the runtime thread's [event loop](event_loop): waiting for work inside Julia's
//!   scheduler, woken from any thread;
//! - [`GcFrame::call_async`]: a Julia function run as a Julia task and awaited from Rust;
//!   [`GcFrame::schedule_async`]: one started and handed back as a [`JuliaTask`], not
//!   awaited; [`GcFrame::spawn_background_task`]: a Rust closure run on a thread of its
//!   own, whose result Julia code `fetch`es as a Julia task;
//! - [Distributed](distributed) workers, local and over SSH, with async remote calls
//!   (feature `distributed`);
//! - [`SigintPolicy`]: what Ctrl-C does once Julia has started (by default the process
//!   ends, as in a Rust program without a handler).
//!
//! # One Julia per process
//!
//! Julia can be initialised once per process; a second [`Runtime::init`] returns
//! [`InitError::AlreadyInitialized`], also after shutdown.
//!
//! # Julia 1.5's threads
//!
//! Julia 1.5 cannot adopt threads it did not start, and it starts at most as many threads
//! as the machine shows CPUs. Rust code that calls Julia therefore runs on the thread that
//! initialised Julia or in a [hosted loop](hosted) on one of Julia's other threads.
//!
//! # Example
//!
//! ```
//! use jlrs_core::{InitOptions, Runtime};
//!
//! let mut rt = Runtime::init(InitOptions::new()).expect("cannot start Julia");
//! rt.julia().scope(|mut frame| {
//!     let x = frame.box_value(2.0f64);
//!     let y = frame.call("sqrt", &[x]).unwrap();
//!     assert_eq!(y.unbox::<f64>().unwrap(), 2.0f64.sqrt());
//!
//!     let err = frame.eval("error(\"boom\")").unwrap_err();
//!     assert!(err.to_string().contains("boom"));
//! });
//! ```
#![doc(test(attr(deny(warnings))))]

pub mod array;
pub mod bits;
mod calls;
mod convert;
#[cfg(feature = "distributed")]
pub mod distributed;
mod error;
mod hosting;
mod rooting;
mod runtime;
mod sys;
mod values;
mod waiting;

#[doc(hidden)]
pub use convert::record;
pub use hosting::{event_loop, hosted, idle};
pub use runtime::{diagnostics, gc, gc_control, gc_stats, panics, thread_state};
pub use waiting::{latch, spin, sync, wait};

pub use array::{AnyArray, Array, ArrayElement, ArrayError, ArrayMut, ArrayRef};
pub use calls::callable::is_running;
pub use calls::cfunction_types::{CFunction, CReturn, CType};
pub use calls::kw::kwargs::{AsKwargs, Kwargs};
pub use calls::stack_frame::StackFrame;
pub use calls::task::JuliaTask;
pub use convert::rooted::UnboxRooted;
pub use convert::tuple0::Tuple0;
pub use convert::{BoxOutput, IntoJulia, Typecheck, Unbox};
/// The old name of [`JuliaError`].
#[doc(hidden)]
pub use error::JuliaError as Error;
pub use error::{InitError, JlResult, JuliaError, JuliaException};
pub use rooting::frame::GcFrame;
pub use rooting::output::Output;
pub use rooting::roots::RootStack;
pub use runtime::init::{InitOptions, Runtime, MAX_JULIA_THREADS};
pub use runtime::julia::{
    blocking, cpu_limit, in_julia, raised_cpu_answers, reenter, root_stack, Julia,
};
pub use runtime::panics::panic_message;
pub use runtime::signals::SigintPolicy;
pub use values::datatype::DataType;
pub use values::module::Module;
pub use values::named_tuple::{builder::NamedTupleBuilder, value::NamedTuple};
pub use values::symbol_value::Symbol;
pub use values::value::Value;
