# Idle hosted loops wait here, inside Julia's scheduler, so that Julia's own tasks (sticky
# chunks of `Threads.@threads`, `Threads.@spawn` work) run on their threads meanwhile.
# The C half is `csrc/idle.c`; the Rust half, with the reasoning, is `src/idle.rs`.

# The shim's functions, set once at start-up (the shim is linked into the Rust program,
# whose symbols `ccall` cannot look up by name).
const IDLE_ANNOUNCE = Ref(C_NULL)
const IDLE_CANCEL = Ref(C_NULL)
const IDLE_SLEEP = Ref(C_NULL)

function set_idle_functions(announce::UInt, cancel::UInt, sleep::UInt)
    IDLE_ANNOUNCE[] = Ptr{Cvoid}(announce)
    IDLE_CANCEL[] = Ptr{Cvoid}(cancel)
    IDLE_SLEEP[] = Ptr{Cvoid}(sleep)
    return nothing
end

# One look for a Julia task this thread may run: its own queue first, then the shared queue
# of `Threads.@spawn` work. `jl_task_get_next` asks `trypop` first and then the shared
# queue; the second call of `trypop` hands back the current task, which ends the search
# before the scheduler would start to spin.
function next_julia_task(me::Task, W)
    t = Base.trypoptask(W)
    t isa Task && return t
    calls = Ref(0)
    trypop = q -> (calls[] += 1) == 1 ? Base.trypoptask(q) : me
    t = ccall(:jl_task_get_next, Ref{Task}, (Any, Any), trypop, W)
    return t === me ? nothing : t
end

# Runs `t`, then comes back: the current task waits at the end of this thread's queue,
# as `yield` does, without touching the value `t` was scheduled with.
function run_julia_task(me::Task, t::Task)
    Base.enq_work(me)
    Base.set_next_task(t)
    Base.try_yieldto(Base.ensure_rescheduled)
    return nothing
end

# Waits until `ready(data)` (a Rust function) returns nonzero, running this thread's Julia
# tasks meanwhile and sleeping, GC-safe, when there are none.
function idle_wait(ready::UInt, data::UInt)
    fready = Ptr{Cvoid}(ready)
    pdata = Ptr{Cvoid}(data)
    me = current_task()
    W = Base.Workqueues[Threads.threadid()]
    while true
        # Announce first, then look: whatever is queued after the announcement wakes us.
        ccall(IDLE_ANNOUNCE[], Cvoid, ())
        if ccall(fready, Cint, (Ptr{Cvoid},), pdata) != 0
            ccall(IDLE_CANCEL[], Cvoid, ())
            return nothing
        end
        t = next_julia_task(me, W)
        if t === nothing
            ccall(IDLE_SLEEP[], Cvoid, ())
        else
            ccall(IDLE_CANCEL[], Cvoid, ())
            run_julia_task(me, t)
        end
    end
end

# Lets the Julia tasks queued for this thread run, if there are any; a busy hosted loop
# calls it now and then so that they wait a bounded time.
function yield_to_queued()
    isempty(Base.Workqueues[Threads.threadid()]) || yield()
    return nothing
end
