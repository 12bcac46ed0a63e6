//! Rust functions that Julia can call: closures over boxed values
//! ([`GcFrame::define_function`]) and `extern "C"` functions over numbers, `bool`,
//! pointers and typed arrays ([`GcFrame::define_cfunction`], whose types are in
//! `cfunction_types.rs`).
//!
//! A closure runs on whichever Julia thread calls it (the runtime thread, a pool worker,
//! a `with` thread, a plain `Threads.@spawn` task); that thread is GC-unsafe, as any
//! thread running Julia code is. The entry point makes a [`Julia`] context and a root
//! stack of its own there, catches panics, and turns errors and panics into values that
//! a small Julia wrapper throws as `JlrsCore.RustError` / `JlrsCore.RustPanic`: no Julia
//! exception ever unwinds over a Rust frame, and no panic unwinds into Julia.

use std::{
    ffi::{c_char, c_int, c_void},
    io::Write as _,
    panic::{catch_unwind, AssertUnwindSafe},
};

use crate::{
    calls::cfunction_types::CFunction, error::JlResult, error::JuliaError, rooting::frame::GcFrame,
    rooting::roots::RootStack, runtime::julia::Julia, runtime::panics::panic_message, sys,
    values::value::Value,
};

/// The closure behind a function defined with [`GcFrame::define_function`].
type Callback = dyn for<'s> Fn(&mut GcFrame<'s>, &[Value<'s>]) -> JlResult<Value<'s>> + Send + Sync;

/// What Julia's method hands the shim's `jlrs_core_callback_guard`, which reads the two
/// function pointers at its head. Leaked: Julia may call the method as long as it runs.
#[repr(C)]
struct CallbackData {
    run: extern "C" fn(*mut c_void, *const *mut sys::jl_value_t, usize) -> *mut sys::jl_value_t,
    escaped: extern "C" fn(*mut c_void, *const c_char, c_int) -> !,
    callback: Box<Callback>,
}

extern "C" {
    /// Calls `data.run(data, args, n)` inside a Julia exception handler that calls
    /// `data.escaped` if an exception reaches it (`csrc/callback.c`).
    fn jlrs_core_callback_guard(
        data: *mut c_void,
        args: *const *mut sys::jl_value_t,
        n: usize,
    ) -> *mut sys::jl_value_t;
}

impl<'scope> GcFrame<'scope> {
    /// Defines the Julia function `name` (a path: `"rhs!"` or `"Main.rhs!"` in `Main`,
    /// `"Main.M.f"` in module `M`) that calls `f` with its arguments, and returns it.
    ///
    /// `f` runs on whichever Julia thread calls the function, with a frame of its own.
    /// If it returns an error, Julia throws `JlrsCore.RustError` with the error's text;
    /// if it panics, Julia throws `JlrsCore.RustPanic` with the panic message. The
    /// closure lives as long as the process (redefining the function leaks the old one,
    /// and so does a failed definition: Julia may hold it).
    ///
    /// `f` runs as Rust code, never cut short: with
    /// [`SigintPolicy::InterruptJulia`](crate::SigintPolicy::InterruptJulia), Ctrl-C
    /// while it runs is deferred until it returns, and the caller's Julia code then gets
    /// the `InterruptException`; a Julia call that `f` makes through its frame is a call
    /// of its own, which Ctrl-C may interrupt (`f` gets the error). If `f` overflows its
    /// stack, the process aborts with a message naming the thread (Julia would otherwise
    /// throw a `StackOverflowError` over its frames, skipping their destructors).
    ///
    /// ```
    /// # use jlrs_core::{InitOptions, Runtime, Value};
    /// # let mut rt = Runtime::init(InitOptions::new()).unwrap();
    /// rt.julia().scope(|mut frame| {
    ///     frame.define_function("twice", |frame, args: &[Value<'_>]| {
    ///         let x = args[0].unbox::<f64>()?;
    ///         Ok(frame.box_value(2.0 * x))
    ///     })?;
    ///     let y = frame.eval("sum(twice(Float64(i)) for i in 1:10)")?.unbox::<f64>()?;
    ///     assert_eq!(y, 110.0);
    ///     Ok::<_, jlrs_core::JuliaError>(())
    /// }).unwrap();
    /// ```
    pub fn define_function<F>(&mut self, name: &str, f: F) -> JlResult<Value<'scope>>
    where
        F: for<'s> Fn(&mut GcFrame<'s>, &[Value<'s>]) -> JlResult<Value<'s>>
            + Send
            + Sync
            + 'static,
    {
        let (module, fname) = self.split_path(name)?;
        let data = Box::into_raw(Box::new(CallbackData {
            run: callback_entry,
            escaped: callback_escaped,
            callback: Box::new(f),
        }));
        let defined = self.scope(|mut frame| {
            let fname = frame.symbol(fname)?;
            let entry = frame.box_value(jlrs_core_callback_guard as *const () as usize);
            let data_v = frame.box_value(data as usize);
            frame
                .call_internal("JlrsCore.define_function", &[module, fname, entry, data_v])
                .map(|f| f.raw())
        });
        // On an error the data is leaked, never freed: the method may have been defined
        // before the error, and Julia may call it.
        // SAFETY: returned by the last call of the inner scope, nothing allocated since;
        // the function is also rooted by its module binding.
        defined.and_then(|raw| unsafe { self.root(raw) })
    }

    /// Defines the Julia function `name` (a path, as for [`GcFrame::define_function`])
    /// that calls the `extern "C"` function `f` through `ccall`, with no boxing on either
    /// side. Julia's method takes exactly the argument types (a `MethodError` otherwise):
    ///
    /// | Rust | Julia |
    /// |---|---|
    /// | `i8`..`u64`, `f32`, `f64` | `Int8`..`UInt64`, `Float32`, `Float64` |
    /// | `bool` | `Bool` (a byte other than 0 or 1, which Julia code can make, arrives as its lowest bit, as Julia's `if` reads it) |
    /// | [`JuliaBool`](crate::array::JuliaBool) | `Bool`, the byte unchanged |
    /// | `*mut T`, `*const T` ([`ArrayElement`](crate::ArrayElement) `T` stored as itself) | `Ptr{T}` |
    /// | `*mut c_void`, `*const c_void` | `Ptr{Cvoid}` |
    /// | [`Array<'_, T>`](crate::Array) (arguments only) | `Array{T}` of any rank |
    /// | `()` (result only) | `Cvoid` |
    ///
    /// Up to 8 arguments, or up to 4 when one is an array.
    ///
    /// A pointer is passed, never read: dereferencing it is `unsafe` in `f`, as any raw
    /// pointer. An array arrives as a typed handle whose lifetime is the call (write the
    /// type `extern "C" fn(Array<'_, f64>)`, so that `f` cannot keep it); Julia's caller
    /// roots it meanwhile, and its data is borrowed through [`Array::data`](crate::Array::data)
    /// and [`Array::data_mut`](crate::Array::data_mut), checked against every other
    /// borrow in the process as always (an `extern "C"` function returns no `Result`: `f`
    /// decides what an error becomes). Like every borrow of a Julia-owned array, this one
    /// marks the array shared, so Julia cannot resize it afterwards. An element type
    /// whose Julia array stride differs from its Rust size is an error here, at
    /// definition.
    ///
    /// `f` runs GC-unsafe on the calling Julia thread and gets no frame: it should be
    /// short, pure Rust. A panic in an `extern "C"` function aborts the process (Rust's
    /// rule), so it must not panic. With
    /// [`SigintPolicy::InterruptJulia`](crate::SigintPolicy::InterruptJulia), Ctrl-C
    /// while it runs is deferred until it returns, as for [`GcFrame::define_function`].
    /// If it overflows its stack, the process aborts with a message naming the thread,
    /// as for a closure (Julia's `StackOverflowError` would otherwise jump over its
    /// frames).
    ///
    /// ```
    /// # use jlrs_core::{Array, InitOptions, Runtime};
    /// # let mut rt = Runtime::init(InitOptions::new()).unwrap();
    /// extern "C" fn hypot(a: f64, b: f64) -> f64 {
    ///     (a * a + b * b).sqrt()
    /// }
    ///
    /// rt.julia().scope(|mut frame| {
    ///     frame.define_cfunction("rust_hypot", hypot as extern "C" fn(f64, f64) -> f64)?;
    ///     assert_eq!(frame.eval("rust_hypot(3.0, 4.0)")?.unbox::<f64>()?, 5.0);
    ///
    ///     // Julia passes an array; Rust reads or writes it through the borrow checks.
    ///     extern "C" fn scale(a: Array<'_, f64>, k: f64) -> bool {
    ///         match a.data_mut() {
    ///             Ok(mut data) => {
    ///                 data.iter_mut().for_each(|x| *x *= k);
    ///                 true
    ///             }
    ///             Err(_) => false,
    ///         }
    ///     }
    ///     frame.define_cfunction("rust_scale!", scale as extern "C" fn(Array<'_, f64>, f64) -> bool)?;
    ///     let v = frame.eval("v = [1.0, 2.0]; rust_scale!(v, 3.0) ? v : nothing")?;
    ///     assert_eq!(v.array::<f64>()?.to_vec()?, [3.0, 6.0]);
    ///     // Another element type is Julia's MethodError, before Rust runs.
    ///     assert!(frame.eval("rust_scale!([1, 2], 3.0)").is_err());
    ///     Ok::<_, jlrs_core::JuliaError>(())
    /// }).unwrap();
    /// ```
    pub fn define_cfunction<F: CFunction>(&mut self, name: &str, f: F) -> JlResult<Value<'scope>> {
        crate::calls::callable::check_callable()?;
        // The definition's pieces are rooted in a nested scope; only the function stays.
        let output = self.output();
        self.scope(|mut frame| {
            let (module, fname) = frame.split_path(name)?;
            let fname = frame.symbol(fname)?;
            let fptr = frame.box_value(f.address());
            let (ret, args) = F::signature(&mut frame)?;
            let mut types = Vec::with_capacity(args.len());
            let mut passes = Vec::with_capacity(args.len());
            for (t, pass) in args {
                types.push(t);
                passes.push(frame.symbol(pass)?);
            }
            let types = frame.new_tuple(&types)?;
            let passes = frame.new_tuple(&passes)?;
            let escaped = callback_escaped as extern "C" fn(*mut c_void, *const c_char, c_int) -> !;
            let escaped = frame.box_value(escaped as usize);
            let defined = frame.call_internal(
                "JlrsCore.define_cfunction",
                &[module, fname, fptr, ret, types, passes, escaped],
            )?;
            Ok(defined.root(output))
        })
    }

    /// The module and the last component of a path to a (new) global; the last component
    /// must not be empty.
    fn split_path<'p>(&mut self, path: &'p str) -> JlResult<(Value<'scope>, &'p str)> {
        let (module, name) = self.module_and_name(path)?;
        if name.is_empty() {
            return Err(JuliaError::UndefinedName(format!(
                "{path} (no function name)"
            )));
        }
        Ok((module, name))
    }
}

/// Called when a Julia exception jumped over a callback's Rust frames, which can never be
/// resumed or dropped: reports it and aborts, as Rust does for a thread that overflows
/// its stack.
extern "C" fn callback_escaped(_data: *mut c_void, exception_type: *const c_char, tid: c_int) -> ! {
    let exception_type = if exception_type.is_null() {
        "an exception".into()
    } else {
        // SAFETY: Julia's type names are static NUL-terminated strings.
        unsafe { std::ffi::CStr::from_ptr(exception_type) }.to_string_lossy()
    };
    let _ = writeln!(
        std::io::stderr(),
        "jlrs: a Rust function called from Julia on Julia thread {tid} overflowed its stack \
         (Julia reported a {exception_type} that jumped over its Rust frames, so they can \
         neither continue nor be cleaned up); aborting. Recurse less deeply, or call it \
         from a task with a larger stack."
    );
    std::process::abort()
}

/// Called by the shim's `jlrs_core_callback_guard`, for `JlrsCore.call_rust`, on a
/// GC-unsafe Julia thread with interrupts deferred. Never unwinds and never throws: an
/// error or a panic is returned as a `RustError` or `RustPanic` value, which the Julia
/// wrapper throws.
extern "C" fn callback_entry(
    data: *mut c_void,
    args: *const *mut sys::jl_value_t,
    n: usize,
) -> *mut sys::jl_value_t {
    let outcome = catch_unwind(AssertUnwindSafe(|| {
        // SAFETY: `data` is the leaked `CallbackData` of `define_function`, never freed.
        let callback = unsafe { &(*data.cast::<CallbackData>()).callback };
        // SAFETY: Julia code called this function, so this is a Julia thread and it is
        // GC-unsafe. The context marks the thread as one that may call Julia for as long
        // as the callback runs.
        let _julia = unsafe { Julia::new() };
        let mut stack = RootStack::new();
        let mut frame = stack.frame();
        let args: &[Value<'_>] = if n == 0 {
            &[]
        } else {
            // SAFETY: `args` points to the `n` elements of a `Vector{Any}` built from the
            // call's arguments (never `#undef`), which Julia keeps alive during the call;
            // `Value` is a transparent non-null pointer.
            unsafe { std::slice::from_raw_parts(args.cast::<Value<'_>>(), n) }
        };
        match callback(&mut frame, args) {
            // The value leaves its root here; nothing allocates before Julia, which
            // receives it as the `ccall`'s result, roots it.
            Ok(v) => Ok(v.raw()),
            Err(e) => Err(("JlrsCore.RustError", e.to_string())),
        }
    }));
    let (kind, message) = match outcome {
        Ok(Ok(v)) => return v,
        Ok(Err(e)) => e,
        Err(payload) => ("JlrsCore.RustPanic", panic_message(&*payload)),
    };
    catch_unwind(AssertUnwindSafe(|| failure(kind, &message)))
        .ok()
        .flatten()
        // SAFETY: `nothing` is a global constant.
        .unwrap_or_else(|| unsafe { crate::sys::calls::jlrs_core_nothing() })
}

/// A `RustError` or `RustPanic` carrying `message`, or `None` if it cannot be made.
fn failure(kind: &str, message: &str) -> Option<*mut sys::jl_value_t> {
    // SAFETY: as in `callback_entry`: a GC-unsafe Julia thread.
    let _julia = unsafe { Julia::new() };
    let mut stack = RootStack::new();
    let mut frame = stack.frame();
    let msg = frame.box_value(message);
    // The value leaves its root when the stack is dropped; nothing allocates before Julia
    // roots it.
    frame.call_internal(kind, &[msg]).ok().map(|v| v.raw())
}
