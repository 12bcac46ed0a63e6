//! The named-tuple types of keyword calls, made once per set of keyword names and value
//! types and cached per thread.
//!
//! Making `NamedTuple{names, Tuple{types...}}` costs several lookups in Julia's type
//! caches (and the names' symbols); a keyword call with a cached type only allocates the
//! named tuple. Each thread has its own cache, so a lookup takes no lock. A cached type
//! is kept alive for good by a Julia global (`JlrsCore.keep_kw_type`, `kw_cache.jl`); it
//! holds its names and value types as parameters, so the pointers that make up a key
//! stay valid (and unique) as long as the entry.

use std::{
    cell::RefCell,
    collections::HashMap,
    hash::{BuildHasherDefault, Hasher},
    ptr::null_mut,
};

use crate::{
    error::JlResult,
    rooting::frame::GcFrame,
    sys::{self, jl_sym_t, jl_value_t},
    values::tuple::split_names,
    values::value::Value,
};

extern "C" {
    fn jlrs_core_named_tuple_type(
        names: *mut *mut jl_sym_t,
        vals: *mut *mut jl_value_t,
        n: usize,
    ) -> *mut jl_value_t;
    pub(super) fn jlrs_core_new_typed_named_tuple(
        nt_type: *mut jl_value_t,
        vals: *mut *mut jl_value_t,
        n: usize,
    ) -> *mut jl_value_t;
    pub(super) fn jlrs_core_call_kw_typed(
        f: *mut jl_value_t,
        args: *mut *mut jl_value_t,
        nargs: usize,
        nt_type: *mut jl_value_t,
        vals: *mut *mut jl_value_t,
        nkw: usize,
    ) -> *mut jl_value_t;
}

/// The most entries one thread caches; further sets of keywords make their type on
/// every call (as without a cache), so that a program that makes ever new sets of
/// keywords does not grow the cache without bound.
const CAPACITY: usize = 1024;

/// Up to this many keyword arguments are gathered on the stack.
const INLINE: usize = 8;

/// One set of keyword names and value types, and its named-tuple type.
struct Entry {
    names: Box<[Box<str>]>,
    types: Box<[usize]>,
    /// Kept alive for good by `JlrsCore.keep_kw_type`.
    nt_type: *mut jl_value_t,
}

impl Entry {
    fn matches(&self, kwargs: &[(&str, Value<'_>)], types: &[*mut jl_value_t]) -> bool {
        self.names.len() == kwargs.len()
            && self
                .names
                .iter()
                .zip(kwargs)
                .all(|(cached, (name, _))| **cached == **name)
            && self.types.iter().zip(types).all(|(&a, &b)| a == b as usize)
    }
}

/// The entries of one thread, by the hash of their key ([`key_hash`]).
#[derive(Default)]
struct Cache {
    entries: HashMap<u64, Vec<Entry>, BuildHasherDefault<KeyHasher>>,
    len: usize,
}

thread_local! {
    static CACHE: RefCell<Cache> = RefCell::default();
}

/// Passes on a hash that [`key_hash`] has already made.
#[derive(Default)]
struct KeyHasher(u64);

impl Hasher for KeyHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        self.0 = fx(self.0, bytes);
    }

    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }
}

/// Mixes `word` into `h` (as rustc's `FxHasher` does).
fn mix(h: u64, word: u64) -> u64 {
    (h.rotate_left(5) ^ word).wrapping_mul(0x517c_c1b7_2722_0a95)
}

fn fx(mut h: u64, bytes: &[u8]) -> u64 {
    let mut chunks = bytes.chunks_exact(8);
    for c in &mut chunks {
        h = mix(h, u64::from_le_bytes(c.try_into().expect("8 bytes")));
    }
    let mut last = [0u8; 8];
    last[..chunks.remainder().len()].copy_from_slice(chunks.remainder());
    mix(h, u64::from_le_bytes(last))
}

/// The hash of a key: the names in order, each with the type of its value.
fn key_hash(kwargs: &[(&str, Value<'_>)], types: &[*mut jl_value_t]) -> u64 {
    let mut h = 0;
    for ((name, _), &ty) in kwargs.iter().zip(types) {
        h = mix(fx(h, name.as_bytes()), name.len() as u64);
        h = mix(h, ty as usize as u64);
    }
    h
}

/// Runs `f` with the raw values of `kwargs` and their types.
pub(super) fn with_raw<T>(
    kwargs: &[(&str, Value<'_>)],
    f: impl FnOnce(&mut [*mut jl_value_t], &[*mut jl_value_t]) -> T,
) -> T {
    fn fill(
        kwargs: &[(&str, Value<'_>)],
        vals: &mut [*mut jl_value_t],
        types: &mut [*mut jl_value_t],
    ) {
        for (((_, v), val), ty) in kwargs.iter().zip(vals).zip(types) {
            *val = v.raw();
            // SAFETY: the value is valid; its type is reachable from it.
            *ty = unsafe { sys::jlrs_core_typeof(v.raw()) };
        }
    }
    let n = kwargs.len();
    if n <= INLINE {
        let mut vals = [null_mut(); INLINE];
        let mut types = [null_mut(); INLINE];
        fill(kwargs, &mut vals[..n], &mut types[..n]);
        f(&mut vals[..n], &types[..n])
    } else {
        let mut vals = vec![null_mut(); n];
        let mut types = vec![null_mut(); n];
        fill(kwargs, &mut vals, &mut types);
        f(&mut vals, &types)
    }
}

/// The type of the named tuple `(; kwargs...)`, where `vals` and `types` are the raw
/// values of `kwargs` and their types ([`with_raw`]). The type stays valid at least as
/// long as `frame`.
///
/// A name given twice, or one that is not a valid symbol, is an error (as without the
/// cache: such a set is never cached).
pub(super) fn named_tuple_type(
    frame: &mut GcFrame<'_>,
    kwargs: &[(&str, Value<'_>)],
    vals: &mut [*mut jl_value_t],
    types: &[*mut jl_value_t],
) -> JlResult<*mut jl_value_t> {
    let hash = key_hash(kwargs, types);
    // The cache is never borrowed across a call into Julia, so a keyword call made by
    // Julia code that a call below runs (a finalizer, a callback) finds it free; should it
    // not, the type is made without the cache.
    let cached = CACHE
        .try_with(|cache| {
            let cache = cache.try_borrow().ok()?;
            let bucket = cache.entries.get(&hash)?;
            bucket
                .iter()
                .find(|e| e.matches(kwargs, types))
                .map(|e| e.nt_type)
        })
        .ok()
        .flatten();
    if let Some(t) = cached {
        return Ok(t);
    }
    let (mut names, _) = split_names(kwargs)?;
    // SAFETY: the names are symbols (never collected) and the values are rooted by the
    // caller; the shim catches exceptions and returns null.
    let raw =
        unsafe { jlrs_core_named_tuple_type(names.as_mut_ptr(), vals.as_mut_ptr(), vals.len()) };
    let has_room = CACHE
        .try_with(|cache| cache.try_borrow().is_ok_and(|c| c.len < CAPACITY))
        .unwrap_or(false);
    if has_room {
        frame.scope(|mut inner| {
            // SAFETY: just made; rooted at once.
            let t = unsafe { inner.root(raw) }?;
            inner.call_internal("JlrsCore.keep_kw_type", &[t])?;
            Ok::<_, crate::error::JuliaError>(())
        })?;
        let _ = CACHE.try_with(|cache| {
            if let Ok(mut cache) = cache.try_borrow_mut() {
                cache.len += 1;
                cache.entries.entry(hash).or_default().push(Entry {
                    names: kwargs.iter().map(|(n, _)| Box::from(*n)).collect(),
                    types: types.iter().map(|&t| t as usize).collect(),
                    nt_type: raw,
                });
            }
        });
    } else {
        // SAFETY: just made; rooted at once, for as long as the caller's frame.
        unsafe { frame.root(raw) }?;
    }
    Ok(raw)
}
