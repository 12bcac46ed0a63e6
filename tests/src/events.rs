//! A `tracing` subscriber that records every event of the process, for tests of the
//! library's diagnostics events.

use jlrs_core::sync::GcSafeMutex;

/// Every `tracing` event of the process, as `"target message=... field=value ..."`.
static EVENTS: GcSafeMutex<Vec<String>> = GcSafeMutex::new(Vec::new());

struct Recorder;

impl tracing::Subscriber for Recorder {
    fn enabled(&self, _: &tracing::Metadata<'_>) -> bool {
        true
    }
    fn new_span(&self, _: &tracing::span::Attributes<'_>) -> tracing::span::Id {
        tracing::span::Id::from_u64(1)
    }
    fn record(&self, _: &tracing::span::Id, _: &tracing::span::Record<'_>) {}
    fn record_follows_from(&self, _: &tracing::span::Id, _: &tracing::span::Id) {}
    fn event(&self, event: &tracing::Event<'_>) {
        let mut line = event.metadata().target().to_string();
        event.record(
            &mut |field: &tracing::field::Field, value: &dyn std::fmt::Debug| {
                line.push_str(&format!(" {}={value:?}", field.name()));
            },
        );
        EVENTS.lock().push(line);
    }
    fn enter(&self, _: &tracing::span::Id) {}
    fn exit(&self, _: &tracing::span::Id) {}
}

/// Records every event from now on, as the process's only subscriber (once per test
/// binary).
pub fn record() {
    tracing::subscriber::set_global_default(Recorder).expect("the only subscriber");
}

/// The events recorded so far.
pub fn events() -> Vec<String> {
    EVENTS.lock().clone()
}

/// How many events recorded so far contain `pattern`.
pub fn matching(pattern: &str) -> usize {
    EVENTS.lock().iter().filter(|e| e.contains(pattern)).count()
}
