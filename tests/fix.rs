//! `modcache fsck --fix` on real caches written by real Go: every kind of damage fsck
//! knows is repaired by removing exactly the files the plan names, every untouched file
//! stays byte-identical, and real Go heals the rest (offline where the zip is intact).

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Output, Stdio};

use common::damage::with_writable;
use common::lock::{hold_lock, start_waiting};
use common::*;
use modcache::cache::{Entry, classify};
use serde_json::Value;

/// The main module's requirements: with their dependencies, 13 versions in the build
/// list, so `go mod verify` in the project checks every version damaged below.
const REQUIRES: &[&str] = &[
    "rsc.io/quote@v1.5.2",
    "rsc.io/quote/v2@v2.0.1",
    "rsc.io/quote/v3@v3.0.0",
    "rsc.io/QUOTE@v1.5.2",
    "rsc.io/CGO@v1.0.0",
    "rsc.io/fortune/v2@v2.0.0",
    "rsc.io/breaker@v2.0.0+incompatible",
    "example.com/dotgo.go@v1.0.0",
    "not-rsc.io/quote@v0.1.0-nomod",
    "golang.org/x/text@v0.3.0",
    "example.com/notags@v0.0.0-20190507143103-cc8cbe209b64",
];

/// Downloaded outside the project: never damaged, never touched.
const BYSTANDERS: &[&str] = &[
    "rsc.io/quote@v1.5.1",
    "rsc.io/quote@v1.5.3-pre1",
    "rsc.io/sampler@v1.3.1",
    "golang.org/x/text@v0.0.0-20170915032832-14c0d48ead0c",
    "rsc.io/QUOTE@v1.5.3-PRE",
];

fn setup() -> (GoCache, Project) {
    let cache = GoCache::new();
    let project = cache.project("app", REQUIRES);
    cache.download(BYSTANDERS);
    let (ok, out) = cache.go_mod_verify(&project);
    assert!(ok, "{out}");
    (cache, project)
}

fn run(cache: &GoCache, args: &[&str]) -> Output {
    cache
        .modcache()
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

/// `fixed` as spec → (kinds, removed paths → bytes).
type Fixed = BTreeMap<String, (BTreeSet<String>, BTreeMap<PathBuf, u64>)>;

fn fixed_of(doc: &Value) -> Fixed {
    doc["fixed"]
        .as_array()
        .unwrap_or_else(|| panic!("no fixed list: {doc:#}"))
        .iter()
        .map(|f| {
            assert!(f["error"].is_null(), "{f:#}");
            let spec = format!(
                "{}@{}",
                f["module"].as_str().unwrap(),
                f["version"].as_str().unwrap()
            );
            let kinds = f["kinds"]
                .as_array()
                .unwrap()
                .iter()
                .map(|k| k.as_str().unwrap().to_string())
                .collect();
            let removed = f["removed"]
                .as_array()
                .unwrap()
                .iter()
                .map(|r| {
                    (
                        PathBuf::from(r["path"].as_str().unwrap()),
                        r["bytes"].as_u64().unwrap(),
                    )
                })
                .collect();
            (spec, (kinds, removed))
        })
        .collect()
}

/// Replace a cached zip by a valid zip of different content (same prefix, so Go would
/// extract it): what a tampered or mixed-up download looks like.
fn swap_zip(v: &CachedVersion) {
    let prefix = v.mv.zip_prefix();
    let mut entries: Vec<(String, Vec<u8>)> = Vec::new();
    let data = fs::read(&v.paths.zip).unwrap();
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(data)).unwrap();
    for i in 0..zip.len() {
        let mut f = zip.by_index(i).unwrap();
        let name = f.name().unwrap().into_owned();
        let mut body = Vec::new();
        f.read_to_end(&mut body).unwrap();
        if name.ends_with(".go") {
            body.extend_from_slice(b"\n// tampered\n");
        }
        entries.push((name, body));
    }
    assert!(entries.iter().all(|(n, _)| n.starts_with(&prefix)));
    let new = zip_bytes(&entries);
    with_writable(&v.paths.zip, || fs::write(&v.paths.zip, new).unwrap());
}

/// Every path of `spec`'s files in `snap` (relative to the cache root).
fn version_paths(snap: &Snapshot, spec: &str) -> BTreeSet<PathBuf> {
    let mv = parse_spec(spec);
    snap.paths()
        .filter(|p| match classify(p) {
            Entry::Version(m, _) | Entry::Tree(m) | Entry::TreeFile(m) | Entry::TreeTmp(m) => {
                m == mv
            }
            _ => false,
        })
        .map(Path::to_path_buf)
        .collect()
}

/// Date a file an hour back: an `.info`/`.mod` temp file Go abandoned long ago (fix
/// leaves young ones alone, as Go writes them without the lock).
fn abandoned(path: PathBuf) -> PathBuf {
    let hour_ago = std::time::SystemTime::now() - std::time::Duration::from_secs(3600);
    fs::File::options()
        .write(true)
        .open(&path)
        .unwrap()
        .set_modified(hour_ago)
        .unwrap();
    path
}

fn rel(cache: &GoCache, p: &Path) -> PathBuf {
    p.strip_prefix(cache.root()).unwrap().to_path_buf()
}

#[test]
fn fix_repairs_every_kind_and_go_verifies_the_result() {
    require_go!();
    let (cache, project) = setup();
    let v = |s: &str| cache.version(s);

    v("rsc.io/quote@v1.5.2").edit_tree_file("quote.go", |d| d.extend_from_slice(b"// edited\n"));
    v("golang.org/x/text@v0.3.0").add_tree_file("extra.go", "package text\n");
    let q2 = v("rsc.io/quote/v2@v2.0.1");
    q2.remove_zip();
    q2.remove_tree_file("quote.go");
    v("rsc.io/quote/v3@v3.0.0").truncate_zip();
    v("rsc.io/sampler@v1.3.0").corrupt_zip_entry("glass.go");
    swap_zip(&v("rsc.io/QUOTE@v1.5.2"));
    v("rsc.io/CGO@v1.0.0").remove_ziphash();
    v("rsc.io/fortune/v2@v2.0.0").write_ziphash("h1:bogus\n");
    v("rsc.io/breaker@v2.0.0+incompatible").interrupt_extraction();
    let dotgo = v("example.com/dotgo.go@v1.0.0");
    let tmps = [
        dotgo.leave_zip_tmp(),
        abandoned(dotgo.leave_info_tmp()),
        abandoned(dotgo.leave_mod_tmp()),
        dotgo.leave_tree_tmp(),
    ];
    v("not-rsc.io/quote@v0.1.0-nomod").garble_info();

    let p = |s: &str| v(s).paths;
    let expected: BTreeMap<&str, (&[&str], Vec<PathBuf>)> = [
        (
            "rsc.io/quote@v1.5.2",
            (&["dir-modified"][..], vec![p("rsc.io/quote@v1.5.2").tree]),
        ),
        (
            "golang.org/x/text@v0.3.0",
            (
                &["dir-modified"][..],
                vec![p("golang.org/x/text@v0.3.0").tree],
            ),
        ),
        (
            "rsc.io/quote/v2@v2.0.1",
            (&["dir-modified"][..], {
                let q = p("rsc.io/quote/v2@v2.0.1");
                vec![q.ziphash, q.tree]
            }),
        ),
        (
            "rsc.io/quote/v3@v3.0.0",
            (&["zip-corrupt"][..], {
                let q = p("rsc.io/quote/v3@v3.0.0");
                vec![q.ziphash, q.tree, q.zip]
            }),
        ),
        (
            "rsc.io/sampler@v1.3.0",
            (&["zip-corrupt"][..], {
                let q = p("rsc.io/sampler@v1.3.0");
                vec![q.ziphash, q.tree, q.zip]
            }),
        ),
        (
            "rsc.io/QUOTE@v1.5.2",
            (&["zip-modified"][..], {
                let q = p("rsc.io/QUOTE@v1.5.2");
                vec![q.ziphash, q.tree, q.zip]
            }),
        ),
        (
            "rsc.io/CGO@v1.0.0",
            (&["ziphash-missing"][..], {
                let q = p("rsc.io/CGO@v1.0.0");
                vec![q.tree, q.zip]
            }),
        ),
        (
            "rsc.io/fortune/v2@v2.0.0",
            (&["ziphash-invalid"][..], {
                let q = p("rsc.io/fortune/v2@v2.0.0");
                vec![q.ziphash, q.tree, q.zip]
            }),
        ),
        (
            "rsc.io/breaker@v2.0.0+incompatible",
            (&["partial"][..], {
                let q = p("rsc.io/breaker@v2.0.0+incompatible");
                vec![q.tree, q.partial]
            }),
        ),
        (
            "example.com/dotgo.go@v1.0.0",
            (&["tmp-leftover"][..], tmps.to_vec()),
        ),
        (
            "not-rsc.io/quote@v0.1.0-nomod",
            (
                &["info-corrupt"][..],
                vec![p("not-rsc.io/quote@v0.1.0-nomod").info],
            ),
        ),
    ]
    .into_iter()
    .collect();
    let damaged: Vec<&str> = expected.keys().copied().collect();

    let before = cache.snapshot();
    let out = run(&cache, &["fsck", "--fix", "--json"]);
    let doc = json_of(&out);
    assert_eq!(out.status.code(), Some(0), "{}", output_text(&out));
    assert_eq!(doc["dry_run"], false);
    assert_eq!(doc["remaining"], Value::Array(vec![]));
    let fixed = fixed_of(&doc);
    let got: BTreeMap<&str, (BTreeSet<String>, BTreeSet<PathBuf>)> = fixed
        .iter()
        .map(|(s, (k, r))| (s.as_str(), (k.clone(), r.keys().cloned().collect())))
        .collect();
    let want: BTreeMap<&str, (BTreeSet<String>, BTreeSet<PathBuf>)> = expected
        .iter()
        .map(|(s, (k, r))| {
            (
                *s,
                (
                    k.iter().map(|k| k.to_string()).collect(),
                    r.iter().cloned().collect(),
                ),
            )
        })
        .collect();
    assert_eq!(got, want, "{doc:#}");
    let freed: u64 = fixed.values().flat_map(|(_, r)| r.values()).sum();
    assert_eq!(doc["bytes_freed"].as_u64(), Some(freed));
    assert!(freed > 0);

    // Untouched versions are byte-identical; of the damaged ones, exactly the listed
    // paths are gone and everything else they had is unchanged.
    let after = cache.snapshot();
    before
        .without_versions(&damaged)
        .assert_same(&after.without_versions(&damaged));
    for spec in &damaged {
        let removed: Vec<PathBuf> = expected[spec].1.iter().map(|p| rel(&cache, p)).collect();
        for path in version_paths(&before, spec) {
            let gone = removed.iter().any(|r| path.starts_with(r));
            match (gone, after.get(&path)) {
                (true, None) => {}
                (true, Some(_)) => panic!("{spec}: {} should be removed", path.display()),
                (false, node) => assert_eq!(
                    node,
                    before.get(&path),
                    "{spec}: {} changed",
                    path.display()
                ),
            }
        }
        assert!(
            version_paths(&after, spec)
                .iter()
                .all(|p| before.get(p).is_some()),
            "{spec}: fix added files"
        );
    }

    let out = run(&cache, &["fsck"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "fsck after fix:\n{}",
        output_text(&out)
    );

    // Go heals the rest from the proxy, and agrees the result is sound.
    cache.redownload_and_verify(&project);
    let out = run(
        &cache,
        &["fsck", "--gosum", project.go_sum.to_str().unwrap()],
    );
    assert_eq!(out.status.code(), Some(0), "{}", output_text(&out));
}

#[test]
fn a_modified_tree_with_an_intact_zip_heals_offline() {
    require_go!();
    let (cache, project) = setup();
    let v = |s: &str| cache.version(s);
    v("rsc.io/quote@v1.5.2").edit_tree_file("quote.go", |d| d.extend_from_slice(b"// edited\n"));
    v("rsc.io/sampler@v1.3.0").empty_tree();
    v("golang.org/x/text@v0.3.0").remove_tree_file("go.mod");
    v("rsc.io/breaker@v2.0.0+incompatible").interrupt_extraction();
    v("rsc.io/CGO@v1.0.0").leave_zip_tmp();
    let (ok, text) = cache.go_mod_verify(&project);
    assert!(!ok, "go mod verify should see the damage:\n{text}");

    let out = run(
        &cache,
        &["fsck", "--fix", "--gosum", project.go_sum.to_str().unwrap()],
    );
    assert_eq!(out.status.code(), Some(0), "{}", output_text(&out));
    for spec in [
        "rsc.io/quote@v1.5.2",
        "rsc.io/sampler@v1.3.0",
        "golang.org/x/text@v0.3.0",
    ] {
        let paths = v(spec).paths;
        assert!(
            !paths.tree.exists() && paths.zip.exists() && paths.ziphash.exists(),
            "{spec}"
        );
    }

    let offline = |args: &[&str]| {
        let out = cache
            .go(&project.dir)
            .args(args)
            .env("GOPROXY", "off")
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "GOPROXY=off go {args:?}:\n{}",
            output_text(&out)
        );
        output_text(&out)
    };
    offline(&["mod", "download"]);
    assert!(offline(&["mod", "verify"]).contains("all modules verified"));
}

#[test]
fn dry_run_prints_the_exact_plan_and_removes_nothing() {
    require_go!();
    let (cache, _project) = setup();
    let v = |s: &str| cache.version(s);
    v("rsc.io/quote@v1.5.2").edit_tree_file("quote.go", |d| d.push(b'\n'));
    v("rsc.io/quote/v3@v3.0.0").garbage_zip();
    v("rsc.io/breaker@v2.0.0+incompatible").interrupt_extraction();
    let before = cache.snapshot();

    let out = run(&cache, &["fsck", "--fix", "--dry-run", "--json"]);
    assert_eq!(
        out.status.code(),
        Some(1),
        "nothing fixed yet: {}",
        output_text(&out)
    );
    cache.snapshot().assert_same(&before);
    let dry = json_of(&out);
    assert_eq!(dry["dry_run"], true);
    let plan = fixed_of(&dry);

    let human = run(&cache, &["fsck", "--fix", "--dry-run"]);
    cache.snapshot().assert_same(&before);
    let text = String::from_utf8(human.stdout.clone()).unwrap();
    for (_, removed) in plan.values() {
        for (path, bytes) in removed {
            assert!(
                text.contains(&format!("  would remove {} (", path.display())),
                "{path:?} ({bytes}) missing from:\n{text}"
            );
        }
    }
    assert!(
        text.contains("would fix 3 versions: remove 6 paths, freeing "),
        "{text}"
    );

    let out = run(&cache, &["fsck", "--fix", "--json"]);
    assert_eq!(out.status.code(), Some(0), "{}", output_text(&out));
    assert_eq!(
        fixed_of(&json_of(&out)),
        plan,
        "the real run removes what the dry run said"
    );
}

#[test]
fn gosum_disagreements_are_left_alone_unless_go_sum_is_trusted() {
    require_go!();
    let (cache, project) = setup();
    // The cache's copy of quote v1.5.2 is consistently different from what go.sum
    // records (zip, ziphash and tree agree with each other): only go.sum can tell.
    let quote = cache.version("rsc.io/quote@v1.5.2");
    swap_zip(&quote);
    let h1 = modcache::hash::hash_zip(&quote.paths.zip, None).unwrap().h1;
    quote.write_ziphash(&h1);
    quote.remove_tree();
    // And its .mod was edited.
    let sampler = cache.version("rsc.io/sampler@v1.3.0");
    sampler.edit_mod(|d| d.extend_from_slice(b"// edited\n"));
    let gosum = project.go_sum.to_str().unwrap();

    let before = cache.snapshot();
    let out = run(&cache, &["fsck", "--fix", "--gosum", gosum]);
    assert_eq!(out.status.code(), Some(1), "{}", output_text(&out));
    cache.snapshot().assert_same(&before);
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("2 problems remain unfixed:"), "{text}");
    assert!(
        text.contains("rsc.io/quote@v1.5.2: gosum-mismatch: "),
        "{text}"
    );
    assert!(
        text.contains("rsc.io/sampler@v1.3.0: gomod-mismatch: "),
        "{text}"
    );
    assert!(
        text.contains("cannot tell whether the cache or go.sum is wrong"),
        "{text}"
    );
    assert!(text.contains("--trust-gosum"), "{text}");

    let out = run(
        &cache,
        &["fsck", "--fix", "--json", "--trust-gosum", "--gosum", gosum],
    );
    assert_eq!(out.status.code(), Some(0), "{}", output_text(&out));
    let fixed = fixed_of(&json_of(&out));
    let removed = |spec: &str| -> BTreeSet<PathBuf> { fixed[spec].1.keys().cloned().collect() };
    assert_eq!(
        removed("rsc.io/quote@v1.5.2"),
        [quote.paths.ziphash.clone(), quote.paths.zip.clone()].into()
    );
    assert_eq!(
        removed("rsc.io/sampler@v1.3.0"),
        [sampler.paths.gomod.clone()].into()
    );

    let dl = cache
        .go(&project.dir)
        .args(["mod", "download"])
        .output()
        .unwrap();
    assert!(dl.status.success(), "{}", output_text(&dl));
    let (ok, text) = cache.go_mod_verify(&project);
    assert!(ok, "{text}");
    let out = run(&cache, &["fsck", "--gosum", gosum]);
    assert_eq!(out.status.code(), Some(0), "{}", output_text(&out));
}

#[test]
fn trust_gosum_needs_a_gosum_and_dry_run_needs_fix() {
    let tmp = tempfile::tempdir().unwrap();
    fs::create_dir_all(tmp.path().join("cache/download")).unwrap();
    for args in [
        &["fsck", "--fix", "--trust-gosum"][..],
        &["fsck", "--dry-run"],
    ] {
        let out = modcache()
            .args(args)
            .arg("--modcache")
            .arg(tmp.path())
            .output()
            .unwrap();
        assert_eq!(
            out.status.code(),
            Some(2),
            "{args:?}: {}",
            output_text(&out)
        );
    }
}

/// Holding Go's lock the way `go` does (flock on `<version>.lock`) makes fix wait, say
/// so on stderr, and check the version again once it gets the lock.
#[test]
fn fix_waits_for_gos_lock_and_checks_again() {
    require_go!();
    let (cache, _project) = setup();
    let quote = cache.version("rsc.io/quote@v1.5.2");
    quote.edit_tree_file("quote.go", |d| d.push(b'\n'));
    let sampler = cache.version("rsc.io/sampler@v1.3.0");
    sampler.edit_tree_file("hello.go", |d| d.push(b'\n'));

    let lock = hold_lock(&quote);
    let fix = start_waiting(
        cache
            .modcache()
            .args(["fsck", "--fix", "--modcache"])
            .arg(cache.root()),
        "rsc.io/quote@v1.5.2",
    );
    let waiting = format!(
        "waiting for Go's lock on rsc.io/quote@v1.5.2 ({})...\n",
        quote.paths.lock.display()
    );
    assert_eq!(fix.seen, waiting);
    // While it waits, "another go command" repairs the version the way Go would.
    assert!(
        quote.paths.tree.exists(),
        "nothing is deleted before the lock is taken"
    );
    common::damage::remove_any(&quote.paths.tree);
    drop(lock);

    let (out, stderr) = fix.finish();
    assert_eq!(stderr, waiting);
    let text = String::from_utf8(out.stdout).unwrap();
    assert_eq!(out.status.code(), Some(0), "{text}");
    assert!(
        text.contains("rsc.io/quote@v1.5.2: healthy when checked again under Go's lock"),
        "{text}"
    );
    assert!(
        !sampler.paths.tree.exists(),
        "the other version is fixed: {text}"
    );
    assert!(quote.paths.zip.exists() && quote.paths.lock.exists());
}

#[test]
fn fix_refuses_a_directory_that_is_not_a_module_cache() {
    let tmp = tempfile::tempdir().unwrap();
    let tree = tmp.path().join("example.com/m@v1.0.0");
    fs::create_dir_all(&tree).unwrap();
    fs::write(tree.join("m.go"), "package m\n").unwrap();
    let out = modcache()
        .args(["fsck", "--fix", "--modcache"])
        .arg(tmp.path())
        .output()
        .unwrap();
    assert_error(
        &out,
        &format!(
            "{}: does not look like a Go module cache (no cache/download); \
             use --force to remove files from it anyway",
            tmp.path().display()
        ),
    );
    assert!(tree.join("m.go").exists());
    // Plain fsck still reads it.
    let out = modcache()
        .args(["fsck", "--modcache"])
        .arg(tmp.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", output_text(&out));
    // With --force, the tree without a .ziphash goes, and nothing else is wrong.
    let out = modcache()
        .args(["fsck", "--fix", "--force", "--modcache"])
        .arg(tmp.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", output_text(&out));
    assert!(!tree.exists());
}

#[test]
fn fix_removes_a_symlinked_tree_as_a_link_and_never_follows_it() {
    require_go!();
    let (cache, _project) = setup();
    let quote = cache.version("rsc.io/quote@v1.5.2");
    let outside = cache.dir().join("outside-copy");
    fs::create_dir_all(&outside).unwrap();
    fs::write(outside.join("quote.go"), "package quote // mine\n").unwrap();
    common::damage::remove_any(&quote.paths.tree);
    std::os::unix::fs::symlink(&outside, &quote.paths.tree).unwrap();

    let out = run(&cache, &["fsck", "--fix"]);
    assert_eq!(out.status.code(), Some(0), "{}", output_text(&out));
    assert!(
        quote.paths.tree.symlink_metadata().is_err(),
        "the link is gone"
    );
    assert_eq!(
        fs::read_to_string(outside.join("quote.go")).unwrap(),
        "package quote // mine\n"
    );
    assert!(quote.paths.zip.exists(), "the intact zip stays");
}

/// `go mod download` and `fsck --fix` at the same time on one cache. Go fetches versions
/// that are missing (taking their locks, writing temp files and `.partial` markers that
/// fix may see mid-flight) and versions fix is repairing (a modified tree, an
/// interrupted extraction, temp files), while fix also repairs versions Go does not
/// touch. The test holds the lock of a version both want to repair (its `.ziphash` is
/// gone) until both Go and fix wait for it, so the two really contend for one version.
/// (A held lock beside a `.partial` marker would mean Go is mid-extraction, which fsck
/// leaves alone: see `a_version_go_is_extracting_right_now_is_not_reported_as_partial`.) Both must succeed, and Go
/// must verify the result. Three rounds, to vary the interleaving.
#[test]
fn go_mod_download_and_fix_run_concurrently() {
    require_go!();
    for round in 0..3 {
        let (cache, project) = setup();
        let v = |s: &str| cache.version(s);
        v("rsc.io/quote@v1.5.2").edit_tree_file("quote.go", |d| d.push(b'\n'));
        // Held below: Go re-extracts a tree whose .ziphash is gone, under this lock.
        v("rsc.io/breaker@v2.0.0+incompatible").remove_ziphash();
        v("example.com/dotgo.go@v1.0.0").leave_zip_tmp();
        v("rsc.io/quote@v1.5.1").truncate_zip();
        v("rsc.io/quote@v1.5.3-pre1").interrupt_extraction();
        v("rsc.io/sampler@v1.3.1").garble_ziphash();
        for spec in ["rsc.io/quote/v3@v3.0.0", "rsc.io/QUOTE@v1.5.3-PRE"] {
            let gone = v(spec);
            gone.remove_tree();
            gone.remove_zip();
            gone.remove_ziphash();
        }
        let lock = hold_lock(&v("rsc.io/breaker@v2.0.0+incompatible"));

        let mut go_cmd = cache.go(&project.dir);
        go_cmd
            .args(["mod", "download", "-json", "rsc.io/quote@v1.5.2"])
            .args([
                "rsc.io/breaker@v2.0.0+incompatible",
                "example.com/dotgo.go@v1.0.0",
            ])
            .args(["rsc.io/quote/v3@v3.0.0", "rsc.io/QUOTE@v1.5.3-PRE"])
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        // Even rounds start Go first, odd rounds fix first, so that either may be the
        // first to queue on the held lock.
        let mut go = (round % 2 == 0).then(|| go_cmd.spawn().unwrap());
        // Fix may also wait for versions Go is fetching: those lines come first.
        let fix = start_waiting(
            cache
                .modcache()
                .args(["fsck", "--fix", "--modcache"])
                .arg(cache.root()),
            "rsc.io/breaker@v2.0.0+incompatible",
        );
        let go = go.take().unwrap_or_else(|| go_cmd.spawn().unwrap());
        // Give Go time to queue on the lock too.
        std::thread::sleep(std::time::Duration::from_millis(300));
        drop(lock);
        let (fix, seen) = fix.finish();
        let go_out = go.wait_with_output().unwrap();
        assert!(
            go_out.status.success(),
            "round {round}: go mod download:\n{}",
            output_text(&go_out)
        );
        let text = output_text(&fix);
        assert_eq!(
            fix.status.code(),
            Some(0),
            "round {round}: fix:\n{text}{seen}"
        );

        cache.download(BYSTANDERS);
        cache.redownload_and_verify(&project);
        let out = run(&cache, &["fsck"]);
        assert_eq!(
            out.status.code(),
            Some(0),
            "round {round}: {}",
            output_text(&out)
        );
    }
}
