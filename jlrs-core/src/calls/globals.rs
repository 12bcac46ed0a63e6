//! Symbols, setting globals, loading packages, and types: `apply_type` and `isa`.

use crate::{
    error::JlResult, error::JuliaError, rooting::frame::GcFrame, values::symbol::symbol,
    values::value::Value,
};

impl<'scope> GcFrame<'scope> {
    /// The symbol `name` (`:name` in Julia). Symbols are never collected.
    pub fn symbol(&mut self, name: &str) -> JlResult<Value<'scope>> {
        let sym = symbol(name)?;
        // SAFETY: symbols are valid, permanently rooted values; rooting one again is
        // free of risk.
        unsafe { self.root(sym.cast()) }
    }

    /// Sets the global at `path` (`"Main.x"`, `"x"` for `Main.x`, `"Main.M.x"`, quoted
    /// names as in [`GcFrame::global`]) to
    /// `value`, creating it if needed. A constant of the module is never reassigned: the
    /// error is Julia's `ErrorException` "invalid redefinition of constant", also for a
    /// value of the same type (for which Julia itself would only warn).
    pub fn set_global(&mut self, path: &str, value: Value<'_>) -> JlResult<()> {
        let (module, name) = self.module_and_name(path)?;
        crate::values::module::Module::from_value(module)?.assign(self, name, value)
    }

    /// Splits a path to a global (`"Main.M.x"`, `"x"` for `Main.x`) into its module,
    /// which must be one, and the last component (which may be empty).
    pub(crate) fn module_and_name<'p>(
        &mut self,
        path: &'p str,
    ) -> JlResult<(Value<'scope>, &'p str)> {
        let (module, name) = match crate::values::path::split_last(path)? {
            (Some(m), n) => (self.global(m)?, n),
            (None, n) => (self.main_module(), n),
        };
        if !module.is_module() {
            return Err(JuliaError::WrongType {
                expected: "Module".into(),
                found: module.type_name(),
            });
        }
        Ok((module, name))
    }

    /// `using name` in `Main`: loads a standard library (`"LinearAlgebra"`) or an
    /// installed package and makes its exports visible to [`GcFrame::global`] and
    /// [`GcFrame::eval`]. A package that cannot be loaded is an [`JuliaError::Package`]
    /// naming it.
    pub fn using(&mut self, name: &str) -> JlResult<()> {
        let valid = !name.is_empty()
            && name.split('.').all(|p| {
                !p.is_empty()
                    && p.chars().all(|c| c.is_alphanumeric() || c == '_')
                    && !p.starts_with(|c: char| c.is_ascii_digit())
            });
        if !valid {
            return Err(JuliaError::UndefinedName(format!(
                "{name} (not a valid package name)"
            )));
        }
        let n = self.box_value(name);
        match self.call("JlrsCore.using_package", &[n]) {
            Ok(_) => Ok(()),
            Err(JuliaError::Exception(e)) => Err(JuliaError::Package {
                name: name.to_string(),
                source: e,
            }),
            Err(e) => Err(e),
        }
    }

    /// The type `T{params...}` for the type found at `path` (see [`GcFrame::global`]),
    /// e.g. `apply_type("Complex", &[float64])` is `Complex{Float64}`.
    pub fn apply_type(&mut self, path: &str, params: &[Value<'_>]) -> JlResult<Value<'scope>> {
        let ty = self.global(path)?;
        let mut args = Vec::with_capacity(params.len() + 1);
        args.push(ty);
        args.extend_from_slice(params);
        self.call_internal("Core.apply_type", &args)
    }
}

impl<'scope> Value<'scope> {
    /// `self isa ty`. An error if `ty` is not a type.
    pub fn isa(self, frame: &mut GcFrame<'_>, ty: Value<'_>) -> JlResult<bool> {
        frame.scope(|mut f| f.call_internal("Core.isa", &[self, ty])?.unbox::<bool>())
    }

    /// `typeof(self)`, rooted in `frame`.
    pub fn datatype<'t>(self, frame: &mut GcFrame<'t>) -> JlResult<Value<'t>> {
        // SAFETY: the value is valid; its type is reachable from it, so it is alive;
        // rooting it again is free of risk.
        unsafe { frame.root(crate::sys::jlrs_core_typeof(self.raw())) }
    }
}
