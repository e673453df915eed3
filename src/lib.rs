//! modcache: keep the Go module cache (GOMODCACHE) healthy without the Go toolchain.
//!
//! The library holds the whole model and every check; it never prints and never exits.
//! `report/` (output) and `main.rs` (exit codes) are the only places allowed to talk to
//! the terminal, which clippy enforces with the lints below.
#![deny(clippy::print_stdout, clippy::print_stderr, clippy::exit)]

pub mod cache;
pub mod check;
pub mod error;
pub mod goenv;
pub mod gologs;
pub mod gosum;
pub mod gotime;
pub mod hash;
pub mod modzip;
pub mod prune;
pub mod purge;
pub mod quick;
pub mod repair;
pub mod scan;
pub mod usage;

pub use error::{Error, Result};
