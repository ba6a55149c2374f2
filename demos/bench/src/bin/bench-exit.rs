//! Exits at once: the program the spawn-wait benchmark starts, so that the
//! figure is the cost of creating, running and reaping a process.

#![no_std]
#![no_main]

use capos_rt::Runtime;

capos_rt::entry!(main);

fn main(_rt: Runtime) -> i64 {
    0
}
