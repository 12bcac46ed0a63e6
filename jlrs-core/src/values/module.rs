//! [`Module`]: a Julia module found once and asked for many globals, and constants
//! ([`GcFrame::set_const`]).

use std::ffi::{c_char, c_int, CStr};

use crate::{
    error::{JlResult, JuliaError, JuliaException},
    rooting::frame::GcFrame,
    sys::{self, jl_sym_t, jl_value_t},
    values::path,
    values::symbol::symbol,
    values::value::Value,
};

// The C shim's half (`csrc/module.c`).
extern "C" {
    fn jlrs_core_module_name(m: *mut jl_value_t) -> *const c_char;
    fn jlrs_core_module_parent(m: *mut jl_value_t) -> *mut jl_value_t;
    fn jlrs_core_is_bound_here(m: *mut jl_value_t, name: *mut jl_sym_t) -> c_int;
    fn jlrs_core_is_const(m: *mut jl_value_t, name: *mut jl_sym_t) -> c_int;
    fn jlrs_core_is_const_here(m: *mut jl_value_t, name: *mut jl_sym_t) -> c_int;
    fn jlrs_core_set_const(
        m: *mut jl_value_t,
        name: *mut jl_sym_t,
        v: *mut jl_value_t,
    ) -> *mut jl_value_t;
}

/// A Julia module, rooted for `'scope`.
///
/// Find a module once ([`Module::main`], [`GcFrame::module`], [`Module::submodule`]) and
/// look up its globals without parsing a path each time:
///
/// ```
/// use jlrs_core::{InitOptions, Module, Runtime};
///
/// let mut rt = Runtime::init(InitOptions::new()).expect("cannot start Julia");
/// rt.julia().scope(|mut frame| {
///     let math = Module::base(&mut frame).submodule(&mut frame, "Math").unwrap();
///     assert_eq!(math.name(), "Math");
///     let sin = math.global(&mut frame, "sin").unwrap();
///     let plus = Module::base(&mut frame).global(&mut frame, ":+").unwrap();
///     let x = frame.box_value(0.0f64);
///     let y = sin.call(&mut frame, &[x]).unwrap();
///     let z = plus.call(&mut frame, &[y, x]).unwrap();
///     assert_eq!(z.unbox::<f64>().unwrap(), 0.0);
/// });
/// ```
#[derive(Clone, Copy)]
#[repr(transparent)]
pub struct Module<'scope>(Value<'scope>);

static_assertions::assert_not_impl_any!(Module<'static>: Send, Sync);

impl std::fmt::Debug for Module<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Module({})", self.name())
    }
}

impl<'scope> Module<'scope> {
    /// `Main`.
    ///
    /// # Panics
    /// If the thread may not call Julia now (see [`GcFrame`]).
    #[track_caller]
    pub fn main(frame: &mut GcFrame<'scope>) -> Self {
        Module(frame.main_module())
    }

    /// `Base`.
    ///
    /// # Panics
    /// If the thread may not call Julia now (see [`GcFrame`]).
    #[track_caller]
    pub fn base(frame: &mut GcFrame<'scope>) -> Self {
        crate::calls::callable::assert_callable();
        // SAFETY: Julia is running; `Base` is a permanent global; rooting it again is free
        // of risk.
        Module(unsafe { frame.root(sys::jl_base_module.cast()) }.expect("Base exists"))
    }

    /// `Core`.
    ///
    /// # Panics
    /// If the thread may not call Julia now (see [`GcFrame`]).
    #[track_caller]
    pub fn core(frame: &mut GcFrame<'scope>) -> Self {
        crate::calls::callable::assert_callable();
        // SAFETY: as for `Base`.
        Module(unsafe { frame.root(crate::sys::jl_core_module.cast()) }.expect("Core exists"))
    }

    /// `value` as a module; an error if it is not one.
    pub fn from_value(value: Value<'scope>) -> JlResult<Self> {
        if value.is_module() {
            Ok(Module(value))
        } else {
            Err(JuliaError::WrongType {
                expected: "Module".into(),
                found: value.type_name(),
            })
        }
    }

    /// The module as a [`Value`].
    pub fn as_value(self) -> Value<'scope> {
        self.0
    }

    /// The module's name (`"Main"`, `"Math"`).
    pub fn name(self) -> String {
        // SAFETY: `self` is a module; its name is a permanent symbol.
        unsafe { CStr::from_ptr(jlrs_core_module_name(self.0.raw())) }
            .to_string_lossy()
            .into_owned()
    }

    /// The module that holds this one (`Main` for `Main`).
    ///
    /// # Panics
    /// If the thread may not call Julia now (see [`GcFrame`]).
    #[track_caller]
    pub fn parent<'t>(self, frame: &mut GcFrame<'t>) -> Module<'t> {
        crate::calls::callable::assert_callable();
        // SAFETY: `self` is a module; its parent is a module reachable from it; it is
        // rooted at once.
        Module(unsafe { frame.root(jlrs_core_module_parent(self.0.raw())) }.expect("a module"))
    }

    /// The global `name` of this module (a path such as `"Math.sin"` walks submodules;
    /// names may be quoted as in Julia: `":+"`, `":(==)"`).
    #[doc(alias = "function")]
    pub fn global<'t>(self, frame: &mut GcFrame<'t>, name: &str) -> JlResult<Value<'t>> {
        crate::calls::callable::check_callable()?;
        let rename = |e| match e {
            JuliaError::UndefinedName(_) => {
                JuliaError::UndefinedName(format!("{}.{name}", self.name()))
            }
            other => other,
        };
        let mut current: Option<Value<'t>> = None;
        for part in path::components(name)? {
            let next = match current {
                None => self.0.get(frame, part),
                Some(c) => c.get(frame, part),
            };
            current = Some(next.map_err(rename)?);
        }
        Ok(current.expect("a path has at least one name"))
    }

    /// The submodule (or any module global) `name` of this module; an error if it is not
    /// a module.
    pub fn submodule<'t>(self, frame: &mut GcFrame<'t>, name: &str) -> JlResult<Module<'t>> {
        Module::from_value(self.global(frame, name)?)
    }

    /// Sets the global `name` of this module to `value`, creating it if needed. A
    /// constant of the module is never reassigned (see [`GcFrame::set_global`]).
    pub fn set_global(self, frame: &mut GcFrame<'_>, name: &str, value: Value<'_>) -> JlResult<()> {
        self.assign(frame, path::unquote(name)?, value)
    }

    /// [`Module::set_global`] for a name already unquoted.
    pub(crate) fn assign(
        self,
        frame: &mut GcFrame<'_>,
        name: &str,
        value: Value<'_>,
    ) -> JlResult<()> {
        crate::calls::callable::check_callable()?;
        let sym = symbol(name)?;
        // SAFETY: `self` is a module; the symbol is permanent; the thread may call Julia.
        if unsafe { jlrs_core_is_const_here(self.0.raw(), sym) } != 0 {
            // Julia's own error for a constant given a value of another type.
            return Err(JuliaException::new(
                "ErrorException".into(),
                format!("invalid redefinition of constant {name}"),
            )
            .into());
        }
        let name = frame.symbol(name)?;
        frame.call_internal("JlrsCore.set_global", &[self.0, name, value])?;
        Ok(())
    }

    /// Defines the constant `name` in this module (`const name = value`).
    ///
    /// A name that already has a value here, constant or not, is refused with
    /// [`JuliaError::AlreadyDefined`]: constants are never redefined.
    pub fn set_const(self, frame: &mut GcFrame<'_>, name: &str, value: Value<'_>) -> JlResult<()> {
        let name = path::unquote(name)?;
        self.define_const(frame, name, value).map_err(|e| match e {
            JuliaError::AlreadyDefined(_) => {
                JuliaError::AlreadyDefined(format!("{}.{name}", self.name()))
            }
            other => other,
        })
    }

    /// [`Module::set_const`] for a name already unquoted.
    fn define_const(self, frame: &mut GcFrame<'_>, name: &str, value: Value<'_>) -> JlResult<()> {
        crate::calls::callable::check_callable()?;
        let sym = symbol(name)?;
        // SAFETY: `self` is a module; the symbol is permanent; the thread may call Julia.
        if unsafe { jlrs_core_is_bound_here(self.0.raw(), sym) } != 0 {
            return Err(JuliaError::AlreadyDefined(name.to_string()));
        }
        // SAFETY: as above; `value` is rooted; the shim catches Julia's exception and
        // returns null with it pending; the value is rooted again, free of risk.
        unsafe { frame.root(jlrs_core_set_const(self.0.raw(), sym, value.raw())) }?;
        Ok(())
    }

    /// Whether the global `name`, as seen from this module, is a constant (`false` if it
    /// is not defined).
    pub fn is_const(self, name: &str) -> JlResult<bool> {
        crate::calls::callable::check_callable()?;
        let sym = symbol(path::unquote(name)?)?;
        // SAFETY: `self` is a module; the symbol is permanent; the thread may call Julia.
        Ok(unsafe { jlrs_core_is_const(self.0.raw(), sym) } != 0)
    }
}

impl<'scope> TryFrom<Value<'scope>> for Module<'scope> {
    type Error = JuliaError;

    fn try_from(value: Value<'scope>) -> JlResult<Self> {
        Module::from_value(value)
    }
}

impl<'scope> GcFrame<'scope> {
    /// The module at `path` (`"Base"`, `"Base.Math"`, `"Main.MyMod"`; see
    /// [`GcFrame::global`]); an error if it is not a module.
    pub fn module(&mut self, path: &str) -> JlResult<Module<'scope>> {
        let v = self.global(path)?;
        Module::from_value(v)
    }

    /// Defines the constant at `path` (`"x"` for `Main.x`, `"Main.M.x"`), as
    /// `const x = value` in Julia.
    ///
    /// A name that already has a value in that module, constant or not, is refused with
    /// [`JuliaError::AlreadyDefined`]: constants are never redefined, and a constant is
    /// never reassigned ([`GcFrame::set_global`] refuses that with Julia's error).
    pub fn set_const(&mut self, path: &str, value: Value<'_>) -> JlResult<()> {
        let (module, name) = self.module_and_name(path)?;
        let module = Module::from_value(module)?;
        module.define_const(self, name, value).map_err(|e| match e {
            JuliaError::AlreadyDefined(_) => JuliaError::AlreadyDefined(path.to_string()),
            other => other,
        })
    }
}

impl crate::convert::Typecheck for Module<'_> {
    fn typecheck(value: Value<'_>) -> bool {
        Module::from_value(value).is_ok()
    }
}
