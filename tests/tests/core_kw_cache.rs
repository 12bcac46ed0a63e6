//! jlrs-core: keyword calls reuse a cached named-tuple type per set of names and value
//! types; every call must still get the type of its own names, in its own order, with its
//! own value types, from any thread and across collections.

use std::{
    sync::{
        atomic::{AtomicBool, Ordering},
        Arc, OnceLock,
    },
    time::Duration,
};

use jlrs_core::{GcFrame, JlResult, Value};
use jlrs_mt::{Builder, MtHandle};
use jlrs_tests::watchdog;

/// Threads that run `with` closures.
const WITH_THREADS: usize = 4;

fn mt() -> &'static MtHandle {
    static MT: OnceLock<MtHandle> = OnceLock::new();
    MT.get_or_init(|| {
        let (mt, _thread) = Builder::new()
            .with_threads(WITH_THREADS)
            .spawn_mt()
            .expect("cannot start Julia");
        mt.with(|j| {
            j.scope(|mut f| {
                // Each keyword as `name:type=value`, in the order of the named tuple the
                // call received. `kwdesc` is an ordinary keyword function; `kwfast`'s
                // keyword sorter is not compiled again for every new set of keywords.
                f.eval(
                    "function kwdesc_of(@nospecialize(nt))
                         T = typeof(nt)
                         parts = String[]
                         for i in 1:nfields(nt)
                             v = getfield(nt, i)
                             push!(parts, string(fieldname(T, i), ':', typeof(v), '=', v))
                         end
                         return join(parts, ',')
                     end
                     kwdesc(; kws...) = kwdesc_of(values(kws))
                     function kwfast end
                     (::Core.kwftype(typeof(kwfast)))(@nospecialize(nt), ::typeof(kwfast)) =
                         kwdesc_of(nt)",
                )
                .map(|_| ())
            })
        })
        .unwrap();
        mt
    })
}

/// The kinds of values the tests pass, by number.
fn value<'s>(f: &mut GcFrame<'s>, kind: usize, k: i64) -> (Value<'s>, String) {
    match kind % 5 {
        0 => (f.box_value(k), format!("Int64={k}")),
        1 => (
            f.box_value(k as f64 + 0.5),
            format!("Float64={}", k as f64 + 0.5),
        ),
        2 => (f.box_value(k as i32), format!("Int32={k}")),
        3 => (f.box_value(format!("s{k}")), format!("String=s{k}")),
        _ => (f.box_value(k % 2 == 0), format!("Bool={}", k % 2 == 0)),
    }
}

/// Calls `kwfast` with `names` and value kinds `kinds` (values made from `k`), and checks
/// what it received.
fn check(f: &mut GcFrame<'_>, names: &[&str], kinds: &[usize], k: i64) -> JlResult<()> {
    check_with(f, "kwfast", names, kinds, k)
}

/// [`check`] with the function called `func`.
fn check_with(
    f: &mut GcFrame<'_>,
    func: &str,
    names: &[&str],
    kinds: &[usize],
    k: i64,
) -> JlResult<()> {
    let desc = f.global(func)?;
    f.scope(|mut inner| {
        let mut kwargs = Vec::new();
        let mut expected = Vec::new();
        for (name, &kind) in names.iter().zip(kinds) {
            let (v, text) = value(&mut inner, kind, k);
            kwargs.push((*name, v));
            expected.push(format!("{name}:{text}"));
        }
        let got = desc.call_kw(&mut inner, &[], &kwargs)?.unbox::<String>()?;
        assert_eq!(got, expected.join(","), "names {names:?}, kinds {kinds:?}");
        Ok(())
    })
}

#[test]
fn same_names_with_other_value_types_and_orders() {
    let _dog = watchdog("keyword calls on one thread", Duration::from_secs(120));
    mt().with(|j| {
        j.scope(|mut f| {
            // Names no other test uses: a set cached first in the other order by another
            // test on this thread would hide a cache that ignores the order. Twice over,
            // so that the second round finds every set cached.
            for _ in 0..2 {
                check_with(&mut f, "kwdesc", &["p", "q"], &[0, 1], 1)?;
                check_with(&mut f, "kwdesc", &["p", "q"], &[1, 0], 2)?;
                check_with(&mut f, "kwdesc", &["q", "p"], &[1, 0], 2)?;
                for kind in 0..5 {
                    check(&mut f, &["p"], &[kind], 3)?;
                }
                check(&mut f, &["p", "q"], &[0, 1], 4)?;
                check(&mut f, &["q", "p"], &[0, 1], 4)?;
                check(&mut f, &["q", "p"], &[1, 0], 4)?;
                check(&mut f, &["p", "q"], &[1, 0], 4)?;
                check(&mut f, &["pq"], &[0], 5)?;
                check(&mut f, &["p", "q", "r"], &[3, 3, 3], 6)?;
                check(&mut f, &["r", "q", "p"], &[3, 3, 3], 6)?;
                // More keywords than are gathered on the stack.
                let many = ["k1", "k2", "k3", "k4", "k5", "k6", "k7", "k8", "k9", "k10"];
                check(&mut f, &many, &[0, 1, 2, 3, 4, 0, 1, 2, 3, 4], 7)?;
                check(&mut f, &many, &[4, 3, 2, 1, 0, 4, 3, 2, 1, 0], 7)?;
            }
            Ok(())
        })
    })
    .unwrap();
}

#[test]
fn errors_are_the_same_on_a_cached_set() {
    let _dog = watchdog("keyword errors", Duration::from_secs(120));
    mt().with(|j| {
        j.scope(|mut f| {
            f.eval("onlyx(; x = 1) = x")?;
            let one = f.box_value(1i64);
            let mut messages = Vec::new();
            for _ in 0..3 {
                let err = f.call_kw("onlyx", &[], &[("y", one)]).unwrap_err();
                messages.push(err.to_string());
                let err = f
                    .call_kw("onlyx", &[], &[("x", one), ("x", one)])
                    .unwrap_err();
                messages.push(err.to_string());
                assert_eq!(f.call_kw("onlyx", &[], &[("x", one)])?.unbox::<i64>()?, 1);
            }
            assert!(
                messages[0].contains("unsupported keyword argument"),
                "{}",
                messages[0]
            );
            assert!(messages[1].contains('x'), "{}", messages[1]);
            assert_eq!(messages[0..2], messages[2..4]);
            assert_eq!(messages[0..2], messages[4..6]);
            Ok(())
        })
    })
    .unwrap();
}

#[test]
fn more_sets_than_one_thread_caches() {
    let _dog = watchdog("many keyword sets", Duration::from_secs(240));
    mt().with(|j| {
        j.scope(|mut f| {
            for round in 0..2 {
                for i in 0..1500 {
                    if i % 250 == 0 {
                        f.eval("GC.gc()")?;
                    }
                    let name = format!("key{i}");
                    check(&mut f, &[name.as_str()], &[i + round], i as i64)?;
                }
            }
            Ok(())
        })
    })
    .unwrap();
}

#[test]
fn many_sets_from_several_threads_while_collections_are_forced() {
    let _dog = watchdog("keyword calls on several threads", Duration::from_secs(240));
    let stop = Arc::new(AtomicBool::new(false));
    let collector = {
        let stop = stop.clone();
        std::thread::spawn(move || {
            let mut n = 0;
            while !stop.load(Ordering::Acquire) {
                mt().with(move |j| {
                    j.collect_garbage(n % 4 == 0);
                    Ok(())
                })
                .unwrap();
                n += 1;
            }
            n
        })
    };
    const NAMES: [&str; 5] = ["a", "b", "c", "d", "e"];
    let callers: Vec<_> = (0..WITH_THREADS)
        .map(|t| {
            std::thread::spawn(move || {
                for k in 0..400usize {
                    mt().with(move |j| {
                        j.scope(|mut f| {
                            // A subset of the names, rotated, with value kinds that
                            // depend on the thread and the round.
                            let subset = k % 31 + 1;
                            let mut names: Vec<&str> = (0..5)
                                .filter(|b| subset & (1 << b) != 0)
                                .map(|b| NAMES[b])
                                .collect();
                            let by = k % names.len();
                            names.rotate_left(by);
                            let kinds: Vec<usize> =
                                (0..names.len()).map(|i| (i + k / 31 + t) % 5).collect();
                            check(&mut f, &names, &kinds, (t * 1000 + k) as i64)
                        })
                    })
                    .unwrap();
                }
            })
        })
        .collect();
    for c in callers {
        c.join().expect("a caller failed");
    }
    stop.store(true, Ordering::Release);
    assert!(collector.join().unwrap() > 0);
}
