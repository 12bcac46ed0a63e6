// What SIGINT does in a process that embeds Julia 1.5 (see src/signals.rs).
//
// Julia 1.5's init (`restore_signals`, `jl_install_default_signal_handlers`) blocks SIGINT,
// SIGTERM, SIGABRT, SIGQUIT and SIGUSR1 in the initialising thread (every Julia thread
// inherits that mask), starts a listener thread that `sigwait`s for them, and installs a
// SIGINT handler that only sets a flag. Whichever thread the kernel picks, the listener
// re-raises a SIGINT on itself with SIGINT unblocked to learn what its disposition does:
// when Julia's handler ran, it interrupts thread 1 at its next safepoint; otherwise it
// ignores the signal. A thread started before Julia (the main thread of a program that
// runs Julia on another thread) takes the signal itself and only sets that flag: Ctrl-C
// does nothing.
//
// Julia's other handlers stay as they are: SIGSEGV (GC safepoints, stack overflow),
// SIGUSR2 (suspending threads), SIGFPE, SIGTERM and the rest.

#define _GNU_SOURCE // REG_RSP, REG_RIP
#include <julia.h>
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <ucontext.h>
#include <unistd.h>
#include <uv.h>

// Exported by libjulia 1.5 but absent from its headers.
extern JL_DLLEXPORT int jl_n_threads;
extern JL_DLLEXPORT volatile sig_atomic_t jl_signal_pending;

#define POLICY_TERMINATE 0
#define POLICY_INTERRUPT_JULIA 1
#define POLICY_APPLICATION 2

static int policy = POLICY_TERMINATE;
// SIGINT's disposition before Julia started.
static struct sigaction before_julia;
// Julia's own handlers, chained to by ours.
static struct sigaction julia_sigint;
static struct sigaction julia_segv;
static struct sigaction julia_usr2;

// Per Julia thread (0-based id): the call a thread runs Julia code for (0: none, or Rust
// code runs), the Julia task that runs it, and the call an interrupt is pending for; an
// interrupt is thrown only into the call it was meant for, in that call's own task (other
// tasks the thread runs while the call waits are not interrupted). Allocated once, with
// InterruptJulia.
static volatile uint64_t *running_call = NULL;
static void *volatile *running_task = NULL;
static volatile uint64_t *pending_call = NULL;
// The call of thread 1 that Julia's listener was last told to interrupt.
static volatile uint64_t forwarded_call = 0;
// Set while thread 1 drops an interrupt whose call has ended (`drop_stale_interrupt`).
static volatile int dropping = 0;
static int n_slots = 0;
static uintptr_t page_size = 4096;
static uint64_t next_call = 1;
// The `uv_async_t` of the runtime thread's interrupt task; NULL when there is none.
static void *volatile interrupt_handle = NULL;
// When an interrupt was last handed to Julia's listener (nanoseconds, CLOCK_MONOTONIC).
static volatile int64_t last_forward = 0;

void jlrs_core_signals_before_init(int p)
{
    policy = p;
    sigaction(SIGINT, NULL, &before_julia);
}

static int64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

// Marks every thread that runs Julia code for a call now, then wakes the task that makes
// them reach a safepoint. Async-signal-safe.
static int mark_pending(void)
{
    int any = 0;
    for (int i = 1; i < n_slots; i++) {
        uint64_t call = __atomic_load_n(&running_call[i], __ATOMIC_ACQUIRE);
        if (call != 0) {
            __atomic_store_n(&pending_call[i], call, __ATOMIC_RELEASE);
            any = 1;
        }
    }
    void *h = __atomic_load_n(&interrupt_handle, __ATOMIC_ACQUIRE);
    if (any && h != NULL)
        uv_async_send((uv_async_t *)h);
    return any;
}

// The SIGINT handler with InterruptJulia.
static void sigint_interrupt(int sig, siginfo_t *info, void *uctx)
{
    int saved_errno = errno;
    mark_pending();
    if (info->si_code == SI_TKILL && info->si_pid == getpid()) {
        // Julia's listener asking what SIGINT does. Answer "interrupt" only while thread 1
        // runs Julia code for a call, no interrupt is pending there yet, and at most once
        // a second: Julia 1.5 forces an interrupt anywhere, Rust frames included, after
        // a few quick ones.
        int64_t t = now_ns();
        uint64_t call = __atomic_load_n(&running_call[0], __ATOMIC_ACQUIRE);
        if (call != 0 && jl_signal_pending == 0 && t - last_forward > 1000000000) {
            last_forward = t;
            __atomic_store_n(&forwarded_call, call, __ATOMIC_RELEASE);
            if (julia_sigint.sa_handler != SIG_DFL && julia_sigint.sa_handler != SIG_IGN)
                julia_sigint.sa_handler(sig);
        }
    }
    else {
        // Another thread took it: block SIGINT here for good (through the mask restored
        // when the handler returns) and send it to the process again, until it reaches
        // Julia's listener, which waits for it.
        sigaddset(&((ucontext_t *)uctx)->uc_sigmask, SIGINT);
        kill(getpid(), SIGINT);
    }
    errno = saved_errno;
}

// Whether the current task on thread 1 runs the call Julia's listener was told to
// interrupt (Julia itself interrupts whichever task thread 1 runs).
static int thread1_target(jl_ptls_t ptls)
{
    uint64_t call = __atomic_load_n(&running_call[0], __ATOMIC_ACQUIRE);
    return call != 0 && call == __atomic_load_n(&forwarded_call, __ATOMIC_ACQUIRE) &&
           running_task[0] == (void *)ptls->current_task;
}

// Thread 1 with a pending interrupt of Julia's, in a task or a call it is not meant for
// (see `usr2_interrupt` and `segv_interrupt`).
static int misplaced_julia_interrupt(jl_ptls_t ptls)
{
    return n_slots > 0 && ptls->tid == 0 && ptls->current_task != NULL &&
           ptls->safepoint != NULL && jl_signal_pending != 0 && !dropping &&
           !thread1_target(ptls);
}

static int same_page(uintptr_t a, uintptr_t b)
{
    return (a & ~(page_size - 1)) == (b & ~(page_size - 1));
}

static void chain(struct sigaction *to, int sig, siginfo_t *info, void *uctx)
{
    if (to->sa_flags & SA_SIGINFO)
        to->sa_sigaction(sig, info, uctx);
    else if (to->sa_handler != SIG_DFL && to->sa_handler != SIG_IGN)
        to->sa_handler(sig);
}

// Julia's SIGUSR2 handler, which throws thread 1's interrupt while the thread waits for
// events, run as in a `disable_sigint` block in a task the interrupt is not meant for:
// the interrupt stays pending, and `segv_interrupt` takes it at the next safepoint.
static void usr2_interrupt(int sig, siginfo_t *info, void *uctx)
{
    jl_ptls_t ptls = jl_get_ptls_states();
    int held = misplaced_julia_interrupt(ptls);
    if (held)
        ptls->defer_signal++;
    chain(&julia_usr2, sig, info, uctx);
    if (held)
        ptls->defer_signal--;
}

// Resumes the interrupted code in `jl_sig_throw` (it throws `ptls->sig_exception`), on
// this thread's stack below the interrupted frame's red zone, aligned as right after a
// call.
static void throw_interrupt(jl_ptls_t ptls, void *uctx)
{
#if defined(__linux__) && defined(__x86_64__)
    ucontext_t *ctx = (ucontext_t *)uctx;
    uintptr_t rsp = ((uintptr_t)ctx->uc_mcontext.gregs[REG_RSP] - 256) & ~(uintptr_t)15;
    rsp -= sizeof(void *);
    *(void **)rsp = NULL;
    ptls->bt_size = 0;
    ptls->sig_exception = jl_interrupt_exception;
    ctx->uc_mcontext.gregs[REG_RSP] = (greg_t)rsp;
    ctx->uc_mcontext.gregs[REG_RIP] = (greg_t)(uintptr_t)&jl_sig_throw;
#else
    (void)ptls;
    (void)uctx;
#endif
}

// Julia's SIGSEGV handler, then: a thread that stopped at a GC safepoint while its task
// runs Julia code for a call with an interrupt the shim keeps pending for that call
// throws `InterruptException` from there.
//
// On thread 1 Julia delivers the interrupt itself, to whichever task reaches a safepoint
// with `defer_signal` at 0. When that task does not run the call the interrupt is meant
// for (a task the thread runs while the call waits), Julia's handler takes the interrupt
// and sets the thread up to throw it; the shim undoes the throw, so that the task goes on
// where it stopped, and keeps the interrupt pending for the call, like on other threads.
// (Deferring it instead would not do: at an interrupt safepoint, `defer_signal` just fell
// to 0, and Julia would find the safepoint armed again each time it is retried.)
static void segv_interrupt(int sig, siginfo_t *info, void *uctx)
{
    jl_ptls_t ptls = jl_get_ptls_states();
    uintptr_t addr = (uintptr_t)info->si_addr;
    // Thread 1 loads `ptls->safepoint[0]` at a GC safepoint and `ptls->safepoint[-1]` at
    // an interrupt safepoint; any other fault (a stack overflow) is left to Julia.
    int misplaced = misplaced_julia_interrupt(ptls) &&
                    (same_page(addr, (uintptr_t)ptls->safepoint) ||
                     same_page(addr, (uintptr_t)(ptls->safepoint - 1)));
    uint64_t forwarded = __atomic_load_n(&forwarded_call, __ATOMIC_ACQUIRE);
#if defined(__linux__) && defined(__x86_64__)
    ucontext_t *ctx = (ucontext_t *)uctx;
    greg_t rip = ctx->uc_mcontext.gregs[REG_RIP];
    greg_t rsp = ctx->uc_mcontext.gregs[REG_RSP];
    chain(&julia_segv, sig, info, uctx);
    if (misplaced && ctx->uc_mcontext.gregs[REG_RIP] != rip) {
        ctx->uc_mcontext.gregs[REG_RIP] = rip;
        ctx->uc_mcontext.gregs[REG_RSP] = rsp;
        ptls->sig_exception = NULL;
        __atomic_store_n(&pending_call[0], forwarded, __ATOMIC_RELEASE);
        return;
    }
#else
    (void)misplaced;
    (void)forwarded;
    chain(&julia_segv, sig, info, uctx);
#endif
    int tid = ptls->tid;
    if (n_slots == 0 || tid < 0 || tid >= n_slots || ptls->current_task == NULL ||
        ptls->safepoint == NULL || ptls->defer_signal != 0)
        return;
    // A thread loads exactly `ptls->safepoint` at a GC safepoint.
    if (!same_page(addr, (uintptr_t)ptls->safepoint))
        return;
    uint64_t call = __atomic_load_n(&running_call[tid], __ATOMIC_ACQUIRE);
    if (call == 0 || __atomic_load_n(&pending_call[tid], __ATOMIC_ACQUIRE) != call ||
        running_task[tid] != (void *)ptls->current_task)
        return;
    __atomic_store_n(&pending_call[tid], 0, __ATOMIC_RELEASE);
    throw_interrupt(ptls, uctx);
}

// Called on the initialising thread right after `jl_init`; returns 0 or an errno.
int jlrs_core_signals_after_init(void)
{
    struct sigaction act;
    memset(&act, 0, sizeof act);
    sigemptyset(&act.sa_mask);
    switch (policy) {
    case POLICY_APPLICATION:
        // Whatever the application had, or installs from now on (signal-hook, tokio).
        return sigaction(SIGINT, &before_julia, NULL) ? errno : 0;
    case POLICY_INTERRUPT_JULIA:
        page_size = (uintptr_t)sysconf(_SC_PAGESIZE);
        n_slots = jl_n_threads;
        running_call = calloc((size_t)n_slots, sizeof(uint64_t));
        running_task = calloc((size_t)n_slots, sizeof(void *));
        pending_call = calloc((size_t)n_slots, sizeof(uint64_t));
        if (running_call == NULL || running_task == NULL || pending_call == NULL)
            return ENOMEM;
        // Rust code runs on this thread now: Julia's own interrupt waits for Julia code.
        jl_get_ptls_states()->defer_signal = 1;
        if (sigaction(SIGSEGV, NULL, &julia_segv))
            return errno;
        act.sa_sigaction = segv_interrupt;
        act.sa_flags = julia_segv.sa_flags | SA_SIGINFO;
        act.sa_mask = julia_segv.sa_mask;
        if (sigaction(SIGSEGV, &act, NULL))
            return errno;
        if (sigaction(SIGUSR2, NULL, &julia_usr2))
            return errno;
        act.sa_sigaction = usr2_interrupt;
        act.sa_flags = julia_usr2.sa_flags | SA_SIGINFO;
        act.sa_mask = julia_usr2.sa_mask;
        if (sigaction(SIGUSR2, &act, NULL))
            return errno;
        if (sigaction(SIGINT, NULL, &julia_sigint))
            return errno;
        act.sa_sigaction = sigint_interrupt;
        act.sa_flags = SA_SIGINFO | SA_RESTART;
        sigemptyset(&act.sa_mask);
        return sigaction(SIGINT, &act, NULL) ? errno : 0;
    default:
        // As in a program without a handler: the process ends. Julia's listener re-raises
        // the signal on itself unblocked, so it ends the process too when it takes it.
        act.sa_handler = SIG_DFL;
        return sigaction(SIGINT, &act, NULL) ? errno : 0;
    }
}

// The state a thread returns to after a call or a callback (see `jlrs_core_enter_*`).
typedef struct {
    uint64_t call;
    void *task;
    int32_t defer;
} jlrs_signal_state_t;

// Thread 1, outside every call: drops an interrupt Julia still holds for a call that has
// ended (it returned before reaching a safepoint, or the listener acted after it ended),
// so that it never lands in a later, unrelated call or task. Julia throws it at the
// interrupt safepoint below and the handler here catches it.
static void drop_stale_interrupt(jl_ptls_t ptls)
{
    if (ptls->tid != 0 || jl_signal_pending == 0)
        return;
    dropping = 1;
    JL_TRY {
        ptls->defer_signal = 0;
        jl_sigint_safepoint(ptls);
    }
    JL_CATCH {
    }
    dropping = 0;
    __atomic_store_n(&forwarded_call, 0, __ATOMIC_RELEASE);
}

// The prologue of `jlrs_core_enter_*`: saves the current thread's state in `*prev` (to
// restore later) and its thread-local states in `*ptls`, and returns 1; or, if interrupts
// are off, sets `*prev` to {0, 0} and returns 0: there is nothing to change.
static int save_signal_state(jlrs_signal_state_t *prev, jl_ptls_t *ptls)
{
    prev->call = 0;
    prev->task = NULL;
    prev->defer = 0;
    if (running_call == NULL)
        return 0;
    *ptls = jl_get_ptls_states();
    prev->defer = (*ptls)->defer_signal;
    prev->call = running_call[(*ptls)->tid];
    prev->task = running_task[(*ptls)->tid];
    return 1;
}

// Before Julia code runs for a call from Rust: the code may be interrupted.
jlrs_signal_state_t jlrs_core_enter_julia(void)
{
    jlrs_signal_state_t prev;
    jl_ptls_t ptls;
    if (!save_signal_state(&prev, &ptls))
        return prev;
    if (prev.call == 0)
        drop_stale_interrupt(ptls);
    uint64_t call = __atomic_fetch_add(&next_call, 1, __ATOMIC_RELAXED);
    int tid = ptls->tid;
    // The task first: a signal handler that sees the new call sees its task.
    running_task[tid] = (void *)ptls->current_task;
    __atomic_store_n(&running_call[tid], call, __ATOMIC_RELEASE);
    ptls->defer_signal = 0;
    return prev;
}

// Before Rust code runs (a call returned, or Julia called into Rust): no interrupt lands
// in Rust frames.
jlrs_signal_state_t jlrs_core_enter_rust(void)
{
    jlrs_signal_state_t prev;
    jl_ptls_t ptls;
    if (!save_signal_state(&prev, &ptls))
        return prev;
    __atomic_store_n(&running_call[ptls->tid], 0, __ATOMIC_RELEASE);
    ptls->defer_signal = prev.defer + 1;
    return prev;
}

// After a call or a callback: restores what `jlrs_core_enter_*` found.
void jlrs_core_signal_restore(jlrs_signal_state_t prev)
{
    if (running_call == NULL)
        return;
    jl_ptls_t ptls = jl_get_ptls_states();
    int tid = ptls->tid;
    __atomic_store_n(&running_call[tid], 0, __ATOMIC_RELEASE);
    running_task[tid] = prev.task;
    __atomic_store_n(&running_call[tid], prev.call, __ATOMIC_RELEASE);
    ptls->defer_signal = prev.defer;
    if (prev.call == 0)
        drop_stale_interrupt(ptls);
}

// Called by Julia right after Rust code it called (a callback) has returned: whether an
// interrupt the shim keeps pending arrived for the call this task runs while the Rust
// code ran; it is taken. (On thread 1, Julia's own `sigatomic_end` has already thrown the
// interrupts Julia keeps.)
int jlrs_core_take_interrupt(void)
{
    if (running_call == NULL)
        return 0;
    jl_ptls_t ptls = jl_get_ptls_states();
    int tid = ptls->tid;
    if (tid < 0 || tid >= n_slots || ptls->defer_signal != 0)
        return 0;
    uint64_t call = __atomic_load_n(&running_call[tid], __ATOMIC_ACQUIRE);
    if (call == 0 || running_task[tid] != (void *)ptls->current_task)
        return 0;
    return __atomic_compare_exchange_n(&pending_call[tid], &call, 0, 0, __ATOMIC_ACQ_REL,
                                       __ATOMIC_ACQUIRE);
}

// The runtime thread's interrupt task publishes its handle (NULL when it ends).
void jlrs_core_set_interrupt_handle(void *handle)
{
    __atomic_store_n(&interrupt_handle, handle, __ATOMIC_RELEASE);
}

int jlrs_core_interrupts_enabled(void) { return running_call != NULL; }
