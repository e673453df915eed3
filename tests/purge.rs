//! `modcache purge` on real caches written by real Go: targets, `--from-log` on real Go
//! failures captured here, bad input, symlinks, locks and a concurrent `go mod download`.

mod common;

use std::collections::BTreeSet;
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Output, Stdio};

use common::lock::{hold_lock, start_waiting};
use common::*;
use serde_json::Value;

const VERSIONS: &[&str] = &[
    "rsc.io/quote@v1.5.2",
    "rsc.io/quote@v1.5.1",
    "rsc.io/quote@v1.5.3-pre1",
    "rsc.io/quote/v2@v2.0.1",
    "rsc.io/quote/v3@v3.0.0",
    "rsc.io/QUOTE@v1.5.2",
    "rsc.io/sampler@v1.3.0",
    "rsc.io/sampler@v1.3.1",
    "golang.org/x/text@v0.3.0",
    "golang.org/x/text@v0.0.0-20170915032832-14c0d48ead0c",
];

const MAIN_GO: &str = "package main\n\nimport (\n\t\"fmt\"\n\n\t\"rsc.io/quote\"\n)\n\nfunc main() { fmt.Println(quote.Hello()) }\n";

fn purge(cache: &GoCache, args: &[&str]) -> Output {
    cache
        .modcache()
        .arg("purge")
        .args(args)
        .arg("--modcache")
        .arg(cache.root())
        .output()
        .unwrap()
}

fn json_of(out: &Output) -> Value {
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("no JSON on stdout ({e}):\n{}", output_text(out)))
}

/// The versions a purge document lists as purged (with something removed).
fn purged(doc: &Value) -> BTreeSet<String> {
    doc["purged"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| !p["removed"].as_array().unwrap().is_empty())
        .map(module_version)
        .collect()
}

/// `module@version` of a JSON object with those two fields.
fn module_version(v: &Value) -> String {
    format!(
        "{}@{}",
        v["module"].as_str().unwrap(),
        v["version"].as_str().unwrap()
    )
}

fn removed_paths(doc: &Value) -> BTreeSet<PathBuf> {
    doc["purged"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|p| p["removed"].as_array().unwrap().iter())
        .map(|r| PathBuf::from(r["path"].as_str().unwrap()))
        .collect()
}

fn set(specs: &[&str]) -> BTreeSet<String> {
    specs.iter().map(|s| s.to_string()).collect()
}

#[test]
fn purge_removes_exactly_the_targets() {
    require_go!();
    let cache = GoCache::new();
    cache.download(VERSIONS);
    let before = cache.snapshot();

    let out = purge(&cache, &["rsc.io/quote@v1.5.2", "--json"]);
    assert_eq!(out.status.code(), Some(0), "{}", output_text(&out));
    let doc = json_of(&out);
    assert_eq!(purged(&doc), set(&["rsc.io/quote@v1.5.2"]));
    let q = cache.version("rsc.io/quote@v1.5.2").paths;
    assert_eq!(
        removed_paths(&doc),
        [q.ziphash.clone(), q.tree.clone(), q.zip.clone()].into()
    );
    let bytes: u64 = doc["purged"][0]["removed"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["bytes"].as_u64().unwrap())
        .sum();
    assert_eq!(doc["bytes_freed"].as_u64(), Some(bytes));
    assert!(q.info.exists() && q.gomod.exists() && q.lock.exists());
    let after = cache.snapshot();
    before
        .without_versions(&["rsc.io/quote@v1.5.2"])
        .assert_same(&after.without_versions(&["rsc.io/quote@v1.5.2"]));

    // A module path means exactly that module: not rsc.io/quote/v2, v3 or rsc.io/QUOTE.
    let out = purge(&cache, &["rsc.io/quote", "--json"]);
    assert_eq!(out.status.code(), Some(0), "{}", output_text(&out));
    assert_eq!(
        purged(&json_of(&out)),
        set(&["rsc.io/quote@v1.5.1", "rsc.io/quote@v1.5.3-pre1"])
    );

    // GOPRIVATE-style patterns match path prefixes.
    let out = purge(&cache, &["golang.org/x/*,rsc.io/q*/v3", "--json"]);
    assert_eq!(out.status.code(), Some(0), "{}", output_text(&out));
    assert_eq!(
        purged(&json_of(&out)),
        set(&[
            "golang.org/x/text@v0.3.0",
            "golang.org/x/text@v0.0.0-20170915032832-14c0d48ead0c",
            "rsc.io/quote/v3@v3.0.0",
        ])
    );

    // --all-metadata takes .info and .mod too, never the lock.
    let out = purge(
        &cache,
        &["--all-metadata", "rsc.io/sampler@v1.3.1", "--json"],
    );
    assert_eq!(out.status.code(), Some(0), "{}", output_text(&out));
    let s = cache.version("rsc.io/sampler@v1.3.1").paths;
    assert_eq!(
        removed_paths(&json_of(&out)),
        [s.ziphash, s.tree, s.zip, s.info, s.gomod].into()
    );
    assert!(s.lock.exists());

    let untouched = [
        "rsc.io/quote/v2@v2.0.1",
        "rsc.io/QUOTE@v1.5.2",
        "rsc.io/sampler@v1.3.0",
    ];
    let keep = |snap: &Snapshot| {
        let gone: Vec<&str> = VERSIONS
            .iter()
            .copied()
            .filter(|v| !untouched.contains(v))
            .collect();
        snap.without_versions(&gone)
    };
    keep(&before).assert_same(&keep(&cache.snapshot()));

    // Go fetches everything again, and it verifies.
    cache.download(VERSIONS);
    let out = cache
        .modcache()
        .args(["fsck", "--modcache"])
        .arg(cache.root())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", output_text(&out));
}

#[test]
fn purge_dry_run_prints_the_plan_and_removes_nothing() {
    require_go!();
    let cache = GoCache::new();
    cache.download(VERSIONS);
    let before = cache.snapshot();
    let out = purge(&cache, &["--dry-run", "--json", "rsc.io/sampler"]);
    assert_eq!(out.status.code(), Some(0), "{}", output_text(&out));
    cache.snapshot().assert_same(&before);
    let dry = json_of(&out);
    assert_eq!(dry["dry_run"], true);

    let human = purge(&cache, &["--dry-run", "rsc.io/sampler"]);
    cache.snapshot().assert_same(&before);
    let text = String::from_utf8(human.stdout).unwrap();
    for path in removed_paths(&dry) {
        assert!(
            text.contains(&format!("  would remove {} (", path.display())),
            "{text}"
        );
    }
    assert!(
        text.contains("would purge 2 versions: remove 6 paths, freeing "),
        "{text}"
    );

    let out = purge(&cache, &["--json", "rsc.io/sampler"]);
    let real = json_of(&out);
    assert_eq!(
        real["purged"], dry["purged"],
        "the real run removes what the dry run said"
    );
    assert_eq!(real["bytes_freed"], dry["bytes_freed"]);
}

// --- --from-log on real Go output ---

/// A project building a program that imports rsc.io/quote (so rsc.io/sampler and
/// golang.org/x/text too).
fn quote_project(cache: &GoCache) -> Project {
    let project = cache.project("app", &["rsc.io/quote@v1.5.2"]);
    fs::write(project.dir.join("main.go"), MAIN_GO).unwrap();
    // Records the indirect requirements a build of the package needs.
    let out = cache
        .go(&project.dir)
        .args(["get", "rsc.io/quote@v1.5.2"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", output_text(&out));
    let out = go_build(cache, &project);
    assert!(out.status.success(), "{}", output_text(&out));
    project
}

fn go_build(cache: &GoCache, project: &Project) -> Output {
    go_building(cache, &project.dir)
        .args(["build", "-o", "/dev/null", "."])
        .output()
        .unwrap()
}

/// `go` with a build cache shared by the tests here, so the standard library is compiled
/// once rather than once per test cache.
fn go_building(cache: &GoCache, dir: &Path) -> std::process::Command {
    let mut cmd = cache.go(dir);
    cmd.env(
        "GOCACHE",
        Path::new(env!("CARGO_TARGET_TMPDIR")).join("purge-tests-gocache"),
    );
    cmd
}

/// Run Go, which must fail; return what it printed (stdout then stderr).
fn go_fails(cache: &GoCache, dir: &Path, args: &[&str]) -> String {
    let out = go_building(cache, dir).args(args).output().unwrap();
    assert!(
        !out.status.success(),
        "go {args:?} should fail:\n{}",
        output_text(&out)
    );
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// `purge --from-log` on `log`, written to a file; returns the document.
fn purge_from_log(cache: &GoCache, log: &str) -> Value {
    let file = cache.dir().join("go.log");
    fs::write(&file, log).unwrap();
    let out = purge(cache, &["--json", "--from-log", file.to_str().unwrap()]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "log:\n{log}\n{}",
        output_text(&out)
    );
    json_of(&out)
}

fn named(doc: &Value) -> BTreeSet<String> {
    doc["from_log"]["named"]
        .as_array()
        .unwrap()
        .iter()
        .map(module_version)
        .collect()
}

#[test]
fn from_log_of_go_mod_verify() {
    require_go!();
    let cache = GoCache::new();
    let project = quote_project(&cache);
    cache
        .version("rsc.io/quote@v1.5.2")
        .edit_tree_file("quote.go", |d| d.push(b'\n'));
    cache
        .version("rsc.io/sampler@v1.3.0")
        .corrupt_zip_entry("glass.go");
    cache
        .version("golang.org/x/text@v0.0.0-20170915032832-14c0d48ead0c")
        .remove_ziphash();
    let log = go_fails(&cache, &project.dir, &["mod", "verify"]);
    let damaged = [
        "rsc.io/quote@v1.5.2",
        "rsc.io/sampler@v1.3.0",
        "golang.org/x/text@v0.0.0-20170915032832-14c0d48ead0c",
    ];
    let doc = purge_from_log(&cache, &log);
    assert_eq!(named(&doc), set(&damaged), "{log}");
    assert_eq!(purged(&doc), set(&damaged), "{doc:#}");

    cache.redownload_and_verify(&project);
    assert!(go_build(&cache, &project).status.success());
}

/// Breaks one cached version.
type Damage = fn(&CachedVersion);

/// Each damage makes `go build` fail with a different message; purging what the log
/// names lets the same build succeed.
#[test]
fn from_log_of_failed_builds() {
    require_go!();
    let cases: &[(&str, Damage, &str)] = &[
        // A zip that no longer matches go.sum, without .ziphash: Go re-hashes it and
        // prints a SECURITY ERROR block.
        (
            "security error",
            |v| {
                let zip = fs::read(&v.paths.zip).unwrap();
                let mut z = zip::ZipArchive::new(std::io::Cursor::new(zip)).unwrap();
                let mut entries = Vec::new();
                for i in 0..z.len() {
                    let mut f = z.by_index(i).unwrap();
                    let name = f.name().unwrap().into_owned();
                    let mut body = Vec::new();
                    std::io::Read::read_to_end(&mut f, &mut body).unwrap();
                    body.extend_from_slice(b"\n");
                    entries.push((name, body));
                }
                common::damage::with_writable(&v.paths.zip, || {
                    fs::write(&v.paths.zip, zip_bytes(&entries)).unwrap()
                });
                v.remove_ziphash();
                v.remove_tree();
            },
            "SECURITY ERROR",
        ),
        // A zip that is not a zip, tree gone: `-> unzip <path>: zip: not a valid zip file`.
        (
            "unzip",
            |v| {
                v.garbage_zip();
                v.remove_tree();
            },
            "zip: not a valid zip file",
        ),
        // Bit rot in the zip, tree gone: `zip: checksum error`.
        (
            "crc",
            |v| {
                v.corrupt_zip_entry("quote.go");
                v.remove_tree();
            },
            "zip: checksum error",
        ),
        // Truncated zip without .ziphash: `go: downloading ...` then an anonymous
        // `main.go:...: zip: not a valid zip file`.
        (
            "anonymous",
            |v| {
                v.truncate_zip();
                v.remove_ziphash();
                v.remove_tree();
            },
            "zip: not a valid zip file",
        ),
        // The cached .mod differs from go.sum: `verifying m@v/go.mod: checksum mismatch`.
        (
            "go.mod",
            |v| {
                v.edit_mod(|d| d.extend_from_slice(b"// edited\n"));
            },
            "go.mod: checksum mismatch",
        ),
        // A .ziphash Go cannot read as an h1: sum: `verifying m@v: unexpected ziphash`.
        (
            "unexpected ziphash",
            |v| {
                v.write_ziphash("h2:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=");
            },
            "unexpected ziphash",
        ),
    ];
    for (name, damage, marker) in cases {
        let cache = GoCache::new();
        let project = quote_project(&cache);
        let quote = cache.version("rsc.io/quote@v1.5.2");
        damage(&quote);
        let log = go_fails(&cache, &project.dir, &["build", "-o", "/dev/null", "."]);
        assert!(log.contains(marker), "{name}: {log}");

        let doc = purge_from_log(&cache, &log);
        assert_eq!(named(&doc), set(&["rsc.io/quote@v1.5.2"]), "{name}: {log}");
        assert_eq!(
            purged(&doc),
            set(&["rsc.io/quote@v1.5.2"]),
            "{name}: {doc:#}"
        );
        assert_eq!(
            doc["from_log"]["named"][0]["by_announcement"],
            *name == "anonymous",
            "{name}: only the anonymous failure is blamed through `go: downloading`: {log}"
        );
        if *name == "go.mod" {
            assert!(
                !quote.paths.gomod.exists(),
                "a go.mod failure purges the .mod too"
            );
        } else {
            assert!(quote.paths.gomod.exists() && quote.paths.info.exists());
        }
        let out = go_build(&cache, &project);
        assert!(
            out.status.success(),
            "{name}: build after purge:\n{}",
            output_text(&out)
        );
        let (ok, text) = cache.go_mod_verify(&project);
        assert!(ok, "{name}: {text}");
    }
}

#[test]
fn from_log_of_go_mod_download_json_read_from_stdin() {
    require_go!();
    let cache = GoCache::new();
    cache.download(VERSIONS);
    for spec in ["rsc.io/quote@v1.5.2", "rsc.io/sampler@v1.3.1"] {
        let v = cache.version(spec);
        v.truncate_zip();
        v.remove_ziphash();
    }
    let (out, downloaded) = cache.try_download(&[
        "rsc.io/quote@v1.5.2",
        "rsc.io/sampler@v1.3.1",
        "rsc.io/quote/v3@v3.0.0",
    ]);
    assert!(!out.status.success());
    assert_eq!(
        downloaded.iter().filter(|d| d.error.is_some()).count(),
        2,
        "{}",
        output_text(&out)
    );
    let log = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stderr),
        String::from_utf8_lossy(&out.stdout)
    );

    let mut child = cache
        .modcache()
        .args(["purge", "--json", "--from-log", "-", "--modcache"])
        .arg(cache.root())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(log.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", output_text(&out));
    let doc = json_of(&out);
    assert_eq!(doc["from_log"]["file"], "<stdin>");
    assert_eq!(
        purged(&doc),
        set(&["rsc.io/quote@v1.5.2", "rsc.io/sampler@v1.3.1"]),
        "{log}"
    );
    cache.download(VERSIONS);
}

#[test]
fn from_log_naming_nothing_says_so() {
    require_go!();
    let cache = GoCache::new();
    cache.download(VERSIONS);
    // `go mod download m@v` names nothing when a re-hash fails: a real, anonymous failure.
    let v = cache.version("rsc.io/quote@v1.5.2");
    v.truncate_zip();
    v.remove_ziphash();
    let log = go_fails(
        &cache,
        &cache.dir().join("work"),
        &["mod", "download", "rsc.io/quote@v1.5.2"],
    );
    assert_eq!(log, "go: zip: not a valid zip file\n");
    let before = cache.snapshot();

    let file = cache.dir().join("anonymous.log");
    fs::write(&file, &log).unwrap();
    let out = purge(&cache, &["--from-log", file.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(out.stdout, b"");
    assert_eq!(
        String::from_utf8(out.stderr).unwrap(),
        format!(
            "modcache: no module versions found in {}: 1 failure line naming no version \
             (rerun the failing command as `go mod download -json` to see which)\n",
            file.display()
        )
    );
    let file = cache.dir().join("clean.log");
    fs::write(
        &file,
        "go: downloading rsc.io/quote v1.5.2\nall modules verified\n",
    )
    .unwrap();
    let out = purge(&cache, &["--from-log", file.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        String::from_utf8(out.stderr).unwrap(),
        format!("modcache: no module versions found in {}\n", file.display())
    );
    cache.snapshot().assert_same(&before);
}

// --- bad input: exit 2, one line on stderr, nothing removed ---

#[test]
fn bad_input_is_one_line_and_removes_nothing() {
    require_go!();
    let cache = GoCache::new();
    cache.download(VERSIONS);
    let before = cache.snapshot();
    let root = cache.root().display().to_string();
    let missing = cache.dir().join("missing.log");
    let cases: Vec<(Vec<&str>, String)> = vec![
        (
            vec!["rsc.io/quote@v9.9.9"],
            "rsc.io/quote@v9.9.9 is not in the module cache (3 other versions of rsc.io/quote are)".into(),
        ),
        (vec!["example.com/nothing"], "no version of module example.com/nothing is in the module cache".into()),
        (
            vec!["golang.org/x"],
            "no version of module golang.org/x is in the module cache \
             (to purge the modules below it, use the pattern 'golang.org/x/*')"
                .into(),
        ),
        // One unknown target stops the whole purge: rsc.io/quote@v1.5.2 stays.
        (
            vec!["rsc.io/quote@v1.5.2", "corp.example.com/*"],
            "no module in the module cache matches \"corp.example.com/*\"".into(),
        ),
        (
            vec!["rsc.io/[a-"],
            "invalid purge target \"rsc.io/[a-\": malformed pattern \"rsc.io/[a-\": syntax error in pattern".into(),
        ),
        (
            vec!["rsc.io/quote@latest"],
            "invalid purge target \"rsc.io/quote@latest\": \"latest\" is not a canonical version (like v1.2.3)".into(),
        ),
        (
            vec!["--from-log", missing.to_str().unwrap()],
            format!("{}: No such file or directory (os error 2)", missing.display()),
        ),
    ];
    for (args, message) in cases {
        let out = purge(&cache, &args);
        assert_eq!(
            out.status.code(),
            Some(2),
            "{args:?}: {}",
            output_text(&out)
        );
        assert_eq!(
            String::from_utf8_lossy(&out.stderr),
            format!("modcache: {message}\n"),
            "{args:?}"
        );
        assert_eq!(out.stdout, b"", "{args:?}");
    }
    cache.snapshot().assert_same(&before);

    // A cache path that is a file, or a directory that is not a module cache.
    let file = cache.dir().join("a-file");
    fs::write(&file, "not a cache").unwrap();
    let out = cache
        .modcache()
        .args(["purge", "rsc.io/quote", "--modcache"])
        .arg(&file)
        .output()
        .unwrap();
    assert_error(
        &out,
        &format!("{}: module cache is not a directory", file.display()),
    );
    let out = cache
        .modcache()
        .args(["purge", "rsc.io/quote", "--modcache"])
        .arg(cache.dir().join("gopath"))
        .output()
        .unwrap();
    assert_error(
        &out,
        &format!(
            "{}/gopath: does not look like a Go module cache (no cache/download); \
             use --force to remove files from it anyway",
            cache.dir().display()
        ),
    );
    assert!(root.ends_with("modcache"));
    assert_eq!(fs::read_to_string(&file).unwrap(), "not a cache");
}

#[test]
fn purge_never_goes_through_a_symlink() {
    require_go!();
    let cache = GoCache::new();
    cache.download(VERSIONS);
    // Someone keeps sampler's downloads elsewhere and links them in.
    let linked = cache.root().join("cache/download/rsc.io/sampler");
    let outside = cache.dir().join("sampler-downloads");
    fs::rename(&linked, &outside).unwrap();
    std::os::unix::fs::symlink(&outside, &linked).unwrap();
    let before = Snapshot::of(&outside);

    let out = purge(&cache, &["rsc.io/sampler@v1.3.0"]);
    assert_eq!(out.status.code(), Some(1), "{}", output_text(&out));
    let ziphash = linked.join("@v/v1.3.0.ziphash");
    assert_eq!(
        String::from_utf8(out.stderr).unwrap(),
        format!(
            "modcache: rsc.io/sampler@v1.3.0: {}: refusing to follow a symlink inside the module cache\n",
            linked.display()
        ),
        "{ziphash:?}"
    );
    Snapshot::of(&outside).assert_same(&before);
    assert!(
        cache.version("rsc.io/sampler@v1.3.0").paths.tree.exists(),
        "nothing of the version went"
    );
}

#[test]
fn purge_waits_for_gos_lock() {
    require_go!();
    let cache = GoCache::new();
    cache.download(VERSIONS);
    let quote = cache.version("rsc.io/quote@v1.5.2");
    let lock = hold_lock(&quote);
    let purge = start_waiting(
        cache
            .modcache()
            .args(["purge", "rsc.io/quote@v1.5.2", "--modcache"])
            .arg(cache.root()),
        "rsc.io/quote@v1.5.2",
    );
    assert_eq!(
        purge.seen,
        format!(
            "waiting for Go's lock on rsc.io/quote@v1.5.2 ({})...\n",
            quote.paths.lock.display()
        )
    );
    assert!(quote.paths.zip.exists() && quote.paths.tree.exists());
    drop(lock);
    let (out, _) = purge.finish();
    assert_eq!(out.status.code(), Some(0), "{}", output_text(&out));
    assert!(!quote.paths.zip.exists() && !quote.paths.tree.exists());
}

/// `go mod download` fetching new versions (of modules being purged, into the same
/// directories) while purge removes others: both succeed and Go verifies the result. The
/// test holds the lock of one purged version until purge says it waits for it, so that
/// purge deletes while Go is busy; odd rounds start purge first.
#[test]
fn go_mod_download_and_purge_run_concurrently() {
    require_go!();
    for round in 0..3 {
        let cache = GoCache::new();
        let project = cache.project("app", &["rsc.io/quote@v1.5.2"]);
        cache.download(&[
            "rsc.io/quote@v1.5.1",
            "rsc.io/sampler@v1.3.1",
            "golang.org/x/text@v0.3.0",
            "rsc.io/QUOTE@v1.5.2",
        ]);
        let held = cache.version("rsc.io/quote@v1.5.1");
        let lock = hold_lock(&held);

        let mut go_cmd = cache.go(&project.dir);
        go_cmd
            .args(["mod", "download", "-json", "rsc.io/quote@v1.5.3-pre1"])
            .args(["rsc.io/quote/v2@v2.0.1", "rsc.io/quote/v3@v3.0.0"])
            .args([
                "rsc.io/QUOTE@v1.5.3-PRE",
                "rsc.io/CGO@v1.0.0",
                "rsc.io/fortune/v2@v2.0.0",
            ])
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut go = (round % 2 == 0).then(|| go_cmd.spawn().unwrap());
        let purge = start_waiting(
            cache
                .modcache()
                .args(["purge", "rsc.io/quote@v1.5.1", "rsc.io/sampler@v1.3.1"])
                .args(["golang.org/x/*", "rsc.io/QUOTE@v1.5.2", "--modcache"])
                .arg(cache.root()),
            "rsc.io/quote@v1.5.1",
        );
        let go = go.take().unwrap_or_else(|| go_cmd.spawn().unwrap());
        std::thread::sleep(std::time::Duration::from_millis(200));
        drop(lock);
        let (out, seen) = purge.finish();
        let go_out = go.wait_with_output().unwrap();
        assert!(
            go_out.status.success(),
            "round {round}: go mod download:\n{}",
            output_text(&go_out)
        );
        assert_eq!(
            out.status.code(),
            Some(0),
            "round {round}: purge:\n{}{seen}",
            output_text(&out)
        );
        assert!(!held.paths.zip.exists() && !held.paths.tree.exists());

        cache.redownload_and_verify(&project);
        let out = cache
            .modcache()
            .args(["fsck", "--modcache"])
            .arg(cache.root())
            .output()
            .unwrap();
        assert_eq!(
            out.status.code(),
            Some(0),
            "round {round}: {}",
            output_text(&out)
        );
    }
}
