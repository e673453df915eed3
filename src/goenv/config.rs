//! Every setting that decides where Go downloads modules from, resolved as `go env`
//! shows it, with where each value came from and which lower layers it shadows; and
//! the parsed forms Go works with: the GOPROXY list (modfetch/proxy.go `proxyList`),
//! the GOSUMDB database (modfetch/sumdb.go `dbDial`), GOVCS rules (vcs.go
//! `parseGOVCS`) and GOFLAGS words (cmd/internal/quoted `Split`).
//!
//! Go 1.21+ has no compiled-in GOPROXY, GOSUMDB or GOTOOLCHAIN: they come from
//! `$GOROOT/go.env`. When GOROOT is found its go.env is the only default (a go.env
//! without GOPROXY really does leave GOPROXY empty, and `go` then fails). When no Go
//! installation is found, the values of Go's standard go.env are assumed, marked
//! [`Source::Default`].

use std::path::{Path, PathBuf};

use base64::Engine as _;
use sha2::{Digest, Sha256};

use super::url::Url;
use super::{GoEnv, GoRoot, Setting, Source, clean};

/// The values shipped in Go's standard `$GOROOT/go.env`.
pub const STANDARD_GO_ENV: [(&str, &str); 3] = [
    ("GOPROXY", "https://proxy.golang.org,direct"),
    ("GOSUMDB", "sum.golang.org"),
    ("GOTOOLCHAIN", "auto"),
];

/// The settings `modcache env` reports, in `go env`'s (sorted) order.
pub const SETTINGS: [&str; 15] = [
    "GO111MODULE",
    "GOAUTH",
    "GOENV",
    "GOFLAGS",
    "GOINSECURE",
    "GOMODCACHE",
    "GONOPROXY",
    "GONOSUMDB",
    "GOPATH",
    "GOPRIVATE",
    "GOPROXY",
    "GOROOT",
    "GOSUMDB",
    "GOTOOLCHAIN",
    "GOVCS",
];

/// Process-environment variables that change how Go's HTTP client connects.
pub const NETWORK_VARS: [&str; 9] = [
    "HTTPS_PROXY",
    "https_proxy",
    "HTTP_PROXY",
    "http_proxy",
    "NO_PROXY",
    "no_proxy",
    "NETRC",
    "SSL_CERT_FILE",
    "SSL_CERT_DIR",
];

/// The sum.golang.org verifier key Go has built in (modfetch/key.go).
pub const SUM_GOLANG_ORG_KEY: &str =
    "sum.golang.org+033de0ae+Ac4zctda0e5eza+HJyk9SxEdh+s3Ux18htTTAD8OuAn8";

/// One resolved setting.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Value {
    pub name: &'static str,
    /// Exactly what `go env NAME` prints.
    pub value: String,
    pub source: Source,
    /// Lower layers that also set the variable and lost (env file, go.env).
    pub shadowed: Vec<Setting>,
}

/// All settings, resolved once.
#[derive(Debug, Clone)]
pub struct GoConfig {
    pub env_file: Option<PathBuf>,
    pub goroot: Option<GoRoot>,
    pub goroot_env_file: Option<PathBuf>,
    pub goroot_error: Option<String>,
    pub go_binary: Option<PathBuf>,
    pub settings: Vec<Value>,
    /// Proxy and TLS variables that are set (process environment only).
    pub network: Vec<Value>,
}

impl GoConfig {
    pub fn resolve(env: &GoEnv) -> GoConfig {
        let standard_defaults = env.goroot_env_file().is_none();
        // Settings that others default to are resolved first.
        let gopath = {
            let default = env.gopath().filter(|s| s.source == Source::Default);
            layered(env, "GOPATH", default.map(|s| (s.value, s.source)))
        };
        let private = layered(env, "GOPRIVATE", None);
        let settings = SETTINGS
            .iter()
            .map(|&name| match name {
                "GOAUTH" => layered(env, name, Some(("netrc".into(), Source::Default))),
                "GOENV" => goenv_value(env),
                "GOPROXY" | "GOSUMDB" | "GOTOOLCHAIN" => {
                    // The assumed go.env, like a real one, is not read for a key the
                    // env file mentions (even with an empty value).
                    let assumed = standard_defaults && env.env_file_value(name).is_none();
                    let default = assumed.then(|| {
                        let (_, v) = STANDARD_GO_ENV
                            .iter()
                            .find(|(k, _)| *k == name)
                            .copied()
                            .unwrap_or_default();
                        (v.to_string(), Source::Default)
                    });
                    layered(env, name, default)
                }
                "GOPATH" => gopath.clone(),
                "GOPRIVATE" => private.clone(),
                "GOMODCACHE" => {
                    // gopathDir("pkg/mod"): the first GOPATH entry, if non-empty.
                    let first = gopath.value.split(':').next().unwrap_or("");
                    let default = (!first.is_empty()).then(|| {
                        let dir = clean(&Path::new(first).join("pkg/mod"));
                        (
                            dir.to_string_lossy().into_owned(),
                            Source::Derived("GOPATH"),
                        )
                    });
                    layered(env, name, default)
                }
                "GONOPROXY" | "GONOSUMDB" => {
                    let default = (!private.value.is_empty())
                        .then(|| (private.value.clone(), Source::Derived("GOPRIVATE")));
                    layered(env, name, default)
                }
                "GOROOT" => goroot_value(env),
                _ => layered(env, name, None),
            })
            .collect();
        let network = NETWORK_VARS
            .iter()
            .filter_map(|&name| {
                let value = env.process_var(name).filter(|v| !v.is_empty())?;
                Some(Value {
                    name,
                    value: value.to_string(),
                    source: Source::Environment,
                    shadowed: Vec::new(),
                })
            })
            .collect();
        GoConfig {
            env_file: env.env_file().map(Path::to_path_buf),
            goroot: env.goroot().cloned(),
            goroot_env_file: env.goroot_env_file().map(Path::to_path_buf),
            goroot_error: env.goroot_error().map(str::to_string),
            go_binary: env.go_binary().map(Path::to_path_buf),
            settings,
            network,
        }
    }

    /// The effective value of a setting (`""` when unset or unknown).
    pub fn get(&self, name: &str) -> &str {
        self.setting(name).map_or("", |v| v.value.as_str())
    }

    pub fn setting(&self, name: &str) -> Option<&Value> {
        self.settings.iter().find(|v| v.name == name)
    }

    /// A network variable as Go's `httpproxy.FromEnvironment` reads it: upper case first.
    pub fn network_var(&self, upper: &str) -> Option<&str> {
        let lower = upper.to_ascii_lowercase();
        [upper, lower.as_str()]
            .into_iter()
            .find_map(|n| self.network.iter().find(|v| v.name == n))
            .map(|v| v.value.as_str())
    }

    pub fn proxies(&self) -> ProxyList {
        ProxyList::parse(self.get("GOPROXY"), self.get("GONOPROXY"))
    }

    pub fn sumdb(&self) -> SumDb {
        SumDb::parse(self.get("GOSUMDB"))
    }

    pub fn govcs(&self) -> Result<Govcs, String> {
        Govcs::parse(self.get("GOVCS"))
    }

    pub fn goflags(&self) -> Result<Vec<String>, String> {
        split_goflags(self.get("GOFLAGS"))
    }
}

/// `EnvOrAndChanged(name, default)`: env > env file > go.env, an empty value falling
/// back to `default`.
fn layered(env: &GoEnv, name: &'static str, default: Option<(String, Source)>) -> Value {
    let mut layers: Vec<Setting> = Vec::new();
    if let Some(v) = env.process_var(name).filter(|v| !v.is_empty()) {
        layers.push(Setting {
            value: v.to_string(),
            source: Source::Environment,
        });
    }
    let file_line = env.env_file_value(name);
    if let (Some(v), Some(file)) = (file_line, env.env_file()) {
        layers.push(Setting {
            value: v.to_string(),
            source: Source::EnvFile(file.to_path_buf()),
        });
    }
    // go.env is consulted only for keys the env file does not mention at all.
    if file_line.is_none()
        && let (Some(v), Some(file)) = (env.goroot_env_value(name), env.goroot_env_file())
    {
        layers.push(Setting {
            value: v.to_string(),
            source: Source::GoRootEnv(file.to_path_buf()),
        });
    }
    let mut layers = layers.into_iter();
    match layers.next() {
        Some(top) if !top.value.is_empty() => Value {
            name,
            value: top.value,
            source: top.source,
            shadowed: layers.collect(),
        },
        top => {
            // An empty line in the env file: Go's Getenv returns "", so the default wins.
            let shadowed: Vec<Setting> = top.into_iter().chain(layers).collect();
            let (value, source) = match default {
                Some(d) => d,
                None => match shadowed.first() {
                    Some(s) => (String::new(), s.source.clone()),
                    None => (String::new(), Source::Unset),
                },
            };
            let shadowed = shadowed
                .into_iter()
                .filter(|s| s.source != source)
                .collect();
            Value {
                name,
                value,
                source,
                shadowed,
            }
        }
    }
}

fn goenv_value(env: &GoEnv) -> Value {
    let (value, source) = match env.process_var("GOENV").filter(|v| !v.is_empty()) {
        Some("off") => (String::new(), Source::Environment),
        Some(file) => (file.to_string(), Source::Environment),
        None => match env.env_file() {
            Some(file) => (file.to_string_lossy().into_owned(), Source::Default),
            None => (String::new(), Source::Unset),
        },
    };
    Value {
        name: "GOENV",
        value,
        source,
        shadowed: Vec::new(),
    }
}

fn goroot_value(env: &GoEnv) -> Value {
    // cfg.GOROOT is Getenv("GOROOT"): $GOROOT wins for display even when the env
    // file's GOROOT located go.env.
    let (value, source) = match (
        env.process_var("GOROOT").filter(|v| !v.is_empty()),
        env.goroot(),
    ) {
        (Some(v), _) => (v.to_string(), Source::Environment),
        (None, Some(g)) => (g.dir.to_string_lossy().into_owned(), g.source.clone()),
        (None, None) => (String::new(), Source::Unset),
    };
    Value {
        name: "GOROOT",
        value,
        source,
        shadowed: Vec::new(),
    }
}

/// What one GOPROXY entry is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProxyKind {
    /// An `https://`, `http://` or `file://` module proxy.
    Url(Url),
    /// Fetch from the version control system (`direct`).
    Direct,
    /// Fail (`off`).
    Off,
    /// Implicit first entry when GONOPROXY is set: direct for matching modules only.
    NoProxy,
}

/// One entry of the parsed GOPROXY list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProxyEntry {
    pub kind: ProxyKind,
    /// `direct`, `off`, `noproxy`, or the URL Go uses (with `https://` added to a bare host).
    pub text: String,
    /// Separated from the next entry by `|`: any error moves on, not only 404/410.
    pub fallback_on_error: bool,
}

/// GOPROXY as `proxyList` parses it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ProxyList {
    pub entries: Vec<ProxyEntry>,
    /// Entries after `direct` or `off`, which Go never reaches.
    pub ignored: Vec<String>,
    /// The error every download fails with, when the list is invalid.
    pub error: Option<String>,
}

impl ProxyList {
    pub fn parse(goproxy: &str, gonoproxy: &str) -> ProxyList {
        let mut list = ProxyList::default();
        if !gonoproxy.is_empty() && goproxy != "direct" {
            list.entries.push(ProxyEntry {
                kind: ProxyKind::NoProxy,
                text: "noproxy".into(),
                fallback_on_error: false,
            });
        }
        let mut rest = goproxy;
        while !rest.is_empty() {
            let (item, fallback) = match rest.find([',', '|']) {
                Some(i) => {
                    let item = &rest[..i];
                    let fallback = rest.as_bytes()[i] == b'|';
                    rest = &rest[i + 1..];
                    (item, fallback)
                }
                None => (std::mem::take(&mut rest), false),
            };
            let item = item.trim();
            if item.is_empty() {
                continue;
            }
            if item == "off" || item == "direct" {
                list.entries.push(ProxyEntry {
                    kind: if item == "off" {
                        ProxyKind::Off
                    } else {
                        ProxyKind::Direct
                    },
                    text: item.to_string(),
                    fallback_on_error: false,
                });
                list.ignored = rest
                    .split([',', '|'])
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                    .map(str::to_string)
                    .collect();
                break;
            }
            let mut url = item.to_string();
            if url.contains(['.', ':', '/']) && !url.contains(":/") && !url.starts_with('/') {
                url = format!("https://{url}");
            }
            match check_proxy_url(&url) {
                Ok(parsed) => list.entries.push(ProxyEntry {
                    kind: ProxyKind::Url(parsed),
                    text: url,
                    fallback_on_error: fallback,
                }),
                Err(e) => {
                    list.error = Some(e);
                    return list;
                }
            }
        }
        let only_noproxy = list.entries.len() == 1 && list.entries[0].kind == ProxyKind::NoProxy;
        if list.entries.is_empty() || only_noproxy {
            list.error =
                Some("GOPROXY list is not the empty string, but contains no entries".into());
        }
        list
    }
}

/// `newProxyRepo`'s checks of a proxy base URL.
fn check_proxy_url(raw: &str) -> Result<Url, String> {
    let url = Url::parse(raw)?;
    match url.scheme.as_str() {
        "http" | "https" => Ok(url),
        "file" => {
            if url.host.is_empty()
                && url.user.is_none()
                && url.query.is_none()
                && url.opaque.is_empty()
            {
                Ok(url)
            } else {
                Err(format!(
                    "invalid file:// proxy URL with non-path elements: {}",
                    url.redacted()
                ))
            }
        }
        "" => Err(format!(
            "invalid proxy URL missing scheme: {}",
            url.redacted()
        )),
        _ => Err(format!(
            "invalid proxy URL scheme (must be https, http, file): {}",
            url.redacted()
        )),
    }
}

/// GOSUMDB as `dbDial` reads it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SumDb {
    Off,
    Db {
        /// The database name (`sum.golang.org`), also its default host.
        name: String,
        /// The verifier key.
        key: String,
        /// An explicit URL (`GOSUMDB="name+key https://host"`), bypassing proxies.
        url: Option<String>,
    },
    /// The error Go fails with whenever it needs the database.
    Invalid(String),
}

impl SumDb {
    pub fn parse(gosumdb: &str) -> SumDb {
        let gosumdb = match gosumdb {
            "sum.golang.google.cn" => "sum.golang.org https://sum.golang.google.cn",
            other => other,
        };
        if gosumdb == "off" {
            return SumDb::Off;
        }
        let mut fields: Vec<&str> = gosumdb.split_whitespace().collect();
        if fields.first() == Some(&"sum.golang.org") {
            fields[0] = SUM_GOLANG_ORG_KEY;
        }
        match fields.len() {
            0 => return SumDb::Invalid("missing GOSUMDB".into()),
            1 | 2 => {}
            _ => return SumDb::Invalid("invalid GOSUMDB: too many fields".into()),
        }
        let name = match verifier_name(fields[0]) {
            Ok(name) => name,
            Err(e) => return SumDb::Invalid(format!("invalid GOSUMDB: {e}")),
        };
        let direct = Url::parse(&format!("https://{name}"));
        let funny = match &direct {
            Ok(u) => {
                name.ends_with('/') || u.host.is_empty() || u.user.is_some() || u.query.is_some()
            }
            Err(_) => true,
        };
        if funny {
            return SumDb::Invalid(format!("invalid sumdb name (must be host[/path]): {name}"));
        }
        if let Some(url) = fields.get(1)
            && let Err(e) = Url::parse(url)
        {
            return SumDb::Invalid(format!("invalid GOSUMDB URL: {e}"));
        }
        SumDb::Db {
            name,
            key: fields[0].to_string(),
            url: fields.get(1).map(|s| s.to_string()),
        }
    }
}

/// `note.NewVerifier(vkey).Name()`: `name+hash+base64(alg || key)` with the hash the
/// first four bytes of SHA-256(name + "\n" + alg || key) and alg 1 (Ed25519).
fn verifier_name(vkey: &str) -> Result<String, &'static str> {
    let (name, rest) = vkey.split_once('+').unwrap_or((vkey, ""));
    let (hash16, key64) = rest.split_once('+').unwrap_or((rest, ""));
    let hash = u32::from_str_radix(hash16, 16)
        .ok()
        .filter(|_| hash16.len() == 8 && !hash16.starts_with('+'));
    let key = base64::engine::general_purpose::STANDARD.decode(key64).ok();
    let valid_name = !name.is_empty() && !name.chars().any(char::is_whitespace);
    let (Some(hash), Some(key), true) = (hash, key, valid_name) else {
        return Err("malformed verifier id");
    };
    if key.is_empty() {
        return Err("malformed verifier id");
    }
    let mut h = Sha256::new();
    h.update(name.as_bytes());
    h.update(b"\n");
    h.update(&key);
    let sum = h.finalize();
    if u32::from_be_bytes([sum[0], sum[1], sum[2], sum[3]]) != hash {
        return Err("invalid verifier hash");
    }
    match key[0] {
        1 if key.len() == 33 => Ok(name.to_string()),
        1 => Err("malformed verifier id"),
        _ => Err("unknown verifier algorithm"),
    }
}

/// One GOVCS rule: a pattern (or `public`/`private`) and the allowed VCS commands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GovcsRule {
    pub pattern: String,
    pub allowed: Vec<String>,
    /// One of Go's built-in rules appended after the user's.
    pub builtin: bool,
}

/// GOVCS rules followed by Go's defaults (`private:all,public:git|hg`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Govcs {
    pub rules: Vec<GovcsRule>,
}

impl Govcs {
    /// `parseGOVCS`, with Go's error texts.
    pub fn parse(s: &str) -> Result<Govcs, String> {
        let mut rules = Vec::new();
        let s = s.trim();
        if !s.is_empty() {
            let mut seen: Vec<(String, String)> = Vec::new();
            for item in s.split(',') {
                let item = item.trim();
                if item.is_empty() {
                    return Err("empty entry in GOVCS".into());
                }
                let Some((pattern, list)) = item.split_once(':') else {
                    return Err(format!(
                        "malformed entry in GOVCS (missing colon): {item:?}"
                    ));
                };
                let (pattern, list) = (pattern.trim(), list.trim());
                if pattern.is_empty() {
                    return Err(format!("empty pattern in GOVCS: {item:?}"));
                }
                if list.is_empty() {
                    return Err(format!("empty VCS list in GOVCS: {item:?}"));
                }
                if pattern.starts_with("./")
                    || pattern.starts_with("../")
                    || pattern == "."
                    || pattern == ".."
                {
                    return Err(format!(
                        "relative pattern not allowed in GOVCS: {pattern:?}"
                    ));
                }
                if let Some((_, old)) = seen.iter().find(|(p, _)| p == pattern) {
                    return Err(format!(
                        "unreachable pattern in GOVCS: {item:?} after {old:?}"
                    ));
                }
                seen.push((pattern.to_string(), item.to_string()));
                let mut allowed = Vec::new();
                for a in list.split('|') {
                    let a = a.trim();
                    if a.is_empty() {
                        return Err(format!("empty VCS name in GOVCS: {item:?}"));
                    }
                    allowed.push(a.to_string());
                }
                rules.push(GovcsRule {
                    pattern: pattern.to_string(),
                    allowed,
                    builtin: false,
                });
            }
        }
        for (pattern, allowed) in [("private", vec!["all"]), ("public", vec!["git", "hg"])] {
            rules.push(GovcsRule {
                pattern: pattern.into(),
                allowed: allowed.into_iter().map(String::from).collect(),
                builtin: true,
            });
        }
        Ok(Govcs { rules })
    }

    /// The rule that decides which VCS tools `direct` may run for `path`.
    pub fn rule_for(&self, path: &str, private: bool) -> Option<&GovcsRule> {
        self.rules.iter().find(|rule| match rule.pattern.as_str() {
            "private" => private,
            "public" => !private,
            pattern => super::pattern::match_prefix_patterns(pattern, path),
        })
    }
}

/// GOFLAGS as `InitGOFLAGS` splits and checks it (quoted words, each `-flag[=value]`).
pub fn split_goflags(goflags: &str) -> Result<Vec<String>, String> {
    let words = quoted_split(goflags)?;
    for w in &words {
        let bad = !w.starts_with('-')
            || w == "-"
            || w == "--"
            || w.starts_with("---")
            || w.starts_with("-=")
            || w.starts_with("--=");
        if bad {
            return Err(format!("non-flag {w:?}"));
        }
    }
    Ok(words)
}

/// The flag name of a GOFLAGS word: `--mod=vendor` → `mod`.
pub fn goflag_name(word: &str) -> &str {
    let name = word
        .strip_prefix("--")
        .or_else(|| word.strip_prefix('-'))
        .unwrap_or(word);
    name.split_once('=').map_or(name, |(n, _)| n)
}

/// `quoted.Split`: fields split on ASCII space, tab, CR, LF; `'...'` or `"..."` around
/// a field, no unescaping.
pub fn quoted_split(mut s: &str) -> Result<Vec<String>, String> {
    let is_space = |c: char| matches!(c, ' ' | '\t' | '\n' | '\r');
    let mut fields = Vec::new();
    loop {
        s = s.trim_start_matches(is_space);
        let Some(first) = s.chars().next() else {
            return Ok(fields);
        };
        if first == '"' || first == '\'' {
            let body = &s[1..];
            let Some(end) = body.find(first) else {
                return Err(format!("unterminated {first} string"));
            };
            fields.push(body[..end].to_string());
            s = &body[end + 1..];
            continue;
        }
        let end = s.find(is_space).unwrap_or(s.len());
        fields.push(s[..end].to_string());
        s = &s[end..];
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entries(list: &ProxyList) -> Vec<(String, bool)> {
        list.entries
            .iter()
            .map(|e| (e.text.clone(), e.fallback_on_error))
            .collect()
    }

    #[test]
    fn proxy_list_follows_proxy_go() {
        let l = ProxyList::parse("https://proxy.golang.org,direct", "");
        assert_eq!(
            entries(&l),
            [
                ("https://proxy.golang.org".into(), false),
                ("direct".into(), false)
            ]
        );
        assert_eq!(l.error, None);

        let l = ProxyList::parse("a.example|b.example, ,direct,https://ignored", "corp.com");
        assert_eq!(
            entries(&l),
            [
                ("noproxy".into(), false),
                ("https://a.example".into(), true),
                ("https://b.example".into(), false),
                ("direct".into(), false),
            ]
        );
        assert_eq!(l.ignored, ["https://ignored"]);

        // GOPROXY=direct never gets the implicit noproxy entry.
        assert_eq!(
            entries(&ProxyList::parse("direct", "corp.com")),
            [("direct".into(), false)]
        );
        let l = ProxyList::parse("off,direct", "");
        assert_eq!(
            (entries(&l), l.ignored),
            (vec![("off".into(), false)], vec!["direct".to_string()])
        );

        assert_eq!(
            ProxyList::parse(",", "").error.as_deref(),
            Some("GOPROXY list is not the empty string, but contains no entries")
        );
        assert_eq!(
            ProxyList::parse("", "x").error.as_deref(),
            Some("GOPROXY list is not the empty string, but contains no entries")
        );
        assert_eq!(
            ProxyList::parse("corpproxy", "").error.as_deref(),
            Some("invalid proxy URL missing scheme: corpproxy")
        );
        assert_eq!(
            ProxyList::parse("ftp://x", "").error.as_deref(),
            Some("invalid proxy URL scheme (must be https, http, file): ftp://x")
        );
        assert_eq!(
            ProxyList::parse("file://host/dir", "").error.as_deref(),
            Some("invalid file:// proxy URL with non-path elements: file://host/dir")
        );
        assert_eq!(ProxyList::parse("file:///srv/proxy", "").error, None);
        // An absolute path gets no implicit https:// and then has no scheme.
        assert_eq!(
            ProxyList::parse("/srv/proxy", "").error.as_deref(),
            Some("invalid proxy URL missing scheme: /srv/proxy")
        );
    }

    #[test]
    fn sumdb_follows_db_dial() {
        let db = |name: &str, url: Option<&str>| SumDb::Db {
            name: name.into(),
            key: SUM_GOLANG_ORG_KEY.into(),
            url: url.map(String::from),
        };
        assert_eq!(SumDb::parse("sum.golang.org"), db("sum.golang.org", None));
        assert_eq!(SumDb::parse(SUM_GOLANG_ORG_KEY), db("sum.golang.org", None));
        assert_eq!(
            SumDb::parse("sum.golang.google.cn"),
            db("sum.golang.org", Some("https://sum.golang.google.cn"))
        );
        assert_eq!(SumDb::parse("off"), SumDb::Off);
        assert_eq!(SumDb::parse(""), SumDb::Invalid("missing GOSUMDB".into()));
        assert_eq!(
            SumDb::parse("a b c"),
            SumDb::Invalid("invalid GOSUMDB: too many fields".into())
        );
        assert_eq!(
            SumDb::parse("sum.example.com"),
            SumDb::Invalid("invalid GOSUMDB: malformed verifier id".into())
        );
        assert_eq!(
            SumDb::parse("sum.golang.org+033de0af+Ac4zctda0e5eza+HJyk9SxEdh+s3Ux18htTTAD8OuAn8"),
            SumDb::Invalid("invalid GOSUMDB: invalid verifier hash".into())
        );
    }

    #[test]
    fn govcs_and_goflags() {
        let g = Govcs::parse("github.com:git, evil.com:off").unwrap();
        assert_eq!(
            g.rule_for("github.com/a/b", false).unwrap().allowed,
            ["git"]
        );
        assert_eq!(g.rule_for("corp.com/x", true).unwrap().allowed, ["all"]);
        assert_eq!(
            g.rule_for("corp.com/x", false).unwrap().allowed,
            ["git", "hg"]
        );
        assert_eq!(
            Govcs::parse("a.com"),
            Err("malformed entry in GOVCS (missing colon): \"a.com\"".into())
        );
        assert_eq!(
            Govcs::parse("a.com:git,,"),
            Err("empty entry in GOVCS".into())
        );

        assert_eq!(
            split_goflags(" -mod=mod  '-ldflags=-s -w'"),
            Ok(vec!["-mod=mod".into(), "-ldflags=-s -w".into()])
        );
        assert_eq!(
            split_goflags("-x 'oops"),
            Err("unterminated ' string".into())
        );
        assert_eq!(split_goflags("mod=mod"), Err("non-flag \"mod=mod\"".into()));
        assert_eq!(goflag_name("--insecure"), "insecure");
        assert_eq!(goflag_name("-mod=vendor"), "mod");
    }
}
