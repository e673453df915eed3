//! Where the module cache's disk space goes (`modcache du`).
//!
//! One parallel walk measures every file and directory under GOMODCACHE exactly once and
//! charges it to a [`Category`] and, where it belongs to one, to a version's [`Part`]:
//!
//! | category | what | parts |
//! |---|---|---|
//! | `trees` | extracted trees `<path>@<version>/` | `tree` |
//! | `zips` | `cache/download/.../@v/<v>.zip` | `zip` |
//! | `metadata` | `.info`, `.mod`, `.ziphash`, `.lock`, `@v/list` | `info`, `mod`, `ziphash`, `lock` |
//! | `vcs` | `cache/vcs` (direct-mode clones) | |
//! | `sumdb` | `cache/download/sumdb` (checksum-database tiles) | |
//! | `temp` | `.partial` markers, `*.tmp` files, `<tree>.tmp-*` | `partial`, `tmp` |
//! | `other` | the directories leading to all of the above, `cache/lock`, unknown files | |
//!
//! The categories add up to what `du -sB1` (disk usage: allocated 512-byte blocks) and
//! `du -sb` (apparent size: file lengths) print for the cache root: every directory entry
//! counts, symlinks are measured and not followed, and a file with several hard links is
//! counted once (charged to the first of its paths in byte order).
//!
//! # Speed
//! The walk is a recursive rayon fan-out: every directory's subdirectories are measured
//! in parallel on the caller's pool, so thousands of versions (and the directories of one
//! big tree) spread over all threads. Each directory is read once and each entry is
//! `fstatat`ed once relative to it (the kernel resolves one name, not the whole path),
//! with no allocation per file. No file is opened except, with [`Dates::Read`], the small
//! `.info` files, for their `Time`.
//!
//! # Dates and use
//! A version's *date* is the `Time` of its `.info` file (the commit or tag time the proxy
//! reported; Go's zero time counts as none); without one, it is the newest modification
//! time of the version's files, and [`DateSource`] says which. Its *last use* is the
//! newest of: the modification time of any of its files, and the access time of its
//! `.mod`, its `.zip` and the files of its tree, which are what a `go build` reads. Access
//! times are only as good as the mount: `relatime` (Linux's default) records at most one
//! read a day, `noatime` records none, so that last use falls back to download time. The
//! `.info` file, which modcache itself reads, and directories, which every walk lists,
//! are left out of it; `modcache fsck` opens files with `O_NOATIME` (when it owns them), so
//! a full check does not mark every version as used today.

use std::collections::BTreeMap;
use std::ffi::OsStr;
use std::fs::{self, Metadata};
use std::io::{self, Read};
use std::ops::{Add, AddAssign};
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

use rayon::prelude::*;
use serde::Deserialize;

use crate::cache::entry::VersionFile;
use crate::cache::{Entry, ModCache, ModuleVersion, classify, semver};
use crate::gotime::parse_rfc3339;

/// Bytes held by a set of directory entries.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Sizes {
    /// Allocated blocks × 512: what `du -B1` counts.
    pub disk: u64,
    /// File lengths (as `lstat` reports them): what `du -b` counts.
    pub apparent: u64,
    /// Files, directories and symlinks counted.
    pub entries: u64,
}

impl Sizes {
    fn of(meta: &Meta) -> Sizes {
        Sizes {
            disk: meta.blocks * 512,
            apparent: meta.size,
            entries: 1,
        }
    }

    /// Disk usage, or apparent size when `apparent`.
    pub fn bytes(&self, apparent: bool) -> u64 {
        if apparent { self.apparent } else { self.disk }
    }
}

impl AddAssign for Sizes {
    fn add_assign(&mut self, o: Sizes) {
        self.disk += o.disk;
        self.apparent += o.apparent;
        self.entries += o.entries;
    }
}

impl Add for Sizes {
    type Output = Sizes;
    fn add(mut self, o: Sizes) -> Sizes {
        self += o;
        self
    }
}

impl std::iter::Sum for Sizes {
    fn sum<I: Iterator<Item = Sizes>>(iter: I) -> Sizes {
        iter.fold(Sizes::default(), Add::add)
    }
}

/// What the space is used for. The names are a stable interface (`--json`, README).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Category {
    Trees,
    Zips,
    Metadata,
    Vcs,
    SumDb,
    Temp,
    Other,
}

impl Category {
    pub const ALL: [Category; 7] = [
        Category::Trees,
        Category::Zips,
        Category::Metadata,
        Category::Vcs,
        Category::SumDb,
        Category::Temp,
        Category::Other,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Category::Trees => "trees",
            Category::Zips => "zips",
            Category::Metadata => "metadata",
            Category::Vcs => "vcs",
            Category::SumDb => "sumdb",
            Category::Temp => "temp",
            Category::Other => "other",
        }
    }

    fn index(self) -> usize {
        self as usize
    }
}

/// One kind of file a version has in the cache.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Part {
    Tree,
    Zip,
    ZipHash,
    Mod,
    Info,
    Lock,
    Partial,
    Tmp,
}

impl Part {
    pub const ALL: [Part; 8] = [
        Part::Tree,
        Part::Zip,
        Part::ZipHash,
        Part::Mod,
        Part::Info,
        Part::Lock,
        Part::Partial,
        Part::Tmp,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Part::Tree => "tree",
            Part::Zip => "zip",
            Part::ZipHash => "ziphash",
            Part::Mod => "mod",
            Part::Info => "info",
            Part::Lock => "lock",
            Part::Partial => "partial",
            Part::Tmp => "tmp",
        }
    }

    pub fn category(self) -> Category {
        match self {
            Part::Tree => Category::Trees,
            Part::Zip => Category::Zips,
            Part::ZipHash | Part::Mod | Part::Info | Part::Lock => Category::Metadata,
            Part::Partial | Part::Tmp => Category::Temp,
        }
    }

    fn of(kind: VersionFile) -> Part {
        match kind {
            VersionFile::Info => Part::Info,
            VersionFile::Mod => Part::Mod,
            VersionFile::Zip => Part::Zip,
            VersionFile::ZipHash => Part::ZipHash,
            VersionFile::Lock => Part::Lock,
            VersionFile::Partial => Part::Partial,
            VersionFile::Tmp => Part::Tmp,
        }
    }

    /// Files Go reads when it builds with the version, whose access time is a sign of use.
    fn read_by_builds(self) -> bool {
        matches!(self, Part::Tree | Part::Zip | Part::Mod)
    }
}

/// Where a version's date comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DateSource {
    /// The `Time` field of the `.info` file.
    Info,
    /// The newest modification time of the version's files.
    Mtime,
}

impl DateSource {
    pub fn as_str(self) -> &'static str {
        match self {
            DateSource::Info => "info",
            DateSource::Mtime => "mtime",
        }
    }
}

/// Everything one version holds in the cache. Times are seconds since the Unix epoch.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct VersionUsage {
    parts: [Sizes; Part::ALL.len()],
    /// Go's temporary files and directories for this version, with their sizes, sorted.
    pub tmp: Vec<(PathBuf, Sizes)>,
    /// The `Time` of the `.info` file, if it has a valid one.
    pub info_time: Option<i64>,
    /// The newest modification time of the version's files (directories left out).
    pub modified: Option<i64>,
    /// The newest sign of use (see the module documentation).
    pub last_used: Option<i64>,
}

impl VersionUsage {
    pub fn part(&self, part: Part) -> Sizes {
        self.parts[part as usize]
    }

    /// True if the cache holds this part of the version.
    pub fn has(&self, part: Part) -> bool {
        self.part(part).entries > 0
    }

    pub fn total(&self) -> Sizes {
        self.parts.iter().copied().sum()
    }

    /// True if the version holds anything but its lock file (which Go never removes).
    pub fn is_present(&self) -> bool {
        Part::ALL.iter().any(|&p| p != Part::Lock && self.has(p))
    }

    /// One part of a version, as the walk found it.
    fn of_part(part: Part, sub: &Subtree, tmp: Option<&Path>, info_time: Option<i64>) -> Self {
        let mut v = VersionUsage {
            info_time,
            modified: sub.modified,
            last_used: sub.used,
            ..VersionUsage::default()
        };
        v.parts[part as usize] = sub.sizes;
        if let Some(path) = tmp {
            v.tmp.push((path.to_path_buf(), sub.sizes));
        }
        v
    }

    /// Add what another part of the walk found of the same version.
    fn merge(&mut self, o: VersionUsage) {
        for (a, b) in self.parts.iter_mut().zip(o.parts) {
            *a += b;
        }
        for (path, sizes) in o.tmp {
            match self.tmp.iter_mut().find(|(p, _)| *p == path) {
                Some((_, s)) => *s += sizes,
                None => self.tmp.push((path, sizes)),
            }
        }
        self.info_time = self.info_time.or(o.info_time);
        self.modified = self.modified.max(o.modified);
        self.last_used = self.last_used.max(o.last_used);
    }

    /// The version's date and where it comes from.
    pub fn date(&self) -> Option<(i64, DateSource)> {
        match (self.info_time, self.modified) {
            (Some(t), _) => Some((t, DateSource::Info)),
            (None, Some(t)) => Some((t, DateSource::Mtime)),
            (None, None) => None,
        }
    }
}

/// The disk usage of a whole module cache.
#[derive(Debug, Default)]
pub struct Usage {
    categories: [Sizes; Category::ALL.len()],
    pub versions: BTreeMap<ModuleVersion, VersionUsage>,
    /// `@v/list` and `@v/list.lock`, by module path.
    pub lists: BTreeMap<String, Sizes>,
    /// Entries that could not be read or measured, sorted by path. Their size is missing
    /// from the totals.
    pub errors: Vec<(PathBuf, io::Error)>,
}

/// One module's share of the cache.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ModuleSummary {
    pub path: String,
    /// Versions present (holding more than a lock file).
    pub versions: usize,
    /// Everything the module's versions hold, plus its `@v/list`.
    pub sizes: Sizes,
    /// The highest version present, in semver order.
    pub latest: String,
    /// The newest date of its versions.
    pub date: Option<i64>,
}

/// How `du` orders modules and versions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SortKey {
    /// Largest first.
    #[default]
    Size,
    /// Module paths alphabetically; versions in semver order, highest first.
    Name,
    /// Newest date first; undated last.
    Date,
}

impl Usage {
    pub fn category(&self, c: Category) -> Sizes {
        self.categories[c.index()]
    }

    /// The whole cache: what `du -sB1` / `du -sb` print for its root.
    pub fn total(&self) -> Sizes {
        self.categories.iter().copied().sum()
    }

    /// Versions holding more than a lock file.
    pub fn present(&self) -> impl Iterator<Item = (&ModuleVersion, &VersionUsage)> {
        self.versions.iter().filter(|(_, v)| v.is_present())
    }

    /// Every module with at least one version present, in path order.
    pub fn modules(&self) -> Vec<ModuleSummary> {
        let mut out: Vec<ModuleSummary> = Vec::new();
        for (mv, v) in &self.versions {
            if out.last().is_none_or(|m| m.path != mv.path) {
                out.push(ModuleSummary {
                    path: mv.path.clone(),
                    versions: 0,
                    sizes: self.lists.get(&mv.path).copied().unwrap_or_default(),
                    latest: String::new(),
                    date: None,
                });
            }
            let m = out.last_mut().expect("pushed above");
            m.sizes += v.total();
            if v.is_present() {
                m.versions += 1;
                if m.latest.is_empty() || semver::compare(&mv.version, &m.latest).is_gt() {
                    m.latest = mv.version.clone();
                }
                m.date = m.date.max(v.date().map(|(t, _)| t));
            }
        }
        out.retain(|m| m.versions > 0);
        out
    }

    /// Modules ordered by `key` (sizes by disk usage, or apparent size when `apparent`).
    pub fn sorted_modules(&self, key: SortKey, apparent: bool) -> Vec<ModuleSummary> {
        let mut modules = self.modules();
        match key {
            SortKey::Size => modules.sort_by(|a, b| {
                b.sizes
                    .bytes(apparent)
                    .cmp(&a.sizes.bytes(apparent))
                    .then_with(|| a.path.cmp(&b.path))
            }),
            SortKey::Name => {}
            SortKey::Date => {
                modules.sort_by(|a, b| b.date.cmp(&a.date).then_with(|| a.path.cmp(&b.path)))
            }
        }
        modules
    }

    /// The versions of `module` present in the cache, ordered by `key`.
    pub fn module_versions(
        &self,
        module: &str,
        key: SortKey,
        apparent: bool,
    ) -> Vec<(&ModuleVersion, &VersionUsage)> {
        let start = ModuleVersion::new(module, "");
        let mut versions: Vec<(&ModuleVersion, &VersionUsage)> = self
            .versions
            .range(start..)
            .take_while(|(mv, _)| mv.path == module)
            .filter(|(_, v)| v.is_present())
            .collect();
        let by_version =
            |a: &ModuleVersion, b: &ModuleVersion| semver::compare(&b.version, &a.version);
        match key {
            SortKey::Size => versions.sort_by(|(am, a), (bm, b)| {
                b.total()
                    .bytes(apparent)
                    .cmp(&a.total().bytes(apparent))
                    .then_with(|| by_version(am, bm))
            }),
            SortKey::Name => versions.sort_by(|(a, _), (b, _)| by_version(a, b)),
            SortKey::Date => versions.sort_by(|(am, a), (bm, b)| {
                let date = |v: &VersionUsage| v.date().map(|(t, _)| t);
                date(b).cmp(&date(a)).then_with(|| by_version(am, bm))
            }),
        }
        versions
    }
}

/// What [`measure`] reads besides directory entries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dates {
    /// Read every `.info` file for its `Time` (one small read per version).
    Read,
    /// Leave `.info` files closed: [`VersionUsage::info_time`] stays `None`, so
    /// [`VersionUsage::date`] must not be shown. For totals and sizes alone.
    Skip,
}

/// Measure the whole cache. Runs on the current rayon pool.
pub fn measure(cache: &ModCache, dates: Dates) -> Usage {
    let root = cache.root();
    let mut tally = Tally::default();
    // The root is followed if it is a symlink (a GOMODCACHE moved to another disk).
    let meta = match fs::metadata(root) {
        Ok(m) => Meta::of_std(&m),
        Err(e) => {
            tally.errors.push((root.to_path_buf(), e));
            return tally.finish();
        }
    };
    tally.add_entry(Category::Other, root, &meta);
    let walk = Walk { root, dates };
    let children = read_dir(root, &mut tally.errors);
    tally += children
        .into_par_iter()
        .map(|(path, meta)| {
            if meta.is_dir() && path.file_name().is_some_and(|n| n == "cache") {
                walk.cache(&path, &meta)
            } else {
                walk.trees(&path, &meta)
            }
        })
        .reduce(Tally::default, Add::add);
    tally.finish()
}

struct Walk<'a> {
    root: &'a Path,
    dates: Dates,
}

impl Walk<'_> {
    fn rel<'p>(&self, path: &'p Path) -> &'p Path {
        path.strip_prefix(self.root).unwrap_or(path)
    }

    /// Outside `cache/`: directories leading to extracted trees, and the trees.
    fn trees(&self, path: &Path, meta: &Meta) -> Tally {
        let mut tally = Tally::default();
        match classify(self.rel(path)) {
            Entry::Tree(mv) if meta.is_dir() => {
                let owner = Owner::Version(mv.clone(), Part::Tree);
                tally.record(
                    mv,
                    Part::Tree,
                    subtree(path, meta, &owner, true),
                    None,
                    None,
                );
            }
            Entry::TreeTmp(mv) => {
                let owner = Owner::Version(mv.clone(), Part::Tmp);
                tally.record(
                    mv,
                    Part::Tmp,
                    subtree(path, meta, &owner, false),
                    Some(path),
                    None,
                );
            }
            Entry::Other if meta.is_dir() => {
                tally.add_entry(Category::Other, path, meta);
                let children = read_dir(path, &mut tally.errors);
                tally += children
                    .into_par_iter()
                    .map(|(p, m)| self.trees(&p, &m))
                    .reduce(Tally::default, Add::add);
            }
            _ => tally += Tally::of_category(Category::Other, path, meta),
        }
        tally
    }

    /// `cache/`: the lock, `vcs/`, `download/`.
    fn cache(&self, path: &Path, meta: &Meta) -> Tally {
        let mut tally = Tally::default();
        tally.add_entry(Category::Other, path, meta);
        let children = read_dir(path, &mut tally.errors);
        tally += children
            .into_par_iter()
            .map(|(p, m)| {
                let name = p.file_name().unwrap_or_default();
                if name == "download" && m.is_dir() {
                    self.download(&p, &m, true)
                } else {
                    let c = if name == "vcs" {
                        Category::Vcs
                    } else {
                        Category::Other
                    };
                    Tally::of_category(c, &p, &m)
                }
            })
            .reduce(Tally::default, Add::add);
        tally
    }

    /// A directory under `cache/download` on the way to `@v` directories.
    fn download(&self, path: &Path, meta: &Meta, top: bool) -> Tally {
        let mut tally = Tally::default();
        tally.add_entry(Category::Other, path, meta);
        let children = read_dir(path, &mut tally.errors);
        tally += children
            .into_par_iter()
            .map(|(p, m)| {
                let name = p.file_name().unwrap_or_default();
                if top && name == "sumdb" {
                    Tally::of_category(Category::SumDb, &p, &m)
                } else if name == "@v" && m.is_dir() {
                    self.v_dir(&p, &m)
                } else if m.is_dir() {
                    self.download(&p, &m, false)
                } else {
                    Tally::of_category(Category::Other, &p, &m)
                }
            })
            .reduce(Tally::default, Add::add);
        tally
    }

    /// `cache/download/<path>/@v`: the files of the module's versions.
    fn v_dir(&self, path: &Path, meta: &Meta) -> Tally {
        let mut tally = Tally::default();
        tally.add_entry(Category::Other, path, meta);
        for (p, m) in read_dir(path, &mut tally.errors) {
            match classify(self.rel(&p)) {
                Entry::Version(mv, kind) => {
                    let part = Part::of(kind);
                    let info_time =
                        (part == Part::Info && m.is_file() && self.dates == Dates::Read)
                            .then(|| read_info_time(&p))
                            .flatten();
                    let owner = Owner::Version(mv.clone(), part);
                    let sub = subtree(&p, &m, &owner, part.read_by_builds());
                    let tmp = (part == Part::Tmp).then_some(p.as_path());
                    tally.record(mv, part, sub, tmp, info_time);
                }
                Entry::VersionList(module) => {
                    let sub = subtree(&p, &m, &Owner::List(module.clone()), false);
                    tally.lists.push((module, sub.sizes));
                    tally.add_subtree(Category::Metadata, sub);
                }
                _ => tally += Tally::of_category(Category::Other, &p, &m),
            }
        }
        // One record per version rather than per file: less to carry up the reduction.
        tally.records.sort_by(|a, b| a.0.cmp(&b.0));
        let mut records: Vec<(ModuleVersion, VersionUsage)> =
            Vec::with_capacity(tally.records.len());
        for (mv, v) in tally.records.drain(..) {
            match records.last_mut() {
                Some((last, usage)) if *last == mv => usage.merge(v),
                _ => records.push((mv, v)),
            }
        }
        tally.records = records;
        tally
    }
}

/// What `lstat` says about an entry: all the walk needs.
#[derive(Debug, Clone, Copy)]
struct Meta {
    dir: bool,
    file: bool,
    blocks: u64,
    size: u64,
    nlink: u64,
    dev: u64,
    ino: u64,
    atime: i64,
    mtime: i64,
}

impl Meta {
    fn of_std(m: &Metadata) -> Meta {
        Meta {
            dir: m.is_dir(),
            file: m.is_file(),
            blocks: m.blocks(),
            size: m.size(),
            nlink: m.nlink(),
            dev: m.dev(),
            ino: m.ino(),
            atime: m.atime(),
            mtime: m.mtime(),
        }
    }

    #[allow(clippy::unnecessary_cast, clippy::useless_conversion)] // field types vary by platform
    fn of_stat(st: &rustix::fs::Stat) -> Meta {
        let kind = rustix::fs::FileType::from_raw_mode(st.st_mode as rustix::fs::RawMode);
        Meta {
            dir: kind == rustix::fs::FileType::Directory,
            file: kind == rustix::fs::FileType::RegularFile,
            blocks: st.st_blocks as u64,
            size: st.st_size as u64,
            nlink: st.st_nlink as u64,
            dev: st.st_dev as u64,
            ino: st.st_ino as u64,
            atime: st.st_atime as i64,
            mtime: st.st_mtime as i64,
        }
    }

    fn is_dir(&self) -> bool {
        self.dir
    }

    fn is_file(&self) -> bool {
        self.file
    }
}

/// The entries of a directory with their `lstat` metadata; failures are recorded.
///
/// Entries are `fstatat`ed relative to the open directory (as `du` does), not through
/// their full path: the kernel then resolves one name, not every component again.
fn read_dir(dir: &Path, errors: &mut Vec<(PathBuf, io::Error)>) -> Vec<(PathBuf, Meta)> {
    let mut out = Vec::new();
    errors.extend(for_each_entry(dir, |name, meta| {
        out.push((dir.join(name), *meta))
    }));
    out
}

/// Call `f` with the name and metadata of each entry of `dir` (`.` and `..` left out);
/// returns what could not be read. No allocation per entry: names are borrowed from the
/// `getdents` buffer, and `fstatat` runs on a second descriptor of the same directory.
fn for_each_entry(dir: &Path, mut f: impl FnMut(&OsStr, &Meta)) -> Vec<(PathBuf, io::Error)> {
    use rustix::fs::{AtFlags, Dir, Mode, OFlags};
    let mut errors = Vec::new();
    let flags = OFlags::RDONLY | OFlags::DIRECTORY | OFlags::CLOEXEC;
    let opened = rustix::fs::open(dir, flags, Mode::empty())
        .map_err(io::Error::from)
        .and_then(|fd| Ok((fd.try_clone()?, fd)))
        .and_then(|(reader, fd)| Ok((Dir::new(reader)?, fd)));
    let (mut entries, fd) = match opened {
        Ok(x) => x,
        Err(e) => {
            errors.push((dir.to_path_buf(), e));
            return errors;
        }
    };
    while let Some(entry) = entries.read() {
        let entry = match entry {
            Ok(e) => e,
            Err(e) => {
                errors.push((dir.to_path_buf(), e.into()));
                break;
            }
        };
        let name = entry.file_name();
        if name == c"." || name == c".." {
            continue;
        }
        let os_name = OsStr::from_bytes(name.to_bytes());
        match rustix::fs::statat(&fd, name, AtFlags::SYMLINK_NOFOLLOW) {
            Ok(st) => f(os_name, &Meta::of_stat(&st)),
            Err(e) => errors.push((dir.join(os_name), e.into())),
        }
    }
    errors
}

/// Who a hard-linked file is charged to, if its first path is this one.
#[derive(Debug, Clone)]
enum Owner {
    Category(Category),
    Version(ModuleVersion, Part),
    List(String),
}

/// A file with more than one hard link, set aside so that it is counted once.
#[derive(Debug)]
struct Linked {
    dev: u64,
    ino: u64,
    path: PathBuf,
    sizes: Sizes,
    modified: i64,
    used: i64,
    owner: Owner,
}

/// A file or directory tree, measured.
#[derive(Debug, Default)]
struct Subtree {
    sizes: Sizes,
    modified: Option<i64>,
    used: Option<i64>,
    linked: Vec<Linked>,
    errors: Vec<(PathBuf, io::Error)>,
}

impl Subtree {
    /// Count one entry; `path` is asked for only if the entry is a hard-linked file.
    fn count(
        &mut self,
        meta: &Meta,
        owner: &Owner,
        atime_counts: bool,
        path: impl FnOnce() -> PathBuf,
    ) {
        if meta.is_dir() {
            self.sizes += Sizes::of(meta);
            return;
        }
        let modified = meta.mtime;
        let used = if atime_counts {
            modified.max(meta.atime)
        } else {
            modified
        };
        if meta.nlink > 1 {
            self.linked.push(Linked {
                dev: meta.dev,
                ino: meta.ino,
                path: path(),
                sizes: Sizes::of(meta),
                modified,
                used,
                owner: owner.clone(),
            });
        } else {
            self.sizes += Sizes::of(meta);
            self.modified = self.modified.max(Some(modified));
            self.used = self.used.max(Some(used));
        }
    }
}

impl Add for Subtree {
    type Output = Subtree;
    fn add(mut self, o: Subtree) -> Subtree {
        self.sizes += o.sizes;
        self.modified = self.modified.max(o.modified);
        self.used = self.used.max(o.used);
        self.linked.extend(o.linked);
        self.errors.extend(o.errors);
        self
    }
}

/// Measure `path` and, if it is a directory, everything below it, without following
/// symlinks. Subdirectories are measured in parallel.
fn subtree(path: &Path, meta: &Meta, owner: &Owner, atime_counts: bool) -> Subtree {
    let mut sub = Subtree::default();
    sub.count(meta, owner, atime_counts, || path.to_path_buf());
    if !meta.is_dir() {
        return sub;
    }
    let mut dirs = Vec::new();
    let errors = for_each_entry(path, |name, m| {
        if m.is_dir() {
            dirs.push((path.join(name), *m));
        } else {
            sub.count(m, owner, atime_counts, || path.join(name));
        }
    });
    sub.errors.extend(errors);
    if dirs.len() == 1 {
        let (p, m) = dirs.pop().expect("one");
        return sub + subtree(&p, &m, owner, atime_counts);
    }
    sub + dirs
        .into_par_iter()
        .map(|(p, m)| subtree(&p, &m, owner, atime_counts))
        .reduce(Subtree::default, Add::add)
}

/// What a part of the walk found; merged with `+`.
#[derive(Debug, Default)]
struct Tally {
    categories: [Sizes; Category::ALL.len()],
    /// What the walk found of each version (one entry per version and directory).
    records: Vec<(ModuleVersion, VersionUsage)>,
    lists: Vec<(String, Sizes)>,
    linked: Vec<Linked>,
    errors: Vec<(PathBuf, io::Error)>,
}

impl Tally {
    /// `path` and everything below it, all charged to `c`.
    fn of_category(c: Category, path: &Path, meta: &Meta) -> Tally {
        let mut tally = Tally::default();
        tally.add_subtree(c, subtree(path, meta, &Owner::Category(c), false));
        tally
    }

    /// Count one entry (a directory itself, not its content).
    fn add_entry(&mut self, c: Category, path: &Path, meta: &Meta) {
        let mut sub = Subtree::default();
        sub.count(meta, &Owner::Category(c), false, || path.to_path_buf());
        self.add_subtree(c, sub);
    }

    fn add_subtree(&mut self, c: Category, sub: Subtree) {
        self.categories[c.index()] += sub.sizes;
        self.linked.extend(sub.linked);
        self.errors.extend(sub.errors);
    }

    fn record(
        &mut self,
        mv: ModuleVersion,
        part: Part,
        sub: Subtree,
        tmp: Option<&Path>,
        info_time: Option<i64>,
    ) {
        self.categories[part.category().index()] += sub.sizes;
        self.records
            .push((mv, VersionUsage::of_part(part, &sub, tmp, info_time)));
        self.linked.extend(sub.linked);
        self.errors.extend(sub.errors);
    }

    fn finish(mut self) -> Usage {
        // Each hard-linked inode counts once, for its first path.
        self.linked
            .sort_by(|a, b| (a.dev, a.ino, &a.path).cmp(&(b.dev, b.ino, &b.path)));
        self.linked.dedup_by_key(|l| (l.dev, l.ino));
        for l in std::mem::take(&mut self.linked) {
            match l.owner {
                Owner::Category(c) => self.categories[c.index()] += l.sizes,
                Owner::List(module) => {
                    self.categories[Category::Metadata.index()] += l.sizes;
                    self.lists.push((module, l.sizes));
                }
                Owner::Version(mv, part) => {
                    self.categories[part.category().index()] += l.sizes;
                    let sub = Subtree {
                        sizes: l.sizes,
                        modified: Some(l.modified),
                        used: Some(l.used),
                        ..Subtree::default()
                    };
                    let tmp = (part == Part::Tmp).then_some(l.path.as_path());
                    self.records
                        .push((mv, VersionUsage::of_part(part, &sub, tmp, None)));
                }
            }
        }

        let mut usage = Usage {
            categories: self.categories,
            ..Usage::default()
        };
        for (mv, v) in self.records {
            usage.versions.entry(mv).or_default().merge(v);
        }
        for v in usage.versions.values_mut() {
            v.tmp.sort_by(|a, b| a.0.cmp(&b.0));
        }
        for (module, sizes) in self.lists {
            *usage.lists.entry(module).or_default() += sizes;
        }
        self.errors.sort_by(|a, b| a.0.cmp(&b.0));
        usage.errors = self.errors;
        usage
    }
}

impl AddAssign for Tally {
    fn add_assign(&mut self, o: Tally) {
        for (a, b) in self.categories.iter_mut().zip(o.categories) {
            *a += b;
        }
        self.records.extend(o.records);
        self.lists.extend(o.lists);
        self.linked.extend(o.linked);
        self.errors.extend(o.errors);
    }
}

impl Add for Tally {
    type Output = Tally;
    fn add(mut self, o: Tally) -> Tally {
        self += o;
        self
    }
}

/// The `Time` of a `.info` file (`{"Version":"v1.2.3","Time":"2019-01-02T03:04:05Z"}`).
fn read_info_time(path: &Path) -> Option<i64> {
    #[derive(Deserialize)]
    struct Info {
        #[serde(rename = "Time")]
        time: Option<String>,
    }
    // `take` keeps std from asking for the size first: one open, one or two reads.
    let mut data = Vec::with_capacity(512);
    fs::File::open(path)
        .ok()?
        .take(1 << 16)
        .read_to_end(&mut data)
        .ok()?;
    let info: Info = serde_json::from_slice(&data).ok()?;
    // Go's zero time.Time (`0001-01-01T00:00:00Z`) means the proxy reported no time.
    parse_rfc3339(info.time.as_deref()?).filter(|&t| t > GO_ZERO_TIME)
}

/// `time.Time{}` in seconds since the Unix epoch.
const GO_ZERO_TIME: i64 = -62_135_596_800;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn walk_counts_every_entry_once_and_by_category() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path();
        let w = |rel: &str, data: &[u8]| {
            let p = root.join(rel);
            fs::create_dir_all(p.parent().unwrap()).unwrap();
            fs::write(p, data).unwrap();
        };
        let v = "cache/download/rsc.io/quote/@v/";
        w(&format!("{v}v1.5.2.zip"), &[1; 5000]);
        w(&format!("{v}v1.5.2.ziphash"), b"h1:x\n");
        w(&format!("{v}v1.5.2.mod"), b"module rsc.io/quote\n");
        w(
            &format!("{v}v1.5.2.info"),
            br#"{"Version":"v1.5.2","Time":"2018-02-14T15:44:20Z"}"#,
        );
        w(&format!("{v}v1.5.2.lock"), b"");
        w(&format!("{v}v1.5.1.mod"), b"module rsc.io/quote\n");
        w(&format!("{v}v1.5.1.zip123.tmp"), b"partial zip");
        w(&format!("{v}list"), b"v1.5.1\nv1.5.2\n");
        w(
            "cache/download/sumdb/sum.golang.org/lookup/rsc.io/quote@v1.5.2",
            b"tile",
        );
        w("cache/vcs/0123/HEAD", b"ref");
        w("cache/lock", b"");
        w("rsc.io/quote@v1.5.2/quote.go", &[2; 3000]);
        w("rsc.io/quote@v1.5.2/buggy/buggy.go", b"package buggy");
        w("rsc.io/quote@v1.5.1.tmp-99/quote.go", b"old extraction");
        w("stray.txt", b"not Go's");
        // A second name sorting after the tree's: the file stays charged to the tree.
        fs::hard_link(
            root.join("rsc.io/quote@v1.5.2/quote.go"),
            root.join("zz-linked"),
        )
        .unwrap();

        let cache = ModCache::open(root).unwrap();
        let usage = measure(&cache, Dates::Read);
        assert!(usage.errors.is_empty(), "{:?}", usage.errors);

        let mut inodes = std::collections::HashSet::new();
        let all: Sizes = walkdir::WalkDir::new(root)
            .into_iter()
            .map(|e| e.unwrap().metadata().unwrap())
            .filter(|m| inodes.insert((m.dev(), m.ino())))
            .map(|m| Sizes::of(&Meta::of_std(&m)))
            .sum();
        assert_eq!(
            usage.total(),
            all,
            "every entry once, the hard-linked file once"
        );
        assert_eq!(usage.total().entries, 31);

        let q2 = usage
            .versions
            .get(&ModuleVersion::new("rsc.io/quote", "v1.5.2"))
            .unwrap();
        assert_eq!(q2.part(Part::Zip).apparent, 5000);
        assert_eq!(
            q2.part(Part::Tree).entries,
            4,
            "tree dir, buggy/, two files"
        );
        assert_eq!(q2.info_time, Some(1518623060));
        assert_eq!(q2.date().unwrap().1, DateSource::Info);
        let q1 = usage
            .versions
            .get(&ModuleVersion::new("rsc.io/quote", "v1.5.1"))
            .unwrap();
        assert_eq!(q1.tmp.len(), 2, "{:?}", q1.tmp);
        assert_eq!(q1.date().unwrap().1, DateSource::Mtime);
        assert_eq!(usage.category(Category::Temp), q1.part(Part::Tmp));
        assert_eq!(usage.category(Category::Trees), q2.part(Part::Tree));
        assert_eq!(usage.category(Category::Zips), q2.part(Part::Zip));
        assert_eq!(
            usage.category(Category::SumDb).entries,
            5,
            "sumdb/sum.golang.org/lookup/rsc.io/ + a file"
        );
        assert_eq!(
            usage.category(Category::Vcs).entries,
            3,
            "vcs/, 0123/, HEAD"
        );
        assert_eq!(
            usage.category(Category::Other).entries,
            9,
            "the root, cache/, download/, download/rsc.io/, …/quote/, @v/, cache/lock, rsc.io/, stray.txt"
        );
        assert_eq!(usage.lists["rsc.io/quote"].apparent, 14);

        let modules = usage.modules();
        assert_eq!(modules.len(), 1);
        assert_eq!(modules[0].versions, 2);
        assert_eq!(modules[0].latest, "v1.5.2");
    }
}
