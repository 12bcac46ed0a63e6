# The runtime thread's event loop (see event_loop.rs): steps Rust after each wake-up of an
# AsyncCondition, whose handle the Rust side publishes to its notifiers.
function run_loop(step::UInt, unpublish::UInt, data::UInt)
    cond = Base.AsyncCondition()
    fptr = Ptr{Cvoid}(step)
    uptr = Ptr{Cvoid}(unpublish)
    dptr = Ptr{Cvoid}(data)
    handle = UInt(cond.handle)
    try
        while true
            # Ctrl-C (SigintPolicy::InterruptJulia) interrupts the calls of tasks, never
            # the loop: an interrupt that lands here, between calls, is dropped. One that
            # lands right after a step returned loses the step's answer, so step again.
            local go
            try
                go = ccall(fptr, Cint, (Ptr{Cvoid}, UInt), dptr, handle) != 0
            catch e
                e isa InterruptException || rethrow()
                continue
            end
            go || break
            try
                wait(cond)
            catch e
                e isa InterruptException || rethrow()
            end
        end
    finally
        # On every path (also when `wait` throws), no notifier may send to the handle
        # once it is closed: unpublish it first.
        ccall(uptr, Cvoid, (Ptr{Cvoid},), dptr)
        close(cond)
    end
    return nothing
end
