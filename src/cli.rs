//! Command-line syntax (clap derive types only). The doc comments are the `--help` text.
//! Meaning is resolved in `settings.rs`; nothing below `main` sees these types.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

/// Keep the Go module cache (GOMODCACHE) healthy, without the Go toolchain.
#[derive(Debug, Parser)]
#[command(name = "modcache", version, about, propagate_version = true)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Verify every module version in the cache exactly as Go hashes it.
    Fsck(FsckArgs),
    /// Print the h1: hash Go records for a module zip, an extracted tree or a go.mod file.
    Hash(HashArgs),
    /// Remove module versions from the cache so that Go fetches them again.
    Purge(PurgeArgs),
    /// Show where the cache's disk space goes: by kind of file, by module, by version,
    /// and what pruning would reclaim.
    Du(DuArgs),
    /// Remove the versions no project of yours needs, old or superseded versions, or the
    /// least recently used ones until the cache fits a size.
    Prune(PruneArgs),
    /// Show where Go downloads modules from and why: GOPROXY, GOSUMDB, GOPRIVATE... with
    /// their sources, foot-guns, and (with --probe) what each source answers.
    Env(EnvArgs),
}

/// Options shared by every command that reads a module cache.
#[derive(Debug, Args)]
pub struct CacheArgs {
    /// The module cache to use [default: GOMODCACHE as Go finds it].
    #[arg(long, value_name = "DIR")]
    pub modcache: Option<PathBuf>,
    /// Number of threads [default: one per core].
    #[arg(short = 'j', long = "jobs", value_name = "N")]
    pub jobs: Option<usize>,
    /// Print one JSON document on stdout instead of text.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct FsckArgs {
    #[command(flatten)]
    pub cache: CacheArgs,
    /// Also compare the cache with this go.sum or go.work.sum (repeatable).
    #[arg(long = "gosum", value_name = "FILE")]
    pub gosum: Vec<PathBuf>,
    /// Skip re-hashing versions whose files (size, inode, mtime, ctime) are unchanged since
    /// they last verified clean; records what it verifies in cache/modcache/quick-v1.
    /// Cannot see damage that leaves file metadata alone (bit rot): run a full fsck for that.
    #[arg(long)]
    pub quick: bool,
    /// Remove the smallest set of files that lets Go heal each broken version (a modified
    /// tree whose zip is intact loses only the tree: Go re-extracts it offline). Takes Go's
    /// per-version lock and checks the version again before deleting.
    #[arg(long)]
    pub fix: bool,
    /// With --fix: print what would be removed (paths and bytes), remove nothing.
    #[arg(long, requires = "fix")]
    pub dry_run: bool,
    /// With --fix: where the cache disagrees with a --gosum file, trust go.sum and remove
    /// the cached copy (zip, ziphash and tree, or the .mod) so that Go refetches and checks it.
    #[arg(long, requires_all = ["fix", "gosum"])]
    pub trust_gosum: bool,
    /// With --fix: work on a directory that has no cache/download (not a Go module cache).
    #[arg(long, requires = "fix")]
    pub force: bool,
}

#[derive(Debug, Args)]
pub struct PurgeArgs {
    #[command(flatten)]
    pub cache: CacheArgs,
    /// `path@version`, `path` (every version of exactly that module), or comma-separated
    /// globs in GOPRIVATE syntax matching module path prefixes (`golang.org/x/*`,
    /// `*.corp.example.com`).
    #[arg(value_name = "TARGET", required_unless_present = "from_log")]
    pub targets: Vec<String>,
    /// Purge every module version that Go's error output in FILE (`-` for stdin) blames on
    /// broken cache files: checksum mismatches, missing ziphash, unreadable zips, ...
    #[arg(long, value_name = "FILE")]
    pub from_log: Option<PathBuf>,
    /// Also remove the .info and .mod files.
    #[arg(long)]
    pub all_metadata: bool,
    /// Print what would be removed (paths and bytes), remove nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Work on a directory that has no cache/download (not a Go module cache).
    #[arg(long)]
    pub force: bool,
}

#[derive(Debug, Args)]
pub struct HashArgs {
    /// A module zip (`.zip`), an extracted module directory, or with --gomod a go.mod file.
    pub file: PathBuf,
    /// The `path@version` prefix Go hashes a directory's files under (required for a directory).
    #[arg(long, value_name = "PATH@VERSION")]
    pub prefix: Option<String>,
    /// Hash FILE as a go.mod file (the `/go.mod` line of go.sum).
    #[arg(long)]
    pub gomod: bool,
}

/// How `du` orders modules and versions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum SortArg {
    /// Largest first.
    Size,
    /// Module paths alphabetically; versions in semver order, highest first.
    Name,
    /// Newest first (.info Time, or file mtime without one).
    Date,
}

#[derive(Debug, Args)]
pub struct DuArgs {
    #[command(flatten)]
    pub cache: CacheArgs,
    /// Show the N largest modules, with their version counts (0: none) [default: 10].
    #[arg(long, value_name = "N")]
    pub top: Option<usize>,
    /// List the versions of MODULE (a module path) with sizes, dates and last use.
    #[arg(long, value_name = "MODULE")]
    pub versions: Option<String>,
    /// Order of modules and versions.
    #[arg(long, value_enum, value_name = "KEY", default_value_t = SortArg::Size)]
    pub sort: SortArg,
    /// Show apparent sizes (file lengths, like du -b) instead of disk usage.
    #[arg(long)]
    pub apparent_size: bool,
    /// Also estimate the space held by versions that no go.sum or go.work.sum under
    /// these directories names (what `prune --unused-by` would free).
    #[arg(long = "unused-by", value_name = "DIR", num_args = 1..)]
    pub unused_by: Vec<PathBuf>,
    /// For the estimate of superseded versions: how many of each module's highest
    /// versions to keep.
    #[arg(long, value_name = "N", default_value_t = 1)]
    pub keep_latest: usize,
}

/// Criteria combine: a version is removed only if every criterion given selects it.
#[derive(Debug, Args)]
pub struct PruneArgs {
    #[command(flatten)]
    pub cache: CacheArgs,
    /// Versions that no go.sum or go.work.sum under these directories names. A version
    /// named only by a `/go.mod` line keeps its .mod and .info. Skips vendor, .git and
    /// node_modules; follows no symlink.
    #[arg(long = "unused-by", value_name = "DIR", num_args = 1..)]
    pub unused_by: Vec<PathBuf>,
    /// All but the N highest versions of each module (semver order, pseudo-versions
    /// included).
    #[arg(long, value_name = "N")]
    pub keep_latest: Option<usize>,
    /// Versions older than DURATION (30d, 12h, 2w, 6mo, 1y, 90m: m is minutes), by their
    /// .info Time, or by their files' mtime when there is no .info.
    #[arg(long, value_name = "DURATION")]
    pub older_than: Option<String>,
    /// The least recently used versions (newest access or modification time of their
    /// files), until the cache's disk usage is at most SIZE (10GB, 500MB, 2GiB).
    #[arg(long, value_name = "SIZE")]
    pub max_size: Option<String>,
    /// Remove only zips, and only where the extracted tree is complete.
    #[arg(long, conflicts_with = "trees_only")]
    pub zips_only: bool,
    /// Remove only extracted trees, and only where the zip is kept (Go re-extracts it
    /// offline).
    #[arg(long)]
    pub trees_only: bool,
    /// Print what would be removed and the total, remove nothing.
    #[arg(long, short = 'n')]
    pub dry_run: bool,
    /// Work on a directory that has no cache/download (not a Go module cache).
    #[arg(long)]
    pub force: bool,
}

#[derive(Debug, Args)]
pub struct EnvArgs {
    /// Explain where Go fetches these modules from (repeatable; MODULE or MODULE@VERSION).
    #[arg(long, value_name = "MODULE[@VERSION]", num_args = 1..)]
    pub explain: Vec<String>,
    /// Explain every requirement of this go.mod file (honouring its replace directives).
    #[arg(long, value_name = "FILE")]
    pub gomod: Option<PathBuf>,
    /// Fetch <source>/<module>/@v/list (and .info for a version) from every source Go would
    /// try, reporting DNS, connect, TLS and first-byte timings, status and first body line.
    #[arg(long)]
    pub probe: bool,
    /// Give up on each probed URL after this many seconds.
    #[arg(long, value_name = "SECONDS", default_value_t = 10.0)]
    pub timeout: f64,
    /// Print one JSON document on stdout instead of text.
    #[arg(long)]
    pub json: bool,
}
