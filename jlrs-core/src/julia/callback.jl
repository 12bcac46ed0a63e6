# Rust functions callable from Julia (callback.rs).

"""
    RustError(msg)

A Rust function called from Julia returned an error; `msg` is its text.
"""
struct RustError <: Exception
    msg::String
end
Base.showerror(io::IO, e::RustError) = print(io, "RustError: ", e.msg)

"""
    RustPanic(msg)

A Rust function called from Julia panicked; `msg` is the panic message. The panic was
caught at the boundary: no Rust frame was skipped.
"""
struct RustPanic <: Exception
    msg::String
end
Base.showerror(io::IO, e::RustPanic) = print(io, "RustPanic: ", e.msg)

# Calls the Rust callback `data` through `entry` (the shim's `jlrs_core_callback_guard`)
# with the arguments as an array of boxed values (the array roots them during the call).
# The Rust side never unwinds and never throws: it returns a RustError or RustPanic,
# thrown here. It runs with interrupts deferred (`sigatomic_begin`): an InterruptException
# meant for the caller is thrown here once it has returned (`interrupt_point`).
# Without InterruptJulia no interrupt is ever delivered, and nothing is deferred.
@inline function call_rust(entry::Ptr{Cvoid}, data::Ptr{Cvoid}, args::Vector{Any})
    if TAKE_INTERRUPT[] == C_NULL
        r = ccall(entry, Any, (Ptr{Cvoid}, Ptr{Any}, Csize_t), data, args, length(args))
    else
        Base.sigatomic_begin()
        r = ccall(entry, Any, (Ptr{Cvoid}, Ptr{Any}, Csize_t), data, args, length(args))
        Base.sigatomic_end()
        interrupt_point()
    end
    if r isa RustError || r isa RustPanic
        throw(r)
    end
    return r
end

# `name(args...)` in `m`: calls the Rust closure `data` through `entry` (callback.rs).
function define_function(m::Module, name::Symbol, entry::UInt, data::UInt)
    e = Ptr{Cvoid}(entry)
    d = Ptr{Cvoid}(data)
    Core.eval(m, :(function $name(args...)
        return $(call_rust)($e, $d, Any[args...])
    end))
    return getfield(m, name)
end

# `name(x1::T1, ...) = ccall(fptr, R, (T1, ...), x1, ...)`: no boxing on either side.
# The Rust function runs with interrupts deferred, as in `call_rust` (it cannot throw:
# a panic in an `extern "C"` function aborts).
function define_cfunction(m::Module, name::Symbol, fptr::UInt, ret::Type, argtypes::Tuple)
    p = Ptr{Cvoid}(fptr)
    args = [Symbol("x", i) for i in 1:length(argtypes)]
    typed = [:($(a)::$(t)) for (a, t) in zip(args, argtypes)]
    Core.eval(m, :(function $name($(typed...))
        $(TAKE_INTERRUPT)[] == C_NULL && return ccall($p, $ret, ($(argtypes...),), $(args...))
        Base.sigatomic_begin()
        r = ccall($p, $ret, ($(argtypes...),), $(args...))
        Base.sigatomic_end()
        $(interrupt_point)()
        return r
    end))
    return getfield(m, name)
end
