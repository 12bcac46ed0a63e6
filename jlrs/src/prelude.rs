//! The items most programs need: `use jlrs::prelude::*;`.

#[doc(inline)]
pub use jlrs_core::{
    hosted::{Hosted, HostedLoop, HostedThread},
    Error, GcFrame, InitOptions, JlResult, Julia, JuliaException, Runtime, Value,
};

#[cfg(feature = "multi-rt")]
#[doc(inline)]
pub use jlrs_mt::{Builder, MtHandle};
