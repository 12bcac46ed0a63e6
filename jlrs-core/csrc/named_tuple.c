// Named tuples as values (`values/named_tuple/value.rs`) and as the keyword arguments of a
// call (`calls/kw.rs`): the layout-dependent half.

#include <julia.h>

#include "shim.h"

// Whether `v` is a named tuple (its type is an instance of `NamedTuple{names, T}`).
int jlrs_core_is_named_tuple(jl_value_t *v) { return jl_is_namedtuple_type(jl_typeof(v)); }

// `f(args...; kwargs...)` through the keyword sorter of `typeof(f)`, where `kwargs` is a
// named tuple made by Julia or by Rust. NULL with the exception pending when it throws.
jl_value_t *jlrs_core_call_kw_named_tuple(jl_value_t *f, jl_value_t **args, size_t nargs,
                                          jl_value_t *kwargs)
{
    jl_value_t *result = NULL;
    jl_value_t **argv;
    JL_GC_PUSHARGS(argv, nargs + 2);
    argv[0] = kwargs;
    argv[1] = f;
    for (size_t i = 0; i < nargs; i++)
        argv[i + 2] = args[i];
    JL_TRY {
        jl_value_t *sorter = (jl_value_t *)jl_get_kwsorter(jl_typeof(f));
        // As `jl_call` does: run in the newest world, so that methods defined since this
        // task started are seen.
        jl_ptls_t ptls = jl_get_ptls_states();
        size_t last_age = ptls->world_age;
        ptls->world_age = jl_get_world_counter();
        result = jl_apply_generic(sorter, argv, (uint32_t)(nargs + 2));
        ptls->world_age = last_age;
    }
    JL_CATCH {
        jlrs_core_keep_exception();
        result = NULL;
    }
    JL_GC_POP();
    return result;
}
