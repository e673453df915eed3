//! The Go module cache as Go lays it out (cmd/go/internal/modfetch/cache.go, fetch.go).
//!
//! ```text
//! $GOMODCACHE/
//!   cache/lock                                   SideLock (go.sum edits)
//!   cache/vcs/...                                VCS clones for direct mode
//!   cache/download/sumdb/...                     checksum-database tiles
//!   cache/download/<esc path>/@v/list            versions served by GOPROXY=file://
//!   cache/download/<esc path>/@v/<esc ver>.info  {"Version":...,"Time":...}
//!   cache/download/<esc path>/@v/<esc ver>.mod   the version's go.mod
//!   cache/download/<esc path>/@v/<esc ver>.zip   the module zip
//!   cache/download/<esc path>/@v/<esc ver>.ziphash  h1: hash of the zip
//!   cache/download/<esc path>/@v/<esc ver>.lock  per-version flock
//!   cache/download/<esc path>/@v/<esc ver>.partial  extraction in progress
//!   <esc path>@<esc ver>/                        extracted tree (read-only dirs)
//! ```
//!
//! Every path modcache touches is computed here, from a [`ModuleVersion`] and the root,
//! and every file found on disk is named by [`classify`]. Nothing else builds cache paths.

pub mod entry;
pub mod escape;
pub mod lock;
pub mod semver;

use std::fmt;
use std::path::{Path, PathBuf};

pub use entry::{Entry, classify};

use crate::error::{Error, IoContext, Result};

/// A module path and version, unescaped (`github.com/Azure/go`, `v1.2.3`).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ModuleVersion {
    pub path: String,
    pub version: String,
}

impl ModuleVersion {
    pub fn new(path: impl Into<String>, version: impl Into<String>) -> Self {
        ModuleVersion {
            path: path.into(),
            version: version.into(),
        }
    }

    /// `path@version`, the prefix of every file name inside the module zip.
    pub fn zip_prefix(&self) -> String {
        format!("{}@{}/", self.path, self.version)
    }
}

impl fmt::Display for ModuleVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}@{}", self.path, self.version)
    }
}

/// A module cache directory: the value of GOMODCACHE.
#[derive(Debug, Clone)]
pub struct ModCache {
    root: PathBuf,
}

/// Every file Go may keep for one version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VersionPaths {
    /// `cache/download/<esc path>/@v`
    pub v_dir: PathBuf,
    /// `@v/list`: the versions a `GOPROXY=file://` pointed at this cache would serve.
    pub list: PathBuf,
    pub info: PathBuf,
    pub gomod: PathBuf,
    pub zip: PathBuf,
    pub ziphash: PathBuf,
    pub lock: PathBuf,
    pub partial: PathBuf,
    /// The extracted tree `<esc path>@<esc ver>`.
    pub tree: PathBuf,
}

impl ModCache {
    /// Open an existing cache. The directory must exist; it need not contain anything yet.
    pub fn open(root: impl Into<PathBuf>) -> Result<Self> {
        let root = root.into();
        let meta = std::fs::metadata(&root).at(&root)?;
        if !meta.is_dir() {
            return Err(Error::invalid(&root, "module cache is not a directory"));
        }
        std::fs::read_dir(&root).at(&root)?;
        Ok(ModCache { root })
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    /// `cache/download`, where zips and metadata live.
    pub fn download_dir(&self) -> PathBuf {
        self.root.join("cache").join("download")
    }

    /// `cache/modcache`: modcache's own state (see [`crate::quick`]).
    pub fn state_dir(&self) -> PathBuf {
        self.root.join("cache").join("modcache")
    }

    /// True if the directory has the shape of a module cache (`cache/download` exists).
    pub fn looks_like_modcache(&self) -> bool {
        self.download_dir().is_dir()
    }

    pub fn paths(&self, mv: &ModuleVersion) -> VersionPaths {
        let path = escape::escape(&mv.path);
        let ver = escape::escape(&mv.version);
        let v_dir = self.download_dir().join(&path).join("@v");
        let file = |ext: &str| v_dir.join(format!("{ver}.{ext}"));
        VersionPaths {
            info: file("info"),
            gomod: file("mod"),
            zip: file("zip"),
            ziphash: file("ziphash"),
            lock: file("lock"),
            partial: file("partial"),
            tree: self.root.join(format!("{path}@{ver}")),
            list: v_dir.join("list"),
            v_dir,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_are_escaped_like_go() {
        let cache = ModCache {
            root: PathBuf::from("/m"),
        };
        let p = cache.paths(&ModuleVersion::new("github.com/Azure/go", "v1.0.0-RC"));
        assert_eq!(
            p.zip,
            Path::new("/m/cache/download/github.com/!azure/go/@v/v1.0.0-!r!c.zip")
        );
        assert_eq!(p.tree, Path::new("/m/github.com/!azure/go@v1.0.0-!r!c"));
        assert_eq!(
            p.ziphash,
            Path::new("/m/cache/download/github.com/!azure/go/@v/v1.0.0-!r!c.ziphash")
        );
    }
}
