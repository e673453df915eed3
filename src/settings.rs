//! Arguments and environment → validated settings. This is the only module besides
//! `main` that sees clap types; everything below works on the settings built here.

use std::io::IsTerminal;
use std::path::PathBuf;

use crate::cli::{CacheArgs, DuArgs, EnvArgs, FsckArgs, PruneArgs, PurgeArgs, SortArg};
use modcache::cache::ModCache;
use modcache::goenv::GoEnv;
use modcache::goenv::diagnose::EnvRequest;
use modcache::goenv::explain::ModuleRef;
use modcache::goenv::probe::ProbeOptions;
use modcache::prune::{self, Scope};
use modcache::purge::{PurgeOptions, Target};
use modcache::repair::FixOptions;
use modcache::usage::SortKey;
use modcache::{Error, Result};

/// How results are printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Output {
    /// Text for people; `terminal` turns on colour and progress bars.
    Human { terminal: bool, color: bool },
    /// One JSON document on stdout.
    Json,
}

/// What every cache command needs: the cache, the thread count, the output mode.
#[derive(Debug, Clone)]
pub struct CacheSettings {
    pub cache: ModCache,
    pub jobs: usize,
    pub output: Output,
}

#[derive(Debug, Clone)]
pub struct FsckSettings {
    pub common: CacheSettings,
    pub gosums: Vec<PathBuf>,
    pub quick: bool,
    /// `--fix`: repair what the check finds.
    pub fix: Option<FixSettings>,
}

#[derive(Debug, Clone, Copy)]
pub struct FixSettings {
    pub dry_run: bool,
    pub options: FixOptions,
}

/// Where `purge --from-log` reads Go's output.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LogSource {
    Stdin,
    File(PathBuf),
}

impl LogSource {
    /// The name used in messages.
    pub fn name(&self) -> String {
        match self {
            LogSource::Stdin => "<stdin>".to_string(),
            LogSource::File(p) => p.display().to_string(),
        }
    }
}

#[derive(Debug, Clone)]
pub struct PurgeSettings {
    pub common: CacheSettings,
    pub targets: Vec<Target>,
    pub from_log: Option<LogSource>,
    pub options: PurgeOptions,
    pub dry_run: bool,
}

impl CacheSettings {
    pub fn from_args(args: &CacheArgs) -> Result<Self> {
        let root = match &args.modcache {
            Some(dir) => dir.clone(),
            None => PathBuf::from(GoEnv::from_process().gomodcache()?.value),
        };
        let cache = ModCache::open(&root).map_err(|e| match e {
            Error::Io { path, source } if source.kind() == std::io::ErrorKind::NotFound => {
                Error::invalid(path, "module cache not found")
            }
            e => e,
        })?;
        let jobs = match args.jobs {
            Some(0) => return Err(Error::Usage("-j/--jobs must be at least 1".into())),
            Some(n) => n,
            None => std::thread::available_parallelism().map_or(1, |n| n.get()),
        };
        Ok(CacheSettings {
            cache,
            jobs,
            output: output_mode(args.json),
        })
    }
}

impl FsckSettings {
    pub fn from_args(args: &FsckArgs) -> Result<Self> {
        Ok(FsckSettings {
            common: CacheSettings::from_args(&args.cache)?,
            gosums: args.gosum.clone(),
            quick: args.quick,
            fix: args.fix.then_some(FixSettings {
                dry_run: args.dry_run,
                options: FixOptions {
                    trust_gosum: args.trust_gosum,
                },
            }),
        })
        .and_then(|s| {
            if s.fix.is_some() {
                refuse_unless_modcache(&s.common.cache, args.force)?;
            }
            Ok(s)
        })
    }
}

impl PurgeSettings {
    pub fn from_args(args: &PurgeArgs) -> Result<Self> {
        let targets = args
            .targets
            .iter()
            .map(|t| Target::parse(t))
            .collect::<Result<Vec<_>>>()?;
        let common = CacheSettings::from_args(&args.cache)?;
        refuse_unless_modcache(&common.cache, args.force)?;
        Ok(PurgeSettings {
            common,
            targets,
            from_log: args.from_log.as_ref().map(|p| {
                if p.as_os_str() == "-" {
                    LogSource::Stdin
                } else {
                    LogSource::File(p.clone())
                }
            }),
            options: PurgeOptions {
                all_metadata: args.all_metadata,
            },
            dry_run: args.dry_run,
        })
    }
}

#[derive(Debug, Clone)]
pub struct DuSettings {
    pub common: CacheSettings,
    /// How many of the largest modules to list.
    pub top: usize,
    /// List this module's versions instead of the overview.
    pub versions: Option<String>,
    pub sort: SortKey,
    pub apparent: bool,
    pub unused_by: Vec<PathBuf>,
    pub keep_latest: usize,
    /// Threads for the walk (see [`walk_jobs`]).
    pub walk_jobs: usize,
}

impl DuSettings {
    pub fn from_args(args: &DuArgs) -> Result<Self> {
        check_keep_latest(args.keep_latest)?;
        let common = CacheSettings::from_args(&args.cache)?;
        Ok(DuSettings {
            walk_jobs: walk_jobs(&args.cache, &common),
            common,
            top: args.top.unwrap_or(10),
            versions: args.versions.clone(),
            sort: match args.sort {
                SortArg::Size => SortKey::Size,
                SortArg::Name => SortKey::Name,
                SortArg::Date => SortKey::Date,
            },
            apparent: args.apparent_size,
            unused_by: args.unused_by.clone(),
            keep_latest: args.keep_latest,
        })
    }
}

#[derive(Debug, Clone)]
pub struct PruneSettings {
    pub common: CacheSettings,
    pub unused_by: Vec<PathBuf>,
    pub keep_latest: Option<usize>,
    /// Seconds.
    pub older_than: Option<u64>,
    /// Bytes of disk usage.
    pub max_size: Option<u64>,
    pub scope: Scope,
    pub dry_run: bool,
    /// Threads for the walk and the removals (see [`walk_jobs`]).
    pub walk_jobs: usize,
}

impl PruneSettings {
    pub fn from_args(args: &PruneArgs) -> Result<Self> {
        let scope = match (args.zips_only, args.trees_only) {
            (true, _) => Scope::ZipsOnly,
            (_, true) => Scope::TreesOnly,
            _ => Scope::Versions,
        };
        if args.unused_by.is_empty()
            && args.keep_latest.is_none()
            && args.older_than.is_none()
            && args.max_size.is_none()
            && scope == Scope::Versions
        {
            return Err(Error::Usage(
                "prune needs at least one of --unused-by, --keep-latest, --older-than, --max-size, \
                 --zips-only, --trees-only (to empty the cache, use go clean -modcache)"
                    .into(),
            ));
        }
        if let Some(n) = args.keep_latest {
            check_keep_latest(n)?;
        }
        let older_than = args
            .older_than
            .as_deref()
            .map(prune::parse_duration)
            .transpose()
            .map_err(|e| Error::Usage(format!("--older-than: {e}")))?;
        let max_size = args
            .max_size
            .as_deref()
            .map(prune::parse_size)
            .transpose()
            .map_err(|e| Error::Usage(format!("--max-size: {e}")))?;
        let common = CacheSettings::from_args(&args.cache)?;
        refuse_unless_modcache(&common.cache, args.force)?;
        Ok(PruneSettings {
            walk_jobs: walk_jobs(&args.cache, &common),
            common,
            unused_by: args.unused_by.clone(),
            keep_latest: args.keep_latest,
            older_than,
            max_size,
            scope,
            dry_run: args.dry_run,
        })
    }
}

/// `du` and `prune` spend their time waiting for the file system, not computing: without
/// `-j`, they walk with four threads per core, which keeps more requests in flight on a
/// cold cache (as diskus does) and costs nothing measurable on a warm one.
fn walk_jobs(args: &CacheArgs, common: &CacheSettings) -> usize {
    match args.jobs {
        Some(n) => n,
        None => common.jobs.saturating_mul(4),
    }
}

fn check_keep_latest(n: usize) -> Result<()> {
    if n == 0 {
        return Err(Error::Usage(
            "--keep-latest must be at least 1 (to empty the cache, use go clean -modcache)".into(),
        ));
    }
    Ok(())
}

/// Deleting commands refuse a directory without `cache/download` unless `--force`: a
/// mistyped `--modcache` must not cost anyone their files.
fn refuse_unless_modcache(cache: &ModCache, force: bool) -> Result<()> {
    if force || cache.looks_like_modcache() {
        return Ok(());
    }
    Err(Error::invalid(
        cache.root(),
        "does not look like a Go module cache (no cache/download); use --force to remove files from it anyway",
    ))
}

/// `modcache env`: what to explain and probe, and how to print it.
#[derive(Debug, Clone)]
pub struct EnvSettings {
    pub request: EnvRequest,
    pub output: Output,
}

impl EnvSettings {
    pub fn from_args(args: &EnvArgs) -> Result<Self> {
        let modules = args
            .explain
            .iter()
            .map(|m| ModuleRef::parse(m).map_err(|e| Error::Usage(format!("--explain: {e}"))))
            .collect::<Result<Vec<_>>>()?;
        if args.probe && modules.is_empty() && args.gomod.is_none() {
            return Err(Error::Usage(
                "--probe needs modules: give --explain MODULE[@VERSION] or --gomod FILE".into(),
            ));
        }
        if !(args.timeout.is_finite() && args.timeout > 0.0 && args.timeout <= 3600.0) {
            return Err(Error::Usage(format!(
                "--timeout must be between 0 and 3600 seconds, not {}",
                args.timeout
            )));
        }
        let probe = args.probe.then(|| ProbeOptions {
            timeout: std::time::Duration::from_secs_f64(args.timeout),
        });
        Ok(EnvSettings {
            request: EnvRequest {
                modules,
                gomod: args.gomod.clone(),
                probe,
            },
            output: output_mode(args.json),
        })
    }
}

/// JSON if asked; otherwise human text, decorated only when stdout is a terminal and
/// `NO_COLOR` is unset.
pub fn output_mode(json: bool) -> Output {
    if json {
        return Output::Json;
    }
    let terminal = std::io::stdout().is_terminal();
    let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
    Output::Human {
        terminal,
        color: terminal && !no_color,
    }
}

/// What `modcache hash` hashes.
#[derive(Debug, Clone)]
pub enum HashSettings {
    Zip(PathBuf),
    Tree { dir: PathBuf, prefix: String },
    GoMod(PathBuf),
}

impl HashSettings {
    pub fn from_args(args: &crate::cli::HashArgs) -> Result<Self> {
        let file = args.file.clone();
        if args.gomod {
            return Ok(HashSettings::GoMod(file));
        }
        if !file.is_dir() {
            return Ok(HashSettings::Zip(file));
        }
        match &args.prefix {
            Some(prefix) => Ok(HashSettings::Tree {
                dir: file,
                prefix: prefix.clone(),
            }),
            None => Err(Error::invalid(
                &file,
                "is a directory: give --prefix path@version to hash it as Go does",
            )),
        }
    }
}
