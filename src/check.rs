//! One version's files → its problems, judged by the rules Go applies.
//!
//! The `.ziphash` file is the reference: Go writes it when it downloads and verifies the
//! zip, and `go mod verify` compares both the zip and the extracted tree with it. The
//! checks mirror Go's code paths:
//!
//! | kind | Go's code that trips over it |
//! |---|---|
//! | `zip-corrupt` | `dirhash.HashZip` fails, or `modzip.Unzip`'s `checkZip` rejects the zip |
//! | `zip-modified` | `go mod verify`: "zip has been modified" |
//! | `dir-modified` | `go mod verify`: "dir has been modified" (or the tree cannot be hashed) |
//! | `ziphash-missing` | `DownloadDir`: "ziphash file is missing"; verify: "missing ziphash" |
//! | `ziphash-invalid` | `checkMod`: `isValidSum` fails or the sum is not `h1:` |
//! | `partial` | `DownloadDir`: "not completely extracted" |
//! | `tmp-leftover` | temp files that `downloadZip`/`unzip` clean up only under the lock |
//! | `info-corrupt` | `readDiskStat`: the JSON does not decode to this version |
//! | `gosum-mismatch` | `checkModSum`: "checksum mismatch ... go.sum" |
//! | `gomod-mismatch` | `checkGoMod`: "verifying go.mod: checksum mismatch" |
//! | `unreadable` | any read of the file fails (permissions, I/O error) |

use std::fmt;
use std::io;
use std::path::{Path, PathBuf};

use crate::cache::{ModCache, ModuleVersion, VersionPaths, lock};
use crate::gosum::SumIndex;
use crate::gotime;
use crate::hash::{self, ZipError};
use crate::quick::{self, Fingerprint, QuickState};
use crate::scan::VersionFiles;

/// A kind of problem. The names are a stable interface (`--json`, README).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Kind {
    ZipCorrupt,
    ZipModified,
    DirModified,
    ZiphashMissing,
    ZiphashInvalid,
    Partial,
    TmpLeftover,
    InfoCorrupt,
    GosumMismatch,
    GomodMismatch,
    Unreadable,
}

impl Kind {
    pub const ALL: [Kind; 11] = [
        Kind::ZipCorrupt,
        Kind::ZipModified,
        Kind::DirModified,
        Kind::ZiphashMissing,
        Kind::ZiphashInvalid,
        Kind::Partial,
        Kind::TmpLeftover,
        Kind::InfoCorrupt,
        Kind::GosumMismatch,
        Kind::GomodMismatch,
        Kind::Unreadable,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Kind::ZipCorrupt => "zip-corrupt",
            Kind::ZipModified => "zip-modified",
            Kind::DirModified => "dir-modified",
            Kind::ZiphashMissing => "ziphash-missing",
            Kind::ZiphashInvalid => "ziphash-invalid",
            Kind::Partial => "partial",
            Kind::TmpLeftover => "tmp-leftover",
            Kind::InfoCorrupt => "info-corrupt",
            Kind::GosumMismatch => "gosum-mismatch",
            Kind::GomodMismatch => "gomod-mismatch",
            Kind::Unreadable => "unreadable",
        }
    }
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One finding: what is wrong, with which file, of which version.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Problem {
    pub module: Option<ModuleVersion>,
    pub kind: Kind,
    pub path: PathBuf,
    pub detail: String,
}

/// Counters of one check, merged with `+=`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Stats {
    pub versions_checked: u64,
    pub bytes_hashed: u64,
    pub zips_hashed: u64,
    pub trees_hashed: u64,
    /// Versions whose hashing `--quick` skipped as unchanged.
    pub versions_skipped: u64,
    /// Versions a running `go` command was writing (their lock was held): not judged.
    pub versions_busy: u64,
}

impl std::ops::AddAssign for Stats {
    fn add_assign(&mut self, o: Stats) {
        self.versions_checked += o.versions_checked;
        self.bytes_hashed += o.bytes_hashed;
        self.zips_hashed += o.zips_hashed;
        self.trees_hashed += o.trees_hashed;
        self.versions_skipped += o.versions_skipped;
        self.versions_busy += o.versions_busy;
    }
}

/// The result of checking one version.
#[derive(Debug, Default)]
pub struct VersionReport {
    pub problems: Vec<Problem>,
    pub stats: Stats,
    /// The h1 Go recorded in `.ziphash`, when well-formed.
    pub ziphash: Option<String>,
    /// Set when the zip and tree were verified (or skipped as unchanged) against this
    /// h1: the fingerprint to remember for `--quick`.
    pub verified: Option<(Fingerprint, String)>,
}

/// What the `.ziphash` file says.
enum Recorded {
    Missing,
    Invalid,
    Sum(String),
}

/// Check one version: every file the cache holds for it, against each other and go.sum.
pub fn check_version(
    cache: &ModCache,
    mv: &ModuleVersion,
    files: &VersionFiles,
    sums: &SumIndex,
) -> VersionReport {
    check_version_with(cache, mv, files, sums, None)
}

/// [`check_version`], skipping the zip and tree hashes when `quick` knows the version
/// verified clean with the same file metadata (see [`crate::quick`]).
pub fn check_version_with(
    cache: &ModCache,
    mv: &ModuleVersion,
    files: &VersionFiles,
    sums: &SumIndex,
    quick: Option<&QuickState>,
) -> VersionReport {
    let paths = cache.paths(mv);
    let mut c = Checker {
        mv,
        paths: &paths,
        report: VersionReport::default(),
    };
    c.report.stats.versions_checked = 1;

    for tmp in &files.tmp {
        c.problem(
            Kind::TmpLeftover,
            tmp,
            "temporary file of an interrupted download or extraction",
        );
    }
    if files.partial {
        c.problem(
            Kind::Partial,
            &paths.partial,
            "extraction was interrupted: the tree is not completely extracted",
        );
    }
    if files.info {
        c.check_info();
    }

    let recorded = if files.ziphash {
        c.read_ziphash()
    } else {
        Recorded::Missing
    };
    if let Recorded::Sum(h) = &recorded {
        c.report.ziphash = Some(h.clone());
    }
    if matches!(recorded, Recorded::Missing) && (files.zip || (files.tree && !files.partial)) {
        let what = if files.zip { "zip" } else { "extracted tree" };
        c.problem(
            Kind::ZiphashMissing,
            &paths.ziphash,
            format!("missing ziphash: the {what} exists but Go's record of its hash does not"),
        );
    }
    let expected = match &recorded {
        Recorded::Sum(h) => Some(h.as_str()),
        _ => None,
    };

    let hash_tree = files.tree && !files.partial;
    let fingerprint = match (quick, expected) {
        (Some(_), Some(_)) if files.zip || hash_tree => Some(quick::fingerprint(cache, mv)),
        _ => None,
    };
    if let (Some(state), Some(fp), Some(expected)) = (quick, &fingerprint, expected)
        && state.verified_h1(mv, fp) == Some(expected)
    {
        c.report.stats.versions_skipped = 1;
        c.report.verified = Some((*fp, expected.to_string()));
        c.check_sums(sums, files, Some(expected.to_string()));
        return c.report;
    }

    let problems_before = c.report.problems.len();
    let tree = hash_tree && c.tree_is_dir();
    let (zip_h1, tree_is_copy) = if files.zip {
        c.check_zip(expected, tree)
    } else {
        (None, None)
    };
    let tree_h1 = match tree_is_copy {
        Some(digest) => c.judge_tree(expected, Ok(digest)),
        None if tree => {
            let result = hash::hash_tree(&c.paths.tree, &c.mv.to_string());
            c.judge_tree(expected, result)
        }
        None => None,
    };
    if let (Some(fp), Some(expected)) = (fingerprint, expected)
        && c.report.problems.len() == problems_before
    {
        c.report.verified = Some((fp, expected.to_string()));
    }

    // go.sum is compared with the content itself (zip, else tree), so that a damaged
    // .ziphash record is not mistaken for a go.sum mismatch; with neither copy on disk,
    // with the record Go would present.
    let actual = zip_h1.or(tree_h1).or(expected.map(str::to_owned));
    c.check_sums(sums, files, actual);
    c.report
}

impl Checker<'_> {
    fn check_sums(&mut self, sums: &SumIndex, files: &VersionFiles, actual: Option<String>) {
        if let Some(actual) = &actual {
            for line in sums.zip_lines(self.mv) {
                if &line.hash != actual {
                    self.problem(
                        Kind::GosumMismatch,
                        &self.paths.ziphash.clone(),
                        format!(
                            "checksum mismatch: cache has {actual}, {} has {}",
                            line.location(),
                            line.hash
                        ),
                    );
                }
            }
        }
        if files.gomod && !sums.gomod_lines(self.mv).is_empty() {
            self.check_gomod(sums);
        }
    }
}

struct Checker<'a> {
    mv: &'a ModuleVersion,
    paths: &'a VersionPaths,
    report: VersionReport,
}

impl Checker<'_> {
    fn problem(&mut self, kind: Kind, path: &Path, detail: impl Into<String>) {
        self.report.problems.push(Problem {
            module: Some(self.mv.clone()),
            kind,
            path: path.to_path_buf(),
            detail: detail.into(),
        });
    }

    fn unreadable(&mut self, path: &Path, err: &io::Error) {
        self.problem(Kind::Unreadable, path, format!("cannot read: {err}"));
    }

    fn read(&mut self, path: &Path) -> Option<Vec<u8>> {
        match std::fs::read(path) {
            Ok(data) => Some(data),
            // A directory where Go expects a file: Go's read fails the same way.
            Err(e) if e.kind() == io::ErrorKind::IsADirectory => None,
            Err(e) => {
                self.unreadable(path, &e);
                None
            }
        }
    }

    /// `.ziphash` as `checkMod` reads it: trimmed, `isValidSum`, `h1:` prefix.
    fn read_ziphash(&mut self) -> Recorded {
        let path = self.paths.ziphash.clone();
        let Some(data) = self.read(&path) else {
            if path.is_dir() {
                self.problem(Kind::ZiphashInvalid, &path, "is a directory, not a file");
            }
            return Recorded::Invalid;
        };
        let text = String::from_utf8_lossy(&data);
        let sum = text.trim();
        const VALID_LEN: usize = 3 + 44; // "h1:" + base64 of a SHA-256
        if data.contains(&0) || sum.len() != VALID_LEN || !sum.starts_with("h1:") {
            let shown: String = sum.chars().take(60).collect();
            self.problem(
                Kind::ZiphashInvalid,
                &path,
                format!("not a well-formed h1: sum: {shown:?}"),
            );
            return Recorded::Invalid;
        }
        Recorded::Sum(sum.to_string())
    }

    fn check_info(&mut self) {
        let path = self.paths.info.clone();
        let Some(data) = self.read(&path) else {
            if path.is_dir() {
                self.problem(Kind::InfoCorrupt, &path, "is a directory, not a file");
            }
            return;
        };
        if let Err(detail) = info_problem(&data, &self.mv.version) {
            self.problem(Kind::InfoCorrupt, &path, detail);
        }
    }

    /// Hash the zip; with `tree`, compare the extracted tree with it on the way: the
    /// tree's digest when it is an exact copy (see [`hash::hash_zip_and_tree`]).
    fn check_zip(
        &mut self,
        expected: Option<&str>,
        tree: bool,
    ) -> (Option<String>, Option<hash::Digest>) {
        let path = self.paths.zip.clone();
        let result = if tree {
            hash::hash_zip_and_tree(&path, self.mv, &self.paths.tree)
        } else {
            hash::hash_zip(&path, Some(self.mv)).map(|digest| (digest, false))
        };
        match result {
            Ok((digest, tree_is_copy)) => {
                self.report.stats.zips_hashed += 1;
                self.report.stats.bytes_hashed += digest.bytes;
                if !digest.violations.is_empty() {
                    let detail = digest.violations.join("; ");
                    self.problem(
                        Kind::ZipCorrupt,
                        &path,
                        format!("Go refuses to extract it: {detail}"),
                    );
                }
                if let Some(expected) = expected
                    && digest.h1 != expected
                {
                    self.problem(
                        Kind::ZipModified,
                        &path,
                        format!(
                            "zip has been modified: hashes to {}, ziphash records {expected}",
                            digest.h1
                        ),
                    );
                }
                let tree = tree_is_copy.then(|| hash::Digest {
                    h1: digest.h1.clone(),
                    bytes: digest.bytes,
                    files: digest.files,
                });
                (Some(digest.h1), tree)
            }
            Err(ZipError::Io { path, source }) => {
                self.unreadable(&path, &source);
                (None, None)
            }
            Err(ZipError::Corrupt { detail }) => {
                self.problem(Kind::ZipCorrupt, &path, detail);
                (None, None)
            }
        }
    }

    /// The extracted tree is a directory (not a file, nor a link to a directory, which Go
    /// does not walk); a problem is reported if not.
    fn tree_is_dir(&mut self) -> bool {
        let dir = &self.paths.tree;
        match std::fs::symlink_metadata(dir) {
            Ok(meta) if meta.is_dir() => true,
            Ok(_) => {
                let dir = dir.clone();
                self.problem(Kind::DirModified, &dir, "not a directory");
                false
            }
            Err(e) => {
                let dir = dir.clone();
                self.unreadable(&dir, &e);
                false
            }
        }
    }

    /// Compare the tree's hash with Go's record; the hash, if there is one.
    fn judge_tree(
        &mut self,
        expected: Option<&str>,
        result: Result<hash::Digest, hash::TreeError>,
    ) -> Option<String> {
        let dir = self.paths.tree.clone();
        match result {
            Ok(digest) => {
                self.report.stats.trees_hashed += 1;
                self.report.stats.bytes_hashed += digest.bytes;
                if let Some(expected) = expected
                    && digest.h1 != expected
                {
                    self.problem(
                        Kind::DirModified,
                        &dir,
                        format!(
                            "dir has been modified: hashes to {}, ziphash records {expected}",
                            digest.h1
                        ),
                    );
                }
                Some(digest.h1)
            }
            Err(e) => {
                self.problem(
                    Kind::DirModified,
                    &dir,
                    format!("cannot hash the tree: {e}"),
                );
                None
            }
        }
    }

    fn check_gomod(&mut self, sums: &SumIndex) {
        let path = self.paths.gomod.clone();
        let Some(data) = self.read(&path) else {
            return;
        };
        self.report.stats.bytes_hashed += data.len() as u64;
        let h1 = hash::hash_gomod(&data);
        for line in sums.gomod_lines(self.mv) {
            if line.hash != h1 {
                self.problem(
                    Kind::GomodMismatch,
                    &path,
                    format!(
                        "verifying go.mod: checksum mismatch: cache has {h1}, {} has {}",
                        line.location(),
                        line.hash
                    ),
                );
            }
        }
    }
}

/// Why a `.info` file would not be accepted by Go's `readDiskStat` for `version`.
fn info_problem(data: &[u8], version: &str) -> Result<(), String> {
    use serde_json::Value;
    let value: Value = serde_json::from_slice(data).map_err(|e| format!("not valid JSON: {e}"))?;
    let obj = value
        .as_object()
        .ok_or_else(|| "not a JSON object".to_string())?;
    // encoding/json matches keys to fields exactly, else ignoring case.
    let field = |name: &str| {
        obj.get(name).or_else(|| {
            obj.iter()
                .find(|(k, _)| k.eq_ignore_ascii_case(name))
                .map(|(_, v)| v)
        })
    };
    match field("Version") {
        Some(Value::String(v)) if v == version => {}
        Some(Value::String(v)) => return Err(format!("names version {v:?}")),
        Some(Value::Null) | None => return Err("has no \"Version\"".into()),
        Some(_) => return Err("\"Version\" is not a string".into()),
    }
    // The other fields of Go's RevInfo must decode too, or Go discards the file.
    for name in ["Name", "Short"] {
        if let Some(v) = field(name)
            && !matches!(v, Value::String(_) | Value::Null)
        {
            return Err(format!("\"{name}\" is not a string"));
        }
    }
    if let Some(v) = field("Origin")
        && !matches!(v, Value::Object(_) | Value::Null)
    {
        return Err("\"Origin\" is not an object".into());
    }
    match field("Time") {
        None | Some(Value::Null) => Ok(()),
        Some(Value::String(t)) if gotime::parse_rfc3339(t).is_some() => Ok(()),
        Some(t) => Err(format!("\"Time\" is not an RFC 3339 time: {t}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn info_is_judged_like_go_reads_it() {
        let ok = br#"{"Version":"v1.5.2","Time":"2018-02-14T15:44:20Z"}"#;
        assert_eq!(info_problem(ok, "v1.5.2"), Ok(()));
        assert!(
            info_problem(ok, "v1.5.1")
                .unwrap_err()
                .contains("names version")
        );
        assert!(
            info_problem(b"", "v1")
                .unwrap_err()
                .contains("not valid JSON")
        );
        assert!(info_problem(b"{\"Version\":\"v1.0.0\"", "v1.0.0").is_err());
        let bad_time = br#"{"Version":"v1.0.0","Time":"yesterday"}"#;
        assert!(
            info_problem(bad_time, "v1.0.0")
                .unwrap_err()
                .contains("RFC 3339")
        );
        let frac = br#"{"Version":"v1.0.0","Time":"2019-01-02T03:04:05.123+01:00"}"#;
        assert_eq!(info_problem(frac, "v1.0.0"), Ok(()));
        assert!(info_problem(br#"{"Version":"v1.0.0","Time":null}"#, "v1.0.0").is_ok());
        assert!(
            info_problem(br#"{"version":"v1.0.0"}"#, "v1.0.0").is_ok(),
            "keys fold case"
        );
        assert!(info_problem(br#"{"Version":"v1.0.0","Short":7}"#, "v1.0.0").is_err());
        assert!(info_problem(br#"{"Version":"v1.0.0","Origin":"git"}"#, "v1.0.0").is_err());
        assert!(info_problem(br#"{"Version":"v1.0.0","Time":5}"#, "v1.0.0").is_err());
    }
}

/// Progress of a whole-cache check; implemented by the report layer.
pub trait Progress: Sync {
    fn start(&self, _versions: u64) {}
    fn version_done(&self, _bytes_hashed: u64) {}
    fn finish(&self) {}
}

/// No progress display.
pub struct NoProgress;
impl Progress for NoProgress {}

/// The result of checking a whole cache: problems sorted by (module, version, kind, path).
#[derive(Debug, Default)]
pub struct CacheReport {
    pub problems: Vec<Problem>,
    pub stats: Stats,
    /// Versions whose zip and tree matched their ziphash, for `--quick`'s state.
    pub verified: Vec<(ModuleVersion, Fingerprint, String)>,
}

/// A `.partial` marker or temp files under a lock another process holds are a `go`
/// command at work, not leftovers: a whole-cache check leaves that version to it.
/// (Code that re-checks a version under its own lock calls [`check_version`] directly.)
fn being_written(cache: &ModCache, mv: &ModuleVersion, files: &VersionFiles) -> bool {
    (files.partial || !files.tmp.is_empty()) && files.lock && lock::is_held(&cache.paths(mv).lock)
}

/// Check every version of `inventory` in the current rayon pool.
pub fn check_all(
    cache: &ModCache,
    inventory: &crate::scan::Inventory,
    sums: &SumIndex,
    quick: Option<&QuickState>,
    progress: &dyn Progress,
) -> CacheReport {
    use rayon::prelude::*;

    let versions: Vec<_> = inventory.versions.iter().collect();
    progress.start(versions.len() as u64);
    // Each version's report is folded in as soon as it is made, so memory holds the
    // problems found, not one report per version.
    let mut out = versions
        .par_iter()
        .fold(CacheReport::default, |mut out, (mv, files)| {
            let r = if being_written(cache, mv, files) {
                VersionReport {
                    stats: Stats {
                        versions_checked: 1,
                        versions_busy: 1,
                        ..Stats::default()
                    },
                    ..VersionReport::default()
                }
            } else {
                check_version_with(cache, mv, files, sums, quick)
            };
            progress.version_done(r.stats.bytes_hashed);
            out.stats += r.stats;
            out.problems.extend(r.problems);
            if let Some((fp, h1)) = r.verified {
                out.verified.push((ModuleVersion::clone(mv), fp, h1));
            }
            out
        })
        .reduce(CacheReport::default, |mut a, b| {
            a.stats += b.stats;
            a.problems.extend(b.problems);
            a.verified.extend(b.verified);
            a
        });
    progress.finish();

    out.problems
        .extend(inventory.errors.iter().map(|(path, e)| Problem {
            module: None,
            kind: Kind::Unreadable,
            path: path.clone(),
            detail: format!("cannot read directory: {e}"),
        }));
    out.problems.sort();
    out
}
