@0xdfd660cfd1f3657e;
# The capOS schema: every capability interface, the error payload, and the
# boot manifest. Method ordinals are ABI: a SQE's method_id is the ordinal,
# its interface_id is the interface's type id below. Never renumber.

# ---------------------------------------------------------------- errors

enum ExceptionType {
  failed @0;          # the method ran and failed
  overloaded @1;      # a resource is exhausted; retrying later may work
  disconnected @2;    # the object behind the capability is gone
  unimplemented @3;   # the method exists in the schema but is not implemented
}

# Written into the result buffer when a CALL completes with
# APPLICATION_EXCEPTION.
struct CapException {
  type @0 :ExceptionType;
  reason @1 :Text;
}

# A capability the kernel inserted into the caller's table as part of a
# result (for example the handle of a spawned process).
struct ResultCap {
  capId @0 :UInt32;
  interfaceId @1 :UInt64;
}

# ---------------------------------------------------------------- kernel capabilities

# Serial console output.
interface Console {
  write @0 (data :Data) -> ();
  writeLine @1 (text :Text) -> ();
}

# Time since boot and the wall clock.
interface Timer {
  # Monotonic nanoseconds since the kernel's clock started (early boot,
  # when the TSC is calibrated).
  now @0 () -> (ns :UInt64);
  # Completes after at least `ns` nanoseconds; other calls keep running.
  sleep @1 (ns :UInt64) -> ();
  # Nanoseconds since the Unix epoch, from the RTC read at boot plus `now`.
  wallClock @2 () -> (unixNs :UInt64);
  # The caller's signal wait (docs/interfaces/timer.md): completes with the
  # signals posted to the caller (ProcessHandle.signal, its alarm) and not
  # yet taken, at once if some are, and takes them. `caught` is the set
  # (bit n-1 for signal n) the caller handles or ignores itself: the
  # kernel applies the default action of any other, without the caller.
  # `alarmNs` nonzero: SIGALRM is posted that many ns from now, replacing
  # an earlier alarm; 0 keeps it; `cancelAlarm` drops it. `alarmLeft` is
  # what the replaced or kept alarm had left (0: none); a call that sets
  # or cancels the alarm completes at once. One wait per process: a newer
  # call completes the older at once with `pending` 0.
  signals @3 (caught :UInt64, alarmNs :UInt64, cancelAlarm :Bool)
      -> (pending :UInt64, alarmLeft :UInt64);
  # The caller's signal upcall (docs/interfaces/timer.md): while the
  # caller runs in user mode outside a call, a caught signal posted to it
  # is handed over by resuming it at `entry` with a frame of its
  # registers on its stack (capos_abi::upcall), instead of waiting for
  # its next call. `busy` is the address of a 32-bit word the caller
  # keeps nonzero while no upcall may come (the kernel sets it to 1 as
  # it makes one); no upcall comes either while the caller's instruction
  # pointer is in [returnStart, returnEnd), the caller's way back. All
  # must be user addresses (`failed` otherwise); `entry` 0 removes the
  # upcall.
  setUpcall @4 (entry :UInt64, busy :UInt64, returnStart :UInt64, returnEnd :UInt64) -> ();
  # Time the CPU has spent halted, waiting for an interrupt, since boot:
  # in time-stamp-counter ticks (the unit of rdtsc) and in nanoseconds.
  # Interrupt handling is not idle. `make bench` subtracts it from figures
  # that wait for the host (docs/development/testing.md).
  idle @5 () -> (ticks :UInt64, ns :UInt64);
}

# Anonymous memory in the caller's own address space. Holding the
# capability is the right to allocate; it always acts on the process that
# calls it. `prot` is a set of the PROT_* bits in capos-abi (read 1,
# write 2, exec 4); write together with exec is refused (W^X).
interface VirtualMemory {
  # Maps `size` bytes (rounded up to pages) of zeroed memory. `hint` is
  # used when that range is free and inside the mapping region, else any
  # free range is chosen.
  map @0 (hint :UInt64, size :UInt64, prot :UInt32) -> (addr :UInt64);
  # Unmaps every mapped page in the range; pages not mapped are skipped.
  unmap @1 (addr :UInt64, size :UInt64) -> ();
  # Changes the protection of a range that must be entirely mapped.
  protect @2 (addr :UInt64, size :UInt64, prot :UInt32) -> ();
  # A zeroed MemoryObject of `size` bytes (rounded up to pages).
  createObject @3 (size :UInt64) -> (object :ResultCap);
}

# Shared memory: frames that can be mapped by every process holding the
# capability. The frames are freed when the last capability is released
# and the last mapping is unmapped.
interface MemoryObject {
  size @0 () -> (bytes :UInt64);
  # Maps the whole object into the caller's address space; unmap it with
  # VirtualMemory.unmap. `prot` as for VirtualMemory.
  map @1 (hint :UInt64, prot :UInt32) -> (addr :UInt64);
}

# Creates Endpoints.
interface EndpointFactory {
  # A new Endpoint (the owner facet). Calls to its client facet must name
  # `interfaceId`, the interface the server implements.
  create @0 (interfaceId :UInt64) -> (endpoint :ResultCap);
}

# The owner facet of an Endpoint: its holders take calls with RECV and
# answer them with RETURN (ring opcodes, not methods).
interface Endpoint {
  # A client facet, which can only CALL.
  client @0 () -> (client :ResultCap);
}

# Random bytes from the CPU's hardware generator (RDRAND), for keys,
# nonces and getrandom(). Fails with `unimplemented` on a CPU without one.
interface EntropySource {
  # At most 4096 bytes per call.
  fill @0 (bytes :UInt32) -> (data :Data);
}

# Read-only access to the boot manifest, for init.
interface BootPackage {
  manifestSize @0 () -> (size :UInt64);
  # At most `maxBytes` (and at most 16 KiB) from `offset`.
  readManifest @1 (offset :UInt64, maxBytes :UInt32) -> (data :Data);
}

# One capability handed to a child at spawn: the parent's `capId`, named
# `name` in the child's CapSet.
struct SpawnGrant {
  name @0 :Text;
  capId @1 :UInt32;
}

# A process's quotas (docs/architecture/resource-limits.md). Zero means
# the default of capos_abi::limits.
struct ResourceLimits {
  kernelBytes @0 :UInt64;   # kernel heap held on the process's behalf
  memoryBytes @1 :UInt64;   # physical memory: its pages and page tables
  share @2 :QuotaShare;     # how a spawn sizes the quotas left at zero
}

# How ProcessSpawner.spawn sizes a child's quotas that its ResourceLimits
# leave at zero (docs/architecture/resource-limits.md, "Sizing a child").
enum QuotaShare {
  defaults @0;    # capos_abi::limits defaults, carved out of the caller's
  half @1;        # half of what the caller has not used, carved out of it
  joinCaller @2;  # no account of its own: the child shares the caller's
                  # (as a fork does); both sizes must then be zero
}

# ---------------------------------------------------------------- pipes

# Creates pipes (docs/interfaces/pipe-factory.md).
interface PipeFactory {
  # A new pipe: its read half and its write half. The pipe's buffer
  # (capos_abi::pipe::CAPACITY bytes) is charged to the caller's kernel
  # quota until both halves are gone.
  create @0 () -> (reader :ResultCap, writer :ResultCap);
}

# The read half of a pipe (docs/interfaces/pipe-reader.md). Every holder
# reads from the same stream; the pipe ends for readers (end of file) when
# no write half is left anywhere.
interface PipeReader {
  # Up to `max` bytes, oldest first, no more than fit the caller's result
  # buffer. Waits until at least one byte is buffered or no writer is
  # left; empty `data` then means end of file. With `wait` false it never
  # waits: when it would, `data` is empty and `wouldBlock` is set.
  read @0 (max :UInt32, wait :Bool) -> (data :Data, wouldBlock :Bool);
  # Completes when a read would not wait: `ready` when bytes are buffered,
  # `hangup` when no writer is left (both can hold). A process has at most
  # one waiting per half; a newer `ready` completes the older one at once
  # with both false.
  ready @1 () -> (ready :Bool, hangup :Bool);
}

# The write half of a pipe (docs/interfaces/pipe-writer.md).
interface PipeWriter {
  # Appends `data` and returns how much was taken. Data of up to
  # capos_abi::pipe::ATOMIC bytes (PIPE_BUF) goes in whole, never
  # interleaved with another write. With `wait` true the call completes
  # when all of `data` is in; with `wait` false it takes what fits now
  # (all or nothing up to ATOMIC bytes) and `written` may be 0. With no
  # read half left anywhere it fails with `disconnected` (EPIPE).
  write @0 (data :Data, wait :Bool) -> (written :UInt32);
  # Completes when a write of ATOMIC bytes would go in now (`ready`) or no
  # reader is left (`hangup`). One per process and half, as for
  # PipeReader.ready.
  ready @1 () -> (ready :Bool, hangup :Bool);
}

# ---------------------------------------------------------------- network

# An IPv4 address and a UDP port. `address` holds the four octets in
# network order read as one big-endian number: 10.0.2.2 is 0x0a000202.
struct UdpEndpoint {
  address @0 :UInt32;
  port @1 :UInt16;
}

# The kernel's network stack (docs/interfaces/network-manager.md). A
# manager is either unrestricted or narrowed to a set of UDP destinations;
# every socket it makes is narrowed to that set (or to a subset of it).
interface NetworkManager {
  # A UDP socket bound to `port` on the kernel's address, or to a free
  # ephemeral port (49152..65535) when `port` is 0. A non-empty `allowed`
  # narrows the socket to those destinations: sendTo anywhere else fails,
  # and datagrams from anywhere else are dropped (and counted). On a
  # narrowed manager `allowed` must be a subset of its set (empty means the
  # whole set). The socket and its receive queue are charged to the
  # caller's kernel quota until the last holder lets go. Fails with
  # `unimplemented` when the machine has no network device and `failed`
  # when the port is taken.
  createUdpSocket @0 (port :UInt16, allowed :List(UdpEndpoint))
                  -> (socket :ResultCap);
  # A manager narrowed to `allowed` (non-empty; a subset of this one's set
  # if this one is narrowed), for a process that should reach those
  # destinations and nothing else.
  narrow @1 (allowed :List(UdpEndpoint)) -> (manager :ResultCap);
  # The stack's address and counters.
  stats @2 () -> (stats :NetStats);
  # A TCP connection to `to` from a free ephemeral port (49152..65535).
  # It never waits: the connection is returned at once, still being
  # established; TcpConnection.ready with `write` completes once it is
  # (or has failed: `failure` then says why, e.g. refused). A narrowed
  # manager refuses a destination outside its set with `failed` and a
  # reason naming it (nothing is sent). The connection and its two bounded
  # buffers are charged to the caller's kernel quota until the last holder
  # lets go. `unimplemented` without a network device.
  tcpConnect @3 (to :UdpEndpoint) -> (connection :ResultCap);
  # A TCP listener on `port` of the kernel's address (0: a free ephemeral
  # port). At most `backlog` (1..capos_abi::tcp::MAX_BACKLOG; 0 means the
  # default) connections are held for accept at once, established or being
  # established; a connection attempt past that is answered with a reset
  # (the stack has no listening socket left for it).
  # The backlog's buffers are charged to the caller. A manager narrowed
  # with narrowListen may listen only on its port; one narrowed with
  # `narrow` may not listen at all (`failed`). `failed` when the port is
  # taken (EADDRINUSE).
  tcpListen @4 (port :UInt16, backlog :UInt32) -> (listener :ResultCap);
  # A manager that may listen on `port` (not 0) and do nothing else: no
  # UDP destination, no TCP connection. Refused (`failed`) unless this
  # manager may listen on that port.
  narrowListen @5 (port :UInt16) -> (manager :ResultCap);
  # The stack's TCP counters.
  tcpStats @6 () -> (stats :TcpStats);
}

struct NetStats {
  # False when the machine has no network device (then all else is 0).
  hasDevice @0 :Bool;
  address @1 :UInt32;          # the kernel's IPv4 address (as UdpEndpoint)
  prefixLength @2 :UInt8;
  gateway @3 :UInt32;
  udpSent @4 :UInt64;          # datagrams handed to the device
  udpDelivered @5 :UInt64;     # datagrams queued for or given to a socket
  udpNoPort @6 :UInt64;        # dropped: no socket bound to their port
  udpMalformed @7 :UInt64;     # dropped: bad header, length or checksum
  udpQueueFull @8 :UInt64;     # dropped: the socket's queue was full
  udpFiltered @9 :UInt64;      # dropped: from outside a narrowed socket's set
}

# A bound UDP socket (docs/interfaces/udp-socket.md). Copies share one
# socket: one port, one receive queue. The port is unbound when the last
# holder lets go or any holder calls close.
interface UdpSocket {
  # Sends one datagram of at most 1472 bytes (one Ethernet frame; larger
  # fails with `failed`, EMSGSIZE) from this socket's port. A narrowed
  # socket refuses a destination outside its set with `failed` and a
  # reason naming it; nothing is sent.
  sendTo @0 (to :UdpEndpoint, data :Data) -> ();
  # The oldest queued datagram, at most `max` bytes of it (and no more than
  # fit the caller's result buffer); `truncated` says the rest was
  # discarded, as with MSG_TRUNC. With `wait` false it never waits: with
  # nothing queued `wouldBlock` is set. With `wait` true it waits for a
  # datagram, for `timeoutNs` at most when that is not 0 (then `timedOut`
  # is set and `data` empty). Waiting calls are answered in order; one
  # whose socket is closed fails with `disconnected`.
  recvFrom @1 (max :UInt32, wait :Bool, timeoutNs :UInt64)
           -> (data :Data, from :UdpEndpoint, truncated :Bool,
               wouldBlock :Bool, timedOut :Bool);
  # Completes when a recvFrom would not wait: `ready` when a datagram is
  # queued, `hangup` when the socket is closed. A process has at most one
  # waiting per socket; a newer `ready` completes the older one at once
  # with both false (as PipeReader.ready).
  ready @2 () -> (ready :Bool, hangup :Bool);
  # The address and port this socket is bound to.
  localAddress @3 () -> (local :UdpEndpoint);
  # Unbinds the port for every holder: queued datagrams are dropped,
  # waiting calls fail with `disconnected`, and so does every later call.
  close @4 () -> ();
  # This socket's counters.
  stats @5 () -> (received :UInt64, queueFull :UInt64, filtered :UInt64,
                  queued :UInt32);
}

# Why a TCP connection ended or never started.
enum TcpFailure {
  none @0;
  refused @1;      # the peer answered the connection attempt with a reset
  reset @2;        # the peer reset an established connection
  timedOut @3;     # the peer stopped answering (retransmissions gave up)
  closed @4;       # a holder closed the connection (TcpConnection.close)
}

# One TCP connection (docs/interfaces/tcp-connection.md), made by
# NetworkManager.tcpConnect or TcpListener.accept. Copies share the
# connection. Its receive and send buffers are bounded
# (capos_abi::tcp::BUFFER_BYTES each way): a slow reader fills the peer's
# window and a slow peer fills the send buffer, so senders wait.
interface TcpConnection {
  # Queues as much of `data` as the send buffer takes and returns how much
  # that was. With `wait` false it never waits (`written` may be 0). With
  # `wait` true and no room at all, the call is held until some room
  # appears (then takes what fits) or the connection fails, or, when
  # `timeoutNs` is not 0, until that long has passed (`timedOut`, nothing
  # written: SO_SNDTIMEO). After shutdown of writing or a failure it fails
  # with `disconnected` (EPIPE).
  send @0 (data :Data, wait :Bool, timeoutNs :UInt64)
       -> (written :UInt32, timedOut :Bool);
  # Up to `max` bytes of the stream (no more than fit the caller's result
  # buffer). With `peek` the bytes stay for the next receive. Empty `data`
  # with no flag set is the end of the stream (the peer shut its writing,
  # or reading was shut here). With `wait` false it never waits
  # (`wouldBlock`); with `wait` true it waits for data, for `timeoutNs`
  # at most when that is not 0 (`timedOut`). `failure` says why the
  # connection ended badly (then `data` is empty).
  receive @1 (max :UInt32, wait :Bool, timeoutNs :UInt64, peek :Bool)
          -> (data :Data, wouldBlock :Bool, timedOut :Bool,
              failure :TcpFailure);
  # Completes when what is asked holds: `readable` (bytes buffered, end of
  # stream, or a failure), `writable` (the connection is established and
  # the send buffer has room, or a failure). `hangup` when both
  # directions are finished; `failure` as in receive. While connecting,
  # neither holds. A process has at most one waiting per connection; a
  # newer ready completes the older one at once with everything false.
  ready @2 (read :Bool, write :Bool)
        -> (readable :Bool, writable :Bool, hangup :Bool,
            failure :TcpFailure, established :Bool);
  # Shuts reading (later receives see the end of the stream; what arrives
  # is discarded) and/or writing (a FIN follows what is buffered).
  shutdown @3 (read :Bool, write :Bool) -> ();
  # Ends the connection for every holder: buffered data is still sent and
  # a FIN follows; waiting calls complete with `failure` closed.
  close @4 () -> ();
  # The local and the peer's address and port.
  addresses @5 () -> (local :UdpEndpoint, peer :UdpEndpoint);
  # `noDelay`: segments go out at once, without Nagle's wait for the
  # previous one's acknowledgement (TCP_NODELAY). `keepAliveMs` not 0: a
  # keep-alive probe after that long without traffic (SO_KEEPALIVE).
  setOptions @6 (noDelay :Bool, keepAliveMs :UInt32) -> ();
  # Ends the connection for every holder as SO_LINGER asks. `abort`: at
  # once with a reset (RST), buffered data discarded; completes at once.
  # Otherwise as close, and completes once everything sent, the FIN
  # included, is acknowledged by the peer (`finished`), or when
  # `timeoutNs` (not 0: 0 is no limit) has passed (`finished` false; the
  # close goes on without the caller, as after close). Unread data at
  # the close still resets, as in close.
  closeLinger @7 (abort :Bool, timeoutNs :UInt64) -> (finished :Bool);
}

# A TCP listening port (docs/interfaces/tcp-listener.md). Copies share it.
interface TcpListener {
  # The oldest connection waiting to be accepted, charged to the caller.
  # Never waits: with none waiting `connection` is null and `wouldBlock`
  # set (wait with ready).
  accept @0 () -> (connection :ResultCap, wouldBlock :Bool);
  # Completes when a connection waits to be accepted (`ready`) or the
  # listener is closed (`hangup`). One per process, as TcpConnection.ready.
  ready @1 () -> (ready :Bool, hangup :Bool);
  # Stops listening for every holder: connections not yet accepted are
  # reset; waiting calls complete with hangup.
  close @2 () -> ();
  # The address and port listened on.
  localAddress @3 () -> (local :UdpEndpoint);
}

struct TcpStats {
  connections @0 :UInt32;      # live connections (accepted or connected)
  listeners @1 :UInt32;
  opened @2 :UInt64;           # connections made or accepted, ever
  refused @3 :UInt64;          # connects refused by the peer
  reset @4 :UInt64;            # connections reset by the peer
}

# Starts processes from binaries in the boot manifest.
interface ProcessSpawner {
  # `argv` and `env` ("KEY=VALUE") reach the child through its launch
  # region (capos-lib launch.rs).
  # `limits` are the child's quotas, carved out of the caller's own until
  # the child and everything charged to it are gone.
  # `pid` is the child's process id (its CapSet's pid; getpid in C).
  spawn @0 (name :Text, binary :Text, grants :List(SpawnGrant),
            argv :List(Text), env :List(Text), limits :ResourceLimits)
        -> (handle :ResultCap, pid :UInt64);
  # A spawner that can start only the listed binaries (and only those this
  # one can start).
  restrict @1 (binaries :List(Text)) -> (spawner :ResultCap);
}

# How a process ended.
struct ExitStatus {
  union {
    exited @0 :Int64;       # it called exit(code) or returned from main
    faulted @1 :Fault;      # the CPU raised an exception in user mode
    signaled @2 :UInt8;     # the kernel ended it for a signal (its number)
  }
}

struct Fault {
  kind @0 :FaultKind;
  rip @1 :UInt64;          # user instruction pointer at the fault
  addr @2 :UInt64;         # faulting address (page faults), else 0
}

enum FaultKind {
  pageFault @0;
  generalProtection @1;
  invalidOpcode @2;
  divideError @3;
  other @4;
}

# A spawned process. Not transferable.
interface ProcessHandle {
  # Completes when the process has ended.
  wait @0 () -> (status :ExitStatus);
  # Posts signal `signal` (1 to 64) to the process (POSIX kill to a
  # child; docs/interfaces/process-handle.md). SIGKILL, and a signal whose
  # default action is to terminate and that the process has not declared
  # caught (Timer.signals), end it with `signaled`; one it ignores by
  # default and does not catch is discarded; any other is pending until
  # its Timer.signals wait takes it. An ended process: nothing happens.
  # 0 or above 64: `failed`.
  signal @1 (signal :UInt8) -> ();
}

# Duplicates the calling process (docs/interfaces/process-forker.md): a
# copy of its address space and of its transferable capabilities, under
# the same ids. Refused while the caller has any other call in flight.
# The call completes twice: in the parent with `inChild` false, the
# child's `pid` and its `handle`; in the child with `inChild` true, its
# own `pid` and no handle. Failures are `overloaded` exceptions whose
# reason starts with "processes:" (kernel memory for one more process:
# EAGAIN) or "memory:" (frames for the copy: ENOMEM).
interface ProcessForker {
  fork @0 () -> (pid :UInt64, handle :ResultCap, inChild :Bool);
}

# ---------------------------------------------------------------- storage

# The outcome of a storage method (docs/proposals/storage-and-naming-proposal.md
# maps each to its errno). Every Directory and File method's results start
# with one: failures a program branches on are values, the same from the
# kernel's store and from a userspace server; exceptions are kept for the
# caller's own quota (`overloaded`) and a server gone (`disconnected`).
enum FsError {
  ok @0;
  notFound @1;          # no entry of that name (ENOENT)
  exists @2;            # the name is taken (EEXIST)
  notDirectory @3;      # a directory was needed (ENOTDIR)
  isDirectory @4;       # a file was needed (EISDIR)
  notEmpty @5;          # the directory has entries (ENOTEMPTY)
  readOnly @6;          # a mutation through a read-only facet (EROFS)
  noSpace @7;           # the store's quota is exhausted (ENOSPC)
  nameTooLong @8;       # a name of more than 255 bytes (ENAMETOOLONG)
  invalidName @9;       # empty, ".", "..", or holding "/" or NUL (EINVAL)
  invalidArgument @10;  # e.g. a directory moved into itself (EINVAL)
  fileTooLarge @11;     # past the largest file size (EFBIG)
  crossTree @12;        # a rename between two trees (EXDEV)
}

enum NodeKind {
  file @0;
  directory @1;
}

# What `stat` reports of a node.
struct NodeStat {
  kind @0 :NodeKind;
  # Bytes of a file; entries of a directory.
  size @1 :UInt64;
  # The node's number, never reused within its store (st_ino).
  node @2 :UInt64;
  # The store's number (st_dev).
  store @3 :UInt64;
  # Names the node has: 1, or 0 for a file unlinked while open and a
  # directory removed while held (st_nlink; the C library adds a
  # directory's "." and "..").
  links @4 :UInt32;
  # Permission bits, from the manifest or setMode: recorded, never
  # checked (the capability is the permission).
  mode @5 :UInt32;
  # Wall-clock nanoseconds since the Unix epoch.
  accessedNs @6 :UInt64;
  modifiedNs @7 :UInt64;
  changedNs @8 :UInt64;
  # 4 KiB pages holding the file's data (holes and manifest data take none).
  pages @9 :UInt64;
  # The capability this came through is a read-only facet.
  readOnly @10 :Bool;
  # A device node's kind (`kind` is then `file`); `none` for any other.
  device @11 :DeviceKind;
}

# The device nodes of the store, with Linux's semantics (and its
# character-device numbers, which the C library reports as st_rdev).
enum DeviceKind {
  none @0;
  null @1;     # reads give end of file; writes succeed and are discarded (1,3)
  zero @2;     # reads give zeros; writes are discarded (1,5)
  full @3;     # reads give zeros; writes fail noSpace (1,7)
  urandom @4;  # reads give the kernel's entropy; writes are discarded (1,9)
}

# One entry of a directory listing.
struct DirEntry {
  name @0 :Text;
  kind @1 :NodeKind;
  node @2 :UInt64;
  # Where a listing continues after this entry (Directory.list).
  cursor @3 :UInt64;
}

# A change of one time stamp (File.setTimes).
struct TimeChange {
  union {
    keep @0 :Void;
    now @1 :Void;
    ns @2 :UInt64;     # wall-clock nanoseconds since the Unix epoch
  }
}

# An open file (docs/interfaces/file.md). The capability names the node,
# not its name: it keeps working after an unlink or a rename.
interface File {
  # Up to `max` bytes from `offset`, no more than fit the caller's result
  # buffer; empty at or past the end.
  read @0 (offset :UInt64, max :UInt32) -> (error :FsError, data :Data);
  # Writes `data` at `offset`, or at the end when `append` is set (then
  # `offset` must be 0). `written` may be short only when the store ran
  # out of space; `end` is the offset just after what was written.
  write @1 (offset :UInt64, data :Data, append :Bool)
        -> (error :FsError, written :UInt32, end :UInt64);
  size @2 () -> (error :FsError, size :UInt64);
  # Cuts or extends (with zeros, taking no space) the file to `size`.
  truncate @3 (size :UInt64) -> (error :FsError);
  stat @4 () -> (error :FsError, stat :NodeStat);
  # Completes when what was written is as durable as the store makes it.
  sync @5 () -> (error :FsError);
  # A read-only facet of this file: it comes with the reply, as the
  # reply's only capability.
  readOnly @6 () -> (error :FsError);
  # Records permission bits (the low 12 bits of `mode`).
  setMode @7 (mode :UInt32) -> (error :FsError);
  setTimes @8 (accessed :TimeChange, modified :TimeChange) -> (error :FsError);
  # The name of the boot manifest's binary whose bytes this file holds,
  # unchanged since boot: the name ProcessSpawner starts it by (execve
  # and PATH search find programs this way). Empty for any other file,
  # and for a manifest binary's file once it was written or truncated.
  binary @9 () -> (error :FsError, name :Text);
  # The cursor methods. Each File capability object is one open file
  # description (POSIX's): Directory.open and readOnly make a new one, at
  # offset 0; copies of the capability (a grant to a child, a copied
  # capability table) share it, so a parent and its child move one
  # offset. A server answering `cursor` false from Directory.open keeps
  # none: its clients keep the offset themselves.
  # Up to `max` bytes from the description's offset, which moves past them.
  readNext @10 (max :UInt32) -> (error :FsError, data :Data);
  # Writes `data` at the description's offset, or at the end of the file
  # when it appends; the offset moves to just after what was written.
  writeNext @11 (data :Data) -> (error :FsError, written :UInt32, end :UInt64);
  # Moves the offset to `offset` from `whence`; a result below 0 or past
  # 2^63 - 1 is `invalidArgument` and leaves it where it was.
  seek @12 (offset :Int64, whence :Whence) -> (error :FsError, offset :UInt64);
  # Whether writeNext appends (O_APPEND, set by fcntl's F_SETFL).
  setAppend @13 (append :Bool) -> (error :FsError);
  # The description's offset and append flag (what a child that
  # inherited it reads back), and whether this is a read-only facet.
  description @14 () -> (error :FsError, offset :UInt64, append :Bool, readOnly :Bool);
}

# A directory and the subtree below it (docs/interfaces/directory.md).
# Holding it is the authority over that subtree and nothing above it:
# every method takes single names (never a path), and no method returns a
# parent. Capabilities a method returns come with the reply, as its
# capability records, never as ids in the results (so a userspace server
# can serve this interface too).
interface Directory {
  # Opens the file or directory `name`: the reply brings a File or a
  # Directory capability (which one is `kind`). With `create`, a missing
  # name becomes an empty file (`created` says so); with `exclusive` too,
  # an existing name is `exists`. `truncate` empties a file. The result
  # has at most this capability's authority, and none to write when
  # `readOnly` is set; `readOnly` in the results says which it got.
  # A File comes as a new open file description (File's cursor methods)
  # appending when `append` is set; `cursor` says the server keeps its
  # offset (the kernel's store does).
  open @0 (name :Text, create :Bool, exclusive :Bool, truncate :Bool, readOnly :Bool,
           append :Bool)
       -> (error :FsError, kind :NodeKind, readOnly :Bool, created :Bool, cursor :Bool);
  # Makes an empty directory with permission bits `mode` (recorded).
  mkdir @1 (name :Text, mode :UInt32) -> (error :FsError);
  # Removes a file's name; its data lives until its last File capability goes.
  unlink @2 (name :Text) -> (error :FsError);
  # Removes an empty directory.
  rmdir @3 (name :Text) -> (error :FsError);
  # Moves the entry at path `from` to path `to`, both lists of single
  # names below this directory (the last is the entry's name). An entry
  # at `to` is replaced: a file by a file, an empty directory by a
  # directory.
  rename @4 (from :List(Text), to :List(Text)) -> (error :FsError);
  # Entries created after `cursor` (0: from the start), oldest first, at
  # most `max` and no more than fit the result buffer; `end` says none
  # are left. Unlinking entries while listing never skips the others.
  list @5 (cursor :UInt64, max :UInt32)
       -> (error :FsError, entries :List(DirEntry), end :Bool);
  stat @6 () -> (error :FsError, stat :NodeStat);
  # The stat of entry `name`, without opening it.
  statAt @7 (name :Text) -> (error :FsError, stat :NodeStat);
  # The directory reached through `names` (each a single name, each a
  # directory): it comes with the reply. An empty list gives this one
  # again.
  walk @8 (names :List(Text)) -> (error :FsError);
  # A read-only facet of this directory: it comes with the reply.
  readOnly @9 () -> (error :FsError);
}

# Where File.seek counts from (SEEK_SET, SEEK_CUR, SEEK_END).
enum Whence {
  start @0;
  current @1;
  end @2;
}

# ---------------------------------------------------------------- terminal

# A terminal's mode: the flag words and control characters of Linux's
# struct termios, with Linux's values (capos_lib::terminal names the ones
# the line discipline acts on), so that what one process sets another
# reads back unchanged.
struct TerminalMode {
  iflag @0 :UInt32;
  oflag @1 :UInt32;
  cflag @2 :UInt32;
  lflag @3 :UInt32;
  # c_cc: capos_lib::terminal::NCCS bytes (VINTR at 0, VMIN at 6, ...).
  cc @4 :Data;
}

# The serial console as a terminal (docs/interfaces/terminal.md): bytes
# from the serial line's receive interrupt pass through a line discipline
# in the kernel (canonical editing, echo, signal characters, raw mode).
# `group` arguments are the caller's process group, as the POSIX adapter
# records it: signal characters are for the foreground group.
interface Terminal {
  # Input, at most `max` bytes and what fits the result buffer. Canonical
  # mode: one line at most (its newline included), as edited. Otherwise
  # as VMIN and VTIME say. Waits until then (other ring calls keep
  # running); with `wait` false it never does, and `wouldBlock` says it
  # would have. Empty `data` and no flag set: end of file (^D on an empty
  # line) or VTIME ran out. `signal` nonzero: a signal character (SIGINT,
  # SIGQUIT, SIGTSTP) was typed for the foreground group, which `group`
  # is in, and ended the read; no data came with it.
  read @0 (max :UInt32, wait :Bool, group :UInt32) -> (data :Data, wouldBlock :Bool, signal :UInt8);
  # Output, processed as the mode's oflag says (OPOST with ONLCR: "\n"
  # becomes "\r\n").
  write @1 (data :Data) -> (written :UInt32);
  getMode @2 () -> (mode :TerminalMode);
  # A new mode; `flush` discards the input not read yet (TCSAFLUSH).
  # A `cc` of the wrong length is `failed`.
  setMode @3 (mode :TerminalMode, flush :Bool) -> ();
  # Completes when a read would not wait (`ready`) or a signal character
  # is pending for `group` (`signal`). One per process; a newer one
  # completes the older at once with neither set.
  ready @4 (group :UInt32) -> (ready :Bool, signal :UInt8);
  # The foreground process group (tcsetpgrp); 0: none yet, when signal
  # characters go to whichever group reads first.
  setForeground @5 (group :UInt32) -> ();
  getForeground @6 () -> (group :UInt32);
  # The window size TIOCGWINSZ reports (80x24 until set).
  windowSize @7 () -> (rows :UInt16, columns :UInt16);
  setWindowSize @8 (rows :UInt16, columns :UInt16) -> ();
  # Input counters since boot: bytes received, bytes dropped because the
  # input queue was full, and bytes the serial chip lost before the
  # kernel read them (its overrun flag).
  stats @9 () -> (received :UInt64, dropped :UInt64, hardwareOverruns :UInt64);
  # Completes when a signal character is typed for `group` (or at once if
  # one is pending for it), so that a process blocked elsewhere (a sleep,
  # a wait) hears it. One per process; a newer one completes the older
  # at once with `signal` 0.
  signal @10 (group :UInt32) -> (signal :UInt8);
  # Records the caller's process group (setpgid, setsid), so that a
  # signal character typed for the foreground group reaches the caller
  # through the kernel's signal path (ProcessHandle.signal's: its caught
  # set, its default action) when it has no read or wait here to end.
  # 0: the caller leaves the terminal's groups.
  setGroup @11 (group :UInt32) -> ();
}

# ---------------------------------------------------------------- boot manifest

# The boot module: what the kernel starts and with which authority.
struct SystemManifest {
  schemaVersion @0 :UInt32;
  binaries @1 :List(Binary);
  init @2 :InitConfig;
  kernelParams @3 :KernelParams;
  # The service graph init starts (init validates it; the kernel does not
  # look at it).
  services @4 :List(ServiceConfig);
  # The file tree the kernel's store starts with (KernelCapKind fileSystem).
  fileSystem @5 :FileSystemConfig;
  # Pipes init creates (with its PipeFactory, the cap named by
  # `pipeFactory`) before it starts the services, to grant their ends
  # (ServiceCap.pipe); init drops its own copies once every service is
  # started, so a reader sees end of file when its writers are gone.
  pipes @6 :List(Text);
  pipeFactory @7 :Text;
}

struct ServiceConfig {
  name @0 :Text;
  binary @1 :Text;
  caps @2 :List(ServiceCap);
  exports @3 :List(ServiceExport);
  argv @4 :List(Text);
  env @5 :List(Text);
  # The service is meant to die by a CPU fault (a containment test): init
  # counts a fault as its success and any exit as a failure.
  expectFault @6 :Bool;
  # The service's quotas; zeros take the defaults.
  limits @7 :ResourceLimits;
  # The exit code init counts as the service's success (0 unless set):
  # a test whose service must end with a given status (dash's `exit 3`).
  exitCode @8 :UInt8;
}

# An Endpoint init creates for the service, granted to it (owner facet)
# under `name`; other services import its client facet.
struct ServiceExport {
  name @0 :Text;
  interfaceId @1 :UInt64;
}

struct ServiceCap {
  name @0 :Text;              # the name in the service's CapSet
  source :union {
    init @1 :Text;            # one of init's own capabilities, by name
    service :group {          # another service's export
      service @2 :Text;
      export @3 :Text;
    }
    directory :group {        # a subtree of one of init's Directories
      from @4 :Text;          # init's Directory capability, by name
      path @5 :Text;          # absolute, below it ("/" is itself)
      readOnly @6 :Bool;      # granted as a read-only facet
    }
    file :group {             # a file below one of init's Directories, opened
      from @7 :Text;          # init's Directory capability, by name
      path @8 :Text;          # absolute, naming a file ("/etc/motd")
      readOnly @9 :Bool;      # granted as a read-only facet
    }
    pipe :group {             # an end of a pipe of SystemManifest.pipes
      name @10 :Text;         # the pipe's name there
      end @11 :PipeEnd;
    }
  }
}

enum PipeEnd {
  read @0;
  write @1;
}

struct Binary {
  name @0 :Text;
  elf @1 :Data;
}

# The kernel's file store at boot (docs/architecture/file-system.md).
struct FileSystemConfig {
  # Quota of file data, in bytes (whole 4 KiB pages are counted).
  dataBytes @0 :UInt64;
  # Quota of the store's records (nodes, names, entries), in bytes.
  metaBytes @1 :UInt64;
  # Every node but "/", parents before their children.
  nodes @2 :List(FsNodeConfig);
}

struct FsNodeConfig {
  # Absolute, normalized: "/etc/hosts".
  path @0 :Text;
  # Permission bits recorded for stat.
  mode @1 :UInt32;
  union {
    directory @2 :Void;
    data @3 :Data;            # a file holding these bytes
    binary @4 :Text;          # a file holding this manifest binary's ELF
    device @5 :DeviceKind;    # a device node (never `none`)
  }
}

# The only process the kernel starts, and the capabilities it gets.
struct InitConfig {
  binary @0 :Text;
  caps @1 :List(KernelCapGrant);
}

struct KernelCapGrant {
  name @0 :Text;           # the name in init's CapSet
  kind @1 :KernelCapKind;
}

enum KernelCapKind {
  console @0;
  timer @1;
  processSpawner @2;
  virtualMemory @3;
  bootPackage @4;
  endpointFactory @5;
  entropySource @6;
  pipeFactory @7;
  networkManager @8;
  # The root Directory of the store built from SystemManifest.fileSystem.
  fileSystem @9;
  # Duplicates its holder (ProcessForker).
  processForker @10;
  # The serial console as a Terminal (input, line discipline).
  terminal @11;
}

struct KernelParams {
  # Printed by the kernel after boot, before init starts.
  motd @0 :Text;
  # One kernel line per spawn naming the parent, the binary and every
  # capability (and descriptor, `fd/N`) that crosses into the child.
  auditSpawns @1 :Bool;
  # The network device's static IPv4 configuration; absent means QEMU user
  # networking's 10.0.2.15/24 with gateway 10.0.2.2.
  net @2 :NetParams;
  # No kernel line when a process exits or a signal ends it (a fault
  # still gets one): for an interactive console, where a line after every
  # command is noise. Smokes leave it off; their checks read those lines.
  quietExits @3 :Bool;
}

struct NetParams {
  address @0 :UInt32;          # as UdpEndpoint.address
  prefixLength @1 :UInt8;
  gateway @2 :UInt32;
}
