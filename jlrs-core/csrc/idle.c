// Waking a hosted thread that sleeps in Julia 1.5's own scheduler (`jl_task_get_next`,
// src/partr.c), from any thread, the way Julia's `wake_thread` does.
//
// An idle hosted loop waits in `jl_task_get_next` itself (`src/julia/idle.jl`): Julia's
// loop looks for work, spins, and finally sleeps. Before it sleeps it swaps its
// `sleep_check_state` to `sleeping` and looks once more (which asks the loop's `trypop`
// hook, and so the Rust flag); then it waits on its `wake_signal` while the state stays
// `sleeping`. A Rust waker first sets the flag, then changes the state from `sleeping` to
// `not_sleeping` with a compare-and-swap and signals if that succeeded. Both sides use
// sequentially consistent atomics, so at least one of them sees the other: no wake-up is
// lost. The machine code these facts were read from is quoted in ARCHITECTURE.md
// ("Julia internals the hosted loops rely on").

#include <stdlib.h>
#include <julia.h>
#include <uv.h>

// The states of `jl_tls_states_t.sleep_check_state` in Julia 1.5.3 (`wake_thread` swaps 1
// for 0 with `lock cmpxchg`; `jl_task_get_next` sleeps while it reads 1).
#define JLRS_NOT_SLEEPING 0
#define JLRS_SLEEPING 1

// Exported by libjulia 1.5 but declared in no installed header.
extern int jl_in_threaded_region(void);
extern void jl_iolock_begin(void);
extern void jl_iolock_end(void);

// Wakes libuv out of `uv_run` (see `jlrs_core_idle_wake`). Set once at start-up; Julia's
// exit hook closes and frees it with the loop's other handles, after every hosted loop has
// returned and no threaded region runs, so it is never used afterwards.
static uv_async_t *kick;

static void kick_cb(uv_async_t *handle) { (void)handle; }

// Creates `kick` on Julia's event loop. Called once, on thread 1, at start-up. Returns 0 on
// success.
int jlrs_core_idle_init(void)
{
    // Zeroed: Julia's exit hook closes every handle of the loop and treats a non-null
    // `data` as the Julia object that owns the handle.
    uv_async_t *handle = (uv_async_t *)calloc(1, sizeof(uv_async_t));
    if (!handle)
        return -1;
    jl_iolock_begin();
    int err = uv_async_init(jl_global_event_loop(), handle, kick_cb);
    handle->data = NULL;
    if (err == 0)
        uv_unref((uv_handle_t *)handle); // never keeps the loop alive
    jl_iolock_end();
    if (err != 0) {
        free(handle);
        return err;
    }
    __atomic_store_n(&kick, handle, __ATOMIC_SEQ_CST);
    return 0;
}

// The calling Julia thread's state block, for waking it from other threads.
void *jlrs_core_idle_ptls(void) { return (void *)jl_get_ptls_states(); }

// The calling thread's `sleep_check_state` (for the start-up self-check).
int jlrs_core_idle_state_of(void *ptls_)
{
    jl_ptls_t ptls = (jl_ptls_t)ptls_;
    return __atomic_load_n(&ptls->sleep_check_state, __ATOMIC_SEQ_CST);
}

// Wakes the thread whose state block is `other` if it sleeps (as partr.c's `wake_thread`).
// Callable from any thread, Julia's or not, GC-safe or not: it only touches atomics, the
// sleeping thread's own mutex and condition, and libuv's thread-safe `uv_async_send`.
//
// The state is read before the compare-and-swap: a thread that is not sleeping (the common
// case of a busy or spinning worker) then costs a shared read of its state block instead of
// taking that cache line away from it. The read is sequentially consistent like the swap,
// and the caller's flag store before it is too, so the argument above still holds: if it
// sees `not_sleeping`, the sleeper's swap to `sleeping` comes later in the single order and
// its look at the flag afterwards sees the waker's flag.
//
// Inside a threaded region (`Threads.@threads`) a sleeping Julia thread may be the one that
// runs libuv's loop, blocked in `uv_run` rather than on its condition. Julia's own
// `jl_wakeup_thread` then wakes libuv too (it knows which thread holds the loop; that lock
// is not exported). This does the same whenever it woke a sleeper while a threaded region
// runs: `uv_run` returns and the thread, no longer `sleeping`, looks for work again. A
// region that ends after the read has woken libuv itself (`jl_exit_threaded_region`).
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
        if (jl_in_threaded_region()) {
            uv_async_t *handle = __atomic_load_n(&kick, __ATOMIC_SEQ_CST);
            if (handle)
                uv_async_send(handle);
        }
    }
}
