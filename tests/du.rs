//! `modcache du` on real caches written by real Go: its totals agree with coreutils `du`,
//! its JSON is the documented contract, its text is plain when piped.

mod common;

use std::fs;
use std::path::Path;
use std::process::Command;

use common::{GoCache, assert_error, output_text};
use serde::Deserialize;

/// The JSON document of `du --json`, field for field (unknown fields fail the test).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct DuDoc {
    modcache: String,
    modules: usize,
    versions: usize,
    bytes: u64,
    apparent_bytes: u64,
    entries: u64,
    categories: Vec<CategoryDoc>,
    top_modules: Vec<ModuleDoc>,
    module_versions: Option<Vec<VersionDoc>>,
    reclaimable: Vec<EstimateDoc>,
    errors: Vec<ErrorDoc>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct CategoryDoc {
    category: String,
    bytes: u64,
    apparent_bytes: u64,
    entries: u64,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ModuleDoc {
    module: String,
    versions: usize,
    latest: String,
    date: Option<String>,
    bytes: u64,
    apparent_bytes: u64,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct VersionDoc {
    module: String,
    version: String,
    date: Option<String>,
    date_source: Option<String>,
    last_used: Option<String>,
    bytes: u64,
    apparent_bytes: u64,
    parts: Vec<PartDoc>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct PartDoc {
    part: String,
    bytes: u64,
    apparent_bytes: u64,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct EstimateDoc {
    kind: String,
    keep_latest: Option<usize>,
    versions: usize,
    bytes: u64,
    apparent_bytes: u64,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ErrorDoc {
    path: Option<String>,
    error: String,
}

impl DuDoc {
    fn category(&self, name: &str) -> &CategoryDoc {
        self.categories
            .iter()
            .find(|c| c.category == name)
            .unwrap_or_else(|| panic!("no category {name}"))
    }
}

const APP: &[&str] = &["rsc.io/quote@v1.5.2", "rsc.io/sampler@v1.3.1"];
const EXTRA: &[&str] = &[
    "rsc.io/quote@v1.5.1",
    "rsc.io/sampler@v1.3.0",
    "golang.org/x/text@v0.3.0",
    "rsc.io/quote/v3@v3.0.0",
];

fn du_json(cache: &GoCache, args: &[&str]) -> DuDoc {
    let out = cache
        .modcache()
        .args(["du", "--json"])
        .args(args)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", output_text(&out));
    assert!(out.stderr.is_empty(), "{}", output_text(&out));
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("du --json ({e}):\n{}", output_text(&out)))
}

/// coreutils `du` with `flag` (`-sB1`, `-sb`, `-cB1`...) over `paths`: the last total.
fn coreutils_du(flag: &str, paths: &[&Path]) -> u64 {
    if paths.is_empty() {
        return 0;
    }
    let out = Command::new("du")
        .arg(flag)
        .args(paths)
        .output()
        .expect("run du");
    assert!(out.status.success(), "du {flag}: {}", output_text(&out));
    let text = String::from_utf8(out.stdout).unwrap();
    let last = text.lines().last().unwrap();
    last.split_whitespace().next().unwrap().parse().unwrap()
}

fn refs(paths: &[std::path::PathBuf]) -> Vec<&Path> {
    paths.iter().map(|p| p.as_path()).collect()
}

fn write(path: &Path, data: &[u8]) {
    fs::create_dir_all(path.parent().unwrap()).unwrap();
    fs::write(path, data).unwrap();
}

/// A cache with a project's versions, more versions, a VCS clone, checksum-database tiles,
/// a temporary leftover and a hard link (inside cache/vcs, so `du` of vcs sees both names).
fn rich_cache() -> GoCache {
    let cache = GoCache::new();
    cache.project("app", APP);
    cache.download(EXTRA);
    let root = cache.root();
    let vcs = root.join("cache/vcs/4a2e0f6b6a0e5c9d");
    write(&vcs.join("HEAD"), b"ref: refs/heads/main\n");
    write(&vcs.join("objects/pack/pack-1.pack"), &vec![7u8; 70_000]);
    fs::hard_link(
        vcs.join("objects/pack/pack-1.pack"),
        vcs.join("objects/pack/pack-1.keep"),
    )
    .unwrap();
    write(
        &root.join("cache/download/sumdb/sum.golang.org/tile/8/0/x123/456"),
        &vec![1u8; 8192],
    );
    write(
        &root.join("cache/download/sumdb/sum.golang.org/latest"),
        b"go.sum database tree\n",
    );
    cache.version("rsc.io/quote@v1.5.1").leave_zip_tmp();
    cache
}

#[test]
fn du_totals_agree_with_coreutils_du() {
    require_go!();
    let cache = rich_cache();
    let root = cache.root();
    let doc = du_json(&cache, &[]);

    assert_eq!(
        doc.bytes,
        coreutils_du("-sB1", &[root]),
        "disk usage of the whole cache"
    );
    assert_eq!(
        doc.apparent_bytes,
        coreutils_du("-sb", &[root]),
        "apparent size of the whole cache"
    );
    let sum: u64 = doc.categories.iter().map(|c| c.bytes).sum();
    assert_eq!(sum, doc.bytes, "categories add up to the total");

    let model = cache.model();
    let inventory = modcache::scan::scan(&model);
    let trees: Vec<_> = inventory
        .versions
        .iter()
        .filter(|(_, f)| f.tree)
        .map(|(mv, _)| model.paths(mv).tree)
        .collect();
    let zips: Vec<_> = inventory
        .versions
        .iter()
        .filter(|(_, f)| f.zip)
        .map(|(mv, _)| model.paths(mv).zip)
        .collect();
    assert_eq!(trees.len(), 7);
    assert_eq!(
        doc.category("trees").bytes,
        coreutils_du("-scB1", &refs(&trees))
    );
    assert_eq!(
        doc.category("trees").apparent_bytes,
        coreutils_du("-sbc", &refs(&trees))
    );
    assert_eq!(
        doc.category("zips").bytes,
        coreutils_du("-scB1", &refs(&zips))
    );
    assert_eq!(
        doc.category("zips").apparent_bytes,
        coreutils_du("-sbc", &refs(&zips))
    );
    let vcs = root.join("cache/vcs");
    assert_eq!(doc.category("vcs").bytes, coreutils_du("-sB1", &[&vcs]));
    assert_eq!(
        doc.category("vcs").apparent_bytes,
        coreutils_du("-sb", &[&vcs])
    );
    let sumdb = root.join("cache/download/sumdb");
    assert_eq!(doc.category("sumdb").bytes, coreutils_du("-sB1", &[&sumdb]));
    assert_eq!(
        doc.category("sumdb").apparent_bytes,
        coreutils_du("-sb", &[&sumdb])
    );
    assert!(doc.category("temp").entries >= 1, "the zip temp file");

    assert_eq!(doc.modules, 4, "{:?}", doc.top_modules);
    assert_eq!(doc.versions, 7);
    assert!(
        doc.errors.is_empty(),
        "{:?}",
        doc.errors
            .iter()
            .map(|e| (&e.path, &e.error))
            .collect::<Vec<_>>()
    );
    assert_eq!(doc.modcache, root.to_string_lossy());
    assert!(doc.entries > 50);
}

#[test]
fn du_json_lists_top_modules_versions_and_estimates() {
    require_go!();
    let cache = rich_cache();
    let doc = du_json(&cache, &["--top", "2"]);
    assert_eq!(doc.top_modules.len(), 2);
    assert!(doc.top_modules[0].bytes >= doc.top_modules[1].bytes);

    let by_name = du_json(&cache, &["--sort", "name", "--top", "10"]);
    let names: Vec<&str> = by_name
        .top_modules
        .iter()
        .map(|m| m.module.as_str())
        .collect();
    assert_eq!(
        names,
        [
            "golang.org/x/text",
            "rsc.io/quote",
            "rsc.io/quote/v3",
            "rsc.io/sampler"
        ]
    );
    let quote = by_name
        .top_modules
        .iter()
        .find(|m| m.module == "rsc.io/quote")
        .unwrap();
    assert_eq!((quote.versions, quote.latest.as_str()), (2, "v1.5.2"));
    assert!(quote.apparent_bytes > 0 && quote.apparent_bytes < quote.bytes);
    assert_eq!(quote.date.as_deref(), Some("2018-02-14T15:44:20Z"));

    // Newest .info Time first.
    let by_date = du_json(&cache, &["--sort", "date"]);
    let dates: Vec<&str> = by_date
        .top_modules
        .iter()
        .map(|m| m.date.as_deref().unwrap())
        .collect();
    let mut sorted = dates.clone();
    sorted.sort_by(|a, b| b.cmp(a));
    assert_eq!(dates, sorted);

    let versions = du_json(&cache, &["--versions", "rsc.io/quote", "--sort", "name"]);
    let vs = versions.module_versions.unwrap();
    let listed: Vec<(&str, &str, Option<&str>, Option<&str>)> = vs
        .iter()
        .map(|v| {
            (
                v.module.as_str(),
                v.version.as_str(),
                v.date.as_deref(),
                v.date_source.as_deref(),
            )
        })
        .collect();
    assert_eq!(
        listed,
        [
            (
                "rsc.io/quote",
                "v1.5.2",
                Some("2018-02-14T15:44:20Z"),
                Some("info")
            ),
            (
                "rsc.io/quote",
                "v1.5.1",
                Some("2018-02-14T00:58:40Z"),
                Some("info")
            ),
        ]
    );
    for v in &vs {
        let parts: Vec<&str> = v.parts.iter().map(|p| p.part.as_str()).collect();
        assert!(
            parts.starts_with(&["tree", "zip", "ziphash", "mod", "info", "lock"]),
            "{parts:?}"
        );
        assert_eq!(v.bytes, v.parts.iter().map(|p| p.bytes).sum::<u64>());
        assert_eq!(
            v.apparent_bytes,
            v.parts.iter().map(|p| p.apparent_bytes).sum::<u64>()
        );
        assert!(v.last_used.is_some());
    }

    let kinds: Vec<(&str, Option<usize>, usize)> = doc
        .reclaimable
        .iter()
        .map(|e| (e.kind.as_str(), e.keep_latest, e.versions))
        .collect();
    // Every version has its tree; beyond the newest of each module: quote v1.5.1,
    // sampler v1.3.0, text's pseudo-version.
    assert_eq!(
        kinds,
        [("zips-with-tree", None, 7), ("superseded", Some(1), 3)]
    );
    let zips = doc.category("zips");
    assert_eq!(doc.reclaimable[0].bytes, zips.bytes);
    assert_eq!(doc.reclaimable[0].apparent_bytes, zips.apparent_bytes);
}

#[test]
fn du_unused_by_estimate_is_what_prune_would_free() {
    require_go!();
    let cache = rich_cache();
    let app = cache.dir().join("app");
    let app = app.to_str().unwrap();
    let doc = du_json(&cache, &["--unused-by", app, "--keep-latest", "2"]);
    let kinds: Vec<(&str, Option<usize>)> = doc
        .reclaimable
        .iter()
        .map(|e| (e.kind.as_str(), e.keep_latest))
        .collect();
    assert_eq!(
        kinds,
        [
            ("zips-with-tree", None),
            ("superseded", Some(2)),
            ("unused", None)
        ]
    );
    let unused = &doc.reclaimable[2];
    // quote v1.5.1, text v0.3.0, quote/v3, and sampler v1.3.0's zip and tree (its go.mod is in go.sum).
    assert_eq!(unused.versions, 4);

    let out = cache
        .modcache()
        .args(["prune", "--json", "--dry-run", "--unused-by", app])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", output_text(&out));
    let plan: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(plan["bytes"].as_u64(), Some(unused.bytes));
    assert_eq!(plan["apparent_bytes"].as_u64(), Some(unused.apparent_bytes));
}

/// Sizes, bars and durations vary with the file system: keep the words, columns collapsed.
fn normalize(text: &str) -> String {
    text.lines()
        .map(|line| {
            let mut words: Vec<String> = Vec::new();
            let tokens: Vec<&str> = line.split_whitespace().collect();
            let mut i = 0;
            while i < tokens.len() {
                let t = tokens[i];
                let unit = tokens.get(i + 1).copied().unwrap_or("");
                if t.parse::<f64>().is_ok()
                    && ["B", "kB", "MB", "GB"].contains(&unit.trim_end_matches([',', ':']))
                {
                    words.push(format!(
                        "<size>{}",
                        &unit[unit.trim_end_matches([',', ':']).len()..]
                    ));
                    i += 2;
                    continue;
                }
                if !t.is_empty() && t.chars().all(|c| c == '#') {
                    words.push("<bar>".into());
                } else if t.ends_with('%') && t[..t.len() - 1].parse::<f64>().is_ok() {
                    words.push("<pct>".into());
                } else if t.ends_with('s') && t[..t.len() - 1].parse::<f64>().is_ok() {
                    words.push("<time>".into());
                } else {
                    words.push(t.to_string());
                }
                i += 1;
            }
            words.join(" ")
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn du_text_is_plain_when_piped() {
    require_go!();
    let cache = rich_cache();
    let out = cache
        .modcache()
        .args(["du", "--top", "3", "--sort", "name"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", output_text(&out));
    assert!(out.stderr.is_empty());
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        !text.contains('\x1b'),
        "no escape codes when piped:\n{text}"
    );
    assert!(text.is_ascii(), "no Unicode bars when piped:\n{text}");
    let root = cache.root().display().to_string();
    assert_eq!(
        normalize(&text),
        format!(
            "{root}: <size> on disk in 4 modules and 7 versions

trees <size> <bar> <pct>
zips <size> <bar> <pct>
metadata <size> <bar> <pct>
vcs <size> <bar> <pct>
sumdb <size> <bar> <pct>
temp <size> <bar> <pct>
other <size> <bar> <pct>
total <size>

modules by name (3 of 4)
golang.org/x/text 2 versions v0.3.0 <size> <bar> <pct>
rsc.io/quote 2 versions v1.5.2 <size> <bar> <pct>
rsc.io/quote/v3 1 version v3.0.0 <size> <bar> <pct>

reclaimable (estimates; they overlap)
zips whose tree is extracted <size> 7 versions <bar> <pct> modcache prune --zips-only
versions beyond the newest 1 of each module <size> 3 versions <bar> <pct> modcache prune --keep-latest 1

measured {} entries in <time>",
            du_json(&cache, &[]).entries
        )
    );
    // Columns line up: every size in the category table ends in the same column.
    let cats: Vec<&str> = text.lines().skip(2).take(8).collect();
    let ends: Vec<usize> = cats.iter().map(|l| l.find('B').unwrap()).collect();
    assert!(ends.windows(2).all(|w| w[0] == w[1]), "{cats:#?}");
}

#[test]
fn du_versions_marks_dates_taken_from_mtime() {
    require_go!();
    let cache = GoCache::new();
    cache.download(&["rsc.io/quote@v1.5.2", "rsc.io/quote@v1.5.1"]);
    cache.version("rsc.io/quote@v1.5.1").remove_info();
    let out = cache
        .modcache()
        .args(["du", "--versions", "rsc.io/quote", "--sort", "name"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", output_text(&out));
    let text = String::from_utf8(out.stdout).unwrap();
    let today = modcache::gotime::format_date(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs() as i64,
    );
    assert_eq!(
        normalize(&text),
        format!(
            "rsc.io/quote: 2 versions, <size> on disk
version date last used tree zip other total
v1.5.2 2018-02-14 {today} <size> <size> <size> <size> <bar> <pct>
v1.5.1 {today}* {today} <size> <size> <size> <size> <bar> <pct>
* date from the files' mtime: no .info Time"
        )
    );
    let doc = du_json(&cache, &["--versions", "rsc.io/quote", "--sort", "name"]);
    let sources: Vec<Option<String>> = doc
        .module_versions
        .unwrap()
        .into_iter()
        .map(|v| v.date_source)
        .collect();
    assert_eq!(
        sources,
        [Some("info".to_string()), Some("mtime".to_string())]
    );
}

#[test]
fn du_of_an_empty_cache_and_of_an_unknown_module() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("mod");
    fs::create_dir_all(root.join("cache/download")).unwrap();
    let out = common::modcache()
        .args(["du", "--json", "--modcache"])
        .arg(&root)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", output_text(&out));
    let doc: DuDoc = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!((doc.modules, doc.versions), (0, 0));
    assert_eq!(doc.bytes, coreutils_du("-sB1", &[&root]));
    assert_eq!(doc.category("other").entries, 3);

    let out = common::modcache()
        .args(["du", "--versions", "rsc.io/quote", "--modcache"])
        .arg(&root)
        .output()
        .unwrap();
    assert_error(
        &out,
        &format!("no versions of rsc.io/quote in {}", root.display()),
    );
    assert!(out.stdout.is_empty());
}
