//! Foot-guns in the download settings, each with a one-line reason and a fix. Every
//! lint is grounded in what cmd/go does with the setting (the function is named in the
//! reason's wording or in the comment above the check); none is a style opinion.
//!
//! Severity: `error` means a `go` command fails because of the setting; `warning` means
//! it works but not as the user most likely expects, or unsafely; `info` is harmless.

use std::path::Path;

use super::config::{GoConfig, ProxyKind, SumDb, goflag_name};
use super::pattern::is_valid_glob;
use super::url::redact;
use super::{Source, clean};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    Error,
    Warning,
    Info,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "info",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Lint {
    /// Stable kebab-case identifier, documented in docs/env.md.
    pub id: &'static str,
    pub severity: Severity,
    /// The variable the lint is about.
    pub setting: String,
    pub reason: String,
    pub fix: String,
}

/// Variables holding comma-separated module path patterns.
const PATTERN_VARS: [&str; 4] = ["GOPRIVATE", "GONOPROXY", "GONOSUMDB", "GOINSECURE"];

/// All lints for `config`, errors first, then by setting.
pub fn lint(config: &GoConfig) -> Vec<Lint> {
    let mut out = Vec::new();
    let mut add = |id, severity, setting: &str, reason: String, fix: String| {
        out.push(Lint {
            id,
            severity,
            setting: setting.to_string(),
            reason,
            fix,
        })
    };
    let get = |name| config.get(name);
    let explicit = |name| {
        config.setting(name).is_some_and(|v| {
            !matches!(
                v.source,
                Source::Derived(_) | Source::Default | Source::Unset
            )
        })
    };

    if get("GO111MODULE") == "off" {
        add(
            "go111module-off",
            Severity::Error,
            "GO111MODULE",
            "GO111MODULE=off puts go in GOPATH mode: GOPROXY, GOSUMDB and go.mod are all ignored"
                .into(),
            "unset GO111MODULE (modules are the default since Go 1.16)".into(),
        );
    }

    // GOPROXY: proxyList.
    let proxies = config.proxies();
    if let Some(e) = &proxies.error {
        let id = if e.starts_with("GOPROXY list") {
            "goproxy-empty"
        } else {
            "goproxy-invalid"
        };
        let fix = if get("GOPROXY").is_empty() {
            "set GOPROXY=https://proxy.golang.org,direct (or remove the empty GOPROXY= line from the env file)"
        } else {
            "write each entry as https://host[/path], file:///dir, direct or off"
        };
        add(
            id,
            Severity::Error,
            "GOPROXY",
            format!("every download fails with: {e}"),
            fix.into(),
        );
    }
    for entry in &proxies.entries {
        if let ProxyKind::Url(u) = &entry.kind
            && u.scheme == "http"
            && u.user.is_some()
        {
            add(
                "goproxy-credentials-over-http",
                Severity::Error,
                "GOPROXY",
                format!(
                    "go refuses to send the credentials in {} over plain HTTP",
                    u.redacted()
                ),
                "use https:// for a proxy that needs credentials, or move them to ~/.netrc".into(),
            );
        }
    }
    if !proxies.ignored.is_empty() {
        let stop = proxies.entries.last().map_or("direct", |e| e.text.as_str());
        add(
            "goproxy-ignored-entries",
            Severity::Warning,
            "GOPROXY",
            format!(
                "entries after {stop} are never used: {}",
                proxies
                    .ignored
                    .iter()
                    .map(|s| redact(s))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            format!("move them before {stop} or drop them"),
        );
    }
    let has = |k: fn(&ProxyKind) -> bool| proxies.entries.iter().any(|e| k(&e.kind));
    let sumdb_on = get("GOSUMDB") != "off";
    if proxies.error.is_none() && has(|k| *k == ProxyKind::Off) {
        let mut reason = if get("GONOPROXY").is_empty() {
            "GOPROXY=off: nothing can be downloaded, only modules already in GOMODCACHE are usable"
                .to_string()
        } else {
            format!(
                "GOPROXY=off blocks public modules, but modules matching GONOPROXY={} are still fetched from their VCS",
                get("GONOPROXY")
            )
        };
        if sumdb_on {
            reason.push_str("; the checksum database is still contacted directly for modules missing from go.sum");
        }
        add(
            "goproxy-off",
            Severity::Warning,
            "GOPROXY",
            reason,
            "for offline work also set GOFLAGS=-mod=mod and GONOSUMDB/GOSUMDB=off as needed; otherwise use GOPROXY=https://proxy.golang.org,direct".into(),
        );
    }
    if proxies.error.is_none()
        && !get("GONOPROXY").is_empty()
        && !explicit("GONOPROXY")
        && has(|k| matches!(k, ProxyKind::Url(_)))
        && !has(|k| *k == ProxyKind::Direct)
    {
        add(
            "goproxy-private-bypass",
            Severity::Warning,
            "GONOPROXY",
            format!(
                "GONOPROXY defaults to GOPRIVATE={}, so those modules bypass the GOPROXY proxies and are cloned from their VCS, although GOPROXY has no direct",
                get("GOPRIVATE")
            ),
            "if your proxy serves the private modules, set GONOPROXY=none; otherwise add ,direct to GOPROXY to say so".into(),
        );
    }

    // GOSUMDB: useSumDB and dbDial.
    match config.sumdb() {
        SumDb::Off => add(
            "gosumdb-off",
            Severity::Warning,
            "GOSUMDB",
            "GOSUMDB=off: new downloads of public modules are not checked against the checksum database; a tampered proxy or VCS goes unnoticed".into(),
            "unset GOSUMDB and list private modules in GOPRIVATE (or GONOSUMDB) instead".into(),
        ),
        SumDb::Invalid(e) => add(
            "gosumdb-invalid",
            Severity::Error,
            "GOSUMDB",
            format!("every checksum lookup fails with: {e}"),
            "set GOSUMDB to sum.golang.org, off, or \"name+hash+key [url]\"".into(),
        ),
        SumDb::Db { .. } => {}
    }
    if sumdb_on {
        let nosumdb = get("GONOSUMDB");
        let uncovered: Vec<&str> = get("GONOPROXY")
            .split(',')
            .filter(|p| !p.is_empty() && *p != "none" && !covers(nosumdb, p))
            .collect();
        if !uncovered.is_empty() {
            add(
                "gonosumdb-narrower",
                Severity::Warning,
                "GONOSUMDB",
                format!(
                    "GONOPROXY pattern(s) {} are not covered by GONOSUMDB: those modules are fetched directly but still looked up in the public checksum database, which fails for private code",
                    uncovered.join(",")
                ),
                "set GOPRIVATE to the private patterns (it feeds both), or add them to GONOSUMDB"
                    .into(),
            );
        }
    }

    // Pattern lists: module.MatchPrefixPatterns.
    for var in PATTERN_VARS {
        if !explicit(var) {
            continue;
        }
        for entry in get(var).split(',') {
            pattern_lints(var, entry, &mut add);
        }
    }

    // GOFLAGS: base.InitGOFLAGS and modget's -insecure.
    match config.goflags() {
        Err(e) => add(
            "goflags-invalid",
            Severity::Error,
            "GOFLAGS",
            format!("every go command (but go env) fails with: go: parsing $GOFLAGS: {e}"),
            "write GOFLAGS as space-separated -flag or -flag=value words".into(),
        ),
        Ok(flags) => {
            if flags.iter().any(|f| goflag_name(f) == "insecure") {
                add(
                    "goflags-insecure",
                    Severity::Error,
                    "GOFLAGS",
                    "go get fails with \"-insecure flag is no longer supported\"; it was removed in Go 1.17".into(),
                    "remove -insecure from GOFLAGS and list the hosts in GOINSECURE".into(),
                );
            }
            if let Some(f) = flags.iter().rev().find(|f| goflag_name(f) == "mod")
                && f.ends_with("=vendor")
            {
                add(
                    "goflags-mod-vendor",
                    Severity::Warning,
                    "GOFLAGS",
                    format!("GOFLAGS={f} applies to every module: go build/get/list never download and fail where vendor/ is missing or stale"),
                    "set -mod=vendor per project (Go already defaults to it when vendor/modules.txt is consistent)".into(),
                );
            }
        }
    }

    // GOTOOLCHAIN: toolchain.Select.
    let toolchain = get("GOTOOLCHAIN");
    if !toolchain.is_empty() {
        if let Err(e) = check_gotoolchain(toolchain) {
            add(
                "gotoolchain-invalid",
                Severity::Error,
                "GOTOOLCHAIN",
                format!("every go command fails with: {e}"),
                "use local, auto, path, or goX.Y.Z[+auto|+path]".into(),
            );
        } else if toolchain_downloads(toolchain) && !sumdb_on {
            let lone_file =
                get("GOPROXY").starts_with("file://") && !get("GOPROXY").contains([',', '|']);
            if !lone_file {
                add(
                    "gotoolchain-needs-sumdb",
                    Severity::Warning,
                    "GOTOOLCHAIN",
                    format!(
                        "GOTOOLCHAIN={toolchain} may download a toolchain, and toolchain downloads are always verified by the checksum database, which GOSUMDB=off disables: the switch fails"
                    ),
                    "set GOTOOLCHAIN=local, or re-enable GOSUMDB".into(),
                );
            }
        }
    }

    // GOVCS: vcs.parseGOVCS.
    if let Err(e) = config.govcs() {
        add(
            "govcs-invalid",
            Severity::Error,
            "GOVCS",
            format!("every direct (VCS) fetch fails with: {e}"),
            "write GOVCS as pattern:vcs|vcs,... (e.g. private:all,public:git|hg)".into(),
        );
    }

    // GOAUTH: auth.runGoAuth.
    if let Err(e) = check_goauth(get("GOAUTH")) {
        add(
            "goauth-invalid",
            Severity::Error,
            "GOAUTH",
            format!("the first authenticated download fails with: {e}"),
            "use netrc, off, git /abs/dir, or a command; separate several with ;".into(),
        );
    }

    // GOPATH and GOMODCACHE: cfg, modload.
    for var in ["GOPATH", "GOMODCACHE"] {
        let value = get(var);
        let relative = match var {
            "GOPATH" => value
                .split(':')
                .find(|p| !p.is_empty() && !p.starts_with('/')),
            _ => (!value.is_empty() && !value.starts_with('/')).then_some(value),
        };
        if let Some(p) = relative {
            add(
                "relative-path",
                Severity::Error,
                var,
                format!("{var} entry {p:?} is relative; go refuses it (\"must be absolute path\")"),
                format!("set {var} to an absolute path"),
            );
        }
    }
    let modcache = get("GOMODCACHE");
    if modcache.starts_with('/')
        && let Some(module_dir) = enclosing_module(Path::new(modcache))
    {
        add(
            "gomodcache-in-module",
            Severity::Warning,
            "GOMODCACHE",
            format!(
                "GOMODCACHE {} is inside the module at {}: ./... patterns, go mod tidy and editors walk the whole cache",
                modcache,
                module_dir.display()
            ),
            "move GOMODCACHE outside any module (the default is $GOPATH/pkg/mod)".into(),
        );
    }

    // Shadowed env-file values: envcmd.runEnvW's warning, made visible.
    for v in &config.settings {
        if v.source != Source::Environment {
            continue;
        }
        for s in &v.shadowed {
            if let Source::EnvFile(file) = &s.source
                && s.value != v.value
            {
                add(
                    "env-file-shadowed",
                    Severity::Warning,
                    v.name,
                    format!(
                        "{}={} in the environment overrides {}={} set with go env -w in {}",
                        v.name,
                        redact(&v.value),
                        v.name,
                        redact(&s.value),
                        file.display()
                    ),
                    format!(
                        "unset {} in your shell, or go env -u {} to drop the file's value",
                        v.name, v.name
                    ),
                );
            }
        }
    }

    out.sort_by(|a, b| (a.severity, &a.setting).cmp(&(b.severity, &b.setting)));
    out
}

/// Whether the pattern list `globs` matches everything `pattern` matches, judged by
/// matching the pattern text itself as a path (exact for literal prefixes and for
/// identical globs).
fn covers(globs: &str, pattern: &str) -> bool {
    let p = pattern.strip_suffix('/').unwrap_or(pattern);
    globs.split(',').any(|g| {
        let g = g.strip_suffix('/').unwrap_or(g);
        !g.is_empty() && (g == p || super::pattern::glob_matches_prefix(g, p))
    })
}

fn pattern_lints(
    var: &str,
    entry: &str,
    add: &mut impl FnMut(&'static str, Severity, &str, String, String),
) {
    if entry.is_empty() {
        return;
    }
    let trimmed = entry.trim();
    if trimmed != entry {
        add(
            "pattern-whitespace",
            Severity::Warning,
            var,
            format!(
                "{var} pattern {entry:?} has surrounding spaces, which Go keeps: it never matches"
            ),
            format!("write {var}={trimmed} without spaces around the commas"),
        );
        return;
    }
    if let Some((scheme, _)) = entry.split_once("://") {
        let without = entry
            .split_once("://")
            .map_or(entry, |(_, rest)| rest)
            .trim_end_matches('/');
        add(
            "pattern-scheme",
            Severity::Warning,
            var,
            format!(
                "{var} pattern {entry:?} has a {scheme}:// scheme; module paths have none, so it never matches"
            ),
            format!("write the module path prefix: {without}"),
        );
        return;
    }
    if entry.contains('@') {
        add(
            "pattern-version",
            Severity::Warning,
            var,
            format!(
                "{var} pattern {entry:?} contains '@'; patterns match module paths, never versions, so it never matches"
            ),
            format!(
                "drop the @ part: {}",
                entry.split('@').next().unwrap_or(entry)
            ),
        );
        return;
    }
    let glob = entry.strip_suffix('/').unwrap_or(entry);
    if glob.starts_with('/') || glob.contains("//") || glob.ends_with('/') {
        add(
            "pattern-slash",
            Severity::Warning,
            var,
            format!("{var} pattern {entry:?} has an empty path element; it never matches"),
            format!(
                "write it as {}",
                glob.split('/')
                    .filter(|s| !s.is_empty())
                    .collect::<Vec<_>>()
                    .join("/")
            ),
        );
        return;
    }
    if !is_valid_glob(glob) {
        add(
            "pattern-syntax",
            Severity::Warning,
            var,
            format!("{var} pattern {entry:?} is not a valid path.Match glob; it never matches"),
            "close every [ and do not end with a lone \\".into(),
        );
        return;
    }
    if entry.ends_with('/') {
        add(
            "pattern-trailing-slash",
            Severity::Info,
            var,
            format!(
                "{var} pattern {entry:?} ends in '/': Go ignores one trailing slash, so it matches {glob} and everything below"
            ),
            format!("write {glob}"),
        );
    }
}

/// `toolchain.Select`'s checks of GOTOOLCHAIN.
fn check_gotoolchain(v: &str) -> Result<(), String> {
    if v == "auto" || v == "path" || v == "local" {
        return Ok(());
    }
    let (min, suffix) = match v.split_once('+') {
        Some((m, s)) => (m, Some(s)),
        None => (v, None),
    };
    if min != "local" && !valid_toolchain_name(min) {
        return Err(match suffix {
            Some(_) => format!("invalid GOTOOLCHAIN {v:?}: invalid minimum toolchain {min:?}"),
            None => format!("invalid GOTOOLCHAIN {v:?}"),
        });
    }
    if let Some(s) = suffix
        && s != "auto"
        && s != "path"
    {
        return Err(format!(
            "invalid GOTOOLCHAIN {v:?}: only version suffixes are +auto and +path"
        ));
    }
    Ok(())
}

/// `gover.FromToolchain(name) != ""`: `goX[.Y[.Z]][prerelease]`, optionally with a
/// `-suffix`, or `prefix-goX...`.
fn valid_toolchain_name(name: &str) -> bool {
    if name.contains(['/', '\\']) {
        return false;
    }
    let v = if let Some(v) = name.strip_prefix("go") {
        v
    } else if let Some(i) = name.find("-go") {
        &name[i + 3..]
    } else {
        return false;
    };
    let v = v.split_once('-').map_or(v, |(a, _)| a);
    valid_go_version(v)
}

/// `gover.IsValid`: `1`, `1.21`, `1.21.0`, `1.21rc1`, `1.21.0rc1`-style versions.
fn valid_go_version(v: &str) -> bool {
    let digits = |s: &str| {
        !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) && (s == "0" || !s.starts_with('0'))
    };
    let mut parts = v.splitn(3, '.');
    let major = parts.next().unwrap_or("");
    if !digits(major) {
        return false;
    }
    let mut rest: Vec<&str> = parts.collect();
    let Some(last) = rest.pop() else {
        return true;
    };
    if rest.iter().any(|p| !digits(p)) {
        return false;
    }
    let end = last
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(last.len());
    let (num, pre) = last.split_at(end);
    if !digits(num) {
        return false;
    }
    pre.is_empty()
        || ["rc", "beta"]
            .iter()
            .any(|k| pre.strip_prefix(k).is_some_and(|n| digits(n) && n != "0"))
}

/// Whether GOTOOLCHAIN lets go download another toolchain.
fn toolchain_downloads(v: &str) -> bool {
    v == "auto" || v.ends_with("+auto") || (v != "local" && v != "path" && !v.contains('+'))
}

/// `runGoAuth`'s fatal checks.
fn check_goauth(v: &str) -> Result<(), String> {
    if v.is_empty() || v == "off" {
        return Ok(());
    }
    let commands: Vec<&str> = v.split(';').collect();
    for command in &commands {
        let words: Vec<&str> = command.split_whitespace().collect();
        match words.first() {
            None => {
                return Err(format!(
                    "go: GOAUTH encountered an empty command (GOAUTH={v})"
                ));
            }
            Some(&"off") if commands.len() != 1 => {
                return Err(format!(
                    "go: GOAUTH=off cannot be combined with other authentication commands (GOAUTH={v})"
                ));
            }
            Some(&"git") if words.len() != 2 || !words[1].starts_with('/') => {
                return Err("go: GOAUTH=git dir method requires an absolute path to the git working directory".into());
            }
            _ => {}
        }
    }
    Ok(())
}

/// The nearest directory at or above `dir` holding a go.mod.
fn enclosing_module(dir: &Path) -> Option<std::path::PathBuf> {
    let dir = clean(dir);
    dir.ancestors()
        .find(|d| d.join("go.mod").is_file())
        .map(Path::to_path_buf)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gotoolchain_syntax_follows_select() {
        for ok in [
            "auto",
            "path",
            "local",
            "local+auto",
            "go1.21.0",
            "go1.22rc1+auto",
            "go1.21.0+path",
            "gccgo-go1.21.0",
            "go1.21",
        ] {
            assert_eq!(check_gotoolchain(ok), Ok(()), "{ok}");
        }
        assert_eq!(
            check_gotoolchain("bash"),
            Err("invalid GOTOOLCHAIN \"bash\"".into())
        );
        assert_eq!(
            check_gotoolchain("go1.21.0+always"),
            Err("invalid GOTOOLCHAIN \"go1.21.0+always\": only version suffixes are +auto and +path".into())
        );
        assert_eq!(
            check_gotoolchain("1.21+auto"),
            Err("invalid GOTOOLCHAIN \"1.21+auto\": invalid minimum toolchain \"1.21\"".into())
        );
    }

    #[test]
    fn goauth_checks() {
        assert!(check_goauth("netrc").is_ok());
        assert!(check_goauth("netrc;git /src/repo").is_ok());
        assert!(check_goauth("off;netrc").is_err());
        assert!(check_goauth("netrc;;").is_err());
        assert!(check_goauth("git relative").is_err());
    }

    #[test]
    fn coverage_of_patterns() {
        assert!(covers("corp.com", "corp.com/x"));
        assert!(covers("*.corp.com", "*.corp.com"));
        assert!(covers("corp.com/", "corp.com"));
        assert!(!covers("corp.com/x", "corp.com"));
        assert!(!covers("", "corp.com"));
    }
}
