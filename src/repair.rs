//! Removing cache files safely: the one place modcache deletes anything.
//!
//! Every removal is *plan → lock → re-check → delete*. The plan is a pure value (a list
//! of paths per version) so `--dry-run` can print exactly what the real run would do.
//! The real run takes Go's own per-version lock (see [`crate::cache::lock`]), checks the
//! version again (another `go` may have repaired or replaced it while we waited), plans
//! again from what it finds, and deletes only what both plans name: never more than the
//! dry run announced (a version that got worse meanwhile is left for the next run and
//! reported), and nothing that is no longer broken. Deletion follows Go's `RemoveAll`:
//!
//! - a path must lie inside the cache root, reached without passing through a symlink;
//!   a symlink found in the cache is removed as a link, never followed;
//! - read-only directories (Go extracts trees as 0555) are made writable first, and only
//!   the directories inside the entry being removed;
//! - `.lock` files are never removed: a process waiting on one would otherwise end up
//!   holding a lock on a deleted inode while another locks a new file.
//!
//! # What `fsck --fix` removes
//!
//! Each kind is mapped to the smallest set of files whose absence makes Go heal the
//! version by itself (cmd/go/internal/modfetch/fetch.go), preferring what Go can rebuild
//! offline: `download` re-extracts a missing tree from a zip whose `.zip` and `.ziphash`
//! both exist, with no network; it refetches only when one of those two is missing.
//!
//! | kind | removed | why |
//! |---|---|---|
//! | `dir-modified`, zip intact | tree (and a stale `.partial`) | `DownloadDir` finds no tree → `unzip` re-extracts the local zip |
//! | `dir-modified`, zip bad or absent | tree, zip, ziphash | nothing local to trust: refetch |
//! | `zip-corrupt`, `zip-modified` | zip, ziphash, tree, `.partial` | the tree came from a zip we cannot trust |
//! | `ziphash-missing`, `ziphash-invalid` | zip, ziphash, tree, `.partial` | Go would re-hash and re-bless whatever zip is on disk; we force a verified refetch |
//! | `partial` | tree, `.partial` | `unzip` re-extracts from the zip (kept unless another kind condemns it) |
//! | `tmp-leftover` | the temp file or directory | what `downloadZip`/`unzip` delete under the lock |
//! | `info-corrupt` | `.info` | refetched by the next command that needs it |
//! | `gosum-mismatch` | nothing; with `--trust-gosum`: zip, ziphash, tree, `.partial` | we cannot tell which side is wrong |
//! | `gomod-mismatch` | nothing; with `--trust-gosum`: `.mod` | same |
//! | `unreadable` | nothing | a permission problem; modcache never changes permissions outside what it deletes |
//!
//! "Zip intact" means the zip exists and nothing is wrong with it, its `.ziphash` or
//! go.sum: no `zip-corrupt`, `zip-modified`, `ziphash-missing`, `ziphash-invalid`,
//! `gosum-mismatch` and no `unreadable` zip or ziphash. A problem whose file lies in
//! (or is) a removed path is repaired by that removal whatever its kind.
//!
//! # Order of deletion
//!
//! Go reads the cache without the lock (`DownloadDir`, the early return of
//! `DownloadZip`), so each step must leave a state in which a fresh look sends Go to the
//! lock instead of to half-deleted files: the `.ziphash` goes first (from then on
//! `DownloadDir` reports the tree incomplete and `DownloadZip` locks); the tree is
//! renamed to `<tree>.tmp-<n>` (Go's own temp-directory name, which `unzip` cleans up)
//! and only then deleted, so it vanishes at once; the zip follows; the `.partial` marker
//! goes after the tree it protects; temp files and metadata last.

use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::{Component, Path, PathBuf};

use walkdir::WalkDir;

use crate::cache::{ModCache, ModuleVersion, VersionPaths, lock::VersionLock};
use crate::check::{self, Kind, Problem};
use crate::error::{Error, IoContext, Result};
use crate::gosum::SumIndex;
use crate::scan;

/// One path to delete, with the disk space it holds.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Removal {
    pub path: PathBuf,
    /// Disk usage (allocated blocks) of the file or of the whole directory.
    pub bytes: u64,
}

impl Removal {
    /// The disk space of all of `removals`.
    pub fn total(removals: &[Removal]) -> u64 {
        removals.iter().map(|r| r.bytes).sum()
    }
}

/// What to delete for one version, in the order it is deleted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VersionPlan {
    pub module: ModuleVersion,
    pub removals: Vec<Removal>,
}

impl VersionPlan {
    /// Plan the removal of those of `paths` that exist, measuring each, in the safe
    /// order described in the module docs.
    pub fn new(
        cache: &ModCache,
        module: ModuleVersion,
        paths: impl IntoIterator<Item = PathBuf>,
    ) -> Self {
        let vp = cache.paths(&module);
        let mut staged: Vec<(u8, PathBuf)> = paths
            .into_iter()
            .filter(|p| p.symlink_metadata().is_ok())
            .map(|p| (stage(&vp, &p), p))
            .collect();
        staged.sort();
        staged.dedup();
        let mut removals: Vec<Removal> = Vec::with_capacity(staged.len());
        for (_, path) in staged {
            // A path inside another removal is removed with it.
            if removals.iter().any(|r| path.starts_with(&r.path)) {
                continue;
            }
            removals.push(Removal {
                bytes: disk_usage(&path),
                path,
            });
        }
        VersionPlan { module, removals }
    }

    pub fn bytes(&self) -> u64 {
        Removal::total(&self.removals)
    }

    pub fn is_empty(&self) -> bool {
        self.removals.is_empty()
    }

    /// Whether `path` is one of the removals or lies inside one.
    pub fn removes(&self, path: &Path) -> bool {
        self.removals.iter().any(|r| path.starts_with(&r.path))
    }
}

/// Deletion order of a version's files (see the module docs).
fn stage(vp: &VersionPaths, p: &Path) -> u8 {
    if p == vp.ziphash {
        0
    } else if p == vp.tree {
        1
    } else if p == vp.zip {
        2
    } else if p == vp.partial {
        3
    } else if p == vp.info {
        5
    } else if p == vp.gomod {
        6
    } else {
        4 // temp files and directories
    }
}

/// Options of `fsck --fix`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct FixOptions {
    /// Treat go.sum as right: remove the cached copy that disagrees with it.
    pub trust_gosum: bool,
}

/// What `--fix` does about a kind of problem.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Remedy {
    /// Removing files lets Go heal it.
    Remove,
    /// A go.sum disagreement: only removed with [`FixOptions::trust_gosum`].
    NeedsTrust,
    /// Nothing modcache should delete (permissions, a directory it cannot read).
    Manual,
}

impl Remedy {
    pub fn of(kind: Kind, options: FixOptions) -> Remedy {
        match kind {
            Kind::GosumMismatch | Kind::GomodMismatch if !options.trust_gosum => Remedy::NeedsTrust,
            Kind::Unreadable => Remedy::Manual,
            _ => Remedy::Remove,
        }
    }
}

/// The fix of one version: what to remove, and which of its problems that repairs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VersionFix {
    pub plan: VersionPlan,
    /// Problems the removals repair.
    pub fixed: Vec<Problem>,
    /// Problems left as they are (see [`Remedy`]).
    pub unfixed: Vec<Problem>,
}

impl VersionFix {
    /// The distinct kinds the plan repairs, sorted.
    pub fn kinds(&self) -> Vec<Kind> {
        let mut kinds: Vec<Kind> = self.fixed.iter().map(|p| p.kind).collect();
        kinds.sort();
        kinds.dedup();
        kinds
    }
}

/// Every version's fix, plus the problems that belong to no version.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FixPlan {
    /// Sorted by module version.
    pub versions: Vec<VersionFix>,
    pub unfixed: Vec<Problem>,
}

impl FixPlan {
    pub fn bytes(&self) -> u64 {
        self.versions.iter().map(|v| v.plan.bytes()).sum()
    }
}

/// Plan the fix of `problems` (fsck's findings). Reads only file metadata.
pub fn plan_fix(cache: &ModCache, problems: &[Problem], options: FixOptions) -> FixPlan {
    let mut plan = FixPlan::default();
    let mut by_version: std::collections::BTreeMap<&ModuleVersion, Vec<Problem>> =
        Default::default();
    for p in problems {
        match &p.module {
            Some(mv) => by_version.entry(mv).or_default().push(p.clone()),
            None => plan.unfixed.push(p.clone()),
        }
    }
    for (mv, problems) in by_version {
        plan.versions
            .push(plan_version_fix(cache, mv, &problems, options));
    }
    plan
}

/// Plan the fix of one version from its problems (all of which concern `mv`).
pub fn plan_version_fix(
    cache: &ModCache,
    mv: &ModuleVersion,
    problems: &[Problem],
    options: FixOptions,
) -> VersionFix {
    plan_within(cache, mv, problems, options, None)
}

/// [`plan_version_fix`], removing nothing outside `allowed` (the plan announced before
/// the lock was taken): a problem whose repair would need more is left unfixed.
fn plan_within(
    cache: &ModCache,
    mv: &ModuleVersion,
    problems: &[Problem],
    options: FixOptions,
    allowed: Option<&VersionPlan>,
) -> VersionFix {
    let vp = cache.paths(mv);
    let zip_intact = vp.zip.symlink_metadata().is_ok_and(|m| m.is_file())
        && !problems.iter().any(|p| match p.kind {
            Kind::ZipCorrupt
            | Kind::ZipModified
            | Kind::ZiphashMissing
            | Kind::ZiphashInvalid
            | Kind::GosumMismatch => true,
            Kind::Unreadable => p.path == vp.zip || p.path == vp.ziphash,
            _ => false,
        });
    let permitted = |needs: &[PathBuf]| match allowed {
        None => true,
        Some(plan) => needs
            .iter()
            .filter(|n| n.symlink_metadata().is_ok())
            .all(|n| plan.removes(n)),
    };

    let mut paths: Vec<PathBuf> = Vec::new();
    let mut planned = vec![false; problems.len()];
    for (i, p) in problems.iter().enumerate() {
        if Remedy::of(p.kind, options) != Remedy::Remove {
            continue;
        }
        let needs: Vec<PathBuf> = match p.kind {
            Kind::DirModified if zip_intact => vec![vp.tree.clone()],
            Kind::DirModified => vec![vp.tree.clone(), vp.zip.clone(), vp.ziphash.clone()],
            Kind::ZipCorrupt
            | Kind::ZipModified
            | Kind::ZiphashMissing
            | Kind::ZiphashInvalid
            | Kind::GosumMismatch => vec![
                vp.zip.clone(),
                vp.ziphash.clone(),
                vp.tree.clone(),
                vp.partial.clone(),
            ],
            Kind::Partial => vec![vp.tree.clone(), vp.partial.clone()],
            Kind::TmpLeftover if maybe_being_written(&vp, &p.path) => continue,
            Kind::TmpLeftover => vec![p.path.clone()],
            Kind::InfoCorrupt => vec![vp.info.clone()],
            Kind::GomodMismatch => vec![vp.gomod.clone()],
            Kind::Unreadable => Vec::new(),
        };
        if permitted(&needs) {
            planned[i] = true;
            paths.extend(needs);
        }
    }
    // A partial tree is never left behind without its marker, nor the other way round.
    if paths.contains(&vp.tree) && permitted(std::slice::from_ref(&vp.partial)) {
        paths.push(vp.partial.clone());
    }
    let plan = VersionPlan::new(cache, mv.clone(), paths);
    let (fixed, unfixed) = problems
        .iter()
        .zip(planned)
        .partition::<Vec<_>, _>(|(p, planned)| *planned || plan.removes(&p.path));
    VersionFix {
        plan,
        fixed: fixed.into_iter().map(|(p, _)| p.clone()).collect(),
        unfixed: unfixed.into_iter().map(|(p, _)| p.clone()).collect(),
    }
}

/// How long a temp file of an `.info` or `.mod` must have been left alone before it is
/// taken for a leftover.
pub const UNLOCKED_TEMP_AGE: std::time::Duration = std::time::Duration::from_secs(60);

/// Whether `path` is a temp file Go may be writing right now. Go writes `.info` and `.mod`
/// files through a temp file and a rename *without* the version lock
/// (modfetch `writeDiskCache`), so holding the lock does not make them safe to delete:
/// only their age does (Go writes and renames them within milliseconds). Zip temp files
/// and temp trees are written under the lock, so under the lock they are always
/// leftovers.
pub fn maybe_being_written(vp: &VersionPaths, path: &Path) -> bool {
    let (Some(name), Some(info)) = (path.file_name(), vp.info.file_name()) else {
        return false;
    };
    let (name, info) = (name.to_string_lossy(), info.to_string_lossy());
    let version = info.strip_suffix("info").unwrap_or(&info); // "<version>."
    let unlocked = name
        .strip_prefix(version)
        .is_some_and(|rest| rest.starts_with("info") || rest.starts_with("mod"));
    unlocked
        && path
            .symlink_metadata()
            .and_then(|m| m.modified())
            // A modification time in the future counts as recent.
            .is_ok_and(|t| t.elapsed().map_or(true, |age| age < UNLOCKED_TEMP_AGE))
}

/// What applying a plan did to one version.
#[derive(Debug)]
pub struct VersionOutcome {
    pub module: ModuleVersion,
    /// Kinds repaired (for `--fix`; empty for purge).
    pub kinds: Vec<Kind>,
    /// What was deleted, in order, with the space each freed.
    pub removed: Vec<Removal>,
    /// Problems found under the lock that are still there.
    pub remaining: Vec<Problem>,
    /// Why the version could not be (completely) repaired or purged.
    pub error: Option<Error>,
}

impl VersionOutcome {
    pub fn bytes(&self) -> u64 {
        Removal::total(&self.removed)
    }

    fn failed(module: ModuleVersion, error: Error, remaining: Vec<Problem>) -> Self {
        VersionOutcome {
            module,
            kinds: Vec::new(),
            removed: Vec::new(),
            remaining,
            error: Some(error),
        }
    }
}

/// Called before blocking on a lock another process holds.
pub type OnWait<'a> = &'a (dyn Fn(&ModuleVersion, &Path) + Sync);

/// Fix each version of `plan`: lock, check it again from scratch, plan again from what
/// is found, delete that. Versions run in parallel in the current rayon pool; the result
/// is sorted by version.
pub fn apply_fix(
    cache: &ModCache,
    plan: &FixPlan,
    sums: &SumIndex,
    options: FixOptions,
    on_wait: OnWait<'_>,
) -> Vec<VersionOutcome> {
    use rayon::prelude::*;
    plan.versions
        .par_iter()
        .map(|v| {
            let mv = &v.plan.module;
            if v.plan.is_empty() {
                // Nothing to delete: do not even create a lock file.
                return VersionOutcome {
                    module: mv.clone(),
                    kinds: Vec::new(),
                    removed: Vec::new(),
                    remaining: v.unfixed.clone(),
                    error: None,
                };
            }
            let locked = with_version_lock(cache, mv, on_wait, || {
                let files = scan::scan_version(cache, mv);
                let report = check::check_version(cache, mv, &files, sums);
                let fresh = plan_within(cache, mv, &report.problems, options, Some(&v.plan));
                let (removed, error) = execute(cache, &fresh.plan);
                let mut remaining = fresh.unfixed.clone();
                if error.is_some() {
                    remaining.extend(
                        fresh
                            .fixed
                            .iter()
                            .filter(|p| !removed.iter().any(|r| p.path.starts_with(&r.path)))
                            .cloned(),
                    );
                    remaining.sort();
                }
                VersionOutcome {
                    module: mv.clone(),
                    kinds: fresh.kinds(),
                    removed,
                    remaining,
                    error,
                }
            });
            locked.unwrap_or_else(|e| {
                let mut remaining = v.fixed.clone();
                remaining.extend(v.unfixed.iter().cloned());
                remaining.sort();
                VersionOutcome::failed(mv.clone(), e, remaining)
            })
        })
        .collect()
}

/// Delete a plan's removals in order, stopping at the first failure. Returns what was
/// removed (with the bytes actually freed) and the error, if any.
pub fn execute(cache: &ModCache, plan: &VersionPlan) -> (Vec<Removal>, Option<Error>) {
    let vp = cache.paths(&plan.module);
    let mut removed = Vec::with_capacity(plan.removals.len());
    for r in &plan.removals {
        let result = if r.path == vp.tree {
            remove_tree(cache, &r.path)
        } else {
            remove(cache, &r.path)
        };
        match result {
            Ok(bytes) => removed.push(Removal {
                path: r.path.clone(),
                bytes,
            }),
            Err(e) => return (removed, Some(e)),
        }
    }
    (removed, None)
}

/// Remove an extracted tree so that it disappears at once: rename it to Go's temporary
/// name `<tree>.tmp-<n>` in the same directory, then delete that. If it cannot be
/// renamed (a read-only parent), it is deleted in place.
pub fn remove_tree(cache: &ModCache, tree: &Path) -> Result<u64> {
    check_inside(cache, tree)?;
    let Some(name) = tree.file_name().map(|n| n.to_string_lossy().into_owned()) else {
        return remove(cache, tree);
    };
    if tree.symlink_metadata().is_err() {
        return Ok(0);
    }
    let seed = std::process::id() as u64 * 1_000_003
        + std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.subsec_nanos() as u64);
    for i in 0..100u64 {
        let tmp = tree.with_file_name(format!("{name}.tmp-{}", (seed + i * 7919) % 1_000_000_000));
        if tmp.symlink_metadata().is_ok() {
            continue;
        }
        return match std::fs::rename(tree, &tmp) {
            Ok(()) => remove(cache, &tmp),
            Err(_) => remove(cache, tree),
        };
    }
    remove(cache, tree)
}

/// Disk usage of a file or directory tree, without following symlinks.
pub fn disk_usage(path: &Path) -> u64 {
    WalkDir::new(path)
        .follow_root_links(false)
        .into_iter()
        .filter_map(|e| e.ok())
        .filter_map(|e| e.metadata().ok())
        .map(|m| m.blocks() * 512)
        .sum()
}

/// Run `f` holding Go's lock for `mv`. If another process holds it, `on_wait` is called
/// before blocking, so the user knows why nothing happens.
pub fn with_version_lock<T>(
    cache: &ModCache,
    mv: &ModuleVersion,
    on_wait: OnWait<'_>,
    f: impl FnOnce() -> T,
) -> Result<T> {
    let path = cache.paths(mv).lock;
    check_inside(cache, &path)?;
    let _lock = match VersionLock::try_acquire(&path)? {
        Some(lock) => lock,
        None => {
            on_wait(mv, &path);
            VersionLock::acquire(&path)?
        }
    };
    Ok(f())
}

/// Delete `path` (file, symlink or directory tree) from the cache, Go's `RemoveAll` style.
/// Returns the disk space freed. A path that is already gone frees nothing.
pub fn remove(cache: &ModCache, path: &Path) -> Result<u64> {
    check_inside(cache, path)?;
    if path.extension().is_some_and(|e| e == "lock") && path.starts_with(cache.download_dir()) {
        return Err(Error::invalid(
            path,
            "refusing to remove one of Go's lock files",
        ));
    }
    let meta = match path.symlink_metadata() {
        Ok(m) => m,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(0),
        Err(e) => return Err(Error::io(path, e)),
    };
    if meta.is_dir() {
        // One walk measures the entry and makes its own directories writable (Go's
        // RemoveAll chmods them 0777); walkdir does not follow symlinks, so nothing
        // outside the entry is touched.
        let mut bytes = 0;
        for entry in WalkDir::new(path).into_iter().filter_map(|e| e.ok()) {
            let Ok(m) = entry.metadata() else { continue };
            bytes += m.blocks() * 512;
            let mode = m.permissions().mode();
            if m.is_dir() && mode & 0o700 != 0o700 {
                let _ =
                    std::fs::set_permissions(entry.path(), PermissionsExt::from_mode(mode | 0o700));
            }
        }
        std::fs::remove_dir_all(path).at(path)?;
        Ok(bytes)
    } else {
        // Removing a file needs write permission on its directory, which for files in a
        // read-only tree is handled by the directory case above. @v directories are
        // writable: Go never makes them read-only.
        std::fs::remove_file(path).at(path)?;
        Ok(meta.blocks() * 512)
    }
}

/// Refuse any path that is not strictly inside the cache root, or that is reached through
/// a symlink (a link *at* `path` itself is fine: it is removed, not followed).
pub fn check_inside(cache: &ModCache, path: &Path) -> Result<()> {
    let root = cache.root();
    let rel = path
        .strip_prefix(root)
        .map_err(|_| Error::invalid(path, "refusing to touch a path outside the module cache"))?;
    if rel.as_os_str().is_empty() || rel.components().any(|c| !matches!(c, Component::Normal(_))) {
        return Err(Error::invalid(
            path,
            "refusing to touch a path outside the module cache",
        ));
    }
    let mut dir = root.to_path_buf();
    let mut components = rel.components().peekable();
    while let Some(c) = components.next() {
        if components.peek().is_none() {
            break;
        }
        dir.push(c);
        match dir.symlink_metadata() {
            Ok(m) if m.file_type().is_symlink() => {
                return Err(Error::invalid(
                    &dir,
                    "refusing to follow a symlink inside the module cache",
                ));
            }
            _ => {}
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A cache holding every file Go keeps for `example.com/m@v1.0.0`, plus temp files.
    fn full_version() -> (tempfile::TempDir, ModCache, ModuleVersion, VersionPaths) {
        let tmp = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(tmp.path().join("cache/download")).unwrap();
        let cache = ModCache::open(tmp.path()).unwrap();
        let mv = ModuleVersion::new("example.com/m", "v1.0.0");
        let vp = cache.paths(&mv);
        std::fs::create_dir_all(&vp.v_dir).unwrap();
        std::fs::create_dir_all(vp.tree.join("sub")).unwrap();
        std::fs::write(vp.tree.join("sub/m.go"), "package m").unwrap();
        for p in [
            &vp.zip,
            &vp.ziphash,
            &vp.info,
            &vp.gomod,
            &vp.lock,
            &vp.partial,
        ] {
            std::fs::write(p, "x").unwrap();
        }
        (tmp, cache, mv, vp)
    }

    fn problem(mv: &ModuleVersion, kind: Kind, path: &Path) -> Problem {
        Problem {
            module: Some(mv.clone()),
            kind,
            path: path.to_path_buf(),
            detail: String::new(),
        }
    }

    fn removed(fix: &VersionFix) -> Vec<PathBuf> {
        fix.plan.removals.iter().map(|r| r.path.clone()).collect()
    }

    #[test]
    fn each_kind_removes_what_go_needs_gone_in_a_safe_order() {
        let (_tmp, cache, mv, vp) = full_version();
        let tmp_zip = vp.v_dir.join("v1.0.0.zip123.tmp");
        std::fs::write(&tmp_zip, "").unwrap();
        let plan = |problems: &[(Kind, &Path)], options: FixOptions| {
            let problems: Vec<Problem> =
                problems.iter().map(|(k, p)| problem(&mv, *k, p)).collect();
            plan_version_fix(&cache, &mv, &problems, options)
        };
        let none = FixOptions::default();
        let trust = FixOptions { trust_gosum: true };
        let all = vec![
            vp.ziphash.clone(),
            vp.tree.clone(),
            vp.zip.clone(),
            vp.partial.clone(),
        ];

        let f = plan(&[(Kind::DirModified, &vp.tree)], none);
        assert_eq!(
            removed(&f),
            [vp.tree.clone(), vp.partial.clone()],
            "intact zip: the tree"
        );
        let f = plan(
            &[(Kind::DirModified, &vp.tree), (Kind::ZipModified, &vp.zip)],
            none,
        );
        assert_eq!(removed(&f), all);
        assert_eq!(f.kinds(), [Kind::ZipModified, Kind::DirModified]);
        for kind in [Kind::ZipCorrupt, Kind::ZiphashMissing, Kind::ZiphashInvalid] {
            assert_eq!(removed(&plan(&[(kind, &vp.zip)], none)), all, "{kind}");
        }
        let f = plan(&[(Kind::Partial, &vp.partial)], none);
        assert_eq!(removed(&f), [vp.tree.clone(), vp.partial.clone()]);
        assert_eq!(
            removed(&plan(&[(Kind::TmpLeftover, &tmp_zip)], none)),
            std::slice::from_ref(&tmp_zip)
        );
        // A young .info temp file may be Go writing it without the lock: left alone.
        let tmp_info = vp.v_dir.join("v1.0.0.info456.tmp");
        std::fs::write(&tmp_info, "").unwrap();
        let f = plan(&[(Kind::TmpLeftover, &tmp_info)], none);
        assert!(f.plan.is_empty() && f.unfixed.len() == 1);
        let hour_ago = std::time::SystemTime::now() - std::time::Duration::from_secs(3600);
        let file = std::fs::File::options()
            .write(true)
            .open(&tmp_info)
            .unwrap();
        file.set_modified(hour_ago).unwrap();
        assert_eq!(
            removed(&plan(&[(Kind::TmpLeftover, &tmp_info)], none)),
            std::slice::from_ref(&tmp_info)
        );
        assert_eq!(
            removed(&plan(&[(Kind::InfoCorrupt, &vp.info)], none)),
            std::slice::from_ref(&vp.info)
        );

        // go.sum disagreements: nothing without --trust-gosum.
        let f = plan(
            &[
                (Kind::GosumMismatch, &vp.ziphash),
                (Kind::GomodMismatch, &vp.gomod),
            ],
            none,
        );
        assert!(f.plan.is_empty() && f.fixed.is_empty() && f.unfixed.len() == 2);
        let f = plan(
            &[
                (Kind::GosumMismatch, &vp.ziphash),
                (Kind::GomodMismatch, &vp.gomod),
            ],
            trust,
        );
        let mut want = all.clone();
        want.push(vp.gomod.clone());
        assert_eq!(removed(&f), want);
        // ... but a mismatch whose copy goes for another reason is resolved with it.
        let f = plan(
            &[
                (Kind::GosumMismatch, &vp.ziphash),
                (Kind::ZipCorrupt, &vp.zip),
            ],
            none,
        );
        assert_eq!((f.fixed.len(), f.unfixed.len()), (2, 0));

        // Unreadable files are never a reason to delete; a condemned zip takes them along.
        let f = plan(&[(Kind::Unreadable, &vp.info)], none);
        assert!(f.plan.is_empty() && f.unfixed.len() == 1);
        let f = plan(
            &[(Kind::Unreadable, &vp.zip), (Kind::DirModified, &vp.tree)],
            none,
        );
        assert_eq!(
            removed(&f),
            [
                vp.ziphash.clone(),
                vp.tree.clone(),
                vp.zip.clone(),
                vp.partial.clone()
            ]
        );
        assert!(f.unfixed.is_empty());
        assert!(
            removed(&plan(&[(Kind::ZipCorrupt, &vp.zip)], trust))
                .iter()
                .all(|p| *p != vp.lock)
        );
    }

    #[test]
    fn replanning_under_the_lock_stays_within_the_announced_plan() {
        let (_tmp, cache, mv, vp) = full_version();
        let opts = FixOptions::default();
        let tree_only = plan_version_fix(
            &cache,
            &mv,
            &[problem(&mv, Kind::DirModified, &vp.tree)],
            opts,
        );
        // Meanwhile the zip went bad too: its repair needs more than was announced, and
        // the tree alone would be re-extracted from a bad zip; both stay for the next run.
        let worse = [
            problem(&mv, Kind::DirModified, &vp.tree),
            problem(&mv, Kind::ZipCorrupt, &vp.zip),
        ];
        let f = plan_within(&cache, &mv, &worse, opts, Some(&tree_only.plan));
        assert!(f.plan.is_empty());
        assert_eq!(f.unfixed.len(), 2);
        // The other way round: the announced full removal shrinks to what is still needed.
        let all = plan_version_fix(&cache, &mv, &worse, opts);
        let f = plan_within(
            &cache,
            &mv,
            &[problem(&mv, Kind::DirModified, &vp.tree)],
            opts,
            Some(&all.plan),
        );
        assert_eq!(removed(&f), [vp.tree.clone(), vp.partial.clone()]);
    }

    #[test]
    fn executing_a_plan_leaves_no_temporary_tree_and_keeps_the_lock() {
        let (_tmp, cache, mv, vp) = full_version();
        let sub = vp.tree.join("sub");
        for d in [&sub, &vp.tree] {
            std::fs::set_permissions(d, PermissionsExt::from_mode(0o555)).unwrap();
        }
        let plan = VersionPlan::new(
            &cache,
            mv.clone(),
            [
                vp.partial.clone(),
                vp.tree.clone(),
                sub.clone(),
                vp.zip.clone(),
                vp.ziphash.clone(),
            ],
        );
        assert_eq!(plan.removals.len(), 4, "sub is removed with the tree");
        let (done, err) = execute(&cache, &plan);
        assert!(err.is_none(), "{err:?}");
        assert_eq!(done.len(), 4);
        let left: Vec<String> = std::fs::read_dir(vp.tree.parent().unwrap())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        assert!(
            left.is_empty(),
            "the tree and its temporary name are gone: {left:?}"
        );
        assert!(vp.lock.exists() && vp.info.exists() && vp.gomod.exists());
        assert!(
            remove(&cache, &vp.lock).is_err(),
            "lock files are never removed"
        );
    }

    #[test]
    fn removes_read_only_trees_but_nothing_outside_or_through_symlinks() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path().join("mod");
        let outside = tmp.path().join("outside");
        std::fs::create_dir_all(root.join("cache/download")).unwrap();
        std::fs::create_dir_all(&outside).unwrap();
        std::fs::write(outside.join("keep"), "precious").unwrap();
        let cache = ModCache::open(&root).unwrap();

        let tree = root.join("example.com/m@v1.0.0");
        std::fs::create_dir_all(tree.join("sub")).unwrap();
        std::fs::write(tree.join("sub/a.go"), "package a").unwrap();
        std::os::unix::fs::symlink(&outside, tree.join("link")).unwrap();
        for d in [tree.join("sub"), tree.clone()] {
            std::fs::set_permissions(&d, PermissionsExt::from_mode(0o555)).unwrap();
        }
        assert!(remove(&cache, &tree).unwrap() > 0);
        assert!(!tree.exists());
        assert_eq!(std::fs::read(outside.join("keep")).unwrap(), b"precious");

        std::os::unix::fs::symlink(&outside, root.join("example.com/evil")).unwrap();
        let err = remove(&cache, &root.join("example.com/evil/keep")).unwrap_err();
        assert!(err.to_string().contains("symlink"), "{err}");
        assert!(remove(&cache, &outside.join("keep")).is_err());
        assert!(remove(&cache, &root.join("../outside/keep")).is_err());
        assert!(remove(&cache, &root).is_err());
        assert!(outside.join("keep").exists());
        remove(&cache, &root.join("example.com/evil")).unwrap();
        assert!(
            root.join("example.com/evil").symlink_metadata().is_err(),
            "the link is removed"
        );
        assert!(outside.join("keep").exists(), "and not followed");
    }
}
