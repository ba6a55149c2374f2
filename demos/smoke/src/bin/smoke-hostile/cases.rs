//! Malformed SQEs: each is the valid baseline call with one thing broken,
//! so the only possible refusal is the one for that thing.

use crate::probe::Env;
use capos_abi::error::{
    BAD_ADDRESS, INVALID_CAP, INVALID_METHOD, INVALID_OPCODE, INVALID_SQE, MALFORMED_PARAMS,
    MESSAGE_TOO_LARGE, UNSUPPORTED_OPCODE, WRONG_INTERFACE,
};
use capos_abi::layout::CAPSET_VADDR;
use capos_abi::ring::{Sqe, op};
use capos_schema::interface_id;

pub struct Case {
    pub name: &'static str,
    pub expected: i32,
    /// Breaks the baseline SQE.
    pub mutate: fn(&mut Sqe, &Env),
}

/// The first address above user space (the kernel half).
const KERNEL_ADDR: u64 = 0xffff_8000_0000_0000;

/// Only user_data, opcode and cap_id may be set for non-CALL opcodes.
fn bare(sqe: &Sqe, opcode: u8) -> Sqe {
    Sqe {
        opcode,
        cap_id: sqe.cap_id,
        ..Sqe::nop(0)
    }
}

pub const SQE_CASES: &[Case] = &[
    Case {
        name: "unknown opcode",
        expected: INVALID_OPCODE,
        mutate: |s, _| s.opcode = 0x7f,
    },
    Case {
        name: "nonzero flags",
        expected: INVALID_SQE,
        mutate: |s, _| s.flags = 1,
    },
    Case {
        name: "nonzero call id",
        expected: INVALID_SQE,
        mutate: |s, _| s.call_id = 1,
    },
    Case {
        name: "nonzero transfer count",
        expected: INVALID_SQE,
        mutate: |s, _| s.xfer_count = 1,
    },
    Case {
        name: "nonzero transfer address",
        expected: INVALID_SQE,
        mutate: |s, _| s.xfer_addr = 0x1000,
    },
    Case {
        name: "nop with call fields",
        expected: INVALID_SQE,
        mutate: |s, _| s.opcode = op::NOP,
    },
    // A slot index the table never had. (Generation 0 is never issued, so
    // id 0 is INVALID_CAP too; a live slot with an older generation is
    // STALE_CAP, which the release case below covers.)
    Case {
        name: "unknown cap slot",
        expected: INVALID_CAP,
        mutate: |s, _| s.cap_id = 0x0001_0fff,
    },
    Case {
        name: "wrong interface",
        expected: WRONG_INTERFACE,
        mutate: |s, _| s.interface_id = interface_id::TIMER,
    },
    Case {
        name: "unknown method",
        expected: INVALID_METHOD,
        mutate: |s, _| s.method_id = 99,
    },
    Case {
        name: "kernel params address",
        expected: BAD_ADDRESS,
        mutate: |s, _| s.params_addr = KERNEL_ADDR,
    },
    Case {
        name: "unmapped params address",
        expected: BAD_ADDRESS,
        mutate: |s, _| s.params_addr = 0x5000_0000,
    },
    Case {
        name: "params past user space",
        expected: BAD_ADDRESS,
        mutate: |s, _| {
            s.params_addr = 0x7fff_ffff_f000;
            s.params_len = 0x1_0000;
        },
    },
    Case {
        name: "kernel result address",
        expected: BAD_ADDRESS,
        mutate: |s, _| s.result_addr = KERNEL_ADDR,
    },
    Case {
        name: "read-only result buffer",
        expected: BAD_ADDRESS,
        mutate: |s, _| s.result_addr = CAPSET_VADDR,
    },
    Case {
        name: "garbage params",
        expected: MALFORMED_PARAMS,
        mutate: |s, env| (s.params_addr, s.params_len) = env.garbage.parts(),
    },
    Case {
        name: "oversize params",
        expected: MESSAGE_TOO_LARGE,
        mutate: |s, env| (s.params_addr, s.params_len) = env.oversize.parts(),
    },
    Case {
        name: "recv on console",
        expected: UNSUPPORTED_OPCODE,
        mutate: |s, _| *s = bare(s, op::RECV),
    },
    Case {
        name: "return on console",
        expected: UNSUPPORTED_OPCODE,
        mutate: |s, _| *s = bare(s, op::RETURN),
    },
];
