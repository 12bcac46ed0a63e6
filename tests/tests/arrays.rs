//! Arrays on the runtime thread: round trips of every element type in ranks 1 to 3 with
//! column-major order checked against Julia's indexing, Julia mutating a borrowed buffer
//! and the detach afterwards, `array_from_vec` sharing and dropping its `Vec` exactly
//! once, borrow conflicts, non-bits arrays, ndarray views and bad input.

use std::{
    alloc::{GlobalAlloc, Layout, System},
    fmt::Debug,
    sync::atomic::{AtomicUsize, Ordering},
};

use jlrs_core::{
    array::{owned_buffers, ArrayError, JuliaChar},
    ArrayElement, Error, GcFrame, JlResult, Unbox,
};
use jlrs_tests::julia;

/// Counts frees of one watched allocation (address and size), to see when and how often
/// Julia's finalizer drops a `Vec`.
struct Counting;

static WATCH_ADDR: AtomicUsize = AtomicUsize::new(0);
static WATCH_SIZE: AtomicUsize = AtomicUsize::new(0);
static FREED: AtomicUsize = AtomicUsize::new(0);

// SAFETY: forwards every call to the system allocator unchanged.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: forwarded.
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        if ptr as usize == WATCH_ADDR.load(Ordering::SeqCst)
            && layout.size() == WATCH_SIZE.load(Ordering::SeqCst)
        {
            FREED.fetch_add(1, Ordering::SeqCst);
        }
        // SAFETY: forwarded.
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static ALLOC: Counting = Counting;

fn run<T: Send + 'static>(f: impl for<'s> FnOnce(GcFrame<'s>) -> T + Send + 'static) -> T {
    julia().run(move |j| j.scope(f))
}

/// Julia's `f(args...)` for a function defined by `code`.
fn jl<'s>(
    frame: &mut GcFrame<'s>,
    code: &str,
    args: &[jlrs_core::Value<'_>],
) -> JlResult<jlrs_core::Value<'s>> {
    let f = frame.eval(code)?;
    f.call(frame, args)
}

fn check_round_trip<T>(frame: &mut GcFrame<'_>, data: &[T], julia_type: &str)
where
    T: ArrayElement + Unbox + PartialEq + Debug,
{
    for dims in [&[12][..], &[3, 4], &[2, 3, 2]] {
        let what = format!("{julia_type} {dims:?}");
        let copied = frame.array_from_slice(data, dims).unwrap();
        let owned = frame.array_from_vec(data.to_vec(), dims).unwrap();
        let zeros = frame.new_array::<T>(dims).unwrap();
        for a in [copied, owned] {
            assert_eq!(a.dims(), dims, "{what}");
            assert_eq!(a.rank(), dims.len(), "{what}");
            assert_eq!(a.len(), 12, "{what}");
            assert_eq!(a.to_vec().unwrap(), data, "{what}");
            let ty = jl(frame, "A -> string(typeof(A))", &[a.as_value()]).unwrap();
            assert_eq!(
                ty.unbox::<String>().unwrap(),
                format!("Array{{{julia_type},{}}}", dims.len()),
                "{what}"
            );
            // Column-major: Julia's A[2, 3] (and A[2, 3, 2]) is the Rust element at
            // (2-1) + (3-1)*rows (+ (2-1)*rows*cols).
            let (code, index) = match dims.len() {
                1 => ("A -> A[7]", 6),
                2 => ("A -> A[2, 3]", 1 + 2 * 3),
                _ => ("A -> A[2, 3, 2]", 1 + 2 * 2 + 6),
            };
            let x = jl(frame, code, &[a.as_value()]).unwrap();
            assert_eq!(x.unbox::<T>().unwrap(), data[index], "{what}");
            // Back from a Julia-made copy.
            let c = jl(frame, "A -> copy(A)", &[a.as_value()]).unwrap();
            assert_eq!(c.array::<T>().unwrap().to_vec().unwrap(), data, "{what}");
            assert_eq!(c.array::<T>().unwrap().dims(), dims, "{what}");
        }
        let zero = jl(
            frame,
            "A -> all(iszero, reinterpret(UInt8, vec(A)))",
            &[zeros.as_value()],
        )
        .unwrap();
        assert!(zero.unbox::<bool>().unwrap(), "{what}");
    }
}

#[test]
fn every_element_type_round_trips_in_ranks_1_to_3() {
    run(|mut f| {
        let ints: Vec<i64> = (0..12).map(|i| i * 37 - 200).collect();
        check_round_trip(
            &mut f,
            &ints.iter().map(|&i| i as i8).collect::<Vec<_>>(),
            "Int8",
        );
        check_round_trip(
            &mut f,
            &ints.iter().map(|&i| i as i16 * 99).collect::<Vec<_>>(),
            "Int16",
        );
        check_round_trip(
            &mut f,
            &ints.iter().map(|&i| i as i32 * 70_001).collect::<Vec<_>>(),
            "Int32",
        );
        check_round_trip(
            &mut f,
            &ints.iter().map(|&i| i << 40).collect::<Vec<_>>(),
            "Int64",
        );
        check_round_trip(
            &mut f,
            &ints.iter().map(|&i| i as isize - 1).collect::<Vec<_>>(),
            "Int64",
        );
        check_round_trip(
            &mut f,
            &ints.iter().map(|&i| i as u8).collect::<Vec<_>>(),
            "UInt8",
        );
        check_round_trip(
            &mut f,
            &ints.iter().map(|&i| i as u16).collect::<Vec<_>>(),
            "UInt16",
        );
        check_round_trip(
            &mut f,
            &ints.iter().map(|&i| i as u32).collect::<Vec<_>>(),
            "UInt32",
        );
        check_round_trip(
            &mut f,
            &ints.iter().map(|&i| (i as u64) << 20).collect::<Vec<_>>(),
            "UInt64",
        );
        check_round_trip(
            &mut f,
            &ints.iter().map(|&i| i as usize).collect::<Vec<_>>(),
            "UInt64",
        );
        check_round_trip(
            &mut f,
            &ints.iter().map(|&i| i as f32 / 3.0).collect::<Vec<_>>(),
            "Float32",
        );
        check_round_trip(
            &mut f,
            &ints.iter().map(|&i| i as f64 / 7.0).collect::<Vec<_>>(),
            "Float64",
        );
        check_round_trip(
            &mut f,
            &ints.iter().map(|&i| i % 3 == 0).collect::<Vec<_>>(),
            "Bool",
        );
        let chars: Vec<char> = "aé€𝄞 Zz\0~ßπ!".chars().collect();
        check_round_trip(&mut f, &chars, "Char");
    });
}

#[test]
fn char_arrays_hold_julia_chars() {
    run(|mut f| {
        let a = f.array_from_slice(&['a', '€'], [2]).unwrap();
        assert_eq!(
            *a.data().unwrap(),
            [JuliaChar(0x6100_0000), JuliaChar::from('€')]
        );
        let s = jl(&mut f, "A -> String(A)", &[a.as_value()]).unwrap();
        assert_eq!(s.unbox::<String>().unwrap(), "a€");
        // Julia's Char can hold invalid UTF-8, which no Rust char can.
        let bad = f.eval("[reinterpret(Char, 0xff000000)]").unwrap();
        let bad = bad.array::<char>().unwrap();
        assert_eq!(bad.data().unwrap()[0].to_char(), None);
        assert!(matches!(bad.to_vec(), Err(Error::InvalidChar(0xff00_0000))));
    });
}

#[test]
fn julia_mutates_a_borrowed_buffer_and_a_kept_reference_is_detached() {
    run(|mut f| {
        f.eval("kept_borrowed = nothing; keep_borrowed!(A) = (global kept_borrowed = A; nothing)")
            .unwrap();
        let mut data = vec![3.0f64, 1.0, 2.0, 5.0, 4.0, 0.5];
        let ptr = data.as_ptr() as u64;
        // SAFETY: Julia keeps the array itself, never an alias of it.
        let out = unsafe {
            f.borrow_array(&mut data, [6], |frame, a| {
                let p = jl(frame, "A -> UInt(pointer(A))", &[a.as_value()]).unwrap();
                assert_eq!(p.unbox::<u64>().unwrap(), ptr, "Julia sees the Rust buffer");
                jl(frame, "A -> (A .*= 2; sort!(A); nothing)", &[a.as_value()]).unwrap();
                assert_eq!(a.data().unwrap()[0], 1.0);
                let err = jl(frame, "A -> push!(A, 1.0)", &[a.as_value()]).unwrap_err();
                assert!(
                    err.to_string()
                        .contains("cannot resize array with shared data"),
                    "{err}"
                );
                let keep = frame.global("keep_borrowed!").unwrap();
                keep.call(frame, &[a.as_value()]).unwrap();
                42
            })
        }
        .unwrap();
        assert_eq!(out, 42);
        assert_eq!(data, [1.0, 2.0, 4.0, 6.0, 8.0, 10.0]);
        // The Julia array outlived the borrow: it is empty, and no longer points at the
        // Rust buffer (but at static memory, so that a read of its pointer stays valid).
        let len = f
            .eval(&format!(
                "(length(kept_borrowed), size(kept_borrowed), UInt(pointer(kept_borrowed)) != {ptr})"
            ))
            .unwrap();
        let s = jl(&mut f, "string", &[len])
            .unwrap()
            .unbox::<String>()
            .unwrap();
        assert_eq!(s, "(0, (0,), true)");
        let err = f.eval("kept_borrowed[1]").unwrap_err();
        assert!(err.to_string().contains("BoundsError"), "{err}");

        // A matrix, mutated in place; detached when the closure panics, too.
        let mut m = vec![1i32, 2, 3, 4, 5, 6];
        let panicked = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            // SAFETY: Julia keeps the array itself, never an alias of it.
            unsafe {
                f.borrow_array(&mut m, [2, 3], |frame, a| {
                    jl(frame, "A -> (A[2, 3] = 60; nothing)", &[a.as_value()]).unwrap();
                    let keep = frame.global("keep_borrowed!").unwrap();
                    keep.call(frame, &[a.as_value()]).unwrap();
                    panic!("inside borrow_array");
                })
            }
        }));
        assert!(panicked.is_err());
        assert_eq!(m, [1, 2, 3, 4, 5, 60]);
        let s = f
            .eval("string(size(kept_borrowed))")
            .unwrap()
            .unbox::<String>()
            .unwrap();
        assert_eq!(s, "(0, 0)");
    });
}

#[test]
fn array_from_vec_shares_the_buffer_and_drops_it_once_after_julia_does() {
    // A size no other allocation of this test is likely to have.
    const N: usize = 123_457;
    let addr = run(|mut f| {
        f.eval("kept_vec = nothing; keep_vec!(A) = (global kept_vec = A; nothing)")
            .unwrap();
        let before = owned_buffers();
        let v: Vec<f64> = (0..N).map(|i| i as f64).collect();
        let addr = v.as_ptr() as usize;
        WATCH_SIZE.store(v.capacity() * 8, Ordering::SeqCst);
        WATCH_ADDR.store(addr, Ordering::SeqCst);
        f.scope(|mut inner| {
            let a = inner.array_from_vec(v, [N]).unwrap();
            let p = jl(&mut inner, "A -> UInt(pointer(A))", &[a.as_value()]).unwrap();
            assert_eq!(p.unbox::<u64>().unwrap() as usize, addr, "no copy");
            assert_eq!(a.data().unwrap().as_ptr() as usize, addr);
            let s = jl(&mut inner, "sum", &[a.as_value()])
                .unwrap()
                .unbox::<f64>()
                .unwrap();
            assert_eq!(s, (N * (N - 1) / 2) as f64);
            let keep = inner.global("keep_vec!").unwrap();
            keep.call(&mut inner, &[a.as_value()]).unwrap();
        });
        assert_eq!(owned_buffers(), before + 1);
        addr
    });
    // Julia still holds the array in a global: collections must not drop the Vec.
    for _ in 0..3 {
        run(|mut f| f.collect_garbage(true));
        assert_eq!(
            FREED.load(Ordering::SeqCst),
            0,
            "dropped while Julia holds it"
        );
    }
    let s = run(|mut f| f.eval("sum(kept_vec)").unwrap().unbox::<f64>().unwrap());
    assert_eq!(s, (N * (N - 1) / 2) as f64, "the buffer is intact");
    // The last reference goes; the next collection drops the Vec, once.
    run(|mut f| {
        f.eval("kept_vec = nothing").unwrap();
        f.collect_garbage(true);
        f.collect_garbage(true);
    });
    assert_eq!(FREED.load(Ordering::SeqCst), 1, "dropped exactly once");
    run(|mut f| f.collect_garbage(true));
    assert_eq!(FREED.load(Ordering::SeqCst), 1, "dropped exactly once");
    assert_eq!(WATCH_ADDR.load(Ordering::SeqCst), addr);
}

#[test]
fn array_from_vec_of_chars_converts_in_place() {
    run(|mut f| {
        let v: Vec<char> = "jlrs€".chars().collect();
        let ptr = v.as_ptr() as usize;
        let a = f.array_from_vec(v, [5]).unwrap();
        assert_eq!(a.data().unwrap().as_ptr() as usize, ptr);
        let s = jl(&mut f, "A -> String(A)", &[a.as_value()]).unwrap();
        assert_eq!(s.unbox::<String>().unwrap(), "jlrs€");
    });
}

#[test]
fn conflicting_borrows_are_errors() {
    run(|mut f| {
        let a = f.array_from_vec(vec![1.0f64; 6], [2, 3]).unwrap();
        let b = a.as_value().array::<f64>().unwrap(); // a second handle
        {
            let mut m = a.data_mut().unwrap();
            m[0] = 5.0;
            assert!(matches!(
                a.data_mut(),
                Err(Error::Array(ArrayError::Borrowed(_)))
            ));
            assert!(matches!(
                b.data(),
                Err(Error::Array(ArrayError::Borrowed(_)))
            ));
            assert!(b.to_vec().is_err());
            assert!(a.as_value().array_any().unwrap().get(&mut f, 0).is_err());
        }
        {
            let r1 = a.data().unwrap();
            let r2 = b.data().unwrap();
            assert_eq!(r1[0], 5.0);
            assert_eq!(r2[0], 5.0);
            let err = b.data_mut().unwrap_err();
            assert_eq!(
                err.to_string(),
                "the array's data is already borrowed shared"
            );
            drop(r1);
            assert!(b.data_mut().is_err());
        }
        assert!(b.data_mut().is_ok());
        // A Julia array sharing the buffer (a reshape) conflicts too.
        let r = jl(&mut f, "A -> reshape(A, 3, 2)", &[a.as_value()]).unwrap();
        let r = r.array::<f64>().unwrap();
        let m = a.data_mut().unwrap();
        assert!(r.data().is_err());
        drop(m);
        assert_eq!(r.data().unwrap()[0], 5.0);
    });
}

#[test]
fn wrong_types_and_bad_dims_are_clear_errors() {
    run(|mut f| {
        let m = f.eval("[1 2; 3 4]").unwrap();
        assert_eq!(
            m.array::<f64>().unwrap_err().to_string(),
            "expected Array{Float64}, got Array{Int64,2}"
        );
        let x = f.box_value(1.5f64);
        assert_eq!(
            x.array::<f64>().unwrap_err().to_string(),
            "expected Array{Float64}, got Float64"
        );
        assert_eq!(
            x.array_any().unwrap_err().to_string(),
            "expected Array, got Float64"
        );
        let s = f.eval("[\"a\"]").unwrap();
        assert_eq!(
            s.array::<u8>().unwrap_err().to_string(),
            "expected Array{UInt8}, got Array{String,1}"
        );
        let r = f.eval("1:3").unwrap();
        assert!(r
            .array::<i64>()
            .unwrap_err()
            .to_string()
            .contains("got UnitRange{Int64}"));

        let err = |r: JlResult<jlrs_core::Array<'_, f64>>| r.map(|_| ()).unwrap_err().to_string();
        // Rank 0 and rank 9 are made (as Julia makes them); past 64 is refused.
        assert_eq!(f.new_array::<f64>(&[]).unwrap().len(), 1);
        assert_eq!(f.new_array::<f64>(&[1; 9]).unwrap().rank(), 9);
        assert_eq!(
            err(f.new_array::<f64>(&[1; 65])),
            "an array made here has 0 to 64 dimensions, not 65"
        );
        assert!(f.new_array::<f64>(&[1; 8]).is_ok());
        assert!(err(f.new_array::<f64>(&[usize::MAX, 2])).contains("overflow"));
        assert!(err(f.new_array::<f64>(&[1 << 40, 1 << 21])).contains("overflow"));
        assert_eq!(
            err(f.array_from_slice(&[1.0; 5], [2, 3])),
            "the dimensions [2, 3] hold 6 elements, but 5 were given"
        );
        assert!(err(f.array_from_vec(vec![1.0; 7], [2, 3])).contains("7 were given"));
        // Rank 0 holds one element.
        assert!(err(f.array_from_vec(vec![1.0; 7], [])).contains("hold 1 elements"));
        assert!(err(f.new_array::<f64>(&[1; 65])).contains("not 65"));
        let mut buf = [0.0; 4];
        // SAFETY: the closure never runs (the dimensions are wrong).
        let e = unsafe { f.borrow_array(&mut buf, [3], |_, _| ()) }.unwrap_err();
        assert!(e.to_string().contains("4 were given"), "{e}");
        // Too large for memory, though the size fits: Julia's OutOfMemoryError.
        let e = f.new_array::<u8>(&[1 << 60]).unwrap_err();
        assert!(matches!(e, Error::Exception(_)), "{e}");
    });
}

#[test]
fn non_bits_arrays_are_read_and_written_by_element() {
    run(|mut f| {
        let v = f.eval("Any[\"a\", 2, nothing]").unwrap();
        let any = v.array_any().unwrap();
        assert_eq!((any.len(), any.rank(), any.dims()), (3, 1, vec![3]));
        assert_eq!(any.get(&mut f, 0).unwrap().unbox::<String>().unwrap(), "a");
        assert_eq!(any.get(&mut f, 1).unwrap().unbox::<i64>().unwrap(), 2);
        let x = f.box_value(2.5f64);
        any.set(2, x).unwrap();
        let s = jl(&mut f, "string", &[v])
            .unwrap()
            .unbox::<String>()
            .unwrap();
        assert_eq!(s, "Any[\"a\", 2, 2.5]");
        let e = any.get(&mut f, 3).unwrap_err();
        assert_eq!(
            e.to_string(),
            "index 3 is out of bounds for an array of 3 elements"
        );
        assert!(any.set(3, x).is_err());

        let strings = f
            .eval("[\"x\" \"y\"; \"z\" \"w\"]")
            .unwrap()
            .array_any()
            .unwrap();
        assert_eq!(strings.dims(), [2, 2]);
        assert_eq!(
            strings.get(&mut f, 2).unwrap().unbox::<String>().unwrap(),
            "y"
        );
        let e = strings.set(0, x).unwrap_err();
        assert!(
            matches!(e, Error::Exception(ref j) if j.type_name() == "TypeError"),
            "{e}"
        );
        let undef = f
            .eval("Vector{String}(undef, 2)")
            .unwrap()
            .array_any()
            .unwrap();
        let e = undef.get(&mut f, 1).unwrap_err();
        assert!(e.to_string().contains("UndefRefError"), "{e}");

        // Bits arrays work element-wise too.
        let bits = f.eval("[1.0, 2.0]").unwrap().array_any().unwrap();
        assert_eq!(bits.get(&mut f, 1).unwrap().unbox::<f64>().unwrap(), 2.0);
    });
}

#[test]
fn ndarray_views_use_julia_column_major_strides() {
    use ndarray::{ArrayD, IxDyn, ShapeBuilder};
    run(|mut f| {
        let a = f
            .eval("reshape(collect(1.0:24.0), 2, 3, 4)")
            .unwrap()
            .array::<f64>()
            .unwrap();
        {
            // Julia's values first: no Julia call while a view lives on this thread.
            let points = [(0, 0, 0), (1, 2, 3), (1, 0, 2), (0, 2, 1)];
            let expected: Vec<f64> = points
                .iter()
                .map(|(i, j, k)| {
                    jl(
                        &mut f,
                        &format!("A -> A[{}, {}, {}]", i + 1, j + 1, k + 1),
                        &[a.as_value()],
                    )
                    .unwrap()
                    .unbox::<f64>()
                    .unwrap()
                })
                .collect();
            let view = a.view().unwrap();
            assert_eq!(view.shape(), [2, 3, 4]);
            for ((i, j, k), x) in points.into_iter().zip(expected) {
                assert_eq!(view[[i, j, k]], x);
                assert_eq!(view.as_view()[[i, j, k]], x);
            }
            assert!(a.data_mut().is_err(), "a view is a shared borrow");
        }
        {
            let mut view = a.view_mut().unwrap();
            view[[1, 2, 3]] = -1.0;
            assert!(a.view().is_err());
        }
        let x = jl(&mut f, "A -> A[2, 3, 4]", &[a.as_value()])
            .unwrap()
            .unbox::<f64>()
            .unwrap();
        assert_eq!(x, -1.0);

        // Column-major ndarray arrays are given away without copying.
        let fortran = ArrayD::from_shape_fn(IxDyn(&[2, 3]).f(), |ix| (ix[0] * 10 + ix[1]) as i64);
        let ptr = fortran.as_ptr() as usize;
        let j = f.array_from_ndarray(fortran).unwrap();
        assert_eq!(j.data().unwrap().as_ptr() as usize, ptr);
        let x = jl(&mut f, "A -> A[2, 3]", &[j.as_value()])
            .unwrap()
            .unbox::<i64>()
            .unwrap();
        assert_eq!(x, 12);
        // Row-major ones are copied into column-major order.
        let c = ArrayD::from_shape_fn(IxDyn(&[2, 3]), |ix| (ix[0] * 10 + ix[1]) as i64);
        let ptr = c.as_ptr() as usize;
        let j = f.array_from_ndarray(c).unwrap();
        assert_ne!(j.data().unwrap().as_ptr() as usize, ptr);
        assert_eq!(j.to_vec().unwrap(), [0, 10, 1, 11, 2, 12]);
        let x = jl(&mut f, "A -> A[2, 3]", &[j.as_value()])
            .unwrap()
            .unbox::<i64>()
            .unwrap();
        assert_eq!(x, 12);
        // A sliced view (not the whole buffer) is copied.
        let big = ArrayD::from_shape_fn(IxDyn(&[4, 3]).f(), |ix| (ix[0] * 10 + ix[1]) as i64);
        let part = big.slice_move(ndarray::s![1..3, ..]).into_dyn();
        let j = f.array_from_ndarray(part).unwrap();
        assert_eq!(j.dims(), [2, 3]);
        assert_eq!(j.to_vec().unwrap(), [10, 20, 11, 21, 12, 22]);
        // Rank 0: one element.
        let zero = f
            .array_from_ndarray(ArrayD::<f64>::from_elem(IxDyn(&[]), 2.5))
            .unwrap();
        assert_eq!((zero.rank(), zero.to_vec().unwrap()), (0, vec![2.5]));
    });
}
