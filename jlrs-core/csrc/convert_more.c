// Pointers, `Float16` and the empty tuple: the layout-dependent half of jlrs-core's
// `convert/pointer.rs`, `convert/f16.rs` and `convert/tuple0.rs`.

#include <julia.h>

int jlrs_core_is_pointer(jl_value_t *v) { return jl_is_cpointer(v); }

jl_value_t *jlrs_core_box_voidpointer(void *p) { return jl_box_voidpointer(p); }

void *jlrs_core_unbox_pointer(jl_value_t *v) { return *(void **)jl_data_ptr(v); }

jl_value_t *jlrs_core_emptytuple(void) { return jl_emptytuple; }

int jlrs_core_is_emptytuple(jl_value_t *v) { return jl_typeof(v) == (jl_value_t *)jl_emptytuple_type; }
