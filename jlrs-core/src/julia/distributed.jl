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
# exception it threw), 2 is worker `pid` exiting during the call, 3 any other exception.
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

# The command that starts a worker: `env K=V... julia`, so that the worker finds the
# provisioned Julia's libraries (and the caller's variables) however it is started.
function dist_worker_cmd(exename::String, env::Tuple)
    julia = isempty(exename) ? joinpath(Sys.BINDIR, Base.julia_exename()) : exename
    isempty(env) && return `$julia`
    assignments = String[string(k, "=", v) for (k, v) in env]
    return `/usr/bin/env $assignments $julia`
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
# workers on `hosts[i]` through the SSH manager. `env` is a tuple of (key, value) pairs
# applied after the defaults (LD_LIBRARY_PATH).
function dist_add(n::Int, hosts::Tuple, counts::Tuple, threads::Int, exeflags::String,
                  env::Tuple, dir::String, exename::String, sshflags::String)
    D = distributed_module()
    pairs = Pair{String,String}["LD_LIBRARY_PATH" => dist_library_path()]
    for (k, v) in env
        filter!(p -> p.first != k, pairs)
        push!(pairs, k => v)
    end
    flags = Base.shell_split(exeflags)
    threads > 0 && push!(flags, "--threads=$threads")
    kw = Dict{Symbol,Any}()
    isempty(dir) || (kw[:dir] = dir)
    if isempty(hosts)
        # The local manager adds `-J <this sysimage>` itself (Base.julia_cmd).
        kw[:exename] = dist_worker_cmd(exename, Tuple(pairs))
        kw[:exeflags] = Cmd(flags)
        return D.addprocs(n; kw...)
    end
    # The SSH manager runs `exename exeflags --worker` in a login shell on the host:
    # `env K=V... julia` keeps the environment across it, and the worker gets this
    # process's system image unless another Julia was named.
    isempty(exename) && pushfirst!(flags, "--sysimage=" * unsafe_string(Base.JLOptions().image_file))
    cmd = dist_worker_cmd(exename, Tuple(pairs))
    kw[:exename] = cmd.exec[1]
    kw[:sshflags] = Cmd(Base.shell_split(sshflags))
    # Workers on this machine's loopback interface listen there too, so the cluster's
    # traffic stays on it. (A bind address in the host string would be put before
    # `exename`'s arguments, that is before `julia`, so it is given as a flag.)
    loopback = [dist_is_loopback(h) && !occursin(' ', h) for h in hosts]
    added = Int[]
    for (group, extra) in ((loopback, ["--bind-to", "127.0.0.1"]), (.!loopback, String[]))
        machines = Any[(h, c) for (h, c, g) in zip(hosts, counts, group) if g]
        isempty(machines) && continue
        kw[:exeflags] = Cmd(vcat(cmd.exec[2:end], flags, extra))
        append!(added, D.addprocs(machines; kw...))
    end
    # The SSH manager reports a host it could not launch on by printing, not throwing:
    # remove the workers that did start, and fail.
    if length(added) != sum(counts)
        isempty(added) || D.rmprocs(added; waitfor = 60)
        error("addprocs over SSH started $(length(added)) of $(sum(counts)) workers; the SSH manager's message is on the standard error output")
    end
    return added
end

# The worker processes (not the master), in ascending order.
function dist_workers()
    D = distributed_module()
    return D.nprocs() == 1 ? Int[] : sort!(D.workers())
end

# Removes workers and waits for the processes this process started to exit.
function dist_remove(ids::Tuple)
    pids = collect(Int, ids)
    D = distributed_module()
    for p in pids
        p == 1 && throw(ArgumentError("process 1 is the master, not a worker; it cannot be removed"))
        if !haskey(D.map_pid_wrkr, p) && !(p in D.map_del_wrkr)
            throw(ArgumentError("there is no worker $p in this cluster"))
        end
    end
    live = filter(p -> p in D.workers(), pids)
    procs = Base.Process[]
    for p in live
        w = D.map_pid_wrkr[p]
        if w isa D.Worker && w.config.process isa Base.Process
            push!(procs, w.config.process)
        end
    end
    isempty(live) || D.rmprocs(live; waitfor = 60)
    for pr in procs
        timedwait(() -> process_exited(pr), 30.0) === :ok || kill(pr, 9)
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

dist_remotecall_fetch(f, pid::Int, args::Tuple) = distributed_module().remotecall_fetch(f, pid, args...)
dist_remotecall(f, pid::Int, args::Tuple) = distributed_module().remotecall(f, pid, args...)
dist_fetch(x) = fetch(x)
dist_pmap(f, c) = distributed_module().pmap(f, c)
