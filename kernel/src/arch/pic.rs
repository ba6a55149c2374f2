//! The legacy 8259 PICs, remapped to vectors 32..47. The PIT's IRQ 0 is
//! unmasked at boot (it drives preemption and timeouts); a device's line
//! is unmasked by its driver (the network device's, kernel/src/net/).

use super::cpu::outb;

pub const IRQ_BASE: u8 = 32;

pub fn init() {
    // ICW1..ICW4: cascade, vector offsets, wiring, 8086 mode.
    outb(0x20, 0x11);
    outb(0xa0, 0x11);
    outb(0x21, IRQ_BASE);
    outb(0xa1, IRQ_BASE + 8);
    outb(0x21, 4);
    outb(0xa1, 2);
    outb(0x21, 1);
    outb(0xa1, 1);
    // Masks: everything off except IRQ 0 (timer) and IRQ 2 (cascade).
    outb(0x21, !0b101);
    outb(0xa1, 0xff);
}

/// Lets `irq` through (a device's line, once its driver is ready).
pub fn unmask(irq: u8) {
    let (port, bit) = if irq >= 8 {
        (0xa1, irq - 8)
    } else {
        (0x21, irq)
    };
    outb(port, super::cpu::inb(port) & !(1 << bit));
}

pub fn end_of_interrupt(irq: u8) {
    if irq >= 8 {
        outb(0xa0, 0x20);
    }
    outb(0x20, 0x20);
}

/// True if the PIC reports `irq` (7 or 15) as really in service; a spurious
/// one must not be acknowledged.
pub fn is_real(irq: u8) -> bool {
    let (cmd, bit) = if irq >= 8 {
        (0xa0, irq - 8)
    } else {
        (0x20, irq)
    };
    outb(cmd, 0x0b); // read ISR
    super::cpu::inb(cmd) & (1 << bit) != 0
}
