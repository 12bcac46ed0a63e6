// The entry of a Rust callback (callback.rs): runs it inside a Julia exception handler,
// so that an exception that jumps over its Rust frames ends the process clearly instead
// of leaving a held lock, a registered root stack or a half-done closure behind.

#include <julia.h>

// The head of the Rust `CallbackData` (`#[repr(C)]`, these two fields first).
typedef struct {
    jl_value_t *(*run)(void *data, jl_value_t **args, size_t n);
    void (*escaped)(void *data, const char *exception_type, int tid);
} jlrs_core_callback_head_t;

// Rust code catches its own panics and checks every Julia call, and Julia defers
// interrupts while it runs (`call_rust`), so an exception reaching this handler has
// skipped Rust frames: in practice a Rust stack overflow, which Julia's signal handler
// turns into a `StackOverflowError` thrown from the faulting frame. Those frames can
// neither continue nor be cleaned up; `escaped` reports it and aborts the process.
jl_value_t *jlrs_core_callback_guard(void *data, jl_value_t **args, size_t n)
{
    jlrs_core_callback_head_t *head = (jlrs_core_callback_head_t *)data;
    jl_value_t *volatile result = NULL;
    JL_TRY {
        result = head->run(data, args, n);
    }
    JL_CATCH {
        head->escaped(data, jl_typeof_str(jl_current_exception()),
                      jl_get_ptls_states()->tid + 1);
    }
    // No safepoint since `run` returned: the value reaches Julia, which roots it.
    return result;
}
