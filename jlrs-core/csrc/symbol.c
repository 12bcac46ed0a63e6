// Symbols: the layout-dependent half of jlrs-core's `symbol.rs`.

#include <julia.h>

const char *jlrs_core_symbol_name(jl_value_t *s) { return jl_symbol_name((jl_sym_t *)s); }

int jlrs_core_is_symbol(jl_value_t *v) { return jl_is_symbol(v); }
