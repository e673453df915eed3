//! modcache's entry point: parse → settings → run → exit code.
//!
//! Exit codes: 0 clean, 1 problems found, 2 usage or I/O error. Only this file decides
//! them and prints the final error line (`modcache: ...`).
#![deny(clippy::print_stdout, clippy::print_stderr, clippy::exit)]

mod cli;
mod commands;
mod report;
mod settings;

use std::process::ExitCode;

use clap::Parser;

use cli::{Cli, Command};
use commands::Outcome;
use modcache::Result;
use settings::{DuSettings, EnvSettings, FsckSettings, HashSettings, PruneSettings, PurgeSettings};

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(Outcome::Clean) => ExitCode::SUCCESS,
        Ok(Outcome::Problems) => ExitCode::from(1),
        Err(e) if e.is_broken_pipe() => ExitCode::SUCCESS,
        Err(e) => {
            #[allow(clippy::print_stderr)]
            {
                eprintln!("modcache: {e}");
            }
            ExitCode::from(2)
        }
    }
}

fn run(cli: Cli) -> Result<Outcome> {
    match cli.command {
        Command::Fsck(args) => commands::fsck::fsck(&FsckSettings::from_args(&args)?),
        Command::Hash(args) => commands::hash::hash(&HashSettings::from_args(&args)?),
        Command::Purge(args) => commands::purge::purge(&PurgeSettings::from_args(&args)?),
        Command::Du(args) => commands::usage::du(&DuSettings::from_args(&args)?),
        Command::Prune(args) => commands::usage::prune(&PruneSettings::from_args(&args)?),
        Command::Env(args) => commands::env::env(&EnvSettings::from_args(&args)?),
    }
}
