//! [`DataType`]: what a Julia type says about itself (size, alignment, fields, flags,
//! parameters), read through the C shim without calling Julia functions.

use std::ffi::{c_char, c_int, CStr};

use crate::{
    error::{JlResult, JuliaError},
    rooting::frame::GcFrame,
    sys::{self, jl_value_t},
    values::symbol::jlrs_core_symbol_name,
    values::value::Value,
};

// The C shim's half (`csrc/datatype.c`).
extern "C" {
    fn jlrs_core_is_datatype(v: *mut jl_value_t) -> c_int;
    fn jlrs_core_dt_name(t: *mut jl_value_t) -> *const c_char;
    fn jlrs_core_dt_super(t: *mut jl_value_t) -> *mut jl_value_t;
    fn jlrs_core_dt_has_layout(t: *mut jl_value_t) -> c_int;
    fn jlrs_core_dt_size(t: *mut jl_value_t) -> usize;
    fn jlrs_core_dt_align(t: *mut jl_value_t) -> usize;
    fn jlrs_core_dt_layout_nfields(t: *mut jl_value_t) -> usize;
    fn jlrs_core_dt_field_offset(t: *mut jl_value_t, i: usize) -> usize;
    fn jlrs_core_dt_field_isptr(t: *mut jl_value_t, i: usize) -> c_int;
    fn jlrs_core_dt_is_abstract(t: *mut jl_value_t) -> c_int;
    fn jlrs_core_dt_is_mutable(t: *mut jl_value_t) -> c_int;
    fn jlrs_core_dt_is_concrete(t: *mut jl_value_t) -> c_int;
    fn jlrs_core_dt_is_bits(t: *mut jl_value_t) -> c_int;
    fn jlrs_core_dt_is_inline_alloc(t: *mut jl_value_t) -> c_int;
    fn jlrs_core_dt_is_tuple(t: *mut jl_value_t) -> c_int;
    fn jlrs_core_dt_is_vararg_tuple(t: *mut jl_value_t) -> c_int;
    fn jlrs_core_dt_parameters(t: *mut jl_value_t) -> *mut jl_value_t;
    fn jlrs_core_dt_field_names(t: *mut jl_value_t) -> *mut jl_value_t;
    fn jlrs_core_dt_field_types(t: *mut jl_value_t) -> *mut jl_value_t;
    fn jlrs_core_svec_len(s: *mut jl_value_t) -> usize;
    fn jlrs_core_svec_ref(s: *mut jl_value_t, i: usize) -> *mut jl_value_t;
}

/// A Julia `DataType` (a concrete or abstract type that is not a `Union` or a
/// `UnionAll`), rooted for `'scope`.
///
/// ```
/// use jlrs_core::{DataType, InitOptions, Runtime};
///
/// let mut rt = Runtime::init(InitOptions::new()).expect("cannot start Julia");
/// rt.julia().scope(|mut frame| {
///     let z = frame.eval("1.0 + 2.0im").unwrap();
///     let ty = DataType::of(z);
///     assert_eq!(ty.name(), "Complex");
///     assert_eq!((ty.size(), ty.align()), (Some(16), Some(8)));
///     assert_eq!(ty.field_names(), ["re", "im"]);
///     assert!(ty.isbits() && !ty.is_mutable());
///     let params = ty.parameters(&mut frame);
///     assert_eq!(DataType::from_value(params[0]).unwrap().name(), "Float64");
/// });
/// ```
#[derive(Clone, Copy)]
#[repr(transparent)]
pub struct DataType<'scope>(Value<'scope>);

static_assertions::assert_not_impl_any!(DataType<'static>: Send, Sync);

impl std::fmt::Debug for DataType<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "DataType({})", self.name())
    }
}

impl<'scope> DataType<'scope> {
    /// The type of `value` (`typeof(value)`), alive as long as the value.
    pub fn of(value: Value<'scope>) -> Self {
        // SAFETY: the value is valid; its type is reachable from it (its tag), so it lives
        // at least as long as the value; every value's type is a DataType.
        let ty = unsafe { sys::jlrs_core_typeof(value.raw()) };
        // SAFETY: as above; the tag is never null.
        DataType(unsafe { Value::wrap(std::ptr::NonNull::new_unchecked(ty)) })
    }

    /// `value` as a `DataType`; an error if it is something else (`Int64` is one;
    /// `Complex`, a `UnionAll`, and `Union{Int, Nothing}` are not, nor is `1`).
    pub fn from_value(value: Value<'scope>) -> JlResult<Self> {
        // SAFETY: the value is valid.
        if unsafe { jlrs_core_is_datatype(value.raw()) } != 0 {
            Ok(DataType(value))
        } else {
            Err(JuliaError::WrongType {
                expected: "DataType".into(),
                found: value.type_name(),
            })
        }
    }

    /// The type as a [`Value`].
    pub fn as_value(self) -> Value<'scope> {
        self.0
    }

    fn raw(self) -> *mut jl_value_t {
        self.0.raw()
    }

    /// The type's name without parameters (`"Complex"` for `Complex{Float64}`).
    pub fn name(self) -> String {
        // SAFETY: a DataType; its name is a permanent symbol.
        unsafe { CStr::from_ptr(jlrs_core_dt_name(self.raw())) }
            .to_string_lossy()
            .into_owned()
    }

    /// The supertype (`Any` for `Any`), rooted in `frame`.
    ///
    /// # Panics
    /// If the thread may not call Julia now (see [`GcFrame`]).
    #[track_caller]
    pub fn super_type<'t>(self, frame: &mut GcFrame<'t>) -> DataType<'t> {
        crate::calls::callable::assert_callable();
        // SAFETY: a DataType; its supertype is a DataType reachable from it; rooted at
        // once.
        DataType(unsafe { frame.root(jlrs_core_dt_super(self.raw())) }.expect("a type"))
    }

    fn has_layout(self) -> bool {
        // SAFETY: a DataType.
        unsafe { jlrs_core_dt_has_layout(self.raw()) != 0 }
    }

    /// The size in bytes of a value of this type (of its inline data for an isbits type,
    /// of the object for others); `None` for a type with no layout (abstract, or with
    /// free parameters).
    pub fn size(self) -> Option<usize> {
        // SAFETY: a DataType with a layout.
        self.has_layout()
            .then(|| unsafe { jlrs_core_dt_size(self.raw()) })
    }

    /// The alignment in bytes; `None` for a type with no layout.
    #[doc(alias = "alignment")]
    pub fn align(self) -> Option<usize> {
        // SAFETY: a DataType with a layout.
        self.has_layout()
            .then(|| unsafe { jlrs_core_dt_align(self.raw()) })
    }

    /// The number of fields; `None` for an abstract type and a tuple type of any length
    /// (`Tuple{Vararg{Int}}`).
    #[doc(alias = "nfields")]
    pub fn n_fields(self) -> Option<usize> {
        if self.is_abstract() {
            return None;
        }
        if self.has_layout() {
            // SAFETY: a DataType with a layout.
            return Some(unsafe { jlrs_core_dt_layout_nfields(self.raw()) });
        }
        // SAFETY: a DataType.
        unsafe {
            if jlrs_core_dt_is_tuple(self.raw()) != 0 {
                if jlrs_core_dt_is_vararg_tuple(self.raw()) != 0 {
                    return None;
                }
                return Some(jlrs_core_svec_len(jlrs_core_dt_parameters(self.raw())));
            }
            Some(jlrs_core_svec_len(jlrs_core_dt_field_names(self.raw())))
        }
    }

    /// The field names, in order (`"1"`, `"2"`, ... for a tuple type; empty for an
    /// abstract type).
    pub fn field_names(self) -> Vec<String> {
        let n = self.n_fields().unwrap_or(0);
        // SAFETY: a DataType.
        if unsafe { jlrs_core_dt_is_tuple(self.raw()) } != 0 {
            return (1..=n).map(|i| i.to_string()).collect();
        }
        // SAFETY: a DataType; its names are a simple vector of permanent symbols with
        // (for a type that is not a tuple) one per field.
        unsafe {
            let names = jlrs_core_dt_field_names(self.raw());
            let n = n.min(jlrs_core_svec_len(names));
            (0..n)
                .map(|i| {
                    CStr::from_ptr(jlrs_core_symbol_name(jlrs_core_svec_ref(names, i)))
                        .to_string_lossy()
                        .into_owned()
                })
                .collect()
        }
    }

    /// The declared field types, in order, rooted in `frame` (type variables for a type
    /// with free parameters); empty for an abstract type. Julia's exception if it cannot
    /// compute them.
    pub fn field_types<'t>(self, frame: &mut GcFrame<'t>) -> JlResult<Vec<Value<'t>>> {
        crate::calls::callable::check_callable()?;
        if self.is_abstract() {
            return Ok(Vec::new());
        }
        // SAFETY: a DataType; the shim catches Julia's exception (null, pending); the
        // vector is rooted at once, then each element (reachable from it).
        unsafe {
            let types = frame.root(jlrs_core_dt_field_types(self.raw()))?;
            let n = jlrs_core_svec_len(types.raw());
            (0..n)
                .map(|i| frame.root(jlrs_core_svec_ref(types.raw(), i)))
                .collect()
        }
    }

    /// The byte offset of field `i` in a value of this type; `None` for a type with no
    /// layout or an index out of range.
    pub fn field_offset(self, i: usize) -> Option<usize> {
        let n = self.has_layout().then(|| self.n_fields()).flatten()?;
        // SAFETY: a DataType with a layout; `i` is in range.
        (i < n).then(|| unsafe { jlrs_core_dt_field_offset(self.raw(), i) })
    }

    /// Whether field `i` is stored as a pointer to a boxed value (not inline); `None` for
    /// a type with no layout or an index out of range.
    pub fn field_is_pointer(self, i: usize) -> Option<bool> {
        let n = self.has_layout().then(|| self.n_fields()).flatten()?;
        // SAFETY: a DataType with a layout; `i` is in range.
        (i < n).then(|| unsafe { jlrs_core_dt_field_isptr(self.raw(), i) != 0 })
    }

    /// The type parameters (`[Float64]` for `Complex{Float64}`, `[Int64, 1]` for
    /// `Array{Int64, 1}`), rooted in `frame`.
    ///
    /// # Panics
    /// If the thread may not call Julia now (see [`GcFrame`]).
    #[track_caller]
    pub fn parameters<'t>(self, frame: &mut GcFrame<'t>) -> Vec<Value<'t>> {
        crate::calls::callable::assert_callable();
        // SAFETY: a DataType; its parameters are a simple vector reachable from it; each
        // element is rooted at once.
        unsafe {
            let params = jlrs_core_dt_parameters(self.raw());
            (0..jlrs_core_svec_len(params))
                .map(|i| {
                    frame
                        .root(jlrs_core_svec_ref(params, i))
                        .expect("parameters are values")
                })
                .collect()
        }
    }

    /// The number of type parameters.
    pub fn n_parameters(self) -> usize {
        // SAFETY: a DataType; its parameters are a simple vector.
        unsafe { jlrs_core_svec_len(jlrs_core_dt_parameters(self.raw())) }
    }

    /// `isbitstype`: immutable, concrete and without references, so stored inline.
    #[doc(alias = "is_bits")]
    pub fn isbits(self) -> bool {
        // SAFETY: a DataType.
        unsafe { jlrs_core_dt_is_bits(self.raw()) != 0 }
    }

    /// Whether values of this type are stored inline in arrays and fields.
    #[doc(alias = "is_inline_alloc")]
    pub fn isinlinealloc(self) -> bool {
        // SAFETY: a DataType.
        unsafe { jlrs_core_dt_is_inline_alloc(self.raw()) != 0 }
    }

    /// Whether the type is `mutable struct`.
    #[doc(alias = "mutable")]
    pub fn is_mutable(self) -> bool {
        // SAFETY: a DataType.
        unsafe { jlrs_core_dt_is_mutable(self.raw()) != 0 }
    }

    /// Whether the type is `abstract type`.
    pub fn is_abstract(self) -> bool {
        // SAFETY: a DataType.
        unsafe { jlrs_core_dt_is_abstract(self.raw()) != 0 }
    }

    /// Whether the type can have instances (`isconcretetype`).
    pub fn is_concrete(self) -> bool {
        // SAFETY: a DataType.
        unsafe { jlrs_core_dt_is_concrete(self.raw()) != 0 }
    }
}

impl<'scope> TryFrom<Value<'scope>> for DataType<'scope> {
    type Error = JuliaError;

    fn try_from(value: Value<'scope>) -> JlResult<Self> {
        DataType::from_value(value)
    }
}

impl crate::convert::Typecheck for DataType<'_> {
    fn typecheck(value: Value<'_>) -> bool {
        DataType::from_value(value).is_ok()
    }
}
