//! The smallest program `capos_lib::elf::load_plan` accepts: one R-X page
//! at 0x401000 holding a single `hlt`, for tests that need a valid binary.

pub fn tiny_elf() -> Vec<u8> {
    const CODE_OFFSET: usize = 0x1000;
    const ENTRY: u64 = 0x40_1000;
    let mut elf = vec![0u8; CODE_OFFSET + 1];
    elf[..8].copy_from_slice(b"\x7fELF\x02\x01\x01\x00");
    put(&mut elf, 16, &2u16.to_le_bytes()); // ET_EXEC
    put(&mut elf, 18, &62u16.to_le_bytes()); // EM_X86_64
    put(&mut elf, 20, &1u32.to_le_bytes()); // EV_CURRENT
    put(&mut elf, 24, &ENTRY.to_le_bytes());
    put(&mut elf, 32, &64u64.to_le_bytes()); // program headers follow
    put(&mut elf, 52, &64u16.to_le_bytes());
    put(&mut elf, 54, &56u16.to_le_bytes());
    put(&mut elf, 56, &1u16.to_le_bytes());
    // PT_LOAD, PF_R | PF_X, offset, vaddr, paddr, filesz, memsz, align.
    put(&mut elf, 64, &1u32.to_le_bytes());
    put(&mut elf, 68, &5u32.to_le_bytes());
    put(&mut elf, 72, &(CODE_OFFSET as u64).to_le_bytes());
    put(&mut elf, 80, &ENTRY.to_le_bytes());
    put(&mut elf, 88, &ENTRY.to_le_bytes());
    put(&mut elf, 96, &1u64.to_le_bytes());
    put(&mut elf, 104, &1u64.to_le_bytes());
    put(&mut elf, 112, &0x1000u64.to_le_bytes());
    elf[CODE_OFFSET] = 0xf4;
    elf
}

fn put(out: &mut [u8], at: usize, bytes: &[u8]) {
    out[at..at + bytes.len()].copy_from_slice(bytes);
}
