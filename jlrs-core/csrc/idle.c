// Sleeping and waking hosted threads the way Julia 1.5's scheduler does (src/partr.c), so
// that an idle hosted thread sleeps where Julia's own wake-ups reach it.
//
// A Julia thread that may sleep sets its `sleep_check_state` to `sleeping`, checks for work
// once more, then waits on its `wake_signal` while the state stays `sleeping`. Whoever queues
// work for it (Julia's `schedule`, through `jl_wakeup_thread`, or a Rust waker, through
// `jlrs_core_idle_wake`) first publishes the work, then changes the state from `sleeping` to
// `not_sleeping` with a compare-and-swap and signals if that succeeded. Both sides use sequentially consistent atomics, so at least
// one of them sees the other: no wake-up is lost.

#include <julia.h>
#include <uv.h>

// The states of `jl_tls_states_t.sleep_check_state` in Julia 1.5.3 (src/partr.c; checked
// against libjulia's `wake_thread`, which swaps 1 for 0).
#define JLRS_NOT_SLEEPING 0
#define JLRS_SLEEPING 1

// The calling Julia thread's state block, for waking it from other threads.
void *jlrs_core_idle_ptls(void) { return (void *)jl_get_ptls_states(); }

// Announces that the calling thread may sleep: work queued from now on wakes it.
void jlrs_core_idle_announce(void)
{
    jl_ptls_t ptls = jl_get_ptls_states();
    __atomic_store_n(&ptls->sleep_check_state, JLRS_SLEEPING, __ATOMIC_SEQ_CST);
}

// Withdraws the announcement: the calling thread runs again.
void jlrs_core_idle_cancel(void)
{
    jl_ptls_t ptls = jl_get_ptls_states();
    if (__atomic_load_n(&ptls->sleep_check_state, __ATOMIC_SEQ_CST) != JLRS_NOT_SLEEPING)
        __atomic_store_n(&ptls->sleep_check_state, JLRS_NOT_SLEEPING, __ATOMIC_SEQ_CST);
}

// Sleeps, GC-safe, until the announcement is withdrawn by a waker.
void jlrs_core_idle_sleep(void)
{
    jl_ptls_t ptls = jl_get_ptls_states();
    int8_t gc_state = jl_gc_safe_enter(ptls);
    uv_mutex_lock(&ptls->sleep_lock);
    while (__atomic_load_n(&ptls->sleep_check_state, __ATOMIC_SEQ_CST) == JLRS_SLEEPING)
        uv_cond_wait(&ptls->wake_signal, &ptls->sleep_lock);
    uv_mutex_unlock(&ptls->sleep_lock);
    jl_gc_safe_leave(ptls, gc_state);
}

// Wakes the thread whose state block is `other` if it sleeps (as partr.c's `wake_thread`).
// Callable from any thread, Julia's or not, GC-safe or not: it only touches atomics and the
// sleeping thread's own mutex and condition.
//
// The state is read before the compare-and-swap: a thread that is not sleeping (the common
// case of a busy or spinning worker) then costs a shared read of its state block instead of
// taking that cache line away from it. The read is sequentially consistent like the swap, so
// the argument above still holds: if it sees `not_sleeping`, the sleeper's announcement comes
// later in the single order and the sleeper's check of its flag sees the waker's flag.
void jlrs_core_idle_wake(void *other_)
{
    jl_ptls_t other = (jl_ptls_t)other_;
    if (__atomic_load_n(&other->sleep_check_state, __ATOMIC_SEQ_CST) != JLRS_SLEEPING)
        return;
    int8_t expected = JLRS_SLEEPING;
    if (__atomic_compare_exchange_n(&other->sleep_check_state, &expected, JLRS_NOT_SLEEPING, 0,
                                    __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST)) {
        uv_mutex_lock(&other->sleep_lock);
        uv_cond_signal(&other->wake_signal);
        uv_mutex_unlock(&other->sleep_lock);
    }
}
