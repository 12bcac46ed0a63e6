//! Arrays shared between Rust and Julia: a matrix from Rust that a Julia function
//! mutates in place, a Rust buffer lent to Julia, a Julia array read from Rust, borrow
//! checks and an `ndarray` view.
//!
//! `cargo xtask exec -- cargo run -p jlrs --features ndarray --example arrays`

use jlrs::prelude::*;

fn main() -> anyhow::Result<()> {
    let mut rt = Runtime::init(InitOptions::new())?;
    rt.julia().scope(|mut frame| -> anyhow::Result<()> {
        frame.eval(
            "function scale_rows!(M, s)
                 for j in axes(M, 2), i in axes(M, 1)
                     M[i, j] *= s[i]
                 end
                 M
             end",
        )?;

        // A 2×3 matrix in column-major order: Julia takes the Vec without copying.
        let m = frame.array_from_vec(vec![1.0f64, 2.0, 3.0, 4.0, 5.0, 6.0], [2, 3])?;
        let s = frame.array_from_slice(&[10.0f64, 100.0], [2])?;
        frame.call("scale_rows!", &[m.as_value(), s.as_value()])?;
        println!("scaled matrix (column-major): {:?}", &*m.data()?);
        assert_eq!(*m.data()?, [10.0, 200.0, 30.0, 400.0, 50.0, 600.0]);

        // The same data as an ndarray view: view[[i, j]] is Julia's M[i+1, j+1].
        let view = m.view()?;
        assert_eq!(view[[1, 2]], 600.0);
        println!("M[2, 3] = {}", view[[1, 2]]);
        drop(view);

        // Borrows are checked: no second exclusive borrow while one lives.
        let mut exclusive = m.data_mut()?;
        exclusive[0] = -1.0;
        assert!(m.data().is_err());
        drop(exclusive);

        // A Rust buffer lent to Julia for the length of a closure (copied in and back out:
        // the zero-copy `borrow_array` is `unsafe`, since Julia could keep an alias).
        let mut samples = [3.5f64, -1.0, 2.25, 0.0];
        let median = frame.borrow_array_copy(&mut samples, [4], |frame, a| {
            frame.call("sort!", &[a.as_value()])?;
            let d = a.data()?;
            Ok::<_, Error>((d[1] + d[2]) / 2.0)
        })??;
        println!("sorted in place by Julia: {samples:?}, median {median}");
        assert_eq!(samples, [-1.0, 0.0, 2.25, 3.5]);

        // A Julia array read from Rust, with its type checked.
        let squares = frame.eval("[i^2 for i in 1:5]")?;
        assert!(squares.array::<f64>().is_err());
        let squares = squares.array::<i64>()?;
        println!("squares from Julia: {:?}", squares.to_vec()?);

        // Arrays of non-bits elements are read one element at a time.
        let names = frame.eval("[\"Ada\", \"Grace\"]")?.array_any()?;
        let second = names.get(&mut frame, 1)?.unbox::<String>()?;
        println!("second name: {second}");
        Ok(())
    })
}
