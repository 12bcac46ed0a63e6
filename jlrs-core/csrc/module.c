// Modules and their bindings: the layout-dependent half of jlrs-core's `module.rs`.

#include <julia.h>

#include "shim.h"

// The name of the module `m`.
const char *jlrs_core_module_name(jl_value_t *m) { return jl_symbol_name(((jl_module_t *)m)->name); }

// The module that holds `m` (`m` itself for `Main` and other top modules).
jl_value_t *jlrs_core_module_parent(jl_value_t *m) { return (jl_value_t *)((jl_module_t *)m)->parent; }

// 1 if `name` already has a value as seen from `m`: defined in `m`, or imported into it
// and resolved there. Unresolved names that `m` could take from a `using` count as free,
// as in Julia, where a `const` defined first shadows them.
int jlrs_core_is_bound_here(jl_value_t *m, jl_sym_t *name)
{
    jl_module_t *mod = (jl_module_t *)m;
    return jl_binding_resolved_p(mod, name) && jl_boundp(mod, name);
}

// 1 if `name` is a constant of `m`'s own (or resolved) binding; names `m` has not resolved
// yet are not looked up in its `using`s, so assigning them makes a new global, as in Julia.
int jlrs_core_is_const_here(jl_value_t *m, jl_sym_t *name)
{
    jl_module_t *mod = (jl_module_t *)m;
    return jl_binding_resolved_p(mod, name) && jl_is_const(mod, name);
}

// 1 if the binding `name` seen from `m` is constant.
int jlrs_core_is_const(jl_value_t *m, jl_sym_t *name)
{
    return jl_is_const((jl_module_t *)m, name);
}

// `const name = v` in `m`: returns `v`, or NULL with Julia's exception pending.
jl_value_t *jlrs_core_set_const(jl_value_t *m, jl_sym_t *name, jl_value_t *v)
{
    jl_value_t *r = NULL;
    JL_TRY {
        jl_set_const((jl_module_t *)m, name, v);
        r = v;
    }
    JL_CATCH {
        jlrs_core_keep_exception();
        r = NULL;
    }
    return r;
}
