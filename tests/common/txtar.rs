//! Go's txtar archives (src/internal/txtar) and the modules they describe
//! (src/cmd/go/proxy_test.go, testdata/mod/README).

use std::path::Path;

use modcache::cache::ModuleVersion;
use modcache::cache::escape::unescape;

/// A txtar archive: a comment, then `-- name --` sections.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Archive {
    pub comment: Vec<u8>,
    pub files: Vec<(String, Vec<u8>)>,
}

impl Archive {
    /// Parse exactly as Go's `txtar.Parse`: a marker is a whole line `-- NAME --` whose
    /// trimmed name is not empty; data ends at the next marker; a final section without a
    /// trailing newline gets one. There are no syntax errors.
    pub fn parse(data: &[u8]) -> Archive {
        let (comment, mut name, mut rest) = find_marker(data);
        let mut files = Vec::new();
        while let Some(n) = name {
            let (body, next, after) = find_marker(rest);
            files.push((n, body));
            name = next;
            rest = after;
        }
        Archive { comment, files }
    }

    pub fn file(&self, name: &str) -> Option<&[u8]> {
        self.files
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, d)| d.as_slice())
    }
}

/// Returns the data before the next marker, the marker's name and the data after its line.
fn find_marker(data: &[u8]) -> (Vec<u8>, Option<String>, &[u8]) {
    let mut i = 0;
    loop {
        if let Some((name, after)) = marker(&data[i..]) {
            return (data[..i].to_vec(), Some(name), after);
        }
        match find(&data[i..], b"\n-- ") {
            Some(j) => i += j + 1,
            None => return (fix_nl(data), None, &[]),
        }
    }
}

fn marker(data: &[u8]) -> Option<(String, &[u8])> {
    if !data.starts_with(b"-- ") {
        return None;
    }
    let (line, after) = match data.iter().position(|&b| b == b'\n') {
        Some(i) => (&data[..i], &data[i + 1..]),
        None => (data, &data[data.len()..]),
    };
    if !line.ends_with(b" --") || line.len() < 6 {
        return None;
    }
    let name = String::from_utf8_lossy(&line[3..line.len() - 3])
        .trim()
        .to_string();
    (!name.is_empty()).then_some((name, after))
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

fn fix_nl(data: &[u8]) -> Vec<u8> {
    let mut v = data.to_vec();
    if !v.is_empty() && !v.ends_with(b"\n") {
        v.push(b'\n');
    }
    v
}

/// One module version as a proxy serves it: `.info`, `.mod` and the zip's files.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Module {
    pub path: String,
    pub version: String,
    pub info: Vec<u8>,
    pub gomod: Vec<u8>,
    /// Zip entries. A name starting with `/` is stored verbatim (without the `/`); every
    /// other name is stored as `path@version/name`, as proxy_test.go does.
    pub files: Vec<(String, Vec<u8>)>,
}

impl Module {
    /// A module built in code. `.info` gets a fixed time; `.mod` is `module <path>` until
    /// [`Module::gomod`] or a `go.mod` [`Module::file`] sets it.
    pub fn new(path: &str, version: &str) -> Module {
        Module {
            path: path.to_string(),
            version: version.to_string(),
            info: format!(r#"{{"Version":"{version}","Time":"2024-01-02T03:04:05Z"}}"#)
                .into_bytes(),
            gomod: format!("module {path}\n").into_bytes(),
            files: Vec::new(),
        }
    }

    /// Add a zip file; `go.mod` also becomes the proxy's `.mod`.
    pub fn file(mut self, name: &str, data: impl AsRef<[u8]>) -> Module {
        if name == "go.mod" {
            self.gomod = data.as_ref().to_vec();
        }
        self.files.push((name.to_string(), data.as_ref().to_vec()));
        self
    }

    /// Set the proxy's `.mod` (independently of any `go.mod` in the zip).
    pub fn gomod(mut self, data: impl AsRef<[u8]>) -> Module {
        self.gomod = data.as_ref().to_vec();
        self
    }

    /// Read a testdata file. Path and version come from the file name the way
    /// proxy_test.go's `readModList` does (`rsc.io_!q!u!o!t!e_v1.5.2.txt` is
    /// `rsc.io/QUOTE@v1.5.2`); a name without `_v` falls back to the comment's first line
    /// (`path@version` or `path version`).
    pub fn from_txtar(file: &Path) -> Module {
        let data = std::fs::read(file).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
        let archive = Archive::parse(&data);
        let stem = file
            .file_name()
            .and_then(|n| n.to_str())
            .map(|n| n.strip_suffix(".txt").unwrap_or(n))
            .unwrap_or_default();
        let mv = module_of_file_name(stem)
            .or_else(|| module_of_comment(&archive.comment))
            .unwrap_or_else(|| panic!("{}: no module path and version", file.display()));
        Module::from_archive(mv, &archive)
    }

    pub fn from_archive(mv: ModuleVersion, archive: &Archive) -> Module {
        let info = archive.file(".info").unwrap_or_default().to_vec();
        let gomod = archive.file(".mod").unwrap_or_default().to_vec();
        let files = archive
            .files
            .iter()
            .filter(|(n, _)| !matches!(n.as_str(), ".info" | ".mod" | ".zip"))
            .cloned()
            .collect();
        Module {
            path: mv.path,
            version: mv.version,
            info,
            gomod,
            files,
        }
    }

    pub fn mv(&self) -> ModuleVersion {
        ModuleVersion::new(&self.path, &self.version)
    }

    /// `path@version`, as `go mod download` takes it.
    pub fn spec(&self) -> String {
        self.mv().to_string()
    }

    /// The module zip as proxy_test.go builds it (deflated entries, in archive order).
    pub fn zip(&self) -> Vec<u8> {
        let prefix = self.mv().zip_prefix();
        let entries: Vec<(String, &[u8])> = self
            .files
            .iter()
            .map(|(n, d)| {
                let name = match n.strip_prefix('/') {
                    Some(raw) => raw.to_string(),
                    None => format!("{prefix}{n}"),
                };
                (name, d.as_slice())
            })
            .collect();
        super::zip_bytes(&entries)
    }
}

/// proxy_test.go: the last `_v` splits path from version; `_` stands for `/`.
pub fn module_of_file_name(stem: &str) -> Option<ModuleVersion> {
    let i = stem.rfind("_v")?;
    let path = unescape(&stem[..i].replace('_', "/"))?;
    let version = unescape(&stem[i + 1..])?;
    Some(ModuleVersion::new(path, version))
}

fn module_of_comment(comment: &[u8]) -> Option<ModuleVersion> {
    let text = String::from_utf8_lossy(comment);
    let line = text.lines().next()?.trim();
    let line = line.strip_prefix("module ").unwrap_or(line);
    let (path, version) = line.split_once('@').or_else(|| line.split_once(' '))?;
    Some(ModuleVersion::new(path.trim(), version.trim()))
}
