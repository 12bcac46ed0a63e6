//! Calling Julia: evaluating code, looking up globals and calling functions, each with
//! its exception turned into a [`JuliaError`].
//!
//! [`GcFrame::eval`], [`GcFrame::global`] and [`GcFrame::call`] work by path from `Main`;
//! [`Value::get`] and [`Value::call`] work on values already found. Keyword calls are in
//! `kw.rs`, calls that catch the exception as a value in `catch.rs`, and calls run as
//! Julia tasks in `call_async.rs`.

use std::ffi::CString;

use crate::{
    error::{JlResult, JuliaError},
    rooting::frame::GcFrame,
    sys,
    values::symbol::symbol,
    values::value::Value,
};

impl<'scope> GcFrame<'scope> {
    /// Evaluates Julia code (one or more top-level expressions) in `Main` and roots the
    /// value of the last one.
    ///
    /// Invalid syntax and exceptions thrown while evaluating become errors.
    pub fn eval(&mut self, code: &str) -> JlResult<Value<'scope>> {
        crate::calls::callable::check_callable()?;
        if code.contains('\0') {
            return Err(JuliaError::NulByte(code.to_string()));
        }
        // Julia 1.5's `jl_eval_string` can return a stray value instead of null when its
        // exception races a collection on another thread, so code is evaluated through a
        // Julia function called with `jl_call`, which reports exceptions reliably.
        let code = self.box_value(code);
        self.call("JlrsCore.eval_string", &[code])
    }

    /// Evaluates Julia code in `Main` as the contents of a file called `file`, like
    /// Julia's `include_string(Main, code, file)`, and roots the value of the last
    /// expression.
    ///
    /// Unlike [`GcFrame::eval`] (whose code is `none`), the methods the code defines
    /// carry `file` and their line numbers, so Julia's messages about them point there
    /// (`Closest candidates are: f(::Float64) at service.jl:12`). An exception thrown
    /// while the code runs is a `LoadError` whose message ends with `in expression starting
    /// at service.jl:LINE`; the exception it wraps is its
    /// [`cause`](crate::JuliaException::causes).
    ///
    /// ```
    /// # use jlrs_core::{InitOptions, Runtime};
    /// # let mut rt = Runtime::init(InitOptions::new()).unwrap();
    /// rt.julia().scope(|mut frame| {
    ///     let code = "double(x::Float64) = 2x\nerror(\"at line 2\")";
    ///     let err = frame.include_string(code, "service.jl").unwrap_err();
    ///     assert!(err.to_string().contains("service.jl:2"), "{err}");
    /// });
    /// ```
    pub fn include_string(&mut self, code: &str, file: &str) -> JlResult<Value<'scope>> {
        crate::calls::callable::check_callable()?;
        for s in [code, file] {
            if s.contains('\0') {
                return Err(JuliaError::NulByte(s.to_string()));
            }
        }
        let code = self.box_value(code);
        let file = self.box_value(file);
        self.call("JlrsCore.include_named", &[code, file])
    }

    /// Loads the Julia file at `path` into `Main`, like Julia's `include` (a relative path
    /// is taken from the current directory), and roots the value of its last expression.
    /// Its methods and errors name the file and its lines, as with
    /// [`GcFrame::include_string`]; a file that cannot be read is a `SystemError`.
    pub fn include(&mut self, path: impl AsRef<std::path::Path>) -> JlResult<Value<'scope>> {
        crate::calls::callable::check_callable()?;
        let path = path.as_ref();
        let Some(text) = path.to_str().filter(|p| !p.contains('\0')) else {
            return Err(JuliaError::Conversion {
                what: format!("the path {}", path.display()),
                problem: "a path passed to Julia must be valid UTF-8 without NUL bytes".into(),
            });
        };
        let text = self.box_value(text);
        self.call("JlrsCore.include_file", &[text])
    }

    /// Evaluates `code` with `jl_eval_string`. Only for start-up, while one thread runs.
    ///
    /// # Safety
    /// No other thread is running Julia code.
    pub(crate) unsafe fn eval_single_threaded(&mut self, code: &str) -> JlResult<Value<'scope>> {
        let code = CString::new(code).map_err(|_| JuliaError::NulByte(code.to_string()))?;
        // SAFETY: a frame proves this thread may call Julia; jl_eval_string catches
        // exceptions and returns null (reliably while no other thread runs).
        unsafe {
            let raw = sys::jl_eval_string(code.as_ptr());
            self.root(raw)
        }
    }

    /// The module `Main`.
    ///
    /// # Panics
    /// If the thread may not call Julia now (see [`GcFrame`]).
    #[track_caller]
    pub fn main_module(&mut self) -> Value<'scope> {
        crate::calls::callable::assert_callable();
        // SAFETY: Julia is initialised; `Main` is a global root, rooting it again is free
        // of risk.
        unsafe { self.root(sys::jl_main_module.cast()).expect("Main exists") }
    }

    /// Looks up a global by path, such as `"Base.sqrt"`, `"println"` or `"Main.MyMod.x"`.
    ///
    /// The first component is looked up in `Main` (which sees `Base` and `Core`), then each
    /// further component in the module found so far. Names may be quoted as in Julia:
    /// `"Base.:+"`, `"Base.:(==)"` (and `"Base.+"` works too). To look up many names in
    /// one module, find it once with [`GcFrame::module`].
    pub fn global(&mut self, path: &str) -> JlResult<Value<'scope>> {
        crate::calls::callable::check_callable()?;
        let components = crate::values::path::components(path)?;
        let mut parts = components.into_iter();
        let first = parts.next().unwrap_or_default();
        let mut current = if first == "Main" {
            self.main_module()
        } else {
            let main = self.main_module();
            main.get(self, first)
                .map_err(|e| rename_undefined(e, path))?
        };
        for part in parts {
            current = current
                .get(self, part)
                .map_err(|e| rename_undefined(e, path))?;
        }
        Ok(current)
    }

    /// Calls the function found at `path` (see [`GcFrame::global`]) with `args`.
    pub fn call(&mut self, path: &str, args: &[Value<'_>]) -> JlResult<Value<'scope>> {
        let f = self.global(path)?;
        f.call(self, args)
    }

    /// [`GcFrame::call`] for this crate's own calls into Julia (defining a function,
    /// spawning a task, building a value): Ctrl-C never cuts them in half, since they run
    /// no caller's code and their callers hand Julia closures, payloads and references.
    pub(crate) fn call_internal(
        &mut self,
        path: &str,
        args: &[Value<'_>],
    ) -> JlResult<Value<'scope>> {
        let f = self.global(path)?;
        f.call_uninterruptible(self, args)
    }
}

impl Value<'_> {
    /// Looks up the global `name` in this module.
    pub fn get<'t>(self, frame: &mut GcFrame<'t>, name: &str) -> JlResult<Value<'t>> {
        crate::calls::callable::check_callable()?;
        if !self.is_module() {
            return Err(JuliaError::WrongType {
                expected: "Module".into(),
                found: self.type_name(),
            });
        }
        let sym = symbol(name)?;
        // SAFETY: `self` is a module; jl_get_global does not throw and returns null for an
        // undefined binding; the result is rooted at once.
        unsafe {
            let raw = sys::jl_get_global(self.raw().cast::<sys::jl_module_t>(), sym);
            if raw.is_null() {
                return Err(JuliaError::UndefinedName(name.to_string()));
            }
            frame.root(raw)
        }
    }

    /// Calls this value with `args`; a Julia exception becomes an error.
    ///
    /// Calling something that is not callable raises Julia's `MethodError`.
    pub fn call<'t>(self, frame: &mut GcFrame<'t>, args: &[Value<'_>]) -> JlResult<Value<'t>> {
        self.call_sectioned(frame, args, true)
    }

    /// [`Value::call`] for this crate's own calls (see [`GcFrame::call_internal`]) and
    /// waiting (an idle hosted loop in Julia's scheduler): Ctrl-C never interrupts it,
    /// since it runs no caller's code.
    pub(crate) fn call_uninterruptible<'t>(
        self,
        frame: &mut GcFrame<'t>,
        args: &[Value<'_>],
    ) -> JlResult<Value<'t>> {
        self.call_sectioned(frame, args, false)
    }

    fn call_sectioned<'t>(
        self,
        frame: &mut GcFrame<'t>,
        args: &[Value<'_>],
        interruptible: bool,
    ) -> JlResult<Value<'t>> {
        if interruptible {
            crate::calls::callable::check_callable()?;
        } else {
            // This crate's own waiting runs no caller's code; it must go on while an async
            // task that holds an array borrow is suspended.
            crate::calls::callable::check_thread()?;
        }
        let n = i32::try_from(args.len()).expect("fewer than 2^31 arguments");
        // `Value` is a transparent pointer, so the slice is already the array of
        // `jl_value_t*` that jl_call takes; jl_call copies it and never writes to it.
        let raw_args = args.as_ptr().cast::<*mut sys::jl_value_t>().cast_mut();
        // SAFETY: all arguments are rooted; jl_call catches exceptions and returns null;
        // the result is rooted at once. The sections are entered on this GC-unsafe Julia
        // thread right around the call.
        unsafe {
            let raw = if interruptible {
                // Ctrl-C may interrupt the Julia code of this call, and only that code.
                let _section = crate::runtime::signals::JuliaSection::enter();
                sys::jl_call(self.raw(), raw_args, n)
            } else {
                let _section = crate::runtime::signals::RustSection::enter();
                sys::jl_call(self.raw(), raw_args, n)
            };
            frame.root(raw)
        }
    }
}

fn rename_undefined(e: JuliaError, path: &str) -> JuliaError {
    match e {
        JuliaError::UndefinedName(_) => JuliaError::UndefinedName(path.to_string()),
        other => other,
    }
}
