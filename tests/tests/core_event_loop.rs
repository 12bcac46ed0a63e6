//! jlrs-core: the event loop unpublishes its notifier before it closes its condition, on
//! every path, including when `wait` throws. `Base.close` is wrapped (in this binary only)
//! to look at the notifier at the moment the condition closes.

use std::{
    sync::{
        atomic::{AtomicU8, Ordering},
        OnceLock,
    },
    time::Duration,
};

use jlrs_core::{
    event_loop::{EventLoop, Notifier, Step},
    Error,
};
use jlrs_tests::{julia, watchdog};

static NOTIFIER: OnceLock<Notifier> = OnceLock::new();
/// 0: the condition was not closed; 1: closed after the notifier was unpublished;
/// 2: closed while the notifier could still send to it.
static AT_CLOSE: AtomicU8 = AtomicU8::new(0);

extern "C" fn probe() {
    let unpublished = NOTIFIER.get().is_some_and(Notifier::is_closed);
    AT_CLOSE.store(if unpublished { 1 } else { 2 }, Ordering::SeqCst);
}

#[test]
fn the_notifier_is_unpublished_before_close_when_wait_throws() {
    let _dog = watchdog("an event loop whose wait throws", Duration::from_secs(60));
    let notifier = NOTIFIER.get_or_init(Notifier::new).clone();
    let for_loop = notifier.clone();
    let (result, steps) = julia().run(move |j| {
        j.scope(|mut f| {
            f.eval(
                "const CLOSE_PROBE = Ref(C_NULL)
                 function Base.close(c::Base.AsyncCondition)
                     CLOSE_PROBE[] == C_NULL || ccall(CLOSE_PROBE[], Cvoid, ())
                     invoke(close, Tuple{Union{Timer, Base.AsyncCondition}}, c)
                 end",
            )
            .unwrap();
            f.eval(&format!("CLOSE_PROBE[] = Ptr{{Cvoid}}({})", probe as *const () as usize))
                .unwrap();
        });
        let mut steps = 0;
        let result = EventLoop::new(for_loop).run(j, |j| {
            steps += 1;
            if steps == 1 {
                // Once the loop waits, a Julia task throws into it.
                j.scope(|mut f| {
                    f.eval(
                        "let t = current_task()
                             @async schedule(t, ErrorException(\"thrown into the loop\"); error = true)
                         end",
                    )
                    .map(|_| ())
                })
                .unwrap();
            }
            Step::Wait
        });
        (result, steps)
    });
    let err = result.unwrap_err();
    assert!(
        matches!(&err, Error::Exception(e) if e.message().contains("thrown into the loop")),
        "{err}"
    );
    assert_eq!(steps, 1);
    assert!(notifier.is_closed());
    assert_eq!(
        AT_CLOSE.load(Ordering::SeqCst),
        1,
        "the condition was closed while its notifier could still send to it"
    );
    // Notifying a closed loop does nothing.
    notifier.notify();
}
