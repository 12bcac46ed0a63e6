// Declarations the C files of the shim share.

#ifndef JLRS_CORE_SHIM_H
#define JLRS_CORE_SHIM_H

#include <julia.h>

// Makes the exception caught by the enclosing JL_CATCH the one `jl_exception_occurred`
// reports, as `jl_call` does, so that Rust reads it the same way after any shim call.
void jlrs_core_keep_exception(void);

// The online-CPU count Julia reads during `jl_init` (`cpus.c`): raised to `n` for the
// calling thread's next query, then back to the machine's.
void jlrs_core_cpus_raise_for_init(long n);
void jlrs_core_cpus_end_init(void);

// `f(args...; kwargs...)` through the keyword sorter of `typeof(f)`, with the named tuple
// `kwargs` (`named_tuple.c`); NULL with the exception pending when it throws.
jl_value_t *jlrs_core_call_kw_named_tuple(jl_value_t *f, jl_value_t **args, size_t nargs,
                                          jl_value_t *kwargs);

#endif
