//! `modcache fsck` and `fsck --fix`.

use std::io::Write;
use std::time::Instant;

use modcache::check::{self, CacheReport};
use modcache::gosum::SumIndex;
use modcache::quick::QuickState;
use modcache::{Result, repair, scan};

use super::{Outcome, stdout_result, thread_pool};
use crate::report;
use crate::settings::{FixSettings, FsckSettings, Output};

pub fn fsck(s: &FsckSettings) -> Result<Outcome> {
    let started = Instant::now();
    let sums = SumIndex::from_files(&s.gosums)?;
    let cache = &s.common.cache;
    let progress = report::VersionProgress::new(matches!(s.common.output, Output::Human { .. }));
    let quick = s.quick.then(|| QuickState::load(cache));
    let report: CacheReport = thread_pool(s.common.jobs)?.install(|| {
        let inventory = scan::scan(cache);
        check::check_all(cache, &inventory, &sums, quick.as_ref(), &progress)
    });
    if quick.is_some() {
        // Rebuilt from this run alone, so versions gone from the cache or found damaged
        // drop out of the state.
        let mut state = QuickState::default();
        for (mv, fp, h1) in &report.verified {
            state.insert(mv.clone(), *fp, h1.clone());
        }
        if let Err(e) = state.save(cache) {
            report::warn(&format!("cannot record verified versions for --quick: {e}"));
        }
    }
    if let Some(fix) = &s.fix {
        return fsck_fix(s, fix, &sums, &report, started);
    }
    let mut out = std::io::stdout().lock();
    stdout_result(match s.common.output {
        Output::Json => report::fsck::json(&mut out, cache, &report),
        Output::Human { color, .. } => {
            report::fsck::human(&mut out, &report, started.elapsed(), color)
        }
    })?;
    stdout_result(out.flush())?;
    Ok(Outcome::problems_if(!report.problems.is_empty()))
}

/// `fsck --fix`: plan from the check's findings; unless `--dry-run`, repair each version
/// under Go's lock after checking it again.
fn fsck_fix(
    s: &FsckSettings,
    fix: &FixSettings,
    sums: &SumIndex,
    report: &CacheReport,
    started: Instant,
) -> Result<Outcome> {
    use report::repair::VersionRemovals;
    let cache = &s.common.cache;
    let plan = repair::plan_fix(cache, &report.problems, fix.options);
    let mut remaining = plan.unfixed.clone();
    let outcomes = if fix.dry_run {
        Vec::new()
    } else {
        thread_pool(s.common.jobs)?.install(|| {
            repair::apply_fix(cache, &plan, sums, fix.options, &report::repair::waiting)
        })
    };
    let entries: Vec<VersionRemovals<'_>> = if fix.dry_run {
        for v in &plan.versions {
            remaining.extend(v.unfixed.iter().cloned());
        }
        plan.versions
            .iter()
            .map(|v| VersionRemovals {
                module: &v.plan.module,
                kinds: v.kinds(),
                removals: &v.plan.removals,
                error: None,
                note: None,
            })
            .collect()
    } else {
        for o in &outcomes {
            remaining.extend(o.remaining.iter().cloned());
        }
        outcomes
            .iter()
            .map(|o| VersionRemovals {
                module: &o.module,
                kinds: o.kinds.clone(),
                removals: &o.removed,
                error: o.error.as_ref(),
                note: Some(if o.remaining.is_empty() {
                    "healthy when checked again under Go's lock (repaired meanwhile); nothing removed"
                } else {
                    "nothing --fix removes (see below)"
                }),
            })
            .collect()
    };
    remaining.sort();
    let mut out = std::io::stdout().lock();
    stdout_result(match s.common.output {
        Output::Json => {
            report::repair::fix_json(&mut out, cache, report, fix.dry_run, &entries, &remaining)
        }
        Output::Human { color, .. } => report::repair::fix_human(
            &mut out,
            report,
            started.elapsed(),
            color,
            fix.dry_run,
            &entries,
            &remaining,
        ),
    })?;
    stdout_result(out.flush())?;
    report::repair::errors(&entries);
    let clean = if fix.dry_run {
        report.problems.is_empty()
    } else {
        remaining.is_empty() && entries.iter().all(|e| e.error.is_none())
    };
    Ok(Outcome::problems_if(!clean))
}
