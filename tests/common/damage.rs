//! What real life does to a module cache, one version at a time.
//!
//! Go extracts trees with read-only files (0444) and then makes their directories
//! read-only (0555). Each helper makes writable only what it must touch and restores the
//! modes afterwards, so the rest of the cache stays exactly as Go left it.

use std::fs;
use std::io::{Cursor, Read};
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

use modcache::cache::{ModCache, ModuleVersion, VersionPaths};

/// The number Go's `tempFile` would have drawn; fixed so tests are deterministic.
pub const TMP_NUMBER: u32 = 271_828_182;

/// A well-formed h1: hash that matches nothing.
pub const WRONG_H1: &str = "h1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=";

/// One version in a cache, with every path Go keeps for it.
#[derive(Debug, Clone)]
pub struct CachedVersion {
    pub cache: ModCache,
    pub mv: ModuleVersion,
    pub paths: VersionPaths,
}

impl CachedVersion {
    pub fn new(cache: ModCache, mv: ModuleVersion) -> CachedVersion {
        let paths = cache.paths(&mv);
        CachedVersion { cache, mv, paths }
    }

    /// A file of the extracted tree (`rel` uses `/`).
    pub fn tree_file(&self, rel: &str) -> PathBuf {
        self.paths.tree.join(rel)
    }

    /// The zip's entry names without the `path@version/` prefix, in zip order.
    pub fn zip_entries(&self) -> Vec<String> {
        self.read_zip().into_iter().map(|(n, _)| n).collect()
    }

    fn read_zip(&self) -> Vec<(String, Vec<u8>)> {
        let data = fs::read(&self.paths.zip).unwrap();
        let mut zip = zip::ZipArchive::new(Cursor::new(data)).unwrap();
        let prefix = self.mv.zip_prefix();
        (0..zip.len())
            .map(|i| {
                let mut f = zip.by_index(i).unwrap();
                let full = f.name().unwrap().into_owned();
                let name = full.strip_prefix(&prefix).unwrap_or(&full).to_string();
                let mut body = Vec::new();
                f.read_to_end(&mut body).unwrap();
                (name, body)
            })
            .collect()
    }

    // --- the extracted tree ---

    /// Change a tree file's bytes in place (someone edited the dependency's source).
    pub fn edit_tree_file(&self, rel: &str, edit: impl FnOnce(&mut Vec<u8>)) -> PathBuf {
        let path = self.tree_file(rel);
        let mut data = fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        edit(&mut data);
        with_writable(&path, || fs::write(&path, &data).unwrap());
        path
    }

    /// Replace a tree file's contents, or create it (read-only, like Go's files).
    pub fn write_tree_file(&self, rel: &str, data: impl AsRef<[u8]>) -> PathBuf {
        let path = self.tree_file(rel);
        if path.exists() {
            with_writable(&path, || fs::write(&path, data.as_ref()).unwrap());
        } else {
            self.add_tree_file(rel, data);
        }
        path
    }

    /// Add a file Go did not extract (creating read-only parent directories as needed).
    pub fn add_tree_file(&self, rel: &str, data: impl AsRef<[u8]>) -> PathBuf {
        let path = self.tree_file(rel);
        assert!(!path.exists(), "{} already exists", path.display());
        let parent = path.parent().unwrap().to_path_buf();
        let existing = parent
            .ancestors()
            .find(|p| p.is_dir())
            .expect("tree parent exists")
            .to_path_buf();
        with_writable(&existing, || {
            fs::create_dir_all(&parent).unwrap();
            fs::write(&path, data.as_ref()).unwrap();
            set_mode(&path, 0o444);
            // New directories below `existing` get Go's read-only mode, deepest first.
            for dir in parent.ancestors().take_while(|d| *d != existing) {
                set_mode(dir, 0o555);
            }
        });
        path
    }

    /// Delete a tree file (or directory).
    pub fn remove_tree_file(&self, rel: &str) -> PathBuf {
        let path = self.tree_file(rel);
        let parent = path.parent().unwrap().to_path_buf();
        with_writable(&parent, || remove_any(&path));
        path
    }

    /// Remove everything inside the tree, leaving the (read-only) directory itself.
    pub fn empty_tree(&self) -> PathBuf {
        let tree = &self.paths.tree;
        with_writable(tree, || {
            for entry in fs::read_dir(tree).unwrap() {
                remove_any(&entry.unwrap().path());
            }
        });
        tree.clone()
    }

    /// Remove the tree directory altogether (the zip stays).
    pub fn remove_tree(&self) -> PathBuf {
        remove_any(&self.paths.tree);
        self.paths.tree.clone()
    }

    /// What a killed `go` leaves mid-extraction: the `.partial` marker, and a tree holding
    /// only the first half of the zip's files (in zip order) with directories still
    /// writable, since Go makes them read-only only after extracting everything. The zip
    /// and `.ziphash` stay, as Go writes them before extracting.
    pub fn interrupt_extraction(&self) -> PathBuf {
        let entries = self.read_zip();
        remove_any(&self.paths.tree);
        fs::write(&self.paths.partial, b"").unwrap();
        fs::create_dir_all(&self.paths.tree).unwrap();
        for (name, data) in entries.iter().take(entries.len() / 2) {
            let path = self.tree_file(name);
            fs::create_dir_all(path.parent().unwrap()).unwrap();
            fs::write(&path, data).unwrap();
            set_mode(&path, 0o444);
        }
        self.paths.partial.clone()
    }

    // --- the zip and its hash ---

    /// Cut the zip to half its length (a crash or full disk during the write).
    pub fn truncate_zip(&self) -> PathBuf {
        let zip = &self.paths.zip;
        let len = fs::metadata(zip).unwrap().len();
        with_writable(zip, || {
            fs::OpenOptions::new()
                .write(true)
                .open(zip)
                .unwrap()
                .set_len(len / 2)
                .unwrap()
        });
        zip.clone()
    }

    /// Flip one bit inside the compressed data of entry `rel` so that it still inflates
    /// to the right length but its CRC-32 no longer matches: Go's reader fails with
    /// `zip: checksum error` (bit rot).
    pub fn corrupt_zip_entry(&self, rel: &str) -> PathBuf {
        let zip_path = &self.paths.zip;
        let mut data = fs::read(zip_path).unwrap();
        let name = format!("{}{rel}", self.mv.zip_prefix());
        let (start, size, crc, len, stored) = {
            let mut zip = zip::ZipArchive::new(Cursor::new(&data)).unwrap();
            let f = zip.by_name(&name).unwrap_or_else(|e| panic!("{name}: {e}"));
            (
                f.data_start().expect("data start") as usize,
                f.compressed_size() as usize,
                f.crc32(),
                f.size() as usize,
                f.compression() == zip::CompressionMethod::Stored,
            )
        };
        assert!(size > 0, "{name} has no data to corrupt");
        let region = start..start + size;
        let bad_crc = |d: &[u8]| {
            if stored {
                return crc32fast::hash(d) != crc;
            }
            let mut out = Vec::new();
            flate2::read::DeflateDecoder::new(d)
                .read_to_end(&mut out)
                .is_ok()
                && out.len() == len
                && crc32fast::hash(&out) != crc
        };
        let offsets = (size / 2..size).chain(0..size / 2);
        let found = offsets
            .flat_map(|o| (0..8).map(move |b| (o, b)))
            .find(|&(o, b)| {
                data[start + o] ^= 1 << b;
                let ok = bad_crc(&data[region.clone()]);
                data[start + o] ^= 1 << b;
                ok
            });
        let (o, b) = found.unwrap_or_else(|| panic!("no bit flip of {name} gives a CRC error"));
        data[start + o] ^= 1 << b;
        with_writable(zip_path, || fs::write(zip_path, &data).unwrap());
        zip_path.clone()
    }

    /// Replace the zip by something that is no zip at all (a proxy's error page).
    pub fn garbage_zip(&self) -> PathBuf {
        let zip = &self.paths.zip;
        with_writable(zip, || {
            fs::write(zip, b"<html><body>502 Bad Gateway</body></html>\n").unwrap()
        });
        zip.clone()
    }

    pub fn remove_zip(&self) -> PathBuf {
        remove_any(&self.paths.zip);
        self.paths.zip.clone()
    }

    pub fn remove_ziphash(&self) -> PathBuf {
        remove_any(&self.paths.ziphash);
        self.paths.ziphash.clone()
    }

    /// Write `text` as the `.ziphash`.
    pub fn write_ziphash(&self, text: &str) -> PathBuf {
        let p = &self.paths.ziphash;
        with_writable_if_exists(p, || fs::write(p, text).unwrap());
        p.clone()
    }

    /// A well-formed `.ziphash` that matches neither zip nor tree ([`WRONG_H1`]).
    pub fn garble_ziphash(&self) -> PathBuf {
        self.write_ziphash(WRONG_H1)
    }

    // --- metadata ---

    pub fn write_info(&self, data: impl AsRef<[u8]>) -> PathBuf {
        let p = &self.paths.info;
        with_writable_if_exists(p, || fs::write(p, data.as_ref()).unwrap());
        p.clone()
    }

    /// Cut the `.info` JSON in half (a torn write).
    pub fn garble_info(&self) -> PathBuf {
        let data = fs::read(&self.paths.info).unwrap();
        self.write_info(&data[..data.len() / 2])
    }

    pub fn remove_info(&self) -> PathBuf {
        remove_any(&self.paths.info);
        self.paths.info.clone()
    }

    pub fn write_mod(&self, data: impl AsRef<[u8]>) -> PathBuf {
        let p = &self.paths.gomod;
        with_writable_if_exists(p, || fs::write(p, data.as_ref()).unwrap());
        p.clone()
    }

    /// Change the cached `.mod` (its go.sum `/go.mod` line no longer matches).
    pub fn edit_mod(&self, edit: impl FnOnce(&mut Vec<u8>)) -> PathBuf {
        let mut data = fs::read(&self.paths.gomod).unwrap();
        edit(&mut data);
        self.write_mod(data)
    }

    pub fn remove_mod(&self) -> PathBuf {
        remove_any(&self.paths.gomod);
        self.paths.gomod.clone()
    }

    // --- leftovers of interrupted Go commands ---

    /// `<ver>.zip<N>.tmp` holding the first half of the zip (an interrupted download).
    pub fn leave_zip_tmp(&self) -> PathBuf {
        let zip = fs::read(&self.paths.zip).unwrap_or_default();
        let p = self.tmp_file("zip");
        fs::write(&p, &zip[..zip.len() / 2]).unwrap();
        p
    }

    /// `<ver>.info<N>.tmp`, empty (created, never written).
    pub fn leave_info_tmp(&self) -> PathBuf {
        let p = self.tmp_file("info");
        fs::write(&p, b"").unwrap();
        p
    }

    /// `<ver>.mod<N>.tmp`, empty.
    pub fn leave_mod_tmp(&self) -> PathBuf {
        let p = self.tmp_file("mod");
        fs::write(&p, b"").unwrap();
        p
    }

    /// `<tree>.tmp-<N>`: the temporary extraction directory of Go before 1.16, holding the
    /// zip's first file.
    pub fn leave_tree_tmp(&self) -> PathBuf {
        let tree = &self.paths.tree;
        let dir = tree.with_file_name(format!(
            "{}.tmp-{TMP_NUMBER}",
            tree.file_name().unwrap().to_string_lossy()
        ));
        fs::create_dir_all(&dir).unwrap();
        if let Some((name, data)) = self.read_zip().into_iter().next() {
            let p = dir.join(name);
            fs::create_dir_all(p.parent().unwrap()).unwrap();
            fs::write(p, data).unwrap();
        }
        dir
    }

    fn tmp_file(&self, ext: &str) -> PathBuf {
        let base = self.paths.zip.file_stem().unwrap().to_string_lossy();
        fs::create_dir_all(&self.paths.v_dir).unwrap();
        self.paths
            .v_dir
            .join(format!("{base}.{ext}{TMP_NUMBER}.tmp"))
    }
}

fn mode(path: &Path) -> u32 {
    fs::symlink_metadata(path)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .permissions()
        .mode()
        & 0o7777
}

pub fn set_mode(path: &Path, mode: u32) {
    fs::set_permissions(path, fs::Permissions::from_mode(mode))
        .unwrap_or_else(|e| panic!("chmod {}: {e}", path.display()));
}

/// Run `f` with owner write permission on `path` (a file or directory), then restore
/// its mode.
pub fn with_writable<T>(path: &Path, f: impl FnOnce() -> T) -> T {
    let old = mode(path);
    set_mode(path, old | 0o200);
    let out = f();
    if path.exists() {
        set_mode(path, old);
    }
    out
}

fn with_writable_if_exists<T>(path: &Path, f: impl FnOnce() -> T) -> T {
    if path.exists() {
        with_writable(path, f)
    } else {
        f()
    }
}

/// Give every directory under `root` owner write permission (what `go clean -modcache`
/// does before deleting).
pub fn make_tree_writable(root: &Path) {
    for entry in walkdir::WalkDir::new(root).into_iter().flatten() {
        if entry.file_type().is_dir() {
            let m = mode(entry.path());
            if m & 0o200 == 0 {
                set_mode(entry.path(), m | 0o700);
            }
        }
    }
}

/// Remove a file or a whole directory, whatever its modes. Its parent must be writable
/// or be made writable by the caller.
pub fn remove_any(path: &Path) {
    let Ok(meta) = fs::symlink_metadata(path) else {
        return;
    };
    if meta.is_dir() {
        make_tree_writable(path);
        fs::remove_dir_all(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    } else {
        fs::remove_file(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    }
}
