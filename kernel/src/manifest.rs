//! The boot manifest: binaries and init's configuration, read from the boot
//! module. mkmanifest validated it on the host; the kernel checks again what
//! it relies on, because the module is still input.

use alloc::string::String;
use alloc::vec::Vec;

use capnp::message::ReaderOptions;
use capos_schema::capos_capnp::{DeviceKind, KernelCapKind, fs_node_config, system_manifest};

pub struct Manifest {
    /// (name, ELF bytes inside the boot module)
    binaries: Vec<(String, &'static [u8])>,
    pub init_binary: String,
    pub init_caps: Vec<(String, KernelCapKind)>,
    pub motd: String,
    /// Log every spawn's grants (KernelParams.auditSpawns).
    pub audit_spawns: bool,
    /// No line for an exit or a signal's end (KernelParams.quietExits).
    pub quiet_exits: bool,
    /// The network device's static configuration (KernelParams.net).
    pub net: crate::net::NetConfig,
    /// The whole boot module, served to init by BootPackage.
    pub raw: &'static [u8],
    /// The file store's limits and starting tree (SystemManifest.fileSystem).
    pub file_system: FileSystem,
}

/// The file store the manifest declares.
pub struct FileSystem {
    pub data_bytes: u64,
    pub meta_bytes: u64,
    /// Parents before children (mkmanifest orders them; the store refuses
    /// a node whose parent is missing).
    pub nodes: Vec<FsNode>,
}

pub struct FsNode {
    /// Absolute and normalized, inside the boot module.
    pub path: &'static [u8],
    pub mode: u32,
    pub content: FsContent,
}

pub enum FsContent {
    Directory,
    /// The file's bytes, inside the boot module.
    Data(&'static [u8]),
    /// The named binary's ELF.
    Binary(String),
    Device(capos_lib::fs::Device),
}

impl Manifest {
    /// The name of the binary whose ELF is exactly `bytes` (the same
    /// place in the boot module, not merely equal contents): what a file
    /// of the store still serving a binary's bytes in place holds.
    pub fn binary_at(&self, bytes: &[u8]) -> Option<&str> {
        self.binaries
            .iter()
            .find(|(_, b)| core::ptr::eq(*b, bytes))
            .map(|(n, _)| n.as_str())
    }

    pub fn binary(&self, name: &str) -> Option<&'static [u8]> {
        self.binaries
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, b)| *b)
    }
}

/// Parses the manifest in `module`, which stays mapped for the kernel's life.
pub fn parse(module: &'static [u8]) -> Result<Manifest, String> {
    let err = |e: capnp::Error| alloc::format!("manifest: {e}");
    if !(module.as_ptr() as usize).is_multiple_of(8) || !module.len().is_multiple_of(8) {
        return Err("manifest: boot module is not word-aligned".into());
    }
    let options = ReaderOptions {
        traversal_limit_in_words: Some(module.len() / 8 * 2 + 1024),
        nesting_limit: 16,
    };
    let mut slice = module;
    let message =
        capnp::serialize::read_message_from_flat_slice(&mut slice, options).map_err(err)?;
    let root: system_manifest::Reader = message.get_root().map_err(err)?;
    if root.get_schema_version() != 1 {
        return Err(alloc::format!(
            "manifest: schemaVersion {} is not supported (expected 1)",
            root.get_schema_version()
        ));
    }
    // The segments live inside `module`, so their Data slices do too.
    let mut binaries = Vec::new();
    for b in root.get_binaries().map_err(err)? {
        let name = b
            .get_name()
            .map_err(err)?
            .to_string()
            .map_err(|_| "manifest: binary name is not UTF-8")?;
        let elf: &[u8] = b.get_elf().map_err(err)?;
        // SAFETY: `elf` points into `module`, which is 'static.
        let elf: &'static [u8] = unsafe { core::slice::from_raw_parts(elf.as_ptr(), elf.len()) };
        binaries.push((name, elf));
    }
    let init = root.get_init().map_err(err)?;
    let init_binary = init
        .get_binary()
        .map_err(err)?
        .to_string()
        .map_err(|_| "manifest: init.binary is not UTF-8")?;
    let mut init_caps = Vec::new();
    for c in init.get_caps().map_err(err)? {
        let name = c
            .get_name()
            .map_err(err)?
            .to_string()
            .map_err(|_| "manifest: cap name is not UTF-8")?;
        let kind = c
            .get_kind()
            .map_err(|_| alloc::format!("manifest: init cap {name:?} has an unknown kind"))?;
        init_caps.push((name, kind));
    }
    let params = root.get_kernel_params().map_err(err)?;
    let audit_spawns = params.get_audit_spawns();
    let quiet_exits = params.get_quiet_exits();
    let net = if params.has_net() {
        let n = params.get_net().map_err(err)?;
        if !(1..=30).contains(&n.get_prefix_length()) {
            return Err(alloc::format!(
                "manifest: kernelParams.net prefix length {} is not in 1..=30",
                n.get_prefix_length()
            ));
        }
        crate::net::NetConfig {
            address: n.get_address(),
            prefix_length: n.get_prefix_length(),
            gateway: n.get_gateway(),
        }
    } else {
        crate::net::DEFAULT_CONFIG
    };
    let motd = params
        .get_motd()
        .map_err(err)?
        .to_string()
        .unwrap_or_default();
    let file_system = parse_file_system(root.get_file_system().map_err(err)?)?;
    let manifest = Manifest {
        file_system,
        binaries,
        init_binary,
        init_caps,
        motd,
        audit_spawns,
        quiet_exits,
        net,
        raw: module,
    };
    for (i, (name, _)) in manifest.init_caps.iter().enumerate() {
        if manifest.init_caps[..i].iter().any(|(n, _)| n == name) {
            return Err(alloc::format!(
                "manifest: init cap name {name:?} appears twice"
            ));
        }
    }
    for node in &manifest.file_system.nodes {
        if let FsContent::Binary(name) = &node.content
            && manifest.binary(name).is_none()
        {
            return Err(alloc::format!(
                "manifest: file system node {:?} names no binary {name:?}",
                String::from_utf8_lossy(node.path)
            ));
        }
    }
    if manifest.binary(&manifest.init_binary).is_none() {
        return Err(alloc::format!(
            "manifest: init.binary {:?} is not among the binaries",
            manifest.init_binary
        ));
    }
    Ok(manifest)
}

/// Stretches a slice of the boot module to the module's lifetime.
fn in_module(bytes: &[u8]) -> &'static [u8] {
    // SAFETY: the message was read in place from the boot module, which
    // is 'static, so every Data and Text of it points into the module.
    unsafe { core::slice::from_raw_parts(bytes.as_ptr(), bytes.len()) }
}

fn parse_file_system(
    config: capos_schema::capos_capnp::file_system_config::Reader,
) -> Result<FileSystem, String> {
    let err = |e: capnp::Error| alloc::format!("manifest: fileSystem: {e}");
    let mut nodes = Vec::new();
    for (i, node) in config.get_nodes().map_err(err)?.iter().enumerate() {
        let path = in_module(node.get_path().map_err(err)?.as_bytes());
        let content = match node
            .which()
            .map_err(|_| alloc::format!("manifest: fileSystem.nodes[{i}] is of an unknown kind"))?
        {
            fs_node_config::Directory(()) => FsContent::Directory,
            fs_node_config::Data(data) => FsContent::Data(in_module(data.map_err(err)?)),
            fs_node_config::Device(kind) => FsContent::Device(
                match kind.map_err(|_| {
                    alloc::format!("manifest: fileSystem.nodes[{i}]: unknown device")
                })? {
                    DeviceKind::Null => capos_lib::fs::Device::Null,
                    DeviceKind::Zero => capos_lib::fs::Device::Zero,
                    DeviceKind::Full => capos_lib::fs::Device::Full,
                    DeviceKind::Urandom => capos_lib::fs::Device::Urandom,
                    DeviceKind::None => {
                        return Err(alloc::format!(
                            "manifest: fileSystem.nodes[{i}]: device none"
                        ));
                    }
                },
            ),
            fs_node_config::Binary(name) => FsContent::Binary(
                name.map_err(err)?
                    .to_string()
                    .map_err(|_| "manifest: a file system binary name is not UTF-8")?,
            ),
        };
        nodes.push(FsNode {
            path,
            mode: node.get_mode(),
            content,
        });
    }
    Ok(FileSystem {
        data_bytes: config.get_data_bytes(),
        meta_bytes: config.get_meta_bytes(),
        nodes,
    })
}
