//! Arrays without undefined behaviour from safe code: `finalize` and finalizer batches
//! that leave an `array_from_vec` array empty instead of freed, Rust borrows that keep
//! the buffer alive across a finalizer on another thread, aliases Julia keeps, `Bool`
//! bytes that are not 0 or 1, the entry check in a GC-safe region, borrows that stop Julia
//! on their thread and stop resizing on every thread, overlapping ranges, rank 0 and
//! rank 9, and element strides of user types.
//!
//! Buffers here are 8 MiB: glibc serves them with `mmap` and unmaps them when freed, so a
//! read of a freed buffer faults instead of returning stale values.

use std::{
    alloc::{GlobalAlloc, Layout, System},
    cell::RefCell,
    panic::{catch_unwind, AssertUnwindSafe},
    sync::atomic::{AtomicUsize, Ordering},
    time::Duration,
};

use jlrs_core::{
    array::{ArrayError, ElementType, JuliaBool},
    hosted::Hosted,
    ArrayElement, Error, GcFrame, JlResult, RootStack, Value,
};
use jlrs_tests::{julia, watchdog};

/// Counts frees of one watched allocation (by address), to see when the finalizer drops
/// a `Vec`.
struct Counting;

static WATCH_ADDR: AtomicUsize = AtomicUsize::new(0);
static FREED: AtomicUsize = AtomicUsize::new(0);

// SAFETY: forwards every call to the system allocator unchanged.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: forwarded.
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        if ptr as usize == WATCH_ADDR.load(Ordering::SeqCst) {
            FREED.fetch_add(1, Ordering::SeqCst);
        }
        // SAFETY: forwarded.
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static ALLOC: Counting = Counting;

/// 8 MiB of `f64`.
const BIG: usize = 1 << 20;

fn run<T: Send + 'static>(f: impl for<'s> FnOnce(GcFrame<'s>) -> T + Send + 'static) -> T {
    julia().run(move |j| j.scope(f))
}

/// Julia's `f(args...)` for a function defined by `code`.
fn jl<'s>(frame: &mut GcFrame<'s>, code: &str, args: &[Value<'_>]) -> JlResult<Value<'s>> {
    let f = frame.eval(code)?;
    f.call(frame, args)
}

/// Runs `code` on Julia thread 2 (a hosted loop) and returns its value as a string.
/// Code run there must not `sleep`: thread 1 may be blocked in Rust meanwhile.
fn on_thread_2(j: &mut jlrs_core::Julia, code: &'static str) -> async_channel::Receiver<String> {
    let (tx, rx) = async_channel::bounded(1);
    Hosted::on_thread(2)
        .spawn(j, move |j: &mut jlrs_core::Julia| {
            let out = j.scope(|mut f| {
                let v = f.eval(code)?;
                let s = f.call("string", &[v])?;
                s.unbox::<String>()
            });
            let _ = tx.try_send(out.unwrap_or_else(|e| format!("error: {e}")));
        })
        .expect("Julia thread 2 is free");
    rx
}

#[test]
fn finalize_leaves_an_array_from_vec_empty_before_dropping_the_vec() {
    run(|mut f| {
        let a = f.array_from_vec(vec![1.0f64; BIG], [BIG]).unwrap();
        f.call("finalize", &[a.as_value()]).unwrap();
        assert_eq!(a.dims(), [0], "the finalizer detached the array");
        assert!(a.data().unwrap().is_empty());
        let sum = f.call("sum", &[a.as_value()]).unwrap();
        assert_eq!(sum.unbox::<f64>().unwrap(), 0.0);
        // Writing through the array reaches no memory: there is none to reach.
        assert!(a.data_mut().unwrap().is_empty());
        let one = f.box_value(1.0f64);
        let e = f.call("push!", &[a.as_value(), one]).unwrap_err();
        assert!(e.to_string().contains("cannot resize"), "{e}");
        // A second `finalize` finds nothing left to free.
        f.call("finalize", &[a.as_value()]).unwrap();
    });
}

#[test]
fn a_view_made_before_finalize_reads_zeros_and_cannot_write() {
    run(|mut f| {
        let a = f.array_from_vec(vec![1.0f64; BIG], [BIG]).unwrap();
        // A view keeps its own index range and reads its parent without bounds checks.
        let out = jl(
            &mut f,
            "A -> begin
                 V = view(A, :)
                 finalize(A)
                 read = (V[100], V[end], sum(V))
                 wrote = try
                     V[100] = 1.0
                     :wrote
                 catch e
                     e isa ReadOnlyMemoryError ? :refused : sprint(showerror, e)
                 end
                 string(read, \" \", wrote)
             end",
            &[a.as_value()],
        )
        .unwrap()
        .unbox::<String>()
        .unwrap();
        assert_eq!(out, "(0.0, 0.0, 0.0) refused");
        assert_eq!(a.dims(), [0]);
    });
}

#[test]
fn an_alias_of_an_array_from_vec_outlives_finalize_and_a_resized_array_frees_its_vec() {
    // One test at a time watches an address.
    julia().run(|j| {
        j.scope(|mut f| {
            // An alias (a reshape) made by Julia: `finalize` on the array leaves the Vec
            // to the alias, for good.
            let v = vec![1.0f64; BIG];
            WATCH_ADDR.store(v.as_ptr() as usize, Ordering::SeqCst);
            FREED.store(0, Ordering::SeqCst);
            let a = f.array_from_vec(v, [BIG]).unwrap();
            jl(
                &mut f,
                "A -> (global SOUND_ALIAS = reshape(A, 1024, 1024); finalize(A); nothing)",
                &[a.as_value()],
            )
            .unwrap();
            assert_eq!(a.len(), 0);
            f.collect_garbage(true);
            let s = f.eval("sum(SOUND_ALIAS)").unwrap();
            assert_eq!(s.unbox::<f64>().unwrap(), BIG as f64);
            assert_eq!(FREED.load(Ordering::SeqCst), 0);
            f.eval("SOUND_ALIAS = nothing").unwrap();

            // Resized by Julia: the elements move to Julia's memory, and the Vec is
            // dropped by the finalizer as before.
            let v = vec![2.0f64; BIG];
            WATCH_ADDR.store(v.as_ptr() as usize, Ordering::SeqCst);
            FREED.store(0, Ordering::SeqCst);
            let a = f.array_from_vec(v, [BIG]).unwrap();
            let one = f.box_value(1.0f64);
            f.call("push!", &[a.as_value(), one]).unwrap();
            assert_eq!(a.len(), BIG + 1);
            assert_eq!(a.data().unwrap()[BIG], 1.0);
            f.call("finalize", &[a.as_value()]).unwrap();
            assert_eq!(FREED.load(Ordering::SeqCst), 1);
            assert_eq!(
                a.len(),
                BIG + 1,
                "an array that left the Vec is not detached"
            );
            let s = f.call("sum", &[a.as_value()]).unwrap();
            assert_eq!(s.unbox::<f64>().unwrap(), 2.0 * BIG as f64 + 1.0);
        })
    });
}

#[test]
fn a_julia_finalizer_in_the_same_batch_sees_an_empty_array() {
    run(|mut f| {
        f.eval(
            "mutable struct SoundHolder; a::Any; end
             const SOUND_SEEN = Ref{Any}(nothing)
             function sound_holder()
                 h = SoundHolder(nothing)
                 finalizer(h -> (SOUND_SEEN[] = (length(h.a), sum(h.a))), h)
                 h
             end
             sound_hold!(h, a) = (h.a = a; nothing)",
        )
        .unwrap();
        f.scope(|mut inner| {
            // The holder's finalizer is registered before the array's, so it runs after
            // the array's in the batch.
            let h = inner.call("sound_holder", &[]).unwrap();
            let a = inner.array_from_vec(vec![1.0f64; BIG], [BIG]).unwrap();
            inner.call("sound_hold!", &[h, a.as_value()]).unwrap();
        });
        for _ in 0..10 {
            f.collect_garbage(true);
            let seen = f.eval("SOUND_SEEN[] === nothing").unwrap();
            if !seen.unbox::<bool>().unwrap() {
                break;
            }
        }
        let seen = f.eval("string(SOUND_SEEN[])").unwrap();
        assert_eq!(seen.unbox::<String>().unwrap(), "(0, 0.0)");
    });
}

#[test]
fn julia_threads_finalizing_and_resizing_cannot_pull_memory_from_under_a_borrow() {
    let _dog = watchdog("borrows against Julia thread 2", Duration::from_secs(240));
    // 1. `finalize` on thread 2 while this thread borrows the data: the Vec is dropped
    // only when the borrow ends.
    julia().run(|j| {
        j.scope(|mut f| {
            f.eval("const SOUND_FLAG = zeros(Int, 2); SOUND_G = nothing; const SOUND_V = zeros(1_000_000)")
                .map(|_| ())
        })
        .unwrap();
        let done = on_thread_2(
            j,
            "while SOUND_FLAG[1] == 0; GC.safepoint(); end; finalize(SOUND_G); SOUND_FLAG[2] = 1",
        );
        j.scope(|mut f| {
        let v = vec![1.0f64; BIG];
        WATCH_ADDR.store(v.as_ptr() as usize, Ordering::SeqCst);
        FREED.store(0, Ordering::SeqCst);
        let a = f.array_from_vec(v, [BIG]).unwrap();
        jl(&mut f, "A -> (global SOUND_G = A; nothing)", &[a.as_value()]).unwrap();
        let flag = f.global("SOUND_FLAG").unwrap().array::<i64>().unwrap();
        let d = a.data().unwrap();
        let mut fl = flag.data_mut().unwrap();
        fl[0] = 1;
        while unsafe_read(&fl[1]) == 0 {
            jlrs_core::blocking(|| std::thread::sleep(Duration::from_millis(1)));
        }
        assert_eq!(a.len(), 0, "thread 2 detached the array");
        assert_eq!(FREED.load(Ordering::SeqCst), 0, "the Vec outlives the borrow");
        assert!(d.iter().all(|&x| x == 1.0));
        drop(d);
        assert_eq!(FREED.load(Ordering::SeqCst), 1, "dropped when the borrow ended");
        fl[0] = 0;
        fl[1] = 0;
        drop(fl);
        jlrs_core::blocking(|| done.recv_blocking()).unwrap();
        });
    });
    // 2. `push!` on thread 2 while this thread borrows a Julia-owned vector: Julia
    // refuses to resize it.
    julia().run(|j| {
        let done = on_thread_2(
            j,
            "while SOUND_FLAG[1] == 0; GC.safepoint(); end
             r = try; push!(SOUND_V, 1.0); :pushed; catch e; sprint(showerror, e); end
             SOUND_FLAG[2] = 1
             r",
        );
        j.scope(|mut f| {
            let v = f.global("SOUND_V").unwrap().array::<f64>().unwrap();
            let flag = f.global("SOUND_FLAG").unwrap().array::<i64>().unwrap();
            let d = v.data().unwrap();
            let mut fl = flag.data_mut().unwrap();
            fl[0] = 1;
            while unsafe_read(&fl[1]) == 0 {
                jlrs_core::blocking(|| std::thread::sleep(Duration::from_millis(1)));
            }
            assert_eq!(v.len(), 1_000_000);
            assert!(d.iter().all(|&x| x == 0.0));
            drop((d, fl));
            let r = jlrs_core::blocking(|| done.recv_blocking()).unwrap();
            assert!(r.contains("cannot resize array with shared data"), "{r}");
        });
    });
}

#[test]
fn julia_cannot_shrink_or_reallocate_a_borrowed_vector_from_another_thread() {
    let _dog = watchdog(
        "sizehint! and append! on Julia thread 2",
        Duration::from_secs(240),
    );
    julia().run(|j| {
        j.scope(|mut f| {
            f.eval(
                "const SHRINK_FLAG = zeros(Int, 2)
                 # Grown by push!: a malloc'd buffer with spare capacity to shrink.
                 const SHRINK_V = (w = Float64[]; for i in 1:200_000; push!(w, i); end; w)
                 # Data owned by a String, which Julia reallocates in place when it grows.
                 const SHRINK_S = (s = Base.StringVector(0); append!(s, fill(0x07, 40_000_000)); s)",
            )
            .map(|_| ())
        })
        .unwrap();
        let done = on_thread_2(
            j,
            "while SHRINK_FLAG[1] == 0; GC.safepoint(); end
             sizehint!(SHRINK_V, length(SHRINK_V))
             r = try; append!(SHRINK_S, fill(0x09, 40_000_000)); :appended; catch e; sprint(showerror, e); end
             SHRINK_FLAG[2] = 1
             r",
        );
        j.scope(|mut f| {
            let v = f.global("SHRINK_V").unwrap().array::<f64>().unwrap();
            let s = f.global("SHRINK_S").unwrap().array::<u8>().unwrap();
            let flag = f.global("SHRINK_FLAG").unwrap().array::<i64>().unwrap();
            let (dv, ds) = (v.data().unwrap(), s.data().unwrap());
            let (pv, ps) = (dv.as_ptr(), ds.as_ptr());
            let mut fl = flag.data_mut().unwrap();
            fl[0] = 1;
            while unsafe_read(&fl[1]) == 0 {
                jlrs_core::blocking(|| std::thread::sleep(Duration::from_millis(1)));
            }
            assert!(dv.iter().enumerate().all(|(i, &x)| x == (i + 1) as f64));
            assert!(ds.iter().all(|&x| x == 7));
            drop((dv, ds, fl));
            let r = jlrs_core::blocking(|| done.recv_blocking()).unwrap();
            assert_eq!(r, "appended", "a String-owned vector still grows, by copying");
            assert_eq!(
                v.data().unwrap().as_ptr(),
                pv,
                "sizehint! moved the data of a borrowed vector"
            );
            let grown = s.data().unwrap();
            assert_eq!(grown.len(), 80_000_000);
            assert_ne!(
                grown.as_ptr(),
                ps,
                "append! grew a borrowed String-owned vector in place"
            );
        });
    });
}

/// A read the compiler cannot hoist out of a polling loop (Julia writes the value).
fn unsafe_read(x: &i64) -> i64 {
    // SAFETY: a valid, aligned reference.
    unsafe { std::ptr::read_volatile(x) }
}

#[test]
fn julia_cannot_run_on_a_thread_that_holds_a_borrow() {
    run(|mut f| {
        let v = f.eval("collect(1.0:1_000_000.0)").unwrap();
        let a = v.array::<f64>().unwrap();
        let one = f.box_value(1.0f64);
        let push = f.global("push!").unwrap();
        let d = a.data().unwrap();
        let e = f.call("push!", &[v, one]).unwrap_err();
        assert!(matches!(e, Error::Array(ArrayError::BorrowHeld)), "{e}");
        assert!(f.eval("1 + 1").is_err());
        // The same for a call awaited in an async task: it is refused before it starts.
        assert!(f.global("push!").is_err());
        let e = smol::future::block_on(f.call_async(push, &[v, one])).unwrap_err();
        assert!(matches!(e, Error::Array(ArrayError::BorrowHeld)), "{e}");
        assert!(f.new_array::<f64>(&[3]).is_err());
        let gc = catch_unwind(AssertUnwindSafe(|| f.collect_garbage(true)));
        let msg = jlrs_core::panic_message(&*gc.unwrap_err());
        assert!(msg.contains("borrowed on this thread"), "{msg}");
        // More borrows are fine.
        assert_eq!(a.data().unwrap()[0], d[0]);
        assert_eq!(d.len(), 1_000_000);
        drop(d);
        // The vector was borrowed: Julia will not move its data any more.
        let e = f.call("push!", &[v, one]).unwrap_err();
        assert!(e.to_string().contains("cannot resize"), "{e}");
        assert_eq!(f.eval("1 + 1").unwrap().unbox::<i64>().unwrap(), 2);
    });
}

#[test]
fn aliases_julia_keeps_from_borrow_array_copy_stay_valid() {
    run(|mut f| {
        let mut data = vec![1.0f64; BIG];
        f.borrow_array_copy(&mut data, [BIG], |f, a| {
            jl(
                f,
                "A -> (global SOUND_KEPT = (vec(A), reshape(A, 1024, 1024), view(A, :)); A .*= 2; nothing)",
                &[a.as_value()],
            )
            .unwrap();
        })
        .unwrap();
        assert!(data.iter().all(|&x| x == 2.0));
        drop(data);
        f.collect_garbage(true);
        let s = f
            .eval("sum(SOUND_KEPT[1]) + sum(SOUND_KEPT[2]) + sum(SOUND_KEPT[3])")
            .unwrap();
        assert_eq!(s.unbox::<f64>().unwrap(), 3.0 * 2.0 * BIG as f64);
        f.eval("SOUND_KEPT = nothing").unwrap();
    });
}

#[test]
fn bool_bytes_other_than_0_and_1_are_never_rust_bools() {
    run(|mut f| {
        let v = f
            .eval(
                "b = fill(false, 3); b[2] = true
                 GC.@preserve b unsafe_store!(Ptr{UInt8}(pointer(b)), 0x90)
                 b",
            )
            .unwrap();
        let a = v.array::<bool>().unwrap();
        let d = a.data().unwrap();
        assert_eq!(d[0], JuliaBool(0x90));
        assert_eq!(d[0].to_bool(), None);
        assert_eq!(d[1].to_bool(), Some(true));
        drop(d);
        let e = a.to_vec().unwrap_err();
        assert!(
            matches!(e, Error::Array(ArrayError::InvalidBool(0x90))),
            "{e}"
        );
        // Valid bools round-trip, without copying.
        let a = f.array_from_vec(vec![true, false, true], [3]).unwrap();
        assert_eq!(a.to_vec().unwrap(), [true, false, true]);
        let n = f.call("count", &[a.as_value()]).unwrap();
        assert_eq!(n.unbox::<i64>().unwrap(), 2);
    });
}

thread_local! {
    static FRAME: RefCell<Option<GcFrame<'static>>> = const { RefCell::new(None) };
    static VALUES: RefCell<Vec<Value<'static>>> = const { RefCell::new(Vec::new()) };
}

/// Every array entry point, through a frame and values smuggled into a thread-local.
fn array_entry_points() -> Vec<(&'static str, String)> {
    FRAME.with(|fr| {
        VALUES.with(|vals| {
            let mut fr = fr.borrow_mut();
            let frame = fr.as_mut().unwrap();
            let vals = vals.borrow();
            let (typed, any) = (vals[0], vals[1]);
            let a = typed.array::<f64>();
            let show = |r: JlResult<()>| match r {
                Ok(()) => "ok".to_string(),
                Err(e) => e.to_string(),
            };
            let mut buf = [1.0f64; 3];
            vec![
                ("new_array", show(frame.new_array::<f64>(&[3]).map(|_| ()))),
                (
                    "array_from_slice",
                    show(frame.array_from_slice(&[1.0f64], [1]).map(|_| ())),
                ),
                (
                    "array_from_vec",
                    show(frame.array_from_vec(vec![1.0f64], [1]).map(|_| ())),
                ),
                (
                    "borrow_array_copy",
                    show(frame.borrow_array_copy(&mut buf, [3], |_, _| ())),
                ),
                ("Value::array", show(a.map(|_| ()))),
                ("Value::array error", show(any.array::<f64>().map(|_| ()))),
                ("Value::array_any", show(any.array_any().map(|_| ()))),
                (
                    "data",
                    show(typed.array::<f64>().and_then(|a| a.data().map(|_| ()))),
                ),
                (
                    "AnyArray::get",
                    // Through a handle made before the region (`array_any` is checked).
                    show(ANY.with(|h| {
                        let h = h.borrow();
                        h.as_ref().unwrap().get(frame, 0).map(|_| ())
                    })),
                ),
                (
                    "AnyArray::set",
                    show(ANY.with(|h| h.borrow().as_ref().unwrap().set(0, any))),
                ),
            ]
        })
    })
}

thread_local! {
    static ANY: RefCell<Option<jlrs_core::AnyArray<'static>>> = const { RefCell::new(None) };
}

#[test]
fn array_entry_points_refuse_inside_a_gc_safe_region() {
    let (inside, outside) = julia().run(|j| {
        let stack: &'static mut RootStack = Box::leak(Box::new(j.new_root_stack()));
        let mut frame = stack.frame();
        let typed = frame.eval("zeros(3)").unwrap();
        let any = frame.eval("Any[1, 2]").unwrap();
        ANY.with(|h| *h.borrow_mut() = Some(any.array_any().unwrap()));
        VALUES.with(|v| *v.borrow_mut() = vec![typed, any]);
        FRAME.with(|f| *f.borrow_mut() = Some(frame));
        let inside = jlrs_core::blocking(array_entry_points);
        let outside = array_entry_points();
        FRAME.with(|f| f.borrow_mut().take());
        VALUES.with(|v| v.borrow_mut().clear());
        ANY.with(|h| h.borrow_mut().take());
        (inside, outside)
    });
    for (name, outcome) in inside {
        assert!(outcome.contains("GC-safe region"), "{name}: {outcome}");
    }
    for (name, outcome) in outside {
        let expected = if name == "Value::array error" {
            "expected Array{Float64}"
        } else {
            "ok"
        };
        assert!(outcome.contains(expected), "{name}: {outcome}");
    }
}

#[test]
fn rank_0_and_rank_9_arrays_are_made_and_read() {
    run(|mut f| {
        let scalar = f.array_from_vec(vec![5.0f64], []).unwrap();
        assert_eq!((scalar.rank(), scalar.len()), (0, 1));
        let x = jl(&mut f, "A -> A[]", &[scalar.as_value()]).unwrap();
        assert_eq!(x.unbox::<f64>().unwrap(), 5.0);
        let zero = f.new_array::<i32>(&[]).unwrap();
        assert_eq!(zero.to_vec().unwrap(), [0]);
        let dims = [2, 1, 1, 1, 1, 1, 1, 1, 3];
        let data: Vec<i64> = (1..=6).collect();
        let nine = f.array_from_slice(&data, dims).unwrap();
        let s = jl(
            &mut f,
            "A -> string(size(A), A[2, 1, 1, 1, 1, 1, 1, 1, 3])",
            &[nine.as_value()],
        )
        .unwrap();
        assert_eq!(s.unbox::<String>().unwrap(), "(2, 1, 1, 1, 1, 1, 1, 1, 3)6");
        let nine = f.new_array::<u8>(&dims).unwrap();
        assert_eq!(nine.rank(), 9);
        // Julia's own.
        let j0 = f.eval("fill(1.5)").unwrap().array::<f64>().unwrap();
        assert_eq!(j0.to_vec().unwrap(), [1.5]);
    });
}

#[test]
fn borrows_of_overlapping_memory_conflict_whatever_the_start_address() {
    run(|mut f| {
        let a = f.eval("SOUND_A = collect(1.0:10.0)").unwrap();
        // B starts 8 bytes into A's data.
        let b = f
            .eval("SOUND_B = unsafe_wrap(Array, pointer(SOUND_A, 2), 9)")
            .unwrap();
        let (a, b) = (a.array::<f64>().unwrap(), b.array::<f64>().unwrap());
        let ex = a.data_mut().unwrap();
        assert!(matches!(
            b.data().map(|_| ()),
            Err(Error::Array(ArrayError::Borrowed(_)))
        ));
        drop(ex);
        let shared = b.data().unwrap();
        assert!(
            a.data().is_ok(),
            "shared borrows of overlapping data coexist"
        );
        assert!(a.data_mut().is_err());
        drop(shared);
        assert!(a.data_mut().is_ok());
        // Disjoint ranges of one buffer do not conflict.
        let c = f
            .eval("SOUND_C = unsafe_wrap(Array, pointer(SOUND_A, 6), 5)")
            .unwrap()
            .array::<f64>()
            .unwrap();
        let d = f
            .eval("SOUND_D = unsafe_wrap(Array, pointer(SOUND_A, 1), 5)")
            .unwrap()
            .array::<f64>()
            .unwrap();
        let (c, d) = (c.data_mut().unwrap(), d.data_mut().unwrap());
        assert_eq!((c[0], d[4]), (6.0, 5.0));
    });
}

/// A 24-bit Julia primitive type: 3 bytes, stored 4 bytes apart in arrays.
#[derive(Clone, Copy, Debug, PartialEq)]
#[repr(C)]
struct U24([u8; 3]);

// SAFETY: `Main.SoundU24` is a 24-bit primitive type, whose bits are 3 bytes; every bit
// pattern is a valid `U24`. (Its array stride, 4, is checked by the arrays.)
unsafe impl ArrayElement for U24 {
    type Stored = U24;

    fn julia_type(frame: &mut GcFrame<'_>) -> JlResult<ElementType> {
        ElementType::lookup(frame, "Main.SoundU24")
    }

    fn into_stored(self) -> U24 {
        self
    }

    fn from_stored(stored: U24) -> JlResult<U24> {
        Ok(stored)
    }
}

#[test]
fn a_user_type_whose_stride_is_not_its_size_is_refused() {
    run(|mut f| {
        f.eval("primitive type SoundU24 24 end").unwrap();
        let ty = ElementType::lookup(&mut f, "Main.SoundU24").unwrap();
        assert_eq!((ty.size(), ty.stride()), (3, 4));
        let v = f.eval("Vector{SoundU24}(undef, 2)").unwrap();
        let e = v.array::<U24>().unwrap_err();
        assert!(e.to_string().contains("does not match"), "{e}");
        let e = f.new_array::<U24>(&[2]).unwrap_err();
        assert!(e.to_string().contains("does not match"), "{e}");
        let e = f
            .array_from_vec(vec![U24([1, 2, 3]), U24([4, 5, 6])], [2])
            .unwrap_err();
        assert!(e.to_string().contains("does not match"), "{e}");
    });
}
