//! The checked Julia types of generic bits types' instances (`WithGeneric<f64>` is
//! `WithGeneric{Float64}`), by layout: a `static` in a generic impl is one for every
//! instance, so it cannot hold one instance's type.

use std::collections::BTreeMap;

// A plain lock, audited as the crate's other ones: its critical sections are one map
// lookup or insertion, with no Julia call and no safepoint, so no thread stopped for a
// collection holds it.
#[allow(clippy::disallowed_types)]
use std::sync::Mutex;

use crate::{bits::layout::Layout, sys};

/// Per layout address: the checked Julia type (kept alive by `JlrsCore.keep_type`).
/// A layout is a constant, so an instance may have several addresses: each is checked
/// once. The type is a function of the layout's contents, never of its address alone.
#[allow(clippy::disallowed_types)]
static TYPES: Mutex<BTreeMap<usize, usize>> = Mutex::new(BTreeMap::new());

/// The checked type of `layout`, or null if not checked yet.
pub(super) fn get(layout: &'static Layout) -> *mut sys::jl_value_t {
    let types = TYPES.lock().unwrap_or_else(|e| e.into_inner());
    types
        .get(&(layout as *const Layout as usize))
        .map_or(std::ptr::null_mut(), |&ty| ty as *mut sys::jl_value_t)
}

/// Remembers the checked type of `layout`.
pub(super) fn set(layout: &'static Layout, ty: *mut sys::jl_value_t) {
    let mut types = TYPES.lock().unwrap_or_else(|e| e.into_inner());
    types.insert(layout as *const Layout as usize, ty as usize);
}
