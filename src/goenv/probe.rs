//! `--probe`: fetch what Go would fetch, and time each phase.
//!
//! For each step of an [`Explanation`] this GETs `<proxy>/<escaped path>/@v/list` (and
//! `@v/<version>.info` when a version is known), or for `direct` the go-import lookup
//! `https://<path>?go-get=1`, and walks the steps as `TryProxies` does: stop at the
//! first success, go on after 404/410, go on after other errors only behind `|`. The
//! checksum database is reached as `dbClient.initBase` does
//! (`<proxy>/sumdb/<name>/supported`, else `https://<name>`), probed once per run.
//!
//! The client is a small HTTP/1.1 client over `std::net::TcpStream` and rustls, written
//! here because no maintained blocking client exposes per-phase timings (DNS, connect,
//! proxy CONNECT, TLS, first byte): ureq and reqwest hide the connection set-up, and
//! libcurl would add a C build. It honours HTTPS_PROXY/HTTP_PROXY/NO_PROXY exactly as
//! Go's `httpproxy` does (loopback and `localhost` are never proxied; `http://` proxies
//! only), verifies TLS with the system's roots (as Go does), follows up to 10 redirects,
//! refuses https → http downgrades, and sends credentials (URL userinfo, or ~/.netrc
//! when GOAUTH includes `netrc`, over https only) to the credential's own
//! scheme://host:port only: a redirect elsewhere drops them. GOAUTH commands and
//! `git` helpers are never run. Every phase shares one deadline (`--timeout`), so a
//! silent server is reported as a timeout, never a hang. DNS runs on a helper thread
//! because std's resolver has no timeout.

use std::io::{self, BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream, ToSocketAddrs};
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock, mpsc};
use std::time::{Duration, Instant};

use base64::Engine as _;

use super::GoEnv;
use super::config::{GoConfig, ProxyKind, SumDb};
use super::explain::{Explanation, ModuleRef, OnFailure, StepKind};
use super::url::{Url, path_escape};
use crate::cache::escape::escape;

const MAX_REDIRECTS: usize = 10;
const MAX_HEAD: usize = 64 * 1024;

/// How to probe.
#[derive(Debug, Clone)]
pub struct ProbeOptions {
    /// One deadline for each request, redirects included.
    pub timeout: Duration,
}

/// The network side of the environment: proxies, NO_PROXY, credentials.
#[derive(Debug)]
pub struct Network {
    https_proxy: Option<Result<Url, String>>,
    http_proxy: Option<Result<Url, String>>,
    no_proxy: String,
    cgi: bool,
    netrc: Vec<NetrcLine>,
    tls: OnceLock<Result<Arc<rustls::ClientConfig>, String>>,
}

/// One `machine` entry of a .netrc file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NetrcLine {
    pub machine: String,
    pub login: String,
    pub password: String,
}

impl Network {
    pub fn new(config: &GoConfig, env: &GoEnv) -> Network {
        let parse = |v: Option<&str>| v.filter(|s| !s.is_empty()).map(parse_proxy);
        let uses_netrc = config
            .get("GOAUTH")
            .split(';')
            .any(|c| c.split_whitespace().next() == Some("netrc"));
        let netrc = if uses_netrc {
            let path = env
                .process_var("NETRC")
                .filter(|v| !v.is_empty())
                .map(PathBuf::from)
                .or_else(|| {
                    env.process_var("HOME")
                        .filter(|h| !h.is_empty())
                        .map(|h| Path::new(h).join(".netrc"))
                });
            path.and_then(|p| std::fs::read_to_string(p).ok())
                .map(|text| parse_netrc(&text))
                .unwrap_or_default()
        } else {
            Vec::new()
        };
        Network {
            https_proxy: parse(config.network_var("HTTPS_PROXY")),
            http_proxy: parse(config.network_var("HTTP_PROXY")),
            no_proxy: config.network_var("NO_PROXY").unwrap_or("").to_string(),
            cgi: env
                .process_var("REQUEST_METHOD")
                .is_some_and(|v| !v.is_empty()),
            netrc,
            tls: OnceLock::new(),
        }
    }

    /// The proxy Go's `http.ProxyFromEnvironment` picks for `url`.
    pub fn proxy_for(&self, url: &Url) -> Option<Result<Url, String>> {
        let proxy = match url.scheme.as_str() {
            "https" => self.https_proxy.clone(),
            "http" => match &self.http_proxy {
                Some(_) if self.cgi => {
                    return Some(Err(
                        "refusing to use HTTP_PROXY value in CGI environment".into()
                    ));
                }
                p => p.clone(),
            },
            _ => None,
        }?;
        use_proxy(&self.no_proxy, url.hostname(), url.port_or_default()).then_some(proxy)
    }

    fn tls_config(&self) -> Result<Arc<rustls::ClientConfig>, String> {
        self.tls
            .get_or_init(|| {
                let found = rustls_native_certs::load_native_certs();
                let mut roots = rustls::RootCertStore::empty();
                let (added, _) = roots.add_parsable_certificates(found.certs);
                if added == 0 {
                    return Err("no CA certificates found in the system trust store (SSL_CERT_FILE, SSL_CERT_DIR)".into());
                }
                let provider = Arc::new(rustls::crypto::ring::default_provider());
                let mut config = rustls::ClientConfig::builder_with_provider(provider)
                    .with_safe_default_protocol_versions()
                    .map_err(|e| e.to_string())?
                    .with_root_certificates(roots)
                    .with_no_client_auth();
                config.alpn_protocols = vec![b"http/1.1".to_vec()];
                Ok(Arc::new(config))
            })
            .clone()
    }
}

/// `httpproxy.parseProxy`: a bare `host:port` means `http://host:port`.
fn parse_proxy(raw: &str) -> Result<Url, String> {
    match Url::parse(raw) {
        Ok(u) if !u.scheme.is_empty() && !u.host.is_empty() => Ok(u),
        first => Url::parse(&format!("http://{raw}"))
            .or_else(|_| first.map_err(|e| format!("invalid proxy address {raw:?}: {e}"))),
    }
}

/// `httpproxy.config.useProxy`: loopback and `localhost` never; NO_PROXY entries are
/// `*`, IPs, CIDRs, or domains (`example.com` also matches subdomains, `.example.com`
/// only subdomains), each optionally with a port.
pub fn use_proxy(no_proxy: &str, host: &str, port: u16) -> bool {
    let host = host.trim().to_ascii_lowercase();
    if host == "localhost" {
        return false;
    }
    let ip: Option<std::net::IpAddr> = host.parse().ok();
    if ip.is_some_and(|ip| ip.is_loopback()) {
        return false;
    }
    let port = port.to_string();
    for entry in no_proxy.split(',') {
        let entry = entry.trim().to_ascii_lowercase();
        if entry.is_empty() {
            continue;
        }
        if entry == "*" {
            return false;
        }
        if let Some((net, bits)) = entry.split_once('/')
            && let (Ok(net), Ok(bits)) = (net.parse::<std::net::IpAddr>(), bits.parse::<u8>())
        {
            if ip.is_some_and(|ip| cidr_contains(net, bits, ip)) {
                return false;
            }
            continue;
        }
        let (phost, pport) = match split_host_port(&entry) {
            Some((h, p)) => (
                h.trim_start_matches('[').trim_end_matches(']').to_string(),
                p.to_string(),
            ),
            None => (entry.clone(), String::new()),
        };
        if let Ok(pip) = phost.parse::<std::net::IpAddr>() {
            if ip == Some(pip) && (pport.is_empty() || pport == port) {
                return false;
            }
            continue;
        }
        if phost.is_empty() || ip.is_some() {
            continue;
        }
        let phost = phost
            .strip_prefix('*')
            .filter(|p| p.starts_with('.'))
            .unwrap_or(&phost);
        let (suffix, match_host) = match phost.strip_prefix('.') {
            Some(_) => (phost.to_string(), false),
            None => (format!(".{phost}"), true),
        };
        if (host.ends_with(&suffix) || (match_host && host == suffix[1..]))
            && (pport.is_empty() || pport == port)
        {
            return false;
        }
    }
    true
}

/// `net.SplitHostPort` for NO_PROXY entries.
fn split_host_port(s: &str) -> Option<(&str, &str)> {
    if s.starts_with('[') {
        let (h, rest) = s.split_once(']')?;
        return Some((&s[..h.len() + 1], rest.strip_prefix(':')?));
    }
    let (h, p) = s.rsplit_once(':')?;
    (!h.contains(':')).then_some((h, p))
}

fn cidr_contains(net: std::net::IpAddr, bits: u8, ip: std::net::IpAddr) -> bool {
    use std::net::IpAddr::{V4, V6};
    match (net, ip) {
        (V4(n), V4(i)) if bits <= 32 => {
            let mask = if bits == 0 {
                0
            } else {
                u32::MAX << (32 - bits)
            };
            u32::from(n) & mask == u32::from(i) & mask
        }
        (V6(n), V6(i)) if bits <= 128 => {
            let mask = if bits == 0 {
                0
            } else {
                u128::MAX << (128 - bits)
            };
            u128::from(n) & mask == u128::from(i) & mask
        }
        _ => false,
    }
}

/// `auth.parseNetrc`.
pub fn parse_netrc(data: &str) -> Vec<NetrcLine> {
    let mut out = Vec::new();
    let mut l = NetrcLine {
        machine: String::new(),
        login: String::new(),
        password: String::new(),
    };
    let mut in_macro = false;
    for line in data.split('\n') {
        if in_macro {
            if line.is_empty() {
                in_macro = false;
            }
            continue;
        }
        let f: Vec<&str> = line.split_whitespace().collect();
        let mut i = 0;
        while i + 1 < f.len() {
            match f[i] {
                "machine" => {
                    l = NetrcLine {
                        machine: f[i + 1].to_string(),
                        login: String::new(),
                        password: String::new(),
                    }
                }
                "login" => l.login = f[i + 1].to_string(),
                "password" => l.password = f[i + 1].to_string(),
                "macdef" => in_macro = true,
                _ => {}
            }
            if !l.machine.is_empty() && !l.login.is_empty() && !l.password.is_empty() {
                out.push(std::mem::replace(
                    &mut l,
                    NetrcLine {
                        machine: String::new(),
                        login: String::new(),
                        password: String::new(),
                    },
                ));
            }
            i += 2;
        }
        if i < f.len() && f[i] == "default" {
            break;
        }
    }
    out
}

/// Time spent in each phase of one request; `None` for a phase that did not happen.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Timings {
    pub dns: Option<Duration>,
    pub connect: Option<Duration>,
    /// The proxy's answer to CONNECT (https through an HTTP proxy).
    pub proxy_connect: Option<Duration>,
    pub tls: Option<Duration>,
    /// From sending the request to the first byte of the answer.
    pub first_byte: Option<Duration>,
    pub total: Duration,
}

/// The phase a request failed in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    Dns,
    Connect,
    Proxy,
    Tls,
    Request,
    Response,
    Redirect,
    File,
}

impl Phase {
    pub fn as_str(self) -> &'static str {
        match self {
            Phase::Dns => "dns",
            Phase::Connect => "connect",
            Phase::Proxy => "proxy",
            Phase::Tls => "tls",
            Phase::Request => "request",
            Phase::Response => "response",
            Phase::Redirect => "redirect",
            Phase::File => "file",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FetchError {
    pub phase: Phase,
    pub message: String,
    pub timed_out: bool,
}

/// One HTTP exchange (one hop of a redirect chain).
#[derive(Debug, Clone, PartialEq)]
pub struct Hop {
    /// The URL, password redacted.
    pub url: String,
    /// The HTTP proxy used, password redacted.
    pub proxy: Option<String>,
    pub timings: Timings,
    pub status: Option<u16>,
    pub reason: Option<String>,
    /// The first line of the body, at most 200 characters.
    pub first_line: Option<String>,
    /// `url-userinfo` or `netrc`, when an Authorization header was sent.
    pub credentials: Option<&'static str>,
    /// Credentials were held back because a redirect left their host.
    pub credentials_withheld: bool,
    pub error: Option<FetchError>,
}

/// How one fetched URL turned out, in TryProxies' terms.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// HTTP 200 (or an existing file).
    Found,
    /// HTTP 404 or 410, or a missing file: Go moves on to the next source.
    NotFound,
    /// Anything else: Go stops here unless the entry is followed by `|`.
    Failed,
}

impl Outcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Found => "found",
            Outcome::NotFound => "not-found",
            Outcome::Failed => "failed",
        }
    }
}

/// One URL fetched, through all its redirects.
#[derive(Debug, Clone, PartialEq)]
pub struct Fetch {
    pub url: String,
    pub hops: Vec<Hop>,
    pub outcome: Outcome,
    /// Body text kept for the caller (go-import detection); not serialized.
    pub body: String,
}

impl Fetch {
    pub fn error(&self) -> Option<&FetchError> {
        self.hops.last().and_then(|h| h.error.as_ref())
    }

    pub fn status(&self) -> Option<u16> {
        self.hops.last().and_then(|h| h.status)
    }
}

/// A step of the explanation, probed.
#[derive(Debug, Clone, PartialEq)]
pub struct StepProbe {
    pub source: String,
    pub fetches: Vec<Fetch>,
    /// `None` when Go would not reach this step (an earlier one decided).
    pub outcome: Option<Outcome>,
    pub note: Option<String>,
}

/// A module, probed along its steps.
#[derive(Debug, Clone, PartialEq)]
pub struct ModuleProbe {
    pub module: ModuleRef,
    pub steps: Vec<StepProbe>,
    /// Whether Go would get the module from one of the sources.
    pub ok: bool,
    pub verdict: String,
}

/// How the checksum database is reached, probed.
#[derive(Debug, Clone, PartialEq)]
pub struct SumdbProbe {
    pub name: String,
    pub steps: Vec<StepProbe>,
    pub ok: bool,
    pub verdict: String,
}

/// Probe every step of `explanation` as Go would walk them.
pub fn probe_module(explanation: &Explanation, net: &Network, opts: &ProbeOptions) -> ModuleProbe {
    let module = explanation
        .fetched()
        .unwrap_or_else(|| explanation.module.clone());
    if explanation.fetched().is_none() {
        return ModuleProbe {
            module,
            steps: Vec::new(),
            ok: true,
            verdict: "replaced by a local directory: nothing to fetch".into(),
        };
    }
    if let Some(e) = &explanation.error {
        return ModuleProbe {
            module,
            steps: Vec::new(),
            ok: false,
            verdict: e.clone(),
        };
    }
    let mut steps = Vec::new();
    let mut decided: Option<(bool, String)> = None;
    for step in &explanation.steps {
        if let Some((_, why)) = &decided {
            steps.push(StepProbe {
                source: step.source.clone(),
                fetches: Vec::new(),
                outcome: None,
                note: Some(why.clone()),
            });
            continue;
        }
        let (fetches, outcome, note) = match &step.kind {
            StepKind::Off => (
                Vec::new(),
                Outcome::Failed,
                Some("module lookup disabled by GOPROXY=off".to_string()),
            ),
            StepKind::Proxy(base) => {
                let fetches = proxy_fetches(base, &module, net, opts);
                let outcome = fetches.last().map_or(Outcome::Failed, |f| f.outcome);
                let outcome = if fetches.iter().any(|f| f.outcome == Outcome::Failed) {
                    Outcome::Failed
                } else {
                    outcome
                };
                (fetches, outcome, None)
            }
            StepKind::Direct => {
                let target = format!("https://{}?go-get=1", module.path);
                let fetch = match Url::parse(&target) {
                    Ok(u) => get(&u, net, opts, 256 * 1024),
                    Err(e) => failed_fetch(&target, Phase::Request, e),
                };
                let meta = go_import(&fetch.body, &module.path);
                let (outcome, note) = match (&meta, fetch.error()) {
                    (Some(m), _) => (Outcome::Found, Some(format!("go-import: {m}; go then runs the VCS tool"))),
                    (None, Some(_)) => (Outcome::Failed, None),
                    (None, None) => (
                        Outcome::Failed,
                        Some("no go-import meta tag for this path (Go also knows github.com, bitbucket.org and a few other hosts without one)".into()),
                    ),
                };
                (vec![fetch], outcome, note)
            }
        };
        let go_on = match outcome {
            Outcome::Found => false,
            Outcome::NotFound => true,
            Outcome::Failed => step.on_failure == OnFailure::NextOnAnyError,
        };
        if !go_on {
            let why = match outcome {
                Outcome::Found => (true, format!("found at {}", show_source(&step.source))),
                _ => (
                    false,
                    format!(
                        "failed at {}; GOPROXY does not fall back after this error (no |)",
                        show_source(&step.source)
                    ),
                ),
            };
            decided = Some(why);
        } else if step.on_failure == OnFailure::Last {
            decided = Some((false, "not found at any source".into()));
        }
        steps.push(StepProbe {
            source: step.source.clone(),
            fetches,
            outcome: Some(outcome),
            note,
        });
    }
    let (ok, verdict) = decided.unwrap_or((false, "no source to try".into()));
    ModuleProbe {
        module,
        steps,
        ok,
        verdict,
    }
}

fn show_source(s: &str) -> String {
    super::url::redact(s)
}

/// `@v/list`, then `@v/<version>.info` when a version is known and the list answered.
fn proxy_fetches(base: &Url, module: &ModuleRef, net: &Network, opts: &ProbeOptions) -> Vec<Fetch> {
    let escaped = path_escape(&escape(&module.path));
    let mut out = vec![fetch_under(base, &format!("{escaped}/@v/list"), net, opts)];
    if let Some(v) = &module.version
        && out[0].outcome != Outcome::Failed
    {
        let ev = path_escape(&escape(v));
        out.push(fetch_under(
            base,
            &format!("{escaped}/@v/{ev}.info"),
            net,
            opts,
        ));
    }
    out
}

/// GET `<base>/<rel>`, or read it from a `file://` proxy.
fn fetch_under(base: &Url, rel: &str, net: &Network, opts: &ProbeOptions) -> Fetch {
    let mut url = base.clone();
    url.path = format!("{}/{rel}", base.path.trim_end_matches('/'));
    if url.scheme == "file" {
        return read_file_url(&url);
    }
    get(&url, net, opts, 16 * 1024)
}

/// Go's `getFile`: a missing file is "not found", like a 404.
fn read_file_url(url: &Url) -> Fetch {
    let started = Instant::now();
    let path = percent_decode_path(&url.path);
    let (outcome, first_line, error) = match std::fs::read(&path) {
        Ok(data) => (Outcome::Found, Some(first_line(&data)), None),
        Err(e) if e.kind() == io::ErrorKind::NotFound => (Outcome::NotFound, None, None),
        Err(e) => (
            Outcome::Failed,
            None,
            Some(FetchError {
                phase: Phase::File,
                message: format!("{}: {e}", path.display()),
                timed_out: false,
            }),
        ),
    };
    let hop = Hop {
        url: url.redacted(),
        proxy: None,
        timings: Timings {
            total: started.elapsed(),
            ..Timings::default()
        },
        status: None,
        reason: (outcome == Outcome::NotFound).then(|| "file does not exist".to_string()),
        first_line,
        credentials: None,
        credentials_withheld: false,
        error,
    };
    Fetch {
        url: url.redacted(),
        hops: vec![hop],
        outcome,
        body: String::new(),
    }
}

fn percent_decode_path(p: &str) -> PathBuf {
    let b = p.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%'
            && i + 2 < b.len()
            && b[i + 1].is_ascii_hexdigit()
            && b[i + 2].is_ascii_hexdigit()
        {
            let hex = |c: u8| (c as char).to_digit(16).unwrap_or(0) as u8;
            out.push(hex(b[i + 1]) * 16 + hex(b[i + 2]));
            i += 3;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    use std::os::unix::ffi::OsStringExt;
    PathBuf::from(std::ffi::OsString::from_vec(out))
}

/// Probe the way `dbClient.initBase` finds the checksum database, then its `/latest`.
pub fn probe_sumdb(config: &GoConfig, net: &Network, opts: &ProbeOptions) -> Option<SumdbProbe> {
    let SumDb::Db { name, url, .. } = config.sumdb() else {
        return None;
    };
    let mut steps = Vec::new();
    let base = match url {
        Some(u) => Url::parse(&u).ok(),
        None => {
            let proxies = config.proxies();
            let mut base = None;
            let mut stopped = None;
            for entry in &proxies.entries {
                let ProxyKind::Url(proxy) = &entry.kind else {
                    continue;
                };
                if stopped.is_some() || base.is_some() {
                    break;
                }
                let fetch = fetch_under(proxy, &format!("sumdb/{name}/supported"), net, opts);
                let outcome = fetch.outcome;
                let note = match outcome {
                    Outcome::Found => Some("proxy serves the checksum database".to_string()),
                    Outcome::NotFound => Some("proxy does not serve it; next".to_string()),
                    Outcome::Failed if entry.fallback_on_error => {
                        Some("error; | falls back to the next".to_string())
                    }
                    Outcome::Failed => {
                        Some("error: Go gives up on the checksum database here".to_string())
                    }
                };
                steps.push(StepProbe {
                    source: entry.text.clone(),
                    fetches: vec![fetch],
                    outcome: Some(outcome),
                    note,
                });
                match outcome {
                    Outcome::Found => {
                        let mut b = proxy.clone();
                        b.path = format!("{}/sumdb/{name}", proxy.path.trim_end_matches('/'));
                        base = Some(b);
                    }
                    Outcome::Failed if !entry.fallback_on_error => stopped = Some(()),
                    _ => {}
                }
            }
            if stopped.is_some() {
                return Some(SumdbProbe {
                    name,
                    steps,
                    ok: false,
                    verdict: "a proxy failed answering /sumdb/…/supported; Go reports the checksum database as unavailable".into(),
                });
            }
            base.or_else(|| Url::parse(&format!("https://{name}")).ok())
        }
    };
    let Some(base) = base else {
        return Some(SumdbProbe {
            name,
            steps,
            ok: false,
            verdict: "invalid checksum database URL".into(),
        });
    };
    let fetch = fetch_under(&base, "latest", net, opts);
    let ok = fetch.outcome == Outcome::Found;
    let verdict = if ok {
        format!("checksum database reachable at {}", base.redacted())
    } else {
        format!("checksum database not usable at {}", base.redacted())
    };
    steps.push(StepProbe {
        source: base.redacted(),
        outcome: Some(fetch.outcome),
        fetches: vec![fetch],
        note: None,
    });
    Some(SumdbProbe {
        name,
        steps,
        ok,
        verdict,
    })
}

/// The content of a `<meta name="go-import" content="...">` whose prefix covers `path`.
fn go_import(body: &str, path: &str) -> Option<String> {
    let lower = body.to_ascii_lowercase();
    let mut from = 0;
    while let Some(i) = lower[from..].find("<meta") {
        let start = from + i;
        let end = lower[start..].find('>').map_or(lower.len(), |e| start + e);
        let tag = &body[start..end];
        let tag_lower = &lower[start..end];
        from = end;
        if !tag_lower.contains("go-import") {
            continue;
        }
        let Some(c) = tag_lower.find("content=") else {
            continue;
        };
        let rest = &tag[c + 8..];
        let quote = rest.chars().next()?;
        if quote != '"' && quote != '\'' {
            continue;
        }
        let content = rest[1..].split(quote).next().unwrap_or("");
        let prefix = content.split_whitespace().next().unwrap_or("");
        if path == prefix || path.starts_with(&format!("{prefix}/")) {
            return Some(content.to_string());
        }
    }
    None
}

fn failed_fetch(url: &str, phase: Phase, message: String) -> Fetch {
    let url = super::url::redact(url);
    Fetch {
        hops: vec![error_hop(url.clone(), phase, message)],
        url,
        outcome: Outcome::Failed,
        body: String::new(),
    }
}

/// The origin credentials belong to.
fn origin(u: &Url) -> (String, String, u16) {
    (
        u.scheme.clone(),
        u.hostname().to_ascii_lowercase(),
        u.port_or_default(),
    )
}

/// GET `url`, following redirects, with one deadline for the whole chain.
pub fn get(url: &Url, net: &Network, opts: &ProbeOptions, body_limit: usize) -> Fetch {
    let deadline = Instant::now() + opts.timeout;
    let credential_origin = origin(url);
    let userinfo = url.user.clone();
    let mut current = url.clone();
    current.user = None;
    let mut hops: Vec<Hop> = Vec::new();
    let mut body = String::new();
    let outcome = loop {
        let same_origin = origin(&current) == credential_origin;
        let mut credentials = None;
        let mut authorization = None;
        if same_origin {
            if let Some((user, password)) = &userinfo {
                if current.scheme != "https" {
                    hops.push(error_hop(
                        current.redacted(),
                        Phase::Request,
                        format!(
                            "refusing to pass credentials to insecure URL: {}",
                            with_user(&current, &userinfo).redacted()
                        ),
                    ));
                    break Outcome::Failed;
                }
                credentials = Some("url-userinfo");
                authorization = Some(basic(user, password.as_deref().unwrap_or("")));
            } else if current.scheme == "https"
                && let Some(line) = net.netrc.iter().find(|l| l.machine == current.host)
            {
                credentials = Some("netrc");
                authorization = Some(basic(&line.login, &line.password));
            }
        }
        let withheld =
            !same_origin && (userinfo.is_some() || net.netrc.iter().any(|l| l.machine == url.host));
        let (mut hop, response) = exchange(
            &current,
            net,
            authorization.as_deref(),
            deadline,
            body_limit,
        );
        hop.credentials = credentials;
        hop.credentials_withheld = withheld;
        let Some(response) = response else {
            hops.push(hop);
            break Outcome::Failed;
        };
        let status = response.status;
        if matches!(status, 301 | 302 | 303 | 307 | 308)
            && let Some(location) = &response.location
        {
            hops.push(hop);
            if hops.len() > MAX_REDIRECTS {
                hops.push(error_hop(
                    current.redacted(),
                    Phase::Redirect,
                    "stopped after 10 redirects".into(),
                ));
                break Outcome::Failed;
            }
            let next = match resolve_reference(&current, location) {
                Ok(u) => u,
                Err(e) => {
                    hops.push(error_hop(current.redacted(), Phase::Redirect, e));
                    break Outcome::Failed;
                }
            };
            if url.scheme == "https" && next.scheme != "https" {
                hops.push(error_hop(
                    next.redacted(),
                    Phase::Redirect,
                    format!(
                        "redirected from secure URL {} to insecure URL {}",
                        current.redacted(),
                        next.redacted()
                    ),
                ));
                break Outcome::Failed;
            }
            current = next;
            continue;
        }
        body = response.body;
        hops.push(hop);
        break match status {
            200 => Outcome::Found,
            404 | 410 => Outcome::NotFound,
            _ => Outcome::Failed,
        };
    };
    Fetch {
        url: with_user(url, &userinfo).redacted(),
        hops,
        outcome,
        body,
    }
}

fn with_user(url: &Url, user: &Option<(String, Option<String>)>) -> Url {
    let mut u = url.clone();
    u.user = user.clone();
    u
}

fn basic(user: &str, password: &str) -> String {
    format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}"))
    )
}

/// A hop that failed before any response; `url` is already redacted.
fn error_hop(url: String, phase: Phase, message: String) -> Hop {
    Hop {
        url,
        proxy: None,
        timings: Timings::default(),
        status: None,
        reason: None,
        first_line: None,
        credentials: None,
        credentials_withheld: false,
        error: Some(FetchError {
            phase,
            message,
            timed_out: false,
        }),
    }
}

/// A `Location` header resolved against the URL it came from.
fn resolve_reference(base: &Url, location: &str) -> Result<Url, String> {
    let loc = Url::parse(location)?;
    if !loc.scheme.is_empty() {
        return Ok(loc);
    }
    let mut u = base.clone();
    u.query = loc.query.clone();
    if loc.has_authority {
        u.host = loc.host;
        u.path = loc.path;
    } else if loc.path.starts_with('/') {
        u.path = loc.path;
    } else {
        let dir = base.path.rsplit_once('/').map_or("", |(d, _)| d);
        u.path = format!("{dir}/{}", loc.path);
    }
    Ok(u)
}

struct Response {
    status: u16,
    location: Option<String>,
    body: String,
}

enum Stream {
    Plain(TcpStream),
    Tls(Box<rustls::StreamOwned<rustls::ClientConnection, TcpStream>>),
}

impl Read for Stream {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match self {
            Stream::Plain(s) => s.read(buf),
            Stream::Tls(s) => s.read(buf),
        }
    }
}

impl Write for Stream {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match self {
            Stream::Plain(s) => s.write(buf),
            Stream::Tls(s) => s.write(buf),
        }
    }
    fn flush(&mut self) -> io::Result<()> {
        match self {
            Stream::Plain(s) => s.flush(),
            Stream::Tls(s) => s.flush(),
        }
    }
}

/// Time left before `deadline`, or a timeout error.
fn remaining(deadline: Instant) -> io::Result<Duration> {
    let left = deadline.saturating_duration_since(Instant::now());
    if left.is_zero() {
        Err(io::Error::new(io::ErrorKind::TimedOut, "timed out"))
    } else {
        Ok(left)
    }
}

fn set_timeouts(tcp: &TcpStream, deadline: Instant) -> io::Result<()> {
    let left = remaining(deadline)?;
    tcp.set_read_timeout(Some(left))?;
    tcp.set_write_timeout(Some(left))
}

fn is_timeout(e: &io::Error) -> bool {
    matches!(
        e.kind(),
        io::ErrorKind::TimedOut | io::ErrorKind::WouldBlock
    )
}

/// One request/response on a fresh connection.
fn exchange(
    url: &Url,
    net: &Network,
    authorization: Option<&str>,
    deadline: Instant,
    body_limit: usize,
) -> (Hop, Option<Response>) {
    let started = Instant::now();
    let mut hop = Hop {
        url: url.redacted(),
        proxy: None,
        timings: Timings::default(),
        status: None,
        reason: None,
        first_line: None,
        credentials: None,
        credentials_withheld: false,
        error: None,
    };
    let result = exchange_inner(url, net, authorization, deadline, body_limit, &mut hop);
    hop.timings.total = started.elapsed();
    match result {
        Ok(r) => (hop, Some(r)),
        Err((phase, e)) => {
            let timed_out = is_timeout(&e);
            let message = if timed_out {
                format!("timed out after {:.1}s", hop.timings.total.as_secs_f64())
            } else {
                e.to_string()
            };
            hop.error = Some(FetchError {
                phase,
                message,
                timed_out,
            });
            (hop, None)
        }
    }
}

fn exchange_inner(
    url: &Url,
    net: &Network,
    authorization: Option<&str>,
    deadline: Instant,
    body_limit: usize,
    hop: &mut Hop,
) -> Result<Response, (Phase, io::Error)> {
    let other = |phase, msg: String| (phase, io::Error::other(msg));
    if url.scheme != "http" && url.scheme != "https" {
        return Err(other(
            Phase::Request,
            format!("unsupported scheme: {}", url.redacted()),
        ));
    }
    let proxy = match net.proxy_for(url) {
        Some(Ok(p)) if p.scheme == "http" => Some(p),
        Some(Ok(p)) => {
            return Err(other(
                Phase::Proxy,
                format!(
                    "proxy {} uses {}://, which the probe does not speak (only http:// proxies)",
                    p.redacted(),
                    p.scheme
                ),
            ));
        }
        Some(Err(e)) => return Err(other(Phase::Proxy, e)),
        None => None,
    };
    hop.proxy = proxy.as_ref().map(Url::redacted);
    let (host, port) = match &proxy {
        Some(p) => (p.hostname().to_string(), p.port_or_default()),
        None => (url.hostname().to_string(), url.port_or_default()),
    };

    let t = Instant::now();
    let addrs = resolve(&host, port, deadline).map_err(|e| (Phase::Dns, e))?;
    hop.timings.dns = Some(t.elapsed());

    let t = Instant::now();
    let tcp = connect(&addrs, deadline).map_err(|e| (Phase::Connect, e))?;
    hop.timings.connect = Some(t.elapsed());
    set_timeouts(&tcp, deadline).map_err(|e| (Phase::Connect, e))?;

    let target_host = match url.port() {
        Some(p) => format!("{}:{p}", url.hostname()),
        None => url.hostname().to_string(),
    };
    let authority = format!("{}:{}", url.hostname(), url.port_or_default());
    let proxy_auth = proxy
        .as_ref()
        .and_then(|p| p.user.as_ref())
        .map(|(u, pw)| basic(u, pw.as_deref().unwrap_or("")));

    let mut tcp = tcp;
    if url.scheme == "https" && proxy.is_some() {
        let t = Instant::now();
        let mut req = format!("CONNECT {authority} HTTP/1.1\r\nHost: {authority}\r\n");
        if let Some(a) = &proxy_auth {
            req.push_str(&format!("Proxy-Authorization: {a}\r\n"));
        }
        req.push_str("\r\n");
        tcp.write_all(req.as_bytes())
            .map_err(|e| (Phase::Proxy, e))?;
        let mut reader = BufReader::new(&mut tcp);
        let (status, reason, _) = read_head(&mut reader).map_err(|e| (Phase::Proxy, e))?;
        if !reader.buffer().is_empty() {
            return Err(other(
                Phase::Proxy,
                "proxy sent data after its CONNECT answer".into(),
            ));
        }
        hop.timings.proxy_connect = Some(t.elapsed());
        if status != 200 {
            return Err(other(
                Phase::Proxy,
                format!("proxy answered CONNECT with {status} {reason}"),
            ));
        }
    }

    let mut stream = if url.scheme == "https" {
        let t = Instant::now();
        let config = net.tls_config().map_err(|e| other(Phase::Tls, e))?;
        let name =
            rustls::pki_types::ServerName::try_from(url.hostname().to_string()).map_err(|e| {
                other(
                    Phase::Tls,
                    format!("invalid TLS server name {:?}: {e}", url.hostname()),
                )
            })?;
        let mut conn = rustls::ClientConnection::new(config, name)
            .map_err(|e| other(Phase::Tls, e.to_string()))?;
        while conn.is_handshaking() {
            set_timeouts(&tcp, deadline).map_err(|e| (Phase::Tls, e))?;
            conn.complete_io(&mut tcp).map_err(|e| (Phase::Tls, e))?;
        }
        hop.timings.tls = Some(t.elapsed());
        Stream::Tls(Box::new(rustls::StreamOwned::new(conn, tcp)))
    } else {
        Stream::Plain(tcp)
    };

    let request_target = if proxy.is_some() && url.scheme == "http" {
        format!("http://{target_host}{}", path_and_query(url))
    } else {
        path_and_query(url)
    };
    let mut req = format!(
        "GET {request_target} HTTP/1.1\r\nHost: {target_host}\r\nUser-Agent: modcache/{} (probe; like GoCommand/1)\r\nAccept: */*\r\nConnection: close\r\n",
        env!("CARGO_PKG_VERSION")
    );
    if let Some(a) = authorization {
        req.push_str(&format!("Authorization: {a}\r\n"));
    }
    if let (Some(a), "http") = (&proxy_auth, url.scheme.as_str()) {
        req.push_str(&format!("Proxy-Authorization: {a}\r\n"));
    }
    req.push_str("\r\n");
    let t = Instant::now();
    stream
        .write_all(req.as_bytes())
        .map_err(|e| (Phase::Request, e))?;
    stream.flush().map_err(|e| (Phase::Request, e))?;

    let mut reader = BufReader::new(TimedReader {
        inner: stream,
        deadline,
    });
    let first = reader.fill_buf().map_err(|e| (Phase::Response, e))?;
    if first.is_empty() {
        return Err(other(
            Phase::Response,
            "server closed the connection without answering".into(),
        ));
    }
    hop.timings.first_byte = Some(t.elapsed());
    let (status, reason, headers) = read_head(&mut reader).map_err(|e| (Phase::Response, e))?;
    hop.status = Some(status);
    hop.reason = Some(reason);
    let header = |name: &str| {
        headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.clone())
    };
    let chunked =
        header("transfer-encoding").is_some_and(|v| v.to_ascii_lowercase().contains("chunked"));
    let length = header("content-length").and_then(|v| v.trim().parse::<usize>().ok());
    let body =
        read_body(&mut reader, chunked, length, body_limit).map_err(|e| (Phase::Response, e))?;
    hop.first_line = Some(first_line(&body));
    Ok(Response {
        status,
        location: header("location"),
        body: String::from_utf8_lossy(&body).into_owned(),
    })
}

fn path_and_query(url: &Url) -> String {
    let path = if url.path.is_empty() { "/" } else { &url.path };
    match &url.query {
        Some(q) => format!("{path}?{q}"),
        None => path.to_string(),
    }
}

/// A reader that refreshes the socket timeout from the deadline before each read.
struct TimedReader {
    inner: Stream,
    deadline: Instant,
}

impl Read for TimedReader {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let tcp = match &self.inner {
            Stream::Plain(s) => s,
            Stream::Tls(s) => s.get_ref(),
        };
        set_timeouts(tcp, self.deadline)?;
        self.inner.read(buf)
    }
}

/// Resolve on a helper thread so a stuck resolver cannot outlive the deadline.
fn resolve(host: &str, port: u16, deadline: Instant) -> io::Result<Vec<SocketAddr>> {
    if let Ok(ip) = host.parse::<std::net::IpAddr>() {
        return Ok(vec![SocketAddr::new(ip, port)]);
    }
    let (tx, rx) = mpsc::channel();
    let name = host.to_string();
    std::thread::spawn(move || {
        let _ = tx.send(
            (name.as_str(), port)
                .to_socket_addrs()
                .map(Iterator::collect::<Vec<_>>),
        );
    });
    match rx.recv_timeout(remaining(deadline)?) {
        Ok(Ok(addrs)) if !addrs.is_empty() => Ok(addrs),
        Ok(Ok(_)) => Err(io::Error::new(
            io::ErrorKind::NotFound,
            format!("no such host {host}"),
        )),
        Ok(Err(e)) => Err(io::Error::new(e.kind(), format!("lookup {host}: {e}"))),
        Err(_) => Err(io::Error::new(io::ErrorKind::TimedOut, "timed out")),
    }
}

fn connect(addrs: &[SocketAddr], deadline: Instant) -> io::Result<TcpStream> {
    let mut last = io::Error::new(io::ErrorKind::NotFound, "no address");
    for addr in addrs {
        match TcpStream::connect_timeout(addr, remaining(deadline)?) {
            Ok(s) => return Ok(s),
            Err(e) => last = io::Error::new(e.kind(), format!("dial tcp {addr}: {e}")),
        }
    }
    Err(last)
}

/// Status line and headers.
type Head = (u16, String, Vec<(String, String)>);

fn read_head(reader: &mut impl BufRead) -> io::Result<Head> {
    let mut total = 0;
    let mut line = String::new();
    let mut read_line = |line: &mut String| -> io::Result<()> {
        line.clear();
        let n = reader.take((MAX_HEAD - total) as u64).read_line(line)?;
        total += n;
        if n == 0 || total >= MAX_HEAD {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                "malformed HTTP response: headers cut short",
            ));
        }
        Ok(())
    };
    read_line(&mut line)?;
    let status_line = line.trim_end().to_string();
    let mut parts = status_line.splitn(3, ' ');
    let (version, code) = (parts.next().unwrap_or(""), parts.next().unwrap_or(""));
    let reason = parts.next().unwrap_or("").to_string();
    let status = match (version.starts_with("HTTP/"), code.parse::<u16>()) {
        (true, Ok(c)) => c,
        _ => {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                format!(
                    "malformed HTTP response {:?}",
                    first_line(status_line.as_bytes())
                ),
            ));
        }
    };
    let mut headers = Vec::new();
    loop {
        read_line(&mut line)?;
        let l = line.trim_end();
        if l.is_empty() {
            break;
        }
        if let Some((k, v)) = l.split_once(':') {
            headers.push((k.trim().to_string(), v.trim().to_string()));
        }
    }
    Ok((status, reason, headers))
}

/// Up to `limit` bytes of the body, de-chunked.
fn read_body(
    reader: &mut impl BufRead,
    chunked: bool,
    length: Option<usize>,
    limit: usize,
) -> io::Result<Vec<u8>> {
    let mut body = Vec::new();
    if chunked {
        loop {
            let mut size_line = String::new();
            if reader.read_line(&mut size_line)? == 0 {
                break;
            }
            let size_text = size_line.trim().split(';').next().unwrap_or("");
            let size = usize::from_str_radix(size_text, 16).map_err(|_| {
                io::Error::new(io::ErrorKind::InvalidData, "malformed chunked encoding")
            })?;
            if size == 0 || body.len() >= limit {
                break;
            }
            let want = size.min(limit - body.len());
            let mut chunk = vec![0; want];
            reader.read_exact(&mut chunk)?;
            body.extend_from_slice(&chunk);
            if want < size {
                break;
            }
            let mut crlf = String::new();
            reader.read_line(&mut crlf)?;
        }
    } else {
        let want = length.unwrap_or(usize::MAX).min(limit);
        match reader.take(want as u64).read_to_end(&mut body) {
            // A TLS peer that closes without close_notify ends a body without length.
            Err(e) if e.kind() == io::ErrorKind::UnexpectedEof && length.is_none() => {}
            Err(e) => return Err(e),
            Ok(_) => {}
        }
    }
    Ok(body)
}

/// The first line of a body, trimmed to 200 characters.
fn first_line(body: &[u8]) -> String {
    let text = String::from_utf8_lossy(body);
    let line = text.split('\n').next().unwrap_or("").trim_end_matches('\r');
    let mut out: String = line.chars().take(200).collect();
    if line.chars().count() > 200 {
        out.push('…');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_proxy_follows_httpproxy() {
        assert!(use_proxy("", "proxy.golang.org", 443));
        assert!(!use_proxy("", "localhost", 443));
        assert!(!use_proxy("", "127.0.0.1", 80));
        assert!(!use_proxy("", "::1", 80));
        assert!(!use_proxy("*", "proxy.golang.org", 443));
        assert!(!use_proxy("golang.org", "proxy.golang.org", 443));
        assert!(!use_proxy("golang.org", "golang.org", 443));
        assert!(use_proxy(".golang.org", "golang.org", 443));
        assert!(!use_proxy("*.golang.org", "proxy.golang.org", 443));
        assert!(use_proxy("golang.org:80", "proxy.golang.org", 443));
        assert!(!use_proxy(
            " corp.com , golang.org:443",
            "proxy.golang.org",
            443
        ));
        assert!(!use_proxy("10.0.0.0/8", "10.1.2.3", 443));
        assert!(use_proxy("10.0.0.0/8", "11.1.2.3", 443));
        assert!(!use_proxy("192.168.1.1", "192.168.1.1", 443));
        assert!(use_proxy("corp.com", "10.1.2.3", 443));
        assert!(use_proxy("notgolang.org", "golang.org", 443));
    }

    /// Go's own vector, src/cmd/go/internal/auth/netrc_test.go.
    #[test]
    fn netrc_follows_auth_parse_netrc() {
        let text = "
machine incomplete
password none

machine api.github.com
  login user
  password pwd

machine incomlete.host
  login justlogin

machine test.host
login user2
password pwd2

machine oneline login user3 password pwd3

machine ignore.host macdef ignore
  login nobody
  password nothing

machine hasmacro.too macdef ignore-next-lines login user4 password pwd4
  login nobody
  password nothing

default
login anonymous
password gopher@golang.org

machine after.default
login oops
password too-late-in-file
";
        let got: Vec<_> = parse_netrc(text)
            .into_iter()
            .map(|l| (l.machine, l.login, l.password))
            .collect();
        let want = [
            ("api.github.com", "user", "pwd"),
            ("test.host", "user2", "pwd2"),
            ("oneline", "user3", "pwd3"),
            ("hasmacro.too", "user4", "pwd4"),
        ]
        .map(|(m, l, p)| (m.to_string(), l.to_string(), p.to_string()));
        assert_eq!(got, want);
    }

    #[test]
    fn go_import_meta_is_found() {
        let body = r#"<html><head><meta name="go-import" content="corp.com/x git https://git.corp.com/x"></head>"#;
        assert_eq!(
            go_import(body, "corp.com/x/sub").as_deref(),
            Some("corp.com/x git https://git.corp.com/x")
        );
        assert_eq!(go_import(body, "corp.com/xy"), None);
    }

    #[test]
    fn references_resolve() {
        let base = Url::parse("http://127.0.0.1:8080/a/b/@v/list").unwrap();
        assert_eq!(
            resolve_reference(&base, "/x").unwrap().to_string(),
            "http://127.0.0.1:8080/x"
        );
        assert_eq!(
            resolve_reference(&base, "y").unwrap().to_string(),
            "http://127.0.0.1:8080/a/b/@v/y"
        );
        assert_eq!(
            resolve_reference(&base, "//h:1/z").unwrap().to_string(),
            "http://h:1/z"
        );
        assert_eq!(
            resolve_reference(&base, "https://o/p").unwrap().to_string(),
            "https://o/p"
        );
    }
}
