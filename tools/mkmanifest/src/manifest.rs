//! The checked manifest, and its encoding as the Cap'n Proto
//! `SystemManifest` of schema/capos.capnp: the boot module the kernel reads.

use capos_lib::fs::Device;
use capos_lib::service_graph::{CapImport, CapSource, PipeEnd};
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
    pub audit_spawns: bool,
    pub quiet_exits: bool,
    /// The network device's static configuration.
    pub net: crate::net::NetConfig,
    /// In manifest order.
    pub services: Vec<Service>,
    /// The kernel's file store, if the manifest declares one.
    pub file_system: Option<FileSystem>,
    /// The pipes init creates, and its PipeFactory that creates them.
    pub pipes: Vec<String>,
    pub pipe_factory: String,
}

/// The file store (schema `FileSystemConfig`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FileSystem {
    pub data_bytes: u64,
    pub meta_bytes: u64,
    /// Parents before their children.
    pub nodes: Vec<FsNode>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FsNode {
    /// Absolute and normalized.
    pub path: Vec<u8>,
    pub mode: u32,
    pub content: FsContent,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FsContent {
    Directory,
    Data(Vec<u8>),
    /// A manifest binary, by name.
    Binary(String),
    Device(Device),
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

/// One service of the graph init starts (schema `ServiceConfig`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Service {
    pub name: String,
    pub binary: String,
    pub caps: Vec<CapImport>,
    pub exports: Vec<Export>,
    pub argv: Vec<String>,
    pub env: Vec<String>,
    /// The service is meant to die by a CPU fault (a containment test).
    pub expect_fault: bool,
    /// The exit code that counts as the service's success.
    pub exit_code: u8,
    pub limits: Limits,
}

/// A service's quotas (schema `ResourceLimits`); 0 takes the default.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Limits {
    pub kernel_bytes: u64,
    pub memory_bytes: u64,
}

/// An Endpoint init creates for a service, whose clients speak
/// `interface_id`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Export {
    pub name: String,
    pub interface_id: u64,
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

        let mut params = root.reborrow().init_kernel_params();
        params.set_motd(self.motd.as_str());
        params.set_audit_spawns(self.audit_spawns);
        params.set_quiet_exits(self.quiet_exits);
        let mut net = params.init_net();
        net.set_address(self.net.address);
        net.set_prefix_length(self.net.prefix_length);
        net.set_gateway(self.net.gateway);
        let mut services = root.reborrow().init_services(list_len(self.services.len()));
        for (i, service) in self.services.iter().enumerate() {
            service.encode(services.reborrow().get(list_len(i)));
        }
        let mut pipes = root.reborrow().init_pipes(list_len(self.pipes.len()));
        for (i, pipe) in self.pipes.iter().enumerate() {
            pipes.set(list_len(i), pipe.as_str());
        }
        root.set_pipe_factory(self.pipe_factory.as_str());
        if let Some(fs) = &self.file_system {
            fs.encode(root.init_file_system());
        }
        capnp::serialize::write_message_to_words(&message)
    }
}

impl Service {
    fn encode(&self, mut out: capos_schema::service_config::Builder<'_>) {
        out.set_name(self.name.as_str());
        out.set_binary(self.binary.as_str());
        out.set_expect_fault(self.expect_fault);
        out.set_exit_code(self.exit_code);
        let mut limits = out.reborrow().init_limits();
        limits.set_kernel_bytes(self.limits.kernel_bytes);
        limits.set_memory_bytes(self.limits.memory_bytes);
        let mut caps = out.reborrow().init_caps(list_len(self.caps.len()));
        for (i, cap) in self.caps.iter().enumerate() {
            let mut entry = caps.reborrow().get(list_len(i));
            entry.set_name(cap.name.as_str());
            match &cap.source {
                CapSource::Init(name) => entry.init_source().set_init(name.as_str()),
                CapSource::Service { service, export } => {
                    let mut from = entry.init_source().init_service();
                    from.set_service(service.as_str());
                    from.set_export(export.as_str());
                }
                CapSource::Directory {
                    from,
                    path,
                    read_only,
                } => {
                    let mut d = entry.init_source().init_directory();
                    d.set_from(from.as_str());
                    d.set_path(path.as_str());
                    d.set_read_only(*read_only);
                }
                CapSource::File {
                    from,
                    path,
                    read_only,
                } => {
                    let mut f = entry.init_source().init_file();
                    f.set_from(from.as_str());
                    f.set_path(path.as_str());
                    f.set_read_only(*read_only);
                }
                CapSource::Pipe { name, end } => {
                    let mut p = entry.init_source().init_pipe();
                    p.set_name(name.as_str());
                    p.set_end(match end {
                        PipeEnd::Read => capos_schema::PipeEnd::Read,
                        PipeEnd::Write => capos_schema::PipeEnd::Write,
                    });
                }
            }
        }
        let mut exports = out.reborrow().init_exports(list_len(self.exports.len()));
        for (i, export) in self.exports.iter().enumerate() {
            let mut entry = exports.reborrow().get(list_len(i));
            entry.set_name(export.name.as_str());
            entry.set_interface_id(export.interface_id);
        }
        let mut argv = out.reborrow().init_argv(list_len(self.argv.len()));
        for (i, arg) in self.argv.iter().enumerate() {
            argv.set(list_len(i), arg.as_str());
        }
        let mut env = out.init_env(list_len(self.env.len()));
        for (i, entry) in self.env.iter().enumerate() {
            env.set(list_len(i), entry.as_str());
        }
    }
}

impl FileSystem {
    fn encode(&self, mut out: capos_schema::file_system_config::Builder<'_>) {
        out.set_data_bytes(self.data_bytes);
        out.set_meta_bytes(self.meta_bytes);
        let mut nodes = out.init_nodes(list_len(self.nodes.len()));
        for (i, node) in self.nodes.iter().enumerate() {
            let mut entry = nodes.reborrow().get(list_len(i));
            entry.set_path(capnp::text::Reader::from(&node.path[..]));
            entry.set_mode(node.mode);
            match &node.content {
                FsContent::Directory => entry.set_directory(()),
                FsContent::Data(data) => entry.set_data(data),
                FsContent::Binary(name) => entry.set_binary(name.as_str()),
                FsContent::Device(device) => entry.set_device(match device {
                    Device::Null => capos_schema::DeviceKind::Null,
                    Device::Zero => capos_schema::DeviceKind::Zero,
                    Device::Full => capos_schema::DeviceKind::Full,
                    Device::Urandom => capos_schema::DeviceKind::Urandom,
                }),
            }
        }
    }
}

/// Lists here are bounded by validation (at most MAX_CAPSET_ENTRIES caps;
/// binaries and services are few; argv and env fit in 64 KiB), far below
/// Cap'n Proto's 2^29 element limit.
fn list_len(n: usize) -> u32 {
    u32::try_from(n).expect("list lengths are bounded by validation")
}

#[cfg(test)]
mod tests {
    use super::*;
    use capos_schema::{service_cap, system_manifest};

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
            audit_spawns: true,
            quiet_exits: true,
            net: crate::net::NetConfig {
                address: 0xc0a8_0002,
                prefix_length: 16,
                gateway: 0xc0a8_0001,
            },
            services: vec![
                Service {
                    name: "echo".into(),
                    binary: "worker".into(),
                    caps: vec![CapImport {
                        name: "log".into(),
                        source: CapSource::Init("console".into()),
                    }],
                    exports: vec![Export {
                        name: "echo".into(),
                        interface_id: 0xfeed,
                    }],
                    argv: vec!["worker".into(), "-v".into()],
                    env: vec!["A=1".into()],
                    expect_fault: false,
                    exit_code: 0,
                    limits: Limits {
                        kernel_bytes: 1 << 20,
                        memory_bytes: 0,
                    },
                },
                Service {
                    name: "client".into(),
                    binary: "worker".into(),
                    caps: vec![CapImport {
                        name: "echo".into(),
                        source: CapSource::Service {
                            service: "echo".into(),
                            export: "echo".into(),
                        },
                    }],
                    exports: vec![],
                    argv: vec![],
                    env: vec![],
                    expect_fault: true,
                    exit_code: 0,
                    limits: Limits::default(),
                },
            ],
            file_system: Some(FileSystem {
                data_bytes: 1 << 20,
                meta_bytes: 1 << 18,
                nodes: vec![
                    FsNode {
                        path: b"/etc".to_vec(),
                        mode: 0o755,
                        content: FsContent::Directory,
                    },
                    FsNode {
                        path: b"/etc/hosts".to_vec(),
                        mode: 0o644,
                        content: FsContent::Data(b"127.0.0.1 localhost\n".to_vec()),
                    },
                    FsNode {
                        path: b"/etc/worker".to_vec(),
                        mode: 0o755,
                        content: FsContent::Binary("worker".into()),
                    },
                    FsNode {
                        path: b"/etc/null".to_vec(),
                        mode: 0o666,
                        content: FsContent::Device(Device::Null),
                    },
                ],
            }),
            pipes: vec!["p1".into()],
            pipe_factory: "pipes".into(),
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
        assert!(root.get_kernel_params().unwrap().get_audit_spawns());
        assert!(root.get_kernel_params().unwrap().get_quiet_exits());
        let net = root.get_kernel_params().unwrap().get_net().unwrap();
        assert_eq!(
            (
                net.get_address(),
                net.get_prefix_length(),
                net.get_gateway()
            ),
            (0xc0a8_0002, 16, 0xc0a8_0001)
        );

        let services = root.get_services().unwrap();
        assert_eq!(services.len(), 2);
        let echo = services.get(0);
        assert_eq!(echo.get_name().unwrap(), "echo");
        assert_eq!(echo.get_binary().unwrap(), "worker");
        let cap = echo.get_caps().unwrap().get(0);
        assert_eq!(cap.get_name().unwrap(), "log");
        assert!(matches!(
            cap.get_source().which().unwrap(),
            service_cap::source::Init(Ok(name)) if name == "console"
        ));
        let export = echo.get_exports().unwrap().get(0);
        assert_eq!(export.get_name().unwrap(), "echo");
        assert_eq!(export.get_interface_id(), 0xfeed);
        assert_eq!(echo.get_argv().unwrap().get(1).unwrap(), "-v");
        assert_eq!(echo.get_env().unwrap().get(0).unwrap(), "A=1");
        assert!(!echo.get_expect_fault());
        assert_eq!(echo.get_limits().unwrap().get_kernel_bytes(), 1 << 20);
        assert_eq!(echo.get_limits().unwrap().get_memory_bytes(), 0);
        assert!(root.get_services().unwrap().get(1).get_expect_fault());
        let import = services.get(1).get_caps().unwrap().get(0);
        let service_cap::source::Service(from) = import.get_source().which().unwrap() else {
            panic!("the import's source is a service");
        };
        assert_eq!(from.get_service().unwrap(), "echo");
        assert_eq!(from.get_export().unwrap(), "echo");
    }

    #[test]
    fn the_file_system_round_trips() {
        use capos_schema::fs_node_config;
        let bytes = sample().encode();
        let options = capnp::message::ReaderOptions::new();
        let reader = capnp::serialize::read_message_from_flat_slice(&mut &bytes[..], options)
            .expect("one well-formed message");
        let root = reader.get_root::<system_manifest::Reader>().unwrap();
        let fs = root.get_file_system().unwrap();
        assert_eq!(
            (fs.get_data_bytes(), fs.get_meta_bytes()),
            (1 << 20, 1 << 18)
        );
        let nodes = fs.get_nodes().unwrap();
        assert_eq!(nodes.len(), 4);
        assert_eq!(nodes.get(0).get_path().unwrap(), "/etc");
        assert!(matches!(
            nodes.get(0).which().unwrap(),
            fs_node_config::Directory(())
        ));
        assert!(matches!(
            nodes.get(1).which().unwrap(),
            fs_node_config::Data(Ok(d)) if d == b"127.0.0.1 localhost\n"
        ));
        assert_eq!(nodes.get(2).get_mode(), 0o755);
        assert!(matches!(
            nodes.get(2).which().unwrap(),
            fs_node_config::Binary(Ok(b)) if b == "worker"
        ));
        assert!(matches!(
            nodes.get(3).which().unwrap(),
            fs_node_config::Device(Ok(capos_schema::DeviceKind::Null))
        ));
        assert_eq!(root.get_pipes().unwrap().get(0).unwrap(), "p1");
        assert_eq!(root.get_pipe_factory().unwrap(), "pipes");
    }

    #[test]
    fn encoding_is_deterministic() {
        assert_eq!(sample().encode(), sample().encode());
    }
}
