//! The capOS kernel: boots, starts init from the manifest with the
//! capabilities it lists, and serves every process's capability ring.

#![no_std]
#![no_main]

extern crate alloc;

mod arch;
mod boot_info;
mod cap;
mod fs;
mod manifest;
mod mem;
mod net;
mod process;
mod ring;
mod sched;
mod serial;
mod syscall;
mod time;
mod trap;
mod upcall;

use alloc::sync::Arc;
use alloc::vec::Vec;

use capos_schema::capos_capnp::KernelCapKind;

use crate::cap::CapRef;
use crate::mem::frames::Region;
use crate::process::Grant;

unsafe extern "C" {
    static __kernel_phys_start: u8;
    static __kernel_phys_end: u8;
}

/// Leaves QEMU through the isa-debug-exit device: status 33 for success,
/// 35 for failure.
pub fn exit_qemu(success: bool) -> ! {
    arch::cpu::outl(0xf4, if success { 0x10 } else { 0x11 });
    arch::cpu::halt_forever()
}

fn boot_failure(what: &str) -> ! {
    kprintln!("kernel: boot failed: {what}");
    exit_qemu(false)
}

#[unsafe(no_mangle)]
extern "C" fn kmain(start_info: u64) -> ! {
    serial::init();
    kprintln!("capOS kernel booting");
    arch::gdt::init();
    arch::idt::init();
    if let Err(e) = arch::cpu::enable_features() {
        boot_failure(e);
    }
    mem::heap::init();
    let info = boot_info::parse(start_info).unwrap_or_else(|e| boot_failure(e));
    let (module_phys, module_len) = info.module;
    let kernel_image = Region {
        start: &raw const __kernel_phys_start as u64,
        end: &raw const __kernel_phys_end as u64,
    };
    mem::frames::init(
        &info.ram,
        &[
            kernel_image,
            Region {
                start: module_phys,
                end: module_phys + module_len,
            },
        ],
    );
    if let Err(e) = mem::kernel_map::install() {
        boot_failure(e);
    }
    kprintln!(
        "kernel: {} MiB free",
        (mem::frames::free_count() * 4096) >> 20
    );

    arch::pic::init();
    time::init_pit();
    time::calibrate();
    kprintln!("kernel: timer calibrated, TSC {} MHz", time::tsc_mhz());

    // SAFETY: QEMU loaded the module at this physical range, inside the
    // direct map, and the frame allocator never hands those frames out.
    let module: &'static [u8] =
        unsafe { core::slice::from_raw_parts(mem::phys_to_virt(module_phys), module_len as usize) };
    let manifest = manifest::parse(module).unwrap_or_else(|e| boot_failure(&e));
    if !manifest.motd.is_empty() {
        kprintln!("{}", manifest.motd);
    }
    // Before init, so what the stack allocates is the kernel's own.
    net::init(manifest.net);
    start_init(manifest);
    sched::idle()
}

/// Makes init's capabilities and starts it. A function of its own so that
/// everything it allocates for the start is freed before the idle loop
/// (which never returns): the leak check compares the heap with what it
/// was before this ran.
fn start_init(manifest: manifest::Manifest) {
    let heap_before_init = mem::heap::used();
    sched::init(manifest, heap_before_init);
    let mut k = sched::kernel();
    let root = k.create_root_account();
    // The file store exists only if init is granted it; its quotas come
    // out of the root account, so init is given what is left.
    let file_system = if k
        .manifest
        .init_caps
        .iter()
        .any(|(_, kind)| *kind == KernelCapKind::FileSystem)
    {
        let (store, node) = fs::boot_store(&k.manifest, &root)
            .unwrap_or_else(|e| boot_failure(&alloc::format!("{e}")));
        let charge = root
            .charge(
                capos_lib::account::Resource::KernelHeap,
                fs::handle::object_bytes::<cap::directory::Directory>() as u64,
            )
            .unwrap_or_else(|e| {
                boot_failure(&alloc::format!("the file system's root capability: {e}"))
            });
        let object: CapRef = Arc::new(cap::directory::Directory::root(store, node, charge));
        Some(object)
    } else {
        None
    };
    // One serial line, so one Terminal for every grant of it.
    let terminal: Option<CapRef> = k
        .manifest
        .init_caps
        .iter()
        .any(|(_, kind)| *kind == KernelCapKind::Terminal)
        .then(|| Arc::new(cap::terminal::Terminal::create()) as CapRef);
    let grants: Vec<Grant> = k
        .manifest
        .init_caps
        .iter()
        .map(|(name, kind)| {
            let object: CapRef = match kind {
                KernelCapKind::Console => Arc::new(cap::console::Console),
                KernelCapKind::Timer => Arc::new(cap::timer::Timer),
                KernelCapKind::ProcessSpawner => {
                    Arc::new(cap::process_spawner::ProcessSpawner::unrestricted())
                }
                KernelCapKind::VirtualMemory => Arc::new(cap::virtual_memory::VirtualMemory),
                KernelCapKind::BootPackage => Arc::new(cap::boot_package::BootPackage),
                KernelCapKind::EndpointFactory => Arc::new(cap::endpoint_factory::EndpointFactory),
                KernelCapKind::EntropySource => Arc::new(cap::entropy_source::EntropySource),
                KernelCapKind::PipeFactory => Arc::new(cap::pipe_factory::PipeFactory),
                KernelCapKind::NetworkManager => {
                    Arc::new(cap::network_manager::NetworkManager::unrestricted())
                }
                KernelCapKind::FileSystem => file_system.clone().expect("made above"),
                KernelCapKind::ProcessForker => Arc::new(cap::process_forker::ProcessForker),
                KernelCapKind::Terminal => terminal.clone().expect("made above"),
            };
            Grant {
                name: name.clone(),
                interface_id: object.interface_id(),
                object,
            }
        })
        .collect();
    drop(file_system);
    drop(terminal);
    let init_name = k.manifest.init_binary.clone();
    let init_elf = k
        .manifest
        .binary(&init_name)
        .expect("checked by manifest::parse");
    // init's argv is its binary name; it gets no environment.
    let launch = capos_lib::launch::encode(&[init_name.as_bytes()], &[])
        .unwrap_or_else(|e| boot_failure(&alloc::format!("init's launch parameters: {e}")));
    if let Err(e) = k.spawn_init(&init_name, init_elf, grants, &launch) {
        boot_failure(&alloc::format!("starting init: {e}"));
    }
    kprintln!("kernel: starting init ({init_name})");
}

#[panic_handler]
fn panic(info: &core::panic::PanicInfo) -> ! {
    serial::print_unlocked(format_args!("KERNEL PANIC: {info}\n"));
    exit_qemu(false)
}
