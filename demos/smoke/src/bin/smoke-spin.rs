//! Never yields: spins forever in user mode. init starts it and never waits
//! for it, so the smoke only finishes if the timer preempts this process.

#![no_std]
#![no_main]

capos_rt::entry!(main);

fn main(_rt: capos_rt::Runtime) -> i64 {
    loop {
        core::hint::spin_loop();
    }
}
