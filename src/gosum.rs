//! go.sum and go.work.sum files, read exactly as Go reads them (modfetch.readGoSum).
//!
//! Each non-blank line has three fields: module path, version (with a `/go.mod` suffix for
//! the go.mod-only hash) and hash. go.sum has no comment syntax: like Go, a line with
//! another number of fields is an error that names the file and line. Lines carrying the
//! hash of an empty go.mod, written by an old Go bug, are dropped as Go drops them.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use crate::cache::ModuleVersion;
use crate::error::{Error, IoContext, Result};

/// The hash of a one-file tree holding an empty go.mod; Go ignores these lines.
const EMPTY_GOMOD_HASH: &str = "h1:G7mAYYxgmS0lVkHyy2hEOLQCFB0DlQFTMLWggykrydY=";

/// One line of a go.sum file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SumLine {
    pub module: ModuleVersion,
    /// True for `<version>/go.mod` lines, which hash only the go.mod file.
    pub gomod: bool,
    pub hash: String,
    pub file: PathBuf,
    pub line: usize,
}

impl SumLine {
    /// `file:line`, for messages.
    pub fn location(&self) -> String {
        format!("{}:{}", self.file.display(), self.line)
    }
}

/// Parse the content of a go.sum file.
pub fn parse(file: &Path, data: &[u8]) -> Result<Vec<SumLine>> {
    let text =
        std::str::from_utf8(data).map_err(|e| Error::invalid(file, format!("not UTF-8: {e}")))?;
    let mut lines = Vec::new();
    for (i, line) in text.split('\n').enumerate() {
        let fields: Vec<&str> = line.split_whitespace().collect();
        match fields.as_slice() {
            [] => continue,
            [_, _, hash] if *hash == EMPTY_GOMOD_HASH => continue,
            [path, version, hash] => {
                let (version, gomod) = match version.strip_suffix("/go.mod") {
                    Some(v) => (v, true),
                    None => (*version, false),
                };
                lines.push(SumLine {
                    module: ModuleVersion::new(*path, version),
                    gomod,
                    hash: hash.to_string(),
                    file: file.to_path_buf(),
                    line: i + 1,
                });
            }
            fields => {
                return Err(Error::Parse {
                    path: file.to_path_buf(),
                    line: i + 1,
                    message: format!(
                        "malformed go.sum line: wrong number of fields {}",
                        fields.len()
                    ),
                });
            }
        }
    }
    Ok(lines)
}

/// Read and parse a go.sum or go.work.sum file.
pub fn read(file: &Path) -> Result<Vec<SumLine>> {
    let data = std::fs::read(file).at(file)?;
    parse(file, &data)
}

/// The h1: lines of several go.sum files, by module version.
#[derive(Debug, Default)]
pub struct SumIndex {
    zip: HashMap<ModuleVersion, Vec<SumLine>>,
    gomod: HashMap<ModuleVersion, Vec<SumLine>>,
}

impl SumIndex {
    pub fn from_files(files: &[PathBuf]) -> Result<SumIndex> {
        let mut index = SumIndex::default();
        for file in files {
            for line in read(file)? {
                index.add(line);
            }
        }
        Ok(index)
    }

    /// Add a line. Hashes other than `h1:` are kept out: Go cannot check them either.
    pub fn add(&mut self, line: SumLine) {
        if !line.hash.starts_with("h1:") {
            return;
        }
        let map = if line.gomod {
            &mut self.gomod
        } else {
            &mut self.zip
        };
        map.entry(line.module.clone()).or_default().push(line);
    }

    /// Lines recording the h1 of the whole module (its zip and tree).
    pub fn zip_lines(&self, mv: &ModuleVersion) -> &[SumLine] {
        self.zip.get(mv).map_or(&[], Vec::as_slice)
    }

    /// Lines recording the h1 of the version's go.mod file.
    pub fn gomod_lines(&self, mv: &ModuleVersion) -> &[SumLine] {
        self.gomod.get(mv).map_or(&[], Vec::as_slice)
    }

    /// Every module version named, whether by a module line or a go.mod line.
    pub fn versions(&self) -> impl Iterator<Item = &ModuleVersion> {
        self.zip
            .keys()
            .chain(self.gomod.keys().filter(|mv| !self.zip.contains_key(*mv)))
    }

    pub fn is_empty(&self) -> bool {
        self.zip.is_empty() && self.gomod.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SUM: &str = "\
golang.org/x/text v0.0.0-20170915032832-14c0d48ead0c h1:qgOY6WgZOaTkIIMiVjBQcw93ERBE4m30iBm00nkL0i8=
golang.org/x/text v0.0.0-20170915032832-14c0d48ead0c/go.mod h1:NqM8EUOU14njkJ3fqMW+pc6Ldnwhi/IjpwHt7yyuwOQ=

rsc.io/quote v1.5.2 h1:w5fcysjrx7yqtD/aO+QwRjYZOKnaM9Uh2b40tElTs3Y=
rsc.io/quote v1.5.2/go.mod h1:LzX7hefJvL54yjefDEDHNONDjII0t9xZLPXsUe+TKr0=
example.com/old v1.0.0/go.mod h1:G7mAYYxgmS0lVkHyy2hEOLQCFB0DlQFTMLWggykrydY=
example.com/future v1.0.0 h2:somethingelse
";

    #[test]
    fn parses_module_and_gomod_lines_skipping_blanks() {
        let lines = parse(Path::new("go.sum"), SUM.as_bytes()).unwrap();
        assert_eq!(lines.len(), 5, "the empty-go.mod hash line is dropped");
        assert_eq!(
            lines[2].module,
            ModuleVersion::new("rsc.io/quote", "v1.5.2")
        );
        assert!(!lines[2].gomod);
        assert!(lines[3].gomod);
        assert_eq!(lines[3].location(), "go.sum:5");

        let mut index = SumIndex::default();
        lines.into_iter().for_each(|l| index.add(l));
        let quote = ModuleVersion::new("rsc.io/quote", "v1.5.2");
        assert_eq!(index.zip_lines(&quote).len(), 1);
        assert_eq!(index.gomod_lines(&quote).len(), 1);
        let future = ModuleVersion::new("example.com/future", "v1.0.0");
        assert!(
            index.zip_lines(&future).is_empty(),
            "non-h1 hashes are not checkable"
        );
    }

    #[test]
    fn malformed_lines_name_file_and_line() {
        for bad in [
            "rsc.io/quote v1.5.2\n",
            "// a comment about deps\n",
            "a b c d\n",
        ] {
            let data = format!("rsc.io/quote v1.5.2/go.mod h1:x=\n{bad}");
            let err = parse(Path::new("/p/go.sum"), data.as_bytes()).unwrap_err();
            assert!(
                err.to_string()
                    .starts_with("/p/go.sum:2: malformed go.sum line: wrong number of fields"),
                "{err}"
            );
        }
    }
}
