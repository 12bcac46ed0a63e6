# The runtime thread's event loop (see event_loop.rs): steps Rust after each wake-up of an
# AsyncCondition, whose handle the Rust side publishes to its notifiers.
function run_loop(step::UInt, unpublish::UInt, data::UInt)
    cond = Base.AsyncCondition()
    fptr = Ptr{Cvoid}(step)
    uptr = Ptr{Cvoid}(unpublish)
    dptr = Ptr{Cvoid}(data)
    handle = UInt(cond.handle)
    try
        while ccall(fptr, Cint, (Ptr{Cvoid}, UInt), dptr, handle) != 0
            wait(cond)
        end
    finally
        # On every path (also when `wait` throws), no notifier may send to the handle
        # once it is closed: unpublish it first.
        ccall(uptr, Cvoid, (Ptr{Cvoid},), dptr)
        close(cond)
    end
    return nothing
end
