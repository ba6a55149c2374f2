//! `print!` and `println!` over a [`Console`](crate::clients::Console).
//!
//! The console is the first argument: there is no global stdout, because a
//! program holds only the consoles it was granted. Like std's macros they
//! panic if the write fails; `write!`/`writeln!` on a console return the
//! error instead.

/// Writes formatted text to a console, without a line end.
#[macro_export]
macro_rules! print {
    ($console:expr, $($arg:tt)*) => {
        if let ::core::result::Result::Err(e) =
            $console.write_fmt(::core::format_args!($($arg)*))
        {
            ::core::panic!("console write failed: {}", e)
        }
    };
}

/// Writes one formatted line to a console, in a single call.
#[macro_export]
macro_rules! println {
    ($console:expr) => {
        $crate::println!($console, "")
    };
    ($console:expr, $($arg:tt)*) => {
        if let ::core::result::Result::Err(e) =
            $console.write_line_fmt(::core::format_args!($($arg)*))
        {
            ::core::panic!("console write failed: {}", e)
        }
    };
}
