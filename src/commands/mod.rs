//! One function per command: settings in, an [`Outcome`] out. They call the library for
//! the work and `report` for the output; `main` turns the outcome into the exit code.

pub mod env;
pub mod fsck;
pub mod hash;
pub mod purge;
pub mod usage;

use modcache::{Error, Result};

/// What a command found, mapped to the exit code by `main`.
pub enum Outcome {
    /// Exit 0.
    Clean,
    /// Exit 1: problems found, or left unfixed.
    Problems,
}

impl Outcome {
    pub fn problems_if(found: bool) -> Outcome {
        if found {
            Outcome::Problems
        } else {
            Outcome::Clean
        }
    }
}

pub fn thread_pool(jobs: usize) -> Result<rayon::ThreadPool> {
    rayon::ThreadPoolBuilder::new()
        .num_threads(jobs)
        .build()
        .map_err(|e| Error::Usage(format!("cannot start {jobs} threads: {e}")))
}

pub fn stdout_result(r: std::io::Result<()>) -> Result<()> {
    r.map_err(|e| Error::io("<stdout>", e))
}
