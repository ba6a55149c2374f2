//! The checked manifest, and its encoding as the Cap'n Proto
//! `SystemManifest` of schema/capos.capnp: the boot module the kernel reads.

use capos_schema::{KernelCapKind, system_manifest};

/// A manifest that passed every check in [`crate::validate`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Manifest {
    pub schema_version: u32,
    /// Sorted by name.
    pub binaries: Vec<Binary>,
    pub init_binary: String,
    /// In manifest order, which is the order of init's CapSet.
    pub caps: Vec<Cap>,
    pub motd: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Binary {
    pub name: String,
    pub elf: Vec<u8>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cap {
    pub name: String,
    pub kind: KernelCapKind,
}

impl Manifest {
    /// One Cap'n Proto message in the standard stream framing (what
    /// `capnp::serialize::write_message` writes).
    pub fn encode(&self) -> Vec<u8> {
        let mut message = capnp::message::Builder::new_default();
        let mut root = message.init_root::<system_manifest::Builder>();
        root.set_schema_version(self.schema_version);

        let mut binaries = root.reborrow().init_binaries(list_len(self.binaries.len()));
        for (i, binary) in self.binaries.iter().enumerate() {
            let mut entry = binaries.reborrow().get(list_len(i));
            entry.set_name(binary.name.as_str());
            entry.set_elf(&binary.elf);
        }

        let mut init = root.reborrow().init_init();
        init.set_binary(self.init_binary.as_str());
        let mut caps = init.init_caps(list_len(self.caps.len()));
        for (i, cap) in self.caps.iter().enumerate() {
            let mut entry = caps.reborrow().get(list_len(i));
            entry.set_name(cap.name.as_str());
            entry.set_kind(cap.kind);
        }

        root.init_kernel_params().set_motd(self.motd.as_str());
        capnp::serialize::write_message_to_words(&message)
    }
}

/// Lists here are bounded by validation (at most MAX_CAPSET_ENTRIES caps;
/// binaries are few), far below Cap'n Proto's 2^29 element limit.
fn list_len(n: usize) -> u32 {
    u32::try_from(n).expect("list lengths are bounded by validation")
}

#[cfg(test)]
mod tests {
    use super::*;
    use capos_schema::system_manifest;

    fn sample() -> Manifest {
        Manifest {
            schema_version: 1,
            binaries: vec![
                Binary {
                    name: "init".into(),
                    elf: vec![1, 2, 3],
                },
                Binary {
                    name: "worker".into(),
                    elf: vec![4; 5000],
                },
            ],
            init_binary: "init".into(),
            caps: vec![
                Cap {
                    name: "console".into(),
                    kind: KernelCapKind::Console,
                },
                Cap {
                    name: "spawner".into(),
                    kind: KernelCapKind::ProcessSpawner,
                },
            ],
            motd: "hello".into(),
        }
    }

    #[test]
    fn encoding_round_trips() {
        let bytes = sample().encode();
        let options = capnp::message::ReaderOptions::new();
        let reader = capnp::serialize::read_message_from_flat_slice(&mut &bytes[..], options)
            .expect("one well-formed message");
        let root = reader.get_root::<system_manifest::Reader>().unwrap();
        assert_eq!(root.get_schema_version(), 1);

        let binaries = root.get_binaries().unwrap();
        assert_eq!(binaries.len(), 2);
        assert_eq!(binaries.get(0).get_name().unwrap(), "init");
        assert_eq!(binaries.get(0).get_elf().unwrap(), [1, 2, 3]);
        assert_eq!(binaries.get(1).get_name().unwrap(), "worker");
        assert_eq!(binaries.get(1).get_elf().unwrap(), [4; 5000]);

        let init = root.get_init().unwrap();
        assert_eq!(init.get_binary().unwrap(), "init");
        let caps = init.get_caps().unwrap();
        assert_eq!(caps.len(), 2);
        assert_eq!(caps.get(0).get_name().unwrap(), "console");
        assert_eq!(caps.get(0).get_kind().unwrap(), KernelCapKind::Console);
        assert_eq!(caps.get(1).get_name().unwrap(), "spawner");
        assert_eq!(
            caps.get(1).get_kind().unwrap(),
            KernelCapKind::ProcessSpawner
        );

        let motd = root.get_kernel_params().unwrap().get_motd().unwrap();
        assert_eq!(motd, "hello");
    }

    #[test]
    fn encoding_is_deterministic() {
        assert_eq!(sample().encode(), sample().encode());
    }
}
