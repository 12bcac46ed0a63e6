# Idle hosted loops wait here, inside Julia's own scheduler, so that Julia's tasks (sticky
# chunks of `Threads.@threads`, `Threads.@spawn` work) run on their threads meanwhile.
# The C half is `csrc/idle.c`; the Rust half, with the reasoning, is `src/idle.rs`; the
# Julia internals this relies on are listed in ARCHITECTURE.md and checked by
# `idle_self_check` at start-up.

# The hook `jl_task_get_next` asks first on every look for work: the hosted loop's own task
# once Rust has set its flag (`ready(data) != 0`), else the next task of this thread's
# queue. Julia's loop does the rest: the queue of `@spawn` work, for as long as it is not
# empty, its spin, and its sleep, where Rust wakers reach it (`csrc/idle.c`).
struct IdleHook
    me::Task
    ready::Ptr{Cvoid}
    data::Ptr{Cvoid}
end

function (hook::IdleHook)(W)
    ccall(hook.ready, Cint, (Ptr{Cvoid},), hook.data) != 0 && return hook.me
    return Base.trypoptask(W)
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
    me = current_task()
    hook = IdleHook(me, Ptr{Cvoid}(ready), Ptr{Cvoid}(data))
    W = Base.Workqueues[Threads.threadid()]
    while true
        t = ccall(:jl_task_get_next, Ref{Task}, (Any, Any), hook, W)
        t === me && return nothing
        run_julia_task(me, t)
    end
end

# Lets the Julia tasks queued for this thread run, if there are any; a busy hosted loop
# calls it now and then so that they wait a bounded time.
function yield_to_queued()
    isempty(Base.Workqueues[Threads.threadid()]) || yield()
    return nothing
end

# Checks at start-up what the hosted loops rely on in Julia's scheduler (ARCHITECTURE.md,
# "Julia internals the hosted loops rely on"); throws, naming the broken assumption, if
# one does not hold. `ptls_of`, `state_of` and `wake` are the C shim's functions.
function idle_self_check(ptls_of::UInt, state_of::UInt, wake::UInt)
    fail(what) = error("jlrs: Julia's scheduler is not what the hosted loops rely on: " * what)
    for name in (:Workqueues, :trypoptask, :enq_work, :set_next_task, :try_yieldto,
                 :ensure_rescheduled)
        isdefined(Base, name) || fail("Base.$name is missing")
    end
    Base.Workqueues isa Vector || fail("Base.Workqueues is not a vector")
    length(Base.Workqueues) == Threads.nthreads() || fail("Base.Workqueues is not per thread")
    # `jl_task_get_next` returns the task its hook returns.
    probe = Task(() -> nothing)
    got = ccall(:jl_task_get_next, Ref{Task}, (Any, Any), _ -> probe,
                Base.Workqueues[Threads.threadid()])
    got === probe || fail("jl_task_get_next does not return the task its hook returns")
    Threads.nthreads() < 2 && return nothing
    # A Julia thread that finds no work sleeps with its `sleep_check_state` at 1, and the
    # shim's wake (1 -> 0, then signal) makes its loop look again: probed on thread 2.
    flag = Threads.Atomic{Int}(0)
    ptls = Threads.Atomic{UInt}(0)
    sleeper = Task() do
        me = current_task()
        ptls[] = ccall(Ptr{Cvoid}(ptls_of), UInt, ())
        hook = W -> flag[] != 0 ? me : Base.trypoptask(W)
        t = ccall(:jl_task_get_next, Ref{Task}, (Any, Any), hook,
                  Base.Workqueues[Threads.threadid()])
        t === me || fail("the probe's hook did not end its wait")
        return nothing
    end
    sleeper.sticky = true
    ccall(:jl_set_task_tid, Cvoid, (Any, Cint), sleeper, 1)
    schedule(sleeper)
    # Julia spins 4 ms before it sleeps; a loaded machine may take far longer.
    deadline = time() + 20.0
    while ptls[] == 0 || ccall(Ptr{Cvoid}(state_of), Cint, (UInt,), ptls[]) != 1
        time() > deadline && fail("an idle thread never set its sleep_check_state to 1")
        istaskdone(sleeper) && break
        sleep(0.001)
    end
    flag[] = 1
    ccall(Ptr{Cvoid}(wake), Cvoid, (UInt,), ptls[])
    while !istaskdone(sleeper)
        time() > deadline && fail("a sleeping thread did not wake from the shim's wake")
        sleep(0.001)
    end
    istaskfailed(sleeper) && fetch(sleeper)
    return nothing
end
