//! `modcache purge`.

use std::io::Write;

use modcache::{Error, Result, scan};

use super::{Outcome, stdout_result, thread_pool};
use crate::report;
use crate::settings::{LogSource, Output, PurgeSettings};

const PURGE_NOTHING: &str =
    "nothing to remove (only metadata is cached; --all-metadata removes it)";

/// `purge`: the targets' versions plus those Go's log blames, each removed under its lock.
pub fn purge(s: &PurgeSettings) -> Result<Outcome> {
    use modcache::purge::{self, PurgeItem};
    use report::repair::{FromLog, VersionRemovals};
    let cache = &s.common.cache;
    let pool = thread_pool(s.common.jobs)?;
    let inventory = pool.install(|| scan::scan(cache));
    let mut items: std::collections::BTreeMap<modcache::cache::ModuleVersion, bool> =
        purge::select(&inventory, &s.targets)?
            .into_iter()
            .map(|mv| (mv, false))
            .collect();

    let log = match &s.from_log {
        None => None,
        Some(source) => {
            let data = match source {
                LogSource::Stdin => {
                    let mut data = Vec::new();
                    std::io::Read::read_to_end(&mut std::io::stdin().lock(), &mut data)
                        .map_err(|e| Error::io("<stdin>", e))?;
                    data
                }
                LogSource::File(path) => std::fs::read(path).map_err(|e| Error::io(path, e))?,
            };
            // Go prints GOMODCACHE as an absolute path.
            let root =
                std::path::absolute(cache.root()).unwrap_or_else(|_| cache.root().to_path_buf());
            let scan = modcache::gologs::parse(&String::from_utf8_lossy(&data), &root);
            if scan.named.is_empty() {
                report::repair::nothing_in_log(&source.name(), scan.unattributed.len());
                return Ok(Outcome::Problems);
            }
            let mut not_cached = Vec::new();
            for n in &scan.named {
                match inventory.versions.get(&n.module) {
                    Some(files) if purge::holds_anything(files) => {
                        *items.entry(n.module.clone()).or_default() |= n.gomod;
                    }
                    _ => not_cached.push(n.module.clone()),
                }
            }
            Some((source.name(), scan, not_cached))
        }
    };
    let items: Vec<PurgeItem> = items
        .into_iter()
        .map(|(module, gomod)| PurgeItem { module, gomod })
        .collect();

    let plans: Vec<modcache::repair::VersionPlan>;
    let outcomes: Vec<modcache::repair::VersionOutcome>;
    let entries: Vec<VersionRemovals<'_>> = if s.dry_run {
        plans = items
            .iter()
            .map(|i| purge::plan_purge(cache, i, s.options))
            .collect();
        plans
            .iter()
            .map(|p| VersionRemovals {
                module: &p.module,
                kinds: Vec::new(),
                removals: &p.removals,
                error: None,
                note: Some(PURGE_NOTHING),
            })
            .collect()
    } else {
        outcomes =
            pool.install(|| purge::apply_purge(cache, &items, s.options, &report::repair::waiting));
        outcomes
            .iter()
            .map(|o| VersionRemovals {
                module: &o.module,
                kinds: Vec::new(),
                removals: &o.removed,
                error: o.error.as_ref(),
                note: Some(PURGE_NOTHING),
            })
            .collect()
    };
    let from_log = log.as_ref().map(|(source, scan, not_cached)| FromLog {
        source,
        scan,
        not_cached,
    });
    let mut out = std::io::stdout().lock();
    stdout_result(match s.common.output {
        Output::Json => {
            report::repair::purge_json(&mut out, cache, s.dry_run, &entries, from_log.as_ref())
        }
        Output::Human { .. } => {
            report::repair::purge_human(&mut out, s.dry_run, &entries, from_log.as_ref())
        }
    })?;
    stdout_result(out.flush())?;
    report::repair::errors(&entries);
    Ok(Outcome::problems_if(
        entries.iter().any(|e| e.error.is_some()),
    ))
}
