// The online-CPU count Julia reads while it starts: `sysconf`, defined in the executable.
//
// Julia 1.5 caps its thread count at `jl_cpu_threads()`, which is
// `sysconf(_SC_NPROCESSORS_ONLN)`, read once in `jl_init_threading` before any thread
// starts. This file defines `sysconf` itself; linked into the executable (through the
// static shim library), it comes first in the global lookup scope, so libjulia's call
// through its PLT reaches it. Every call is passed to the C library's `sysconf` unchanged,
// except one online-CPU query on the thread that runs `jl_init`, when `jlrs_core_init` has
// asked for more threads than the machine shows: that query answers the count asked for.
//
// Julia 1.5.3 reads the count three times while it starts, all on that thread: `jl_gc_init`
// (to size the collection interval), `jl_init_threading` (the thread cap), then
// `Sys.__init__` (`Sys.CPU_THREADS`). Only the second is raised, so the collector's sizing
// and `Sys.CPU_THREADS` stay true. Should another Julia read it in another order, it starts
// fewer threads than asked, which the runtime reports as an error (tests check the order).

#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdatomic.h>
#include <unistd.h>

typedef long (*sysconf_fn)(int);

// The C library's `sysconf`, found on first use.
static _Atomic(sysconf_fn) next_sysconf;

// While > 0 on this thread: the count to answer to the thread cap's query.
static __thread long init_cpus;
// Online-CPU queries seen on this thread since `jlrs_core_cpus_raise_for_init`.
static __thread int init_queries;

// Which query of Julia's start-up reads the thread cap (1-based; see above).
#define THREAD_CAP_QUERY 2

// How many online-CPU queries were answered with `init_cpus` (read by a test).
static atomic_long raised_answers;

static long real_sysconf(int name)
{
    sysconf_fn f = atomic_load_explicit(&next_sysconf, memory_order_acquire);
    if (f == NULL) {
        f = (sysconf_fn)dlsym(RTLD_NEXT, "sysconf");
        if (f == NULL)
            return -1;
        atomic_store_explicit(&next_sysconf, f, memory_order_release);
    }
    return f(name);
}

long sysconf(int name)
{
    long real = real_sysconf(name);
    if (name == _SC_NPROCESSORS_ONLN && init_cpus > 0 && ++init_queries == THREAD_CAP_QUERY) {
        long asked = init_cpus;
        init_cpus = 0;
        if (asked > real) {
            atomic_fetch_add(&raised_answers, 1);
            return asked;
        }
    }
    return real;
}

void jlrs_core_cpus_raise_for_init(long n)
{
    init_cpus = n;
    init_queries = 0;
}

void jlrs_core_cpus_end_init(void) { init_cpus = 0; }

// The online CPUs the machine shows: the C library's answer, never the raised one.
long jlrs_core_cpu_limit(void) { return real_sysconf(_SC_NPROCESSORS_ONLN); }

long jlrs_core_cpus_raised_answers(void) { return atomic_load(&raised_answers); }
