// Arrays: everything that reads or writes a field of a Julia array, and the array calls
// that can throw, each wrapped in a handler so that no exception longjmps over Rust.

#include <julia.h>
#include <pthread.h>
#include <string.h>
#include <sys/mman.h>

#include "shim.h"

// Exported by libjulia 1.5 but absent from its headers. The finalizer is called with the
// object in the batch of finalizers that runs after a collection (the world running again,
// on the collecting thread), from `finalize(x)` in Julia code, or at exit.
extern JL_DLLEXPORT void jl_gc_add_ptr_finalizer(jl_ptls_t ptls, jl_value_t *v, void *f);

int jlrs_array_is_array(jl_value_t *v) { return jl_is_array(v); }

jl_value_t *jlrs_array_eltype(jl_value_t *a) { return jl_tparam0(jl_typeof(a)); }

void *jlrs_array_data(jl_value_t *a) { return jl_array_data(a); }

size_t jlrs_array_len(jl_value_t *a) { return jl_array_len(a); }

int jlrs_array_rank(jl_value_t *a) { return jl_array_ndims(a); }

size_t jlrs_array_dim(jl_value_t *a, int i) { return jl_array_dim(a, i); }

// Whether the elements are stored inline as plain bits (no pointers, no union tags).
int jlrs_array_is_bits(jl_value_t *a)
{
    jl_array_t *arr = (jl_array_t *)a;
    return !arr->flags.ptrarray && !arr->flags.hasptr && jl_isbits(jl_tparam0(jl_typeof(a)));
}

int jlrs_type_is_bits(jl_value_t *t) { return jl_isbits(t); }

size_t jlrs_type_size(jl_value_t *t) { return jl_datatype_size(t); }

// The stride of a bits type's elements in an array: its size rounded up to its alignment.
size_t jlrs_type_elsize(jl_value_t *t)
{
    size_t size = jl_datatype_size(t), align = jl_datatype_align(t);
    return align > 1 ? LLT_ALIGN(size, align) : size;
}

// The tuple of dimensions that jl_new_array and jl_ptr_to_array take.
static jl_value_t *jlrs_array_dims_tuple(size_t rank, const size_t *dims)
{
    jl_value_t *tt = jl_tupletype_fill(rank, (jl_value_t *)jl_long_type);
    JL_GC_PUSH1(&tt);
    jl_value_t *tuple = jl_new_bits(tt, (void *)dims);
    JL_GC_POP();
    return tuple;
}

// A new Julia-owned Array{eltype, rank}, zero-filled if `zero`; NULL with the exception
// kept if Julia throws.
jl_value_t *jlrs_array_new(jl_value_t *eltype, size_t rank, const size_t *dims, int zero)
{
    jl_value_t *atype = NULL, *tuple = NULL;
    jl_array_t *a = NULL;
    JL_GC_PUSH2(&atype, &tuple);
    JL_TRY {
        atype = jl_apply_array_type(eltype, rank);
        if (rank == 1) {
            a = jl_alloc_array_1d(atype, dims[0]);
        } else {
            tuple = jlrs_array_dims_tuple(rank, dims);
            a = jl_new_array(atype, tuple);
        }
        if (zero)
            memset(jl_array_data(a), 0, jl_array_len(a) * a->elsize);
        jl_exception_clear();
    }
    JL_CATCH {
        jlrs_core_keep_exception();
        a = NULL;
    }
    JL_GC_POP();
    return (jl_value_t *)a;
}

// An Array{eltype, rank} over foreign memory that Julia does not free (own_buffer = 0),
// with `finalizer` (if not NULL) called with the array once Julia no longer references it.
// NULL with the exception kept if Julia throws (then no finalizer is registered).
jl_value_t *jlrs_array_from_ptr(jl_value_t *eltype, void *data, size_t rank,
                                const size_t *dims, void *finalizer)
{
    jl_value_t *atype = NULL, *tuple = NULL;
    jl_array_t *a = NULL;
    JL_GC_PUSH2(&atype, &tuple);
    JL_TRY {
        atype = jl_apply_array_type(eltype, rank);
        if (rank == 1) {
            a = jl_ptr_to_array_1d(atype, data, dims[0], 0);
        } else {
            tuple = jlrs_array_dims_tuple(rank, dims);
            a = jl_ptr_to_array(atype, data, tuple, 0);
        }
        jl_exception_clear();
    }
    JL_CATCH {
        jlrs_core_keep_exception();
        a = NULL;
    }
    if (a != NULL && finalizer != NULL) {
        // Not shared: Julia may resize the array by copying its elements into a buffer of
        // its own (the old one, Rust's, is left alone), and the flag now records whether
        // Julia made an alias of it (`reshape` sets it on its source).
        a->flags.isshared = 0;
        jl_gc_add_ptr_finalizer(jl_get_ptls_states(), (jl_value_t *)a, finalizer);
    }
    JL_GC_POP();
    return (jl_value_t *)a;
}

// Where a detached array points. A `view` (or another wrapper) that Julia made of the
// array before the detach keeps its own index range and reads through the array's data
// pointer without a bounds check, so the memory must cover the array's whole former
// extent, and stay valid for good: one read-only mapping of zero pages, reserved once.
// It costs address space only (reading it maps the shared zero page); a write faults,
// which Julia turns into a `ReadOnlyMemoryError`. Small arrays use a static buffer. The
// mapping is 1 TiB, or less where the process may not reserve that much.
static char jlrs_array_nothing[64] __attribute__((aligned(64)));
static void *jlrs_array_zeros;
static size_t jlrs_array_zeros_bytes;
static pthread_once_t jlrs_array_zeros_once = PTHREAD_ONCE_INIT;

static void jlrs_array_map_zeros(void)
{
    for (int shift = 40; shift >= 28; shift -= 4) {
        size_t bytes = (size_t)1 << shift;
        void *p = mmap(NULL, bytes, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
                       -1, 0);
        if (p != MAP_FAILED) {
            jlrs_array_zeros = p;
            jlrs_array_zeros_bytes = bytes;
            return;
        }
    }
}

// Cuts an array off from its memory: every dimension 0, the "shared" flag set so that
// Julia refuses to resize it, and the data pointer at zeroed, read-only memory that
// covers the array's former extent and is never freed. Julia code that kept the array
// sees an empty one (its accesses are bounds errors); a view of it made before reads
// zeros and cannot write. Returns 0 if no such memory covers the array (it is larger
// than the mapping, or there is none): the data pointer then stays where it was, and the
// caller must never free that memory, which a view may still read.
int jlrs_array_detach(jl_value_t *v)
{
    jl_array_t *a = (jl_array_t *)v;
    size_t nbytes = jl_array_len(a) * a->elsize;
    void *to = jlrs_array_nothing;
    int covered = 1;
    if (nbytes > sizeof(jlrs_array_nothing)) {
        pthread_once(&jlrs_array_zeros_once, jlrs_array_map_zeros);
        if (jlrs_array_zeros != NULL && nbytes <= jlrs_array_zeros_bytes) {
            to = jlrs_array_zeros;
        } else {
            to = a->data;
            covered = 0;
        }
    }
    int rank = jl_array_ndims(a);
    for (int i = 0; i < rank; i++)
        jl_array_dim(a, i) = 0;
    if (rank == 1) {
        a->maxsize = 0;
        a->offset = 0;
    }
#ifdef STORE_ARRAY_LEN
    a->length = 0;
#endif
    a->flags.isshared = 1;
    a->data = to;
    return covered;
}

// The finalizer's detach of an array made over the Rust buffer `start..end`: 0 if the
// array no longer uses the buffer (Julia copied it out to resize it, which it only does
// while no alias exists), 1 if it did and is detached now, 2 if it is detached but Julia
// made an alias of it (`vec`, `reshape`), which may still point into the buffer, or no
// memory covers its former extent (see `jlrs_array_detach`): the buffer must not be freed.
int jlrs_array_detach_owned(jl_value_t *v, uintptr_t start, uintptr_t end)
{
    jl_array_t *a = (jl_array_t *)v;
    uintptr_t data = (uintptr_t)a->data;
    if (a->flags.how != 0 || data < start || data > end)
        return 0;
    int aliased = a->flags.isshared;
    int covered = jlrs_array_detach(v);
    return aliased || !covered ? 2 : 1;
}

// How the array's data is owned: 0 inline or foreign, 1 a Julia buffer object, 2 malloc'd
// by Julia, 3 another object's (see jl_array_data_owner).
int jlrs_array_how(jl_value_t *a) { return ((jl_array_t *)a)->flags.how; }

// The array's element stride in bytes (a bits type's size rounded up to its alignment).
size_t jlrs_array_elsize(jl_value_t *a) { return ((jl_array_t *)a)->elsize; }

// The object that owns the array's data: another object for `how == 3`, else the array.
jl_value_t *jlrs_array_owner(jl_value_t *a)
{
    jl_array_t *arr = (jl_array_t *)a;
    return arr->flags.how == 3 ? jl_array_data_owner(arr) : a;
}

// Keeps Julia from freeing or moving the data of an array it owns (`how` 1 to 3) while
// Rust reads it, on any thread:
// - the "shared" flag: every grow and delete path (`push!`, `append!`, `resize!`,
//   `deleteat!`, ...) then throws "cannot resize array with shared data" for `how` 1 and
//   2, and for `how` 3 (data owned by another object, such as a `String`) copies the data
//   into a new buffer first, leaving the old one to its owner, which the borrow roots;
// - no spare capacity for a vector with a malloc'd buffer (`how` 2): `sizehint!` shrinks
//   a buffer without looking at the flag (`jl_array_sizehint`, `jl_array_shrink`), and
//   with `maxsize` at the vector's end it finds nothing worth shrinking. (Julia 1.5 only
//   malloc's buffers of 1 MiB or more, so a vector of fewer than 8 elements here has
//   elements of 128 KiB or more: for those alone `sizehint!` could still move it.)
//   Julia's GC then counts the buffer as smaller than it is, which only skews its
//   statistics.
void jlrs_array_set_shared(jl_value_t *v)
{
    jl_array_t *a = (jl_array_t *)v;
    a->flags.isshared = 1;
    if (jl_array_ndims(a) == 1 && a->flags.how == 2)
        a->maxsize = a->offset + jl_array_nrows(a);
}

// a[i+1], boxed; NULL with the exception kept for an undefined element.
jl_value_t *jlrs_array_ref(jl_value_t *a, size_t i)
{
    jl_value_t *v = NULL;
    // `jl_arrayref` computes the element's address before it allocates the box, and the
    // allocation may run finalizers here: they wait.
    jl_ptls_t ptls = jl_get_ptls_states();
    ptls->finalizers_inhibited++;
    JL_TRY {
        v = jl_arrayref((jl_array_t *)a, i);
        jl_exception_clear();
    }
    JL_CATCH {
        jlrs_core_keep_exception();
        v = NULL;
    }
    ptls->finalizers_inhibited--;
    return v;
}

// a[i+1] = v; 0 with the exception kept if `v` does not fit the element type.
int jlrs_array_set(jl_value_t *a, jl_value_t *v, size_t i)
{
    int ok = 0;
    JL_TRY {
        jl_arrayset((jl_array_t *)a, v, i);
        jl_exception_clear();
        ok = 1;
    }
    JL_CATCH {
        jlrs_core_keep_exception();
        ok = 0;
    }
    return ok;
}

// `string(v)`, a String, or NULL if that throws.
jl_value_t *jlrs_value_string(jl_value_t *v)
{
    jl_value_t *s = NULL;
    JL_TRY {
        jl_function_t *string = jl_get_function(jl_base_module, "string");
        s = jl_call1(string, v);
        if (s != NULL && !jl_is_string(s))
            s = NULL;
    }
    JL_CATCH {
        s = NULL;
    }
    jl_exception_clear();
    return s;
}
