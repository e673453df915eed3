//! Choosing module versions to remove, and removing them (`modcache prune`).
//!
//! # Selection
//! Criteria combine by intersection; each one narrows the versions the previous ones chose:
//!
//! - `--unused-by DIR...`: versions no go.sum or go.work.sum under the DIRs names. A version
//!   named only by a `/go.mod` line is needed for its go.mod alone (Go reads it to build
//!   the module graph), so it keeps its `.mod` and `.info` and loses only its zip and
//!   tree. A version named by a module line is never touched. Walking skips `vendor`,
//!   `.git`, `.hg`, `.svn`, `node_modules` and the module cache itself, and follows no
//!   symlink. The `golang.org/toolchain` version a go.mod or go.work asks for (its
//!   `toolchain` line, or the release its `go` line names) counts as used too.
//! - `--keep-latest N`: all but the N highest versions of each module, in semver order
//!   (pseudo-versions and pre-releases take their semver place).
//! - `--older-than D`: versions whose date is older than D: the `.info` Time (the commit
//!   or tag time the proxy reported), or, without one, the newest mtime of their files.
//! - `--max-size S`: applied last: among the versions still selected, the least recently
//!   used go first (see [`crate::usage`] for the signal) until the cache fits in S.
//!
//! `--zips-only` removes a selected version's zip only where its tree is extracted
//! completely and its `.ziphash` is there (Go then never needs the zip to build, and
//! `go mod verify` checks the tree against the `.ziphash`); `--trees-only` removes the
//! tree only where the zip and `.ziphash` are there (Go re-extracts it offline).
//!
//! # Removal
//! The real run is purge's: for each version, Go's lock, a fresh look at what is there
//! (Go may have changed it while we waited), then [`crate::repair::execute`], which
//! deletes in the order that never shows a lock-free Go reader a half-deleted version
//! (`.ziphash` first, the tree renamed away before it is deleted), inside the cache only,
//! following no symlink. Lock files stay, as Go's own cleanups leave them. When `.mod`
//! files go, the module's `@v/list` is rewritten as Go rewrites it (the canonical
//! versions that still have a `.mod`, in semver order, under the list's own lock).

use std::collections::{BTreeSet, HashMap};
use std::fs::{self, OpenOptions};
use std::io::{Read, Seek, Write};
use std::path::{Path, PathBuf};

use rayon::prelude::*;
use walkdir::WalkDir;

use crate::cache::{ModCache, ModuleVersion, VersionPaths, semver};
use crate::error::{Error, IoContext, Result};
use crate::gosum;
use crate::repair::{self, OnWait, Removal, VersionPlan};
use crate::scan;
use crate::usage::{DateSource, Part, Sizes, Usage, VersionUsage};

/// Directories `--unused-by` does not descend into.
const SKIPPED_DIRS: [&str; 5] = ["vendor", ".git", ".hg", ".svn", "node_modules"];

/// The module Go downloads toolchains as (cmd/go/internal/toolchain/select.go).
const TOOLCHAIN_MODULE: &str = "golang.org/toolchain";

/// What the projects need of a version.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Need {
    /// Only its go.mod (a `/go.mod` go.sum line).
    GoMod,
    /// Its code (a module go.sum line, or a toolchain a go.mod asks for).
    Full,
}

/// What the go.sum, go.work.sum, go.mod and go.work files under some directories name.
#[derive(Debug, Default)]
pub struct Projects {
    /// Every go.sum and go.work.sum read, sorted.
    pub sum_files: Vec<PathBuf>,
    /// Symlinks to directories met (and not followed) by the walk, sorted: a project
    /// behind one is not seen unless its directory is given too.
    pub skipped_links: Vec<PathBuf>,
    need: HashMap<ModuleVersion, Need>,
    /// Arguments of `go` lines (`1.21`, `1.22.3`).
    go_lines: BTreeSet<String>,
    /// Arguments of `toolchain` lines (`go1.22.3`).
    toolchain_lines: BTreeSet<String>,
}

impl Projects {
    /// Walk `dirs` for project files. `skip` (the module cache) is not walked. A directory
    /// that cannot be read is an error: a go.sum in it might name versions still needed.
    pub fn find(dirs: &[PathBuf], skip: &Path) -> Result<Projects> {
        let skip = fs::canonicalize(skip).unwrap_or_else(|_| skip.to_path_buf());
        let mut projects = Projects::default();
        for dir in dirs {
            let meta = fs::metadata(dir).map_err(|e| match e.kind() {
                std::io::ErrorKind::NotFound => Error::invalid(dir, "no such directory"),
                _ => Error::io(dir, e),
            })?;
            if !meta.is_dir() {
                return Err(Error::invalid(dir, "not a directory"));
            }
            let start = fs::canonicalize(dir).at(dir)?;
            let walk = WalkDir::new(&start)
                .follow_links(false)
                .into_iter()
                .filter_entry(|e| {
                    e.depth() == 0
                        || !(e.file_type().is_dir()
                            && (SKIPPED_DIRS.iter().any(|s| e.file_name() == *s)
                                || e.path() == skip))
                });
            for entry in walk {
                let entry = entry.map_err(|e| {
                    let path = e
                        .path()
                        .map(Path::to_path_buf)
                        .unwrap_or_else(|| start.clone());
                    match e.into_io_error() {
                        Some(io) => Error::io(path, io),
                        None => Error::invalid(path, "filesystem loop"),
                    }
                })?;
                if entry.path_is_symlink() {
                    if entry.path().is_dir() {
                        projects.skipped_links.push(entry.path().to_path_buf());
                    }
                    continue;
                }
                if !entry.file_type().is_file() {
                    continue;
                }
                let path = entry.path();
                let name = entry.file_name();
                if name == "go.sum" || name == "go.work.sum" {
                    for line in gosum::read(path)? {
                        let need = if line.gomod { Need::GoMod } else { Need::Full };
                        let e = projects.need.entry(line.module).or_insert(need);
                        *e = (*e).max(need);
                    }
                    projects.sum_files.push(path.to_path_buf());
                } else if name == "go.mod" || name == "go.work" {
                    let text = fs::read(path).at(path)?;
                    projects.add_go_directives(&String::from_utf8_lossy(&text));
                }
            }
        }
        projects.sum_files.sort();
        projects.skipped_links.sort();
        Ok(projects)
    }

    fn add_go_directives(&mut self, text: &str) {
        for line in text.lines() {
            let line = line.split("//").next().unwrap_or_default();
            match line.split_whitespace().collect::<Vec<_>>().as_slice() {
                ["go", v] => {
                    self.go_lines.insert((*v).to_string());
                }
                ["toolchain", t] => {
                    self.toolchain_lines.insert((*t).to_string());
                }
                _ => {}
            }
        }
    }

    /// What the projects need of `mv`, if anything.
    pub fn need(&self, mv: &ModuleVersion) -> Option<Need> {
        if mv.path == TOOLCHAIN_MODULE {
            return self.needs_toolchain(&mv.version).then_some(Need::Full);
        }
        self.need.get(mv).copied()
    }

    /// `v0.0.1-go1.22.3.linux-amd64` is needed by `toolchain go1.22.3`, `go 1.22.3` and
    /// `go 1.22` (whose switch picks some go1.22.x).
    fn needs_toolchain(&self, version: &str) -> bool {
        let Some(name) = version
            .split_once('-')
            .and_then(|(_, rest)| rest.rsplit_once('.'))
            .map(|(name, _platform)| name)
        else {
            return false;
        };
        self.toolchain_lines.contains(name)
            || self.go_lines.iter().any(|g| {
                name.strip_prefix("go")
                    .and_then(|n| n.strip_prefix(g.as_str()))
                    .is_some_and(|rest| rest.is_empty() || rest.starts_with('.'))
            })
    }

    /// Module versions named by the go.sum files.
    pub fn len(&self) -> usize {
        self.need.len()
    }

    pub fn is_empty(&self) -> bool {
        self.need.is_empty()
    }
}

/// Which of a selected version's files go.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Scope {
    /// Everything but what a project still needs (and the lock file).
    #[default]
    Versions,
    /// Only zips whose extracted tree is complete.
    ZipsOnly,
    /// Only trees whose zip (and `.ziphash`) is there.
    TreesOnly,
}

impl Scope {
    pub fn as_str(self) -> &'static str {
        match self {
            Scope::Versions => "versions",
            Scope::ZipsOnly => "zips-only",
            Scope::TreesOnly => "trees-only",
        }
    }
}

/// What to prune. `None` criteria do not restrict the selection.
#[derive(Debug, Clone, Copy, Default)]
pub struct Criteria<'a> {
    pub unused_by: Option<&'a Projects>,
    pub keep_latest: Option<usize>,
    /// Seconds.
    pub older_than: Option<u64>,
    /// Bytes of disk usage.
    pub max_size: Option<u64>,
    pub scope: Scope,
    /// The current time, in seconds since the Unix epoch.
    pub now: i64,
}

/// One version chosen for removal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Selected {
    /// The paths to remove, with their disk usage, in removal order.
    pub plan: VersionPlan,
    pub parts: Vec<Part>,
    pub sizes: Sizes,
    /// A project needs the version's go.mod: its `.mod` and `.info` stay.
    pub gomod_kept: bool,
    pub date: Option<(i64, DateSource)>,
    pub last_used: Option<i64>,
}

impl Selected {
    pub fn module(&self) -> &ModuleVersion {
        &self.plan.module
    }
}

/// The versions to remove, sorted by module path and semver.
#[derive(Debug, Clone, Default)]
pub struct Plan {
    pub versions: Vec<Selected>,
    pub scope: Scope,
    /// The whole cache before pruning.
    pub cache: Sizes,
    pub max_size: Option<u64>,
}

impl Plan {
    pub fn sizes(&self) -> Sizes {
        self.versions.iter().map(|s| s.sizes).sum()
    }

    /// With `--max-size`, the disk usage still above it after the whole plan.
    pub fn over_max_size(&self) -> Option<u64> {
        let max = self.max_size?;
        let after = self.cache.disk.saturating_sub(self.sizes().disk);
        (after > max).then(|| after - max)
    }
}

/// Choose what to remove. Pure: reads only `usage`.
pub fn plan(cache: &ModCache, usage: &Usage, c: &Criteria) -> Plan {
    Plan {
        versions: choose(usage, c)
            .into_iter()
            .map(|ch| select(cache, ch))
            .collect(),
        scope: c.scope,
        cache: usage.total(),
        max_size: c.max_size,
    }
}

/// A version chosen, before its paths are worked out.
struct Choice<'u> {
    mv: &'u ModuleVersion,
    v: &'u VersionUsage,
    parts: Vec<Part>,
    sizes: Sizes,
    gomod_kept: bool,
}

/// The selection itself, sorted by module path and semver.
fn choose<'u>(usage: &'u Usage, c: &Criteria) -> Vec<Choice<'u>> {
    let superseded = c.keep_latest.map(|n| superseded(usage, n));
    let mut chosen: Vec<Choice<'u>> = Vec::new();
    for (mv, v) in usage.present() {
        let need = match c.unused_by {
            Some(projects) => match projects.need(mv) {
                Some(Need::Full) => continue,
                need => need,
            },
            None => None,
        };
        if superseded.as_ref().is_some_and(|s| !s.contains(mv)) {
            continue;
        }
        if let Some(age) = c.older_than {
            match v.date() {
                Some((t, _))
                    if c.now.saturating_sub(t) >= i64::try_from(age).unwrap_or(i64::MAX) => {}
                _ => continue,
            }
        }
        let parts = removable(v, need, c.scope);
        if parts.is_empty() {
            continue;
        }
        chosen.push(Choice {
            mv,
            v,
            sizes: parts.iter().map(|&p| v.part(p)).sum(),
            parts,
            gomod_kept: need == Some(Need::GoMod),
        });
    }
    let by_version = |a: &ModuleVersion, b: &ModuleVersion| {
        a.path
            .cmp(&b.path)
            .then_with(|| semver::compare(&a.version, &b.version))
    };
    if let Some(max) = c.max_size {
        chosen.sort_by(|a, b| {
            a.v.last_used
                .cmp(&b.v.last_used)
                .then_with(|| by_version(a.mv, b.mv))
        });
        let mut left = usage.total().disk;
        let keep = chosen
            .iter()
            .take_while(|ch| {
                let take = left > max;
                left = left.saturating_sub(ch.sizes.disk);
                take
            })
            .count();
        chosen.truncate(keep);
    }
    chosen.sort_by(|a, b| by_version(a.mv, b.mv));
    chosen
}

/// Present versions beyond the `keep` highest of their module.
fn superseded<'u>(usage: &'u Usage, keep: usize) -> BTreeSet<&'u ModuleVersion> {
    let mut out = BTreeSet::new();
    let mut module: Vec<&'u ModuleVersion> = Vec::new();
    let mut flush = |module: &mut Vec<&'u ModuleVersion>| {
        module.sort_by(|a, b| {
            semver::compare(&b.version, &a.version).then_with(|| b.version.cmp(&a.version))
        });
        out.extend(module.drain(..).skip(keep));
    };
    for (mv, _) in usage.present() {
        if module.last().is_some_and(|m| m.path != mv.path) {
            flush(&mut module);
        }
        module.push(mv);
    }
    flush(&mut module);
    out
}

/// The parts of a version that may go, given what projects need and the scope.
fn removable(v: &VersionUsage, need: Option<Need>, scope: Scope) -> Vec<Part> {
    let candidates: &[Part] = match (scope, need) {
        (_, Some(Need::Full)) => &[],
        (Scope::Versions, None) => &[
            Part::Tree,
            Part::Zip,
            Part::ZipHash,
            Part::Mod,
            Part::Info,
            Part::Partial,
            Part::Tmp,
        ],
        (Scope::Versions, Some(Need::GoMod)) => &[
            Part::Tree,
            Part::Zip,
            Part::ZipHash,
            Part::Partial,
            Part::Tmp,
        ],
        (Scope::ZipsOnly, _) => {
            let tree_suffices = v.has(Part::Tree) && !v.has(Part::Partial) && v.has(Part::ZipHash);
            if tree_suffices { &[Part::Zip] } else { &[] }
        }
        (Scope::TreesOnly, _) => {
            let zip_suffices = v.has(Part::Zip) && v.has(Part::ZipHash);
            if zip_suffices {
                &[Part::Tree, Part::Partial]
            } else {
                &[]
            }
        }
    };
    candidates.iter().copied().filter(|&p| v.has(p)).collect()
}

fn select(cache: &ModCache, ch: Choice<'_>) -> Selected {
    let paths = cache.paths(ch.mv);
    let mut removals = Vec::new();
    for &part in &ch.parts {
        if part == Part::Tmp {
            for (path, s) in &ch.v.tmp {
                removals.push(Removal {
                    path: path.clone(),
                    bytes: s.disk,
                });
            }
        } else {
            removals.push(Removal {
                path: part_path(&paths, part).to_path_buf(),
                bytes: ch.v.part(part).disk,
            });
        }
    }
    Selected {
        plan: VersionPlan {
            module: ch.mv.clone(),
            removals,
        },
        parts: ch.parts,
        sizes: ch.sizes,
        gomod_kept: ch.gomod_kept,
        date: ch.v.date(),
        last_used: ch.v.last_used,
    }
}

fn part_path(paths: &VersionPaths, part: Part) -> &Path {
    match part {
        Part::Tree => &paths.tree,
        Part::Zip => &paths.zip,
        Part::ZipHash => &paths.ziphash,
        Part::Mod => &paths.gomod,
        Part::Info => &paths.info,
        Part::Lock => &paths.lock,
        Part::Partial => &paths.partial,
        Part::Tmp => &paths.v_dir,
    }
}

/// What `du` estimates could be reclaimed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EstimateKind {
    /// Zips whose tree is extracted (`prune --zips-only`).
    ZipsWithTree,
    /// Versions beyond the newest N of each module (`prune --keep-latest N`).
    Superseded(usize),
    /// Versions no given project uses (`prune --unused-by DIR`).
    Unused,
}

impl EstimateKind {
    pub fn as_str(self) -> &'static str {
        match self {
            EstimateKind::ZipsWithTree => "zips-with-tree",
            EstimateKind::Superseded(_) => "superseded",
            EstimateKind::Unused => "unused",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Estimate {
    pub kind: EstimateKind,
    pub versions: usize,
    pub sizes: Sizes,
}

/// The space each kind of prune would free now. The estimates overlap.
pub fn reclaimable(
    usage: &Usage,
    keep_latest: usize,
    projects: Option<&Projects>,
) -> Vec<Estimate> {
    let mut kinds = vec![
        (
            EstimateKind::ZipsWithTree,
            Criteria {
                scope: Scope::ZipsOnly,
                ..Criteria::default()
            },
        ),
        (
            EstimateKind::Superseded(keep_latest),
            Criteria {
                keep_latest: Some(keep_latest),
                ..Criteria::default()
            },
        ),
    ];
    if let Some(p) = projects {
        kinds.push((
            EstimateKind::Unused,
            Criteria {
                unused_by: Some(p),
                ..Criteria::default()
            },
        ));
    }
    kinds
        .into_iter()
        .map(|(kind, criteria)| {
            let chosen = choose(usage, &criteria);
            Estimate {
                kind,
                versions: chosen.len(),
                sizes: chosen.iter().map(|ch| ch.sizes).sum(),
            }
        })
        .collect()
}

/// What happened to one selected version.
#[derive(Debug)]
pub struct Pruned {
    pub module: ModuleVersion,
    /// What was deleted, in order, with the disk space each freed.
    pub removed: Vec<Removal>,
    /// Why nothing was removed, when the version changed after the plan was made.
    pub skipped: Option<&'static str>,
    pub error: Option<Error>,
}

impl Pruned {
    pub fn freed(&self) -> u64 {
        Removal::total(&self.removed)
    }
}

/// Remove what `plan` chose, module by module in parallel on the current rayon pool.
/// `on_wait` is called before blocking on a version lock another process holds. Errors
/// stay with their version (or, for a `@v/list` rewrite, go in the second value); the
/// rest of the plan goes on. The result is in plan order.
pub fn apply(cache: &ModCache, plan: &Plan, on_wait: OnWait<'_>) -> (Vec<Pruned>, Vec<Error>) {
    let modules: Vec<&[Selected]> = plan
        .versions
        .chunk_by(|a, b| a.plan.module.path == b.plan.module.path)
        .collect();
    let results: Vec<(Vec<Pruned>, Option<Error>)> = modules
        .into_par_iter()
        .map(|versions| {
            let pruned: Vec<Pruned> = versions
                .iter()
                .map(|s| prune_version(cache, s, plan.scope, on_wait))
                .collect();
            let list_error = if versions.iter().any(|s| s.parts.contains(&Part::Mod)) {
                rewrite_version_list(cache, &cache.paths(&versions[0].plan.module)).err()
            } else {
                None
            };
            (pruned, list_error)
        })
        .collect();
    let mut pruned = Vec::new();
    let mut errors = Vec::new();
    for (p, e) in results {
        pruned.extend(p);
        errors.extend(e);
    }
    (pruned, errors)
}

/// Lock, look again, remove (in [`repair`]'s safe order) what is still there to remove.
fn prune_version(cache: &ModCache, s: &Selected, scope: Scope, on_wait: OnWait<'_>) -> Pruned {
    let mv = s.module();
    let locked = repair::with_version_lock(cache, mv, on_wait, || {
        let now = scan::scan_version(cache, mv);
        let changed = match scope {
            Scope::ZipsOnly if !(now.tree && !now.partial && now.ziphash) => {
                Some("its tree is no longer complete")
            }
            Scope::TreesOnly if !(now.zip && now.ziphash) => Some("its zip is gone"),
            _ => None,
        };
        if changed.is_some() {
            return (Vec::new(), changed, None);
        }
        let paths = cache.paths(mv);
        let mut remove: Vec<PathBuf> = s
            .parts
            .iter()
            .filter(|&&p| p != Part::Tmp)
            .map(|&p| part_path(&paths, p).to_path_buf())
            .collect();
        if s.parts.contains(&Part::Tmp) {
            // Go writes `.info`/`.mod` temp files without the lock: young ones may be live.
            remove.extend(
                now.tmp
                    .iter()
                    .filter(|t| !repair::maybe_being_written(&paths, t))
                    .cloned(),
            );
        }
        let plan = VersionPlan::new(cache, mv.clone(), remove);
        let (removed, error) = repair::execute(cache, &plan);
        (removed, None, error)
    });
    let (removed, skipped, error) = locked.unwrap_or_else(|e| (Vec::new(), None, Some(e)));
    Pruned {
        module: mv.clone(),
        removed,
        skipped,
        error,
    }
}

/// Rewrite `@v/list` as Go's `rewriteVersionList` does after a `.mod` changes: the
/// canonical versions with a `.mod` file, in semver order, one per line, written under
/// the list's own lock. A module without a list keeps having none.
fn rewrite_version_list(cache: &ModCache, paths: &VersionPaths) -> Result<()> {
    let (list, v_dir) = (&paths.list, &paths.v_dir);
    if list.symlink_metadata().is_err() {
        return Ok(());
    }
    repair::check_inside(cache, list)?;
    let mut file = OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(list)
        .at(list)?;
    file.lock().at(list)?;
    let mut versions: Vec<String> = fs::read_dir(v_dir)
        .at(v_dir)?
        .filter_map(|e| e.ok())
        .filter_map(|e| {
            let name = e.file_name().into_string().ok()?;
            let v = name.strip_suffix(".mod")?;
            semver::is_canonical(v).then(|| v.to_string())
        })
        .collect();
    versions.sort_by(|a, b| semver::compare(a, b).then_with(|| a.cmp(b)));
    let text: String = versions.iter().map(|v| format!("{v}\n")).collect();
    let mut old = Vec::new();
    file.read_to_end(&mut old).at(list)?;
    if old == text.as_bytes() {
        return Ok(());
    }
    file.set_len(0).at(list)?;
    file.set_len(text.len() as u64).at(list)?;
    file.rewind().at(list)?;
    file.write_all(text.as_bytes()).at(list)?;
    Ok(())
}

/// Parse a duration such as `30d`, `12h`, `2w`, `1y`, `90m` or `1w 2d` into seconds.
/// Units: `s`, `m` (minutes), `h`, `d`, `w`, `mo` (30 days), `y` (365 days), and their
/// long names (`min`, `hours`, `days`, `weeks`, `months`, `years`...).
pub fn parse_duration(s: &str) -> std::result::Result<u64, String> {
    const HELP: &str = "use a number and a unit (s, m, h, d, w, mo, y), as in 30d, 12h or 2w";
    let bad = |why: String| Err(format!("invalid duration {s:?}: {why}; {HELP}"));
    let mut rest = s.trim();
    if rest.is_empty() {
        return bad("empty".into());
    }
    let mut total: u64 = 0;
    while !rest.is_empty() {
        let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
        if digits == 0 {
            return bad(format!("expected a number at {rest:?}"));
        }
        let Ok(n) = rest[..digits].parse::<u64>() else {
            return bad("number too large".into());
        };
        rest = rest[digits..].trim_start();
        let unit_len = rest.bytes().take_while(u8::is_ascii_alphabetic).count();
        let unit = &rest[..unit_len];
        let seconds: u64 = match unit {
            "" => return bad(format!("missing unit after {n}")),
            "s" | "sec" | "secs" | "second" | "seconds" => 1,
            "m" | "min" | "mins" | "minute" | "minutes" => 60,
            "h" | "hr" | "hrs" | "hour" | "hours" => 3600,
            "d" | "day" | "days" => 86_400,
            "w" | "week" | "weeks" => 7 * 86_400,
            "mo" | "month" | "months" => 30 * 86_400,
            "y" | "yr" | "yrs" | "year" | "years" => 365 * 86_400,
            other => return bad(format!("unknown unit {other:?}")),
        };
        let Some(t) = n.checked_mul(seconds).and_then(|x| total.checked_add(x)) else {
            return bad("too long".into());
        };
        total = t;
        rest = rest[unit_len..].trim_start();
    }
    Ok(total)
}

/// Parse a size such as `10G`, `500MB`, `1.5GiB` or `123456` into bytes. `k`, `M`, `G`,
/// `T` (with or without `B`) are powers of 1000, as modcache prints sizes; `KiB`, `MiB`,
/// `GiB`, `TiB` are powers of 1024. Case does not matter.
pub fn parse_size(s: &str) -> std::result::Result<u64, String> {
    const HELP: &str =
        "use a number and an optional unit (B, kB, MB, GB, TB, KiB, MiB, GiB, TiB), as in 10GB";
    let bad = |why: &str| Err(format!("invalid size {s:?}: {why}; {HELP}"));
    let t = s.trim();
    let num_len = t
        .bytes()
        .take_while(|b| b.is_ascii_digit() || *b == b'.')
        .count();
    let (num, unit) = t.split_at(num_len);
    let unit = unit.trim().to_ascii_lowercase();
    let scale: u64 = match unit.as_str() {
        "" | "b" => 1,
        "k" | "kb" => 1_000,
        "m" | "mb" => 1_000_000,
        "g" | "gb" => 1_000_000_000,
        "t" | "tb" => 1_000_000_000_000,
        "kib" => 1 << 10,
        "mib" => 1 << 20,
        "gib" => 1 << 30,
        "tib" => 1 << 40,
        _ => return bad(&format!("unknown unit {unit:?}")),
    };
    let (int, frac) = num.split_once('.').unwrap_or((num, ""));
    if int.is_empty() && frac.is_empty() || frac.contains('.') {
        return bad("expected a number");
    }
    let whole: u64 = if int.is_empty() {
        0
    } else {
        match int.parse() {
            Ok(n) => n,
            Err(_) => return bad("number too large"),
        }
    };
    let mut bytes = match whole.checked_mul(scale) {
        Some(b) => b,
        None => return bad("too large"),
    };
    // Fractional part, exactly for up to 12 digits.
    if !frac.is_empty() {
        let digits = &frac[..frac.len().min(12)];
        let f: u128 = digits.parse().unwrap_or(0);
        bytes += (f * u128::from(scale) / 10u128.pow(digits.len() as u32)) as u64;
    }
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        assert_eq!(parse_duration("30d"), Ok(30 * 86_400));
        assert_eq!(parse_duration("12h"), Ok(12 * 3600));
        assert_eq!(parse_duration("2w"), Ok(14 * 86_400));
        assert_eq!(parse_duration("1y"), Ok(365 * 86_400));
        assert_eq!(parse_duration("90m"), Ok(90 * 60));
        assert_eq!(parse_duration("3 months"), Ok(90 * 86_400));
        assert_eq!(parse_duration("1w 2d"), Ok(9 * 86_400));
        assert_eq!(parse_duration(" 45s "), Ok(45));
        let err = parse_duration("3 fortnights").unwrap_err();
        assert_eq!(
            err,
            "invalid duration \"3 fortnights\": unknown unit \"fortnights\"; \
             use a number and a unit (s, m, h, d, w, mo, y), as in 30d, 12h or 2w"
        );
        for bad in ["", "30", "d", "-3d", "1.5d", "30D", "99999999999999999999d"] {
            assert!(parse_duration(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn sizes() {
        assert_eq!(parse_size("123"), Ok(123));
        assert_eq!(parse_size("10G"), Ok(10_000_000_000));
        assert_eq!(parse_size("500MB"), Ok(500_000_000));
        assert_eq!(parse_size("500 mb"), Ok(500_000_000));
        assert_eq!(parse_size("1.5GiB"), Ok(1_610_612_736));
        assert_eq!(parse_size("0.5kB"), Ok(500));
        assert_eq!(parse_size("2KiB"), Ok(2048));
        for bad in ["", "G", "10 parsecs", "1.2.3G", "-1G", "99999999999TB"] {
            assert!(parse_size(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn toolchains_named_by_go_and_toolchain_lines_are_needed() {
        let mut p = Projects::default();
        p.add_go_directives("module m\n\ngo 1.22 // comment\ntoolchain go1.23.4\n");
        let tc = |v: &str| ModuleVersion::new(TOOLCHAIN_MODULE, v);
        assert_eq!(p.need(&tc("v0.0.1-go1.23.4.linux-amd64")), Some(Need::Full));
        assert_eq!(
            p.need(&tc("v0.0.1-go1.22.5.darwin-arm64")),
            Some(Need::Full)
        );
        assert_eq!(p.need(&tc("v0.0.1-go1.22.linux-amd64")), Some(Need::Full));
        assert_eq!(p.need(&tc("v0.0.1-go1.21.0.linux-amd64")), None);
        assert_eq!(p.need(&tc("v0.0.1-go1.220.0.linux-amd64")), None);
        assert_eq!(p.need(&tc("v0.0.1-go1.23.40.linux-amd64")), None);
    }

    /// A cache on disk: `files` relative to the root.
    fn cache_with(files: &[&str]) -> (tempfile::TempDir, ModCache) {
        let tmp = tempfile::tempdir().unwrap();
        for f in files {
            let p = tmp.path().join(f);
            fs::create_dir_all(p.parent().unwrap()).unwrap();
            fs::write(&p, f.as_bytes()).unwrap();
        }
        fs::create_dir_all(tmp.path().join("cache/download")).unwrap();
        let cache = ModCache::open(tmp.path()).unwrap();
        (tmp, cache)
    }

    fn full_version(path: &str, v: &str) -> Vec<String> {
        let d = format!("cache/download/{path}/@v/{v}");
        vec![
            format!("{d}.info"),
            format!("{d}.mod"),
            format!("{d}.zip"),
            format!("{d}.ziphash"),
            format!("{d}.lock"),
            format!("{path}@{v}/go.mod"),
        ]
    }

    fn planned(plan: &Plan) -> Vec<String> {
        plan.versions
            .iter()
            .map(|s| {
                let parts: Vec<&str> = s.parts.iter().map(|p| p.as_str()).collect();
                format!("{} {}", s.module(), parts.join("+"))
            })
            .collect()
    }

    #[test]
    fn keep_latest_ranks_by_semver_including_pseudo_versions() {
        let versions = [
            "v0.0.0-20170915032832-14c0d48ead0c",
            "v0.3.0",
            "v0.10.0",
            "v0.10.1-0.20200101000000-abcdefabcdef",
            "v0.11.0-rc.1",
        ];
        let mut files: Vec<String> = versions
            .iter()
            .flat_map(|v| full_version("golang.org/x/text", v))
            .collect();
        files.extend(full_version("rsc.io/quote", "v1.5.2"));
        // A version left with nothing but its lock is not a version any more.
        files.push("cache/download/rsc.io/quote/@v/v1.6.0.lock".into());
        let refs: Vec<&str> = files.iter().map(String::as_str).collect();
        let (_tmp, cache) = cache_with(&refs);
        let usage = crate::usage::measure(&cache, crate::usage::Dates::Read);
        let c = Criteria {
            keep_latest: Some(2),
            ..Criteria::default()
        };
        assert_eq!(
            planned(&plan(&cache, &usage, &c)),
            [
                "golang.org/x/text@v0.0.0-20170915032832-14c0d48ead0c tree+zip+ziphash+mod+info",
                "golang.org/x/text@v0.3.0 tree+zip+ziphash+mod+info",
                "golang.org/x/text@v0.10.0 tree+zip+ziphash+mod+info",
            ]
        );
    }

    #[test]
    fn unused_by_keeps_what_go_sum_names_and_the_go_mod_of_go_mod_only_lines() {
        let mut files: Vec<String> = Vec::new();
        for (p, v) in [
            ("rsc.io/quote", "v1.5.2"),
            ("rsc.io/quote", "v1.5.1"),
            ("rsc.io/sampler", "v1.3.0"),
        ] {
            files.extend(full_version(p, v));
        }
        let refs: Vec<&str> = files.iter().map(String::as_str).collect();
        let (tmp, cache) = cache_with(&refs);
        let project = tmp.path().join("project");
        fs::create_dir_all(project.join("vendor")).unwrap();
        fs::write(
            project.join("go.sum"),
            "rsc.io/quote v1.5.2 h1:x=\nrsc.io/quote v1.5.2/go.mod h1:y=\nrsc.io/sampler v1.3.0/go.mod h1:z=\n",
        )
        .unwrap();
        fs::write(project.join("vendor/go.sum"), "rsc.io/quote v1.5.1 h1:x=\n").unwrap();
        let projects = Projects::find(std::slice::from_ref(&project), tmp.path()).unwrap();
        assert_eq!(
            projects.sum_files,
            [fs::canonicalize(project.join("go.sum")).unwrap()]
        );

        let usage = crate::usage::measure(&cache, crate::usage::Dates::Read);
        let c = Criteria {
            unused_by: Some(&projects),
            ..Criteria::default()
        };
        let p = plan(&cache, &usage, &c);
        assert_eq!(
            planned(&p),
            [
                "rsc.io/quote@v1.5.1 tree+zip+ziphash+mod+info",
                "rsc.io/sampler@v1.3.0 tree+zip+ziphash"
            ]
        );
        assert!(p.versions[1].gomod_kept);

        let zips = Criteria {
            scope: Scope::ZipsOnly,
            ..c
        };
        assert_eq!(
            planned(&plan(&cache, &usage, &zips)),
            ["rsc.io/quote@v1.5.1 zip", "rsc.io/sampler@v1.3.0 zip"]
        );
        let (pruned, errors) = apply(&cache, &plan(&cache, &usage, &c), &|_, _| {});
        assert!(errors.is_empty(), "{errors:?}");
        assert!(
            pruned
                .iter()
                .all(|p| p.error.is_none() && p.skipped.is_none() && p.freed() > 0),
            "{pruned:?}"
        );
        let after = crate::scan::scan(&cache);
        let s = &after.versions[&ModuleVersion::new("rsc.io/sampler", "v1.3.0")];
        assert!(s.gomod && s.info && s.lock && !s.zip && !s.ziphash && !s.tree && !s.partial);
        let q = &after.versions[&ModuleVersion::new("rsc.io/quote", "v1.5.1")];
        assert!(q.lock && !q.gomod && !q.info && !q.zip && !q.tree && !q.partial);
        assert!(after.versions[&ModuleVersion::new("rsc.io/quote", "v1.5.2")].tree);
    }

    #[test]
    fn missing_and_non_directory_project_dirs_are_errors() {
        let tmp = tempfile::tempdir().unwrap();
        let missing = tmp.path().join("nope");
        let err = Projects::find(std::slice::from_ref(&missing), tmp.path()).unwrap_err();
        assert_eq!(
            err.to_string(),
            format!("{}: no such directory", missing.display())
        );
        let file = tmp.path().join("file");
        fs::write(&file, "").unwrap();
        let err = Projects::find(std::slice::from_ref(&file), tmp.path()).unwrap_err();
        assert_eq!(
            err.to_string(),
            format!("{}: not a directory", file.display())
        );
    }

    #[test]
    fn version_list_is_rewritten_like_go() {
        let (tmp, cache) = cache_with(&[
            "cache/download/m/@v/v1.10.0.mod",
            "cache/download/m/@v/v1.2.0.mod",
            "cache/download/m/@v/v1.2.0-!r!c.mod",
            "cache/download/m/@v/v1.3.0.info",
            "cache/download/m/@v/list",
        ]);
        let paths = cache.paths(&ModuleVersion::new("m", "v1.0.0"));
        assert_eq!(paths.list, tmp.path().join("cache/download/m/@v/list"));
        rewrite_version_list(&cache, &paths).unwrap();
        assert_eq!(
            fs::read_to_string(&paths.list).unwrap(),
            "v1.2.0\nv1.10.0\n"
        );
    }
}
