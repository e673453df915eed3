//! Naming every file and directory Go keeps in the module cache.
//!
//! [`classify`] maps a path (relative to GOMODCACHE) to what Go uses it for. Temporary
//! names follow Go's writers: `tempFile` in modfetch/cache.go writes
//! `<base><random>.tmp` beside `.zip`, `.info` and `.mod` files; Go before 1.16
//! extracted to `<tree>.tmp-<random>`; renameio in Go 1.11–1.15 wrote
//! `<base>.tmp<random>`.

use std::path::{Component, Path};

use super::ModuleVersion;
use super::escape::unescape;
use super::semver::is_canonical;

/// What a path inside the module cache is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Entry {
    /// A module-version file under `cache/download/<path>/@v/`.
    Version(ModuleVersion, VersionFile),
    /// `cache/download/<path>/@v/list` (and its `list.lock`): versions seen from a proxy.
    VersionList(String),
    /// The root of an extracted tree `<path>@<version>`.
    Tree(ModuleVersion),
    /// A file or directory inside an extracted tree (relative path after the root).
    TreeFile(ModuleVersion),
    /// `<path>@<version>.tmp-<n>`: extraction directory left by Go before 1.16.
    TreeTmp(ModuleVersion),
    /// `cache/download/sumdb/...`: checksum database tiles and lookups.
    SumDb,
    /// `cache/vcs/...`: repositories cloned in direct mode.
    Vcs,
    /// Bookkeeping: Go's `cache/lock`, modcache's `cache/modcache/`, the directories
    /// leading to entries.
    Other,
    /// Something Go does not write.
    Unknown,
}

/// The files Go keeps for one version.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum VersionFile {
    Info,
    Mod,
    Zip,
    ZipHash,
    Lock,
    Partial,
    /// A temporary file of an interrupted write of a `.zip`, `.info` or `.mod`.
    Tmp,
}

/// Classify `rel`, a path relative to the cache root.
pub fn classify(rel: &Path) -> Entry {
    let parts: Vec<&str> = match rel
        .components()
        .map(|c| match c {
            Component::Normal(s) => s.to_str(),
            _ => None,
        })
        .collect::<Option<Vec<_>>>()
    {
        Some(parts) if !parts.is_empty() => parts,
        _ => return Entry::Unknown,
    };
    if parts[0] == "cache" {
        return classify_cache(&parts[1..]);
    }
    // An extracted tree: the first component containing '@' ends the module path.
    let Some(at) = parts.iter().position(|p| p.contains('@')) else {
        return Entry::Other; // a directory on the way to a tree
    };
    let (last, ver) = parts[at].split_once('@').expect("contains @");
    let mut path_parts: Vec<&str> = parts[..at].to_vec();
    path_parts.push(last);
    let Some(path) = unescape(&path_parts.join("/")) else {
        return Entry::Unknown;
    };
    if let Some(mv) = version_of(&path, ver) {
        return if at + 1 == parts.len() {
            Entry::Tree(mv)
        } else {
            Entry::TreeFile(mv)
        };
    }
    if let Some((ver, _)) = ver.split_once(".tmp-")
        && let Some(mv) = version_of(&path, ver)
    {
        return Entry::TreeTmp(mv);
    }
    Entry::Unknown
}

fn version_of(path: &str, escaped_ver: &str) -> Option<ModuleVersion> {
    let ver = unescape(escaped_ver)?;
    is_canonical(&ver).then(|| ModuleVersion::new(path, ver))
}

fn classify_cache(parts: &[&str]) -> Entry {
    match parts {
        [] | ["lock"] => Entry::Other,
        // modcache's own state (`fsck --quick`), see crate::quick.
        ["modcache", ..] => Entry::Other,
        ["vcs", ..] => Entry::Vcs,
        ["download"] => Entry::Other,
        ["download", "sumdb", ..] => Entry::SumDb,
        ["download", rest @ ..] => {
            let Some(v) = rest.iter().position(|p| *p == "@v") else {
                return Entry::Other; // directories leading to @v
            };
            let Some(path) = unescape(&rest[..v].join("/")) else {
                return Entry::Unknown;
            };
            match &rest[v + 1..] {
                [] => Entry::Other,
                ["list"] | ["list.lock"] => Entry::VersionList(path),
                [file] => classify_version_file(&path, file),
                _ => Entry::Unknown,
            }
        }
        _ => Entry::Unknown,
    }
}

fn classify_version_file(path: &str, file: &str) -> Entry {
    const EXTS: [(&str, VersionFile); 6] = [
        ("info", VersionFile::Info),
        ("mod", VersionFile::Mod),
        ("zip", VersionFile::Zip),
        ("ziphash", VersionFile::ZipHash),
        ("lock", VersionFile::Lock),
        ("partial", VersionFile::Partial),
    ];
    for (ext, kind) in EXTS {
        if let Some(ver) = file.strip_suffix(ext).and_then(|s| s.strip_suffix('.'))
            && let Some(mv) = version_of(path, ver)
        {
            return Entry::Version(mv, kind);
        }
    }
    // Temporary files: "<ver>.<ext><digits>.tmp" (tempFile, Go 1.16+) and
    // "<ver>.<ext>.tmp<digits>" (renameio, Go 1.11-1.15).
    for ext in ["zip", "info", "mod", "ziphash"] {
        for (ver_end, _) in file.match_indices(&format!(".{ext}")) {
            let tail = &file[ver_end + ext.len() + 1..];
            let digits_tmp = tail
                .strip_suffix(".tmp")
                .is_some_and(|d| d.chars().all(|c| c.is_ascii_digit()));
            let tmp_digits = tail
                .strip_prefix(".tmp")
                .is_some_and(|d| d.chars().all(|c| c.is_ascii_digit()));
            if (digits_tmp || tmp_digits)
                && let Some(mv) = version_of(path, &file[..ver_end])
            {
                return Entry::Version(mv, VersionFile::Tmp);
            }
        }
    }
    Entry::Unknown
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mv(p: &str, v: &str) -> ModuleVersion {
        ModuleVersion::new(p, v)
    }

    #[test]
    fn classifies_download_files() {
        let c = |s: &str| classify(Path::new(s));
        assert_eq!(
            c("cache/download/github.com/!azure/go/@v/v1.0.0.zip"),
            Entry::Version(mv("github.com/Azure/go", "v1.0.0"), VersionFile::Zip)
        );
        assert_eq!(
            c("cache/download/rsc.io/quote/@v/v1.5.2.ziphash"),
            Entry::Version(mv("rsc.io/quote", "v1.5.2"), VersionFile::ZipHash)
        );
        assert_eq!(
            c("cache/download/rsc.io/quote/@v/v1.5.2.zip123456.tmp"),
            Entry::Version(mv("rsc.io/quote", "v1.5.2"), VersionFile::Tmp)
        );
        assert_eq!(
            c("cache/download/rsc.io/quote/@v/v1.5.2.mod.tmp99"),
            Entry::Version(mv("rsc.io/quote", "v1.5.2"), VersionFile::Tmp)
        );
        assert_eq!(
            c("cache/download/rsc.io/quote/@v/list"),
            Entry::VersionList("rsc.io/quote".into())
        );
        assert_eq!(
            c("cache/download/sumdb/sum.golang.org/lookup/x"),
            Entry::SumDb
        );
        assert_eq!(c("cache/vcs/abc/HEAD"), Entry::Vcs);
        assert_eq!(c("cache/lock"), Entry::Other);
        assert_eq!(
            c("cache/download/rsc.io/quote/@v/v1.5.2.zip.bak"),
            Entry::Unknown
        );
        assert_eq!(
            c("cache/download/rsc.io/quote/@v/notaversion.zip"),
            Entry::Unknown
        );
    }

    #[test]
    fn classifies_trees() {
        let c = |s: &str| classify(Path::new(s));
        assert_eq!(
            c("rsc.io/quote@v1.5.2"),
            Entry::Tree(mv("rsc.io/quote", "v1.5.2"))
        );
        assert_eq!(
            c("rsc.io/quote@v1.5.2/go.mod"),
            Entry::TreeFile(mv("rsc.io/quote", "v1.5.2"))
        );
        assert_eq!(
            c("rsc.io/quote@v1.5.2.tmp-12345"),
            Entry::TreeTmp(mv("rsc.io/quote", "v1.5.2"))
        );
        assert_eq!(c("github.com/!burnt!sushi"), Entry::Other);
        assert_eq!(c("rsc.io/quote@latest"), Entry::Unknown);
    }
}
