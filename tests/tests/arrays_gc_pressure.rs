//! Buffers given to Julia with `array_from_vec` count towards collections: a loop that
//! hands Julia 4 GiB of `Vec`s in 64 MiB pieces and drops each array at once, with no
//! collection of its own and hardly any Julia allocation, keeps only a few buffers alive
//! and its memory flat. (Julia's collector counts only what it allocates: without the
//! count, every buffer would stay until something else triggered a collection.)

use std::time::Duration;

use jlrs_core::{array::owned_buffers, JlResult};
use jlrs_tests::{julia, rss_kib, watchdog};

const PIECE: usize = 64 << 20;
const PIECES: usize = 64;

// One test: the counts of live buffers are the process's, so the two parts must not run
// at once.
#[test]
fn handed_over_buffers_make_collections_come() {
    dropped_at_once();
    alive_through_collections();
}

/// Each array is dropped as soon as it is made.
fn dropped_at_once() {
    let _dog = watchdog("handing 4 GiB of Vecs to Julia", Duration::from_secs(120));
    let (before, most_owned, after) = julia()
        .run(|j| {
            j.scope(|mut frame| {
                let before = rss_kib();
                let mut most_owned = 0;
                for i in 0..PIECES {
                    // Filled, so that the pages are really in memory.
                    let v = vec![i as u8 | 1; PIECE];
                    frame.scope(|mut inner| {
                        let a = inner.array_from_vec(v, [PIECE])?;
                        assert_eq!(a.data()?[PIECE - 1], i as u8 | 1);
                        Ok::<_, jlrs_core::JuliaError>(())
                    })?;
                    most_owned = most_owned.max(owned_buffers());
                }
                JlResult::Ok((before, most_owned, rss_kib()))
            })
        })
        .unwrap();
    // 256 MiB of buffers are 4 pieces: a collection comes by the fifth.
    assert!(
        most_owned <= 6,
        "{most_owned} of {PIECES} buffers were alive at once"
    );
    let grown_mib = after.saturating_sub(before) / 1024;
    assert!(
        grown_mib < 1024,
        "the RSS grew by {grown_mib} MiB while 4 GiB were handed over and dropped"
    );
}

/// Each array lives on while the next three are made.
fn alive_through_collections() {
    let _dog = watchdog(
        "handing 4 GiB of Vecs to Julia, 3 alive",
        Duration::from_secs(120),
    );
    let (before, most_owned, after) = julia().run(|j| {
        let before = rss_kib();
        let mut most_owned = 0;
        // Each array stays rooted (in a stack of its own) while the next 3 are made, so
        // most live through a collection: then only a full one frees them.
        let mut alive = std::collections::VecDeque::new();
        for i in 0..PIECES {
            let v = vec![i as u8 | 1; PIECE];
            let mut stack = j.new_root_stack();
            stack.frame().array_from_vec(v, [PIECE]).unwrap();
            alive.push_back(stack);
            if alive.len() > 3 {
                alive.pop_front();
            }
            most_owned = most_owned.max(owned_buffers());
        }
        drop(alive);
        (before, most_owned, rss_kib())
    });
    // 1 GiB since the last full collection is 16 pieces: a full one comes by the 17th.
    assert!(
        most_owned <= 20,
        "{most_owned} of {PIECES} buffers were alive at once"
    );
    let grown_mib = after.saturating_sub(before) / 1024;
    assert!(
        grown_mib < 2048,
        "the RSS grew by {grown_mib} MiB while 4 GiB were handed over and dropped"
    );
}
