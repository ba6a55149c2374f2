//! Work a `Drop` cannot do. When the last holder of a capability lets go,
//! its object may owe answers to calls of other processes: an Endpoint's
//! queued callers, a pipe's waiting reader. Answering needs the kernel,
//! which a `Drop` cannot reach (it runs wherever the last reference
//! falls, often with the kernel already borrowed). So the `Drop` queues
//! the object here, and the kernel runs the queue after anything that can
//! drop capabilities: RELEASE, a process's exit, the end of each
//! cap_enter's submissions.

use alloc::sync::Arc;
use alloc::vec::Vec;
use core::sync::atomic::{AtomicBool, Ordering};

use spin::Mutex;

use crate::sched::Kernel;

/// An object with answers to give once a holder has gone.
pub trait Hangup: Send + Sync {
    fn hang_up(&self, k: &mut Kernel);
}

static QUEUE: Mutex<Vec<Arc<dyn Hangup>>> = Mutex::new(Vec::new());
/// Set when QUEUE gets an object, so the common case skips its lock.
static ANY: AtomicBool = AtomicBool::new(false);

/// Queues `object` for [`run`].
pub fn defer(object: Arc<dyn Hangup>) {
    QUEUE.lock().push(object);
    ANY.store(true, Ordering::Relaxed);
}

/// Lets every queued object give its answers.
pub fn run(k: &mut Kernel) {
    // Called after every batch of submissions; almost always nothing is queued.
    if !ANY.swap(false, Ordering::Relaxed) {
        return;
    }
    // An answer can drop more capabilities, queueing more objects: the
    // lock must be let go before `hang_up`. (A `while let` scrutinee's
    // guard would live through the body, and the `defer` of a pipe half
    // that an Endpoint's rolled-back call dropped would spin on it.)
    loop {
        let next = QUEUE.lock().pop();
        let Some(object) = next else { break };
        object.hang_up(k);
    }
}

/// Frees the queue's capacity, for the leak check at shutdown.
pub fn release_caches() {
    *QUEUE.lock() = Vec::new();
}
