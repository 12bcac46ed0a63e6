//! Copying out of a Julia array (`to_vec`, `unbox::<Vec<T>>`) and reading or writing one
//! element (`AnyArray::get`/`set`) leave the array as Julia can resize it; only borrows
//! that hand out Rust references to the data mark it shared.

use std::{sync::mpsc, time::Duration};

use jlrs_core::{blocking, hosted::Hosted, GcFrame, JlResult, Value};
use jlrs_tests::{julia, watchdog};

fn run<T: Send + 'static>(f: impl for<'s> FnOnce(GcFrame<'s>) -> T + Send + 'static) -> T {
    julia().run(move |j| j.scope(f))
}

/// A vector of `1.0..=n` that `push!` grew, so Julia owns a malloc'd buffer (not inline
/// data), which a borrow would mark shared.
fn grown<'s>(frame: &mut GcFrame<'s>, n: usize) -> JlResult<Value<'s>> {
    let f = frame.eval("n -> (v = Float64[]; for i in 1:n; push!(v, i); end; v)")?;
    let n = frame.box_value(n as i64);
    f.call(frame, &[n])
}

/// `push!(v, x)` from Julia: the error text if Julia refuses.
fn push<'s>(frame: &mut GcFrame<'s>, v: Value<'_>) -> Result<usize, String> {
    let f = frame.eval("v -> (push!(v, -1.0); length(v))").unwrap();
    let n = f.call(frame, &[v]).map_err(|e| e.to_string())?;
    Ok(n.unbox::<i64>().unwrap() as usize)
}

#[test]
fn to_vec_leaves_a_julia_vector_growable() {
    run(|mut f| {
        let v = grown(&mut f, 5000).unwrap();
        let copy = v.array::<f64>().unwrap().to_vec().unwrap();
        assert_eq!(copy.len(), 5000);
        assert!(copy.iter().enumerate().all(|(i, &x)| x == (i + 1) as f64));
        assert_eq!(push(&mut f, v), Ok(5001));
    });
}

#[test]
fn a_copy_with_dims_leaves_a_julia_vector_growable() {
    run(|mut f| {
        let v = grown(&mut f, 2500).unwrap();
        let copy = v.array::<f64>().unwrap().copy_inline_data().unwrap();
        assert_eq!(copy.dims(), [2500]);
        assert_eq!(copy[[2499]], 2500.0);
        assert_eq!(push(&mut f, v), Ok(2501));
    });
}

#[test]
fn unboxing_a_vec_leaves_a_julia_vector_growable() {
    run(|mut f| {
        let v = grown(&mut f, 3000).unwrap();
        let copy = v.unbox::<Vec<f64>>().unwrap();
        assert_eq!(copy[2999], 3000.0);
        assert_eq!(push(&mut f, v), Ok(3001));
    });
}

#[test]
fn element_access_leaves_a_julia_vector_growable() {
    run(|mut f| {
        let v = grown(&mut f, 4000).unwrap();
        let any = v.array_any().unwrap();
        let x = any.get(&mut f, 10).unwrap();
        assert_eq!(x.unbox::<f64>().unwrap(), 11.0);
        let y = f.box_value(0.5f64);
        any.set(3999, y).unwrap();
        assert_eq!(push(&mut f, v), Ok(4001));
        assert_eq!(v.array::<f64>().unwrap().to_vec().unwrap()[3999], 0.5);
    });
}

#[test]
fn a_borrow_still_marks_and_a_copy_under_it_reads_in_place() {
    run(|mut f| {
        let v = grown(&mut f, 2000).unwrap();
        let a = v.array::<f64>().unwrap();
        {
            let d = a.data().unwrap();
            // This thread cannot run Julia while it holds `d`; the copy reads in place.
            let copy = a.to_vec().unwrap();
            assert_eq!(&copy[..], &d[..]);
        }
        let e = push(&mut f, v).unwrap_err();
        assert!(e.contains("cannot resize array with shared data"), "{e}");
    });
}

#[test]
fn a_copy_respects_an_exclusive_borrow() {
    run(|mut f| {
        let v = grown(&mut f, 2000).unwrap();
        let a = v.array::<f64>().unwrap();
        let other = v.array::<f64>().unwrap();
        let d = a.data_mut().unwrap();
        assert!(other.to_vec().is_err());
        drop(d);
        assert_eq!(other.to_vec().unwrap().len(), 2000);
    });
}

#[test]
fn a_copy_respects_an_exclusive_borrow_on_another_thread() {
    let _watchdog = watchdog("a borrow on Julia thread 2", Duration::from_secs(120));
    let (borrowed_tx, borrowed_rx) = mpsc::channel::<()>();
    let (release_tx, release_rx) = mpsc::channel::<()>();
    let mut release_rx = Some(release_rx);
    let copy = julia().run(move |j| {
        j.scope(|mut f| {
            let v = grown(&mut f, 2000).unwrap();
            let set = f.eval("v -> (global shared_v = v; nothing)").unwrap();
            set.call(&mut f, &[v]).unwrap();
        });
        Hosted::on_thread(2)
            .spawn(j, move |j: &mut jlrs_core::Julia| {
                j.scope(|mut f| {
                    let v = f.eval("shared_v").unwrap();
                    let a = v.array::<f64>().unwrap();
                    let d = a.data_mut().unwrap();
                    borrowed_tx.send(()).unwrap();
                    // GC-safe while it waits, so that thread 1 may allocate meanwhile.
                    let rx = release_rx.take().expect("the loop runs this once");
                    blocking(move || rx.recv().unwrap());
                    drop(d);
                });
            })
            .expect("Julia thread 2 is free");
        blocking(move || borrowed_rx.recv().unwrap());
        let copy = j.scope(|mut f| {
            let v = f.eval("shared_v").unwrap();
            // The data is exclusively borrowed on thread 2: no copy of it, by any path.
            v.array::<f64>().unwrap().to_vec().map(|c| c.len())
        });
        release_tx.send(()).unwrap();
        copy.map_err(|e| e.to_string())
    });
    let e = copy.unwrap_err();
    assert!(e.contains("exclusively"), "{e}");
}
