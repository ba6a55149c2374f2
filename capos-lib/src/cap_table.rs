//! The per-process capability table.
//!
//! A flat array of slots. A capability id packs the slot index (low 16 bits)
//! with the slot's generation (high 16 bits); releasing a capability bumps
//! the generation, so an id kept after release is recognised as stale
//! instead of silently naming whatever reuses the slot. Generation 0 is never
//! used, so id 0 is never valid.
//!
//! Moving a capability to another process is a transaction: [`CapTable::reserve`]
//! takes the entry out but keeps the slot (and its id) reserved, then
//! [`CapTable::commit`] frees the slot once the receiver has it, or
//! [`CapTable::rollback`] puts it back. A reserved slot still counts
//! towards the limit, so a rollback always has room.

use alloc::vec::Vec;

/// A capability id as it appears in SQEs and CapSets.
pub type CapId = u32;

/// Why a table operation was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CapError {
    /// No slot with that index holds a capability.
    Invalid,
    /// The slot is live but was reused since this id was handed out.
    Stale,
    /// The table holds its maximum number of capabilities.
    Full,
    /// The capability is being moved to another process.
    Reserved,
}

/// One live capability: the kernel object and the interface it implements.
#[derive(Debug, Clone)]
pub struct Entry<T> {
    pub object: T,
    pub interface_id: u64,
}

enum State<T> {
    Free,
    Live(Entry<T>),
    Reserved,
}

struct Slot<T> {
    generation: u16,
    state: State<T>,
}

pub struct CapTable<T> {
    slots: Vec<Slot<T>>,
    free: Vec<u16>,
    live: usize,
    limit: usize,
}

const fn pack(index: u16, generation: u16) -> CapId {
    ((generation as u32) << 16) | index as u32
}

const fn unpack(id: CapId) -> (u16, u16) {
    (id as u16, (id >> 16) as u16)
}

impl<T> CapTable<T> {
    /// A table that holds at most `limit` capabilities (at most 65536). Its
    /// memory is allocated here, all of it, so that inserting never
    /// allocates: the kernel charges [`CapTable::heap_bytes`] up front.
    pub fn new(limit: usize) -> Self {
        let limit = limit.min(1 << 16);
        CapTable {
            slots: Vec::with_capacity(limit),
            free: Vec::with_capacity(limit),
            live: 0,
            limit,
        }
    }

    /// The heap a table of `limit` capabilities holds.
    pub const fn heap_bytes(limit: usize) -> usize {
        limit * (size_of::<Slot<T>>() + size_of::<u16>())
    }

    /// Capabilities held, counting reserved slots.
    pub fn len(&self) -> usize {
        self.live
    }

    /// How many more capabilities fit.
    pub fn room(&self) -> usize {
        self.limit - self.live
    }

    pub fn is_empty(&self) -> bool {
        self.live == 0
    }

    /// Inserts a capability and returns its new id.
    pub fn insert(&mut self, object: T, interface_id: u64) -> Result<CapId, CapError> {
        if self.live >= self.limit {
            return Err(CapError::Full);
        }
        let entry = State::Live(Entry {
            object,
            interface_id,
        });
        let index = match self.free.pop() {
            Some(index) => {
                self.slots[index as usize].state = entry;
                index
            }
            None => {
                self.slots.push(Slot {
                    generation: 1,
                    state: entry,
                });
                (self.slots.len() - 1) as u16
            }
        };
        self.live += 1;
        Ok(pack(index, self.slots[index as usize].generation))
    }

    /// Looks up a live capability.
    pub fn get(&self, id: CapId) -> Result<&Entry<T>, CapError> {
        let (index, generation) = unpack(id);
        if generation == 0 {
            return Err(CapError::Invalid);
        }
        let slot = self.slots.get(index as usize).ok_or(CapError::Invalid)?;
        match &slot.state {
            State::Live(entry) if slot.generation == generation => Ok(entry),
            State::Reserved if slot.generation == generation => Err(CapError::Reserved),
            State::Live(_) | State::Reserved => Err(CapError::Stale),
            // A released slot: the id was valid once if its generation is older.
            State::Free if generation < slot.generation => Err(CapError::Stale),
            State::Free => Err(CapError::Invalid),
        }
    }

    /// Frees a live or reserved slot, making its id stale.
    fn free_slot(&mut self, index: u16) {
        let slot = &mut self.slots[index as usize];
        slot.state = State::Free;
        // Skip generation 0 on wrap-around so id 0 stays invalid.
        slot.generation = slot.generation.checked_add(1).unwrap_or(1);
        self.free.push(index);
        self.live -= 1;
    }

    /// Takes a capability out for a move, keeping its slot reserved.
    pub fn reserve(&mut self, id: CapId) -> Result<Entry<T>, CapError> {
        self.get(id)?;
        let slot = &mut self.slots[unpack(id).0 as usize];
        match core::mem::replace(&mut slot.state, State::Reserved) {
            State::Live(entry) => Ok(entry),
            // get() succeeded, so the slot was live.
            other => {
                slot.state = other;
                Err(CapError::Invalid)
            }
        }
    }

    /// The move reached its receiver: the reserved slot is freed.
    pub fn commit(&mut self, id: CapId) -> Result<(), CapError> {
        match self.get(id) {
            Err(CapError::Reserved) => {
                self.free_slot(unpack(id).0);
                Ok(())
            }
            Ok(_) => Err(CapError::Invalid),
            Err(e) => Err(e),
        }
    }

    /// The move failed: the capability returns to its reserved slot, same id.
    pub fn rollback(&mut self, id: CapId, entry: Entry<T>) -> Result<(), CapError> {
        match self.get(id) {
            Err(CapError::Reserved) => {
                self.slots[unpack(id).0 as usize].state = State::Live(entry);
                Ok(())
            }
            Ok(_) => Err(CapError::Invalid),
            Err(e) => Err(e),
        }
    }

    /// Removes a capability, returning it; its id becomes stale.
    pub fn remove(&mut self, id: CapId) -> Result<Entry<T>, CapError> {
        self.get(id)?;
        let index = unpack(id).0;
        let State::Live(entry) =
            core::mem::replace(&mut self.slots[index as usize].state, State::Reserved)
        else {
            return Err(CapError::Invalid);
        };
        self.free_slot(index);
        Ok(entry)
    }

    /// Every live capability with its id, in slot order.
    pub fn iter(&self) -> impl Iterator<Item = (CapId, &Entry<T>)> {
        self.slots
            .iter()
            .enumerate()
            .filter_map(|(i, slot)| match &slot.state {
                State::Live(e) => Some((pack(i as u16, slot.generation), e)),
                _ => None,
            })
    }

    /// A copy for a forked process: the capabilities `keep` accepts, under
    /// the same ids, so ids the process stored stay valid. The slots of
    /// the others are free in the copy, their ids stale there; so are
    /// reserved slots (a move in flight belongs to the original).
    pub fn duplicate(&self, keep: impl Fn(&Entry<T>) -> bool) -> Self
    where
        T: Clone,
    {
        let mut copy = CapTable::new(self.limit);
        for (index, slot) in self.slots.iter().enumerate() {
            let state = match &slot.state {
                State::Live(entry) if keep(entry) => State::Live(entry.clone()),
                _ => State::Free,
            };
            let generation = match state {
                State::Live(_) => {
                    copy.live += 1;
                    slot.generation
                }
                _ => {
                    copy.free.push(index as u16);
                    match slot.state {
                        State::Free => slot.generation,
                        // A slot left out looks released: its id is stale.
                        _ => slot.generation.checked_add(1).unwrap_or(1),
                    }
                }
            };
            copy.slots.push(Slot { generation, state });
        }
        copy
    }

    /// Removes every capability (process exit), returning how many there were.
    pub fn clear(&mut self) -> usize {
        let n = self.live;
        self.slots.clear();
        self.free.clear();
        self.live = 0;
        n
    }
}

#[cfg(test)]
mod fuzz;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn insert_get_remove() {
        let mut t = CapTable::new(4);
        let a = t.insert("console", 10).unwrap();
        let b = t.insert("timer", 20).unwrap();
        assert_ne!(a, b);
        assert_ne!(a, 0);
        assert_eq!(t.get(a).unwrap().object, "console");
        assert_eq!(t.get(b).unwrap().interface_id, 20);
        assert_eq!(t.len(), 2);
        assert_eq!(t.remove(a).unwrap().object, "console");
        assert_eq!(t.len(), 1);
        assert_eq!(t.get(a).unwrap_err(), CapError::Stale);
        assert_eq!(t.remove(a).unwrap_err(), CapError::Stale);
    }

    #[test]
    fn reused_slot_gets_new_generation() {
        let mut t = CapTable::new(4);
        let a = t.insert(1, 1).unwrap();
        t.remove(a).unwrap();
        let c = t.insert(3, 3).unwrap();
        assert_eq!(c & 0xffff, a & 0xffff, "slot is reused");
        assert_ne!(c, a);
        assert_eq!(t.get(a).unwrap_err(), CapError::Stale);
        assert_eq!(t.get(c).unwrap().object, 3);
    }

    #[test]
    fn invalid_ids() {
        let mut t: CapTable<u8> = CapTable::new(4);
        assert_eq!(t.get(0).unwrap_err(), CapError::Invalid);
        assert_eq!(t.get(0xdead_beef).unwrap_err(), CapError::Invalid);
        let a = t.insert(1, 1).unwrap();
        // Right index, generation never issued.
        assert_eq!(t.get(a + (5 << 16)).unwrap_err(), CapError::Stale);
        // Generation 0 is never issued, so id 0 is invalid even with slot 0 live.
        assert_eq!(t.get(a & 0xffff).unwrap_err(), CapError::Invalid);
        assert_eq!(t.get(0).unwrap_err(), CapError::Invalid);
    }

    #[test]
    fn full_table_refuses_and_recovers() {
        let mut t = CapTable::new(2);
        let a = t.insert(1, 1).unwrap();
        t.insert(2, 2).unwrap();
        assert_eq!(t.insert(3, 3).unwrap_err(), CapError::Full);
        t.remove(a).unwrap();
        assert!(t.insert(3, 3).is_ok());
    }

    #[test]
    fn generation_wraps_without_zero() {
        let mut t = CapTable::new(1);
        let mut id = t.insert(0u8, 0).unwrap();
        for _ in 0..70_000 {
            t.remove(id).unwrap();
            id = t.insert(0, 0).unwrap();
            assert_ne!(id >> 16, 0);
        }
    }

    #[test]
    fn move_commits_or_rolls_back() {
        let mut t = CapTable::new(2);
        let a = t.insert("moved", 7).unwrap();
        let entry = t.reserve(a).unwrap();
        assert_eq!(entry.object, "moved");
        // Reserved: unusable, still counted, not reusable.
        assert_eq!(t.get(a).unwrap_err(), CapError::Reserved);
        assert_eq!(t.reserve(a).unwrap_err(), CapError::Reserved);
        assert_eq!(t.remove(a).unwrap_err(), CapError::Reserved);
        assert_eq!(t.len(), 1);
        assert_eq!(t.room(), 1);
        assert!(t.iter().next().is_none());
        t.rollback(a, entry).unwrap();
        assert_eq!(t.get(a).unwrap().object, "moved", "same id after rollback");

        let entry = t.reserve(a).unwrap();
        t.commit(a).unwrap();
        assert_eq!(t.get(a).unwrap_err(), CapError::Stale);
        assert_eq!(t.rollback(a, entry).unwrap_err(), CapError::Stale);
        assert_eq!(t.commit(a).unwrap_err(), CapError::Stale);
        assert!(t.is_empty());
    }

    #[test]
    fn commit_and_rollback_need_a_reserved_slot() {
        let mut t = CapTable::new(2);
        let a = t.insert(1, 1).unwrap();
        assert_eq!(t.commit(a).unwrap_err(), CapError::Invalid);
        let e = Entry {
            object: 2,
            interface_id: 2,
        };
        assert_eq!(t.rollback(a, e).unwrap_err(), CapError::Invalid);
        assert_eq!(t.get(a).unwrap().object, 1);
    }

    #[test]
    fn reserved_slots_count_against_the_limit() {
        let mut t = CapTable::new(1);
        let a = t.insert(1, 1).unwrap();
        let e = t.reserve(a).unwrap();
        assert_eq!(t.insert(2, 2).unwrap_err(), CapError::Full);
        t.rollback(a, e).unwrap();
    }

    #[test]
    fn iter_and_clear() {
        let mut t = CapTable::new(8);
        let ids: Vec<_> = (0..3).map(|i| t.insert(i, 0).unwrap()).collect();
        t.remove(ids[1]).unwrap();
        let live: Vec<_> = t.iter().map(|(id, e)| (id, e.object)).collect();
        assert_eq!(live, [(ids[0], 0), (ids[2], 2)]);
        assert_eq!(t.clear(), 2);
        assert!(t.is_empty());
    }

    #[test]
    fn a_duplicate_keeps_ids_and_drops_what_it_is_told() {
        let mut t = CapTable::new(8);
        let a = t.insert("console", 10).unwrap();
        let b = t.insert("owner", 20).unwrap();
        let c = t.insert("timer", 30).unwrap();
        let gone = t.insert("released", 40).unwrap();
        t.remove(gone).unwrap();
        let moving = t.reserve(c).unwrap();
        let copy = t.duplicate(|e| e.object != "owner");
        assert_eq!(copy.get(a).unwrap().object, "console");
        assert_eq!(copy.get(b).unwrap_err(), CapError::Stale);
        assert_eq!(copy.get(c).unwrap_err(), CapError::Stale);
        assert_eq!(copy.get(gone).unwrap_err(), CapError::Stale);
        assert_eq!(copy.len(), 1);
        // The original is untouched, its move still in flight.
        t.rollback(c, moving).unwrap();
        assert_eq!(t.get(b).unwrap().object, "owner");
        // New ids in the copy never repeat an old one.
        let mut copy = copy;
        for _ in 0..7 {
            let id = copy.insert("new", 1).unwrap();
            assert!(![a, b, c, gone].contains(&id));
        }
        assert_eq!(copy.insert("full", 1).unwrap_err(), CapError::Full);
    }
}
