//! [`PmapOptions`]: retries and error handling for [`GcFrame::pmap_with`](crate::GcFrame::pmap_with).

use std::time::Duration;

use crate::values::value::Value;

/// Distributed's `pmap` keywords `retry_delays` and `on_error`.
///
/// ```
/// use std::time::Duration;
/// use jlrs_core::distributed::PmapOptions;
///
/// let retry_twice = PmapOptions::new()
///     .retry_delays(&[Duration::from_millis(100), Duration::from_millis(500)]);
/// # let _ = retry_twice;
/// ```
#[derive(Clone, Debug, Default)]
pub struct PmapOptions<'v> {
    pub(crate) retry_delays: Vec<Duration>,
    pub(crate) on_error: Option<Value<'v>>,
}

impl<'v> PmapOptions<'v> {
    /// No retries, and the first failure fails the map (what [`pmap`](crate::GcFrame::pmap)
    /// does).
    pub fn new() -> Self {
        Self::default()
    }

    /// Retry a failed item once per delay, after that delay (on any worker; an item whose
    /// worker exited runs on another one).
    pub fn retry_delays(mut self, delays: &[Duration]) -> Self {
        self.retry_delays = delays.to_vec();
        self
    }

    /// A Julia function called with the exception of an item that failed (after its
    /// retries); its result takes the item's place instead of the map failing.
    pub fn on_error(mut self, f: Value<'v>) -> Self {
        self.on_error = Some(f);
        self
    }
}
