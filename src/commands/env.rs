//! `modcache env`.

use std::io::Write;

use modcache::Result;

use super::{Outcome, stdout_result};
use crate::report;
use crate::settings::{EnvSettings, Output};

pub fn env(s: &EnvSettings) -> Result<Outcome> {
    let goenv =
        modcache::goenv::GoEnv::from_process().with_go_command(std::time::Duration::from_secs(5));
    let diagnosis = modcache::goenv::diagnose::Diagnosis::collect(&goenv, &s.request)?;
    let mut out = std::io::stdout().lock();
    let (json, color) = match s.output {
        Output::Json => (true, false),
        Output::Human { color, .. } => (false, color),
    };
    stdout_result(report::env::write(&mut out, &diagnosis, json, color))?;
    stdout_result(out.flush())?;
    Ok(Outcome::problems_if(diagnosis.problem_count() > 0))
}
