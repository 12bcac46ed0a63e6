# Helpers for Julia's Distributed standard library (distributed/*.rs). `Distributed` is
# only looked up when they run: Rust loads it with `using Distributed` before the first
# call. Every helper runs on thread 1: Julia 1.5's Distributed is not thread-safe (its
# conditions belong to thread 1, where libuv serves every socket of the cluster, and
# `concurrency violation detected` is thrown elsewhere). Helpers that wait on the network
# run as tasks pinned to thread 1 and are awaited from Rust (`dist_spawn_main`); they
# return a `DistFailure` instead of throwing, so Rust can tell which worker failed and how.

# `call_async`'s spawner (call_async.rs) for a task pinned to thread 1.
function dist_spawn_main(f, args::Tuple, done::UInt, state::UInt)
    t = Task(() -> call_then_done(f, args, done, state))
    t.sticky = true
    ccall(:jl_set_task_tid, Cvoid, (Any, Cint), t, 0)
    schedule(t)
    return t
end

# `f(args...)` on thread 1, for the calls that return at once; another thread waits (in
# Julia's scheduler) until thread 1 has run it.
function dist_on_main(f, args...)
    Threads.threadid() == 1 && return f(args...)
    t = Task(() -> f(args...))
    t.sticky = true
    ccall(:jl_set_task_tid, Cvoid, (Any, Cint), t, 0)
    schedule(t)
    return fetch(t)
end

# Why a call failed: `kind` 1 is an exception thrown on worker `pid` (`exception` is the
# exception it threw, or a `DistReceiveError` for a result process 1 could not read), 2 is
# worker `pid` exiting during the call, 3 any other exception, 4 a call on worker `pid`
# that timed out (and was interrupted).
struct DistFailure
    kind::Int
    pid::Int
    exception::Any
end

distributed_module() = Main.Distributed

# The failure that `e` (caught by a helper) stands for.
function dist_failure(e)
    D = distributed_module()
    if e isa TaskFailedException
        return dist_failure(e.task.exception)
    elseif e isa CompositeException && !isempty(e.exceptions)
        # Prefer an exception thrown on a worker, then a worker that exited.
        fs = map(dist_failure, e.exceptions)
        i = findfirst(f -> f.kind == 1, fs)
        i === nothing && (i = findfirst(f -> f.kind == 2, fs))
        return fs[something(i, 1)]
    elseif e isa D.RemoteException
        inner = e.captured.ex
        inner isa D.ProcessExitedException && return DistFailure(2, inner.worker_id, inner)
        return DistFailure(1, e.pid, inner)
    elseif e isa D.ProcessExitedException
        return DistFailure(2, e.worker_id, e)
    elseif e isa DistReceiveError
        return DistFailure(1, e.worker, e)
    end
    return DistFailure(3, 0, e)
end

# `f(args...)`, with any exception returned as a `DistFailure`.
function dist_guard(f, args...)
    try
        return f(args...)
    catch e
        return dist_failure(e)
    end
end

# Once `Distributed` is loaded (Rust runs `using Distributed` first): its cluster manager,
# and a cluster cookie from the operating system's secure generator. Distributed's own
# cookie comes from `randstring` on the global RNG, which a program that seeds it for
# reproducible results makes predictable; the cookie is the only check a worker makes on
# who connects to it. Set before the first worker, unless the application chose one.
const DIST_READY = Ref(false)
function dist_init(manager_code::String)
    DIST_READY[] && return nothing
    include_string(JlrsCore, manager_code, "distributed_manager.jl")
    D = distributed_module()
    if D.nprocs() == 1
        D.cluster_cookie(Random_randstring_secure(D.HDR_COOKIE_LEN))
    end
    DIST_READY[] = true
    return nothing
end

# `n` random letters and digits from the OS's generator (`getrandom`/`/dev/urandom`).
function Random_randstring_secure(n::Int)
    R = Base.require(Base.PkgId(Base.UUID("9a3f8284-a2c9-5f02-9a11-845980a1fd5c"), "Random"))
    return Base.invokelatest(R.randstring, R.RandomDevice(), n)
end

# Sets the cluster cookie chosen by the application: before any worker exists.
function dist_set_cookie(cookie::String)
    D = distributed_module()
    D.nprocs() == 1 || throw(ArgumentError("the cluster cookie cannot change while workers exist"))
    D.cluster_cookie(cookie)
    return nothing
end

# The library path the running Julia was loaded with: its library directory, then the
# directories of this process's LD_LIBRARY_PATH.
function dist_library_path()
    dirs = String[abspath(Sys.BINDIR, Base.LIBDIR)]
    for d in split(get(ENV, "LD_LIBRARY_PATH", ""), ':')
        isempty(d) || d in dirs || push!(dirs, d)
    end
    return join(dirs, ':')
end

# Whether a host name names this machine's loopback interface.
dist_is_loopback(host::AbstractString) =
    host == "localhost" || startswith(host, "127.") || host == "::1" || host == "[::1]"

# `addprocs` for `WorkerSpec`: `n` local workers when `hosts` is empty, else `counts[i]`
# workers on `hosts[i]` (`[user@]host[:port] [bind_addr]`) over SSH, through `JlrsManager`.
# `env` is a tuple of (key, value) pairs applied after the defaults (LD_LIBRARY_PATH).
function dist_add(n::Int, hosts::Tuple, counts::Tuple, threads::Int, exeflags::String,
                  env::Tuple, dir::String, exename::String, sshflags::String,
                  tunnel::Bool, topology::String, launch_timeout::Float64)
    D = distributed_module()
    pairs = Pair{String,String}["LD_LIBRARY_PATH" => dist_library_path()]
    for (k, v) in env
        filter!(p -> p.first != k, pairs)
        push!(pairs, k => v)
    end
    flags = Base.shell_split(exeflags)
    threads > 0 && push!(flags, "--threads=$threads")
    if isempty(exename)
        # This Julia, with its system image (and its other start-up options, as Distributed's
        # LocalManager passes them).
        julia = collect(String, Base.julia_cmd().exec)
    else
        julia = [exename]
    end
    machines = Tuple{String,String,Int}[]
    for (h, c) in zip(hosts, counts)
        parts = split(h)
        length(parts) in (1, 2) || throw(ArgumentError("an SSH host is `[user@]host[:port] [bind_addr]`, not $(repr(h))"))
        push!(machines, (String(parts[1]), length(parts) == 2 ? String(parts[2]) : "", c))
    end
    m = JlrsManager(machines, n, String[julia..., flags...], pairs, isempty(dir) ? pwd() : dir,
                    String.(Base.shell_split(sshflags)), tunnel, launch_timeout)
    before = Set(D.workers())
    try
        added = D.addprocs(m; topology = Symbol(topology))
        dist_setup_workers(added)
        return added
    catch
        # Workers that did start before another failed leave again.
        added = [p for p in D.workers() if p != 1 && !(p in before)]
        isempty(added) || try dist_remove(Tuple(added), 5.0) catch end
        rethrow()
    end
end

# The worker processes (not the master), in ascending order.
function dist_workers()
    D = distributed_module()
    return D.nprocs() == 1 ? Int[] : sort!(D.workers())
end

# Removes workers and waits for the processes this process started to exit: a worker that
# has not left after `timeout` seconds (busy in a loop that never yields, say) is killed.
function dist_remove(ids::Tuple, timeout::Float64)
    pids = collect(Int, ids)
    D = distributed_module()
    for p in pids
        p == 1 && throw(ArgumentError("process 1 is the master, not a worker; it cannot be removed"))
        if !haskey(D.map_pid_wrkr, p) && !(p in D.map_del_wrkr)
            throw(ArgumentError("there is no worker $p in this cluster"))
        end
    end
    live = filter(p -> p in D.workers(), pids)
    isempty(live) && return nothing
    procs = Base.Process[]
    for p in live
        w = D.map_pid_wrkr[p]
        w isa D.Worker || continue
        if w.config.userdata isa JlrsWorkerProcess
            push!(procs, w.config.userdata.process)
        elseif w.config.process isa Base.Process
            push!(procs, w.config.process)
        end
    end
    DIST_REMOVAL_TIMEOUT[] = timeout
    try
        D.rmprocs(live; waitfor = timeout)
    catch
        # Still there after `timeout`: kill the processes; their connections close and
        # Distributed deregisters them.
        foreach(pr -> process_exited(pr) || dist_kill_group(pr), procs)
        timedwait(() -> !any(p -> p in D.workers(), live), 30.0; pollint = 0.05)
    end
    for pr in procs
        timedwait(() -> process_exited(pr), timeout; pollint = 0.05) === :ok && continue
        dist_kill_group(pr)
        timedwait(() -> process_exited(pr), 10.0; pollint = 0.05)
    end
    return nothing
end

# Remote calls run through `dist_run_call` on the worker, which registers the task that
# runs them under a token: a call that waits (sleeps, reads, waits for another task) can
# then be interrupted by throwing `InterruptException` into exactly that task
# (`dist_cancel_call`). A SIGINT, Julia's own `interrupt`, lands in whatever task runs
# when the signal arrives, and a worker idle in its scheduler dies of it ("fatal: error
# thrown and no exception handler available"), so it is only sent to a worker too busy to
# answer (one running code that never yields).
const DIST_TOKEN = Ref(0)

# The call registry, written once: evaluated here (for calls to process 1) and, inside a
# module `JlrsCore`, on each worker (function references travel by module and name).
const DIST_CALL_FUNCTIONS = quote
    const DIST_CALLS = Dict{Int,Task}()

    function dist_run_call(token::Int, f, args...)
        DIST_CALLS[token] = current_task()
        try
            return f(args...)
        finally
            delete!(DIST_CALLS, token)
        end
    end

    # Throws InterruptException into the waiting call `token` (or into every registered
    # call for token 0); returns how many it interrupted.
    function dist_cancel_call(token::Int)
        tasks = token == 0 ? collect(values(DIST_CALLS)) : [get(DIST_CALLS, token, nothing)]
        n = 0
        for t in tasks
            if t isa Task && t !== current_task() && t.state === :runnable
                schedule(t, InterruptException(); error = true)
                n += 1
            end
        end
        return n
    end
end
Core.eval(@__MODULE__, DIST_CALL_FUNCTIONS)

const DIST_WORKER_MODULE =
    Expr(:toplevel, Expr(:module, true, :JlrsCore, Expr(:block, DIST_CALL_FUNCTIONS.args...)))

# Defines the worker module on new workers (and on workers added by other means, before
# the first call through `dist_run_call`).
const DIST_SET_UP = Set{Int}()
function dist_setup_workers(pids)
    D = distributed_module()
    @sync for p in pids
        @async begin
            D.remotecall_fetch(Core.eval, p, Main, DIST_WORKER_MODULE)
            push!(DIST_SET_UP, p)
        end
    end
end
dist_ensure_set_up(pid::Int) = (pid == 1 || pid in DIST_SET_UP || dist_setup_workers([pid]); nothing)

# Interrupts the calls running on a worker: those waiting are interrupted by
# `dist_cancel_call`; a worker that does not answer within a second runs code that never
# yields, and gets Julia's `interrupt` (SIGINT), `repeat` times 0.1 s apart (a few in
# quick succession make Julia throw even in code that reaches no safepoint) or until
# `done()`.
function dist_interrupt_worker(pid::Int, token::Int, done, repeat::Int)
    D = distributed_module()
    answered = Ref(false)
    @async try
        D.remotecall_fetch(dist_cancel_call, pid, token)
        answered[] = true
    catch
    end
    timedwait(() -> answered[] || done(), 1.0; pollint = 0.01)
    answered[] && return nothing
    for _ in 1:repeat
        (done() || !(pid in D.workers())) && break
        D.interrupt(pid)
        timedwait(done, 0.1; pollint = 0.01)
    end
    return nothing
end

# Interrupts the calls running on each worker (`GcFrame::interrupt`).
function dist_interrupt(ids::Tuple)
    D = distributed_module()
    for p in ids
        p == 1 && throw(ArgumentError("process 1 is the master; it cannot be interrupted as a worker"))
        p in D.workers() || throw(ArgumentError("there is no worker $p in this cluster"))
    end
    @sync for p in ids
        @async dist_interrupt_worker(p, 0, () -> false, 1)
    end
    return nothing
end

# `@everywhere` of `code` (top-level expressions): its imports here first, then the code
# on every worker and here. Unlike `remotecall_eval` it uses `remotecall_fetch`, whose
# references are released at once, not by finalizers that may run on another thread.
function dist_everywhere(code::String)
    D = distributed_module()
    ex = Base.parse_input_line(code; filename = "everywhere")
    if ex isa Expr && (ex.head === :error || ex.head === :incomplete)
        throw(Meta.ParseError(string(ex.args[1])))
    end
    ex = Expr(:toplevel, (ex isa Expr && ex.head === :toplevel ? ex.args : Any[ex])..., nothing)
    imports = D.extract_imports(ex)
    isempty(imports) || Core.eval(Main, Expr(:toplevel, imports...))
    @sync begin
        for pid in D.workers()
            pid == 1 && continue
            @async D.remotecall_fetch(Core.eval, pid, Main, ex)
        end
        Core.eval(Main, ex)
    end
    return nothing
end

# A result the master could not read (its type is not defined here, say) comes back as a
# `RemoteException` of process 1 itself: name the worker that sent it.
struct DistReceiveError <: Exception
    worker::Int
    inner::Any
end
function Base.showerror(io::IO, e::DistReceiveError)
    print(io, "the result sent by worker ", e.worker, " could not be read on the receiving side (process 1)")
    e.inner isa UndefVarError && print(io, ": its type is unknown on the receiving side")
    print(io, ": ")
    showerror(io, e.inner)
end

function dist_received(f, worker::Int)
    D = distributed_module()
    try
        return f()
    catch e
        if e isa D.RemoteException && e.pid == D.myid() && worker != D.myid()
            throw(DistReceiveError(worker, e.captured.ex))
        end
        rethrow()
    end
end

function dist_remotecall_fetch(f, pid::Int, args::Tuple, token::Int = (DIST_TOKEN[] += 1))
    D = distributed_module()
    dist_ensure_set_up(pid)
    return dist_received(() -> D.remotecall_fetch(dist_run_call, pid, token, f, args...), pid)
end
# (It returns at once, so it does not wait to set a worker up: a worker added by other
# means than `add_workers` gets the plain call, which `interrupt` can only reach by SIGINT.)
function dist_remotecall(f, pid::Int, args::Tuple)
    D = distributed_module()
    pid == 1 || pid in DIST_SET_UP || return D.remotecall(f, pid, args...)
    return D.remotecall(dist_run_call, pid, (DIST_TOKEN[] += 1), f, args...)
end
dist_fetch(x) = dist_received(() -> fetch(x), x isa distributed_module().AbstractRemoteRef ? x.where : 0)

# `remotecall_fetch` that gives up after `timeout` seconds: the call on the worker is then
# interrupted (`dist_interrupt_worker`) until it has ended, so the worker is idle again
# when this returns `DistFailure` kind 4.
function dist_remotecall_fetch_timeout(f, pid::Int, args::Tuple, timeout::Float64)
    token = (DIST_TOKEN[] += 1)
    t = @async dist_remotecall_fetch(f, pid, args, token)
    timedwait(() -> istaskdone(t), timeout; pollint = 0.01) === :ok && return fetch(t)
    dist_interrupt_worker(pid, token, () -> istaskdone(t), 50)
    timedwait(() -> istaskdone(t), 10.0; pollint = 0.01)
    try
        return fetch(t) # it ended on its own just as the time ran out
    catch
    end
    return DistFailure(4, pid, ErrorException("the call on worker $pid timed out after $timeout s and was interrupted"))
end

# `pmap` with Distributed's `retry_delays` (seconds) and `on_error` (a function, or
# `nothing`); items whose worker exits are retried on another worker when delays are given.
function dist_pmap(f, c, delays::Tuple, on_error)
    D = distributed_module()
    kw = Dict{Symbol,Any}()
    isempty(delays) || (kw[:retry_delays] = collect(Float64, delays))
    on_error === nothing || (kw[:on_error] = on_error)
    return D.pmap(f, c; kw...)
end
dist_pmap(f, c) = distributed_module().pmap(f, c)
