# The cluster manager behind `WorkerSpec` (distributed/*.rs), evaluated inside `JlrsCore`
# once `Distributed` is loaded (it subtypes `Distributed.ClusterManager`).
#
# It starts local workers and SSH workers itself instead of through Distributed's
# `LocalManager` and `SSHManager`, so that:
# - no environment value is on a command line: the worker's command is a small `sh`
#   script that reads `KEY=VALUE` lines from its standard input, exports them and `exec`s
#   `julia`; the cookie follows on the same pipe, as Distributed's own managers send it;
# - every process it starts dies with the thread that started it (thread 1, the runtime
#   thread): `setpriv --pdeathsig KILL` (util-linux) wraps the local command, and on SSH
#   hosts the remote worker, which then dies when its SSH session ends;
# - a launch that does not print its `host:port` within the launch timeout is killed, and
#   every launch failure names the command and carries the last lines of its stderr;
# - a worker that does not exit when removed is killed after the removal timeout.

const DIST_D = Main.Distributed

# A launch failure: the command (without any environment value) and what it printed.
struct WorkerLaunchError <: Exception
    msg::String
end
Base.showerror(io::IO, e::WorkerLaunchError) = print(io, "WorkerLaunchError: ", e.msg)

# The worker's start-up script, run by `sh -c SCRIPT jlrs-worker DIR PROGRAM ARGS...`:
# change to DIR, export the `KEY=VALUE` lines read from stdin up to an empty line, and
# `exec` PROGRAM ARGS (under `setpriv --pdeathsig KILL` when PDEATH is 1 and `setpriv`
# exists). `read` and `export` are builtins: no value reaches a command line.
const DIST_WORKER_SCRIPT = raw"""
cd -- "$1" || exit 97
pdeath=$2
shift 2
while IFS= read -r line && [ -n "$line" ]; do export "$line" || exit 98; done
if [ "$pdeath" = 1 ] && command -v setpriv >/dev/null 2>&1; then
    exec setpriv --pdeathsig KILL -- "$@"
fi
exec "$@"
"""

mutable struct JlrsManager <: DIST_D.ClusterManager
    # Empty for local workers; else (ssh host, optional bind address, count).
    hosts::Vector{Tuple{String,String,Int}}
    n::Int                        # local workers
    julia::Vector{String}         # the worker's `julia` and its flags (without --worker)
    env::Vector{Pair{String,String}}
    dir::String
    sshflags::Vector{String}
    tunnel::Bool
    launch_timeout::Float64
end

# How long a removed worker gets to exit before it is killed (`dist_remove` sets it; Julia's
# exit hook, which removes the remaining workers, uses the last value).
const DIST_REMOVAL_TIMEOUT = Ref(10.0)

# What the manager keeps per worker (`WorkerConfig.userdata`).
mutable struct JlrsWorkerProcess
    process::Base.Process
    command::String               # shown in errors
    stderr_tail::Vector{String}   # its last lines of stderr
    ospid::Int                    # the worker's own pid (on its host)
    tunnel::Union{Nothing,Base.Process} # the `ssh -L` of a tunnelled worker
end

const DIST_SETPRIV = Ref{Union{Nothing,String}}(nothing)
function dist_setpriv()
    p = DIST_SETPRIV[]
    p === nothing || return p
    p = something(Sys.which("setpriv"), "")
    DIST_SETPRIV[] = p
    return p
end

# `cmd` wrapped in `setpriv --pdeathsig KILL` when this machine has it.
function dist_pdeath(cmd::AbstractVector)
    sp = dist_setpriv()
    return String[(isempty(sp) ? String[] : [sp, "--pdeathsig", "KILL", "--"])..., cmd...]
end

# The command as shown in errors: words joined as a shell would read them.
dist_show_cmd(words) = join(map(Base.shell_escape_posixly, words), ' ')

const DIST_TAIL_LINES = 20

# SIGKILL to the process and its process group (it leads one: it was started detached),
# so that a launcher's children go too.
function dist_kill_group(proc::Base.Process)
    pid = try getpid(proc) catch; 0 end
    pid > 0 && ccall(:kill, Cint, (Cint, Cint), -pid, 9)
    process_exited(proc) || kill(proc, Base.SIGKILL)
end

# Collects `io`'s lines into `tail` (the last DIST_TAIL_LINES) and echoes them to stderr.
function dist_collect_stderr(io, tail::Vector{String})
    @async try
        while !eof(io)
            line = readline(io)
            push!(tail, line)
            length(tail) > DIST_TAIL_LINES && popfirst!(tail)
            println(stderr, "      From worker startup (stderr):\t", line)
        end
    catch
    end
end

function dist_launch_error(what::String, wp::JlrsWorkerProcess)
    sleep(0.05) # let the stderr reader catch up with the last lines
    tail = isempty(wp.stderr_tail) ? "(nothing)" : join(wp.stderr_tail, "\n    ")
    status = process_exited(wp.process) ? " (exit status $(wp.process.exitcode), signal $(wp.process.termsignal))" : ""
    return WorkerLaunchError("$what$status\n  command: $(wp.command)\n  its stderr:\n    $tail")
end

# Starts one worker with `argv` and reads its `julia_worker:PORT#ADDR` line.
function dist_start_one(m::JlrsManager, argv::Vector{String}, shown::Vector{String})
    errpipe = Pipe()
    cmd = Cmd(argv)
    proc = open(pipeline(detach(cmd); stderr = errpipe), "r+")
    close(errpipe.in)
    wp = JlrsWorkerProcess(proc, dist_show_cmd(shown), String[], 0, nothing)
    dist_collect_stderr(errpipe, wp.stderr_tail)
    try
        for (k, v) in m.env
            write(proc, k, "=", v, "\n")
        end
        tval = get(ENV, "JULIA_WORKER_TIMEOUT", "")
        isempty(tval) || write(proc, "JULIA_WORKER_TIMEOUT=", tval, "\n")
        write(proc, "\n", DIST_D.cluster_cookie(), "\n")
        flush(proc)
    catch
        # The process already exited: its stderr says why.
    end
    line = Ref{Any}(nothing)
    reader = @async begin
        while !eof(proc)
            l = readline(proc)
            mm = match(r"^julia_worker:(\d+)#(.*)", l)
            if mm !== nothing
                line[] = (String(mm.captures[2]), parse(Int, mm.captures[1]))
                return
            end
            println(stdout, "      From worker startup:\t", l)
        end
    end
    status = timedwait(() -> istaskdone(reader), m.launch_timeout; pollint = 0.05)
    if line[] === nothing
        dist_kill_group(proc)
        timedwait(() -> process_exited(proc), 10.0; pollint = 0.05)
        what = status === :timed_out ?
            "the worker did not report its host:port within $(m.launch_timeout) s; it was killed" :
            "the worker exited before reporting its host:port"
        throw(dist_launch_error(what, wp))
    end
    return wp, line[]
end

function DIST_D.launch(m::JlrsManager, params::Dict, launched::Array, c::Condition)
    # Every worker starts at once; each is handed to Distributed as soon as it reports.
    jobs = Tuple{Vector{String},Vector{String},String,String,Vector{String}}[]
    if isempty(m.hosts)
        inner = String[m.julia..., "--bind-to", "127.0.0.1", "--worker"]
        argv = dist_pdeath(vcat(["/bin/sh", "-c", DIST_WORKER_SCRIPT, "jlrs-worker", m.dir, "0"], inner))
        for _ in 1:m.n
            push!(jobs, (argv, inner, "", "", String[]))
        end
    else
        for (host, bind, count) in m.hosts
            sshhost, portopt = dist_parse_ssh_host(host)
            bind_to = !isempty(bind) ? bind :
                (m.tunnel || dist_is_loopback(sshhost)) ? "127.0.0.1" : ""
            inner = String[m.julia..., (isempty(bind_to) ? String[] : ["--bind-to", bind_to])..., "--worker"]
            remote = dist_show_cmd(vcat(["sh", "-l", "-c", DIST_WORKER_SCRIPT, "jlrs-worker", m.dir, "1"], inner))
            sshflags = String[m.sshflags..., portopt...]
            ssh = vcat(["ssh", "-T", "-a", "-x", "-o", "ClearAllForwardings=yes"], sshflags, ["--", sshhost, remote])
            shown = String["ssh", sshflags..., "--", sshhost, inner...]
            for _ in 1:count
                push!(jobs, (dist_pdeath(ssh), shown, sshhost, bind_to, sshflags))
            end
        end
    end
    try
        @sync for (argv, shown, sshhost, bind_to, sshflags) in jobs
            @async begin
                wp, (addr, port) = dist_start_one(m, argv, shown)
                wc = DIST_D.WorkerConfig()
                wc.userdata = wp
                wc.port = port
                wc.bind_addr = addr
                wc.enable_threaded_blas = params[:enable_threaded_blas]
                if isempty(sshhost)
                    wc.process = wp.process
                    wc.host = addr
                else
                    wc.host = sshhost
                    wc.tunnel = m.tunnel
                    wc.multiplex = false
                    wc.sshflags = Cmd(sshflags)
                end
                push!(launched, wc)
                notify(c)
            end
        end
    finally
        notify(c)
    end
end

# `[user@]host[:port]` → (`[user@]host`, ssh port flags).
function dist_parse_ssh_host(host::String)
    userhost, port = DIST_D.parse_machine(host)
    return String(userhost), port === nothing ? String[] : ["-p", string(port)]
end

# The master's connection to a tunnelled worker goes through an `ssh -N -L` child of its
# own (Distributed's `ssh_tunnel` leaves a detached `ssh -f ... sleep 60` behind), which
# ends with the worker: on removal, on deregistration, and with the runtime thread.
function DIST_D.connect(m::JlrsManager, pid::Int, config::DIST_D.WorkerConfig)
    wp = config.userdata
    if config.connect_at !== nothing || !something(config.tunnel, false) || !(wp isa JlrsWorkerProcess)
        return invoke(DIST_D.connect, Tuple{DIST_D.ClusterManager,Int,DIST_D.WorkerConfig}, m, pid, config)
    end
    bind_addr = config.bind_addr
    port = config.port
    server = Sockets_listen_any()
    localport = Int(DIST_D.Sockets.getsockname(server)[2])
    close(server)
    ssh = dist_pdeath(String["ssh", "-T", "-a", "-x", "-N", "-o", "ExitOnForwardFailure=yes",
                             collect(String, config.sshflags.exec)...,
                             "-L", "127.0.0.1:$localport:$bind_addr:$port", "--", config.host])
    wp.tunnel = run(pipeline(detach(Cmd(ssh)); stdin = devnull, stdout = devnull); wait = false)
    sock = Ref{Any}(nothing)
    timedwait(m.launch_timeout; pollint = 0.05) do
        process_exited(wp.tunnel) && return true
        try
            sock[] = DIST_D.Sockets.connect(DIST_D.Sockets.IPv4("127.0.0.1"), localport)
            return true
        catch
            return false
        end
    end
    if sock[] === nothing
        dist_kill_group(wp.tunnel)
        error("the SSH tunnel to worker $pid (", dist_show_cmd(ssh), ") did not open")
    end
    config.connect_at = (bind_addr, port)
    config.forward = "$localport:$bind_addr:$port"
    return (sock[], sock[])
end

# A TCP server on a free port of 127.0.0.1.
Sockets_listen_any() = DIST_D.Sockets.listen(DIST_D.Sockets.IPv4("127.0.0.1"), 0)

function DIST_D.manage(m::JlrsManager, id::Integer, config::DIST_D.WorkerConfig, op::Symbol)
    wp = config.userdata
    wp isa JlrsWorkerProcess || return
    if op === :register
        # The worker's stdout, as Distributed forwards it for its own managers.
        DIST_D.redirect_worker_output(id, wp.process.out)
        wp.ospid = config.ospid === nothing ? 0 : config.ospid
    elseif op === :interrupt
        dist_interrupt_process(m, config, wp)
    elseif op === :deregister || op === :finalize
        wp.tunnel === nothing || process_exited(wp.tunnel) || dist_kill_group(wp.tunnel)
    end
end

function dist_interrupt_process(m::JlrsManager, config, wp::JlrsWorkerProcess)
    ospid = config.ospid
    ospid === nothing && return
    if isempty(m.hosts)
        ccall(:kill, Cint, (Cint, Cint), ospid, 2)
    else
        run(ignorestatus(`ssh -T -a -x -o ClearAllForwardings=yes -n $(config.sshflags) -- $(config.host) "kill -2 $ospid"`))
    end
end

# Asks the worker to exit; after the removal timeout its process (or its SSH session) is
# killed, which ends the worker: local ones directly, remote ones through `setpriv`'s
# parent-death signal when their session ends.
function Base.kill(m::JlrsManager, pid::Int, config::DIST_D.WorkerConfig)
    try
        DIST_D.remote_do(exit, pid)
    catch
    end
    wp = config.userdata
    if wp isa JlrsWorkerProcess
        timeout = DIST_REMOVAL_TIMEOUT[]
        @async begin
            if timedwait(() -> process_exited(wp.process), timeout; pollint = 0.05) !== :ok
                dist_kill_group(wp.process)
            end
        end
    end
    # (No multiplexed tunnel to cancel: tunnels are plain `ssh -L` processes that end with
    # their last forwarded connection.)
    nothing
end
