//! Every file of a directory with its bytes and mode, to assert what a command left alone.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

use modcache::cache::{Entry, ModuleVersion, classify};

#[derive(Clone, PartialEq, Eq)]
pub enum Node {
    Dir { mode: u32 },
    File { mode: u32, data: Vec<u8> },
    Symlink { target: PathBuf },
}

impl fmt::Debug for Node {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Node::Dir { mode } => write!(f, "dir {mode:o}"),
            Node::File { mode, data } => write!(f, "file {mode:o} ({} bytes)", data.len()),
            Node::Symlink { target } => write!(f, "symlink -> {}", target.display()),
        }
    }
}

/// Paths relative to the snapshot's root.
#[derive(Clone, PartialEq, Eq, Default)]
pub struct Snapshot {
    pub entries: BTreeMap<PathBuf, Node>,
}

impl Snapshot {
    pub fn of(root: &Path) -> Snapshot {
        let mut entries = BTreeMap::new();
        for e in walkdir::WalkDir::new(root).min_depth(1) {
            let e = e.unwrap();
            let meta = fs::symlink_metadata(e.path()).unwrap();
            let mode = meta.permissions().mode() & 0o7777;
            let node = if meta.file_type().is_symlink() {
                Node::Symlink {
                    target: fs::read_link(e.path()).unwrap(),
                }
            } else if meta.is_dir() {
                Node::Dir { mode }
            } else {
                Node::File {
                    mode,
                    data: fs::read(e.path()).unwrap(),
                }
            };
            entries.insert(e.path().strip_prefix(root).unwrap().to_path_buf(), node);
        }
        Snapshot { entries }
    }

    pub fn paths(&self) -> impl Iterator<Item = &Path> {
        self.entries.keys().map(PathBuf::as_path)
    }

    pub fn get(&self, rel: impl AsRef<Path>) -> Option<&Node> {
        self.entries.get(rel.as_ref())
    }

    /// Keep the entries for which `keep(relative path)` holds.
    pub fn filter(&self, keep: impl Fn(&Path) -> bool) -> Snapshot {
        Snapshot {
            entries: self
                .entries
                .iter()
                .filter(|(p, _)| keep(p))
                .map(|(p, n)| (p.clone(), n.clone()))
                .collect(),
        }
    }

    /// Drop everything that belongs to these versions (`path@version`): their download
    /// files (zip, ziphash, info, mod, lock, partial, temporary files), their tree and its
    /// temporary extraction directories, as [`classify`] names them.
    pub fn without_versions(&self, specs: &[&str]) -> Snapshot {
        let drop: BTreeSet<ModuleVersion> = specs.iter().map(|s| super::parse_spec(s)).collect();
        self.filter(|p| match classify(p) {
            Entry::Version(mv, _) | Entry::Tree(mv) | Entry::TreeFile(mv) | Entry::TreeTmp(mv) => {
                !drop.contains(&mv)
            }
            _ => true,
        })
    }

    /// One line per difference, `self` being before and `other` after.
    pub fn diff(&self, other: &Snapshot) -> Vec<String> {
        let mut out = Vec::new();
        let keys: BTreeSet<&PathBuf> = self.entries.keys().chain(other.entries.keys()).collect();
        for k in keys {
            match (self.entries.get(k), other.entries.get(k)) {
                (Some(a), None) => out.push(format!("removed  {}: {a:?}", k.display())),
                (None, Some(b)) => out.push(format!("added    {}: {b:?}", k.display())),
                (Some(a), Some(b)) if a != b => {
                    let what = match (a, b) {
                        (Node::File { data: x, .. }, Node::File { data: y, .. }) if x != y => {
                            "contents differ; "
                        }
                        _ => "",
                    };
                    out.push(format!("changed  {}: {what}{a:?} -> {b:?}", k.display()));
                }
                _ => {}
            }
        }
        out
    }

    /// Panic, listing the differences, unless `after` equals `self`.
    #[track_caller]
    pub fn assert_same(&self, after: &Snapshot) {
        let diff = self.diff(after);
        assert!(diff.is_empty(), "files changed:\n  {}", diff.join("\n  "));
    }
}

impl fmt::Debug for Snapshot {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map().entries(self.entries.iter()).finish()
    }
}
