//! Enumerate every module version the cache holds anything for.
//!
//! Two walks cover the whole cache: `cache/download` (metadata and zips, skipping
//! `sumdb`) and the root without `cache` (extracted trees, which are not descended into).
//! Each file is named by [`classify`]; the result groups them by version.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use walkdir::WalkDir;

use crate::cache::entry::VersionFile;
use crate::cache::{Entry, ModCache, ModuleVersion, classify};

/// What the cache holds for one version.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct VersionFiles {
    pub info: bool,
    pub gomod: bool,
    pub zip: bool,
    pub ziphash: bool,
    pub lock: bool,
    pub partial: bool,
    pub tree: bool,
    /// Go's temporary files for this version (`<ver>.zip123.tmp`, `<tree>.tmp-123`).
    pub tmp: Vec<PathBuf>,
}

/// Everything found in the cache.
#[derive(Debug, Default)]
pub struct Inventory {
    pub versions: BTreeMap<ModuleVersion, VersionFiles>,
    /// Walk errors (unreadable directories), with the path they concern.
    pub errors: Vec<(PathBuf, std::io::Error)>,
}

/// Walk the cache and group its files by version.
pub fn scan(cache: &ModCache) -> Inventory {
    let mut inv = Inventory::default();
    let root = cache.root();
    let download = cache.download_dir();
    let mut downloads = WalkDir::new(&download).min_depth(1).into_iter();
    while let Some(entry) = downloads.next() {
        let e = match entry {
            Ok(e) => e,
            // A cache that has only extracted trees, or nothing yet, has no cache/download.
            Err(err)
                if err.depth() == 0
                    && err
                        .io_error()
                        .is_some_and(|e| e.kind() == std::io::ErrorKind::NotFound) =>
            {
                continue;
            }
            Err(err) => {
                inv.walk_error(err);
                continue;
            }
        };
        let is_dir = e.file_type().is_dir();
        if is_dir && e.depth() == 1 && e.file_name() == "sumdb" {
            downloads.skip_current_dir();
        } else if inv.add(root, e.path()) && is_dir {
            // A directory where Go keeps a file (`v1.0.0.zip/`): recorded, so that the
            // check reports it, and not descended into.
            downloads.skip_current_dir();
        }
    }

    let mut trees = WalkDir::new(root).min_depth(1).into_iter();
    while let Some(entry) = trees.next() {
        let e = match entry {
            Ok(e) => e,
            Err(err) => {
                inv.walk_error(err);
                continue;
            }
        };
        if e.depth() == 1 && e.file_name() == "cache" {
            trees.skip_current_dir();
            continue;
        }
        let rel = e.path().strip_prefix(root).unwrap_or(e.path());
        match classify(rel) {
            Entry::Tree(mv) => {
                inv.versions.entry(mv).or_default().tree = true;
                if e.file_type().is_dir() {
                    trees.skip_current_dir();
                }
            }
            Entry::TreeTmp(mv) => {
                inv.versions
                    .entry(mv)
                    .or_default()
                    .tmp
                    .push(e.path().to_path_buf());
                if e.file_type().is_dir() {
                    trees.skip_current_dir();
                }
            }
            _ => {}
        }
    }
    inv
}

impl Inventory {
    /// Record `path` if it is one of a version's files; returns whether it was.
    fn add(&mut self, root: &Path, path: &Path) -> bool {
        let rel = path.strip_prefix(root).unwrap_or(path);
        let Entry::Version(mv, kind) = classify(rel) else {
            return false;
        };
        let files = self.versions.entry(mv).or_default();
        match kind {
            VersionFile::Info => files.info = true,
            VersionFile::Mod => files.gomod = true,
            VersionFile::Zip => files.zip = true,
            VersionFile::ZipHash => files.ziphash = true,
            VersionFile::Lock => files.lock = true,
            VersionFile::Partial => files.partial = true,
            VersionFile::Tmp => files.tmp.push(path.to_path_buf()),
        }
        true
    }

    fn walk_error(&mut self, err: walkdir::Error) {
        let path = err.path().map(Path::to_path_buf).unwrap_or_default();
        if let Some(io) = err.into_io_error() {
            self.errors.push((path, io));
        }
    }
}

/// Look up what the cache holds for one version right now (used to re-check a version
/// under its lock before deleting anything).
pub fn scan_version(cache: &ModCache, mv: &ModuleVersion) -> VersionFiles {
    let paths = cache.paths(mv);
    let exists = |p: &Path| p.symlink_metadata().is_ok();
    let mut files = VersionFiles {
        info: exists(&paths.info),
        gomod: exists(&paths.gomod),
        zip: exists(&paths.zip),
        ziphash: exists(&paths.ziphash),
        lock: exists(&paths.lock),
        partial: exists(&paths.partial),
        tree: exists(&paths.tree),
        tmp: Vec::new(),
    };
    let root = cache.root();
    let mut look_in = |dir: &Path| {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            let rel = path.strip_prefix(root).unwrap_or(&path);
            match classify(rel) {
                Entry::Version(m, VersionFile::Tmp) | Entry::TreeTmp(m) if &m == mv => {
                    files.tmp.push(path)
                }
                _ => {}
            }
        }
    };
    look_in(&paths.v_dir);
    if let Some(parent) = paths.tree.parent() {
        look_in(parent);
    }
    files.tmp.sort();
    files
}
