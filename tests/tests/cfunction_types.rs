//! `define_cfunction` with `bool`, raw pointer and typed `Array` arguments and results,
//! and the same types through a `define_function` closure.

use std::{ffi::c_void, sync::Once, time::Duration};

use jlrs_core::{array::JuliaBool, Array, GcFrame, JlResult, Julia, JuliaError, Value};
use jlrs_tests::{julia, watchdog};

/// Runs `f` on the shared runtime thread once every function below is defined.
fn run<T: Send + 'static>(f: impl for<'s> FnOnce(&mut GcFrame<'s>) -> T + Send + 'static) -> T {
    static DEFINED: Once = Once::new();
    julia().run(move |j: &mut Julia| {
        DEFINED.call_once(|| {
            j.scope(|mut frame| define_all(&mut frame))
                .expect("the functions are defined");
        });
        j.scope(|mut frame| f(&mut frame))
    })
}

extern "C" fn not(b: bool) -> bool {
    !b
}

/// The byte Rust received as a `bool`.
extern "C" fn bool_byte(b: bool) -> u8 {
    // A `bool` is one byte; reading it as `u8` shows exactly what arrived.
    u8::from(b)
}

/// The byte it gets, as is: defined below as a function of `bool` to see what `ccall`
/// hands a Rust `bool` (a `u8` parameter accepts every byte, so nothing here is undefined).
extern "C" fn probe(b: u8) -> u8 {
    b
}

extern "C" fn raw_byte(b: JuliaBool) -> u8 {
    b.0
}

extern "C" fn echo_f64_ptr(p: *mut f64) -> *mut f64 {
    p
}

extern "C" fn echo_const_i64_ptr(p: *const i64) -> *const i64 {
    p
}

extern "C" fn echo_void_ptr(p: *mut c_void) -> *mut c_void {
    p
}

/// The sum of the elements, NaN if the data cannot be borrowed.
extern "C" fn sum(a: Array<'_, f64>) -> f64 {
    a.data().map_or(f64::NAN, |d| d.iter().sum())
}

/// Writes `i * i + k` into element `i`; the number of elements written, -1 on an error.
extern "C" fn fill_squares(a: Array<'_, i64>, k: i64) -> i64 {
    match a.data_mut() {
        Ok(mut d) => {
            for (i, x) in d.iter_mut().enumerate() {
                *x = (i * i) as i64 + k;
            }
            d.len() as i64
        }
        Err(_) => -1,
    }
}

/// Borrows `a` exclusively and then `b`: 1 if the second borrow was refused (the two share
/// memory), 0 if both were granted, -1 if the first failed.
extern "C" fn alias(a: Array<'_, f64>, b: Array<'_, f64>) -> i64 {
    let Ok(_x) = a.data_mut() else {
        return -1;
    };
    match b.data() {
        Ok(_) => 0,
        Err(_) => 1,
    }
}

/// Whether all elements are true (a `Bool` array is read as checked bytes).
extern "C" fn all_true(a: Array<'_, bool>) -> bool {
    a.to_vec().is_ok_and(|v| v.iter().all(|&b| b))
}

/// `y .+= a .* x` when `go`; the number of elements updated, -1 on an error (lengths
/// differ, or `x` and `y` share memory).
extern "C" fn axpy(y: Array<'_, f64>, a: f64, x: Array<'_, f64>, go: bool) -> i64 {
    if !go {
        return 0;
    }
    let (Ok(mut y), Ok(x)) = (y.data_mut(), x.data()) else {
        return -1;
    };
    if x.len() != y.len() {
        return -1;
    }
    for (y, x) in y.iter_mut().zip(x.iter()) {
        *y += a * x;
    }
    y.len() as i64
}

/// Eight numbers of eight types, weighted by position so that an exchange shows.
#[allow(clippy::too_many_arguments)]
extern "C" fn weighted8(a: i8, b: i16, c: i32, d: i64, e: u8, f: u16, g: u32, h: f32) -> f64 {
    [
        f64::from(a),
        f64::from(b),
        f64::from(c),
        d as f64,
        f64::from(e),
        f64::from(f),
        f64::from(g),
        f64::from(h),
    ]
    .iter()
    .enumerate()
    .map(|(i, x)| 10f64.powi(i as i32) * x)
    .sum()
}

fn define_all(f: &mut GcFrame<'_>) -> JlResult<()> {
    f.define_cfunction(
        "rust_axpy!",
        axpy as extern "C" fn(Array<'_, f64>, f64, Array<'_, f64>, bool) -> i64,
    )?;
    type Weighted8 = extern "C" fn(i8, i16, i32, i64, u8, u16, u32, f32) -> f64;
    f.define_cfunction("rust_weighted8", weighted8 as Weighted8)?;
    f.define_cfunction("rust_not", not as extern "C" fn(bool) -> bool)?;
    f.define_cfunction("rust_bool_byte", bool_byte as extern "C" fn(bool) -> u8)?;
    // SAFETY: the same ABI (one byte, zero-extended); only Julia calls it, never Rust.
    let probe_bool =
        unsafe { std::mem::transmute::<extern "C" fn(u8) -> u8, extern "C" fn(bool) -> u8>(probe) };
    f.define_cfunction("rust_bool_probe", probe_bool)?;
    f.define_cfunction("rust_raw_byte", raw_byte as extern "C" fn(JuliaBool) -> u8)?;
    f.define_cfunction(
        "rust_echo_f64_ptr",
        echo_f64_ptr as extern "C" fn(*mut f64) -> *mut f64,
    )?;
    f.define_cfunction(
        "rust_echo_i64_ptr",
        echo_const_i64_ptr as extern "C" fn(*const i64) -> *const i64,
    )?;
    f.define_cfunction(
        "rust_echo_void_ptr",
        echo_void_ptr as extern "C" fn(*mut c_void) -> *mut c_void,
    )?;
    f.define_cfunction("rust_sum", sum as extern "C" fn(Array<'_, f64>) -> f64)?;
    f.define_cfunction(
        "rust_fill_squares!",
        fill_squares as extern "C" fn(Array<'_, i64>, i64) -> i64,
    )?;
    f.define_cfunction(
        "rust_alias",
        alias as extern "C" fn(Array<'_, f64>, Array<'_, f64>) -> i64,
    )?;
    f.define_cfunction(
        "rust_all_true",
        all_true as extern "C" fn(Array<'_, bool>) -> bool,
    )?;
    // The same types through a closure: unboxed from the boxed arguments.
    f.define_function("rust_closure_types", |frame, args: &[Value<'_>]| {
        let b = args[0].unbox::<bool>()?;
        let p = args[1].unbox::<*mut f64>()?;
        let total: f64 = args[2].array::<f64>()?.data()?.iter().sum();
        frame.box_value((!b, p as usize as u64, total))
    })?;
    f.eval(
        "# `map` and broadcasting over a reinterpreted array hand each stored byte over
         # unchanged (checked with Julia 1.5.3), whatever it is.
         bytes_of(f, v) = map(f, v)
         bytes_broadcast(f, v) = f.(v)
         odd_bools() = reinterpret(Bool, UInt8[0x00, 0x01, 0x02, 0x03, 0xfe, 0xff])",
    )
    .map(|_| ())
}

fn eval_string(f: &mut GcFrame<'_>, code: &str) -> JlResult<String> {
    let v = f.eval(code)?;
    f.call("repr", &[v])?.unbox::<String>()
}

#[test]
fn a_bool_argument_and_result() {
    let _dog = watchdog("bool cfunction", Duration::from_secs(120));
    let r = run(|f| {
        Ok::<_, JuliaError>((
            f.eval("rust_not(true)")?.unbox::<bool>()?,
            f.eval("rust_not(false)")?.unbox::<bool>()?,
            eval_string(f, "bytes_of(rust_bool_byte, [true, false])")?,
            eval_string(f, "string(first(methods(rust_not)).sig)")?,
            f.eval("rust_not(1)").unwrap_err().to_string(),
        ))
    })
    .unwrap();
    assert!(!r.0);
    assert!(r.1);
    assert_eq!(r.2, "UInt8[0x01, 0x00]");
    assert_eq!(r.3, "\"Tuple{typeof(rust_not),Bool}\"");
    assert!(r.4.contains("MethodError"), "{}", r.4);
}

#[test]
fn a_bool_byte_other_than_0_or_1_reaches_rust_as_its_lowest_bit() {
    let _dog = watchdog("odd bools", Duration::from_secs(120));
    let r = run(|f| {
        Ok::<_, JuliaError>((
            eval_string(f, "bytes_of(rust_bool_probe, odd_bools())")?,
            eval_string(f, "bytes_broadcast(rust_bool_probe, odd_bools())")?,
            eval_string(f, "bytes_of(rust_not, odd_bools())")?,
            // Julia's own reading of those bytes, for comparison.
            eval_string(f, "[x ? 0x01 : 0x00 for x in odd_bools()]")?,
            // `JuliaBool` takes the byte as Julia holds it.
            eval_string(f, "bytes_of(rust_raw_byte, [true, false])")?,
        ))
    })
    .unwrap();
    assert_eq!(r.0, "UInt8[0x00, 0x01, 0x00, 0x01, 0x00, 0x01]");
    assert_eq!(r.1, r.0);
    assert_eq!(r.2, "Bool[1, 0, 1, 0, 1, 0]");
    assert_eq!(r.3, r.0, "Julia's `if` reads the same bit");
    assert_eq!(r.4, "UInt8[0x01, 0x00]");
}

#[test]
fn a_pointer_goes_to_rust_and_back() {
    let _dog = watchdog("pointers", Duration::from_secs(120));
    let r = run(|f| {
        Ok::<_, JuliaError>((
            f.eval("x = [1.0, 2.0]; GC.@preserve x rust_echo_f64_ptr(pointer(x)) === pointer(x)")?
                .unbox::<bool>()?,
            f.eval(
                "y = [1, 2, 3]; GC.@preserve y rust_echo_i64_ptr(pointer(y, 2)) === pointer(y, 2)",
            )?
            .unbox::<bool>()?,
            f.eval("p = Ptr{Cvoid}(UInt(0xdead0)); rust_echo_void_ptr(p) === p")?
                .unbox::<bool>()?,
            f.eval("rust_echo_void_ptr(C_NULL) === C_NULL")?
                .unbox::<bool>()?,
            eval_string(f, "string(first(methods(rust_echo_f64_ptr)).sig)")?,
            eval_string(f, "typeof(rust_echo_i64_ptr(Ptr{Int64}(8)))")?,
            f.eval("rust_echo_f64_ptr(Ptr{Int64}(8))")
                .unwrap_err()
                .to_string(),
        ))
    })
    .unwrap();
    assert!(r.0, "a Ptr{{Float64}} comes back unchanged");
    assert!(r.1, "a Ptr{{Int64}} comes back unchanged");
    assert!(r.2, "a Ptr{{Cvoid}} comes back unchanged");
    assert!(r.3, "C_NULL comes back unchanged");
    assert_eq!(r.4, "\"Tuple{typeof(rust_echo_f64_ptr),Ptr{Float64}}\"");
    assert_eq!(r.5, "Ptr{Int64}");
    assert!(r.6.contains("MethodError"), "{}", r.6);
}

#[test]
fn rust_sums_a_vector_of_float64_from_julia() {
    let _dog = watchdog("sum", Duration::from_secs(120));
    let r = run(|f| {
        Ok::<_, JuliaError>((
            f.eval("rust_sum([1.0, 2.5, 3.5])")?.unbox::<f64>()?,
            f.eval("rust_sum(Float64[])")?.unbox::<f64>()?,
            // Any rank.
            f.eval("rust_sum([1.0 2.0; 3.0 4.0])")?.unbox::<f64>()?,
            f.eval("rust_sum(collect(1.0:1000.0))")?.unbox::<f64>()?,
            f.eval("rust_all_true([true, true])")?.unbox::<bool>()?,
            f.eval("rust_all_true([true, false])")?.unbox::<bool>()?,
        ))
    })
    .unwrap();
    assert_eq!(r.0, 7.0);
    assert_eq!(r.1, 0.0);
    assert_eq!(r.2, 10.0);
    assert_eq!(r.3, 500_500.0);
    assert!(r.4);
    assert!(!r.5);
}

#[test]
fn rust_writes_into_a_vector_of_int_from_julia() {
    let _dog = watchdog("fill", Duration::from_secs(120));
    let r = run(|f| {
        Ok::<_, JuliaError>((
            eval_string(f, "v = zeros(Int, 5); n = rust_fill_squares!(v, 7); (n, v)")?,
            eval_string(f, "v = zeros(Int, 0); rust_fill_squares!(v, 7)")?,
        ))
    })
    .unwrap();
    assert_eq!(r.0, "(5, [7, 8, 11, 16, 23])");
    assert_eq!(r.1, "0");
}

#[test]
fn array_arguments_go_through_the_borrow_ledger() {
    let _dog = watchdog("alias", Duration::from_secs(120));
    let r = run(|f| {
        Ok::<_, JuliaError>((
            f.eval("v = [1.0, 2.0]; rust_alias(v, v)")?.unbox::<i64>()?,
            f.eval("v = [1.0, 2.0]; rust_alias(v, copy(v))")?
                .unbox::<i64>()?,
            // Two arrays over the same memory are one borrow.
            f.eval("v = [1.0, 2.0]; rust_alias(v, reshape(v, 1, 2))")?
                .unbox::<i64>()?,
        ))
    })
    .unwrap();
    assert_eq!(r.0, 1, "a second borrow of the same array is refused");
    assert_eq!(r.1, 0, "borrows of two arrays are granted");
    assert_eq!(r.2, 1, "a borrow of an alias is refused");
}

#[test]
fn the_wrong_element_type_is_a_julia_error_not_a_crash() {
    let _dog = watchdog("wrong element type", Duration::from_secs(120));
    let r = run(|f| {
        let errors = [
            "rust_sum([1, 2, 3])",
            "rust_sum(Float32[1, 2])",
            "rust_sum(1.0:3.0)",
            "rust_sum(view([1.0, 2.0], 1:2))",
            "rust_sum(Any[1.0, 2.0])",
            "rust_fill_squares!([1.0, 2.0], 1)",
            "rust_all_true(UInt8[1])",
        ]
        .map(|code| match f.eval(code) {
            Ok(v) => format!("{code} returned {v:?}"),
            Err(e) => e.to_string(),
        });
        // The runtime still works, and the right type still does.
        let after = f.eval("rust_sum([2.0, 3.0])")?.unbox::<f64>()?;
        Ok::<_, JuliaError>((errors, after))
    })
    .unwrap();
    for e in &r.0 {
        assert!(e.contains("MethodError: no method matching"), "{e}");
    }
    assert_eq!(r.1, 5.0);
}

#[test]
fn a_closure_takes_the_same_types() {
    let _dog = watchdog("closure", Duration::from_secs(120));
    let r = run(|f| {
        Ok::<_, JuliaError>((
            f.eval("x = [1.0, 2.0]; GC.@preserve x rust_closure_types(true, pointer(x), x) == (false, UInt64(pointer(x)), 3.0)")?
                .unbox::<bool>()?,
            f.eval("rust_closure_types(true, C_NULL, [1, 2])")
                .unwrap_err()
                .to_string(),
        ))
    })
    .unwrap();
    assert!(r.0);
    assert!(r.1.contains("expected Array{Float64}"), "{}", r.1);
}

#[test]
fn arrays_and_numbers_mix_in_any_position() {
    let _dog = watchdog("mixed", Duration::from_secs(120));
    let r = run(|f| {
        Ok::<_, JuliaError>((
            eval_string(
                f,
                "y = [1.0, 2.0]; n = rust_axpy!(y, 10.0, [3.0, 4.0], true); (n, y)",
            )?,
            eval_string(
                f,
                "y = [1.0, 2.0]; n = rust_axpy!(y, 10.0, [3.0, 4.0], false); (n, y)",
            )?,
            eval_string(
                f,
                "y = [1.0, 2.0]; n = rust_axpy!(y, 10.0, y, true); (n, y)",
            )?,
            eval_string(f, "rust_axpy!([1.0], 1.0, [1.0, 2.0], true)")?,
            f.eval("rust_weighted8(1, 2, 3, 4, 5, 6, 7, 8)")
                .map_or_else(|e| e.to_string(), |_| "no error".into()),
            f.eval(
                "rust_weighted8(Int8(1), Int16(2), Int32(3), 4, 0x05, UInt16(6), UInt32(7), 8f0)",
            )?
            .unbox::<f64>()?,
        ))
    })
    .unwrap();
    assert_eq!(r.0, "(2, [31.0, 42.0])");
    assert_eq!(r.1, "(0, [1.0, 2.0])");
    assert_eq!(r.2, "(-1, [1.0, 2.0])", "x and y are one array: refused");
    assert_eq!(r.3, "-1");
    assert!(r.4.contains("MethodError"), "{}", r.4);
    assert_eq!(r.5, 87_654_321.0);
}
