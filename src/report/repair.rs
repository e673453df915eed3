//! Output of `fsck --fix` and `purge`: what was (or, with `--dry-run`, would be) removed,
//! the bytes freed, and what remains broken with what the user can do about it.

use std::io::{self, Write};
use std::path::Path;
use std::time::Duration;

use serde::Serialize;

use modcache::Error;
use modcache::cache::{ModCache, ModuleVersion};
use modcache::check::{CacheReport, Kind, Problem};
use modcache::gologs::LogScan;
use modcache::repair::Removal;

use super::json::{self, FsckDoc, ProblemDoc};
use super::{plural, show_bytes, show_path, show_text};

/// What happened (or would happen) to one version.
#[derive(Debug)]
pub struct VersionRemovals<'a> {
    pub module: &'a ModuleVersion,
    /// Kinds repaired (`--fix`); empty for purge.
    pub kinds: Vec<Kind>,
    pub removals: &'a [Removal],
    pub error: Option<&'a Error>,
    /// Why nothing was removed, when nothing was.
    pub note: Option<&'static str>,
}

impl VersionRemovals<'_> {
    fn bytes(&self) -> u64 {
        Removal::total(self.removals)
    }
}

/// `waiting for Go's lock on m@v (path)...` on stderr, before blocking on it.
pub fn waiting(mv: &ModuleVersion, lock: &Path) {
    eprintln!(
        "waiting for Go's lock on {} ({})...",
        show_text(&mv.to_string()),
        show_path(lock)
    );
}

/// `--from-log` found nothing to purge: say so (the caller exits 1).
pub fn nothing_in_log(source: &str, unattributed: usize) {
    if unattributed == 0 {
        eprintln!(
            "modcache: no module versions found in {}",
            show_text(source)
        );
    } else {
        eprintln!(
            "modcache: no module versions found in {}: {} naming no version \
             (rerun the failing command as `go mod download -json` to see which)",
            show_text(source),
            plural(unattributed, "failure line", "failure lines")
        );
    }
}

/// One line on stderr per version that could not be (completely) handled.
pub fn errors(entries: &[VersionRemovals<'_>]) {
    for e in entries {
        if let Some(err) = e.error {
            eprintln!(
                "modcache: {}: {}",
                show_text(&e.module.to_string()),
                show_text(&err.to_string())
            );
        }
    }
}

fn verb(dry_run: bool) -> &'static str {
    if dry_run { "would remove" } else { "removed" }
}

fn write_versions(
    out: &mut impl Write,
    entries: &[VersionRemovals<'_>],
    dry_run: bool,
) -> io::Result<()> {
    for e in entries {
        let who = show_text(&e.module.to_string());
        let kinds: Vec<&str> = e.kinds.iter().map(|k| k.as_str()).collect();
        let header = if kinds.is_empty() {
            who
        } else {
            format!("{who} ({})", kinds.join(", "))
        };
        if e.removals.is_empty() {
            let why = match e.error {
                Some(_) => "nothing removed (see the error on stderr)",
                None => e.note.unwrap_or("nothing to remove"),
            };
            writeln!(out, "{header}: {why}")?;
            continue;
        }
        writeln!(out, "{header}:")?;
        for r in e.removals {
            writeln!(
                out,
                "  {} {} ({})",
                verb(dry_run),
                show_path(&r.path),
                show_bytes(r.bytes)
            )?;
        }
    }
    Ok(())
}

fn totals(entries: &[VersionRemovals<'_>]) -> (usize, usize, u64) {
    let acted: Vec<&VersionRemovals<'_>> =
        entries.iter().filter(|e| !e.removals.is_empty()).collect();
    let paths = acted.iter().map(|e| e.removals.len()).sum();
    let bytes = acted.iter().map(|e| e.bytes()).sum();
    (acted.len(), paths, bytes)
}

/// What the user can do about a problem `--fix` leaves alone.
fn advice(p: &Problem) -> Option<String> {
    let who = p.module.as_ref().map(|m| m.to_string())?;
    match p.kind {
        Kind::GosumMismatch | Kind::GomodMismatch => Some(format!(
            "modcache cannot tell whether the cache or go.sum is wrong: check go.sum's history \
             (git log -p go.sum) and where the version came from (go mod download -x {who}); \
             if go.sum is right, run fsck --fix --trust-gosum to remove the cached copy so that \
             Go fetches it again and checks it against go.sum"
        )),
        Kind::TmpLeftover => Some(format!(
            "written less than {}s ago: a running go command may still be writing it \
             (Go writes .info and .mod files without the lock); run fix again later",
            modcache::repair::UNLOCKED_TEMP_AGE.as_secs()
        )),
        Kind::Unreadable => Some(
            "modcache does not change permissions: make it readable (or remove it) and run fsck again"
                .to_string(),
        ),
        _ => None,
    }
}

fn problem_line(p: &Problem) -> String {
    let who = match &p.module {
        Some(mv) => show_text(&mv.to_string()),
        None => "modcache".to_string(),
    };
    format!(
        "{who}: {}: {} ({})",
        p.kind,
        show_text(&p.detail),
        show_path(&p.path)
    )
}

/// `fsck --fix` for people: fsck's own report, then the removals, then what remains.
pub fn fix_human(
    out: &mut impl Write,
    report: &CacheReport,
    elapsed: Duration,
    color: bool,
    dry_run: bool,
    entries: &[VersionRemovals<'_>],
    remaining: &[Problem],
) -> io::Result<()> {
    super::fsck::human(out, report, elapsed, color)?;
    if report.problems.is_empty() {
        return Ok(());
    }
    write_versions(out, entries, dry_run)?;
    let (versions, paths, bytes) = totals(entries);
    if dry_run {
        writeln!(
            out,
            "would fix {}: remove {}, freeing {} ({bytes} bytes)",
            plural(versions, "version", "versions"),
            plural(paths, "path", "paths"),
            show_bytes(bytes)
        )?;
    } else {
        writeln!(
            out,
            "fixed {}: removed {}, freed {} ({bytes} bytes)",
            plural(versions, "version", "versions"),
            plural(paths, "path", "paths"),
            show_bytes(bytes)
        )?;
    }
    if remaining.is_empty() {
        return Ok(());
    }
    let n = remaining.len();
    writeln!(
        out,
        "{} {} {}:",
        plural(n, "problem", "problems"),
        if dry_run {
            "would remain"
        } else if n == 1 {
            "remains"
        } else {
            "remain"
        },
        if dry_run { "after the fix" } else { "unfixed" }
    )?;
    for p in remaining {
        writeln!(out, "{}", problem_line(p))?;
        if let Some(a) = advice(p) {
            writeln!(out, "  {a}")?;
        }
    }
    Ok(())
}

#[derive(Debug, Serialize)]
struct RemovalDoc {
    path: String,
    bytes: u64,
}

#[derive(Debug, Serialize)]
struct FixedDoc<'a> {
    module: &'a str,
    version: &'a str,
    kinds: Vec<&'static str>,
    removed: Vec<RemovalDoc>,
    error: Option<String>,
}

#[derive(Debug, Serialize)]
struct FsckFixDoc<'a> {
    #[serde(flatten)]
    fsck: FsckDoc<'a>,
    dry_run: bool,
    fixed: Vec<FixedDoc<'a>>,
    bytes_freed: u64,
    remaining: Vec<ProblemDoc<'a>>,
}

fn removal_docs(removals: &[Removal]) -> Vec<RemovalDoc> {
    removals
        .iter()
        .map(|r| RemovalDoc {
            path: r.path.to_string_lossy().into_owned(),
            bytes: r.bytes,
        })
        .collect()
}

/// `fsck --fix --json`: fsck's document plus `dry_run`, `fixed`, `bytes_freed` and
/// `remaining`. With `--dry-run`, `fixed` is the plan and `bytes_freed` what it would free.
pub fn fix_json(
    out: &mut impl Write,
    cache: &ModCache,
    report: &CacheReport,
    dry_run: bool,
    entries: &[VersionRemovals<'_>],
    remaining: &[Problem],
) -> io::Result<()> {
    let doc = FsckFixDoc {
        fsck: FsckDoc {
            modcache: cache.root().to_string_lossy().into_owned(),
            versions_checked: report.stats.versions_checked,
            bytes_hashed: report.stats.bytes_hashed,
            problems: report.problems.iter().map(ProblemDoc::from).collect(),
        },
        dry_run,
        fixed: entries
            .iter()
            .filter(|e| !e.removals.is_empty() || e.error.is_some())
            .map(|e| FixedDoc {
                module: &e.module.path,
                version: &e.module.version,
                kinds: e.kinds.iter().map(|k| k.as_str()).collect(),
                removed: removal_docs(e.removals),
                error: e.error.map(|e| e.to_string()),
            })
            .collect(),
        bytes_freed: totals(entries).2,
        remaining: remaining.iter().map(ProblemDoc::from).collect(),
    };
    json::write(out, &doc)
}

/// Where `--from-log` read, and what it found.
#[derive(Debug)]
pub struct FromLog<'a> {
    pub source: &'a str,
    pub scan: &'a LogScan,
    /// Named versions the cache holds nothing of.
    pub not_cached: &'a [ModuleVersion],
}

/// `purge` for people.
pub fn purge_human(
    out: &mut impl Write,
    dry_run: bool,
    entries: &[VersionRemovals<'_>],
    log: Option<&FromLog<'_>>,
) -> io::Result<()> {
    if let Some(log) = log {
        for n in &log.scan.named {
            let how = if n.by_announcement {
                "was being downloaded before an unattributed failure at"
            } else {
                "named at"
            };
            writeln!(
                out,
                "{}: {how} {}:{}: {}",
                show_text(&n.module.to_string()),
                show_text(log.source),
                n.line,
                show_text(n.text.trim())
            )?;
        }
        for mv in log.not_cached {
            writeln!(
                out,
                "{}: not in the module cache; nothing to remove",
                show_text(&mv.to_string())
            )?;
        }
    }
    write_versions(out, entries, dry_run)?;
    let (versions, paths, bytes) = totals(entries);
    writeln!(
        out,
        "{} {}: {} {}, {} {} ({bytes} bytes)",
        if dry_run { "would purge" } else { "purged" },
        plural(versions, "version", "versions"),
        if dry_run { "remove" } else { "removed" },
        plural(paths, "path", "paths"),
        if dry_run { "freeing" } else { "freed" },
        show_bytes(bytes)
    )
}

#[derive(Debug, Serialize)]
struct PurgedDoc<'a> {
    module: &'a str,
    version: &'a str,
    removed: Vec<RemovalDoc>,
    error: Option<String>,
}

#[derive(Debug, Serialize)]
struct NamedDoc<'a> {
    module: &'a str,
    version: &'a str,
    line: usize,
    text: &'a str,
    gomod: bool,
    by_announcement: bool,
    cached: bool,
}

#[derive(Debug, Serialize)]
struct UnattributedDoc<'a> {
    line: usize,
    text: &'a str,
}

#[derive(Debug, Serialize)]
struct FromLogDoc<'a> {
    file: &'a str,
    named: Vec<NamedDoc<'a>>,
    unattributed: Vec<UnattributedDoc<'a>>,
}

#[derive(Debug, Serialize)]
struct PurgeDoc<'a> {
    modcache: String,
    dry_run: bool,
    purged: Vec<PurgedDoc<'a>>,
    bytes_freed: u64,
    from_log: Option<FromLogDoc<'a>>,
}

/// `purge --json`: one document on stdout.
pub fn purge_json(
    out: &mut impl Write,
    cache: &ModCache,
    dry_run: bool,
    entries: &[VersionRemovals<'_>],
    log: Option<&FromLog<'_>>,
) -> io::Result<()> {
    let doc = PurgeDoc {
        modcache: cache.root().to_string_lossy().into_owned(),
        dry_run,
        purged: entries
            .iter()
            .map(|e| PurgedDoc {
                module: &e.module.path,
                version: &e.module.version,
                removed: removal_docs(e.removals),
                error: e.error.map(|e| e.to_string()),
            })
            .collect(),
        bytes_freed: totals(entries).2,
        from_log: log.map(|log| FromLogDoc {
            file: log.source,
            named: log
                .scan
                .named
                .iter()
                .map(|n| NamedDoc {
                    module: &n.module.path,
                    version: &n.module.version,
                    line: n.line,
                    text: &n.text,
                    gomod: n.gomod,
                    by_announcement: n.by_announcement,
                    cached: !log.not_cached.contains(&n.module),
                })
                .collect(),
            unattributed: log
                .scan
                .unattributed
                .iter()
                .map(|(line, text)| UnattributedDoc { line: *line, text })
                .collect(),
        }),
    };
    json::write(out, &doc)
}
