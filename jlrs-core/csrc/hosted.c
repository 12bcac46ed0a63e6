// The entry of a hosted loop's Julia task: runs the Rust loop inside a Julia exception
// handler, so that an exception that jumps over Rust frames ends the process clearly
// instead of silently leaving the loop's thread claimed and its joiners waiting.

#include <julia.h>

// The head of the Rust `Payload` (`#[repr(C)]`, these two fields first).
typedef struct {
    void (*run)(void *payload);
    void (*escaped)(void *payload, const char *exception_type);
} jlrs_core_hosted_head_t;

// Rust code catches its own panics and checks every Julia call, so an exception reaching
// this handler has skipped Rust frames without running them to their end: Julia's signal
// handler turns a Rust stack overflow (a touch of the task's guard page) into a
// `StackOverflowError` and throws it from the faulting frame. Those frames cannot be
// resumed or cleaned up; `escaped` reports it and aborts the process.
void jlrs_core_hosted_guard(void *payload)
{
    jlrs_core_hosted_head_t *head = (jlrs_core_hosted_head_t *)payload;
    JL_TRY {
        head->run(payload);
    }
    JL_CATCH {
        head->escaped(payload, jl_typeof_str(jl_current_exception()));
    }
}
