# The named-tuple types of keyword calls that Rust caches (kw/cache.rs): kept alive for
# good, pushed by any thread.

const KW_TYPES = Any[]
const KW_TYPES_LOCK = Threads.SpinLock()

function keep_kw_type(t::DataType)
    lock(KW_TYPES_LOCK)
    try
        push!(KW_TYPES, t)
    finally
        unlock(KW_TYPES_LOCK)
    end
    return nothing
end
