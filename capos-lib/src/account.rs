//! Kernel memory accounts: who pays for what the kernel holds.
//!
//! Every process has an [`Account`] with two quotas: bytes of kernel heap
//! and physical frames. Whatever the kernel allocates because a process
//! asked (its own process structures, queued messages, capability objects
//! it created, page tables, the frames it maps) is charged to an account
//! first, and the allocation is refused if the charge is.
//!
//! Accounts form a tree. A child's quotas are carved out of its parent's
//! when the child is created and go back when the child's account is
//! dropped, so the limits of a subtree never exceed what its root was
//! given, and the root is given only what the kernel can afford. A charge
//! is a [`Charge`] value that releases itself when dropped: an object that
//! holds kernel memory holds its charge, so memory that outlives the
//! process that paid for it (a capability sent elsewhere) keeps its
//! account alive, and the parent gets the quota back only when the last of
//! it is freed. That is how a leak shows: an account that never reaches
//! zero.
//!
//! A forked process shares its parent's account ([`Account::join`]): fork
//! makes a copy of a process, not a new holder of authority, so the
//! limits a manifest gives a service bound it and every copy of it
//! together, and a fork bomb runs into them.

use alloc::sync::Arc;
use core::fmt;
use core::sync::atomic::{AtomicBool, AtomicU64, Ordering};

/// What an account pays for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Resource {
    /// Bytes of the kernel heap.
    KernelHeap,
    /// 4 KiB physical frames: user memory and page tables.
    Frames,
}

impl Resource {
    pub fn name(self) -> &'static str {
        match self {
            Resource::KernelHeap => "kernel memory",
            Resource::Frames => "memory",
        }
    }
}

/// A charge was refused: `wanted` more would exceed `limit` (`used` held).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Exhausted {
    pub resource: Resource,
    pub wanted: u64,
    pub used: u64,
    pub limit: u64,
}

impl fmt::Display for Exhausted {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let unit = match (self.resource, self.wanted) {
            (Resource::KernelHeap, 1) => "byte",
            (Resource::KernelHeap, _) => "bytes",
            (Resource::Frames, 1) => "page",
            (Resource::Frames, _) => "pages",
        };
        write!(
            f,
            "{} quota exhausted: {} {unit} asked, {} of {} in use",
            self.resource.name(),
            self.wanted,
            self.used,
            self.limit
        )
    }
}

struct Quota {
    limit: AtomicU64,
    used: AtomicU64,
}

impl Quota {
    fn new(limit: u64) -> Self {
        Quota {
            limit: AtomicU64::new(limit),
            used: AtomicU64::new(0),
        }
    }

    fn limit(&self) -> u64 {
        self.limit.load(Ordering::Relaxed)
    }

    fn used(&self) -> u64 {
        self.used.load(Ordering::Relaxed)
    }

    fn charge(&self, resource: Resource, amount: u64) -> Result<(), Exhausted> {
        let (used, limit) = (self.used(), self.limit());
        match used.checked_add(amount) {
            Some(total) if total <= limit => {
                self.used.store(total, Ordering::Relaxed);
                Ok(())
            }
            _ => Err(Exhausted {
                resource,
                wanted: amount,
                used,
                limit,
            }),
        }
    }
}

/// One process's (or the kernel's root) kernel-memory quotas.
pub struct Account {
    parent: Option<Arc<Account>>,
    heap: Quota,
    frames: Quota,
    /// Set when the process has ended ([`Account::close`]): from then on
    /// whatever is freed goes back to the parent at once.
    closed: AtomicBool,
    /// Processes sharing the account (a process and its forks); it closes
    /// when the last of them ends.
    members: AtomicU64,
}

impl Account {
    fn new(parent: Option<Arc<Account>>, heap_bytes: u64, frames: u64) -> Arc<Self> {
        Arc::new(Account {
            parent,
            heap: Quota::new(heap_bytes),
            frames: Quota::new(frames),
            closed: AtomicBool::new(false),
            members: AtomicU64::new(1),
        })
    }

    /// The root of a tree: what the kernel can afford to give processes.
    pub fn root(heap_bytes: u64, frames: u64) -> Arc<Self> {
        Self::new(None, heap_bytes, frames)
    }

    /// A child account whose quotas are charged to `parent` until the
    /// child is dropped.
    pub fn child(parent: &Arc<Self>, heap_bytes: u64, frames: u64) -> Result<Arc<Self>, Exhausted> {
        parent.heap.charge(Resource::KernelHeap, heap_bytes)?;
        if let Err(e) = parent.frames.charge(Resource::Frames, frames) {
            parent.release(Resource::KernelHeap, heap_bytes);
            return Err(e);
        }
        Ok(Self::new(Some(parent.clone()), heap_bytes, frames))
    }

    fn quota(&self, resource: Resource) -> &Quota {
        match resource {
            Resource::KernelHeap => &self.heap,
            Resource::Frames => &self.frames,
        }
    }

    pub fn used(&self, resource: Resource) -> u64 {
        self.quota(resource).used()
    }

    /// What is left to charge: the quota's limit less what is in use.
    pub fn spare(&self, resource: Resource) -> u64 {
        let quota = self.quota(resource);
        quota.limit().saturating_sub(quota.used())
    }

    /// Charges `amount` now; the returned [`Charge`] gives it back when dropped.
    pub fn charge(self: &Arc<Self>, resource: Resource, amount: u64) -> Result<Charge, Exhausted> {
        self.quota(resource).charge(resource, amount)?;
        Ok(Charge {
            account: self.clone(),
            resource,
            amount,
        })
    }

    /// Charges without a guard: for memory whose owner tracks it itself
    /// (page tables, which free their frames one by one). Pair every call
    /// with [`Account::release`].
    pub fn charge_raw(&self, resource: Resource, amount: u64) -> Result<(), Exhausted> {
        self.quota(resource).charge(resource, amount)
    }

    /// Gives back `amount`; a closed account passes it on to its parent.
    pub fn release(&self, resource: Resource, amount: u64) {
        let quota = self.quota(resource);
        let used = quota.used();
        debug_assert!(amount <= used, "releasing more than was charged");
        let amount = amount.min(used);
        quota.used.store(used - amount, Ordering::Relaxed);
        if self.closed.load(Ordering::Relaxed) {
            quota.limit.store(quota.limit() - amount, Ordering::Relaxed);
            if let Some(parent) = &self.parent {
                parent.release(resource, amount);
            }
        }
    }

    /// One more process shares this account (a fork of one that does).
    /// Each member ends with one [`Account::close`].
    pub fn join(self: &Arc<Self>) -> Arc<Self> {
        self.members.fetch_add(1, Ordering::Relaxed);
        self.clone()
    }

    /// A process sharing the account has ended. Once the last one has,
    /// the part of its quotas it does not use goes back to the parent now,
    /// and the rest as it is freed (memory that outlives the process, such
    /// as a capability it made or a child it started, keeps its share
    /// until it goes). Nothing more can be charged.
    pub fn close(&self) {
        let left = self.members.load(Ordering::Relaxed).saturating_sub(1);
        self.members.store(left, Ordering::Relaxed);
        if left > 0 || self.closed.swap(true, Ordering::Relaxed) {
            return;
        }
        for resource in [Resource::KernelHeap, Resource::Frames] {
            let quota = self.quota(resource);
            let spare = quota.limit() - quota.used();
            quota.limit.store(quota.used(), Ordering::Relaxed);
            if let Some(parent) = &self.parent {
                parent.release(resource, spare);
            }
        }
    }
}

impl Drop for Account {
    fn drop(&mut self) {
        if let Some(parent) = &self.parent {
            parent.release(Resource::KernelHeap, self.heap.limit());
            parent.release(Resource::Frames, self.frames.limit());
        }
    }
}

/// Memory charged to an account, released when this is dropped.
pub struct Charge {
    account: Arc<Account>,
    resource: Resource,
    amount: u64,
}

impl Charge {
    pub fn amount(&self) -> u64 {
        self.amount
    }

    /// Changes the amount held: growing may be refused (nothing changes),
    /// shrinking always succeeds.
    pub fn resize(&mut self, amount: u64) -> Result<(), Exhausted> {
        if amount > self.amount {
            self.account
                .quota(self.resource)
                .charge(self.resource, amount - self.amount)?;
        } else {
            self.account.release(self.resource, self.amount - amount);
        }
        self.amount = amount;
        Ok(())
    }
}

impl Drop for Charge {
    fn drop(&mut self) {
        self.account.release(self.resource, self.amount);
    }
}

impl fmt::Debug for Charge {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Charge({:?}, {})", self.resource, self.amount)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn charges_stop_at_the_limit_and_come_back_on_drop() {
        let root = Account::root(100, 10);
        let a = root.charge(Resource::KernelHeap, 60).unwrap();
        let e = root.charge(Resource::KernelHeap, 41).unwrap_err();
        assert_eq!(
            e,
            Exhausted {
                resource: Resource::KernelHeap,
                wanted: 41,
                used: 60,
                limit: 100
            }
        );
        let b = root.charge(Resource::KernelHeap, 40).unwrap();
        assert_eq!(root.used(Resource::KernelHeap), 100);
        drop(a);
        drop(b);
        assert_eq!(root.used(Resource::KernelHeap), 0);
        assert_eq!(root.used(Resource::Frames), 0);
    }

    #[test]
    fn a_child_is_carved_from_its_parent_until_its_last_charge_goes() {
        let root = Account::root(1000, 100);
        let child = Account::child(&root, 400, 60).unwrap();
        assert_eq!(root.used(Resource::KernelHeap), 400);
        assert_eq!(root.used(Resource::Frames), 60);
        // Both quotas or neither: the frames do not fit, so no heap is kept.
        assert!(Account::child(&root, 100, 41).is_err());
        assert_eq!(root.used(Resource::KernelHeap), 400);
        let held = child.charge(Resource::Frames, 60).unwrap();
        assert!(child.charge(Resource::Frames, 1).is_err());
        drop(child);
        // The charge keeps the child's account, so its quota stays carved.
        assert_eq!(root.used(Resource::Frames), 60);
        drop(held);
        assert_eq!(root.used(Resource::Frames), 0);
        assert_eq!(root.used(Resource::KernelHeap), 0);
    }

    #[test]
    fn a_closed_account_gives_back_its_spare_now_and_the_rest_as_freed() {
        let root = Account::root(1000, 100);
        let child = Account::child(&root, 400, 50).unwrap();
        let grandchild = Account::child(&child, 100, 10).unwrap();
        let held = child.charge(Resource::KernelHeap, 30).unwrap();
        child.close();
        // The child uses 100 (its own child) + 30: the other 270 are back.
        assert_eq!(root.used(Resource::KernelHeap), 130);
        assert_eq!(root.used(Resource::Frames), 10);
        assert!(child.charge(Resource::KernelHeap, 1).is_err());
        drop(held);
        assert_eq!(root.used(Resource::KernelHeap), 100);
        drop(child);
        // The grandchild still holds its share, through the child's account.
        assert_eq!(root.used(Resource::KernelHeap), 100);
        let g = grandchild.charge(Resource::Frames, 10).unwrap();
        grandchild.close();
        assert_eq!(root.used(Resource::Frames), 10);
        drop(g);
        assert_eq!(root.used(Resource::Frames), 0);
        assert_eq!(root.used(Resource::KernelHeap), 0);
        drop(grandchild);
        assert_eq!(root.used(Resource::KernelHeap), 0);
        assert_eq!(root.used(Resource::Frames), 0);
    }

    #[test]
    fn resize_grows_within_the_limit_and_always_shrinks() {
        let root = Account::root(100, 0);
        let mut c = root.charge(Resource::KernelHeap, 10).unwrap();
        c.resize(100).unwrap();
        assert!(c.resize(101).is_err());
        assert_eq!(c.amount(), 100);
        c.resize(5).unwrap();
        assert_eq!(root.used(Resource::KernelHeap), 5);
        drop(c);
        assert_eq!(root.used(Resource::KernelHeap), 0);
    }

    #[test]
    fn overflowing_amounts_are_refused() {
        let root = Account::root(u64::MAX, 0);
        let _a = root.charge(Resource::KernelHeap, u64::MAX - 1).unwrap();
        assert!(root.charge(Resource::KernelHeap, 2).is_err());
        assert!(root.charge(Resource::Frames, 1).is_err());
    }

    #[test]
    fn a_shared_account_closes_with_its_last_member() {
        let parent = Account::root(1000, 100);
        let child = Account::child(&parent, 400, 40).unwrap();
        let fork = child.join();
        let _held = fork.charge(Resource::Frames, 10).unwrap();
        child.close();
        // One member is left: it can still charge, and nothing went back.
        assert!(fork.charge_raw(Resource::Frames, 5).is_ok());
        assert_eq!(parent.used(Resource::Frames), 40);
        fork.release(Resource::Frames, 5);
        fork.close();
        // The last member ended: the unused quota went back at once.
        assert_eq!(parent.used(Resource::Frames), 10);
        assert!(fork.charge_raw(Resource::Frames, 1).is_err());
    }

    #[test]
    fn spare_is_what_is_left_and_halves_nest() {
        let root = Account::root(1000, 100);
        let held = root.charge(Resource::Frames, 20).unwrap();
        assert_eq!(root.spare(Resource::Frames), 80);
        // Half of what is left, then half of what is left of that: a
        // chain of children each giving half to the next always fits.
        let child = Account::child(&root, root.spare(Resource::KernelHeap) / 2, 40).unwrap();
        assert_eq!(root.spare(Resource::Frames), 40);
        assert_eq!(child.spare(Resource::KernelHeap), 500);
        let grandchild = Account::child(&child, 250, child.spare(Resource::Frames) / 2).unwrap();
        assert_eq!(child.spare(Resource::Frames), 20);
        drop(grandchild);
        drop(child);
        drop(held);
        assert_eq!(root.spare(Resource::Frames), 100);
        assert_eq!(root.spare(Resource::KernelHeap), 1000);
    }
}
