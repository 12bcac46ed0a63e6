//! Reading the fields of any Julia value (structs, tuples, named tuples) by name or index.

use crate::{
    error::JlResult, error::JuliaError, rooting::frame::GcFrame, sys, sys::calls as c,
    values::strings::field_name, values::symbol::symbol, values::value::Value,
};

impl<'scope> Value<'scope> {
    /// The number of fields of this value's type.
    pub fn n_fields(self) -> usize {
        // SAFETY: the value is valid.
        unsafe { c::jlrs_core_nfields(self.raw()) }
    }

    /// The names of this value's fields, in order (`"1"`, `"2"`, ... for a tuple).
    pub fn field_names(self) -> Vec<String> {
        (0..self.n_fields()).map(|i| self.field_name(i)).collect()
    }

    /// The name of field `i`, which is in range.
    fn field_name(self, i: usize) -> String {
        // SAFETY: the value is valid, so is its type; `i < n_fields()`, which is 0 for a
        // type without a layout.
        unsafe { field_name(sys::jlrs_core_typeof(self.raw()), i) }
    }

    /// The field called `name`, rooted in `frame` (a field stored inline is boxed).
    ///
    /// An error names the type and the field if there is no such field, or if it is
    /// undefined.
    pub fn field<'t>(self, frame: &mut GcFrame<'t>, name: &str) -> JlResult<Value<'t>> {
        let sym = symbol(name)?;
        // SAFETY: the value is valid; the symbol is permanent.
        let index = unsafe { c::jlrs_core_field_index(self.raw(), sym) };
        let Ok(index) = usize::try_from(index) else {
            // Tuples have numbered fields: "1" is the first.
            if self.is_tuple() {
                if let Some(i) = name.parse::<usize>().ok().filter(|&i| i >= 1) {
                    if i <= self.n_fields() {
                        return self.field_at(frame, i - 1);
                    }
                }
            }
            return Err(JuliaError::NoSuchField {
                type_name: self.type_name(),
                field: name.to_string(),
            });
        };
        self.field_at(frame, index)
    }

    /// The field at 0-based index `i`, rooted in `frame` (a field stored inline is
    /// boxed).
    pub fn field_at<'t>(self, frame: &mut GcFrame<'t>, i: usize) -> JlResult<Value<'t>> {
        let n = self.n_fields();
        if i >= n {
            return Err(JuliaError::FieldIndex {
                type_name: self.type_name(),
                index: i,
                n_fields: n,
            });
        }
        // SAFETY: `i` is in range; boxing an inline field allocates but cannot throw.
        let raw = unsafe { c::jlrs_core_get_field(self.raw(), i) };
        if raw.is_null() {
            return Err(JuliaError::UndefinedField {
                type_name: self.type_name(),
                field: self.field_name(i),
            });
        }
        // SAFETY: `raw` was just returned, with no allocation since.
        unsafe { frame.root(raw) }
    }
}
