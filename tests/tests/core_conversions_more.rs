//! jlrs-core: raw pointers as `Ptr`, `Cow<str>`, `half::f16` as `Float16`, `Symbol`
//! values, and the empty tuple apart from `nothing`: round trips and wrong types.

use std::{borrow::Cow, collections::HashSet, ffi::c_void};

use half::f16;
use jlrs_core::{GcFrame, JuliaError, Symbol, Tuple0, Value};
use jlrs_tests::julia;
use num_complex::Complex;

fn julia_type(frame: &mut GcFrame<'_>, v: Value<'_>) -> String {
    let t = frame.call("typeof", &[v]).unwrap();
    frame
        .call("string", &[t])
        .unwrap()
        .unbox::<String>()
        .unwrap()
}

fn same(frame: &mut GcFrame<'_>, a: Value<'_>, b: Value<'_>) -> bool {
    frame.call("===", &[a, b]).unwrap().unbox::<bool>().unwrap()
}

fn wrong_type<T>(r: Result<T, JuliaError>, expected: &str) {
    match r {
        Err(JuliaError::WrongType { expected: e, .. }) => assert_eq!(e, expected),
        Err(other) => panic!("{other:?}"),
        Ok(_) => panic!("accepted"),
    }
}

#[test]
fn raw_pointers_round_trip_as_ptr() {
    julia().run(|j| {
        j.scope(|mut frame| {
            let mut x = 5i64;
            let p: *mut i64 = &mut x;
            let v = frame.box_value(p).unwrap();
            assert_eq!(julia_type(&mut frame, v), "Ptr{Int64}");
            assert_eq!(v.unbox::<*mut i64>().unwrap(), p);
            assert_eq!(v.unbox::<*const i64>().unwrap(), p.cast_const());
            // Julia reads and writes through it.
            let loaded = frame.call("unsafe_load", &[v]).unwrap();
            assert_eq!(loaded.unbox::<i64>().unwrap(), 5);
            let seven = frame.box_value(7i64);
            frame.call("unsafe_store!", &[v, seven]).unwrap();
            assert_eq!(x, 7);

            let z = Complex::new(1.0f64, 2.0);
            let v = frame.box_value(&z as *const Complex<f64>).unwrap();
            assert_eq!(julia_type(&mut frame, v), "Ptr{Complex{Float64}}");
            let im = frame.eval("z -> unsafe_load(z).im").unwrap();
            let got = im.call(&mut frame, &[v]).unwrap().unbox::<f64>().unwrap();
            assert_eq!(got, 2.0);

            // `c_void`, and types with no Julia bits type, are `Ptr{Cvoid}`.
            let null = frame.box_value(std::ptr::null_mut::<c_void>());
            assert_eq!(julia_type(&mut frame, null), "Ptr{Nothing}");
            assert!(null.unbox::<*mut c_void>().unwrap().is_null());
            let addr = 0x1000usize as *const c_void;
            let v = frame.box_value(addr);
            assert_eq!(v.unbox::<*const c_void>().unwrap(), addr);
            let mut flag = true;
            let v = frame.box_value(&mut flag as *mut bool).unwrap();
            assert_eq!(julia_type(&mut frame, v), "Ptr{Nothing}");

            // Pointers made by Julia.
            let v = frame.eval("Ptr{Float64}(16)").unwrap();
            assert_eq!(v.unbox::<*mut f64>().unwrap() as usize, 16);
            assert!(v.is::<*mut u8>());

            // Not a pointer.
            let one = frame.box_value(1i64);
            assert!(!one.is::<*mut u8>());
            wrong_type(one.unbox::<*mut u8>(), "Ptr");
            wrong_type(one.unbox::<*const c_void>(), "Ptr");
        });
    });
}

#[test]
fn cow_strings_round_trip() {
    julia().run(|j| {
        j.scope(|mut frame| {
            let borrowed = frame.box_value(Cow::Borrowed("abc"));
            let owned = frame.box_value(Cow::<str>::Owned("déf".to_string()));
            assert_eq!(borrowed.type_name(), "String");
            let joined = frame.call("*", &[borrowed, owned]).unwrap();
            let back = joined.unbox::<Cow<str>>().unwrap();
            assert_eq!(back, "abcdéf");
            assert!(matches!(back, Cow::Owned(_)));
            wrong_type(frame.box_value(1i64).unbox::<Cow<str>>(), "String");
        });
    });
}

#[test]
fn f16_round_trips_as_float16() {
    julia().run(|j| {
        j.scope(|mut frame| {
            for x in [0.0f32, 1.5, -2.25, 65504.0, 1.0e-7] {
                let h = f16::from_f32(x);
                let v = frame.box_value(h);
                assert_eq!(v.type_name(), "Float16");
                assert_eq!(v.unbox::<f16>().unwrap(), h);
                let expected = frame.eval(&format!("Float16({x:?})")).unwrap();
                assert!(same(&mut frame, v, expected), "{x}");
            }
            let tenth = frame.eval("Float16(0.1)").unwrap();
            assert_eq!(tenth.unbox::<f16>().unwrap(), f16::from_f32(0.1));
            let nan = frame.eval("NaN16").unwrap();
            assert!(nan.unbox::<f16>().unwrap().is_nan());
            let single = frame.box_value(1.5f32);
            assert!(!single.is::<f16>());
            wrong_type(single.unbox::<f16>(), "Float16");
            wrong_type(frame.box_value(h16_bits()).unbox::<f16>(), "Float16");
        });
    });
}

/// A `UInt16` with the bits of a `Float16`: the same size, another type.
fn h16_bits() -> u16 {
    f16::from_f32(1.0).to_bits()
}

#[test]
fn symbols_compare_hash_and_unbox_to_strings() {
    julia().run(|j| {
        j.scope(|mut frame| {
            let a = Symbol::new(&mut frame, "a").unwrap();
            let a_again = Symbol::new(&mut frame, "a").unwrap();
            let b = Symbol::new(&mut frame, "b").unwrap();
            let from_julia = Symbol::from_value(frame.eval(":a").unwrap()).unwrap();
            assert_eq!(a, a_again);
            assert_eq!(a, from_julia);
            assert_ne!(a, b);
            assert_eq!(a, "a");
            let set: HashSet<Symbol> = [a, b, a_again, from_julia].into_iter().collect();
            assert_eq!(set.len(), 2);
            assert!(set.contains(&from_julia));

            let spaced = frame.eval("Symbol(\"with space\")").unwrap();
            assert_eq!(spaced.unbox::<String>().unwrap(), "with space");
            assert!(spaced.is::<String>());
            assert_eq!(
                Symbol::from_value(spaced).unwrap().to_string(),
                "with space"
            );
            assert_eq!(format!("{b:?}"), "Symbol(:b)");
            assert_eq!(a.as_value().type_name(), "Symbol");
            let same_sym = frame
                .call("===", &[a.as_value(), from_julia.as_value()])
                .unwrap();
            assert!(same_sym.unbox::<bool>().unwrap());

            // Strings still unbox as before; other values are not symbols.
            let s = frame.box_value("a");
            assert_eq!(s.unbox::<String>().unwrap(), "a");
            wrong_type(Symbol::from_value(s), "Symbol");
            wrong_type(frame.box_value(1i64).unbox::<String>(), "String");
            assert!(matches!(
                Symbol::new(&mut frame, "a\0b"),
                Err(JuliaError::NulByte(_))
            ));
        });
    });
}

#[test]
fn the_empty_tuple_is_not_nothing() {
    julia().run(|j| {
        j.scope(|mut frame| {
            let t = frame.box_value(Tuple0);
            let julia_empty = frame.eval("()").unwrap();
            assert!(same(&mut frame, t, julia_empty));
            assert_eq!(julia_type(&mut frame, t), "Tuple{}");
            assert_eq!(julia_empty.unbox::<Tuple0>().unwrap(), Tuple0);
            assert!(!t.is_nothing());
            wrong_type(t.unbox::<()>(), "Nothing");

            let nothing = frame.box_value(());
            assert!(nothing.is_nothing());
            assert!(!nothing.is::<Tuple0>());
            wrong_type(nothing.unbox::<Tuple0>(), "Tuple{}");
            let one = frame.eval("(1,)").unwrap();
            wrong_type(one.unbox::<Tuple0>(), "Tuple{}");
            assert_eq!(
                frame.call("length", &[t]).unwrap().unbox::<i64>().unwrap(),
                0
            );
        });
    });
}
