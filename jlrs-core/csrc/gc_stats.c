// GC statistics: Julia's own counters (`jl_gc_num`) and the pauses every thread waits
// through, timed from the pre-GC to the post-GC callback on the collecting thread.

#include <stdatomic.h>
#include <stdint.h>
#include <time.h>

#include <julia.h>
#include <julia_gcext.h>

// Julia 1.5's `jl_gc_num_t` (src/gc.h, mirrored by `Base.GC_Num` in base/timing.jl); the
// installed headers do not declare it. Only this file reads it.
typedef struct {
    int64_t allocd;
    int64_t deferred_alloc;
    int64_t freed;
    uint64_t malloc;
    uint64_t realloc;
    uint64_t poolalloc;
    uint64_t bigalloc;
    uint64_t freecall;
    uint64_t total_time;
    uint64_t total_allocd;
    uint64_t since_sweep;
    size_t collect;
    int pause;
    int full_sweep;
} jlrs_gc_num_v1_5_t;

JL_DLLEXPORT jlrs_gc_num_v1_5_t jl_gc_num(void);

// What Rust reads (`gc_stats.rs` declares the same struct): the shim's own layout.
typedef struct {
    int64_t collections;
    int64_t full_collections;
    int64_t gc_time_ns;
    int64_t allocated_bytes;
    int64_t timed_pauses;
    int64_t pause_total_ns;
    int64_t pause_longest_ns;
    int64_t pause_last_ns;
} jlrs_core_gc_stats_t;

typedef void (*jlrs_core_long_pause_cb)(int64_t pause_ns, int64_t gc_ns, int full);

static _Atomic int64_t full_collections;
static _Atomic int64_t timed_pauses;
static _Atomic int64_t pause_total_ns;
static _Atomic int64_t pause_longest_ns;
static _Atomic int64_t pause_last_ns;
static _Atomic int64_t long_pause_ns = 50 * 1000 * 1000;
static _Atomic(jlrs_core_long_pause_cb) long_pause_cb;

// Per thread: a thread whose pre-GC callback ran but which did not collect (another
// thread won) never runs the post-GC callback; its start time is simply overwritten.
static _Thread_local int64_t started_ns;
static _Thread_local int64_t gc_time_before;
// Whether the collection was asked to be full (`GC.gc(true)`, `JL_GC_FULL`): Julia 1.5's
// `jl_gc_num` does not count full collections, and does not say when it makes an
// automatic collection full.
static _Thread_local int asked_full;

static int64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

// Runs before the collecting thread waits for the others to reach a safepoint, so a
// pause includes the time the world took to stop.
static void pre_gc(int collection) JL_NOTSAFEPOINT
{
    gc_time_before = (int64_t)jl_gc_num().total_time;
    asked_full = collection == JL_GC_FULL;
    started_ns = now_ns();
}

// Runs on the collecting thread once the collection is over, before the world resumes.
static void post_gc(int collection) JL_NOTSAFEPOINT
{
    (void)collection;
    if (started_ns == 0)
        return;
    int64_t pause = now_ns() - started_ns;
    started_ns = 0;
    jlrs_gc_num_v1_5_t num = jl_gc_num();
    int full = asked_full;
    atomic_fetch_add(&timed_pauses, 1);
    if (full)
        atomic_fetch_add(&full_collections, 1);
    atomic_fetch_add(&pause_total_ns, pause);
    atomic_store(&pause_last_ns, pause);
    int64_t longest = atomic_load(&pause_longest_ns);
    while (pause > longest && !atomic_compare_exchange_weak(&pause_longest_ns, &longest, pause)) {
    }
    jlrs_core_long_pause_cb cb = atomic_load(&long_pause_cb);
    if (cb != NULL && pause >= atomic_load(&long_pause_ns))
        cb(pause, (int64_t)num.total_time - gc_time_before, full);
}

void jlrs_core_gc_stats_install(jlrs_core_long_pause_cb cb)
{
    atomic_store(&long_pause_cb, cb);
    jl_gc_set_cb_pre_gc(pre_gc, 1);
    jl_gc_set_cb_post_gc(post_gc, 1);
}

void jlrs_core_gc_stats_set_long_pause(int64_t ns) { atomic_store(&long_pause_ns, ns); }

void jlrs_core_gc_stats(jlrs_core_gc_stats_t *out)
{
    jlrs_gc_num_v1_5_t num = jl_gc_num();
    out->collections = num.pause;
    out->full_collections = atomic_load(&full_collections);
    out->gc_time_ns = (int64_t)num.total_time;
    out->allocated_bytes = num.allocd + num.deferred_alloc + (int64_t)num.total_allocd;
    out->timed_pauses = atomic_load(&timed_pauses);
    out->pause_total_ns = atomic_load(&pause_total_ns);
    out->pause_longest_ns = atomic_load(&pause_longest_ns);
    out->pause_last_ns = atomic_load(&pause_last_ns);
}
