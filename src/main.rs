//! modcache's entry point: parse → settings → run → exit code.
//!
//! Exit codes: 0 clean, 1 problems found, 2 usage or I/O error. Only this file decides
//! them and prints the final error line (`modcache: ...`).
#![deny(clippy::print_stdout, clippy::print_stderr, clippy::exit)]

mod cli;
mod report;
mod settings;

use std::io::Write;
use std::process::ExitCode;
use std::time::Instant;

use clap::Parser;

use cli::{Cli, Command, HashArgs};
use modcache::check::{self, CacheReport};
use modcache::gosum::SumIndex;
use modcache::quick::QuickState;
use modcache::{Error, Result, hash, repair, scan};
use settings::{
    DuSettings, FixSettings, FsckSettings, LogSource, Output, PruneSettings, PurgeSettings,
};

/// What a command found, mapped to the exit code.
enum Outcome {
    Clean,
    Problems,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(Outcome::Clean) => ExitCode::SUCCESS,
        Ok(Outcome::Problems) => ExitCode::from(1),
        Err(e) if e.is_broken_pipe() => ExitCode::SUCCESS,
        Err(e) => {
            #[allow(clippy::print_stderr)]
            {
                eprintln!("modcache: {e}");
            }
            ExitCode::from(2)
        }
    }
}

fn run(cli: Cli) -> Result<Outcome> {
    match cli.command {
        Command::Fsck(args) => fsck(&FsckSettings::from_args(&args)?),
        Command::Hash(args) => hash_cmd(&args),
        Command::Purge(args) => purge(&PurgeSettings::from_args(&args)?),
        Command::Du(args) => du(&DuSettings::from_args(&args)?),
        Command::Prune(args) => prune(&PruneSettings::from_args(&args)?),
        Command::Env(args) => env_cmd(&settings::EnvSettings::from_args(&args)?),
    }
}

fn thread_pool(jobs: usize) -> Result<rayon::ThreadPool> {
    rayon::ThreadPoolBuilder::new()
        .num_threads(jobs)
        .build()
        .map_err(|e| Error::Usage(format!("cannot start {jobs} threads: {e}")))
}

fn stdout_result(r: std::io::Result<()>) -> Result<()> {
    r.map_err(|e| Error::io("<stdout>", e))
}

fn fsck(s: &FsckSettings) -> Result<Outcome> {
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
    Ok(if report.problems.is_empty() {
        Outcome::Clean
    } else {
        Outcome::Problems
    })
}

fn hash_cmd(args: &HashArgs) -> Result<Outcome> {
    let h1 = if args.gomod {
        let data = std::fs::read(&args.file).map_err(|e| Error::io(&args.file, e))?;
        hash::hash_gomod(&data)
    } else if args.file.is_dir() {
        let prefix = args.prefix.as_deref().ok_or_else(|| {
            Error::invalid(
                &args.file,
                "is a directory: give --prefix path@version to hash it as Go does",
            )
        })?;
        hash::hash_tree(&args.file, prefix)
            .map_err(|e| Error::invalid(&args.file, e.to_string()))?
            .h1
    } else {
        match hash::hash_zip(&args.file, None) {
            Ok(digest) => digest.h1,
            Err(hash::ZipError::Io { path, source }) => return Err(Error::io(path, source)),
            Err(hash::ZipError::Corrupt { detail }) => {
                return Err(Error::invalid(&args.file, detail));
            }
        }
    };
    report::print_line(&h1).map_err(|e| Error::io("<stdout>", e))?;
    Ok(Outcome::Clean)
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
    Ok(if clean {
        Outcome::Clean
    } else {
        Outcome::Problems
    })
}

const PURGE_NOTHING: &str =
    "nothing to remove (only metadata is cached; --all-metadata removes it)";

/// `purge`: the targets' versions plus those Go's log blames, each removed under its lock.
fn purge(s: &PurgeSettings) -> Result<Outcome> {
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
    Ok(if entries.iter().all(|e| e.error.is_none()) {
        Outcome::Clean
    } else {
        Outcome::Problems
    })
}

fn env_cmd(s: &settings::EnvSettings) -> Result<Outcome> {
    let goenv =
        modcache::goenv::GoEnv::from_process().with_go_command(std::time::Duration::from_secs(5));
    let diagnosis = modcache::goenv::diagnose::Diagnosis::collect(&goenv, &s.request)?;
    let mut out = std::io::stdout().lock();
    let (json, color) = match s.output {
        Output::Json => (true, false),
        Output::Human { color, .. } => (false, color),
    };
    stdout_result(report::env::write(&mut out, &diagnosis, json, color))?;
    stdout_result(out.flush())?;
    Ok(if diagnosis.problem_count() == 0 {
        Outcome::Clean
    } else {
        Outcome::Problems
    })
}

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
fn du(s: &DuSettings) -> Result<Outcome> {
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
    Ok(if usage.errors.is_empty() {
        Outcome::Clean
    } else {
        Outcome::Problems
    })
}

/// `prune`: measure, select, print the plan; unless `--dry-run`, remove each version
/// under Go's lock after looking at it again.
fn prune(s: &PruneSettings) -> Result<Outcome> {
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
    Ok(if failed || !usage.errors.is_empty() {
        Outcome::Problems
    } else {
        Outcome::Clean
    })
}
