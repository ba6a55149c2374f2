//! The register frame that `trap_common` (arch/traps.S) pushes.

/// Vector number `syscall_entry` stores, so syscalls share the trap path.
pub const SYSCALL_VECTOR: u64 = 0x80;

#[repr(C)]
#[derive(Debug, Clone, Copy, Default)]
pub struct TrapFrame {
    pub r15: u64,
    pub r14: u64,
    pub r13: u64,
    pub r12: u64,
    pub r11: u64,
    pub r10: u64,
    pub r9: u64,
    pub r8: u64,
    pub rbp: u64,
    pub rdi: u64,
    pub rsi: u64,
    pub rdx: u64,
    pub rcx: u64,
    pub rbx: u64,
    pub rax: u64,
    pub vector: u64,
    pub error: u64,
    pub rip: u64,
    pub cs: u64,
    pub rflags: u64,
    pub rsp: u64,
    pub ss: u64,
}

impl TrapFrame {
    pub fn is_user(&self) -> bool {
        self.cs & 3 == 3
    }

    /// The frame a new process starts from.
    pub fn new_user(entry: u64, stack_top: u64, args: [u64; 3]) -> Self {
        TrapFrame {
            rip: entry,
            cs: super::gdt::USER_CS as u64,
            rflags: 0x202, // IF
            rsp: stack_top,
            ss: super::gdt::USER_SS as u64,
            rdi: args[0],
            rsi: args[1],
            rdx: args[2],
            ..Default::default()
        }
    }
}
