// Keyword calls with a named-tuple type made once and cached by Rust (`kw/cache.rs`):
// building the type, and calling the keyword sorter with a value of a given type.

#include <julia.h>

#include "shim.h"

// `NamedTuple{names, Tuple{typeof.(vals)...}}`. Throws on bad input; callers catch.
static jl_value_t *named_tuple_type_throwing(jl_sym_t **names, jl_value_t **vals, size_t n)
{
    jl_value_t *ntt = NULL, *names_tuple = NULL, *types = NULL, *nt_type = NULL;
    JL_GC_PUSH4(&ntt, &names_tuple, &types, &nt_type);
    jl_value_t **tmp;
    JL_GC_PUSHARGS(tmp, n + 1);
    for (size_t i = 0; i < n; i++)
        tmp[i] = (jl_value_t *)jl_symbol_type;
    ntt = (jl_value_t *)jl_apply_tuple_type_v(tmp, n);
    for (size_t i = 0; i < n; i++)
        tmp[i] = (jl_value_t *)names[i];
    names_tuple = jl_new_structv((jl_datatype_t *)ntt, tmp, (uint32_t)n);
    for (size_t i = 0; i < n; i++)
        tmp[i] = jl_typeof(vals[i]);
    types = (jl_value_t *)jl_apply_tuple_type_v(tmp, n);
    nt_type = jl_apply_type2((jl_value_t *)jl_namedtuple_type, names_tuple, types);
    JL_GC_POP();
    JL_GC_POP();
    return nt_type;
}

// The type of `(; names .=> vals...)`, or NULL with the exception pending.
jl_value_t *jlrs_core_named_tuple_type(jl_sym_t **names, jl_value_t **vals, size_t n)
{
    jl_value_t *t = NULL;
    JL_TRY {
        t = named_tuple_type_throwing(names, vals, n);
    }
    JL_CATCH {
        jlrs_core_keep_exception();
        t = NULL;
    }
    return t;
}

// `nt_type(vals)`: `nt_type` is the named-tuple type of `vals` (made by
// `jlrs_core_named_tuple_type` for values of these types). NULL with the exception
// pending.
jl_value_t *jlrs_core_new_typed_named_tuple(jl_value_t *nt_type, jl_value_t **vals, size_t n)
{
    jl_value_t *nt = NULL;
    JL_TRY {
        nt = jl_new_structv((jl_datatype_t *)nt_type, vals, (uint32_t)n);
    }
    JL_CATCH {
        jlrs_core_keep_exception();
        nt = NULL;
    }
    return nt;
}

// `f(args...; names .=> vals...)` through the keyword sorter of `typeof(f)`, with the named
// tuple of type `nt_type` (as `jlrs_core_new_typed_named_tuple`). NULL with the exception
// pending when it throws.
jl_value_t *jlrs_core_call_kw_typed(jl_value_t *f, jl_value_t **args, size_t nargs,
                                    jl_value_t *nt_type, jl_value_t **vals, size_t nkw)
{
    jl_value_t *nt = jlrs_core_new_typed_named_tuple(nt_type, vals, nkw);
    if (nt == NULL)
        return NULL;
    jl_value_t *result = NULL;
    JL_GC_PUSH1(&nt);
    result = jlrs_core_call_kw_named_tuple(f, args, nargs, nt);
    JL_GC_POP();
    return result;
}
