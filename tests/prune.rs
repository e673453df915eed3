//! `modcache prune` on real caches written by real Go: the projects it is told about still
//! build offline and verify clean afterwards, exactly the selected versions are gone, and
//! bad input is one clear line with exit code 2.

mod common;

use std::fs;
use std::path::Path;
use std::time::{Duration, SystemTime};

use common::{GoCache, Project, Snapshot, output_text};
use serde::Deserialize;

/// The JSON document of `prune --json`, field for field.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct PruneDoc {
    modcache: String,
    dry_run: bool,
    scope: String,
    cache_bytes: u64,
    max_size: Option<u64>,
    versions: Vec<PrunedDoc>,
    bytes: u64,
    apparent_bytes: u64,
    freed_bytes: Option<u64>,
    errors: Vec<serde_json::Value>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct PrunedDoc {
    module: String,
    version: String,
    parts: Vec<String>,
    gomod_kept: bool,
    date: Option<String>,
    date_source: Option<String>,
    last_used: Option<String>,
    bytes: u64,
    apparent_bytes: u64,
    removals: Vec<RemovalDoc>,
    freed_bytes: Option<u64>,
    skipped: Option<String>,
    error: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RemovalDoc {
    path: String,
    bytes: u64,
}

impl PruneDoc {
    /// `path@version parts...` per selected version.
    fn selected(&self) -> Vec<String> {
        self.versions
            .iter()
            .map(|v| format!("{}@{} {}", v.module, v.version, v.parts.join("+")))
            .collect()
    }
}

/// The project requires sampler v1.3.1 directly, so rsc.io/quote's requirement on
/// sampler v1.3.0 reaches go.sum only as a `/go.mod` line.
const APP: &[&str] = &["rsc.io/quote@v1.5.2", "rsc.io/sampler@v1.3.1"];
const APP_VERSIONS: &[&str] = &[
    "rsc.io/quote@v1.5.2",
    "rsc.io/sampler@v1.3.1",
    "golang.org/x/text@v0.0.0-20170915032832-14c0d48ead0c",
];
/// Versions downloaded besides; sampler v1.3.0 is then complete in the cache.
const EXTRA: &[&str] = &[
    "rsc.io/quote@v1.5.1",
    "rsc.io/sampler@v1.3.0",
    "golang.org/x/text@v0.3.0",
    "rsc.io/quote/v3@v3.0.0",
];

const MAIN_GO: &str = "package main\n\nimport (\n\t\"fmt\"\n\n\t\"rsc.io/quote\"\n)\n\nfunc main() { fmt.Println(quote.Hello()) }\n";

fn cache_with_app() -> (GoCache, Project) {
    let cache = GoCache::new();
    let app = cache.project("app", APP);
    fs::write(app.dir.join("main.go"), MAIN_GO).unwrap();
    cache.download(EXTRA);
    let sum = app.go_sum_text();
    assert!(sum.contains("rsc.io/sampler v1.3.0/go.mod "), "{sum}");
    assert!(!sum.contains("rsc.io/sampler v1.3.0 "), "{sum}");
    (cache, app)
}

/// `go build ./...` with no network and no proxy: everything must come from the module
/// cache. The build cache is shared between tests (it is safe for concurrent use) so that
/// the standard library is compiled once; Go still reads every source file of the module
/// cache to compute its cache keys, so a missing tree still fails the build.
fn build_offline(cache: &GoCache, project: &Project) {
    let out = try_build_offline(cache, project);
    assert!(
        out.status.success(),
        "offline build failed:\n{}",
        output_text(&out)
    );
}

fn try_build_offline(cache: &GoCache, project: &Project) -> std::process::Output {
    cache
        .go(&project.dir)
        .args(["build", "-o", "/dev/null", "./..."])
        .env("GOPROXY", "off")
        .env("GOFLAGS", "-mod=mod")
        .env(
            "GOCACHE",
            Path::new(env!("CARGO_TARGET_TMPDIR")).join("prune-test-gocache"),
        )
        .output()
        .unwrap()
}

fn verify_clean(cache: &GoCache, project: &Project) {
    let (ok, text) = cache.go_mod_verify(project);
    assert!(
        ok && text.trim() == "all modules verified",
        "go mod verify:\n{text}"
    );
}

fn prune(cache: &GoCache, args: &[&str]) -> std::process::Output {
    cache.modcache().arg("prune").args(args).output().unwrap()
}

fn prune_json(cache: &GoCache, args: &[&str]) -> PruneDoc {
    let out = cache
        .modcache()
        .args(["prune", "--json"])
        .args(args)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", output_text(&out));
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("prune --json ({e}):\n{}", output_text(&out)))
}

/// The files the cache holds for `spec`, as `classify` names them (`zip`, `tree`, ...).
fn files_of(cache: &GoCache, spec: &str) -> Vec<&'static str> {
    let files = modcache::scan::scan_version(&cache.model(), &common::parse_spec(spec));
    [
        (files.tree, "tree"),
        (files.zip, "zip"),
        (files.ziphash, "ziphash"),
        (files.gomod, "mod"),
        (files.info, "info"),
        (files.partial, "partial"),
        (files.lock, "lock"),
        (!files.tmp.is_empty(), "tmp"),
    ]
    .into_iter()
    .filter_map(|(has, name)| has.then_some(name))
    .collect()
}

fn only_versions(snapshot: &Snapshot, specs: &[&str]) -> Snapshot {
    let keep: Vec<modcache::cache::ModuleVersion> =
        specs.iter().map(|s| common::parse_spec(s)).collect();
    snapshot.filter(|p| match modcache::cache::classify(p) {
        modcache::cache::Entry::Version(mv, _)
        | modcache::cache::Entry::Tree(mv)
        | modcache::cache::Entry::TreeFile(mv) => keep.contains(&mv),
        _ => false,
    })
}

/// Sizes and bars vary with the file system: keep the words, columns collapsed.
fn normalize(text: &str) -> String {
    let mut out = Vec::new();
    for line in text.lines() {
        let tokens: Vec<&str> = line.split_whitespace().collect();
        let mut words = Vec::new();
        let mut i = 0;
        while i < tokens.len() {
            let unit = tokens
                .get(i + 1)
                .map(|u| u.trim_end_matches([',', ':', ';']));
            if tokens[i].parse::<f64>().is_ok()
                && unit.is_some_and(|u| ["B", "kB", "MB"].contains(&u))
            {
                let punct = &tokens[i + 1][unit.unwrap().len()..];
                words.push(format!("<size>{punct}"));
                i += 2;
            } else if tokens[i].chars().all(|c| c == '#') {
                words.push("<bar>".to_string());
                i += 1;
            } else {
                words.push(tokens[i].to_string());
                i += 1;
            }
        }
        out.push(words.join(" "));
    }
    out.join("\n")
}

/// The offline build is a real check: with the code of one dependency gone from the
/// cache (its go.mod still there), it fails, even with a warm build cache.
#[test]
fn offline_build_needs_the_code_in_the_module_cache() {
    require_go!();
    let (cache, app) = cache_with_app();
    build_offline(&cache, &app);
    let sampler = cache.version("rsc.io/sampler@v1.3.1");
    sampler.remove_tree();
    sampler.remove_zip();
    let out = try_build_offline(&cache, &app);
    assert!(!out.status.success(), "{}", output_text(&out));
    assert!(
        output_text(&out).contains("downloading rsc.io/sampler v1.3.1"),
        "{}",
        output_text(&out)
    );
}

#[test]
fn prune_unused_by_keeps_the_project_building_offline_and_verified() {
    require_go!();
    let (cache, app) = cache_with_app();
    build_offline(&cache, &app);
    let used_before = only_versions(&cache.snapshot(), APP_VERSIONS);

    let out = prune(&cache, &["--unused-by", app.dir.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0), "{}", output_text(&out));
    assert!(out.stderr.is_empty(), "{}", output_text(&out));
    assert_eq!(
        normalize(&String::from_utf8(out.stdout).unwrap()),
        "removing 4 versions, <size>:
golang.org/x/text v0.3.0 2017-09-16 <size> <bar> tree zip ziphash mod info
rsc.io/quote v1.5.1 2018-02-14 <size> <bar> tree zip ziphash mod info
rsc.io/quote/v3 v3.0.0 2018-07-09 <size> <bar> tree zip ziphash mod info
rsc.io/sampler v1.3.0 2018-02-13 <size> <bar> tree zip ziphash (go.mod kept)
removed 4 versions, freed <size>; the cache is now about <size>"
    );

    // The pruned versions are gone; Go's lock files stay, as Go's own cleanups leave them.
    for spec in [
        "rsc.io/quote@v1.5.1",
        "golang.org/x/text@v0.3.0",
        "rsc.io/quote/v3@v3.0.0",
    ] {
        assert_eq!(files_of(&cache, spec), ["lock"], "{spec}");
    }
    assert_eq!(
        files_of(&cache, "rsc.io/sampler@v1.3.0"),
        ["mod", "info", "lock"]
    );
    only_versions(&cache.snapshot(), APP_VERSIONS).assert_same(&used_before);
    // Go's version lists name only versions whose .mod is still there.
    let list = |m: &str| {
        fs::read_to_string(cache.root().join(format!("cache/download/{m}/@v/list"))).unwrap()
    };
    assert_eq!(list("rsc.io/quote"), "v1.5.2\n");
    assert_eq!(list("rsc.io/sampler"), "v1.3.0\nv1.3.1\n");
    assert_eq!(
        list("golang.org/x/text"),
        "v0.0.0-20170915032832-14c0d48ead0c\n"
    );

    build_offline(&cache, &app);
    verify_clean(&cache, &app);

    // Nothing is left to prune.
    let again = prune_json(&cache, &["--unused-by", app.dir.to_str().unwrap()]);
    assert!(again.versions.is_empty(), "{:?}", again.selected());
}

#[test]
fn prune_dry_run_lists_and_totals_and_removes_nothing() {
    require_go!();
    let (cache, app) = cache_with_app();
    let before = cache.snapshot();
    let dir = app.dir.to_str().unwrap();
    let out = prune(&cache, &["--unused-by", dir, "--dry-run"]);
    assert_eq!(out.status.code(), Some(0), "{}", output_text(&out));
    assert_eq!(
        normalize(&String::from_utf8(out.stdout).unwrap()),
        "would remove 4 versions, <size>:
golang.org/x/text v0.3.0 2017-09-16 <size> <bar> tree zip ziphash mod info
rsc.io/quote v1.5.1 2018-02-14 <size> <bar> tree zip ziphash mod info
rsc.io/quote/v3 v3.0.0 2018-07-09 <size> <bar> tree zip ziphash mod info
rsc.io/sampler v1.3.0 2018-02-13 <size> <bar> tree zip ziphash (go.mod kept)
total: <size> in 4 versions; the cache would go from <size> to <size> (dry run: nothing removed)"
    );
    let doc = prune_json(&cache, &["--unused-by", dir, "--dry-run"]);
    before.assert_same(&cache.snapshot());

    assert!(doc.dry_run && doc.freed_bytes.is_none() && doc.errors.is_empty());
    assert_eq!((doc.scope.as_str(), doc.max_size), ("versions", None));
    assert_eq!(doc.modcache, cache.root().to_string_lossy());
    assert_eq!(doc.bytes, doc.versions.iter().map(|v| v.bytes).sum::<u64>());
    assert_eq!(
        doc.apparent_bytes,
        doc.versions.iter().map(|v| v.apparent_bytes).sum::<u64>()
    );
    assert!(doc.bytes > 0 && doc.bytes < doc.cache_bytes);
    let sampler = doc
        .versions
        .iter()
        .find(|v| v.module == "rsc.io/sampler")
        .unwrap();
    assert!(sampler.gomod_kept);
    assert_eq!(sampler.date.as_deref(), Some("2018-02-13T19:05:03Z"));
    assert_eq!(sampler.date_source.as_deref(), Some("info"));
    assert!(sampler.last_used.is_some());
    assert!(sampler.freed_bytes.is_none() && sampler.skipped.is_none() && sampler.error.is_none());
    let paths: Vec<&str> = sampler.removals.iter().map(|r| r.path.as_str()).collect();
    let model = cache.model();
    let p = model.paths(&common::parse_spec("rsc.io/sampler@v1.3.0"));
    let expect: Vec<String> = [&p.tree, &p.zip, &p.ziphash]
        .iter()
        .map(|x| x.to_string_lossy().into_owned())
        .collect();
    assert_eq!(paths, expect);
    assert_eq!(
        sampler.bytes,
        sampler.removals.iter().map(|r| r.bytes).sum::<u64>()
    );

    // The real run removes what the dry run listed and frees what it announced.
    let real = prune_json(&cache, &["--unused-by", dir]);
    assert!(!real.dry_run);
    assert_eq!(real.selected(), doc.selected());
    assert_eq!(real.freed_bytes, Some(doc.bytes));
    build_offline(&cache, &app);
}

#[test]
fn prune_zips_only_and_trees_only_keep_builds_working() {
    require_go!();
    let (cache, app) = cache_with_app();
    let out = prune(&cache, &["--zips-only"]);
    assert_eq!(out.status.code(), Some(0), "{}", output_text(&out));
    for spec in APP_VERSIONS.iter().chain(EXTRA) {
        assert_eq!(
            files_of(&cache, spec),
            ["tree", "ziphash", "mod", "info", "lock"],
            "{spec}"
        );
    }
    build_offline(&cache, &app);
    verify_clean(&cache, &app);

    let (cache, app) = cache_with_app();
    let out = prune(&cache, &["--trees-only"]);
    assert_eq!(out.status.code(), Some(0), "{}", output_text(&out));
    for spec in APP_VERSIONS.iter().chain(EXTRA) {
        assert_eq!(
            files_of(&cache, spec),
            ["zip", "ziphash", "mod", "info", "lock"],
            "{spec}"
        );
    }
    // Go extracts the trees it needs again from the zips, without the network.
    build_offline(&cache, &app);
    verify_clean(&cache, &app);
    assert_eq!(files_of(&cache, "rsc.io/quote@v1.5.2")[0], "tree");

    // A zip whose tree is not there is not redundant: --zips-only leaves it.
    let doc = prune_json(&cache, &["--zips-only", "--dry-run"]);
    assert_eq!(
        doc.selected(),
        [
            "golang.org/x/text@v0.0.0-20170915032832-14c0d48ead0c zip",
            "rsc.io/quote@v1.5.2 zip",
            "rsc.io/sampler@v1.3.1 zip"
        ]
    );
}

#[test]
fn prune_keep_latest_and_older_than_intersect() {
    require_go!();
    let (cache, _app) = cache_with_app();
    let doc = prune_json(&cache, &["--keep-latest", "1", "--dry-run"]);
    assert_eq!(
        doc.selected(),
        [
            "golang.org/x/text@v0.0.0-20170915032832-14c0d48ead0c tree+zip+ziphash+mod+info",
            "rsc.io/quote@v1.5.1 tree+zip+ziphash+mod+info",
            "rsc.io/sampler@v1.3.0 tree+zip+ziphash+mod+info",
        ]
    );
    // The .info Times are from 2017 and 2018.
    let old = prune_json(
        &cache,
        &["--keep-latest", "1", "--older-than", "2w", "--dry-run"],
    );
    assert_eq!(old.selected(), doc.selected());
    let none = prune_json(
        &cache,
        &["--keep-latest", "1", "--older-than", "100y", "--dry-run"],
    );
    assert!(none.versions.is_empty());

    // Without a .info, the date is the files' mtime: today.
    cache.version("rsc.io/quote@v1.5.1").remove_info();
    let recent = prune_json(
        &cache,
        &["--keep-latest", "1", "--older-than", "12h", "--dry-run"],
    );
    assert_eq!(
        recent.selected(),
        [
            "golang.org/x/text@v0.0.0-20170915032832-14c0d48ead0c tree+zip+ziphash+mod+info",
            "rsc.io/sampler@v1.3.0 tree+zip+ziphash+mod+info",
        ]
    );
    let all = prune_json(
        &cache,
        &["--keep-latest", "1", "--older-than", "0s", "--dry-run"],
    );
    let quote = all
        .versions
        .iter()
        .find(|v| v.module == "rsc.io/quote")
        .unwrap();
    assert_eq!(quote.date_source.as_deref(), Some("mtime"));
    assert_eq!(quote.parts, ["tree", "zip", "ziphash", "mod"]);
}

#[test]
fn prune_removes_leftover_temp_files_but_not_ones_go_may_be_writing() {
    require_go!();
    let cache = GoCache::new();
    cache.download(&["rsc.io/quote@v1.5.2", "rsc.io/quote@v1.5.1"]);
    let old = cache.version("rsc.io/quote@v1.5.1");
    let zip_tmp = old.leave_zip_tmp();
    let tree_tmp = old.leave_tree_tmp();
    // Go writes .info and .mod temp files without the lock: a fresh one may be live.
    let info_tmp = old.leave_info_tmp();
    let out = prune(&cache, &["--keep-latest", "1"]);
    assert_eq!(out.status.code(), Some(0), "{}", output_text(&out));
    assert!(!zip_tmp.exists() && !tree_tmp.exists());
    assert!(info_tmp.exists());
    assert_eq!(files_of(&cache, "rsc.io/quote@v1.5.1"), ["lock", "tmp"]);
    assert_eq!(
        files_of(&cache, "rsc.io/quote@v1.5.2"),
        ["tree", "zip", "ziphash", "mod", "info", "lock"]
    );
}

/// Set the access and modification times of every file of a version.
fn age(cache: &GoCache, spec: &str, days: u64) {
    let when = SystemTime::now() - Duration::from_secs(days * 86_400);
    let p = cache.model().paths(&common::parse_spec(spec));
    let mut files: Vec<std::path::PathBuf> = vec![p.zip, p.ziphash, p.gomod, p.info, p.lock];
    files.extend(
        walkdir::WalkDir::new(&p.tree)
            .into_iter()
            .map(|e| e.unwrap())
            .filter(|e| e.file_type().is_file())
            .map(|e| e.into_path()),
    );
    for f in files {
        let times = fs::FileTimes::new().set_accessed(when).set_modified(when);
        fs::File::open(&f).unwrap().set_times(times).unwrap();
    }
}

#[test]
fn prune_max_size_removes_the_least_recently_used_first() {
    require_go!();
    let (cache, app) = cache_with_app();
    age(&cache, "rsc.io/quote/v3@v3.0.0", 30);
    age(&cache, "rsc.io/quote@v1.5.1", 20);
    age(&cache, "golang.org/x/text@v0.3.0", 10);
    let dir = app.dir.to_str().unwrap();

    let all = prune_json(
        &cache,
        &["--max-size", "0", "--unused-by", dir, "--dry-run"],
    );
    let size = |m: &str| {
        all.versions
            .iter()
            .find(|v| format!("{}@{}", v.module, v.version) == m)
            .unwrap()
            .bytes
    };
    let oldest = size("rsc.io/quote/v3@v3.0.0");
    let total = all.cache_bytes;

    let fits = (total - oldest).to_string();
    let one = prune_json(
        &cache,
        &["--max-size", &fits, "--unused-by", dir, "--dry-run"],
    );
    assert_eq!(
        one.selected(),
        ["rsc.io/quote/v3@v3.0.0 tree+zip+ziphash+mod+info"]
    );
    assert_eq!(one.max_size, Some(total - oldest));
    let v3 = &one.versions[0];
    let thirty_days_ago = SystemTime::now() - Duration::from_secs(30 * 86_400);
    let day = modcache::gotime::format_date(
        thirty_days_ago
            .duration_since(SystemTime::UNIX_EPOCH)
            .unwrap()
            .as_secs() as i64,
    );
    assert!(
        v3.last_used.as_deref().unwrap().starts_with(&day),
        "{:?}",
        v3.last_used
    );

    let just_over = (total - oldest - 1).to_string();
    let two = prune_json(
        &cache,
        &["--max-size", &just_over, "--unused-by", dir, "--dry-run"],
    );
    assert_eq!(
        two.selected(),
        [
            "rsc.io/quote@v1.5.1 tree+zip+ziphash+mod+info",
            "rsc.io/quote/v3@v3.0.0 tree+zip+ziphash+mod+info"
        ]
    );

    // Already small enough: nothing to do, and it says so.
    let out = prune(&cache, &["--max-size", "1TB", "--dry-run"]);
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.starts_with("nothing to remove: the cache ("), "{text}");
    assert!(
        text.ends_with(") already fits in --max-size 1 TB\n"),
        "{text}"
    );

    // The project's versions are never candidates: the cache stays over a tiny limit.
    let out = prune(&cache, &["--max-size", "1kB", "--unused-by", dir]);
    assert_eq!(out.status.code(), Some(0), "{}", output_text(&out));
    let text = normalize(&String::from_utf8(out.stdout).unwrap());
    assert!(
        text.ends_with("over --max-size <size>: the other criteria keep the rest"),
        "{text}"
    );
    assert!(
        text.contains("rsc.io/quote/v3 v3.0.0 2018-07-09 used "),
        "{text}"
    );
    build_offline(&cache, &app);
    verify_clean(&cache, &app);
}

/// Run prune (no Go needed) and return (exit code, stdout, stderr).
fn run(args: &[&str]) -> (Option<i32>, String, String) {
    let out = common::modcache().arg("prune").args(args).output().unwrap();
    (
        out.status.code(),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

#[test]
fn prune_bad_input_is_one_clear_line_and_exit_2() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("mod");
    fs::create_dir_all(root.join("cache/download")).unwrap();
    let root_s = root.to_str().unwrap();
    let project = tmp.path().join("p");
    fs::create_dir_all(project.join("sub")).unwrap();
    fs::write(
        project.join("sub/go.sum"),
        "rsc.io/quote v1.5.2 h1:abc=\nrsc.io/quote v1.5.2\n",
    )
    .unwrap();
    let missing = tmp.path().join("no-such-dir");
    let p = |x: &Path| x.to_str().unwrap().to_string();

    let cases: Vec<(Vec<String>, String)> = vec![
        (
            vec!["--unused-by".into(), p(&missing)],
            format!("modcache: --unused-by: {}: no such directory\n", missing.display()),
        ),
        (
            vec!["--unused-by".into(), p(&project)],
            format!(
                "modcache: --unused-by: {}:2: malformed go.sum line: wrong number of fields 2\n",
                fs::canonicalize(&project).unwrap().join("sub/go.sum").display()
            ),
        ),
        (
            vec!["--older-than".into(), "3 fortnights".into()],
            "modcache: --older-than: invalid duration \"3 fortnights\": unknown unit \"fortnights\"; \
             use a number and a unit (s, m, h, d, w, mo, y), as in 30d, 12h or 2w\n"
                .into(),
        ),
        (
            vec!["--older-than".into(), "30".into()],
            "modcache: --older-than: invalid duration \"30\": missing unit after 30; \
             use a number and a unit (s, m, h, d, w, mo, y), as in 30d, 12h or 2w\n"
                .into(),
        ),
        (
            vec!["--max-size".into(), "10 parsecs".into()],
            "modcache: --max-size: invalid size \"10 parsecs\": unknown unit \"parsecs\"; \
             use a number and an optional unit (B, kB, MB, GB, TB, KiB, MiB, GiB, TiB), as in 10GB\n"
                .into(),
        ),
        (
            vec!["--keep-latest".into(), "0".into()],
            "modcache: --keep-latest must be at least 1 (to empty the cache, use go clean -modcache)\n".into(),
        ),
        (
            vec![],
            "modcache: prune needs at least one of --unused-by, --keep-latest, --older-than, --max-size, \
             --zips-only, --trees-only (to empty the cache, use go clean -modcache)\n"
                .into(),
        ),
    ];
    for (args, stderr) in cases {
        let mut full: Vec<&str> = vec!["--modcache", root_s];
        full.extend(args.iter().map(String::as_str));
        let (code, out, err) = run(&full);
        assert_eq!(
            (code, out.as_str(), err.as_str()),
            (Some(2), "", stderr.as_str()),
            "{args:?}"
        );
    }

    // A directory that is not a module cache is refused unless --force.
    let (code, _, err) = run(&["--modcache", p(tmp.path()).as_str(), "--keep-latest", "1"]);
    assert_eq!(code, Some(2));
    assert_eq!(
        err,
        format!(
            "modcache: {}: does not look like a Go module cache (no cache/download); use --force to remove files from it anyway\n",
            tmp.path().display()
        )
    );
}

#[test]
fn prune_skips_vendor_and_git_and_does_not_follow_symlinks() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("mod");
    fs::create_dir_all(root.join("cache/download")).unwrap();
    let project = tmp.path().join("p");
    for d in ["vendor", ".git", "node_modules"] {
        fs::create_dir_all(project.join(d)).unwrap();
        fs::write(project.join(d).join("go.sum"), "not a go.sum line\n").unwrap();
    }
    let elsewhere = tmp.path().join("elsewhere");
    fs::create_dir_all(&elsewhere).unwrap();
    fs::write(elsewhere.join("go.sum"), "broken\n").unwrap();
    std::os::unix::fs::symlink(&elsewhere, project.join("link")).unwrap();
    let (code, out, err) = run(&[
        "--modcache",
        root.to_str().unwrap(),
        "--unused-by",
        project.to_str().unwrap(),
        "--dry-run",
    ]);
    let warning = format!(
        "modcache: warning: --unused-by: not following the symlink {}: give its target too if a project lives there\n",
        fs::canonicalize(&project).unwrap().join("link").display()
    );
    assert_eq!(
        (code, out.as_str(), err.as_str()),
        (
            Some(0),
            "nothing to remove: no version matches every criterion\n",
            warning.as_str()
        )
    );
}
