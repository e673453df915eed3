//! `modcache hash`: the h1 Go would record for one zip, tree or go.mod file.

use modcache::hash::{self, ZipError};
use modcache::{Error, Result};

use super::{Outcome, stdout_result};
use crate::report;
use crate::settings::HashSettings;

pub fn hash(s: &HashSettings) -> Result<Outcome> {
    let h1 = match s {
        HashSettings::GoMod(file) => {
            let data = std::fs::read(file).map_err(|e| Error::io(file, e))?;
            hash::hash_gomod(&data)
        }
        HashSettings::Tree { dir, prefix } => {
            hash::hash_tree(dir, prefix)
                .map_err(|e| Error::invalid(dir, e.to_string()))?
                .h1
        }
        HashSettings::Zip(file) => match hash::hash_zip(file, None) {
            Ok(digest) => digest.h1,
            Err(ZipError::Io { path, source }) => return Err(Error::io(path, source)),
            Err(ZipError::Corrupt { detail }) => return Err(Error::invalid(file, detail)),
        },
    };
    stdout_result(report::print_line(&h1))?;
    Ok(Outcome::Clean)
}
