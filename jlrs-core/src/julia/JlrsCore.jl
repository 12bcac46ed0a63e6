# The Julia half of jlrs-core: the module the Rust side calls into. Evaluated once at
# start-up, on the thread that initialises Julia, before any other thread runs Julia code.
module JlrsCore
const HOSTED = Task[]
const HOSTED_LOCK = Threads.SpinLock()

function spawn_hosted(entry::UInt, data::UInt, tid::Int, stack_size::Int)
    fptr = Ptr{Cvoid}(entry)
    dptr = Ptr{Cvoid}(data)
    t = Task(() -> ccall(fptr, Cvoid, (Ptr{Cvoid},), dptr), stack_size)
    t.sticky = true
    ccall(:jl_set_task_tid, Cvoid, (Any, Cint), t, tid - 1)
    lock(HOSTED_LOCK)
    try
        filter!(!istaskdone, HOSTED)
        push!(HOSTED, t)
    finally
        unlock(HOSTED_LOCK)
    end
    schedule(t)
    return nothing
end

# The outcome is stored before `done` is called, so Rust never sees it half-written.
function spawn_call(f, args::Tuple, done::UInt, state::UInt)
    fptr = Ptr{Cvoid}(done)
    sptr = Ptr{Cvoid}(state)
    outcome = Ref{Any}(nothing)
    Threads.@spawn try
        outcome[] = (true, f(args...))
    catch e
        outcome[] = (false, e)
    finally
        ccall(fptr, Cvoid, (Ptr{Cvoid},), sptr)
    end
    return outcome
end

function fetch_result(outcome::Ref{Any})
    ok, value = outcome[]
    ok || throw(value)
    return value
end

# Evaluates every top-level expression of `code` in Main; errors are thrown as
# themselves, not wrapped in a LoadError.
function eval_string(code::String)
    try
        return Base.include_string(Main, code, "none")
    catch e
        e isa LoadError ? throw(e.error) : rethrow()
    end
end

function wait_hosted()
    while true
        lock(HOSTED_LOCK)
        ts = copy(HOSTED)
        unlock(HOSTED_LOCK)
        all(istaskdone, ts) && return nothing
        for t in ts
            try
                wait(t)
            catch
            end
        end
    end
end
end
