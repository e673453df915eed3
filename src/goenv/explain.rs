//! Where Go fetches one module from, decided as modfetch does it: `TryProxies` walks the
//! GOPROXY list; `lookup` sends modules matching GONOPROXY straight to their VCS
//! (`noproxy`/`direct`) and refuses every proxy for them; `useSumDB` decides whether the
//! checksum database is asked; GOINSECURE allows plain HTTP for direct fetches; GOVCS
//! says which version control tools direct mode may run.

use super::config::{GoConfig, ProxyKind, SumDb};
use super::gomod::{GoMod, Replacement};
use super::pattern::matching_pattern;

/// `MODULE[@VERSION]` as given on the command line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ModuleRef {
    pub path: String,
    pub version: Option<String>,
}

impl ModuleRef {
    /// Parse `path[@version]`, checking the path as `module.CheckPath` does.
    pub fn parse(arg: &str) -> Result<ModuleRef, String> {
        let (path, version) = match arg.split_once('@') {
            Some((p, v)) => (p, Some(v)),
            None => (arg, None),
        };
        check_module_path(path).map_err(|e| format!("malformed module path {path:?}: {e}"))?;
        if let Some(v) = version
            && (v.is_empty()
                || v.contains(['/', '\\'])
                || v.chars().any(|c| c.is_whitespace() || c.is_control()))
        {
            return Err(format!("{arg}: invalid version {v:?}"));
        }
        Ok(ModuleRef {
            path: path.to_string(),
            version: version.map(str::to_string),
        })
    }
}

impl std::fmt::Display for ModuleRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.version {
            Some(v) => write!(f, "{}@{v}", self.path),
            None => f.write_str(&self.path),
        }
    }
}

/// `module.CheckPath` (without the `/vN` major-version suffix rules).
pub fn check_module_path(path: &str) -> Result<(), String> {
    if path.is_empty() {
        return Err("empty string".into());
    }
    if path.starts_with('-') {
        return Err("leading dash".into());
    }
    if path.contains("//") {
        return Err("double slash".into());
    }
    if path.ends_with('/') {
        return Err("trailing slash".into());
    }
    for elem in path.split('/') {
        if elem.is_empty() {
            return Err("leading slash".into());
        }
        if elem.chars().all(|c| c == '.') {
            return Err(format!("invalid path element {elem:?}"));
        }
        if elem.starts_with('.') {
            return Err("leading dot in path element".into());
        }
        if elem.ends_with('.') {
            return Err("trailing dot in path element".into());
        }
        if let Some(c) = elem
            .chars()
            .find(|&c| !(c.is_ascii_alphanumeric() || "-._~".contains(c)))
        {
            return Err(format!("invalid char {c:?}"));
        }
    }
    let first = path.split('/').next().unwrap_or("");
    if !first.contains('.') {
        return Err("missing dot in first path element".into());
    }
    if let Some(c) = first
        .chars()
        .find(|&c| !(c == '-' || c == '.' || c.is_ascii_digit() || c.is_ascii_lowercase()))
    {
        return Err(format!("invalid char {c:?} in first path element"));
    }
    Ok(())
}

/// What Go does when a step fails.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OnFailure {
    /// Try the next step only on 404 or 410 (`,` in GOPROXY).
    NextIfNotFound,
    /// Try the next step on any error (`|` in GOPROXY).
    NextOnAnyError,
    /// Nothing comes after this step.
    Last,
}

impl OnFailure {
    pub fn as_str(self) -> &'static str {
        match self {
            OnFailure::NextIfNotFound => "next-if-not-found",
            OnFailure::NextOnAnyError => "next-on-any-error",
            OnFailure::Last => "last",
        }
    }
}

/// One source Go tries, in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Step {
    /// A proxy URL, `direct` or `off`.
    pub source: String,
    pub kind: StepKind,
    /// Why Go goes there (which GOPROXY entry or GONOPROXY pattern).
    pub why: String,
    pub on_failure: OnFailure,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StepKind {
    Proxy(super::url::Url),
    Direct,
    Off,
}

/// A GOPROXY entry that Go passes over for this module, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Skipped {
    pub entry: String,
    pub reason: String,
}

/// Whether and how the checksum database is consulted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChecksumDb {
    pub consulted: bool,
    /// The database name, when consulted.
    pub name: Option<String>,
    pub reason: String,
    /// How Go reaches the database, when consulted.
    pub access: Option<String>,
}

/// Which version control tools direct mode may run (GOVCS).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VcsPolicy {
    pub rule: String,
    pub allowed: Vec<String>,
}

/// Everything `--explain` says about one module.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Explanation {
    pub module: ModuleRef,
    /// The go.mod `replace` that applies, if the module came from `--gomod`.
    pub replaced_by: Option<Replacement>,
    /// The GOPRIVATE pattern that matches, if any.
    pub private: Option<String>,
    pub noproxy: Option<String>,
    pub nosumdb: Option<String>,
    pub insecure: Option<String>,
    pub steps: Vec<Step>,
    pub skipped: Vec<Skipped>,
    /// Why every download of this module fails before any step runs.
    pub error: Option<String>,
    pub checksum_db: ChecksumDb,
    pub vcs: Option<VcsPolicy>,
}

impl Explanation {
    /// The module Go actually downloads: the replacement when one applies.
    pub fn fetched(&self) -> Option<ModuleRef> {
        match &self.replaced_by {
            Some(r) if r.is_local() => None,
            Some(r) => Some(ModuleRef {
                path: r.new_path.clone(),
                version: r.new_version.clone(),
            }),
            None => Some(self.module.clone()),
        }
    }
}

/// Explain every requirement of a go.mod file, in file order.
pub fn explain_gomod(config: &GoConfig, gomod: &GoMod) -> Vec<Explanation> {
    gomod
        .requires
        .iter()
        .map(|req| {
            let module = ModuleRef {
                path: req.path.clone(),
                version: Some(req.version.clone()),
            };
            match gomod.replacement_for(&req.path, &req.version) {
                Some(r) => {
                    let mut e = match &r.new_version {
                        Some(v) => explain(
                            config,
                            &ModuleRef {
                                path: r.new_path.clone(),
                                version: Some(v.clone()),
                            },
                        ),
                        None => local_replacement(config, &module),
                    };
                    e.module = module;
                    e.replaced_by = Some(r.clone());
                    e
                }
                None => explain(config, &module),
            }
        })
        .collect()
}

fn local_replacement(config: &GoConfig, module: &ModuleRef) -> Explanation {
    let mut e = explain(config, module);
    e.steps.clear();
    e.skipped.clear();
    e.vcs = None;
    e.error = None;
    e.checksum_db = ChecksumDb {
        consulted: false,
        name: None,
        reason: "replaced by a local directory: nothing is downloaded or verified".into(),
        access: None,
    };
    e
}

/// The sources Go tries for `module`, in order, and how it verifies it.
pub fn explain(config: &GoConfig, module: &ModuleRef) -> Explanation {
    let path = module.path.as_str();
    let gonoproxy = config.get("GONOPROXY");
    let private = matching_pattern(config.get("GOPRIVATE"), path).map(str::to_string);
    let noproxy = matching_pattern(gonoproxy, path).map(str::to_string);
    let nosumdb = matching_pattern(config.get("GONOSUMDB"), path).map(str::to_string);
    let insecure = matching_pattern(config.get("GOINSECURE"), path).map(str::to_string);

    let proxies = config.proxies();
    let mut error = proxies.error.clone();
    if error.is_none() && config.get("GO111MODULE") == "off" {
        error = Some("GO111MODULE=off: modules are disabled, nothing is downloaded".into());
    }
    let mut steps: Vec<Step> = Vec::new();
    let mut skipped: Vec<Skipped> = Vec::new();
    if proxies.error.is_none() {
        for entry in &proxies.entries {
            let step = match (&entry.kind, &noproxy) {
                (ProxyKind::NoProxy | ProxyKind::Direct, Some(p)) => {
                    if steps.iter().any(|s| s.kind == StepKind::Direct) {
                        skipped.push(Skipped {
                            entry: entry.text.clone(),
                            reason: "direct was already tried".into(),
                        });
                        continue;
                    }
                    Some((
                        StepKind::Direct,
                        format!("GONOPROXY pattern {p:?} matches: fetched from its VCS"),
                    ))
                }
                (ProxyKind::Url(_) | ProxyKind::Off, Some(p)) => {
                    skipped.push(Skipped {
                        entry: entry.text.clone(),
                        reason: format!("GONOPROXY pattern {p:?} matches: never asked"),
                    });
                    None
                }
                (ProxyKind::NoProxy, None) => {
                    skipped.push(Skipped {
                        entry: entry.text.clone(),
                        reason: "path does not match GOPRIVATE/GONOPROXY".into(),
                    });
                    None
                }
                (ProxyKind::Off, None) => {
                    Some((StepKind::Off, "GOPROXY=off: module lookup disabled".into()))
                }
                (ProxyKind::Direct, None) => {
                    Some((StepKind::Direct, "GOPROXY entry direct".into()))
                }
                (ProxyKind::Url(u), None) => {
                    Some((StepKind::Proxy(u.clone()), "GOPROXY entry".into()))
                }
            };
            if let Some((kind, why)) = step {
                let on_failure = if entry.fallback_on_error {
                    OnFailure::NextOnAnyError
                } else {
                    OnFailure::NextIfNotFound
                };
                steps.push(Step {
                    source: entry.text.clone(),
                    kind,
                    why,
                    on_failure,
                });
            }
        }
        if let Some(last) = steps.last_mut() {
            last.on_failure = OnFailure::Last;
        }
    }

    let vcs = steps
        .iter()
        .any(|s| s.kind == StepKind::Direct)
        .then(|| match config.govcs() {
            Ok(govcs) => match govcs.rule_for(path, private.is_some()) {
                Some(rule) => VcsPolicy {
                    rule: format!(
                        "{}:{}{}",
                        rule.pattern,
                        rule.allowed.join("|"),
                        if rule.builtin { " (Go's default)" } else { "" }
                    ),
                    allowed: rule.allowed.clone(),
                },
                None => VcsPolicy {
                    rule: "no GOVCS rule matches".into(),
                    allowed: Vec::new(),
                },
            },
            Err(e) => VcsPolicy {
                rule: format!("invalid GOVCS: {e}"),
                allowed: Vec::new(),
            },
        });

    let checksum_db = checksum_db(config, path, nosumdb.as_deref());
    Explanation {
        module: module.clone(),
        replaced_by: None,
        private,
        noproxy,
        nosumdb,
        insecure,
        steps,
        skipped,
        error,
        checksum_db,
        vcs,
    }
}

/// `useSumDB` and how `dbClient.initBase` reaches the database.
fn checksum_db(config: &GoConfig, path: &str, nosumdb: Option<&str>) -> ChecksumDb {
    let gosumdb = config.get("GOSUMDB");
    let toolchain = path == "golang.org/toolchain";
    let goproxy = config.get("GOPROXY");
    // Exception: a lone file:// GOPROXY (testing a distpack).
    let lone_file_proxy = goproxy.starts_with("file://") && !goproxy.contains([',', '|']);
    let toolchain_must = toolchain && !lone_file_proxy;
    let (consulted, reason) = if toolchain_must {
        (
            true,
            "toolchain downloads are always verified, whatever GOSUMDB and GONOSUMDB say"
                .to_string(),
        )
    } else if gosumdb == "off" {
        (
            false,
            "GOSUMDB=off: only go.sum protects this download".to_string(),
        )
    } else if let Some(p) = nosumdb {
        (
            false,
            format!("GONOSUMDB pattern {p:?} matches: only go.sum protects this download"),
        )
    } else {
        (
            true,
            "not matched by GONOSUMDB: hashes missing from go.sum are checked against the database"
                .to_string(),
        )
    };
    if !consulted {
        return ChecksumDb {
            consulted,
            name: None,
            reason,
            access: None,
        };
    }
    match config.sumdb() {
        SumDb::Db {
            name,
            url: Some(url),
            ..
        } => ChecksumDb {
            consulted,
            name: Some(name),
            reason,
            access: Some(format!(
                "{} (explicit URL in GOSUMDB, proxies bypassed)",
                super::url::redact(&url)
            )),
        },
        SumDb::Db {
            name, url: None, ..
        } => {
            let proxies: Vec<String> = config
                .proxies()
                .entries
                .iter()
                .filter_map(|e| match &e.kind {
                    ProxyKind::Url(u) => Some(u.redacted()),
                    _ => None,
                })
                .collect();
            let access = if proxies.is_empty() {
                format!("https://{name} directly")
            } else {
                format!(
                    "the first proxy answering {}/sumdb/{name}/supported, else https://{name} directly",
                    proxies.join(", ")
                )
            };
            ChecksumDb {
                consulted,
                name: Some(name),
                reason,
                access: Some(access),
            }
        }
        SumDb::Invalid(e) => ChecksumDb {
            consulted,
            name: None,
            reason: format!("{reason}; but every lookup fails: {e}"),
            access: None,
        },
        SumDb::Off => unreachable!("GOSUMDB=off handled above"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn module_refs_are_checked() {
        assert_eq!(
            ModuleRef::parse("rsc.io/quote@v1.5.2").unwrap(),
            ModuleRef {
                path: "rsc.io/quote".into(),
                version: Some("v1.5.2".into())
            }
        );
        assert!(ModuleRef::parse("https://github.com/a/b").is_err());
        assert!(
            ModuleRef::parse("fmt")
                .unwrap_err()
                .contains("missing dot in first path element")
        );
        assert!(
            ModuleRef::parse("GitHub.com/a")
                .unwrap_err()
                .contains("in first path element")
        );
        assert!(ModuleRef::parse("github.com/a/b@").is_err());
        assert!(ModuleRef::parse("github.com/Azure/b").is_ok());
    }
}
