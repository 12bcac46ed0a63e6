# Helpers for keyword calls, globals, packages and exceptions (kw.rs, globals.rs,
# exception.rs).

# `f(args...; kwargs...)`, for keyword calls run as tasks.
kwapply(f, kwargs::NamedTuple, args...) = f(args...; kwargs...)

# `m.name = v`, as the top-level assignment `name = v` evaluated in `m`.
function set_global(m::Module, name::Symbol, v)
    Core.eval(m, Expr(:(=), name, QuoteNode(v)))
    return nothing
end

# `using A.B` in Main.
function using_package(name::String)
    parts = Symbol.(split(name, '.'))
    Core.eval(Main, Expr(:using, Expr(:., parts...)))
    return nothing
end

# The exceptions nested directly in `e`, as a tuple.
function nested_exceptions(e)
    if e isa TaskFailedException
        ex = e.task.exception
        return ex === nothing ? () : (ex,)
    elseif e isa CompositeException
        return Tuple(e.exceptions)
    elseif e isa CapturedException
        return (e.ex,)
    elseif e isa LoadError
        return (e.error,)
    elseif nameof(typeof(e)) === :RemoteException && hasfield(typeof(e), :captured)
        return (getfield(e, :captured).ex,)
    end
    return ()
end

# Types whose layout Rust has checked and cached (bits/mod.rs): kept alive for good.
const KEPT_TYPES = Any[]
const KEPT_TYPES_LOCK = Threads.SpinLock()
# Keeps `t` alive, once, whichever thread asks.
function keep_type(t)
    lock(KEPT_TYPES_LOCK)
    try
        any(x -> x === t, KEPT_TYPES) || push!(KEPT_TYPES, t)
    finally
        unlock(KEPT_TYPES_LOCK)
    end
    return nothing
end
