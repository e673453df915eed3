//! Output of `modcache du` and `modcache prune`.
//!
//! Human text is a set of aligned tables with a proportional bar per row, the way dust
//! and ncdu draw them: Unicode eighth-blocks and colour on a terminal (no colour with
//! `NO_COLOR`), `#` bars and no escape codes when piped. `--json` prints one document
//! whose byte counts are exact integers (`bytes`: disk usage, `apparent_bytes`: file
//! lengths) and whose kinds are kebab-case.

use std::io::{self, Write};
use std::path::PathBuf;
use std::time::Duration;

use serde::Serialize;

use modcache::Error;
use modcache::cache::ModCache;
use modcache::gotime::{format_date, format_rfc3339};
use modcache::prune::{Estimate, EstimateKind, Plan, Pruned, Scope, Selected};
use modcache::usage::{Category, DateSource, Part, Sizes, SortKey, Usage, VersionUsage};

use super::{json, plural, show_bytes, show_duration, show_path, show_text, warn};

/// How human text is decorated.
#[derive(Debug, Clone, Copy)]
pub struct Style {
    /// ANSI colours.
    pub color: bool,
    /// Unicode block bars (a terminal); `#` bars otherwise.
    pub unicode: bool,
}

/// What `du` was asked to show.
#[derive(Debug)]
pub struct DuView<'a> {
    pub top: usize,
    pub versions: Option<&'a str>,
    pub sort: SortKey,
    pub apparent: bool,
    pub unused_by: &'a [PathBuf],
}

const BAR_WIDTH: usize = 20;
const EIGHTHS: [char; 7] = ['▏', '▎', '▍', '▌', '▋', '▊', '▉'];

const BOLD: &str = "1";
const DIM: &str = "2";
const CYAN: &str = "36";

fn category_color(c: Category) -> &'static str {
    match c {
        Category::Trees => "32",
        Category::Zips => "34",
        Category::Metadata => "33",
        Category::Vcs => "35",
        Category::SumDb => "36",
        Category::Temp => "31",
        Category::Other => "37",
    }
}

/// A bar of exactly `BAR_WIDTH` characters, filled to `frac`. Anything above zero shows.
fn bar(frac: f64, style: Style) -> String {
    let frac = if frac.is_finite() {
        frac.clamp(0.0, 1.0)
    } else {
        0.0
    };
    let mut s = String::new();
    let mut width = 0;
    if style.unicode {
        let mut eighths = (frac * (BAR_WIDTH * 8) as f64).round() as usize;
        if frac > 0.0 {
            eighths = eighths.max(1);
        }
        s.push_str(&"█".repeat(eighths / 8));
        width += eighths / 8;
        if let Some(partial) = (eighths % 8).checked_sub(1) {
            s.push(EIGHTHS[partial]);
            width += 1;
        }
    } else {
        let mut cells = (frac * BAR_WIDTH as f64).round() as usize;
        if frac > 0.0 {
            cells = cells.max(1);
        }
        s.push_str(&"#".repeat(cells));
        width += cells;
    }
    s.push_str(&" ".repeat(BAR_WIDTH.saturating_sub(width)));
    s
}

fn ratio(part: u64, whole: u64) -> f64 {
    if whole == 0 {
        0.0
    } else {
        part as f64 / whole as f64
    }
}

fn percent(part: u64, whole: u64) -> String {
    format!("{:.1}%", 100.0 * ratio(part, whole))
}

fn paint(text: &str, code: &str, style: Style) -> String {
    if style.color && !text.is_empty() {
        format!("\x1b[{code}m{text}\x1b[0m")
    } else {
        text.to_string()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Align {
    Left,
    Right,
}

/// One cell: its text and the colour it is painted in.
struct Cell {
    text: String,
    color: Option<&'static str>,
}

fn cell(text: impl Into<String>) -> Cell {
    Cell {
        text: text.into(),
        color: None,
    }
}

fn painted(text: impl Into<String>, color: &'static str) -> Cell {
    Cell {
        text: text.into(),
        color: Some(color),
    }
}

/// Rows of cells, each column padded to its widest cell (widths counted in characters,
/// before colour), two spaces apart, indented by two.
fn table(
    out: &mut impl Write,
    aligns: &[Align],
    rows: &[Vec<Cell>],
    style: Style,
) -> io::Result<()> {
    let mut widths = vec![0; aligns.len()];
    for row in rows {
        for (w, c) in widths.iter_mut().zip(row) {
            *w = (*w).max(c.text.chars().count());
        }
    }
    for row in rows {
        let mut line = String::from("  ");
        let last = row.iter().rposition(|c| !c.text.is_empty()).unwrap_or(0);
        for (i, c) in row.iter().enumerate().take(last + 1) {
            let pad = " ".repeat(widths[i] - c.text.chars().count());
            let text = match c.color {
                Some(code) => paint(&c.text, code, style),
                None => c.text.clone(),
            };
            match aligns[i] {
                Align::Left if i == last => line.push_str(&text),
                Align::Left => {
                    line.push_str(&text);
                    line.push_str(&pad);
                }
                Align::Right => {
                    line.push_str(&pad);
                    line.push_str(&text);
                }
            }
            if i < last {
                line.push_str("  ");
            }
        }
        writeln!(out, "{}", line.trim_end())?;
    }
    Ok(())
}

fn size_name(apparent: bool) -> &'static str {
    if apparent { "apparent size" } else { "on disk" }
}

fn date_cell(v: &VersionUsage) -> String {
    match v.date() {
        Some((t, DateSource::Info)) => format_date(t),
        Some((t, DateSource::Mtime)) => format!("{}*", format_date(t)),
        None => "-".into(),
    }
}

const MTIME_NOTE: &str = "* date from the files' mtime: no .info Time";

/// `modcache du` for people.
pub fn du_human(
    out: &mut impl Write,
    cache: &ModCache,
    usage: &Usage,
    view: &DuView<'_>,
    estimates: &[Estimate],
    elapsed: Duration,
    style: Style,
) -> io::Result<()> {
    if let Some(module) = view.versions {
        return versions_human(out, usage, module, view, style);
    }
    let a = view.apparent;
    let total = usage.total().bytes(a);
    let modules = usage.sorted_modules(view.sort, a);
    writeln!(
        out,
        "{}: {} {} in {} and {}",
        paint(&show_path(cache.root()), BOLD, style),
        paint(&show_bytes(total), BOLD, style),
        size_name(a),
        plural(modules.len(), "module", "modules"),
        plural(usage.present().count(), "version", "versions"),
    )?;
    writeln!(out)?;

    let largest = Category::ALL
        .iter()
        .map(|&c| usage.category(c).bytes(a))
        .max()
        .unwrap_or(0);
    let mut rows: Vec<Vec<Cell>> = Category::ALL
        .iter()
        .map(|&c| {
            let n = usage.category(c).bytes(a);
            vec![
                cell(c.as_str()),
                cell(show_bytes(n)),
                painted(bar(ratio(n, largest), style), category_color(c)),
                painted(percent(n, total), DIM),
            ]
        })
        .collect();
    rows.push(vec![
        painted("total", BOLD),
        painted(show_bytes(total), BOLD),
        cell(""),
        cell(""),
    ]);
    table(
        out,
        &[Align::Left, Align::Right, Align::Left, Align::Right],
        &rows,
        style,
    )?;

    if view.top > 0 && !modules.is_empty() {
        let shown = &modules[..view.top.min(modules.len())];
        let title = match view.sort {
            SortKey::Size => "largest modules",
            SortKey::Name => "modules by name",
            SortKey::Date => "modules by date, newest first",
        };
        writeln!(out)?;
        writeln!(
            out,
            "{}",
            paint(
                &format!("{title} ({} of {})", shown.len(), modules.len()),
                BOLD,
                style
            )
        )?;
        let largest = shown.iter().map(|m| m.sizes.bytes(a)).max().unwrap_or(0);
        let rows: Vec<Vec<Cell>> = shown
            .iter()
            .map(|m| {
                let n = m.sizes.bytes(a);
                vec![
                    cell(show_text(&m.path)),
                    cell(plural(m.versions, "version", "versions")),
                    cell(show_text(&m.latest)),
                    cell(show_bytes(n)),
                    painted(bar(ratio(n, largest), style), CYAN),
                    painted(percent(n, total), DIM),
                ]
            })
            .collect();
        let aligns = [
            Align::Left,
            Align::Right,
            Align::Left,
            Align::Right,
            Align::Left,
            Align::Right,
        ];
        table(out, &aligns, &rows, style)?;
    }

    if !estimates.is_empty() {
        writeln!(out)?;
        writeln!(
            out,
            "{}",
            paint("reclaimable (estimates; they overlap)", BOLD, style)
        )?;
        let dirs: Vec<String> = view.unused_by.iter().map(|d| show_path(d)).collect();
        let rows: Vec<Vec<Cell>> = estimates
            .iter()
            .map(|e| {
                let (what, how) = match e.kind {
                    EstimateKind::ZipsWithTree => (
                        "zips whose tree is extracted".to_string(),
                        "modcache prune --zips-only".to_string(),
                    ),
                    EstimateKind::Superseded(n) => (
                        format!("versions beyond the newest {n} of each module"),
                        format!("modcache prune --keep-latest {n}"),
                    ),
                    EstimateKind::Unused => (
                        "versions no given project uses".to_string(),
                        format!("modcache prune --unused-by {}", dirs.join(" ")),
                    ),
                };
                let n = e.sizes.bytes(a);
                vec![
                    cell(what),
                    cell(show_bytes(n)),
                    cell(plural(e.versions, "version", "versions")),
                    painted(bar(ratio(n, total), style), CYAN),
                    painted(percent(n, total), DIM),
                    painted(how, DIM),
                ]
            })
            .collect();
        let aligns = [
            Align::Left,
            Align::Right,
            Align::Right,
            Align::Left,
            Align::Right,
            Align::Left,
        ];
        table(out, &aligns, &rows, style)?;
    }
    writeln!(out)?;
    writeln!(
        out,
        "{}",
        paint(
            &format!(
                "measured {} entries in {}",
                usage.total().entries,
                show_duration(elapsed)
            ),
            DIM,
            style
        )
    )
}

/// `du --versions MODULE` for people.
fn versions_human(
    out: &mut impl Write,
    usage: &Usage,
    module: &str,
    view: &DuView<'_>,
    style: Style,
) -> io::Result<()> {
    let a = view.apparent;
    let versions = usage.module_versions(module, view.sort, a);
    // As in the module list: the versions plus the module's `@v/list`.
    let list = usage
        .lists
        .get(module)
        .copied()
        .unwrap_or_default()
        .bytes(a);
    let total: u64 = list
        + versions
            .iter()
            .map(|(_, v)| v.total().bytes(a))
            .sum::<u64>();
    writeln!(
        out,
        "{}: {}, {} {}",
        paint(&show_text(module), BOLD, style),
        plural(versions.len(), "version", "versions"),
        show_bytes(total),
        size_name(a)
    )?;
    let largest = versions
        .iter()
        .map(|(_, v)| v.total().bytes(a))
        .max()
        .unwrap_or(0);
    let mut rows = vec![
        [
            "version",
            "date",
            "last used",
            "tree",
            "zip",
            "other",
            "total",
            "",
            "",
        ]
        .into_iter()
        .map(|h| painted(h, DIM))
        .collect::<Vec<_>>(),
    ];
    for (mv, v) in &versions {
        let n = v.total().bytes(a);
        let tree = v.part(Part::Tree).bytes(a);
        let zip = v.part(Part::Zip).bytes(a);
        rows.push(vec![
            cell(show_text(&mv.version)),
            cell(date_cell(v)),
            cell(v.last_used.map_or("-".into(), format_date)),
            cell(show_bytes(tree)),
            cell(show_bytes(zip)),
            cell(show_bytes(n - tree - zip)),
            cell(show_bytes(n)),
            painted(bar(ratio(n, largest), style), CYAN),
            painted(percent(n, total), DIM),
        ]);
    }
    let aligns = [
        Align::Left,
        Align::Left,
        Align::Left,
        Align::Right,
        Align::Right,
        Align::Right,
        Align::Right,
        Align::Left,
        Align::Right,
    ];
    table(out, &aligns, &rows, style)?;
    if versions
        .iter()
        .any(|(_, v)| matches!(v.date(), Some((_, DateSource::Mtime))))
    {
        writeln!(out, "{}", paint(MTIME_NOTE, DIM, style))?;
    }
    Ok(())
}

/// Unreadable parts of the cache, as warnings on stderr.
pub fn walk_errors(errors: &[(PathBuf, io::Error)]) {
    for (path, e) in errors {
        warn(&format!("cannot measure {}: {e}", show_path(path)));
    }
}

#[derive(Debug, Serialize)]
struct SizesDoc {
    bytes: u64,
    apparent_bytes: u64,
}

impl From<Sizes> for SizesDoc {
    fn from(s: Sizes) -> Self {
        SizesDoc {
            bytes: s.disk,
            apparent_bytes: s.apparent,
        }
    }
}

#[derive(Debug, Serialize)]
struct DuDoc<'a> {
    modcache: String,
    modules: usize,
    versions: usize,
    #[serde(flatten)]
    total: SizesDoc,
    entries: u64,
    categories: Vec<CategoryDoc>,
    top_modules: Vec<ModuleDoc>,
    module_versions: Option<Vec<VersionDoc<'a>>>,
    reclaimable: Vec<EstimateDoc>,
    errors: Vec<ErrorDoc>,
}

#[derive(Debug, Serialize)]
struct CategoryDoc {
    category: &'static str,
    #[serde(flatten)]
    sizes: SizesDoc,
    entries: u64,
}

#[derive(Debug, Serialize)]
struct ModuleDoc {
    module: String,
    versions: usize,
    latest: String,
    date: Option<String>,
    #[serde(flatten)]
    sizes: SizesDoc,
}

#[derive(Debug, Serialize)]
struct VersionDoc<'a> {
    module: &'a str,
    version: &'a str,
    date: Option<String>,
    date_source: Option<&'static str>,
    last_used: Option<String>,
    #[serde(flatten)]
    sizes: SizesDoc,
    parts: Vec<PartDoc>,
}

#[derive(Debug, Serialize)]
struct PartDoc {
    part: &'static str,
    #[serde(flatten)]
    sizes: SizesDoc,
}

#[derive(Debug, Serialize)]
struct EstimateDoc {
    kind: &'static str,
    keep_latest: Option<usize>,
    versions: usize,
    #[serde(flatten)]
    sizes: SizesDoc,
}

#[derive(Debug, Serialize)]
struct ErrorDoc {
    path: Option<String>,
    error: String,
}

fn version_doc<'a>(module: &'a str, version: &'a str, v: &VersionUsage) -> VersionDoc<'a> {
    VersionDoc {
        module,
        version,
        date: v.date().map(|(t, _)| format_rfc3339(t)),
        date_source: v.date().map(|(_, s)| s.as_str()),
        last_used: v.last_used.map(format_rfc3339),
        sizes: v.total().into(),
        parts: Part::ALL
            .iter()
            .filter(|&&p| v.has(p))
            .map(|&p| PartDoc {
                part: p.as_str(),
                sizes: v.part(p).into(),
            })
            .collect(),
    }
}

/// `modcache du --json`.
pub fn du_json(
    out: &mut impl Write,
    cache: &ModCache,
    usage: &Usage,
    view: &DuView<'_>,
    estimates: &[Estimate],
) -> io::Result<()> {
    let modules = usage.sorted_modules(view.sort, view.apparent);
    let total = usage.total();
    let doc = DuDoc {
        modcache: cache.root().to_string_lossy().into_owned(),
        modules: modules.len(),
        versions: usage.present().count(),
        total: total.into(),
        entries: total.entries,
        categories: Category::ALL
            .iter()
            .map(|&c| CategoryDoc {
                category: c.as_str(),
                sizes: usage.category(c).into(),
                entries: usage.category(c).entries,
            })
            .collect(),
        top_modules: modules
            .into_iter()
            .take(view.top)
            .map(|m| ModuleDoc {
                date: m.date.map(format_rfc3339),
                sizes: m.sizes.into(),
                module: m.path,
                versions: m.versions,
                latest: m.latest,
            })
            .collect(),
        module_versions: view.versions.map(|module| {
            usage
                .module_versions(module, view.sort, view.apparent)
                .into_iter()
                .map(|(mv, v)| version_doc(&mv.path, &mv.version, v))
                .collect()
        }),
        reclaimable: estimates
            .iter()
            .map(|e| EstimateDoc {
                kind: e.kind.as_str(),
                keep_latest: match e.kind {
                    EstimateKind::Superseded(n) => Some(n),
                    _ => None,
                },
                versions: e.versions,
                sizes: e.sizes.into(),
            })
            .collect(),
        errors: usage
            .errors
            .iter()
            .map(|(p, e)| ErrorDoc {
                path: Some(p.to_string_lossy().into_owned()),
                error: e.to_string(),
            })
            .collect(),
    };
    json::write(out, &doc)
}

fn parts_text(s: &Selected) -> String {
    let parts: Vec<&str> = s.parts.iter().map(|p| p.as_str()).collect();
    let mut text = parts.join(" ");
    if s.gomod_kept {
        text.push_str(" (go.mod kept)");
    }
    text
}

fn selected_rows(plan: &Plan, style: Style) -> Vec<Vec<Cell>> {
    let largest = plan
        .versions
        .iter()
        .map(|s| s.sizes.disk)
        .max()
        .unwrap_or(0);
    plan.versions
        .iter()
        .map(|s| {
            let date = match s.date {
                Some((t, DateSource::Info)) => format_date(t),
                Some((t, DateSource::Mtime)) => format!("{}*", format_date(t)),
                None => "-".into(),
            };
            let mut row = vec![
                cell(show_text(&s.module().path)),
                cell(show_text(&s.module().version)),
                cell(date),
            ];
            if plan.max_size.is_some() {
                row.push(cell(
                    s.last_used
                        .map_or("-".into(), |t| format!("used {}", format_date(t))),
                ));
            }
            row.extend([
                cell(show_bytes(s.sizes.disk)),
                painted(bar(ratio(s.sizes.disk, largest), style), CYAN),
                painted(parts_text(s), DIM),
            ]);
            row
        })
        .collect()
}

/// The plan, before anything is removed: one row per version, then the total.
pub fn prune_plan_human(
    out: &mut impl Write,
    plan: &Plan,
    dry_run: bool,
    style: Style,
) -> io::Result<()> {
    if plan.versions.is_empty() {
        let why = match plan.max_size {
            Some(max) if plan.cache.disk <= max => format!(
                "the cache ({}) already fits in --max-size {}",
                show_bytes(plan.cache.disk),
                show_bytes(max)
            ),
            _ => "no version matches every criterion".to_string(),
        };
        return writeln!(out, "nothing to remove: {why}");
    }
    let total = plan.sizes().disk;
    writeln!(
        out,
        "{} {}, {}{}:",
        if dry_run { "would remove" } else { "removing" },
        plural(plan.versions.len(), "version", "versions"),
        paint(&show_bytes(total), BOLD, style),
        match plan.scope {
            Scope::Versions => "",
            Scope::ZipsOnly => " (zips only)",
            Scope::TreesOnly => " (trees only)",
        }
    )?;
    let mut aligns = vec![Align::Left, Align::Left, Align::Left];
    if plan.max_size.is_some() {
        aligns.push(Align::Left);
    }
    aligns.extend([Align::Right, Align::Left, Align::Left]);
    table(out, &aligns, &selected_rows(plan, style), style)?;
    if plan
        .versions
        .iter()
        .any(|s| matches!(s.date, Some((_, DateSource::Mtime))))
    {
        writeln!(out, "{}", paint(MTIME_NOTE, DIM, style))?;
    }
    if dry_run {
        writeln!(
            out,
            "total: {} in {}; the cache would go from {} to {} (dry run: nothing removed)",
            paint(&show_bytes(total), BOLD, style),
            plural(plan.versions.len(), "version", "versions"),
            show_bytes(plan.cache.disk),
            show_bytes(plan.cache.disk.saturating_sub(total)),
        )?;
    }
    over_max_size(out, plan)
}

fn over_max_size(out: &mut impl Write, plan: &Plan) -> io::Result<()> {
    match (plan.over_max_size(), plan.max_size) {
        (Some(over), Some(max)) => writeln!(
            out,
            "the cache stays {} over --max-size {}: the other criteria keep the rest",
            show_bytes(over),
            show_bytes(max)
        ),
        _ => Ok(()),
    }
}

/// After a real run: versions skipped because they changed, then what was freed.
pub fn prune_result_human(
    out: &mut impl Write,
    plan: &Plan,
    pruned: &[Pruned],
    list_errors: &[Error],
    style: Style,
) -> io::Result<()> {
    if plan.versions.is_empty() {
        return Ok(());
    }
    for p in pruned {
        if let Some(why) = p.skipped {
            writeln!(
                out,
                "  {}: skipped: {why}",
                show_text(&p.module.to_string())
            )?;
        }
    }
    let removed = pruned.iter().filter(|p| !p.removed.is_empty()).count();
    let freed: u64 = pruned.iter().map(Pruned::freed).sum();
    let failed = pruned.iter().filter(|p| p.error.is_some()).count() + list_errors.len();
    writeln!(
        out,
        "removed {}, freed {}; the cache is now about {}{}",
        plural(removed, "version", "versions"),
        paint(&show_bytes(freed), BOLD, style),
        show_bytes(plan.cache.disk.saturating_sub(freed)),
        if failed > 0 {
            format!(
                " ({} failed, see stderr)",
                plural(failed, "removal", "removals")
            )
        } else {
            String::new()
        }
    )?;
    over_max_size(out, plan)
}

/// Removal failures on stderr.
pub fn prune_errors(pruned: &[Pruned], list_errors: &[Error]) {
    for p in pruned {
        if let Some(e) = &p.error {
            eprintln!(
                "modcache: {}: {}",
                show_text(&p.module.to_string()),
                show_text(&e.to_string())
            );
        }
    }
    for e in list_errors {
        eprintln!("modcache: {}", show_text(&e.to_string()));
    }
}

#[derive(Debug, Serialize)]
struct PruneDoc<'a> {
    modcache: String,
    dry_run: bool,
    scope: &'static str,
    cache_bytes: u64,
    max_size: Option<u64>,
    versions: Vec<PrunedDoc<'a>>,
    /// What the plan removes.
    #[serde(flatten)]
    planned: SizesDoc,
    /// What the real run freed (disk usage); null for a dry run.
    freed_bytes: Option<u64>,
    errors: Vec<ErrorDoc>,
}

#[derive(Debug, Serialize)]
struct PrunedDoc<'a> {
    module: &'a str,
    version: &'a str,
    parts: Vec<&'static str>,
    gomod_kept: bool,
    date: Option<String>,
    date_source: Option<&'static str>,
    last_used: Option<String>,
    #[serde(flatten)]
    sizes: SizesDoc,
    /// Planned removals (dry run) or what was removed, in order.
    removals: Vec<RemovalDoc>,
    freed_bytes: Option<u64>,
    skipped: Option<&'static str>,
    error: Option<String>,
}

#[derive(Debug, Serialize)]
struct RemovalDoc {
    path: String,
    bytes: u64,
}

/// `modcache prune --json`: the plan and, after a real run, what happened.
pub fn prune_json(
    out: &mut impl Write,
    cache: &ModCache,
    plan: &Plan,
    result: Option<(&[Pruned], &[Error])>,
    walk_errors: &[(PathBuf, io::Error)],
) -> io::Result<()> {
    let outcomes = result.map(|(p, _)| p);
    let mut errors: Vec<ErrorDoc> = walk_errors
        .iter()
        .map(|(p, e)| ErrorDoc {
            path: Some(p.to_string_lossy().into_owned()),
            error: e.to_string(),
        })
        .collect();
    if let Some((_, list_errors)) = result {
        errors.extend(list_errors.iter().map(|e| ErrorDoc {
            path: None,
            error: e.to_string(),
        }));
    }
    let doc = PruneDoc {
        modcache: cache.root().to_string_lossy().into_owned(),
        dry_run: result.is_none(),
        scope: plan.scope.as_str(),
        cache_bytes: plan.cache.disk,
        max_size: plan.max_size,
        versions: plan
            .versions
            .iter()
            .enumerate()
            .map(|(i, s)| {
                let outcome = outcomes.and_then(|o| o.get(i));
                let removals = match outcome {
                    Some(o) => &o.removed,
                    None => &s.plan.removals,
                };
                PrunedDoc {
                    module: &s.module().path,
                    version: &s.module().version,
                    parts: s.parts.iter().map(|p| p.as_str()).collect(),
                    gomod_kept: s.gomod_kept,
                    date: s.date.map(|(t, _)| format_rfc3339(t)),
                    date_source: s.date.map(|(_, d)| d.as_str()),
                    last_used: s.last_used.map(format_rfc3339),
                    sizes: s.sizes.into(),
                    removals: removals
                        .iter()
                        .map(|r| RemovalDoc {
                            path: r.path.to_string_lossy().into_owned(),
                            bytes: r.bytes,
                        })
                        .collect(),
                    freed_bytes: outcome.map(Pruned::freed),
                    skipped: outcome.and_then(|o| o.skipped),
                    error: outcome
                        .and_then(|o| o.error.as_ref())
                        .map(|e| e.to_string()),
                }
            })
            .collect(),
        planned: plan.sizes().into(),
        freed_bytes: outcomes.map(|o| o.iter().map(Pruned::freed).sum()),
        errors,
    };
    json::write(out, &doc)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bars_have_a_fixed_width_and_show_anything_above_zero() {
        let uni = Style {
            color: false,
            unicode: true,
        };
        let ascii = Style {
            color: false,
            unicode: false,
        };
        for style in [uni, ascii] {
            for frac in [0.0, 0.001, 0.5, 0.97, 1.0, 2.0, f64::NAN] {
                assert_eq!(bar(frac, style).chars().count(), BAR_WIDTH, "{frac}");
            }
        }
        assert_eq!(bar(0.0, ascii).trim(), "");
        assert_eq!(bar(0.001, ascii).trim(), "#");
        assert_eq!(bar(0.001, uni).trim(), "▏");
        assert_eq!(bar(0.5, ascii).trim(), "#".repeat(10));
        assert_eq!(bar(0.53, uni).trim(), format!("{}▋", "█".repeat(10)));
        assert_eq!(bar(1.0, uni), "█".repeat(BAR_WIDTH));
    }

    #[test]
    fn tables_align_columns_and_colour_does_not_shift_them() {
        let rows = |c| {
            vec![
                vec![cell("trees"), cell("1.2 MB"), painted("##", c)],
                vec![cell("metadata"), cell("30 kB"), painted("#", c)],
            ]
        };
        let mut plain = Vec::new();
        let style = Style {
            color: false,
            unicode: false,
        };
        table(
            &mut plain,
            &[Align::Left, Align::Right, Align::Left],
            &rows(CYAN),
            style,
        )
        .unwrap();
        assert_eq!(
            String::from_utf8(plain).unwrap(),
            "  trees     1.2 MB  ##\n  metadata   30 kB  #\n"
        );
        let mut coloured = Vec::new();
        let style = Style {
            color: true,
            unicode: false,
        };
        table(
            &mut coloured,
            &[Align::Left, Align::Right, Align::Left],
            &rows(CYAN),
            style,
        )
        .unwrap();
        assert_eq!(
            String::from_utf8(coloured).unwrap(),
            "  trees     1.2 MB  \x1b[36m##\x1b[0m\n  metadata   30 kB  \x1b[36m#\x1b[0m\n"
        );
    }
}
