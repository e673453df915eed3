//! Output of `modcache env`: text for people, or one JSON document (schema in
//! docs/env.md). Setting values are exact in JSON, as `go env -json` prints them; human
//! text replaces URL passwords with `xxxxx` so that output can be pasted into a bug
//! report. Probe URLs are always redacted, and credentials are never printed.

use std::io::{self, Write};
use std::time::Duration;

use serde::Serialize;

use modcache::goenv::Source;
use modcache::goenv::config::{GoConfig, ProxyKind, SumDb, Value};
use modcache::goenv::diagnose::Diagnosis;
use modcache::goenv::explain::{Explanation, StepKind};
use modcache::goenv::lint::Lint;
use modcache::goenv::probe::{Fetch, Hop, ModuleProbe, StepProbe, SumdbProbe};
use modcache::goenv::url::redact;

use super::show_text;

/// Write the diagnosis as JSON or as text.
pub fn write(out: &mut impl Write, d: &Diagnosis, json: bool, color: bool) -> io::Result<()> {
    if json {
        super::json::write(out, &EnvDoc::from(d))
    } else {
        human(out, d, color)
    }
}

// ---------------------------------------------------------------- JSON contract

#[derive(Debug, Serialize)]
#[serde(rename_all = "kebab-case")]
pub struct EnvDoc {
    pub goroot: Option<GoRootDoc>,
    pub go_binary: Option<String>,
    pub env_file: Option<String>,
    pub settings: Vec<SettingDoc>,
    pub network: Vec<NetworkDoc>,
    pub goproxy: ProxyListDoc,
    pub gosumdb: SumDbDoc,
    pub lints: Vec<LintDoc>,
    pub gomod: Option<String>,
    pub modules: Vec<ModuleDoc>,
    pub sumdb_probe: Option<SumdbProbeDoc>,
    pub problems: usize,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "kebab-case")]
pub struct GoRootDoc {
    pub dir: String,
    pub found_by: &'static str,
    pub go_env: String,
    /// Why `go env GOROOT` could not help, when it was tried.
    pub error: Option<String>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "kebab-case")]
pub struct SettingDoc {
    pub name: &'static str,
    pub value: String,
    pub source: &'static str,
    pub source_path: Option<String>,
    pub derived_from: Option<&'static str>,
    pub shadowed: Vec<LayerDoc>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "kebab-case")]
pub struct LayerDoc {
    pub value: String,
    pub source: &'static str,
    pub source_path: Option<String>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "kebab-case")]
pub struct NetworkDoc {
    pub name: &'static str,
    pub value: String,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "kebab-case")]
pub struct ProxyListDoc {
    pub entries: Vec<ProxyEntryDoc>,
    pub ignored: Vec<String>,
    pub error: Option<String>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "kebab-case")]
pub struct ProxyEntryDoc {
    pub source: String,
    pub kind: &'static str,
    pub fallback_on_error: bool,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "kebab-case")]
pub struct SumDbDoc {
    pub state: &'static str,
    pub name: Option<String>,
    pub url: Option<String>,
    pub error: Option<String>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "kebab-case")]
pub struct LintDoc {
    pub id: &'static str,
    pub severity: &'static str,
    pub setting: String,
    pub reason: String,
    pub fix: String,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "kebab-case")]
pub struct ModuleDoc {
    pub module: String,
    pub version: Option<String>,
    pub replaced_by: Option<ReplacementDoc>,
    pub private: Option<String>,
    pub noproxy: Option<String>,
    pub nosumdb: Option<String>,
    pub insecure: Option<String>,
    pub error: Option<String>,
    pub sources: Vec<StepDoc>,
    pub skipped: Vec<SkippedDoc>,
    pub checksum_db: ChecksumDbDoc,
    pub vcs: Option<VcsDoc>,
    pub probe: Option<ModuleProbeDoc>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "kebab-case")]
pub struct ReplacementDoc {
    pub path: String,
    pub version: Option<String>,
    pub line: usize,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "kebab-case")]
pub struct StepDoc {
    pub source: String,
    pub kind: &'static str,
    pub why: String,
    pub on_failure: &'static str,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "kebab-case")]
pub struct SkippedDoc {
    pub entry: String,
    pub reason: String,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "kebab-case")]
pub struct ChecksumDbDoc {
    pub consulted: bool,
    pub name: Option<String>,
    pub reason: String,
    pub access: Option<String>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "kebab-case")]
pub struct VcsDoc {
    pub rule: String,
    pub allowed: Vec<String>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "kebab-case")]
pub struct ModuleProbeDoc {
    pub fetched: String,
    pub ok: bool,
    pub verdict: String,
    pub steps: Vec<StepProbeDoc>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "kebab-case")]
pub struct SumdbProbeDoc {
    pub name: String,
    pub ok: bool,
    pub verdict: String,
    pub steps: Vec<StepProbeDoc>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "kebab-case")]
pub struct StepProbeDoc {
    pub source: String,
    /// `found`, `not-found`, `failed`, or null when Go would not get this far.
    pub outcome: Option<&'static str>,
    pub note: Option<String>,
    pub fetches: Vec<FetchDoc>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "kebab-case")]
pub struct FetchDoc {
    pub url: String,
    pub outcome: &'static str,
    pub hops: Vec<HopDoc>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "kebab-case")]
pub struct HopDoc {
    pub url: String,
    pub proxy: Option<String>,
    pub status: Option<u16>,
    pub reason: Option<String>,
    pub first_line: Option<String>,
    pub credentials: Option<&'static str>,
    pub credentials_withheld: bool,
    pub error: Option<ErrorDoc>,
    pub timings: TimingsDoc,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "kebab-case")]
pub struct ErrorDoc {
    pub phase: &'static str,
    pub message: String,
    pub timed_out: bool,
}

/// Milliseconds, to the microsecond; null for a phase that did not happen.
#[derive(Debug, Serialize)]
#[serde(rename_all = "kebab-case")]
pub struct TimingsDoc {
    pub dns_ms: Option<f64>,
    pub connect_ms: Option<f64>,
    pub proxy_connect_ms: Option<f64>,
    pub tls_ms: Option<f64>,
    pub first_byte_ms: Option<f64>,
    pub total_ms: f64,
}

fn ms(d: Duration) -> f64 {
    (d.as_micros() as f64) / 1000.0
}

/// `(kind, path, derived-from)` of a source.
fn source_parts(s: &Source) -> (&'static str, Option<String>, Option<&'static str>) {
    let path = |p: &std::path::Path| Some(p.to_string_lossy().into_owned());
    match s {
        Source::Environment => ("environment", None, None),
        Source::EnvFile(p) => ("env-file", path(p), None),
        Source::GoRootEnv(p) => ("goroot-env", path(p), None),
        Source::Default => ("default", None, None),
        Source::Derived(from) => ("derived", None, Some(from)),
        Source::GoBinary(p) => ("go-binary", path(p), None),
        Source::GoCommand(p) => ("go-command", path(p), None),
        Source::Unset => ("unset", None, None),
    }
}

impl From<&Value> for SettingDoc {
    fn from(v: &Value) -> Self {
        let (source, source_path, derived_from) = source_parts(&v.source);
        SettingDoc {
            name: v.name,
            value: v.value.clone(),
            source,
            source_path,
            derived_from,
            shadowed: v
                .shadowed
                .iter()
                .map(|s| {
                    let (source, source_path, _) = source_parts(&s.source);
                    LayerDoc {
                        value: s.value.clone(),
                        source,
                        source_path,
                    }
                })
                .collect(),
        }
    }
}

fn proxy_kind(k: &ProxyKind) -> &'static str {
    match k {
        ProxyKind::Url(u) if u.scheme == "file" => "file",
        ProxyKind::Url(_) => "proxy",
        ProxyKind::Direct => "direct",
        ProxyKind::Off => "off",
        ProxyKind::NoProxy => "noproxy",
    }
}

fn step_kind(k: &StepKind) -> &'static str {
    match k {
        StepKind::Proxy(u) if u.scheme == "file" => "file",
        StepKind::Proxy(_) => "proxy",
        StepKind::Direct => "direct",
        StepKind::Off => "off",
    }
}

impl From<&Lint> for LintDoc {
    fn from(l: &Lint) -> Self {
        LintDoc {
            id: l.id,
            severity: l.severity.as_str(),
            setting: l.setting.clone(),
            reason: l.reason.clone(),
            fix: l.fix.clone(),
        }
    }
}

fn hop_doc(h: &Hop) -> HopDoc {
    HopDoc {
        url: h.url.clone(),
        proxy: h.proxy.clone(),
        status: h.status,
        reason: h.reason.clone(),
        first_line: h.first_line.clone(),
        credentials: h.credentials,
        credentials_withheld: h.credentials_withheld,
        error: h.error.as_ref().map(|e| ErrorDoc {
            phase: e.phase.as_str(),
            message: e.message.clone(),
            timed_out: e.timed_out,
        }),
        timings: TimingsDoc {
            dns_ms: h.timings.dns.map(ms),
            connect_ms: h.timings.connect.map(ms),
            proxy_connect_ms: h.timings.proxy_connect.map(ms),
            tls_ms: h.timings.tls.map(ms),
            first_byte_ms: h.timings.first_byte.map(ms),
            total_ms: ms(h.timings.total),
        },
    }
}

fn step_probe_doc(s: &StepProbe) -> StepProbeDoc {
    StepProbeDoc {
        source: redact(&s.source),
        outcome: s.outcome.map(|o| o.as_str()),
        note: s.note.clone(),
        fetches: s
            .fetches
            .iter()
            .map(|f: &Fetch| FetchDoc {
                url: f.url.clone(),
                outcome: f.outcome.as_str(),
                hops: f.hops.iter().map(hop_doc).collect(),
            })
            .collect(),
    }
}

fn module_doc(e: &Explanation, probe: Option<&ModuleProbe>) -> ModuleDoc {
    ModuleDoc {
        module: e.module.path.clone(),
        version: e.module.version.clone(),
        replaced_by: e.replaced_by.as_ref().map(|r| ReplacementDoc {
            path: r.new_path.clone(),
            version: r.new_version.clone(),
            line: r.line,
        }),
        private: e.private.clone(),
        noproxy: e.noproxy.clone(),
        nosumdb: e.nosumdb.clone(),
        insecure: e.insecure.clone(),
        error: e.error.clone(),
        sources: e
            .steps
            .iter()
            .map(|s| StepDoc {
                source: redact(&s.source),
                kind: step_kind(&s.kind),
                why: s.why.clone(),
                on_failure: s.on_failure.as_str(),
            })
            .collect(),
        skipped: e
            .skipped
            .iter()
            .map(|s| SkippedDoc {
                entry: redact(&s.entry),
                reason: s.reason.clone(),
            })
            .collect(),
        checksum_db: ChecksumDbDoc {
            consulted: e.checksum_db.consulted,
            name: e.checksum_db.name.clone(),
            reason: e.checksum_db.reason.clone(),
            access: e.checksum_db.access.clone(),
        },
        vcs: e.vcs.as_ref().map(|v| VcsDoc {
            rule: v.rule.clone(),
            allowed: v.allowed.clone(),
        }),
        probe: probe.map(|p| ModuleProbeDoc {
            fetched: p.module.to_string(),
            ok: p.ok,
            verdict: p.verdict.clone(),
            steps: p.steps.iter().map(step_probe_doc).collect(),
        }),
    }
}

fn sumdb_doc(c: &GoConfig) -> SumDbDoc {
    match c.sumdb() {
        SumDb::Off => SumDbDoc {
            state: "off",
            name: None,
            url: None,
            error: None,
        },
        SumDb::Db { name, url, .. } => SumDbDoc {
            state: "on",
            name: Some(name),
            url: url.map(|u| redact(&u)),
            error: None,
        },
        SumDb::Invalid(e) => SumDbDoc {
            state: "invalid",
            name: None,
            url: None,
            error: Some(e),
        },
    }
}

impl From<&Diagnosis> for EnvDoc {
    fn from(d: &Diagnosis) -> Self {
        let c = &d.config;
        let proxies = c.proxies();
        EnvDoc {
            goroot: c.goroot.as_ref().map(|g| GoRootDoc {
                dir: g.dir.to_string_lossy().into_owned(),
                found_by: source_parts(&g.source).0,
                go_env: g.dir.join("go.env").to_string_lossy().into_owned(),
                error: c.goroot_error.clone(),
            }),
            go_binary: c
                .go_binary
                .as_ref()
                .map(|p| p.to_string_lossy().into_owned()),
            env_file: c
                .env_file
                .as_ref()
                .map(|p| p.to_string_lossy().into_owned()),
            settings: c.settings.iter().map(SettingDoc::from).collect(),
            network: c
                .network
                .iter()
                .map(|v| NetworkDoc {
                    name: v.name,
                    value: v.value.clone(),
                })
                .collect(),
            goproxy: ProxyListDoc {
                entries: proxies
                    .entries
                    .iter()
                    .map(|e| ProxyEntryDoc {
                        source: redact(&e.text),
                        kind: proxy_kind(&e.kind),
                        fallback_on_error: e.fallback_on_error,
                    })
                    .collect(),
                ignored: proxies.ignored.iter().map(|s| redact(s)).collect(),
                error: proxies.error.clone(),
            },
            gosumdb: sumdb_doc(c),
            lints: d.lints.iter().map(LintDoc::from).collect(),
            gomod: d.gomod.as_ref().map(|p| p.to_string_lossy().into_owned()),
            modules: d
                .explanations
                .iter()
                .enumerate()
                .map(|(i, e)| module_doc(e, d.probes.get(i)))
                .collect(),
            sumdb_probe: d.sumdb_probe.as_ref().map(|p: &SumdbProbe| SumdbProbeDoc {
                name: p.name.clone(),
                ok: p.ok,
                verdict: p.verdict.clone(),
                steps: p.steps.iter().map(step_probe_doc).collect(),
            }),
            problems: d.problem_count(),
        }
    }
}

// ---------------------------------------------------------------- human text

struct Paint {
    color: bool,
}

impl Paint {
    fn wrap(&self, code: &str, s: &str) -> String {
        if self.color {
            format!("\x1b[{code}m{s}\x1b[0m")
        } else {
            s.to_string()
        }
    }
    fn bold(&self, s: &str) -> String {
        self.wrap("1", s)
    }
    fn dim(&self, s: &str) -> String {
        self.wrap("2", s)
    }
    fn red(&self, s: &str) -> String {
        self.wrap("31", s)
    }
    fn yellow(&self, s: &str) -> String {
        self.wrap("33", s)
    }
    fn green(&self, s: &str) -> String {
        self.wrap("32", s)
    }
}

fn source_text(s: &Source) -> String {
    let p = |p: &std::path::Path| super::show_path(p);
    match s {
        Source::Environment => "environment".into(),
        Source::EnvFile(f) => format!("env file {}", p(f)),
        Source::GoRootEnv(f) => format!("go.env {}", p(f)),
        Source::Default => "default".into(),
        Source::Derived(from) => format!("from {from}"),
        Source::GoBinary(go) => format!("above go binary {}", p(go)),
        Source::GoCommand(go) => format!("`{} env GOROOT`", p(go)),
        Source::Unset => "unset".into(),
    }
}

fn human(out: &mut impl Write, d: &Diagnosis, color: bool) -> io::Result<()> {
    let paint = Paint { color };
    let c = &d.config;
    let width = c
        .settings
        .iter()
        .map(|v| show_text(&redact(&v.value)).len())
        .max()
        .unwrap_or(0)
        .clamp(8, 40);
    for v in &c.settings {
        let value = show_text(&redact(&v.value));
        let shown = if value.is_empty() {
            "''".to_string()
        } else {
            value
        };
        writeln!(
            out,
            "{:<12} {:<width$}  {}",
            v.name,
            shown,
            paint.dim(&source_text(&v.source))
        )?;
        for s in &v.shadowed {
            writeln!(
                out,
                "{:<12} {}",
                "",
                paint.dim(&format!(
                    "shadows {}={} from {}",
                    v.name,
                    show_text(&redact(&s.value)),
                    source_text(&s.source)
                ))
            )?;
        }
    }
    for v in &c.network {
        writeln!(
            out,
            "{:<12} {:<width$}  {}",
            v.name,
            show_text(&redact(&v.value)),
            paint.dim("environment")
        )?;
    }
    match (&c.goroot, &c.goroot_error) {
        (None, Some(e)) => writeln!(
            out,
            "{}",
            paint.yellow(&format!(
                "GOROOT not found ({}); Go's standard go.env defaults assumed",
                show_text(e)
            ))
        )?,
        (None, None) => writeln!(
            out,
            "{}",
            paint.dim("no Go installation found: Go's standard go.env defaults assumed")
        )?,
        _ => {}
    }

    let proxies = c.proxies();
    writeln!(out)?;
    writeln!(out, "{}", paint.bold("GOPROXY list"))?;
    if let Some(e) = &proxies.error {
        writeln!(
            out,
            "  {}",
            paint.red(&format!("invalid: {}", show_text(e)))
        )?;
    }
    for (i, e) in proxies.entries.iter().enumerate() {
        let after = if i + 1 == proxies.entries.len() {
            ""
        } else if e.fallback_on_error {
            "  then the next on any error (|)"
        } else {
            "  then the next only on 404/410 (,)"
        };
        let what = match &e.kind {
            ProxyKind::NoProxy => "noproxy  (direct for modules matching GONOPROXY)".to_string(),
            _ => show_text(&redact(&e.text)),
        };
        writeln!(out, "  {}. {what}{}", i + 1, paint.dim(after))?;
    }
    for s in &proxies.ignored {
        writeln!(
            out,
            "  -  {}",
            paint.dim(&format!("{} (never used)", show_text(&redact(s))))
        )?;
    }
    let sumdb = match c.sumdb() {
        SumDb::Off => "off".to_string(),
        SumDb::Db {
            name, url: Some(u), ..
        } => format!("{name} at {}", redact(&u)),
        SumDb::Db {
            name, url: None, ..
        } => name,
        SumDb::Invalid(e) => paint.red(&format!("invalid: {e}")),
    };
    writeln!(
        out,
        "{} {}",
        paint.bold("checksum database:"),
        show_text(&sumdb)
    )?;

    if !d.lints.is_empty() {
        writeln!(out)?;
        writeln!(out, "{}", paint.bold(&format!("lints ({})", d.lints.len())))?;
        for l in &d.lints {
            let sev = match l.severity.as_str() {
                "error" => paint.red("error"),
                "warning" => paint.yellow("warning"),
                other => paint.dim(other),
            };
            writeln!(
                out,
                "  {sev} {} [{}]: {}",
                l.id,
                l.setting,
                show_text(&l.reason)
            )?;
            writeln!(out, "      fix: {}", show_text(&l.fix))?;
        }
    }

    for (i, e) in d.explanations.iter().enumerate() {
        writeln!(out)?;
        explanation(out, &paint, e, d.probes.get(i))?;
    }
    if let Some(p) = &d.sumdb_probe {
        writeln!(out)?;
        writeln!(
            out,
            "{}",
            paint.bold(&format!("checksum database {}", p.name))
        )?;
        for s in &p.steps {
            step_probe(out, &paint, s)?;
        }
        let verdict = if p.ok {
            paint.green(&p.verdict)
        } else {
            paint.red(&p.verdict)
        };
        writeln!(out, "  verdict: {}", show_text(&verdict))?;
    }
    let problems = d.problem_count();
    if problems > 0 {
        writeln!(out)?;
        writeln!(
            out,
            "{}",
            paint.red(&format!("{problems} problem(s) found"))
        )?;
    }
    Ok(())
}

fn explanation(
    out: &mut impl Write,
    paint: &Paint,
    e: &Explanation,
    probe: Option<&ModuleProbe>,
) -> io::Result<()> {
    writeln!(out, "{}", paint.bold(&show_text(&e.module.to_string())))?;
    if let Some(r) = &e.replaced_by {
        let to = match &r.new_version {
            Some(v) => format!("{}@{v}", r.new_path),
            None => format!("{} (local directory: not downloaded)", r.new_path),
        };
        writeln!(
            out,
            "  replaced by {} (go.mod line {})",
            show_text(&to),
            r.line
        )?;
    }
    let matched = |p: &Option<String>| {
        p.as_ref()
            .map_or("no".to_string(), |p| format!("yes ({p:?})"))
    };
    writeln!(
        out,
        "  private: {}  GONOPROXY: {}  GONOSUMDB: {}  GOINSECURE: {}",
        matched(&e.private),
        matched(&e.noproxy),
        matched(&e.nosumdb),
        matched(&e.insecure)
    )?;
    if let Some(err) = &e.error {
        writeln!(
            out,
            "  {}",
            paint.red(&format!("every download fails: {}", show_text(err)))
        )?;
    }
    if !e.steps.is_empty() {
        writeln!(out, "  sources, in order:")?;
    }
    for (i, s) in e.steps.iter().enumerate() {
        let after = match s.on_failure.as_str() {
            "next-if-not-found" => "; next only on 404/410",
            "next-on-any-error" => "; next on any error",
            _ => "",
        };
        writeln!(
            out,
            "    {}. {}  {}",
            i + 1,
            show_text(&redact(&s.source)),
            paint.dim(&format!("({}{after})", s.why))
        )?;
    }
    for s in &e.skipped {
        writeln!(
            out,
            "    -  {}",
            paint.dim(&format!(
                "{} skipped: {}",
                show_text(&redact(&s.entry)),
                s.reason
            ))
        )?;
    }
    if let Some(v) = &e.vcs {
        writeln!(
            out,
            "  direct may run: {}  (GOVCS rule {})",
            if v.allowed.is_empty() {
                "nothing".into()
            } else {
                v.allowed.join(", ")
            },
            show_text(&v.rule)
        )?;
    }
    let db = &e.checksum_db;
    let consulted = if db.consulted {
        format!("consulted ({})", db.name.as_deref().unwrap_or("?"))
    } else {
        "not consulted".into()
    };
    writeln!(
        out,
        "  checksum database: {consulted}: {}",
        show_text(&db.reason)
    )?;
    if let Some(a) = &db.access {
        writeln!(out, "    reached through {}", show_text(a))?;
    }
    if let Some(p) = probe {
        writeln!(out, "  probe of {}:", show_text(&p.module.to_string()))?;
        for s in &p.steps {
            step_probe(out, paint, s)?;
        }
        let verdict = if p.ok {
            paint.green(&p.verdict)
        } else {
            paint.red(&p.verdict)
        };
        writeln!(out, "  verdict: {}", show_text(&verdict))?;
    }
    Ok(())
}

fn step_probe(out: &mut impl Write, paint: &Paint, s: &StepProbe) -> io::Result<()> {
    let outcome = match s.outcome.map(|o| o.as_str()) {
        Some("found") => paint.green("found"),
        Some("not-found") => paint.yellow("not found"),
        Some(_) => paint.red("failed"),
        None => paint.dim("not tried"),
    };
    let note = s
        .note
        .as_deref()
        .map(|n| format!(" — {}", show_text(n)))
        .unwrap_or_default();
    writeln!(
        out,
        "    {}: {outcome}{}",
        show_text(&redact(&s.source)),
        paint.dim(&note)
    )?;
    for f in &s.fetches {
        for h in &f.hops {
            writeln!(out, "      GET {}", show_text(&h.url))?;
            let mut parts = Vec::new();
            if let Some(p) = &h.proxy {
                parts.push(format!("via proxy {}", show_text(p)));
            }
            let t = &h.timings;
            for (name, d) in [
                ("dns", t.dns),
                ("connect", t.connect),
                ("proxy", t.proxy_connect),
                ("tls", t.tls),
                ("first byte", t.first_byte),
            ] {
                if let Some(d) = d {
                    parts.push(format!("{name} {:.1}ms", ms(d)));
                }
            }
            parts.push(format!("total {:.1}ms", ms(t.total)));
            writeln!(out, "        {}", paint.dim(&parts.join(", ")))?;
            if let Some(status) = h.status {
                let line = h
                    .first_line
                    .as_deref()
                    .map(|l| format!("  {:?}", l))
                    .unwrap_or_default();
                writeln!(
                    out,
                    "        {} {}{}",
                    status,
                    show_text(h.reason.as_deref().unwrap_or("")),
                    show_text(&line)
                )?;
            } else if let Some(r) = &h.reason {
                writeln!(out, "        {}", show_text(r))?;
            }
            if let Some(c) = h.credentials {
                writeln!(
                    out,
                    "        {}",
                    paint.dim(&format!("credentials sent ({c})"))
                )?;
            }
            if h.credentials_withheld {
                writeln!(
                    out,
                    "        {}",
                    paint.dim("credentials withheld: this host is not theirs")
                )?;
            }
            if let Some(e) = &h.error {
                writeln!(
                    out,
                    "        {}",
                    paint.red(&format!(
                        "{} error: {}",
                        e.phase.as_str(),
                        show_text(&e.message)
                    ))
                )?;
            }
        }
    }
    Ok(())
}
