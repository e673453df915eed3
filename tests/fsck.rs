//! `modcache fsck` on real caches written by real Go, damaged the ways caches rot.
//! Each test asserts the exact set of (module, version, kind) reported: every damaged
//! version is named with the right kind and no untouched version is.

mod common;

use std::collections::BTreeSet;
use std::fs;

use common::{GoCache, WRONG_H1, assert_error, output_text, zip_bytes};
use serde_json::Value;

/// Versions with nothing unusual about them, downloaded into every cache here.
const VERSIONS: &[&str] = &[
    "rsc.io/quote@v1.5.2",
    "rsc.io/quote@v1.5.1",
    "rsc.io/quote@v1.5.3-pre1",
    "rsc.io/quote/v2@v2.0.1",
    "rsc.io/quote/v3@v3.0.0",
    "rsc.io/sampler@v1.3.0",
    "rsc.io/sampler@v1.3.1",
    "golang.org/x/text@v0.3.0",
    "golang.org/x/text@v0.0.0-20170915032832-14c0d48ead0c",
    "rsc.io/QUOTE@v1.5.2",
    "rsc.io/QUOTE@v1.5.3-PRE",
    "rsc.io/CGO@v1.0.0",
    "rsc.io/fortune/v2@v2.0.0",
    "rsc.io/breaker@v2.0.0+incompatible",
    "example.com/dotgo.go@v1.0.0",
    "not-rsc.io/quote@v0.1.0-nomod",
];

type Finding = (String, String, String);

fn finding(spec: &str, kind: &str) -> Finding {
    let (m, v) = spec.split_once('@').unwrap();
    (m.to_string(), v.to_string(), kind.to_string())
}

/// Run `fsck --json` and return (exit code, findings, document).
fn fsck_json(cache: &GoCache, extra: &[&str]) -> (i32, BTreeSet<Finding>, Value) {
    let out = cache
        .modcache()
        .args(["fsck", "--json", "--modcache"])
        .arg(cache.root())
        .args(extra)
        .output()
        .unwrap();
    let doc: Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("fsck --json printed no JSON ({e}):\n{}", output_text(&out)));
    let findings = doc["problems"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["module"].as_str().unwrap_or("").to_string(),
                p["version"].as_str().unwrap_or("").to_string(),
                p["kind"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    (out.status.code().unwrap(), findings, doc)
}

#[test]
fn clean_cache_has_no_problems() {
    require_go!();
    let cache = GoCache::new();
    cache.download(VERSIONS);
    let before = cache.snapshot();
    let (code, findings, doc) = fsck_json(&cache, &[]);
    assert_eq!(findings, BTreeSet::new());
    assert_eq!(code, 0);
    assert!(
        doc["versions_checked"].as_u64().unwrap() >= VERSIONS.len() as u64,
        "{doc}"
    );
    assert!(doc["bytes_hashed"].as_u64().unwrap() > 0);
    assert_eq!(doc["modcache"].as_str(), cache.root().to_str());
    assert_eq!(cache.snapshot(), before, "fsck must not write to the cache");
}

#[test]
fn every_kind_of_damage_is_named_and_nothing_else() {
    require_go!();
    let cache = GoCache::new();
    cache.download(VERSIONS);
    let v = |s: &str| cache.version(s);

    v("rsc.io/quote@v1.5.2").edit_tree_file("quote.go", |d| d.extend_from_slice(b"// edited\n"));
    v("rsc.io/quote@v1.5.1").add_tree_file("extra.go", "package quote\n");
    v("rsc.io/sampler@v1.3.0").remove_tree_file("hello.go");
    v("rsc.io/sampler@v1.3.1").empty_tree();
    v("golang.org/x/text@v0.3.0").truncate_zip();
    v("golang.org/x/text@v0.0.0-20170915032832-14c0d48ead0c").corrupt_zip_entry("language/lang.go");
    v("rsc.io/QUOTE@v1.5.2").garbage_zip();
    v("rsc.io/quote/v2@v2.0.1").remove_ziphash();
    v("rsc.io/quote/v3@v3.0.0").write_ziphash("h1:tooshort\n");
    v("rsc.io/fortune/v2@v2.0.0").interrupt_extraction();
    let cgo = v("rsc.io/CGO@v1.0.0");
    cgo.leave_zip_tmp();
    cgo.leave_tree_tmp();
    v("rsc.io/breaker@v2.0.0+incompatible").write_info("{\"Version\":\"v2.0.0+incompat");
    v("example.com/dotgo.go@v1.0.0").garble_ziphash();
    // A readable zip whose content differs from what Go verified; the tree still matches.
    let pre = v("rsc.io/QUOTE@v1.5.3-PRE");
    let prefix = pre.mv.zip_prefix();
    let zip = zip_bytes(&[(format!("{prefix}go.mod"), "module rsc.io/QUOTE\n")]);
    common::damage::with_writable(&pre.paths.zip, || fs::write(&pre.paths.zip, zip).unwrap());

    let (code, findings, doc) = fsck_json(&cache, &[]);
    let expected: BTreeSet<Finding> = [
        ("rsc.io/quote@v1.5.2", "dir-modified"),
        ("rsc.io/quote@v1.5.1", "dir-modified"),
        ("rsc.io/sampler@v1.3.0", "dir-modified"),
        ("rsc.io/sampler@v1.3.1", "dir-modified"),
        ("golang.org/x/text@v0.3.0", "zip-corrupt"),
        (
            "golang.org/x/text@v0.0.0-20170915032832-14c0d48ead0c",
            "zip-corrupt",
        ),
        ("rsc.io/QUOTE@v1.5.2", "zip-corrupt"),
        ("rsc.io/quote/v2@v2.0.1", "ziphash-missing"),
        ("rsc.io/quote/v3@v3.0.0", "ziphash-invalid"),
        ("rsc.io/fortune/v2@v2.0.0", "partial"),
        ("rsc.io/CGO@v1.0.0", "tmp-leftover"),
        ("rsc.io/breaker@v2.0.0+incompatible", "info-corrupt"),
        ("example.com/dotgo.go@v1.0.0", "zip-modified"),
        ("example.com/dotgo.go@v1.0.0", "dir-modified"),
        ("rsc.io/QUOTE@v1.5.3-PRE", "zip-modified"),
    ]
    .iter()
    .map(|(s, k)| finding(s, k))
    .collect();
    assert_eq!(findings, expected, "{doc:#}");
    assert_eq!(code, 1);
    let tmp_count = doc["problems"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["kind"] == "tmp-leftover")
        .count();
    assert_eq!(tmp_count, 2, "each temp file is named: {doc:#}");
}

#[test]
fn agrees_with_go_mod_verify_on_what_go_detects() {
    require_go!();
    let cache = GoCache::new();
    let project = cache.project("app", &["rsc.io/quote@v1.5.2", "rsc.io/QUOTE@v1.5.2"]);
    let (ok, out) = cache.go_mod_verify(&project);
    assert!(ok, "{out}");

    cache
        .version("rsc.io/quote@v1.5.2")
        .add_tree_file("new.go", "package quote\n");
    cache.version("rsc.io/sampler@v1.3.0").garble_ziphash();
    cache
        .version("golang.org/x/text@v0.0.0-20170915032832-14c0d48ead0c")
        .remove_ziphash();

    let (ok, go_out) = cache.go_mod_verify(&project);
    assert!(!ok);
    let mut go_says = BTreeSet::new();
    for line in go_out.lines() {
        // "rsc.io/quote v1.5.2: dir has been modified (/path)"
        let Some((mv, what)) = line.split_once(": ") else {
            continue;
        };
        let Some((m, v)) = mv.split_once(' ') else {
            continue;
        };
        if !v.starts_with('v') || v.contains(' ') {
            continue; // not "path version: ..."
        }
        let kind = if what.starts_with("dir has been modified") {
            "dir-modified"
        } else if what.starts_with("zip has been modified") {
            "zip-modified"
        } else if what.starts_with("missing ziphash") {
            "ziphash-missing"
        } else {
            panic!("unexpected go mod verify line: {line}");
        };
        go_says.insert((m.to_string(), v.to_string(), kind.to_string()));
    }
    let (code, findings, _) = fsck_json(&cache, &["--gosum", project.go_sum.to_str().unwrap()]);
    assert_eq!(code, 1);
    assert_eq!(findings, go_says, "go mod verify said:\n{go_out}");
}

#[test]
fn gosum_and_gomod_mismatches_name_the_go_sum_line() {
    require_go!();
    let cache = GoCache::new();
    let project = cache.project("app", &["rsc.io/quote@v1.5.2"]);
    let sum = project.go_sum_text();
    // Replace the zip hash of sampler and damage quote's cached .mod.
    let sampler_line = sum
        .lines()
        .position(|l| l.starts_with("rsc.io/sampler v1.3.0 h1:"))
        .expect("go.sum names sampler");
    let edited: Vec<String> = sum
        .lines()
        .enumerate()
        .map(|(i, l)| {
            if i == sampler_line {
                format!("rsc.io/sampler v1.3.0 {WRONG_H1}")
            } else {
                l.to_string()
            }
        })
        .collect();
    fs::write(&project.go_sum, edited.join("\n") + "\n").unwrap();
    cache
        .version("rsc.io/quote@v1.5.2")
        .edit_mod(|d| d.extend_from_slice(b"// tampered\n"));

    let gosum = project.go_sum.to_str().unwrap();
    let (code, findings, doc) = fsck_json(&cache, &["--gosum", gosum]);
    let expected: BTreeSet<Finding> = [
        finding("rsc.io/sampler@v1.3.0", "gosum-mismatch"),
        finding("rsc.io/quote@v1.5.2", "gomod-mismatch"),
    ]
    .into();
    assert_eq!(findings, expected, "{doc:#}");
    assert_eq!(code, 1);
    let detail = doc["problems"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["kind"] == "gosum-mismatch")
        .unwrap()["detail"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(
        detail.contains(&format!("{gosum}:{}", sampler_line + 1)),
        "{detail}"
    );
}

#[test]
fn human_output_names_module_kind_and_path() {
    require_go!();
    let cache = GoCache::new();
    cache.download(&["rsc.io/quote@v1.5.2"]);
    let tree = cache
        .version("rsc.io/quote@v1.5.2")
        .remove_tree_file("quote.go");
    let out = cache
        .modcache()
        .arg("fsck")
        .arg("--modcache")
        .arg(cache.root())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", output_text(&out));
    let stdout = String::from_utf8(out.stdout).unwrap();
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), 2, "{stdout}");
    let tree = tree.parent().unwrap();
    assert!(
        lines[0].starts_with("rsc.io/quote@v1.5.2: dir-modified: dir has been modified"),
        "{stdout}"
    );
    assert!(
        lines[0].ends_with(&format!("({})", tree.display())),
        "{stdout}"
    );
    assert!(
        lines[1].starts_with("checked 1 versions (1 zips, 1 trees), hashed "),
        "{stdout}"
    );
    assert!(
        lines[1].ends_with(": 1 problem (1 dir-modified)"),
        "{stdout}"
    );
    assert!(
        out.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn thread_count_never_changes_the_output() {
    require_go!();
    let cache = GoCache::new();
    cache.download(VERSIONS);
    cache.version("rsc.io/quote@v1.5.2").garble_ziphash();
    cache.version("rsc.io/sampler@v1.3.1").leave_zip_tmp();
    let one = fsck_json(&cache, &["-j", "1"]).2;
    let two = fsck_json(&cache, &["-j", "2"]).2;
    let eight = fsck_json(&cache, &["-j", "8"]).2;
    assert_eq!(one, two);
    assert_eq!(one, eight);
}

#[test]
fn missing_cache_is_a_one_line_error() {
    let out = common::modcache()
        .args(["fsck", "--modcache", "/nonexistent/modcache"])
        .output()
        .unwrap();
    assert_error(&out, "/nonexistent/modcache: module cache not found");
    assert!(out.stdout.is_empty());
}

#[test]
fn malformed_gosum_is_a_one_line_error_naming_file_and_line() {
    let dir = tempfile::tempdir().unwrap();
    fs::create_dir_all(dir.path().join("cache/download")).unwrap();
    let sum = dir.path().join("go.sum");
    fs::write(&sum, "rsc.io/quote v1.5.2 h1:x=\nrsc.io/quote v1.5.2\n").unwrap();
    let out = common::modcache()
        .args(["fsck", "--modcache"])
        .arg(dir.path())
        .arg("--gosum")
        .arg(&sum)
        .output()
        .unwrap();
    assert_error(
        &out,
        &format!(
            "{}:2: malformed go.sum line: wrong number of fields 2",
            sum.display()
        ),
    );
}

#[test]
fn quick_mode_skips_unchanged_versions_and_still_sees_edits() {
    require_go!();
    let cache = GoCache::new();
    cache.download(VERSIONS);
    let (code, _, first) = fsck_json(&cache, &["--quick"]);
    assert_eq!(code, 0, "{first:#}");
    assert!(first["bytes_hashed"].as_u64().unwrap() > 0);

    let (code, _, second) = fsck_json(&cache, &["--quick"]);
    assert_eq!(code, 0, "{second:#}");
    let hashed = second["bytes_hashed"].as_u64().unwrap();
    assert!(
        hashed < 4096,
        "unchanged versions are not re-hashed: {hashed} bytes"
    );

    cache
        .version("rsc.io/quote@v1.5.2")
        .edit_tree_file("quote.go", |d| d[0] ^= 1);
    let (code, findings, _) = fsck_json(&cache, &["--quick"]);
    assert_eq!(code, 1);
    assert_eq!(
        findings,
        [finding("rsc.io/quote@v1.5.2", "dir-modified")].into()
    );
}

#[test]
fn a_version_go_is_extracting_right_now_is_not_reported_as_partial() {
    require_go!();
    let cache = GoCache::new();
    cache.download(&["rsc.io/quote@v1.5.2", "rsc.io/sampler@v1.3.0"]);
    let quote = cache.version("rsc.io/quote@v1.5.2");
    quote.interrupt_extraction();
    quote.leave_zip_tmp();

    // Hold Go's lock as a `go` command mid-extraction does.
    let lock = modcache::cache::lock::VersionLock::acquire(&quote.paths.lock).unwrap();
    let out = cache
        .modcache()
        .arg("fsck")
        .arg("--modcache")
        .arg(cache.root())
        .output()
        .unwrap();
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert_eq!(out.status.code(), Some(0), "{stdout}");
    assert!(stdout.contains(", 1 being written by go)"), "{stdout}");
    drop(lock);

    let (code, findings, _) = fsck_json(&cache, &[]);
    assert_eq!(code, 1);
    assert_eq!(
        findings,
        [
            finding("rsc.io/quote@v1.5.2", "partial"),
            finding("rsc.io/quote@v1.5.2", "tmp-leftover")
        ]
        .into()
    );
}

#[test]
fn fsck_leaves_access_times_alone_so_prune_still_sees_what_go_used() {
    require_go!();
    let cache = GoCache::new();
    cache.download(&["rsc.io/quote@v1.5.2"]);
    let quote = cache.version("rsc.io/quote@v1.5.2");
    let long_ago = std::time::UNIX_EPOCH + std::time::Duration::from_secs(1_000_000_000);
    let files = [quote.tree_file("quote.go"), quote.paths.zip.clone()];
    for f in &files {
        // Older than the mtime: under relatime, an ordinary read would update it.
        let times = fs::FileTimes::new().set_accessed(long_ago);
        fs::File::options()
            .write(true)
            .open(f)
            .or_else(|_| fs::File::open(f))
            .unwrap()
            .set_times(times)
            .unwrap();
    }
    let (code, _, _) = fsck_json(&cache, &[]);
    assert_eq!(code, 0);
    for f in &files {
        let accessed = fs::metadata(f).unwrap().accessed().unwrap();
        assert_eq!(accessed, long_ago, "{} was marked as read", f.display());
    }
}
