//! `modcache du` and `modcache prune`.

use std::io::Write;
use std::time::Instant;

use modcache::{Error, Result};

use super::{Outcome, stdout_result, thread_pool};
use crate::report;
use crate::settings::{DuSettings, Output, PruneSettings};

/// The go.sum files under `--unused-by` directories, if any were given.
fn unused_by(
    dirs: &[std::path::PathBuf],
    cache: &modcache::cache::ModCache,
) -> Result<Option<modcache::prune::Projects>> {
    if dirs.is_empty() {
        return Ok(None);
    }
    let projects = modcache::prune::Projects::find(dirs, cache.root())
        .map_err(|e| Error::Usage(format!("--unused-by: {e}")))?;
    for link in &projects.skipped_links {
        report::warn(&format!(
            "--unused-by: not following the symlink {}: give its target too if a project lives there",
            link.display()
        ));
    }
    Ok(Some(projects))
}

fn usage_style(output: Output) -> report::usage::Style {
    match output {
        Output::Human { terminal, color } => report::usage::Style {
            color,
            unicode: terminal,
        },
        Output::Json => report::usage::Style {
            color: false,
            unicode: false,
        },
    }
}

/// `du`: one parallel walk of the cache, then totals, the largest modules and estimates.
pub fn du(s: &DuSettings) -> Result<Outcome> {
    let cache = &s.common.cache;
    let projects = unused_by(&s.unused_by, cache)?;
    let pool = thread_pool(s.walk_jobs)?;
    let started = Instant::now();
    // The overview shows no dates: leave the .info files closed unless they are shown.
    let dates = if s.versions.is_some()
        || s.sort == modcache::usage::SortKey::Date
        || s.common.output == Output::Json
    {
        modcache::usage::Dates::Read
    } else {
        modcache::usage::Dates::Skip
    };
    let usage = pool.install(|| modcache::usage::measure(cache, dates));
    if let Some(module) = &s.versions
        && usage.module_versions(module, s.sort, s.apparent).is_empty()
    {
        return Err(Error::Usage(format!(
            "no versions of {module} in {}",
            cache.root().display()
        )));
    }
    let estimates = modcache::prune::reclaimable(&usage, s.keep_latest, projects.as_ref());
    let elapsed = started.elapsed();
    let view = report::usage::DuView {
        top: s.top,
        versions: s.versions.as_deref(),
        sort: s.sort,
        apparent: s.apparent,
        unused_by: &s.unused_by,
    };
    let mut out = std::io::stdout().lock();
    stdout_result(match s.common.output {
        Output::Json => report::usage::du_json(&mut out, cache, &usage, &view, &estimates),
        Output::Human { .. } => report::usage::du_human(
            &mut out,
            cache,
            &usage,
            &view,
            &estimates,
            elapsed,
            usage_style(s.common.output),
        ),
    })?;
    stdout_result(out.flush())?;
    report::usage::walk_errors(&usage.errors);
    Ok(Outcome::problems_if(!usage.errors.is_empty()))
}

/// `prune`: measure, select, print the plan; unless `--dry-run`, remove each version
/// under Go's lock after looking at it again.
pub fn prune(s: &PruneSettings) -> Result<Outcome> {
    use modcache::prune::{self, Criteria};
    let cache = &s.common.cache;
    let projects = unused_by(&s.unused_by, cache)?;
    let pool = thread_pool(s.walk_jobs)?;
    let usage = pool.install(|| modcache::usage::measure(cache, modcache::usage::Dates::Read));
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64);
    let criteria = Criteria {
        unused_by: projects.as_ref(),
        keep_latest: s.keep_latest,
        older_than: s.older_than,
        max_size: s.max_size,
        scope: s.scope,
        now,
    };
    let plan = prune::plan(cache, &usage, &criteria);
    let style = usage_style(s.common.output);
    let human = matches!(s.common.output, Output::Human { .. });
    let mut out = std::io::stdout().lock();
    if human {
        stdout_result(report::usage::prune_plan_human(
            &mut out, &plan, s.dry_run, style,
        ))?;
        stdout_result(out.flush())?;
    }
    let result = if s.dry_run {
        None
    } else {
        Some(pool.install(|| prune::apply(cache, &plan, &report::repair::waiting)))
    };
    let result_refs = result.as_ref().map(|(p, e)| (p.as_slice(), e.as_slice()));
    stdout_result(match (human, result_refs) {
        (false, r) => report::usage::prune_json(&mut out, cache, &plan, r, &usage.errors),
        (true, Some((pruned, list_errors))) => {
            report::usage::prune_result_human(&mut out, &plan, pruned, list_errors, style)
        }
        (true, None) => Ok(()),
    })?;
    stdout_result(out.flush())?;
    report::usage::walk_errors(&usage.errors);
    let failed = match result_refs {
        Some((pruned, list_errors)) => {
            report::usage::prune_errors(pruned, list_errors);
            !list_errors.is_empty() || pruned.iter().any(|p| p.error.is_some())
        }
        None => false,
    };
    Ok(Outcome::problems_if(failed || !usage.errors.is_empty()))
}
