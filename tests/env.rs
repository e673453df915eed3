//! `modcache env`: precedence, derivations, lints, `--explain` and `--gomod`, checked
//! through the binary's JSON, and cross-checked with real Go's `go env -json` for the
//! same environment and env file.
//!
//! Go is found by the test harness (`$MODCACHE_TEST_GO`, `go` on PATH, `.venv/bin/go`);
//! without one the cross-check prints `SKIPPED (Go not found)`, or fails under CI.

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

/// Every setting `modcache env` reports; each is compared with `go env -json`.
use modcache::goenv::config::SETTINGS;

/// A scratch HOME with an optional env file, and the variables of one case.
struct Case {
    home: tempfile::TempDir,
    vars: Vec<(String, String)>,
}

impl Case {
    fn new() -> Case {
        let home = tempfile::tempdir().unwrap();
        let vars = vec![(
            "HOME".to_string(),
            home.path().to_string_lossy().into_owned(),
        )];
        Case { home, vars }
    }

    fn var(mut self, k: &str, v: impl AsRef<str>) -> Case {
        self.vars.retain(|(key, _)| key != k);
        self.vars.push((k.to_string(), v.as_ref().to_string()));
        self
    }

    fn unset(mut self, k: &str) -> Case {
        self.vars.retain(|(key, _)| key != k);
        self
    }

    /// Write the default env file, `$HOME/.config/go/env`.
    fn env_file(self, text: &str) -> Case {
        let dir = self.home.path().join(".config/go");
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("env"), text).unwrap();
        self
    }

    fn path(&self, rel: &str) -> PathBuf {
        self.home.path().join(rel)
    }

    fn modcache(&self, args: &[&str]) -> Output {
        Command::new(env!("CARGO_BIN_EXE_modcache"))
            .arg("env")
            .args(args)
            .env_clear()
            .envs(self.vars.iter().cloned())
            .current_dir(self.home.path())
            .output()
            .unwrap()
    }

    fn json(&self, args: &[&str]) -> (i32, Value) {
        let mut all = vec!["--json"];
        all.extend_from_slice(args);
        let out = self.modcache(&all);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.is_empty(), "stderr: {stderr}");
        let doc: Value = serde_json::from_slice(&out.stdout)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&out.stdout)));
        (out.status.code().unwrap(), doc)
    }

    fn settings(&self) -> BTreeMap<String, Value> {
        let (_, doc) = self.json(&[]);
        doc["settings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| (s["name"].as_str().unwrap().to_string(), s.clone()))
            .collect()
    }
}

fn goroot() -> Option<PathBuf> {
    let go = find_go()?;
    let out = Command::new(&go)
        .args(["env", "GOROOT"])
        .env("GOTOOLCHAIN", "local")
        .current_dir("/")
        .output()
        .ok()?;
    let dir = String::from_utf8(out.stdout).ok()?.trim().to_string();
    (!dir.is_empty()).then(|| PathBuf::from(dir))
}

/// Go as the test harness finds it (`$MODCACHE_TEST_GO`, PATH, `.venv/bin/go`).
fn find_go() -> Option<PathBuf> {
    common::go().map(Path::to_path_buf)
}

/// A case whose GOROOT is the real Go installation (when there is one), so go.env
/// defaults come from the same file for Go and modcache.
fn with_goroot(case: Case) -> Case {
    match goroot() {
        Some(root) => case.var("GOROOT", root.to_string_lossy()),
        None => case,
    }
}

fn value<'a>(s: &'a BTreeMap<String, Value>, name: &str) -> (&'a str, &'a str) {
    let v = &s[name];
    (v["value"].as_str().unwrap(), v["source"].as_str().unwrap())
}

#[test]
fn precedence_environment_over_env_file_over_go_env() {
    let case = with_goroot(Case::new())
        .env_file("GOPROXY=https://file.example\nGOPRIVATE=file.example\nGOFLAGS=-mod=mod\n# comment\nlower=x\n")
        .var("GOPROXY", "https://env.example,direct");
    let s = case.settings();
    assert_eq!(
        value(&s, "GOPROXY"),
        ("https://env.example,direct", "environment")
    );
    let shadowed = s["GOPROXY"]["shadowed"].as_array().unwrap();
    assert_eq!(shadowed[0]["value"], "https://file.example");
    assert_eq!(shadowed[0]["source"], "env-file");
    assert_eq!(
        shadowed[0]["source-path"],
        case.path(".config/go/env").to_str().unwrap()
    );
    assert_eq!(value(&s, "GOPRIVATE"), ("file.example", "env-file"));
    assert_eq!(value(&s, "GOFLAGS"), ("-mod=mod", "env-file"));
    // GONOPROXY and GONOSUMDB default to GOPRIVATE.
    assert_eq!(value(&s, "GONOPROXY"), ("file.example", "derived"));
    assert_eq!(s["GONOSUMDB"]["derived-from"], "GOPRIVATE");
    assert_eq!(value(&s, "GOAUTH"), ("netrc", "default"));
    assert_eq!(
        value(&s, "GOENV"),
        (case.path(".config/go/env").to_str().unwrap(), "default")
    );
    assert_eq!(
        value(&s, "GOPATH"),
        (case.path("go").to_str().unwrap(), "default")
    );
    assert_eq!(
        value(&s, "GOMODCACHE"),
        (case.path("go/pkg/mod").to_str().unwrap(), "derived")
    );
    if goroot().is_some() {
        assert_eq!(value(&s, "GOSUMDB"), ("sum.golang.org", "goroot-env"));
        assert_eq!(value(&s, "GOTOOLCHAIN"), ("auto", "goroot-env"));
    }
}

#[test]
fn empty_env_file_line_hides_go_env_and_fails_downloads() {
    // Go has no built-in GOPROXY: an empty line hides go.env's (real or assumed).
    let case = with_goroot(Case::new()).env_file("GOPROXY=\n");
    let (code, doc) = case.json(&["--explain", "rsc.io/quote"]);
    assert_eq!(code, 1);
    let gp = doc["settings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["name"] == "GOPROXY")
        .unwrap();
    assert_eq!(
        (gp["value"].as_str(), gp["source"].as_str()),
        (Some(""), Some("env-file"))
    );
    assert_eq!(doc["lints"][0]["id"], "goproxy-empty");
    assert_eq!(
        doc["modules"][0]["error"],
        "GOPROXY list is not the empty string, but contains no entries"
    );
}

#[test]
fn no_go_installation_assumes_standard_defaults() {
    let case = Case::new().var("PATH", "/nonexistent").var("GOENV", "off");
    let (code, doc) = case.json(&[]);
    assert_eq!(code, 0, "{doc:#}");
    assert!(doc["goroot"].is_null());
    let s = case.settings();
    assert_eq!(
        value(&s, "GOPROXY"),
        ("https://proxy.golang.org,direct", "default")
    );
    assert_eq!(value(&s, "GOSUMDB"), ("sum.golang.org", "default"));
    assert_eq!(value(&s, "GOENV"), ("", "environment"));
    assert_eq!(value(&s, "GOROOT"), ("", "unset"));
    assert_eq!(doc["goproxy"]["entries"][1]["kind"], "direct");
    assert_eq!(doc["gosumdb"]["name"], "sum.golang.org");
}

/// Every lint the settings below should raise, by id.
#[test]
fn lints_name_the_foot_guns() {
    /// (variables, lint id, severity)
    type LintCase<'a> = (&'a [(&'a str, &'a str)], &'a str, &'a str);
    let cases: &[LintCase] = &[
        (&[("GOSUMDB", "off")], "gosumdb-off", "warning"),
        (&[("GOFLAGS", "-insecure")], "goflags-insecure", "error"),
        (&[("GOFLAGS", "-mod=mod 'oops")], "goflags-invalid", "error"),
        (
            &[("GOFLAGS", "-mod=vendor")],
            "goflags-mod-vendor",
            "warning",
        ),
        (&[("GOPROXY", "off")], "goproxy-off", "warning"),
        (&[("GOPROXY", "corpproxy")], "goproxy-invalid", "error"),
        (&[("GOPROXY", ",")], "goproxy-empty", "error"),
        (
            &[("GOPROXY", "direct,https://proxy.golang.org")],
            "goproxy-ignored-entries",
            "warning",
        ),
        (
            &[("GOPROXY", "http://u:p@proxy.corp.example")],
            "goproxy-credentials-over-http",
            "error",
        ),
        (
            &[
                ("GOPROXY", "https://proxy.corp.example"),
                ("GOPRIVATE", "corp.example"),
            ],
            "goproxy-private-bypass",
            "warning",
        ),
        (
            &[
                ("GONOPROXY", "corp.example"),
                ("GONOSUMDB", "other.example"),
            ],
            "gonosumdb-narrower",
            "warning",
        ),
        (
            &[("GOPRIVATE", "https://github.com/corp")],
            "pattern-scheme",
            "warning",
        ),
        (
            &[("GOPRIVATE", "corp.example, other.example")],
            "pattern-whitespace",
            "warning",
        ),
        (
            &[("GOPRIVATE", "corp.example//")],
            "pattern-slash",
            "warning",
        ),
        (
            &[("GOPRIVATE", "corp.example/x@v1")],
            "pattern-version",
            "warning",
        ),
        (
            &[("GOINSECURE", "corp[.example")],
            "pattern-syntax",
            "warning",
        ),
        (
            &[("GOPRIVATE", "corp.example/")],
            "pattern-trailing-slash",
            "info",
        ),
        (&[("GO111MODULE", "off")], "go111module-off", "error"),
        (
            &[("GOTOOLCHAIN", "go1.21+always")],
            "gotoolchain-invalid",
            "error",
        ),
        (
            &[("GOTOOLCHAIN", "auto"), ("GOSUMDB", "off")],
            "gotoolchain-needs-sumdb",
            "warning",
        ),
        (&[("GOVCS", "github.com")], "govcs-invalid", "error"),
        (&[("GOAUTH", "off;netrc")], "goauth-invalid", "error"),
        (&[("GOMODCACHE", "relative/dir")], "relative-path", "error"),
    ];
    for (vars, id, severity) in cases {
        let mut case = Case::new().var("GOENV", "off").var("PATH", "/nonexistent");
        for (k, v) in *vars {
            case = case.var(k, v);
        }
        let (code, doc) = case.json(&[]);
        let lints = doc["lints"].as_array().unwrap();
        let lint = lints
            .iter()
            .find(|l| l["id"] == *id)
            .unwrap_or_else(|| panic!("{vars:?}: no {id} lint in {lints:#?}"));
        assert_eq!(lint["severity"], *severity, "{id}");
        assert!(
            !lint["reason"].as_str().unwrap().is_empty()
                && !lint["fix"].as_str().unwrap().is_empty()
        );
        assert_eq!(
            code,
            if *severity == "info" { 0 } else { 1 },
            "{id}: exit code"
        );
    }
}

#[test]
fn env_file_shadowed_and_gomodcache_in_module_are_linted() {
    let case = Case::new()
        .env_file("GOPRIVATE=corp.example\n")
        .var("GOPRIVATE", "other.example")
        .var("PATH", "/nonexistent");
    std::fs::write(case.path("go.mod"), "module example.com/home\n").unwrap();
    let (code, doc) = case.json(&[]);
    assert_eq!(code, 1);
    let ids: Vec<&str> = doc["lints"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["id"].as_str().unwrap())
        .collect();
    assert!(ids.contains(&"env-file-shadowed"), "{ids:?}");
    assert!(ids.contains(&"gomodcache-in-module"), "{ids:?}");
}

#[test]
fn clean_default_environment_has_no_lints() {
    let case = Case::new().var("PATH", "/nonexistent");
    let (code, doc) = case.json(&["--explain", "rsc.io/quote@v1.5.2"]);
    assert_eq!(code, 0, "{doc:#}");
    assert_eq!(doc["lints"], Value::Array(vec![]));
    assert_eq!(doc["problems"], 0);
}

#[test]
fn explain_orders_sources_as_try_proxies_does() {
    let case = Case::new()
        .var("PATH", "/nonexistent")
        .var("GOENV", "off")
        .var("GOPROXY", "https://a.example|https://b.example,direct")
        .var("GOPRIVATE", "*.corp.example,rsc.io/private")
        .var("GOINSECURE", "git.corp.example")
        .var("GOVCS", "*.corp.example:git");
    let (_, doc) = case.json(&[
        "--explain",
        "rsc.io/quote@v1.5.2",
        "--explain",
        "git.corp.example/team/repo",
    ]);
    let public = &doc["modules"][0];
    assert_eq!(public["module"], "rsc.io/quote");
    assert_eq!(public["version"], "v1.5.2");
    let sources: Vec<(&str, &str)> = public["sources"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["source"].as_str().unwrap(),
                s["on-failure"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        sources,
        [
            ("https://a.example", "next-on-any-error"),
            ("https://b.example", "next-if-not-found"),
            ("direct", "last")
        ]
    );
    assert_eq!(public["skipped"][0]["entry"], "noproxy");
    assert_eq!(public["checksum-db"]["consulted"], true);
    assert_eq!(public["checksum-db"]["name"], "sum.golang.org");
    assert!(public["private"].is_null());
    assert_eq!(public["vcs"]["allowed"], serde_json::json!(["git", "hg"]));

    let private = &doc["modules"][1];
    assert_eq!(private["private"], "*.corp.example");
    assert_eq!(private["noproxy"], "*.corp.example");
    assert_eq!(private["nosumdb"], "*.corp.example");
    assert_eq!(private["insecure"], "git.corp.example");
    let kinds: Vec<&str> = private["sources"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["direct"]);
    assert_eq!(
        private["skipped"].as_array().unwrap().len(),
        3,
        "{private:#}"
    );
    assert_eq!(private["checksum-db"]["consulted"], false);
    assert_eq!(private["vcs"]["allowed"], serde_json::json!(["git"]));
}

#[test]
fn gomod_requirements_with_replacements() {
    let case = Case::new().var("PATH", "/nonexistent").var("GOENV", "off");
    // Not $HOME/go.mod: that would put the default GOMODCACHE inside a module.
    std::fs::create_dir(case.path("app")).unwrap();
    let gomod = case.path("app/go.mod");
    std::fs::write(
        &gomod,
        "module example.com/app\n\ngo 1.22\n\nrequire (\n\trsc.io/quote v1.5.2\n\tgolang.org/x/text v0.14.0 // indirect\n)\n\nreplace rsc.io/quote => ../quote\nreplace golang.org/x/text v0.14.0 => example.com/fork/text v0.14.1\n",
    )
    .unwrap();
    let (code, doc) = case.json(&["--gomod", gomod.to_str().unwrap()]);
    assert_eq!(code, 0, "{doc:#}");
    let m = doc["modules"].as_array().unwrap();
    assert_eq!(m.len(), 2);
    assert_eq!(m[0]["replaced-by"]["path"], "../quote");
    assert_eq!(m[0]["sources"], Value::Array(vec![]));
    assert_eq!(m[1]["module"], "golang.org/x/text");
    assert_eq!(m[1]["replaced-by"]["path"], "example.com/fork/text");
    assert_eq!(m[1]["replaced-by"]["line"], 11);
}

#[test]
fn garbage_gomod_is_one_line_error_with_file_and_line() {
    let case = Case::new().var("PATH", "/nonexistent").var("GOENV", "off");
    let gomod = case.path("go.mod");
    std::fs::write(&gomod, "module m\n\nrequire (\n  rsc.io/quote\n)\n").unwrap();
    let out = case.modcache(&["--gomod", gomod.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty());
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        format!(
            "modcache: {}:4: usage: require module/path v1.2.3\n",
            gomod.display()
        )
    );
}

#[test]
fn usage_errors_exit_2() {
    let case = Case::new().var("PATH", "/nonexistent");
    let out = case.modcache(&["--explain", "https://github.com/a/b"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr)
            .starts_with("modcache: --explain: malformed module path")
    );
    let out = case.modcache(&["--probe"]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        "modcache: --probe needs modules: give --explain MODULE[@VERSION] or --gomod FILE\n"
    );
}

#[test]
fn human_output_redacts_passwords() {
    let case = Case::new()
        .var("PATH", "/nonexistent")
        .var("GOENV", "off")
        .var("GOPROXY", "https://alice:s3cret@proxy.corp.example,direct");
    let out = case.modcache(&["--explain", "rsc.io/quote"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(!text.contains("s3cret"), "{text}");
    assert!(
        text.contains("https://alice:xxxxx@proxy.corp.example"),
        "{text}"
    );
}

/// The same environment and env file, through `go env -json` and `modcache env --json`.
#[test]
fn cross_check_with_go_env() {
    let Some(go) = find_go() else {
        common::skip_without_go(module_path!());
        return;
    };
    let go_dir = go.parent().unwrap().to_string_lossy().into_owned();
    let path = format!("{go_dir}:/usr/bin:/bin");
    let root = goroot().expect("go env GOROOT");
    let cases: Vec<(&str, Case)> = vec![
        ("defaults, GOROOT from the go on PATH", Case::new().var("PATH", &path)),
        (
            "env file and environment",
            Case::new()
                .var("PATH", &path)
                .env_file("GOPROXY=https://file.example|direct\nGOPRIVATE=*.corp.example\nGOSUMDB=off\nGOFLAGS=-mod=mod\nGONOSUMDB=\n")
                .var("GOPROXY", "https://env.example,direct")
                .var("GOINSECURE", "git.corp.example"),
        ),
        (
            "GONOPROXY/GONOSUMDB explicit, GOAUTH and GOTOOLCHAIN in the file",
            Case::new()
                .var("PATH", &path)
                .env_file("GOAUTH=netrc;git /tmp\nGOTOOLCHAIN=local+auto\nGONOPROXY=none\n")
                .var("GOPRIVATE", "corp.example")
                .var("GONOSUMDB", "corp.example,other.example"),
        ),
        (
            "empty GOPROXY line in the env file",
            Case::new().var("PATH", &path).env_file("GOPROXY=\nGOVCS=public:git\n"),
        ),
        (
            "GOENV=off and an explicit GOROOT",
            Case::new().var("PATH", "/nonexistent").var("GOENV", "off").var("GOROOT", root.to_string_lossy()).var("GO111MODULE", "auto"),
        ),
        (
            "XDG_CONFIG_HOME and a GOPATH list",
            {
                // Inside the case's scratch HOME: Go writes telemetry counters there.
                let c = Case::new();
                let xdg = c.path("xdg");
                c.var("PATH", &path)
                    .var("XDG_CONFIG_HOME", xdg.to_string_lossy())
                    .var("GOPATH", "/tmp/a/../gp1/:/tmp/gp2")
            },
        ),
        (
            "GOENV file, GOMODCACHE there, no HOME",
            {
                let c = Case::new();
                let file = c.path("goenv");
                std::fs::write(&file, "GOMODCACHE=/tmp/mc\nGOPATH=/tmp/gopath\n").unwrap();
                c.unset("HOME").var("PATH", &path).var("GOENV", file.to_string_lossy())
            },
        ),
    ];
    for (name, case) in cases {
        let out = Command::new(&go)
            .args(["env", "-json"])
            .args(SETTINGS)
            .env_clear()
            .envs(case.vars.iter().cloned())
            .current_dir(case.home.path())
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{name}: go env: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let want: BTreeMap<String, String> = serde_json::from_slice(&out.stdout).unwrap();
        let got: BTreeMap<String, String> = case
            .settings()
            .into_iter()
            .map(|(k, v)| (k, v["value"].as_str().unwrap().to_string()))
            .collect();
        assert_eq!(got, want, "{name}");
    }
}

#[test]
fn gomod_path_must_exist() {
    let case = Case::new().var("PATH", "/nonexistent");
    let missing = Path::new("/nonexistent/go.mod");
    let out = case.modcache(&["--gomod", missing.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).starts_with("modcache: /nonexistent/go.mod: "));
}
