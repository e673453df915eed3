//! `fsck --quick`: skip re-hashing versions whose files have not changed since they were
//! last verified.
//!
//! A version's *fingerprint* is a SHA-256 over the metadata of every file Go keeps for
//! it — the zip, the `.ziphash` and every file and directory of the extracted tree —
//! namely relative name, type, size, inode, mtime and ctime (nanoseconds). Editing,
//! adding, removing or replacing any of them changes the fingerprint: even a tool that
//! restores mtime cannot restore ctime. What quick mode cannot see is a change below
//! the file system (bit rot, a disk fault, raw writes to the block device), because the
//! metadata stays the same; run a full `fsck` for that.
//!
//! The state lives in `$GOMODCACHE/cache/modcache/quick-v1`: one line per version that
//! verified clean, `<fingerprint> <h1> <escaped path>@<escaped version>`. It is written
//! atomically (temp file + rename) and read leniently: a damaged state file only makes
//! the next run slower, never wrong.

use std::collections::HashMap;
use std::io::Write;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use crate::cache::{ModCache, ModuleVersion, escape};
use crate::error::{IoContext, Result};

/// A digest of the metadata of a version's files.
pub type Fingerprint = [u8; 32];

/// Versions known to be clean, with the fingerprint they had when verified.
#[derive(Debug, Default)]
pub struct QuickState {
    verified: HashMap<ModuleVersion, (Fingerprint, String)>,
}

/// Where the state file lives in `cache`.
pub fn state_path(cache: &ModCache) -> PathBuf {
    cache.state_dir().join("quick-v1")
}

impl QuickState {
    /// Load the state; a missing or damaged file gives an empty (or partial) state.
    pub fn load(cache: &ModCache) -> QuickState {
        let text = std::fs::read_to_string(state_path(cache)).unwrap_or_default();
        let verified = text
            .lines()
            .filter_map(|line| {
                let mut fields = line.split(' ');
                let fp = decode_hex(fields.next()?)?;
                let h1 = fields.next()?.to_string();
                let (path, version) = fields.next()?.rsplit_once('@')?;
                let mv = ModuleVersion::new(escape::unescape(path)?, escape::unescape(version)?);
                Some((mv, (fp, h1)))
            })
            .collect();
        QuickState { verified }
    }

    /// The h1 recorded for `mv` if its fingerprint is still `fp`.
    pub fn verified_h1(&self, mv: &ModuleVersion, fp: &Fingerprint) -> Option<&str> {
        match self.verified.get(mv) {
            Some((known, h1)) if known == fp => Some(h1),
            _ => None,
        }
    }

    pub fn insert(&mut self, mv: ModuleVersion, fp: Fingerprint, h1: String) {
        self.verified.insert(mv, (fp, h1));
    }

    /// Write the state atomically.
    pub fn save(&self, cache: &ModCache) -> Result<()> {
        let path = state_path(cache);
        let dir = path.parent().expect("state file has a parent");
        std::fs::create_dir_all(dir).at(dir)?;
        let mut lines: Vec<String> = self
            .verified
            .iter()
            .map(|(mv, (fp, h1))| {
                format!(
                    "{} {h1} {}@{}\n",
                    encode_hex(fp),
                    escape::escape(&mv.path),
                    escape::escape(&mv.version)
                )
            })
            .collect();
        lines.sort();
        let tmp = dir.join(format!("quick-v1.{}.tmp", std::process::id()));
        let mut file = std::fs::File::create(&tmp).at(&tmp)?;
        file.write_all(lines.concat().as_bytes()).at(&tmp)?;
        file.sync_all().at(&tmp)?;
        std::fs::rename(&tmp, &path).at(&path)
    }
}

/// Fingerprint the zip, `.ziphash` and tree of `mv`. Missing files count as absent.
pub fn fingerprint(cache: &ModCache, mv: &ModuleVersion) -> Fingerprint {
    let paths = cache.paths(mv);
    let mut h = Sha256::new();
    for (label, path) in [("zip", &paths.zip), ("ziphash", &paths.ziphash)] {
        h.update(label.as_bytes());
        add_meta(&mut h, path.symlink_metadata().ok());
    }
    h.update(b"tree");
    let tree = paths.tree.symlink_metadata().ok();
    let is_dir = tree.as_ref().is_some_and(|m| m.is_dir());
    add_meta(&mut h, tree);
    if is_dir {
        add_dir(&mut h, &paths.tree, &mut Vec::new());
    }
    h.finalize().into()
}

/// Feed every entry below `dir` in name order: its name relative to the tree, then its
/// metadata. `DirEntry::metadata` stats relative to the open directory (`fstatat`), which
/// costs half of stat-ing each file by its full path on a cache of 160,000 files.
fn add_dir(h: &mut Sha256, dir: &Path, rel: &mut Vec<u8>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        h.update(b"\0unreadable");
        return;
    };
    let mut entries: Vec<_> = entries.filter_map(|e| e.ok()).collect();
    entries.sort_by_key(|e| e.file_name());
    for entry in entries {
        let len = rel.len();
        rel.push(b'/');
        rel.extend_from_slice(entry.file_name().as_encoded_bytes());
        h.update(&rel[..]);
        h.update([0]);
        let meta = entry.metadata().ok();
        let is_dir = meta.as_ref().is_some_and(|m| m.is_dir());
        add_meta(h, meta);
        if is_dir {
            add_dir(h, &entry.path(), rel);
        }
        rel.truncate(len);
    }
}

fn add_meta(h: &mut Sha256, meta: Option<std::fs::Metadata>) {
    match meta {
        None => h.update(b"absent"),
        Some(m) => {
            for n in [
                m.mode() as i64,
                m.size() as i64,
                m.ino() as i64,
                m.dev() as i64,
                m.mtime(),
                m.mtime_nsec(),
                m.ctime(),
                m.ctime_nsec(),
            ] {
                h.update(n.to_le_bytes());
            }
        }
    }
}

fn encode_hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn decode_hex(s: &str) -> Option<Fingerprint> {
    if s.len() != 64 {
        return None;
    }
    let mut out = [0u8; 32];
    for (i, byte) in out.iter_mut().enumerate() {
        *byte = u8::from_str_radix(s.get(2 * i..2 * i + 2)?, 16).ok()?;
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fingerprint_changes_with_any_file_and_state_round_trips() {
        let tmp = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(tmp.path().join("cache/download")).unwrap();
        let cache = ModCache::open(tmp.path()).unwrap();
        let mv = ModuleVersion::new("example.com/Big", "v1.0.0");
        let tree = cache.paths(&mv).tree;
        std::fs::create_dir_all(&tree).unwrap();
        std::fs::write(tree.join("a.go"), "package a").unwrap();
        let before = fingerprint(&cache, &mv);
        assert_eq!(before, fingerprint(&cache, &mv));
        std::fs::write(tree.join("a.go"), "package b").unwrap();
        let after = fingerprint(&cache, &mv);
        assert_ne!(before, after);
        std::fs::write(tree.join("b.go"), "").unwrap();
        assert_ne!(after, fingerprint(&cache, &mv));

        let mut state = QuickState::default();
        state.insert(mv.clone(), after, "h1:abc".into());
        state.save(&cache).unwrap();
        let loaded = QuickState::load(&cache);
        assert_eq!(loaded.verified_h1(&mv, &after), Some("h1:abc"));
        assert_eq!(loaded.verified_h1(&mv, &before), None);
    }
}
