//! Array dimensions in every form the constructors take (`3`, `(2, 3)`, `[2, 3]`, slices,
//! `Vec`s), bad dimensions, and copies that keep Julia's dimensions
//! (`Array::copy_inline_data`, `Array::to_ndarray`) for arrays of rank 0 to 3 made in
//! Julia.

use jlrs_core::{
    array::{ArrayError, CopiedArray, Dims, IntoDims},
    Error, GcFrame, JlResult, Value,
};
use jlrs_tests::julia;

fn run<T: Send + 'static>(f: impl for<'s> FnOnce(GcFrame<'s>) -> T + Send + 'static) -> T {
    julia().run(move |j| j.scope(f))
}

/// Julia's `size(a)` as a vector.
fn julia_size(frame: &mut GcFrame<'_>, a: Value<'_>) -> JlResult<Vec<usize>> {
    let f = frame.eval("a -> collect(Int, size(a))")?;
    let size = f.call(frame, &[a])?.array::<i64>()?.to_vec()?;
    Ok(size.into_iter().map(|d| d as usize).collect())
}

fn array_error(e: Error) -> ArrayError {
    match e {
        Error::Array(e) => e,
        other => panic!("expected an array error, got {other:?}"),
    }
}

#[test]
fn every_form_of_dims_makes_the_array_julia_sees() {
    run(|mut frame| {
        let cases: Vec<(Dims, Vec<usize>)> = vec![
            (3.into_dims(), vec![3]),
            (().into_dims(), vec![]),
            ((4,).into_dims(), vec![4]),
            ((2, 3).into_dims(), vec![2, 3]),
            ((2, 3, 4).into_dims(), vec![2, 3, 4]),
            (
                (1, 2, 1, 2, 1, 2, 1, 2).into_dims(),
                vec![1, 2, 1, 2, 1, 2, 1, 2],
            ),
            ([2, 5].into_dims(), vec![2, 5]),
            ((&[5, 2]).into_dims(), vec![5, 2]),
            ((&[3usize, 1, 2][..]).into_dims(), vec![3, 1, 2]),
            (vec![1, 2, 3, 1].into_dims(), vec![1, 2, 3, 1]),
            ((&vec![2, 2]).into_dims(), vec![2, 2]),
            ([1; 10].into_dims(), vec![1; 10]),
            (vec![1; 64].into_dims(), vec![1; 64]),
        ];
        for (dims, expected) in cases {
            assert_eq!(*dims, expected[..]);
            let a = frame.new_array::<f64>(&dims)?;
            assert_eq!(a.dims(), expected);
            assert_eq!(julia_size(&mut frame, a.as_value())?, expected);
        }

        // Every constructor takes every form; literals infer `usize`.
        assert_eq!(frame.new_array::<i32>(3)?.dims(), [3]);
        assert_eq!(frame.new_array::<i32>((2, 3))?.dims(), [2, 3]);
        assert_eq!(frame.new_array::<i32>([2, 3])?.dims(), [2, 3]);
        assert_eq!(frame.new_array::<i32>(&[2, 3])?.dims(), [2, 3]);
        assert_eq!(frame.new_array::<i32>(&[])?.rank(), 0);
        let m = frame.array_from_slice(&[1i64, 2, 3, 4, 5, 6], (2, 3))?;
        assert_eq!(julia_size(&mut frame, m.as_value())?, [2, 3]);
        let getindex = frame.eval("(a, i, j) -> a[i, j]")?;
        let (two, three) = (frame.box_value(2i64), frame.box_value(3i64));
        let m23 = getindex.call(&mut frame, &[m.as_value(), two, three])?;
        assert_eq!(m23.unbox::<i64>()?, 6);
        let v = frame.array_from_vec(vec![1u8, 2, 3], 3)?;
        assert_eq!(julia_size(&mut frame, v.as_value())?, [3]);
        let c = frame.array_from_vec(vec![1.5f32; 8], [2, 2, 2])?;
        assert_eq!(julia_size(&mut frame, c.as_value())?, [2, 2, 2]);
        let mut data = [3.0f64, 1.0, 2.0, 0.0];
        let size = frame.borrow_array_copy(&mut data, (2, 2), |frame, a| {
            julia_size(frame, a.as_value())
        })??;
        assert_eq!(size, [2, 2]);
        let mut data = [3.0f64, 1.0, 2.0];
        // SAFETY: `sort!` keeps no alias of the array.
        unsafe {
            frame.borrow_array(&mut data, 3, |frame, a| {
                let sort = frame.global("sort!")?;
                sort.call(frame, &[a.as_value()]).map(|_| ())
            })
        }??;
        assert_eq!(data, [1.0, 2.0, 3.0]);
        Ok::<_, Error>(())
    })
    .unwrap();
}

#[test]
fn bad_dims_are_errors_before_julia_sees_them() {
    run(|mut frame| {
        // Overflow of the element count, or of the bytes.
        let err = array_error(frame.new_array::<f64>((usize::MAX, 2)).unwrap_err());
        assert_eq!(err, ArrayError::Overflow(vec![usize::MAX, 2]));
        let err = array_error(frame.new_array::<f64>(usize::MAX / 4).unwrap_err());
        assert_eq!(err, ArrayError::Overflow(vec![usize::MAX / 4]));
        let err = array_error(
            frame
                .array_from_slice(&[1.0f64], [1 << 40, 1 << 40])
                .unwrap_err(),
        );
        assert_eq!(err, ArrayError::Overflow(vec![1 << 40, 1 << 40]));
        // A dimension Julia would read as negative, even with no elements.
        let err = array_error(frame.new_array::<f64>((0, usize::MAX)).unwrap_err());
        assert_eq!(err, ArrayError::Overflow(vec![0, usize::MAX]));
        let err = array_error(
            frame
                .array_from_vec(Vec::<f64>::new(), (usize::MAX, 0))
                .unwrap_err(),
        );
        assert_eq!(err, ArrayError::Overflow(vec![usize::MAX, 0]));
        // Too many dimensions.
        let err = array_error(frame.new_array::<f64>(vec![1; 65]).unwrap_err());
        assert_eq!(err, ArrayError::Rank(65));
        let err = array_error(frame.array_from_vec(vec![0u8], [1; 100]).unwrap_err());
        assert_eq!(err, ArrayError::Rank(100));
        // Dimensions that do not hold the data.
        let err = array_error(
            frame
                .array_from_vec(vec![1i64, 2, 3, 4, 5], (2, 3))
                .unwrap_err(),
        );
        assert_eq!(
            err,
            ArrayError::LengthMismatch {
                dims: vec![2, 3],
                expected: 6,
                found: 5
            }
        );
        let err = array_error(frame.array_from_slice(&[1i64, 2], ()).unwrap_err());
        assert_eq!(
            err,
            ArrayError::LengthMismatch {
                dims: vec![],
                expected: 1,
                found: 2
            }
        );
        // Nothing was left borrowed or broken: Julia still runs.
        assert_eq!(frame.new_array::<f64>((2, 2))?.len(), 4);
        Ok::<_, Error>(())
    })
    .unwrap();
}

/// `A[i, j, k] = 100i + 10j + k` (1-based) in Julia, for sizes up to 9.
fn expected3(i: usize, j: usize, k: usize) -> i64 {
    (100 * (i + 1) + 10 * (j + 1) + (k + 1)) as i64
}

#[test]
fn copies_keep_the_dimensions_of_arrays_made_in_julia() {
    run(|mut frame| {
        // 1-D
        let v = frame.eval("[100i + 11 for i in 1:5]")?.array::<i64>()?;
        let copied = v.copy_inline_data()?;
        assert_eq!(copied.dims(), [5]);
        assert_eq!(copied.rank(), 1);
        for i in 0..5 {
            assert_eq!(copied[i], expected3(i, 0, 0));
            assert_eq!(copied[[i]], expected3(i, 0, 0));
        }
        assert_eq!(copied.get(5), None);

        // 2-D, not square, so that a transposition shows.
        let m = frame
            .eval("[100i + 10j + 1 for i in 1:2, j in 1:3]")?
            .array::<i64>()?;
        let copied = m.copy_inline_data()?;
        assert_eq!(copied.dims(), [2, 3]);
        for i in 0..2 {
            for j in 0..3 {
                assert_eq!(copied[(i, j)], expected3(i, j, 0), "({i}, {j})");
            }
        }
        assert_eq!(copied.data(), m.to_vec()?, "column-major, as to_vec");
        assert_eq!(copied.get((2, 0)), None, "past the first dimension");
        assert_eq!(copied.get((0, 3)), None, "past the second dimension");
        assert_eq!(copied.get(0), None, "another rank");
        assert_eq!(copied.get((0, 0, 0)), None, "another rank");

        // 3-D
        let a = frame
            .eval("[100i + 10j + k for i in 1:2, j in 1:3, k in 1:4]")?
            .array::<i64>()?;
        let mut copied = a.copy_inline_data()?;
        assert_eq!(copied.dims(), [2, 3, 4]);
        assert_eq!(copied.len(), 24);
        for i in 0..2 {
            for j in 0..3 {
                for k in 0..4 {
                    assert_eq!(copied[[i, j, k]], expected3(i, j, k), "({i}, {j}, {k})");
                }
            }
        }
        // The copy is Rust's own: changing it leaves Julia's array alone.
        copied[(1, 2, 3)] = 0;
        assert_eq!(*copied.get_mut((1, 2, 3)).unwrap(), 0);
        assert_eq!(a.copy_inline_data()?[(1, 2, 3)], expected3(1, 2, 3));
        let (data, dims) = copied.into_parts();
        assert_eq!((data.len(), dims), (24, vec![2, 3, 4]));

        // Rank 0: one element, no dimensions.
        let s = frame.eval("fill(7.5)")?.array::<f64>()?;
        let copied = s.copy_inline_data()?;
        assert_eq!((copied.rank(), copied.data()), (0, &[7.5][..]));
        assert_eq!(copied[()], 7.5);
        // Empty arrays keep their dimensions.
        let e = frame.eval("zeros(Float32, 0, 3)")?.array::<f32>()?;
        let copied = e.copy_inline_data()?;
        assert_eq!(copied.dims(), [0, 3]);
        assert!(copied.is_empty());
        assert_eq!(copied.get((0, 0)), None);
        // Converted elements: Bool and Char.
        let b = frame
            .eval("[true false false; false true false]")?
            .array::<bool>()?;
        let copied: CopiedArray<bool> = b.copy_inline_data()?;
        assert_eq!(copied.dims(), [2, 3]);
        assert!(copied[(1, 1)] && !copied[(1, 0)] && copied[(0, 0)]);
        let c = frame.eval("['a' 'b'; 'c' 'd']")?.array::<char>()?;
        assert_eq!(c.copy_inline_data()?[(1, 0)], 'c');
        Ok::<_, Error>(())
    })
    .unwrap();
}

#[test]
#[should_panic(expected = "index [2, 0] is out of bounds for an array of dimensions [2, 3]")]
fn indexing_a_copy_out_of_bounds_panics_with_the_index() {
    let copied = run(|mut frame| {
        frame
            .eval("[1 2 3; 4 5 6]")?
            .array::<i64>()?
            .copy_inline_data()
    })
    .unwrap();
    let _ = copied[(2, 0)];
}

#[test]
fn to_ndarray_has_julia_shape_and_column_major_order() {
    run(|mut frame| {
        let v = frame.eval("[100i + 11 for i in 1:5]")?.array::<i64>()?;
        let nd = v.to_ndarray()?;
        assert_eq!(nd.shape(), [5]);
        for i in 0..5 {
            assert_eq!(nd[[i]], expected3(i, 0, 0));
        }

        let m = frame
            .eval("[100i + 10j + 1 for i in 1:2, j in 1:3]")?
            .array::<i64>()?;
        let nd = m.to_ndarray()?;
        assert_eq!(nd.shape(), [2, 3]);
        assert!(nd.t().is_standard_layout(), "Fortran order");
        for i in 0..2 {
            for j in 0..3 {
                assert_eq!(nd[[i, j]], expected3(i, j, 0), "({i}, {j})");
            }
        }
        // The same memory order as Julia's.
        assert_eq!(nd.as_slice_memory_order().unwrap(), m.to_vec()?);

        let a = frame
            .eval("[100i + 10j + k for i in 1:2, j in 1:3, k in 1:4]")?
            .array::<i64>()?;
        let nd = a.to_ndarray()?;
        assert_eq!(nd.shape(), [2, 3, 4]);
        for i in 0..2 {
            for j in 0..3 {
                for k in 0..4 {
                    assert_eq!(nd[[i, j, k]], expected3(i, j, k), "({i}, {j}, {k})");
                }
            }
        }
        // A round trip through Julia keeps shape and elements.
        let back = frame.array_from_ndarray(nd.clone())?;
        assert_eq!(back.to_ndarray()?, nd);

        let s = frame.eval("fill(7.5)")?.array::<f64>()?;
        let nd = s.to_ndarray()?;
        assert_eq!(
            (nd.ndim(), nd.iter().copied().collect::<Vec<_>>()),
            (0, vec![7.5])
        );
        let e = frame.eval("zeros(Float32, 3, 0, 2)")?.array::<f32>()?;
        let nd = e.to_ndarray()?;
        assert_eq!(nd.shape(), [3, 0, 2]);
        assert!(nd.is_empty());
        Ok::<_, Error>(())
    })
    .unwrap();
}

#[test]
fn copies_are_taken_under_the_borrow_ledger() {
    run(|mut frame| {
        let m = frame.eval("[1 2 3; 4 5 6]")?.array::<i64>()?;
        {
            let _exclusive = m.data_mut()?;
            let err = array_error(m.copy_inline_data().unwrap_err());
            assert_eq!(err, ArrayError::Borrowed("exclusively"));
            let err = array_error(m.to_ndarray().unwrap_err());
            assert_eq!(err, ArrayError::Borrowed("exclusively"));
        }
        {
            // A shared borrow allows the copy.
            let shared = m.data()?;
            assert_eq!(m.copy_inline_data()?.data(), &shared[..]);
        }
        // The copy's borrow has ended: an exclusive borrow and Julia calls work again.
        let copied = m.copy_inline_data()?;
        m.data_mut()?[0] = 10;
        assert_eq!(copied[(0, 0)], 1, "the copy does not follow Julia's array");
        let sum = frame.eval("sum")?.call(&mut frame, &[m.as_value()])?;
        assert_eq!(sum.unbox::<i64>()?, 30);
        Ok::<_, Error>(())
    })
    .unwrap();
}
