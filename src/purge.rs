//! `modcache purge`: remove chosen module versions, so that Go fetches them again.
//!
//! A target is `path@version` (one version), `path` (every version of exactly that
//! module), or a list of globs in Go's GOPRIVATE syntax (`module.MatchPrefixPatterns`:
//! comma-separated `path.Match` globs, each matched against as many leading elements of
//! the module path as it has). A target with a glob character (`*?[\`) or a comma is a
//! pattern; anything else is a module path. So `rsc.io/quote` purges rsc.io/quote only,
//! while the pattern `rsc.io/quote,rsc.io/quote/*` also purges rsc.io/quote/v3, as
//! GOPRIVATE=rsc.io/quote would match it.
//!
//! Purging a version removes its zip, `.ziphash`, extracted tree, `.partial` marker and
//! temporary files; with `all_metadata` also `.info` and `.mod`. The `.lock` file and the
//! `@v/list` file stay (see [`crate::repair`] for why the lock stays). Removal goes through
//! [`crate::repair`]: Go's lock, a fresh look at the version under it, the safe order.

use std::path::PathBuf;

use crate::cache::{ModCache, ModuleVersion, semver};
use crate::error::{Error, Result};
use crate::goenv::pattern;
use crate::repair::{self, OnWait, VersionOutcome, VersionPlan};
use crate::scan::{self, Inventory, VersionFiles};

/// What the user asked to purge.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// `path@version`.
    Version(ModuleVersion),
    /// `path`: every version of this module.
    Module(String),
    /// GOPRIVATE-style comma-separated globs.
    Patterns(String),
}

impl Target {
    /// Parse one command-line target. Malformed patterns and versions are usage errors.
    pub fn parse(arg: &str) -> Result<Target> {
        let usage = |why: String| Error::Usage(format!("invalid purge target {arg:?}: {why}"));
        if arg.is_empty() {
            return Err(usage("empty".into()));
        }
        if arg.contains(['*', '?', '[', '\\', ',']) {
            if arg.contains('@') {
                return Err(usage("a pattern cannot name a version".into()));
            }
            for glob in arg.split(',') {
                let glob = glob.strip_suffix('/').unwrap_or(glob);
                if pattern::path_match(glob, "").is_err() {
                    return Err(usage(format!(
                        "malformed pattern {glob:?}: syntax error in pattern"
                    )));
                }
            }
            return Ok(Target::Patterns(arg.to_string()));
        }
        let check_path = |path: &str| -> Result<()> {
            if !is_module_path(path) {
                return Err(usage(format!("{path:?} is not a module path")));
            }
            Ok(())
        };
        match arg.split_once('@') {
            Some((path, version)) => {
                check_path(path)?;
                if !semver::is_canonical(version) {
                    return Err(usage(format!(
                        "{version:?} is not a canonical version (like v1.2.3)"
                    )));
                }
                Ok(Target::Version(ModuleVersion::new(path, version)))
            }
            None => {
                check_path(arg)?;
                Ok(Target::Module(arg.to_string()))
            }
        }
    }

    pub fn matches(&self, mv: &ModuleVersion) -> bool {
        match self {
            Target::Version(v) => v == mv,
            Target::Module(path) => &mv.path == path,
            Target::Patterns(globs) => pattern::match_prefix_patterns(globs, &mv.path),
        }
    }
}

/// A plausible module path: what Go's error messages and the cache can contain.
pub fn is_module_path(path: &str) -> bool {
    !path.is_empty()
        && !path.starts_with('/')
        && !path.ends_with('/')
        && !path.contains("//")
        && path
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_' | '~' | '/' | '+'))
        && path.split('/').all(|e| e != "." && e != "..")
}

/// One version to purge.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct PurgeItem {
    pub module: ModuleVersion,
    /// Also remove its `.mod` (Go named it in a go.mod checksum failure).
    pub gomod: bool,
}

/// Options of `modcache purge`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PurgeOptions {
    /// Also remove `.info` and `.mod`.
    pub all_metadata: bool,
}

/// Whether the cache holds anything of this version besides its lock.
pub fn holds_anything(files: &VersionFiles) -> bool {
    files.info
        || files.gomod
        || files.zip
        || files.ziphash
        || files.partial
        || files.tree
        || !files.tmp.is_empty()
}

/// The cached versions each target names, sorted. A target that names nothing in the
/// cache is an error (a typo must not pass silently), and nothing is selected then.
pub fn select(inventory: &Inventory, targets: &[Target]) -> Result<Vec<ModuleVersion>> {
    let cached: Vec<&ModuleVersion> = inventory
        .versions
        .iter()
        .filter(|(_, f)| holds_anything(f))
        .map(|(mv, _)| mv)
        .collect();
    let mut out: Vec<ModuleVersion> = Vec::new();
    for target in targets {
        let before = out.len();
        out.extend(
            cached
                .iter()
                .filter(|mv| target.matches(mv))
                .map(|mv| (*mv).clone()),
        );
        if out.len() == before {
            return Err(Error::Usage(not_cached_message(target, &cached)));
        }
    }
    out.sort();
    out.dedup();
    Ok(out)
}

fn not_cached_message(target: &Target, cached: &[&ModuleVersion]) -> String {
    match target {
        Target::Version(mv) => {
            let others = cached.iter().filter(|c| c.path == mv.path).count();
            if others > 0 {
                format!(
                    "{mv} is not in the module cache ({others} other version{} of {} {})",
                    if others == 1 { "" } else { "s" },
                    mv.path,
                    if others == 1 { "is" } else { "are" }
                )
            } else {
                format!("{mv} is not in the module cache")
            }
        }
        Target::Module(path) => {
            let below = format!("{path}/");
            if cached.iter().any(|c| c.path.starts_with(&below)) {
                format!(
                    "no version of module {path} is in the module cache \
                     (to purge the modules below it, use the pattern '{path}/*')"
                )
            } else {
                format!("no version of module {path} is in the module cache")
            }
        }
        Target::Patterns(globs) => format!("no module in the module cache matches {globs:?}"),
    }
}

/// The paths purging `item` removes, given what the cache holds for it.
pub fn purge_paths(
    cache: &ModCache,
    item: &PurgeItem,
    files: &VersionFiles,
    options: PurgeOptions,
) -> Vec<PathBuf> {
    let vp = cache.paths(&item.module);
    // Temp files Go may be writing right now stay (see repair::maybe_being_written).
    let tmp: Vec<PathBuf> = files
        .tmp
        .iter()
        .filter(|t| !repair::maybe_being_written(&vp, t))
        .cloned()
        .collect();
    let mut paths = vec![vp.ziphash, vp.tree, vp.zip, vp.partial];
    paths.extend(tmp);
    if options.all_metadata {
        paths.push(vp.info);
    }
    if options.all_metadata || item.gomod {
        paths.push(vp.gomod);
    }
    paths
}

/// The plan of purging `item` now (for `--dry-run`; the real run plans again under the lock).
pub fn plan_purge(cache: &ModCache, item: &PurgeItem, options: PurgeOptions) -> VersionPlan {
    let files = scan::scan_version(cache, &item.module);
    VersionPlan::new(
        cache,
        item.module.clone(),
        purge_paths(cache, item, &files, options),
    )
}

/// Purge each item under its lock, in parallel in the current rayon pool; the result is
/// in the order of `items`.
pub fn apply_purge(
    cache: &ModCache,
    items: &[PurgeItem],
    options: PurgeOptions,
    on_wait: OnWait<'_>,
) -> Vec<VersionOutcome> {
    use rayon::prelude::*;
    items
        .par_iter()
        .map(|item| {
            let locked = repair::with_version_lock(cache, &item.module, on_wait, || {
                let plan = plan_purge(cache, item, options);
                repair::execute(cache, &plan)
            });
            let (removed, error) = match locked {
                Ok(done) => done,
                Err(e) => (Vec::new(), Some(e)),
            };
            VersionOutcome {
                module: item.module.clone(),
                kinds: Vec::new(),
                removed,
                remaining: Vec::new(),
                error,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mv(p: &str, v: &str) -> ModuleVersion {
        ModuleVersion::new(p, v)
    }

    #[test]
    fn targets_parse_like_go_spells_them() {
        assert_eq!(
            Target::parse("rsc.io/quote@v1.5.2").unwrap(),
            Target::Version(mv("rsc.io/quote", "v1.5.2"))
        );
        assert_eq!(
            Target::parse("github.com/Azure/go@v1.0.0-RC+incompatible").unwrap(),
            Target::Version(mv("github.com/Azure/go", "v1.0.0-RC+incompatible"))
        );
        assert_eq!(
            Target::parse("rsc.io/quote@v1.5").unwrap_err().to_string(),
            "invalid purge target \"rsc.io/quote@v1.5\": \"v1.5\" is not a canonical version (like v1.2.3)"
        );
        assert_eq!(
            Target::parse("rsc.io/quote").unwrap(),
            Target::Module("rsc.io/quote".into())
        );
        assert_eq!(
            Target::parse("*.corp.com,rsc.io/*").unwrap(),
            Target::Patterns("*.corp.com,rsc.io/*".into())
        );
        for bad in [
            "rsc.io/[",
            "a,b[",
            "x\\",
            "rsc.io/*@v1.0.0",
            "",
            "rsc.io/quote@latest",
            "/abs/path",
        ] {
            assert!(Target::parse(bad).is_err(), "{bad:?}");
        }
        assert!(
            Target::parse("rsc.io/[")
                .unwrap_err()
                .to_string()
                .contains("malformed pattern")
        );
    }

    #[test]
    fn patterns_match_prefixes_but_module_paths_match_exactly() {
        let quote = mv("rsc.io/quote", "v1.5.2");
        let v3 = mv("rsc.io/quote/v3", "v3.0.0");
        let module = Target::parse("rsc.io/quote").unwrap();
        assert!(module.matches(&quote) && !module.matches(&v3));
        let pat = Target::parse("rsc.io/quote,rsc.io/quote/*").unwrap();
        assert!(pat.matches(&quote) && pat.matches(&v3));
        let glob = Target::parse("rsc.io/q*").unwrap();
        assert!(glob.matches(&quote) && glob.matches(&v3));
        assert!(!glob.matches(&mv("rsc.io/sampler", "v1.3.0")));
    }

    #[test]
    fn selecting_nothing_is_an_error_that_says_what_to_type() {
        let mut inv = Inventory::default();
        let files = VersionFiles {
            zip: true,
            ..VersionFiles::default()
        };
        inv.versions
            .insert(mv("golang.org/x/text", "v0.3.0"), files.clone());
        inv.versions
            .insert(mv("golang.org/x/text", "v0.1.0"), files);
        inv.versions.insert(
            mv("golang.org/x/text", "v0.2.0"),
            VersionFiles {
                lock: true,
                ..VersionFiles::default()
            },
        );
        let err = select(&inv, &[Target::parse("golang.org/x").unwrap()]).unwrap_err();
        assert_eq!(
            err.to_string(),
            "no version of module golang.org/x is in the module cache \
             (to purge the modules below it, use the pattern 'golang.org/x/*')"
        );
        let err = select(&inv, &[Target::parse("golang.org/x/text@v0.2.0").unwrap()]).unwrap_err();
        assert_eq!(
            err.to_string(),
            "golang.org/x/text@v0.2.0 is not in the module cache \
             (2 other versions of golang.org/x/text are)"
        );
        let all = select(
            &inv,
            &[
                Target::parse("golang.org/x/*").unwrap(),
                Target::parse("golang.org/x/text").unwrap(),
            ],
        )
        .unwrap();
        assert_eq!(
            all,
            vec![
                mv("golang.org/x/text", "v0.1.0"),
                mv("golang.org/x/text", "v0.3.0")
            ]
        );
        assert!(select(&inv, &[Target::parse("rsc.io/*").unwrap()]).is_err());
    }
}
