//! x86_64 specifics: boot, descriptor tables, traps, context switches.

pub mod cpu;
pub mod gdt;
pub mod idt;
pub mod pic;
pub mod switch;
pub mod trap_frame;

core::arch::global_asm!(include_str!("boot.S"), options(att_syntax));
core::arch::global_asm!(include_str!("traps.S"), options(att_syntax));
