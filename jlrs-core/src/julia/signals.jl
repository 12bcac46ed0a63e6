# Ctrl-C with SigintPolicy::InterruptJulia: a task on the runtime thread that, woken by
# the SIGINT handler, runs a collection. Every thread that runs Julia code stops at a GC
# safepoint for it, and a thread with a pending interrupt throws InterruptException from
# there (csrc/signals.c).
const INTERRUPTS = Ref{Any}(nothing)
# The shim's `jlrs_core_take_interrupt`, or C_NULL without InterruptJulia.
const TAKE_INTERRUPT = Ref{Ptr{Cvoid}}(C_NULL)

# Starts the task and hands its condition's handle to the SIGINT handler (`set_handle`);
# `take` is the shim's `jlrs_core_take_interrupt` (see `interrupt_point`).
function start_interrupts(set_handle::UInt, take::UInt)
    TAKE_INTERRUPT[] = Ptr{Cvoid}(take)
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

# Rust code that Julia calls (callback.jl) runs inside `sigatomic_begin()` /
# `sigatomic_end()`, so no interrupt lands in its frames. Right after it returns, this
# throws the interrupt that arrived meanwhile for the call this task runs: on thread 1
# Julia's own `sigatomic_end` throws it; on other threads the shim kept it pending.
@inline function interrupt_point()
    take = TAKE_INTERRUPT[]
    if take != C_NULL && ccall(take, Cint, ()) != 0
        throw(InterruptException())
    end
    return nothing
end
