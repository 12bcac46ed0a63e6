// Type introspection: the layout-dependent half of jlrs-core's `datatype.rs`. Every
// function takes a `jl_datatype_t` (checked by `jlrs_core_is_datatype` first).

#include <julia.h>

#include "shim.h"

int jlrs_core_is_datatype(jl_value_t *v) { return jl_is_datatype(v); }

static jl_datatype_t *dt(jl_value_t *t) { return (jl_datatype_t *)t; }

const char *jlrs_core_dt_name(jl_value_t *t) { return jl_symbol_name(dt(t)->name->name); }

jl_value_t *jlrs_core_dt_super(jl_value_t *t) { return (jl_value_t *)dt(t)->super; }

int jlrs_core_dt_has_layout(jl_value_t *t) { return dt(t)->layout != NULL; }

// Only for types with a layout.
size_t jlrs_core_dt_size(jl_value_t *t) { return jl_datatype_size(dt(t)); }
size_t jlrs_core_dt_align(jl_value_t *t) { return jl_datatype_align(dt(t)); }
size_t jlrs_core_dt_layout_nfields(jl_value_t *t) { return jl_datatype_nfields(dt(t)); }
size_t jlrs_core_dt_field_offset(jl_value_t *t, size_t i) { return jl_field_offset(dt(t), (int)i); }
int jlrs_core_dt_field_isptr(jl_value_t *t, size_t i) { return jl_field_isptr(dt(t), (int)i); }

int jlrs_core_dt_is_abstract(jl_value_t *t) { return dt(t)->abstract; }
int jlrs_core_dt_is_mutable(jl_value_t *t) { return dt(t)->mutabl; }
int jlrs_core_dt_is_concrete(jl_value_t *t) { return dt(t)->isconcretetype; }
int jlrs_core_dt_is_bits(jl_value_t *t) { return dt(t)->isbitstype; }
int jlrs_core_dt_is_inline_alloc(jl_value_t *t) { return jl_datatype_isinlinealloc(dt(t)); }
int jlrs_core_dt_is_tuple(jl_value_t *t) { return dt(t)->name == jl_tuple_typename; }
// Whether the tuple type `t` ends in a `Vararg` (`jl_is_va_tuple` needs a function libjulia
// 1.5 does not export: the `UnionAll`s are unwrapped here).
int jlrs_core_dt_is_vararg_tuple(jl_value_t *t)
{
    size_t n = jl_svec_len(dt(t)->parameters);
    if (n == 0)
        return 0;
    jl_value_t *last = jl_svecref(dt(t)->parameters, n - 1);
    while (jl_is_unionall(last))
        last = ((jl_unionall_t *)last)->body;
    return jl_is_datatype(last) && ((jl_datatype_t *)last)->name == jl_vararg_typename;
}

// Type parameters (a simple vector reachable from the type).
jl_value_t *jlrs_core_dt_parameters(jl_value_t *t) { return (jl_value_t *)dt(t)->parameters; }

// Field names, as symbols (empty for tuple types, whose fields are numbered).
jl_value_t *jlrs_core_dt_field_names(jl_value_t *t) { return (jl_value_t *)jl_field_names(dt(t)); }

// Field types, computed if needed: NULL with the exception pending if Julia cannot.
jl_value_t *jlrs_core_dt_field_types(jl_value_t *t)
{
    jl_value_t *r = NULL;
    JL_TRY {
        r = (jl_value_t *)jl_get_fieldtypes(dt(t));
    }
    JL_CATCH {
        jlrs_core_keep_exception();
        r = NULL;
    }
    return r;
}

size_t jlrs_core_svec_len(jl_value_t *s) { return jl_svec_len(s); }

jl_value_t *jlrs_core_svec_ref(jl_value_t *s, size_t i) { return jl_svecref(s, i); }
