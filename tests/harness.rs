//! Tests of the test harness itself: the caches it builds are real Go caches, every file
//! in them is known to the cache model, and every damage helper does what it claims, as
//! far as Go itself can tell.

mod common;

use std::fs;
use std::path::Path;

use common::txtar::module_of_file_name;
use common::*;
use modcache::cache::entry::VersionFile;
use modcache::cache::{Entry, classify};

const QUOTE: &str = "rsc.io/quote@v1.5.2";
const SAMPLER: &str = "rsc.io/sampler@v1.3.0";
const TEXT: &str = "golang.org/x/text@v0.0.0-20170915032832-14c0d48ead0c";

// --- txtar and proxy (no Go needed) ---

#[test]
fn txtar_parses_like_go() {
    let a = Archive::parse(
        b"comment\n-- a --\nA\n--  b  --\nB1\n-- not a marker\n-- --\nx\n-- c --\nno newline",
    );
    assert_eq!(a.comment, b"comment\n");
    assert_eq!(
        a.files,
        vec![
            ("a".to_string(), b"A\n".to_vec()),
            ("b".to_string(), b"B1\n-- not a marker\n-- --\nx\n".to_vec()),
            ("c".to_string(), b"no newline\n".to_vec()),
        ]
    );
    assert_eq!(
        Archive::parse(b"-- a --").files,
        vec![("a".to_string(), vec![])]
    );
    assert_eq!(Archive::parse(b"no marker").comment, b"no marker\n");
    assert_eq!(Archive::parse(b"").comment, b"");
}

#[test]
fn txtar_file_names_map_to_modules_like_proxy_test() {
    let m = |s| module_of_file_name(s).map(|mv| mv.to_string());
    assert_eq!(
        m("rsc.io_quote_v1.5.2").as_deref(),
        Some("rsc.io/quote@v1.5.2")
    );
    assert_eq!(
        m("rsc.io_quote_v2_v2.0.1").as_deref(),
        Some("rsc.io/quote/v2@v2.0.1")
    );
    assert_eq!(
        m("rsc.io_!q!u!o!t!e_v1.5.3-!p!r!e").as_deref(),
        Some("rsc.io/QUOTE@v1.5.3-PRE")
    );
    assert_eq!(
        m("rsc.io_breaker_v2.0.0+incompatible").as_deref(),
        Some("rsc.io/breaker@v2.0.0+incompatible")
    );
    assert_eq!(m("nothing"), None);
}

#[test]
fn txtar_module_splits_metadata_from_zip_files() {
    let m = Module::from_txtar(&testdata_dir().join("rsc.io_!q!u!o!t!e_v1.5.2.txt"));
    assert_eq!(m.spec(), "rsc.io/QUOTE@v1.5.2");
    assert_eq!(
        m.gomod,
        b"module rsc.io/QUOTE\n\nrequire rsc.io/quote v1.5.2\n"
    );
    assert!(m.info.starts_with(br#"{"Version":"v1.5.2""#));
    let names: Vec<&str> = m.files.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(names, ["go.mod", "QUOTE/quote.go", "QUOTE/quote_test.go"]);
}

#[test]
fn proxy_lays_out_files_like_a_goproxy_directory() {
    let v = Proxy::testdata().dir().join("rsc.io/!q!u!o!t!e/@v");
    assert_eq!(
        fs::read_to_string(v.join("list")).unwrap(),
        "v1.5.2\nv1.5.3-PRE\n"
    );
    for f in [
        "v1.5.2.info",
        "v1.5.2.mod",
        "v1.5.2.zip",
        "v1.5.3-!p!r!e.zip",
    ] {
        assert!(v.join(f).is_file(), "{f}");
    }
    let zip = fs::read(v.join("v1.5.2.zip")).unwrap();
    let zip = zip::ZipArchive::new(std::io::Cursor::new(zip)).unwrap();
    let names: Vec<String> = zip.file_names().map(|n| n.unwrap().into_owned()).collect();
    assert!(
        names
            .iter()
            .any(|n| n == "rsc.io/QUOTE@v1.5.2/QUOTE/quote.go"),
        "{names:?}"
    );
    // Pseudo-versions are not listed, as on a real proxy.
    let text = Proxy::testdata().dir().join("golang.org/x/text/@v");
    assert_eq!(fs::read_to_string(text.join("list")).unwrap(), "v0.3.0\n");
    assert!(proxy::is_pseudo_version(
        "v0.0.0-20170915032832-14c0d48ead0c"
    ));
    assert!(proxy::is_pseudo_version(
        "v0.5.0-alpha.0.20190619023908-3da23a9deb9e"
    ));
    assert!(!proxy::is_pseudo_version("v1.5.3-pre1"));
    assert!(!proxy::is_pseudo_version("v2.0.0+incompatible"));
}

#[test]
fn raw_zip_is_served_verbatim() {
    let proxy = Proxy::new();
    let mv = ModuleVersion::new("example.com/raw", "v1.0.0");
    let zip = zip_bytes(&[("example.com/raw@v1.0.0/go.mod", "module example.com/raw\n")]);
    proxy.add_raw(
        &mv,
        br#"{"Version":"v1.0.0"}"#,
        b"module example.com/raw\n",
        &zip,
    );
    let v = proxy.dir().join("example.com/raw/@v");
    assert_eq!(fs::read(v.join("v1.0.0.zip")).unwrap(), zip);
    assert_eq!(fs::read_to_string(v.join("list")).unwrap(), "v1.0.0\n");
}

// --- real caches ---

#[test]
fn project_gets_a_go_sum_and_go_verifies_it() {
    require_go!();
    let cache = GoCache::new();
    let project = cache.project("app", &[QUOTE]);
    let sum = project.go_sum_text();
    for spec in [QUOTE, SAMPLER, TEXT] {
        let mv = parse_spec(spec);
        assert!(
            sum.contains(&format!("{} {} h1:", mv.path, mv.version)),
            "{sum}"
        );
        assert!(
            sum.contains(&format!("{} {}/go.mod h1:", mv.path, mv.version)),
            "{sum}"
        );
        let v = cache.version(spec);
        for p in [
            &v.paths.zip,
            &v.paths.ziphash,
            &v.paths.info,
            &v.paths.gomod,
        ] {
            assert!(p.is_file(), "{}", p.display());
        }
        assert!(v.paths.tree.is_dir());
    }
    let (ok, out) = cache.go_mod_verify(&project);
    assert!(ok, "{out}");
    assert_eq!(out, "all modules verified\n");
}

#[test]
fn downloaded_trees_are_read_only_like_go_leaves_them() {
    require_go!();
    let cache = GoCache::new();
    let d = cache.download(&[QUOTE]);
    assert_eq!(d.len(), 1);
    assert_eq!(d[0].mv(), parse_spec(QUOTE));
    assert!(d[0].sum.as_deref().unwrap().starts_with("h1:"));
    let snap = cache.snapshot();
    let tree = Path::new("rsc.io/quote@v1.5.2");
    assert_eq!(snap.get(tree), Some(&Node::Dir { mode: 0o555 }));
    assert!(matches!(
        snap.get(tree.join("quote.go")),
        Some(Node::File { mode: 0o444, .. })
    ));
}

#[test]
fn go_refuses_badzip() {
    require_go!();
    let cache = GoCache::new();
    let (out, d) = cache.try_download(&["rsc.io/badzip@v1.0.0"]);
    assert!(!out.status.success());
    assert!(
        d[0].error.as_deref().unwrap().contains("unexpected file"),
        "{d:?}"
    );
}

/// STYLE.md habit 4: every file and directory of a real cache is named by the model,
/// including the leftovers the damage helpers create.
#[test]
fn every_file_of_a_real_cache_is_classified() {
    require_go!();
    let cache = GoCache::new();
    let specs: Vec<String> = fs::read_dir(testdata_dir())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "txt"))
        .map(|p| Module::from_txtar(&p).spec())
        .filter(|s| s != "rsc.io/badzip@v1.0.0")
        .collect();
    let specs: Vec<&str> = specs.iter().map(String::as_str).collect();
    assert!(specs.len() >= 18, "{specs:?}");
    cache.download(&specs);
    cache.project("app", &[QUOTE]);
    let _ = cache.try_download(&["rsc.io/badzip@v1.0.0"]); // leaves .info/.mod/.lock only
    let quote = cache.version(QUOTE);
    quote.leave_zip_tmp();
    quote.leave_info_tmp();
    quote.leave_mod_tmp();
    quote.leave_tree_tmp();
    cache.version(SAMPLER).interrupt_extraction();

    let mut kinds = std::collections::BTreeSet::new();
    for rel in cache.walk() {
        let entry = classify(&rel);
        assert_ne!(entry, Entry::Unknown, "{}", rel.display());
        kinds.insert(format!("{entry:?}").split('(').next().unwrap().to_string());
        if let Entry::Version(_, VersionFile::Tmp) = entry {
            kinds.insert("Tmp".into());
        }
    }
    for k in [
        "Version",
        "VersionList",
        "Tree",
        "TreeFile",
        "TreeTmp",
        "Other",
        "Tmp",
    ] {
        assert!(kinds.contains(k), "no {k} entry in {kinds:?}");
    }
    // Each downloaded version has the files Go keeps, named with Go's escaping.
    for spec in &specs {
        let v = cache.version(spec);
        assert!(v.paths.ziphash.is_file(), "{}", v.paths.ziphash.display());
    }
    assert!(
        cache
            .root()
            .join("rsc.io/!q!u!o!t!e@v1.5.3-!p!r!e")
            .is_dir()
    );
}

// --- damage helpers, each checked against Go's own verdict ---

/// A cache with QUOTE's build list and a project; `damage` is applied to QUOTE, then the
/// other versions must be byte-identical and `go mod verify` must say `expect`.
fn damage_and_verify(damage: impl FnOnce(&CachedVersion), expect: Option<&str>) -> GoCache {
    let cache = GoCache::new();
    let project = cache.project("app", &[QUOTE]);
    let before = cache.snapshot();
    damage(&cache.version(QUOTE));
    let after = cache.snapshot();
    assert_ne!(before, after, "the damage changed nothing");
    before
        .without_versions(&[QUOTE])
        .assert_same(&after.without_versions(&[QUOTE]));
    let (ok, out) = cache.go_mod_verify(&project);
    match expect {
        Some(msg) => {
            assert!(!ok, "go mod verify did not notice:\n{out}");
            assert!(
                out.contains("rsc.io/quote v1.5.2") || out.contains("rsc.io/quote@v1.5.2"),
                "{out}"
            );
            assert!(out.contains(msg), "expected {msg:?} in:\n{out}");
            assert!(!out.contains("rsc.io/sampler"), "{out}");
        }
        None => assert!(ok, "{out}"),
    }
    cache
}

#[test]
fn edit_tree_file_is_seen_by_go() {
    require_go!();
    let cache = damage_and_verify(
        |v| {
            v.edit_tree_file("quote.go", |d| d.extend_from_slice(b"// edited\n"));
        },
        Some("dir has been modified"),
    );
    let s = cache.snapshot();
    let file = s.get("rsc.io/quote@v1.5.2/quote.go").unwrap();
    assert!(matches!(file, Node::File { mode: 0o444, data } if data.ends_with(b"// edited\n")));
    assert_eq!(
        s.get("rsc.io/quote@v1.5.2"),
        Some(&Node::Dir { mode: 0o555 })
    );
}

#[test]
fn add_tree_file_is_seen_by_go() {
    require_go!();
    let cache = damage_and_verify(
        |v| {
            v.add_tree_file("extra/new.go", "package extra\n");
        },
        Some("dir has been modified"),
    );
    let s = cache.snapshot();
    assert_eq!(
        s.get("rsc.io/quote@v1.5.2/extra"),
        Some(&Node::Dir { mode: 0o555 })
    );
    assert_eq!(
        s.get("rsc.io/quote@v1.5.2"),
        Some(&Node::Dir { mode: 0o555 })
    );
}

#[test]
fn remove_tree_file_is_seen_by_go() {
    require_go!();
    let cache = damage_and_verify(
        |v| {
            v.remove_tree_file("buggy/buggy_test.go");
        },
        Some("dir has been modified"),
    );
    let s = cache.snapshot();
    assert!(s.get("rsc.io/quote@v1.5.2/buggy/buggy_test.go").is_none());
    assert_eq!(
        s.get("rsc.io/quote@v1.5.2/buggy"),
        Some(&Node::Dir { mode: 0o555 })
    );
}

#[test]
fn empty_tree_is_seen_by_go() {
    require_go!();
    let cache = damage_and_verify(
        |v| {
            v.empty_tree();
        },
        Some("dir has been modified"),
    );
    let tree = cache.version(QUOTE).paths.tree;
    assert_eq!(fs::read_dir(&tree).unwrap().count(), 0);
}

/// Go's DownloadDir treats a tree beside a `.partial` marker as not there at all:
/// `go mod verify` checks only the zip, and the next download re-extracts the tree.
#[test]
fn interrupted_extraction_is_healed_by_go() {
    require_go!();
    let cache = damage_and_verify(
        |v| {
            v.interrupt_extraction();
        },
        None,
    );
    let v = cache.version(QUOTE);
    assert!(v.paths.partial.is_file());
    assert!(v.paths.zip.is_file() && v.paths.ziphash.is_file());
    let files = walkdir::WalkDir::new(&v.paths.tree)
        .into_iter()
        .filter(|e| e.as_ref().unwrap().file_type().is_file())
        .count();
    assert_eq!(files, v.zip_entries().len() / 2);
    // Go itself treats the .partial tree as absent and re-extracts it.
    cache.download(&[QUOTE]);
    assert!(!v.paths.partial.exists());
    let project = cache.project("again", &[QUOTE]);
    let (ok, out) = cache.go_mod_verify(&project);
    assert!(ok, "{out}");
}

#[test]
fn truncate_zip_is_seen_by_go() {
    require_go!();
    damage_and_verify(
        |v| {
            v.truncate_zip();
        },
        Some("not a valid zip file"),
    );
}

#[test]
fn corrupt_zip_entry_gives_a_checksum_error_in_go() {
    require_go!();
    damage_and_verify(
        |v| {
            v.corrupt_zip_entry("quote.go");
        },
        Some("zip: checksum error"),
    );
}

#[test]
fn garbage_zip_is_seen_by_go() {
    require_go!();
    damage_and_verify(
        |v| {
            v.garbage_zip();
        },
        Some("not a valid zip file"),
    );
}

#[test]
fn missing_ziphash_is_seen_by_go() {
    require_go!();
    damage_and_verify(
        |v| {
            v.remove_ziphash();
        },
        Some("missing ziphash"),
    );
}

#[test]
fn garbled_ziphash_is_seen_by_go() {
    require_go!();
    let cache = damage_and_verify(
        |v| {
            v.garble_ziphash();
        },
        Some("zip has been modified"),
    );
    let v = cache.version(QUOTE);
    assert_eq!(fs::read_to_string(&v.paths.ziphash).unwrap(), WRONG_H1);
}

#[test]
fn edited_mod_is_seen_by_go() {
    require_go!();
    damage_and_verify(
        |v| {
            v.edit_mod(|d| d.extend_from_slice(b"// edited\n"));
        },
        Some("checksum mismatch"),
    );
}

#[test]
fn removed_zip_and_tree_are_not_errors_for_go() {
    require_go!();
    damage_and_verify(
        |v| {
            v.remove_zip();
            v.remove_tree();
        },
        None,
    );
}

#[test]
fn go_temp_files_are_ignored_by_go() {
    require_go!();
    let cache = damage_and_verify(
        |v| {
            v.leave_zip_tmp();
            v.leave_info_tmp();
            v.leave_mod_tmp();
            v.leave_tree_tmp();
        },
        None,
    );
    let v = cache.version(QUOTE);
    let n = TMP_NUMBER;
    for name in [
        format!("v1.5.2.zip{n}.tmp"),
        format!("v1.5.2.info{n}.tmp"),
        format!("v1.5.2.mod{n}.tmp"),
    ] {
        let p = v.paths.v_dir.join(&name);
        assert!(p.is_file(), "{name}");
        let rel = p.strip_prefix(cache.root()).unwrap();
        assert_eq!(
            classify(rel),
            Entry::Version(v.mv.clone(), VersionFile::Tmp)
        );
    }
    let tmp_tree = cache.root().join(format!("rsc.io/quote@v1.5.2.tmp-{n}"));
    assert!(tmp_tree.is_dir());
    assert_eq!(
        classify(Path::new(&format!("rsc.io/quote@v1.5.2.tmp-{n}"))),
        Entry::TreeTmp(v.mv.clone())
    );
}

#[test]
fn garbled_info_changes_only_the_info() {
    require_go!();
    let cache = GoCache::new();
    cache.download(&[QUOTE]);
    let v = cache.version(QUOTE);
    let before = cache.snapshot();
    let good = fs::read(&v.paths.info).unwrap();
    v.garble_info();
    let bad = fs::read(&v.paths.info).unwrap();
    assert_eq!(bad, good[..good.len() / 2]);
    assert!(serde_json::from_slice::<serde_json::Value>(&bad).is_err());
    let rel = v.paths.info.strip_prefix(cache.root()).unwrap();
    let diff = before.diff(&cache.snapshot());
    assert_eq!(diff.len(), 1, "{diff:?}");
    assert!(diff[0].contains(&rel.display().to_string()), "{diff:?}");
}

#[test]
fn snapshot_diff_names_each_change() {
    require_go!();
    let cache = GoCache::new();
    cache.download(&[QUOTE, SAMPLER]);
    let before = cache.snapshot();
    let v = cache.version(SAMPLER);
    v.remove_tree_file("hello.go");
    v.add_tree_file("new.go", "package sampler\n");
    v.edit_tree_file("glass.go", |d| d.push(b'\n'));
    let diff = before.diff(&cache.snapshot());
    assert_eq!(diff.len(), 3, "{diff:#?}");
    assert!(diff[0].starts_with("changed  rsc.io/sampler@v1.3.0/glass.go: contents differ"));
    assert!(diff[1].starts_with("removed  rsc.io/sampler@v1.3.0/hello.go"));
    assert!(diff[2].starts_with("added    rsc.io/sampler@v1.3.0/new.go"));
    before
        .without_versions(&[SAMPLER])
        .assert_same(&cache.snapshot().without_versions(&[SAMPLER]));
}

#[test]
fn custom_modules_are_served_before_testdata() {
    require_go!();
    let proxy = Proxy::new();
    let m = Module::new("example.com/Custom", "v1.0.0-RC")
        .file(
            "go.mod",
            "module example.com/Custom\n\nrequire rsc.io/quote v1.5.2\n",
        )
        .file("custom.go", "package custom\n");
    proxy.add(&m);
    let cache = GoCache::with_proxy(&proxy);
    let project = cache.project("app", &["example.com/Custom@v1.0.0-RC"]);
    assert!(
        project
            .go_sum_text()
            .contains("example.com/Custom v1.0.0-RC h1:")
    );
    assert!(project.go_sum_text().contains("rsc.io/quote v1.5.2 h1:"));
    assert!(
        cache
            .root()
            .join("example.com/!custom@v1.0.0-!r!c/custom.go")
            .is_file()
    );
    let (ok, out) = cache.go_mod_verify(&project);
    assert!(ok, "{out}");
}

#[test]
fn commands_run_with_a_clean_environment() {
    let out = clean_command("env").output().unwrap();
    let keys: Vec<String> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| l.split('=').next().unwrap().to_string())
        .collect();
    for k in &keys {
        assert!(
            ["PATH", "TMPDIR", "RUST_BACKTRACE"].contains(&k.as_str()),
            "{keys:?}"
        );
    }
    let out = modcache().arg("--version").output().unwrap();
    assert!(out.status.success(), "{}", output_text(&out));
    assert!(String::from_utf8_lossy(&out.stdout).starts_with("modcache "));
}

#[test]
fn go_runs_isolated_in_the_cache_dir() {
    require_go!();
    let cache = GoCache::new();
    let out = cache
        .go(cache.dir())
        .args([
            "env",
            "GOMODCACHE",
            "GOPATH",
            "GOPROXY",
            "GOFLAGS",
            "GOSUMDB",
            "GOTOOLCHAIN",
        ])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", output_text(&out));
    let expected = format!(
        "{}\n{}\n{}\n\noff\nlocal\n",
        cache.root().display(),
        cache.dir().join("gopath").display(),
        Proxy::testdata().url()
    );
    assert_eq!(String::from_utf8(out.stdout).unwrap(), expected);
}

// --- the shipped example cache (examples/README.md) ---

/// The example cache still holds exactly the damage examples/README.md documents, as far
/// as Go can tell, and every file in it is known to the model.
#[test]
fn example_cache_has_the_documented_damage() {
    require_go!();
    let examples = examples_dir();
    let cache = GoCache::copy_of(&examples.join("modcache"));
    let dir = cache.dir().join("example");
    fs::create_dir(&dir).unwrap();
    for f in ["go.mod", "go.sum"] {
        fs::copy(examples.join(f), dir.join(f)).unwrap();
    }
    let project = Project {
        go_mod: dir.join("go.mod"),
        go_sum: dir.join("go.sum"),
        dir,
    };
    let before = cache.snapshot();
    let (ok, out) = cache.go_mod_verify(&project);
    let out = out.replace(&cache.root().display().to_string(), "examples/modcache");
    assert!(!ok);
    assert_eq!(
        out,
        "golang.org/x/text v0.0.0-20170915032832-14c0d48ead0c: zip: not a valid zip file\n\
         rsc.io/quote/v3 v3.0.0: missing ziphash: open examples/modcache/cache/download/rsc.io/quote/v3/@v/v3.0.0.ziphash: no such file or directory\n\
         rsc.io/sampler v1.3.0: dir has been modified (examples/modcache/rsc.io/sampler@v1.3.0)\n\
         (exit status: 1)\n"
    );
    before.assert_same(&cache.snapshot());
    let quote = cache.version("rsc.io/QUOTE@v1.5.2");
    assert!(quote.paths.partial.is_file());
    assert!(quote.paths.tree.join("go.mod").is_file());
    assert!(!quote.paths.tree.join("QUOTE").exists());
    for rel in cache.walk() {
        assert_ne!(classify(&rel), Entry::Unknown, "{}", rel.display());
    }
}
