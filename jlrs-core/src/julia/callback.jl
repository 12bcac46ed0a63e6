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
# thrown here.
@inline function call_rust(entry::Ptr{Cvoid}, data::Ptr{Cvoid}, args::Vector{Any})
    r = ccall(entry, Any, (Ptr{Cvoid}, Ptr{Any}, Csize_t), data, args, length(args))
    if r isa RustError || r isa RustPanic
        throw(r)
    end
    return r
end

# `call_rust` with InterruptJulia: the callback runs with interrupts deferred
# (`sigatomic_begin`), and an InterruptException meant for the caller is thrown here once
# it has returned (`interrupt_point`).
@inline function call_rust_deferred(entry::Ptr{Cvoid}, data::Ptr{Cvoid}, args::Vector{Any})
    Base.sigatomic_begin()
    r = ccall(entry, Any, (Ptr{Cvoid}, Ptr{Any}, Csize_t), data, args, length(args))
    Base.sigatomic_end()
    interrupt_point()
    if r isa RustError || r isa RustPanic
        throw(r)
    end
    return r
end

# Whether interrupts can come (InterruptJulia, set up at start-up before any definition):
# without them the methods below defer nothing and cost nothing extra.
interrupts_on() = TAKE_INTERRUPT[] != C_NULL

# `name(args...)` in `m`: calls the Rust closure `data` through `entry` (callback.rs).
function define_function(m::Module, name::Symbol, entry::UInt, data::UInt)
    e = Ptr{Cvoid}(entry)
    d = Ptr{Cvoid}(data)
    call = interrupts_on() ? call_rust_deferred : call_rust
    Core.eval(m, :(function $name(args...)
        return $(call)($e, $d, Any[args...])
    end))
    return getfield(m, name)
end

# `name(x1::T1, ...) = ccall(fptr, R, (T1, ...), x1, ...)`: no boxing on either side.
# `passes` says per argument how the method hands it over (cfunction_types.rs): `:plain`
# as is, `:bool` as its lowest bit (a `Bool` byte can hold any value, which Julia passes on
# unchanged when this method is inlined, and a Rust `bool` must be 0 or 1), `:object` as
# `Any` (a boxed array, rooted by the caller's argument during the call).
# With InterruptJulia the Rust function runs with interrupts deferred, as in
# `call_rust_deferred`. It cannot throw (a panic in an `extern "C"` function aborts), so an
# exception caught around its `ccall` jumped over its Rust frames (a Rust stack overflow,
# which Julia's signal handler turns into a `StackOverflowError`): those frames can neither
# continue nor be cleaned up, and `escaped` (callback.rs) aborts, naming the thread.
function define_cfunction(m::Module, name::Symbol, fptr::UInt, ret::Type, argtypes::Tuple,
                          passes::Tuple, escaped::UInt)
    p = Ptr{Cvoid}(fptr)
    esc = Ptr{Cvoid}(escaped)
    args = [Symbol("x", i) for i in 1:length(argtypes)]
    typed = [:($(a)::$(t)) for (a, t) in zip(args, argtypes)]
    ctypes = [k === :object ? Any : t for (t, k) in zip(argtypes, passes)]
    vals = [k === :bool ? :($(Core.Intrinsics.and_int)($a, true)) : a
            for (a, k) in zip(args, passes)]
    call = :(ccall($p, $ret, ($(ctypes...),), $(vals...)))
    guarded = quote
        try
            $call
        catch e
            ccall($esc, Union{}, (Ptr{Cvoid}, Cstring, Cint), C_NULL, string(typeof(e)),
                  Threads.threadid())
        end
    end
    body = if interrupts_on()
        quote
            $(Base.sigatomic_begin)()
            r = $guarded
            $(Base.sigatomic_end)()
            $(interrupt_point)()
            return r
        end
    else
        :(return $guarded)
    end
    Core.eval(m, :(function $name($(typed...))
        $body
    end))
    return getfield(m, name)
end
