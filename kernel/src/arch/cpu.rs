//! Thin wrappers over privileged instructions.

use core::arch::asm;

pub fn outb(port: u16, value: u8) {
    // SAFETY: port I/O has no memory effects; callers pick ports they own.
    unsafe { asm!("out dx, al", in("dx") port, in("al") value, options(nomem, nostack)) }
}

pub fn inb(port: u16) -> u8 {
    let value: u8;
    // SAFETY: as for outb.
    unsafe { asm!("in al, dx", out("al") value, in("dx") port, options(nomem, nostack)) }
    value
}

pub fn outl(port: u16, value: u32) {
    // SAFETY: as for outb.
    unsafe { asm!("out dx, eax", in("dx") port, in("eax") value, options(nomem, nostack)) }
}

pub fn inl(port: u16) -> u32 {
    let value: u32;
    // SAFETY: as for outb.
    unsafe { asm!("in eax, dx", out("eax") value, in("dx") port, options(nomem, nostack)) }
    value
}

pub fn rdmsr(msr: u32) -> u64 {
    let (lo, hi): (u32, u32);
    // SAFETY: only called with architectural MSRs this kernel programs.
    unsafe { asm!("rdmsr", in("ecx") msr, out("eax") lo, out("edx") hi, options(nomem, nostack)) }
    ((hi as u64) << 32) | lo as u64
}

pub fn wrmsr(msr: u32, value: u64) {
    // SAFETY: only called with architectural MSRs and values checked by the caller.
    unsafe {
        asm!("wrmsr", in("ecx") msr, in("eax") value as u32, in("edx") (value >> 32) as u32,
             options(nomem, nostack))
    }
}

pub fn rdtsc() -> u64 {
    let (lo, hi): (u32, u32);
    // SAFETY: rdtsc only reads the time-stamp counter.
    unsafe { asm!("rdtsc", out("eax") lo, out("edx") hi, options(nomem, nostack)) }
    ((hi as u64) << 32) | lo as u64
}

pub fn cpuid(leaf: u32, subleaf: u32) -> [u32; 4] {
    let r = core::arch::x86_64::__cpuid_count(leaf, subleaf);
    [r.eax, r.ebx, r.ecx, r.edx]
}

pub fn read_cr0() -> u64 {
    let v;
    // SAFETY: reading a control register has no side effects.
    unsafe { asm!("mov {}, cr0", out(reg) v, options(nomem, nostack)) }
    v
}

pub fn write_cr0(v: u64) {
    // SAFETY: callers only toggle FPU-related bits of the value they read.
    unsafe { asm!("mov cr0, {}", in(reg) v, options(nostack)) }
}

pub fn read_cr2() -> u64 {
    let v;
    // SAFETY: reading CR2 has no side effects.
    unsafe { asm!("mov {}, cr2", out(reg) v, options(nomem, nostack)) }
    v
}

pub fn read_cr3() -> u64 {
    let v;
    // SAFETY: reading CR3 has no side effects.
    unsafe { asm!("mov {}, cr3", out(reg) v, options(nomem, nostack)) }
    v
}

/// Switches address space.
///
/// # Safety
/// `pml4` must be the physical address of a valid PML4 that maps the kernel.
pub unsafe fn write_cr3(pml4: u64) {
    // SAFETY: the caller guarantees the kernel stays mapped.
    unsafe { asm!("mov cr3, {}", in(reg) pml4, options(nostack)) }
}

pub fn read_cr4() -> u64 {
    let v;
    // SAFETY: reading a control register has no side effects.
    unsafe { asm!("mov {}, cr4", out(reg) v, options(nomem, nostack)) }
    v
}

pub fn write_cr4(v: u64) {
    // SAFETY: callers only set feature bits they checked with cpuid.
    unsafe { asm!("mov cr4, {}", in(reg) v, options(nostack)) }
}

/// Drops the TLB entry of one page of the current address space.
pub fn invalidate_page(vaddr: u64) {
    // SAFETY: invlpg only discards a cached translation.
    unsafe { asm!("invlpg [{}]", in(reg) vaddr, options(nostack)) }
}

pub fn rdfsbase() -> u64 {
    let v;
    // SAFETY: CR4.FSGSBASE is enabled during boot before any process runs.
    unsafe { asm!("rdfsbase {}", out(reg) v, options(nomem, nostack)) }
    v
}

pub fn wrfsbase(v: u64) {
    // SAFETY: as for rdfsbase; the kernel itself never uses FS.
    unsafe { asm!("wrfsbase {}", in(reg) v, options(nomem, nostack)) }
}

pub fn rdgsbase() -> u64 {
    let v;
    // SAFETY: as for rdfsbase.
    unsafe { asm!("rdgsbase {}", out(reg) v, options(nomem, nostack)) }
    v
}

pub fn wrgsbase(v: u64) {
    // SAFETY: as for wrfsbase; the kernel never uses GS (one CPU, no swapgs).
    unsafe { asm!("wrgsbase {}", in(reg) v, options(nomem, nostack)) }
}

/// 512-byte FXSAVE area: x87, MMX and SSE state of one thread.
#[repr(C, align(16))]
#[derive(Clone)]
pub struct FpuState([u8; 512]);

impl FpuState {
    /// The state after `fninit` with the default MXCSR (all exceptions masked).
    pub fn initial() -> Self {
        let mut s = FpuState([0; 512]);
        s.0[0..2].copy_from_slice(&0x037fu16.to_le_bytes()); // FCW
        s.0[24..28].copy_from_slice(&0x1f80u32.to_le_bytes()); // MXCSR
        s.0[28..32].copy_from_slice(&0xffffu32.to_le_bytes()); // MXCSR_MASK
        s
    }

    pub fn save(&mut self) {
        // SAFETY: the area is 512 bytes, 16-byte aligned, and CR4.OSFXSR is set.
        unsafe { asm!("fxsave64 [{}]", in(reg) self.0.as_mut_ptr(), options(nostack)) }
    }

    pub fn restore(&self) {
        // SAFETY: as for save; the contents came from fxsave64 or initial(),
        // whose reserved MXCSR bits are zero.
        unsafe { asm!("fxrstor64 [{}]", in(reg) self.0.as_ptr(), options(nostack)) }
    }
}

pub fn halt_forever() -> ! {
    loop {
        // SAFETY: cli; hlt only stops this CPU.
        unsafe { asm!("cli; hlt", options(nomem, nostack)) }
    }
}

/// Enables interrupts and waits for one; returns with interrupts disabled.
pub fn wait_for_interrupt() {
    // SAFETY: sti takes effect after hlt starts, so no wake-up is lost; the
    // kernel runs with interrupts disabled everywhere else.
    unsafe { asm!("sti; hlt; cli", options(nomem, nostack)) }
}

/// Turns on what the kernel requires and refuses to boot without:
/// SSE for user code, NX, SMEP, SMAP and user-settable FS/GS base.
pub fn enable_features() -> Result<(), &'static str> {
    let [_, ebx7, _, _] = cpuid(7, 0);
    let [_, _, _, edx1] = cpuid(1, 0);
    let [_, _, _, edx_ext] = cpuid(0x8000_0001, 0);
    if edx_ext & (1 << 20) == 0 {
        return Err("NX not supported");
    }
    if edx1 & (1 << 25) == 0 || edx1 & (1 << 24) == 0 {
        return Err("SSE/FXSR not supported");
    }
    if ebx7 & (1 << 7) == 0 {
        return Err("SMEP not supported (run QEMU with -cpu max)");
    }
    if ebx7 & (1 << 20) == 0 {
        return Err("SMAP not supported (run QEMU with -cpu max)");
    }
    if ebx7 & 1 == 0 {
        return Err("FSGSBASE not supported (run QEMU with -cpu max)");
    }
    // CR0: MP set, EM and TS clear, so SSE runs without traps.
    write_cr0((read_cr0() | (1 << 1)) & !((1 << 2) | (1 << 3)));
    // CR4: OSFXSR, OSXMMEXCPT, FSGSBASE, SMEP, SMAP.
    write_cr4(read_cr4() | (1 << 9) | (1 << 10) | (1 << 16) | (1 << 20) | (1 << 21));
    Ok(())
}
