//! The multithreaded runtime of jlrs. This layer has no items yet; see `jlrs-core`.
#![doc(test(attr(deny(warnings))))]
#![forbid(unsafe_code)]
