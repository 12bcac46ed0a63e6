//! Hosted loops: Rust loops that run on Julia's own threads.
//!
//! Julia 1.5 cannot adopt foreign threads, so Rust work that calls Julia from many threads
//! runs on Julia's threads instead. A hosted loop is a sticky Julia task with a large
//! stack, pinned to one Julia thread, that `ccall`s into Rust and runs the loop there.
//! Panics are caught at that boundary; the loop may then restart on the same thread.
//! Every such panic is reported as a diagnostics event
//! ([`hosted_loop_panicked`](crate::runtime::diagnostics)), whatever the loop is (a pool worker,
//! a `with` server, a loop of your own).

use std::{
    any::Any,
    ffi::{c_char, c_void},
    io::Write as _,
    panic::{catch_unwind, AssertUnwindSafe},
    sync::{
        atomic::{AtomicUsize, Ordering},
        Arc,
    },
};

use crate::{
    error::JlResult,
    error::JuliaError,
    runtime::julia::Julia,
    waiting::latch::Latch,
    waiting::sync::{GcSafeMutex, GcSafeMutexGuard},
};

/// The default stack of a hosted task.
///
/// Rust code that overflows a hosted task's stack reaches its guard page, which Julia's
/// signal handler turns into a `StackOverflowError` thrown from the faulting frame, over
/// the Rust frames. Those frames can neither continue nor be cleaned up, so the process
/// aborts with a message naming the thread and the stack size (as Rust does for its own
/// threads), instead of leaving the thread claimed and `join` waiting forever. Deep
/// recursion in *Julia* code called from the loop stays a `StackOverflowError` error of
/// that call.
pub const DEFAULT_STACK_SIZE: usize = 64 << 20;

/// A Rust loop that runs on a Julia thread.
pub trait HostedLoop: Send + 'static {
    /// Runs the loop. It must wait only in GC-safe regions (see [`Julia::gc_safe`] and
    /// [`blocking`](crate::blocking)). A loop that waits for work with
    /// [`idle::block_on`](crate::hosting::idle::block_on) gives its thread to Julia's scheduler
    /// meanwhile, so `Threads.@threads` and `Threads.@spawn` work can use it; a loop that
    /// waits in Rust keeps the thread from them until it returns.
    fn run(&mut self, julia: &mut Julia);

    /// Called on the same thread after [`HostedLoop::run`] panicked, with the panic's
    /// payload. Return `true` to run the loop again on this thread. By default the loop
    /// ends.
    ///
    /// The thread still holds the loop's context here (and while the loop's state is
    /// dropped): [`blocking`](crate::blocking) waits GC-safely, and
    /// [`reenter`](crate::reenter) (which `MtHandle::with` uses) runs Julia code on this
    /// thread.
    fn panicked(&mut self, payload: Box<dyn Any + Send>) -> bool {
        let _ = payload;
        false
    }
}

impl<F: FnMut(&mut Julia) + Send + 'static> HostedLoop for F {
    fn run(&mut self, julia: &mut Julia) {
        self(julia)
    }
}

/// Which Julia threads host a loop now (index = 1-based thread id).
static BUSY: GcSafeMutex<Vec<bool>> = GcSafeMutex::new(Vec::new());

fn busy() -> GcSafeMutexGuard<'static, Vec<bool>> {
    BUSY.lock()
}

/// The shared state of one hosted loop.
struct HostedLoopState {
    tid: usize,
    /// The loop's name in diagnostics (a pool worker's name), if it has one.
    name: Option<Arc<str>>,
    /// Set once the loop has returned for good and its state is dropped.
    finished: Latch,
    restarts: AtomicUsize,
    panics: AtomicUsize,
}

/// A handle to a hosted loop.
#[derive(Clone)]
pub struct HostedThread {
    shared: Arc<HostedLoopState>,
}

static_assertions::assert_impl_all!(HostedThread: Send, Sync, Clone);

impl std::fmt::Debug for HostedThread {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HostedThread")
            .field("tid", &self.tid())
            .field("name", &self.name())
            .field("finished", &self.is_finished())
            .field("panics", &self.panics())
            .field("restarts", &self.restarts())
            .finish()
    }
}

impl HostedThread {
    /// The 1-based id of the Julia thread the loop runs on.
    pub fn tid(&self) -> usize {
        self.shared.tid
    }

    /// The loop's name, set with [`Hosted::name`].
    pub fn name(&self) -> Option<&str> {
        self.shared.name.as_deref()
    }

    /// Whether the loop has returned for good.
    pub fn is_finished(&self) -> bool {
        self.shared.finished.is_set()
    }

    /// How many times the loop was restarted after a panic.
    pub fn restarts(&self) -> usize {
        self.shared.restarts.load(Ordering::Acquire)
    }

    /// How many times the loop panicked.
    pub fn panics(&self) -> usize {
        self.shared.panics.load(Ordering::Acquire)
    }

    /// Blocks until the loop has returned for good. On a Julia thread the wait is
    /// GC-safe.
    pub fn join(&self) {
        self.shared.finished.wait_blocking()
    }
}

/// Configures and starts a hosted loop.
#[derive(Clone, Debug)]
pub struct Hosted {
    tid: usize,
    stack_size: usize,
    name: Option<Arc<str>>,
}

impl Hosted {
    /// A loop on Julia thread `tid` (1-based; thread 1 is the thread that initialised
    /// Julia and cannot host).
    pub fn on_thread(tid: usize) -> Self {
        Hosted {
            tid,
            stack_size: DEFAULT_STACK_SIZE,
            name: None,
        }
    }

    /// The loop's name, reported with its panics (see [`crate::runtime::diagnostics`]); by default
    /// it has none, and its thread id identifies it.
    pub fn name(mut self, name: impl Into<Arc<str>>) -> Self {
        self.name = Some(name.into());
        self
    }

    /// The size of the hosted task's stack (default [`DEFAULT_STACK_SIZE`]). Rust code
    /// that overflows it aborts the process with a message (see [`DEFAULT_STACK_SIZE`]).
    pub fn stack_size(mut self, bytes: usize) -> Self {
        self.stack_size = bytes;
        self
    }

    /// Starts `body` on the chosen thread. Returns once the Julia task is scheduled.
    ///
    /// Errors if the thread does not exist, is thread 1, or already hosts a loop.
    pub fn spawn(self, julia: &mut Julia, body: impl HostedLoop) -> JlResult<HostedThread> {
        let tid = self.tid;
        let n = julia.n_julia_threads();
        if tid < 2 || tid > n {
            return Err(JuliaError::BadThread {
                tid,
                reason: if tid == 1 {
                    "thread 1 runs the runtime"
                } else {
                    "no such Julia thread"
                },
            });
        }
        {
            let mut busy = busy();
            if busy.len() <= n {
                busy.resize(n + 1, false);
            }
            if busy[tid] {
                return Err(JuliaError::BadThread {
                    tid,
                    reason: "it already hosts a loop",
                });
            }
            busy[tid] = true;
        }
        let shared = Arc::new(HostedLoopState {
            tid,
            name: self.name,
            finished: Latch::new(),
            restarts: AtomicUsize::new(0),
            panics: AtomicUsize::new(0),
        });
        let data = Box::into_raw(Box::new(Payload {
            run: hosted_entry,
            escaped: hosted_escaped,
            stack_size: self.stack_size,
            body: Box::new(body),
            shared: shared.clone(),
        }));
        let result = julia.scope(|mut frame| {
            let entry = frame.box_value(jlrs_core_hosted_guard as *const () as usize);
            let data_v = frame.box_value(data as usize);
            let tid_v = frame.box_value(tid as i64);
            let stack = frame.box_value(self.stack_size as i64);
            frame
                .call_internal("JlrsCore.spawn_hosted", &[entry, data_v, tid_v, stack])
                .map(|_| ())
        });
        if let Err(e) = result {
            // The payload is leaked, never freed: the error may have come after the task
            // that holds it was created or scheduled. If that task runs, it frees the
            // payload and the thread itself.
            busy()[tid] = false;
            return Err(e);
        }
        Ok(HostedThread { shared })
    }
}

extern "C" {
    /// Calls `payload.run(payload)` inside a Julia exception handler that calls
    /// `payload.escaped` if an exception reaches it (`csrc/hosted.c`).
    fn jlrs_core_hosted_guard(payload: *mut c_void);
}

/// What a hosted task gets. The C shim reads the two function pointers at its head.
#[repr(C)]
struct Payload {
    run: extern "C" fn(*mut c_void),
    escaped: extern "C" fn(*mut c_void, *const c_char) -> !,
    stack_size: usize,
    body: Box<dyn HostedLoop>,
    shared: Arc<HostedLoopState>,
}

/// Called when a Julia exception jumped over the hosted loop's Rust frames, which can
/// never be resumed or dropped: reports it and aborts, as Rust does for a thread that
/// overflows its stack.
extern "C" fn hosted_escaped(data: *mut c_void, exception_type: *const c_char) -> ! {
    // SAFETY: `data` is the loop's payload; the skipped frames never freed it (their
    // destructors cannot run), and they never resume, so nothing else uses it.
    let payload = unsafe { &*data.cast::<Payload>() };
    let exception_type = if exception_type.is_null() {
        "an exception".into()
    } else {
        // SAFETY: Julia's type names are static NUL-terminated strings.
        unsafe { std::ffi::CStr::from_ptr(exception_type) }.to_string_lossy()
    };
    let _ = writeln!(
        std::io::stderr(),
        "jlrs: the hosted loop on Julia thread {} overflowed its stack of {} bytes (Julia \
         reported a {exception_type} that jumped over its Rust frames, so they can neither \
         continue nor be cleaned up); aborting. Give the loop a larger stack with \
         `Hosted::stack_size`, or recurse less deeply.",
        payload.shared.tid,
        payload.stack_size,
    );
    std::process::abort()
}

/// Called by the hosted Julia task, through `jlrs_core_hosted_guard`. Never unwinds.
extern "C" fn hosted_entry(data: *mut c_void) {
    // SAFETY: Julia called into Rust on one of its threads.
    let _rust = unsafe { crate::runtime::signals::RustSection::enter() };
    // SAFETY: `data` is the payload leaked by `Hosted::spawn`, handed to exactly one task.
    let mut payload = unsafe { Box::from_raw(data.cast::<Payload>()) };
    let shared = payload.shared.clone();
    // One context for the loop's whole stay on this thread: its runs, its `panicked` hook
    // and the drop of its state all see a thread that holds a context, so `blocking`
    // waits GC-safely and `MtHandle::with` runs right here instead of waiting for
    // another thread while this one stalls collections.
    // SAFETY: this runs in a Julia task on a Julia thread, GC-unsafe, with no other
    // context on this thread (a thread hosts one loop at a time).
    let mut julia = unsafe { Julia::new() };
    loop {
        let outcome = catch_unwind(AssertUnwindSafe(|| payload.body.run(&mut julia)));
        match outcome {
            Ok(()) => break,
            Err(p) => {
                shared.panics.fetch_add(1, Ordering::AcqRel);
                let message = crate::runtime::panics::panic_message(&*p);
                let again = catch_unwind(AssertUnwindSafe(|| payload.body.panicked(p)));
                let again = matches!(again, Ok(true));
                crate::runtime::diagnostics::hosted_loop_panicked(
                    shared.tid,
                    shared.name.as_deref(),
                    &message,
                    again,
                );
                if again {
                    shared.restarts.fetch_add(1, Ordering::AcqRel);
                    continue;
                }
                break;
            }
        }
    }
    // The thread may host a new loop from here on: a loop's state often releases a claim
    // on this thread when dropped, and whoever claims it next must be able to spawn. The
    // new loop's task waits in this thread's queue until this one returns.
    busy()[shared.tid] = false;
    // Dropping the loop's state may panic too; it must not unwind into Julia.
    let _ = catch_unwind(AssertUnwindSafe(move || drop(payload)));
    drop(julia);
    shared.finished.set();
}
