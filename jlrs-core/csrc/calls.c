// Tuples, fields and type layouts: the layout-dependent half of jlrs-core's `tuple.rs`,
// `fields.rs`, `strings.rs` and `bits/mod.rs` (keyword calls and named tuples are in
// `kw_cache.c`).

#include <julia.h>

int jlrs_core_is_nothing(jl_value_t *v) { return jl_is_nothing(v); }

jl_value_t *jlrs_core_nothing(void) { return jl_nothing; }

// Julia's preallocated `OutOfMemoryError()`, for when not even an exception can be made.
jl_value_t *jlrs_core_memory_exception(void) { return jl_memory_exception; }

int jlrs_core_is_tuple(jl_value_t *v) { return jl_is_tuple(v); }

// The number of fields of `v`'s type (0 for types without a layout).
size_t jlrs_core_nfields(jl_value_t *v)
{
    jl_datatype_t *t = (jl_datatype_t *)jl_typeof(v);
    return t->layout ? jl_datatype_nfields(t) : 0;
}

// The index of the field called `name` of `v`'s type, or -1.
int jlrs_core_field_index(jl_value_t *v, jl_sym_t *name)
{
    jl_datatype_t *t = (jl_datatype_t *)jl_typeof(v);
    if (!t->layout || jl_is_tuple(v))
        return -1;
    return jl_field_index(t, name, 0);
}

// Field `i` of `v` (boxed if stored inline), or NULL if it is undefined. `i` is in range.
jl_value_t *jlrs_core_get_field(jl_value_t *v, size_t i)
{
    jl_datatype_t *t = (jl_datatype_t *)jl_typeof(v);
    if (!jl_field_isdefined(v, i))
        return NULL;
    (void)t;
    return jl_get_nth_field(v, i);
}

// --- Layouts of bits types ------------------------------------------------------------

// 1 if `t` is a concrete isbits DataType, 2 if it is also a primitive type, else 0.
int jlrs_core_bits_kind(jl_value_t *t)
{
    if (!jl_is_datatype(t) || !jl_isbits(t))
        return 0;
    return jl_is_primitivetype(t) ? 2 : 1;
}

size_t jlrs_core_datatype_size(jl_value_t *t) { return jl_datatype_size(t); }

size_t jlrs_core_datatype_nfields(jl_value_t *t) { return jl_datatype_nfields(t); }

size_t jlrs_core_datatype_field_offset(jl_value_t *t, size_t i)
{
    return jl_field_offset((jl_datatype_t *)t, (int)i);
}

// The type of field `i` of a concrete datatype (rooted by the datatype).
jl_value_t *jlrs_core_datatype_field_type(jl_value_t *t, size_t i)
{
    return jl_field_type_concrete((jl_datatype_t *)t, i);
}

// The name of field `i` of the datatype `t`, or NULL for a tuple type (its fields are
// numbered).
const char *jlrs_core_datatype_field_name(jl_value_t *t, size_t i)
{
    jl_datatype_t *dt = (jl_datatype_t *)t;
    if (dt->name == jl_tuple_typename)
        return NULL;
    return jl_symbol_name(jl_field_name(dt, i));
}

// A boxed copy of the bits at `data`, which hold a value of the isbits type `t`.
jl_value_t *jlrs_core_new_bits(jl_value_t *t, const void *data)
{
    return jl_new_bits(t, (void *)data);
}

// Where the bits of an isbits value are stored.
const void *jlrs_core_data_ptr(jl_value_t *v) { return jl_data_ptr(v); }
