//! MemoryObject: frames that every holder can map (shared memory).

use super::Client;
use crate::error::Error;
use capos_schema::{interface_id, memory_object};

/// Schema ordinals of MemoryObject's methods.
const SIZE: u16 = 0;
const MAP: u16 = 1;

super::client!(MemoryObject, interface_id::MEMORY_OBJECT);

impl MemoryObject {
    /// The object's size in bytes (a whole number of pages).
    pub fn size(&self) -> Result<u64, Error> {
        self.cap
            .call::<memory_object::size_params::Owned>(Self::INTERFACE_ID, SIZE, |_| {})?
            .read::<memory_object::size_results::Owned, _>(|r| Ok(r.get_bytes()))
    }

    /// Maps the whole object into this process with `prot` (PROT_* bits)
    /// and returns its address; `hint` as for `VirtualMemory::map`. Unmap
    /// it with `VirtualMemory::unmap`.
    pub fn map(&self, hint: u64, prot: u32) -> Result<u64, Error> {
        self.cap
            .call::<memory_object::map_params::Owned>(Self::INTERFACE_ID, MAP, |mut p| {
                p.set_hint(hint);
                p.set_prot(prot);
            })?
            .read::<memory_object::map_results::Owned, _>(|r| Ok(r.get_addr()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cap::Cap;
    use crate::clients::VirtualMemory;
    use crate::message;
    use crate::test_kernel::{Outcome, shared_ring};
    use capos_schema::virtual_memory;

    /// createObject hands out object 0x1_0007 (of interface `object_iface`),
    /// which is 8192 bytes and maps at 0x10_0000_0000.
    fn vm(object_iface: u64) -> VirtualMemory {
        let (ring, _log) = shared_ring(move |sqe, params| {
            let words = match (sqe.interface_id, sqe.method_id) {
                (interface_id::VIRTUAL_MEMORY, 3) => {
                    let msg = message::read(params).unwrap();
                    let p: virtual_memory::create_object_params::Reader = msg.get_root().unwrap();
                    assert_eq!(p.get_size(), 5000);
                    message::build::<virtual_memory::create_object_results::Owned>(|r| {
                        let mut object = r.init_object();
                        object.set_cap_id(0x1_0007);
                        object.set_interface_id(object_iface);
                    })
                }
                (interface_id::MEMORY_OBJECT, SIZE) => {
                    message::build::<memory_object::size_results::Owned>(|mut r| r.set_bytes(8192))
                }
                (interface_id::MEMORY_OBJECT, MAP) => {
                    let msg = message::read(params).unwrap();
                    let p: memory_object::map_params::Reader = msg.get_root().unwrap();
                    assert_eq!((p.get_hint(), p.get_prot()), (0, 3));
                    message::build::<memory_object::map_results::Owned>(|mut r| {
                        r.set_addr(0x10_0000_0000)
                    })
                }
                other => panic!("unexpected call {other:?}"),
            };
            Outcome::Reply(message::as_bytes(&words).to_vec())
        });
        VirtualMemory::from_cap(Cap::new(0x1_0003, ring))
    }

    #[test]
    fn objects_are_created_sized_and_mapped() {
        let object = vm(interface_id::MEMORY_OBJECT).create_object(5000).unwrap();
        assert_eq!(object.cap().id(), 0x1_0007);
        assert_eq!(object.size(), Ok(8192));
        assert_eq!(object.map(0, 3), Ok(0x10_0000_0000));
        assert!(vm(interface_id::TIMER).create_object(5000).is_err());
    }
}
