//! Copying out of a Julia array (`to_vec`, `copy_inline_data`, `unbox::<Vec<T>>`) and
//! reading or writing one element (`AnyArray::get`/`set`) are borrows like any other: they
//! respect every Rust borrow, on any thread, and mark a Julia-owned array shared, so that
//! Julia code on another thread cannot move its data during the copy.

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

/// `push!(v, x)` from Julia: the new length, or the error text if Julia refuses.
fn push<'s>(frame: &mut GcFrame<'s>, v: Value<'_>) -> Result<usize, String> {
    let f = frame.eval("v -> (push!(v, -1.0); length(v))").unwrap();
    let n = f.call(frame, &[v]).map_err(|e| e.to_string())?;
    Ok(n.unbox::<i64>().unwrap() as usize)
}

/// Julia refused to grow the vector: its data is marked shared.
#[track_caller]
fn assert_refused(pushed: Result<usize, String>) {
    let e = pushed.unwrap_err();
    assert!(e.contains("cannot resize array with shared data"), "{e}");
}

#[test]
fn to_vec_marks_a_julia_owned_vector() {
    run(|mut f| {
        let v = grown(&mut f, 4999).unwrap();
        // Julia grows it freely until Rust reads it.
        assert_eq!(push(&mut f, v), Ok(5000));
        let copy = v.array::<f64>().unwrap().to_vec().unwrap();
        assert_eq!(copy.len(), 5000);
        assert!(copy[..4999]
            .iter()
            .enumerate()
            .all(|(i, &x)| x == (i + 1) as f64));
        assert_eq!(copy[4999], -1.0);
        assert_refused(push(&mut f, v));
    });
}

#[test]
fn a_copy_with_dims_marks_a_julia_owned_vector() {
    run(|mut f| {
        let v = grown(&mut f, 2500).unwrap();
        let copy = v.array::<f64>().unwrap().copy_inline_data().unwrap();
        assert_eq!(copy.dims(), [2500]);
        assert_eq!(copy[[2499]], 2500.0);
        assert_refused(push(&mut f, v));
    });
}

#[test]
fn unboxing_a_vec_marks_a_julia_owned_vector() {
    run(|mut f| {
        let v = grown(&mut f, 3000).unwrap();
        let copy = v.unbox::<Vec<f64>>().unwrap();
        assert_eq!(copy[2999], 3000.0);
        assert_refused(push(&mut f, v));
    });
}

#[test]
fn element_access_marks_a_julia_owned_vector() {
    run(|mut f| {
        let v = grown(&mut f, 4000).unwrap();
        let any = v.array_any().unwrap();
        let x = any.get(&mut f, 10).unwrap();
        assert_eq!(x.unbox::<f64>().unwrap(), 11.0);
        let y = f.box_value(0.5f64);
        any.set(3999, y).unwrap();
        assert_eq!(v.array::<f64>().unwrap().to_vec().unwrap()[3999], 0.5);
        assert_refused(push(&mut f, v));
    });
}

#[test]
fn a_copy_next_to_a_shared_borrow_reads_the_same_data() {
    run(|mut f| {
        let v = grown(&mut f, 2000).unwrap();
        let a = v.array::<f64>().unwrap();
        {
            let d = a.data().unwrap();
            let copy = a.to_vec().unwrap();
            assert_eq!(&copy[..], &d[..]);
        }
        assert_refused(push(&mut f, v));
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
