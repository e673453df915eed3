//! Output of `modcache fsck`.

use std::collections::BTreeMap;
use std::io::{self, Write};
use std::time::Duration;

use modcache::cache::ModCache;
use modcache::check::{CacheReport, Problem};

use super::json::{self, FsckDoc, ProblemDoc};
use super::{plural, show_bytes, show_duration, show_path, show_text};

/// `m@v: kind: detail (path)`, one line per problem, then a one-line summary.
pub fn human(
    out: &mut impl Write,
    report: &CacheReport,
    elapsed: Duration,
    color: bool,
) -> io::Result<()> {
    for p in &report.problems {
        writeln!(out, "{}", problem_line(p, color))?;
    }
    let s = &report.stats;
    let mut by_kind: BTreeMap<&str, usize> = BTreeMap::new();
    for p in &report.problems {
        *by_kind.entry(p.kind.as_str()).or_default() += 1;
    }
    let verdict = if by_kind.is_empty() {
        "no problems".to_string()
    } else {
        let kinds: Vec<String> = by_kind.iter().map(|(k, n)| format!("{n} {k}")).collect();
        format!(
            "{} ({})",
            plural(report.problems.len(), "problem", "problems"),
            kinds.join(", ")
        )
    };
    let mut skipped = String::new();
    if s.versions_skipped > 0 {
        skipped += &format!(", {} unchanged since verified", s.versions_skipped);
    }
    if s.versions_busy > 0 {
        skipped += &format!(", {} being written by go", s.versions_busy);
    }
    writeln!(
        out,
        "checked {} versions ({} zips, {} trees{skipped}), hashed {} in {}: {verdict}",
        s.versions_checked,
        s.zips_hashed,
        s.trees_hashed,
        show_bytes(s.bytes_hashed),
        show_duration(elapsed),
    )
}

fn problem_line(p: &Problem, color: bool) -> String {
    let who = match &p.module {
        Some(mv) => show_text(&mv.to_string()),
        None => "modcache".to_string(),
    };
    let kind = if color {
        format!("\x1b[1;31m{}\x1b[0m", p.kind)
    } else {
        p.kind.to_string()
    };
    format!(
        "{who}: {kind}: {} ({})",
        show_text(&p.detail),
        show_path(&p.path)
    )
}

pub fn json(out: &mut impl Write, cache: &ModCache, report: &CacheReport) -> io::Result<()> {
    let doc = FsckDoc {
        modcache: cache.root().to_string_lossy().into_owned(),
        versions_checked: report.stats.versions_checked,
        bytes_hashed: report.stats.bytes_hashed,
        problems: report.problems.iter().map(ProblemDoc::from).collect(),
    };
    json::write(out, &doc)
}
