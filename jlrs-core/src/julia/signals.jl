# Ctrl-C with SigintPolicy::InterruptJulia: a task on the runtime thread that, woken by
# the SIGINT handler, runs a collection. Every thread that runs Julia code stops at a GC
# safepoint for it, and a thread with a pending interrupt throws InterruptException from
# there (csrc/signals.c).
const INTERRUPTS = Ref{Any}(nothing)

# Starts the task and hands its condition's handle to the SIGINT handler (`set_handle`).
function start_interrupts(set_handle::UInt)
    cond = Base.AsyncCondition()
    INTERRUPTS[] = cond
    ccall(Ptr{Cvoid}(set_handle), Cvoid, (Ptr{Cvoid},), cond.handle)
    @async while isopen(cond)
        try
            wait(cond)
            isopen(cond) && GC.gc(false)
        catch e
            # Julia's own interrupt of this thread can land here while it waits.
            e isa InterruptException || isopen(cond) || break
        end
    end
    return nothing
end

# Shutdown: closes the condition, which ends the task.
function stop_interrupts()
    cond = INTERRUPTS[]
    cond === nothing && return nothing
    INTERRUPTS[] = nothing
    close(cond)
    return nothing
end
