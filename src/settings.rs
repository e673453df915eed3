//! Arguments and environment → validated settings. This is the only module besides
//! `main` that sees clap types; everything below works on the settings built here.

use std::io::IsTerminal;
use std::path::PathBuf;

use crate::cli::{CacheArgs, FsckArgs, PurgeArgs};
use modcache::cache::ModCache;
use modcache::goenv::GoEnv;
use modcache::purge::{PurgeOptions, Target};
use modcache::repair::FixOptions;
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
