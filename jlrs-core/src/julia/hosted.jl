# Hosted loops (hosted.rs): the sticky Julia tasks that run Rust loops on Julia's threads,
# and the wait for all of them at shutdown (shutdown.rs).

# Every hosted task not yet seen done (hosted.rs), for `wait_hosted` at shutdown; any
# thread may spawn one, so the list has a lock.
const HOSTED = Task[]
const HOSTED_LOCK = Threads.SpinLock()
# The newest hosted task of each thread.
const HOSTED_ON = Dict{Int,Task}()

# Starts a hosted loop: a sticky task with a stack of `stack_size` bytes, pinned to Julia
# thread `tid` (1-based), that `ccall`s the Rust entry `entry` (through the shim's guard)
# with the loop's payload `data`.
function spawn_hosted(entry::UInt, data::UInt, tid::Int, stack_size::Int)
    fptr = Ptr{Cvoid}(entry)
    dptr = Ptr{Cvoid}(data)
    lock(HOSTED_LOCK)
    t = try
        filter!(!istaskdone, HOSTED)
        previous = get(HOSTED_ON, tid, nothing)
        t = Task(stack_size) do
            # An idle hosted loop runs the Julia tasks queued for its thread, this one
            # included: a thread hosts one loop at a time, so wait for the previous one.
            if previous !== nothing
                try
                    wait(previous)
                catch
                end
            end
            ccall(fptr, Cvoid, (Ptr{Cvoid},), dptr)
        end
        t.sticky = true
        ccall(:jl_set_task_tid, Cvoid, (Any, Cint), t, tid - 1)
        push!(HOSTED, t)
        HOSTED_ON[tid] = t
        t
    finally
        unlock(HOSTED_LOCK)
    end
    schedule(t)
    return nothing
end

# Shutdown (shutdown.rs): waits, inside Julia's scheduler, until every hosted task has
# returned, including tasks spawned while it waits.
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
