//! Interface ids: the Cap'n Proto type ids of schema/capos.capnp's
//! interfaces, which `capos_capset_get` reports and raw calls name.

use capos_schema::interface_id as schema;

/// Console: serial output.
pub const CAPOS_IFACE_CONSOLE: u64 = 0xdc1e_91ea_4f26_f9c2;
/// Timer: monotonic time, sleeping, the wall clock.
pub const CAPOS_IFACE_TIMER: u64 = 0xf4eb_756d_d284_3338;
/// ProcessSpawner: starts processes from the boot manifest's binaries.
pub const CAPOS_IFACE_PROCESS_SPAWNER: u64 = 0xa71c_9dab_7b87_c9ef;
/// ProcessHandle: waits for a spawned process.
pub const CAPOS_IFACE_PROCESS_HANDLE: u64 = 0x9df3_68da_c08c_c795;
/// VirtualMemory: maps anonymous memory into this process.
pub const CAPOS_IFACE_VIRTUAL_MEMORY: u64 = 0xbd08_7d3a_3b6b_04d4;
/// MemoryObject: memory that can be shared between processes.
pub const CAPOS_IFACE_MEMORY_OBJECT: u64 = 0xac16_f304_a649_b3a1;
/// EndpointFactory: creates Endpoints.
pub const CAPOS_IFACE_ENDPOINT_FACTORY: u64 = 0xfdc2_f43b_b4cf_37b4;
/// Endpoint: a capability served by another process.
pub const CAPOS_IFACE_ENDPOINT: u64 = 0x8d42_8a50_c8ed_6567;
/// BootPackage: the boot manifest's binaries and service graph.
pub const CAPOS_IFACE_BOOT_PACKAGE: u64 = 0x99c7_6c1a_8ddf_3c2b;
/// PipeFactory: creates pipes.
pub const CAPOS_IFACE_PIPE_FACTORY: u64 = 0xefdb_3658_6b5a_13eb;
/// PipeReader: the read half of a pipe.
pub const CAPOS_IFACE_PIPE_READER: u64 = 0x83e1_e47c_ae05_039d;
/// PipeWriter: the write half of a pipe.
pub const CAPOS_IFACE_PIPE_WRITER: u64 = 0xd6fd_bf96_6d87_f283;
/// NetworkManager: makes UDP sockets, narrowed managers, counters.
pub const CAPOS_IFACE_NETWORK_MANAGER: u64 = 0xabdf_d80f_738a_7ea3;
/// UdpSocket: one bound UDP port.
pub const CAPOS_IFACE_UDP_SOCKET: u64 = 0xdc7e_0507_3f42_61e6;
/// TcpConnection: one TCP connection.
pub const CAPOS_IFACE_TCP_CONNECTION: u64 = 0xe6ab_f39f_28a1_eebe;
/// TcpListener: a listening TCP port.
pub const CAPOS_IFACE_TCP_LISTENER: u64 = 0xc7c7_b4d3_24c0_74a5;
/// ProcessForker: duplicates this process (`capos_fork`).
pub const CAPOS_IFACE_PROCESS_FORKER: u64 = 0xa4d9_a8a2_500e_3d18;
/// Directory: a directory and the subtree below it.
pub const CAPOS_IFACE_DIRECTORY: u64 = 0xd3ea_2dfe_1a57_764f;
/// File: an open file (and its open file description).
pub const CAPOS_IFACE_FILE: u64 = 0xef8a_9f6d_98c6_9acf;

// The schema is the source of truth: a changed id stops the build here, and
// the header check then asks for the regenerated header.
const _: () = {
    assert!(CAPOS_IFACE_CONSOLE == schema::CONSOLE);
    assert!(CAPOS_IFACE_TIMER == schema::TIMER);
    assert!(CAPOS_IFACE_PROCESS_SPAWNER == schema::PROCESS_SPAWNER);
    assert!(CAPOS_IFACE_PROCESS_HANDLE == schema::PROCESS_HANDLE);
    assert!(CAPOS_IFACE_PROCESS_FORKER == schema::PROCESS_FORKER);
    assert!(CAPOS_IFACE_VIRTUAL_MEMORY == schema::VIRTUAL_MEMORY);
    assert!(CAPOS_IFACE_MEMORY_OBJECT == schema::MEMORY_OBJECT);
    assert!(CAPOS_IFACE_ENDPOINT_FACTORY == schema::ENDPOINT_FACTORY);
    assert!(CAPOS_IFACE_ENDPOINT == schema::ENDPOINT);
    assert!(CAPOS_IFACE_BOOT_PACKAGE == schema::BOOT_PACKAGE);
    assert!(CAPOS_IFACE_PIPE_FACTORY == schema::PIPE_FACTORY);
    assert!(CAPOS_IFACE_PIPE_READER == schema::PIPE_READER);
    assert!(CAPOS_IFACE_PIPE_WRITER == schema::PIPE_WRITER);
    assert!(CAPOS_IFACE_NETWORK_MANAGER == schema::NETWORK_MANAGER);
    assert!(CAPOS_IFACE_UDP_SOCKET == schema::UDP_SOCKET);
    assert!(CAPOS_IFACE_TCP_CONNECTION == schema::TCP_CONNECTION);
    assert!(CAPOS_IFACE_TCP_LISTENER == schema::TCP_LISTENER);
    assert!(CAPOS_IFACE_DIRECTORY == schema::DIRECTORY);
    assert!(CAPOS_IFACE_FILE == schema::FILE);
};
