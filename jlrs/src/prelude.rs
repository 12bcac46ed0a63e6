//! The items most programs need: `use jlrs::prelude::*;`.

#[doc(inline)]
pub use jlrs_core::{
    array::{
        AnyArray, Array, ArrayElement, ArrayError, ArrayMut, ArrayRef, CopiedArray, IntoDims,
        JuliaBool, JuliaChar,
    },
    hosted::{Hosted, HostedLoop, HostedThread},
    GcFrame, InitOptions, IntoJulia, JlResult, Julia, JuliaError, JuliaException, Runtime,
    SigintPolicy, Unbox, Value,
};

#[doc(inline)]
pub use jlrs_core::{
    named_tuple, DataType, JuliaTask, Module, NamedTuple, Output, StackFrame, UnboxRooted,
};

/// The old name of [`JuliaError`].
#[doc(hidden)]
pub use jlrs_core::Error;

#[cfg(feature = "derive")]
#[doc(inline)]
pub use jlrs_macros::{IntoJulia, Unbox};

#[cfg(feature = "multi-rt")]
#[doc(inline)]
pub use jlrs_mt::{Builder, MtHandle, RuntimeError};

#[cfg(feature = "async-rt")]
#[doc(inline)]
pub use jlrs_async::{
    AsyncExecutor, AsyncHandle, AsyncRuntimeExt, Dispatch, PersistentHandle, PersistentTask,
    Register, RunError, TaskError, TaskHandle,
};

#[cfg(feature = "async-rt")]
#[doc(inline)]
pub use jlrs_pool::PoolBuilderExt;

#[cfg(feature = "tokio-rt")]
#[doc(inline)]
pub use jlrs_async::Tokio;

#[cfg(feature = "ndarray")]
#[doc(inline)]
pub use jlrs_core::array::{ArrayView, ArrayViewMut};

#[cfg(feature = "distributed")]
#[doc(inline)]
pub use jlrs_core::distributed::{WorkerId, WorkerSpec};
