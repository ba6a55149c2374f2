//! A process for files-proc to start and report on: `exit N` exits with
//! N at once; `hold` reads its "hold" pipe until end of file (its
//! starter's release), then exits 0.

#![no_std]
#![no_main]

use capos_rt::{PipeReader, Read, Runtime};

capos_rt::entry!(main);

fn main(mut rt: Runtime) -> i64 {
    let mut args = rt.args().iter();
    let _ = args.next();
    match (args.next(), args.next()) {
        (Some(b"exit"), Some(code)) => core::str::from_utf8(code)
            .ok()
            .and_then(|c| c.parse().ok())
            .unwrap_or(2),
        (Some(b"hold"), None) => {
            let Ok(hold) = rt.take::<PipeReader>("hold") else {
                return 3;
            };
            let mut buf = [0u8; 64];
            loop {
                match hold.read(&mut buf, true) {
                    Ok(Read::Eof) => return 0,
                    Ok(_) => continue,
                    Err(_) => return 4,
                }
            }
        }
        _ => 2,
    }
}
