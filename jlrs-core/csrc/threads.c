// What kind of thread the caller is: one of Julia's threads or not, and its GC state.

#include <julia.h>

// -1 if the calling thread is not one of Julia's threads (Julia never set up its
// thread-local state, so its safepoint page is unset); otherwise the thread's GC state
// (0: GC-unsafe, it may call Julia; non-zero: GC-safe).
int jlrs_core_thread_state(void)
{
    jl_ptls_t ptls = jl_get_ptls_states();
    if (ptls->safepoint == NULL)
        return -1;
    return ptls->gc_state;
}
