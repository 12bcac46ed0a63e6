// The layout-dependent half of jlrs-core: everything that reads a Julia struct field or
// expands a header macro lives here, compiled against the installed Julia's headers.

#include <julia.h>
#include <julia_gcext.h>

#include "shim.h"

// Exported by libjulia 1.5 but absent from its headers.
extern JL_DLLEXPORT int jl_n_threads;

void jlrs_core_keep_exception(void)
{
    jl_get_ptls_states()->previous_exception = jl_current_exception();
}

// Starts Julia with `nthreads` threads, however many CPUs the machine shows: Julia's
// one read of the online-CPU count during `jl_init` answers `nthreads` if that is more
// (`cpus.c`).
void jlrs_core_init(const char *bindir, const char *image, int nthreads)
{
    jl_options.nthreads = nthreads;
    jlrs_core_cpus_raise_for_init(nthreads);
    jl_init_with_image(bindir, image);
    jlrs_core_cpus_end_init();
}

int jlrs_core_n_threads(void) { return jl_n_threads; }

// 1-based id of the calling Julia thread.
int jlrs_core_thread_id(void) { return (int)jl_get_ptls_states()->tid + 1; }


jl_value_t *jlrs_core_typeof(jl_value_t *v) { return jl_typeof(v); }

const char *jlrs_core_string_data(jl_value_t *s) { return jl_string_data(s); }

size_t jlrs_core_string_len(jl_value_t *s) { return jl_string_len(s); }

int jlrs_core_is_module(jl_value_t *v) { return jl_is_module(v); }

jl_value_t *jlrs_core_exception_occurred(void) { return jl_exception_occurred(); }

void jlrs_core_exception_clear(void) { jl_exception_clear(); }

void jlrs_core_gc_collect(int full) { jl_gc_collect(full ? JL_GC_FULL : JL_GC_AUTO); }

void jlrs_core_set_root_scanner(jl_gc_cb_root_scanner_t cb) { jl_gc_set_cb_root_scanner(cb, 1); }

void jlrs_core_mark(jl_value_t *v) { jl_gc_mark_queue_obj(jl_get_ptls_states(), v); }

int8_t jlrs_core_gc_safe_enter(void) { return jl_gc_safe_enter(jl_get_ptls_states()); }

void jlrs_core_gc_safe_leave(int8_t state) { jl_gc_safe_leave(jl_get_ptls_states(), state); }

int8_t jlrs_core_gc_unsafe_enter(void) { return jl_gc_unsafe_enter(jl_get_ptls_states()); }

void jlrs_core_gc_unsafe_leave(int8_t state) { jl_gc_unsafe_leave(jl_get_ptls_states(), state); }

int8_t jlrs_core_gc_state(void) { return jl_get_ptls_states()->gc_state; }

#include <uv.h>

int jlrs_core_uv_async_send(void *handle) { return uv_async_send((uv_async_t *)handle); }
