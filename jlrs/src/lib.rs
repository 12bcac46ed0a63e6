//! Embed Julia 1.5 in a Rust program.
//!
//! `jlrs` is a facade over small layers:
//!
//! - [`base`] (always): initialising Julia, rooting values in GC frames, calling Julia
//!   with every exception turned into an error, GC-safe regions, and hosted loops that run
//!   Rust code on Julia's own threads;
//! - [`mt`] (feature `multi-rt`): the multithreaded runtime, [`Builder`](mt::Builder)
//!   and [`MtHandle`](mt::MtHandle), to call Julia from any Rust thread;
//! - [`async_rt`] (feature `async-rt`): the async runtime thread with a pluggable
//!   executor, [`AsyncHandle`](async_rt::AsyncHandle) and its kinds of task; feature
//!   `tokio-rt` adds [`Tokio`](async_rt::Tokio);
//! - [`pool`] (feature `async-rt`): pools of workers on Julia's threads, each running an
//!   executor, made with [`pool_builder`](pool::PoolBuilderExt::pool_builder).
//!
//! - [`derive`](mod@derive) (feature `derive`): `#[derive(IntoJulia, Unbox)]` for `#[repr(C)]`
//!   structs stored as Julia isbits structs (`bool`, `char`, tuple and generic fields; arrays
//!   of them viewed in place), and for other structs converted field by field (also in the
//!   prelude).
//!
//! - [`distributed`] (feature `distributed`): Julia's Distributed workers, on this
//!   machine or over SSH, with async remote calls and `pmap`.
//!
//! Arrays ([`base::array`]) come with the core: typed N-dimensional Julia arrays shared
//! with Rust memory without copying, borrow-checked across threads.
//!
//! Features: `multi-rt`, `async-rt` (which enables `multi-rt`), `tokio-rt`, `ndarray`
//! (`ndarray` views of arrays), `derive`, `complex` (`num_complex::Complex` as
//! `ComplexF32/64`), `f16` (`half::f16` as `Float16`), `distributed`, and `full` for
//! everything. None is on by default.
//!
//! Julia can be initialised once per process. Julia 1.5 cannot adopt threads it did not
//! start; the runtimes start the threads they are asked for, however many CPUs the machine
//! shows. A program finds the Julia it was built against by itself, with no environment
//! variables and no build script of its own; `cargo xtask dist` makes a folder to ship (see
//! the README's "Deploying" section). Checking and documenting a crate that depends on
//! this one need no Julia; linking a program needs Julia 1.5 (`JULIA_DIR`, or `julia` on
//! `PATH`).
//!
//! ```
//! use jlrs::prelude::*;
//!
//! let mut rt = Runtime::init(InitOptions::new()).expect("cannot start Julia");
//! let v = rt.julia().scope(|mut frame| frame.eval("sum(1:10)")?.unbox::<i64>());
//! assert_eq!(v.unwrap(), 55);
//! ```
#![doc(test(attr(deny(warnings))))]
#![forbid(unsafe_code)]

/// The foundation layer: raw access to Julia (see [`jlrs_core`]). Named `base`, not
/// `core`, so that it does not shadow Rust's own `core` in `use jlrs::*` paths.
#[doc(inline)]
pub use jlrs_core as base;

/// The multithreaded runtime (see [`jlrs_mt`]).
#[cfg(feature = "multi-rt")]
#[doc(inline)]
pub use jlrs_mt as mt;

/// The async runtime (see [`jlrs_async`]).
#[cfg(feature = "async-rt")]
#[doc(inline)]
pub use jlrs_async as async_rt;

/// Pools of workers (see [`jlrs_pool`]).
#[cfg(feature = "async-rt")]
#[doc(inline)]
pub use jlrs_pool as pool;

/// `#[derive(IntoJulia, Unbox)]` (see [`jlrs_macros`]).
#[cfg(feature = "derive")]
#[doc(inline)]
pub use jlrs_macros as derive;

/// Julia's Distributed workers, local and over SSH (see [`jlrs_core::distributed`]).
#[cfg(feature = "distributed")]
#[doc(inline)]
pub use jlrs_core::distributed;

pub mod prelude;

#[cfg(all(doctest, feature = "full"))]
#[doc = include_str!("../../README.md")]
struct ReadmeDoctests;
