//! fsck against `go mod verify` on randomly damaged real caches.
//!
//! Each round builds a project's cache with real Go, gives every version of its build list
//! a seeded random damage (or none), and requires fsck to report exactly what `go mod
//! verify` reports for the kinds Go checks: `zip-modified`, `dir-modified`,
//! `ziphash-missing`, and `zip-corrupt` for a zip Go cannot hash. (fsck's other kinds —
//! `partial`, `tmp-leftover`, `info-corrupt`, `ziphash-invalid` — are things `go mod
//! verify` does not look at, and are left out of the damage drawn here.)

mod common;

use std::collections::BTreeSet;
use std::fs;

use common::{CachedVersion, GoCache, output_text};
use serde_json::Value;

const REQUIRES: &[&str] = &[
    "rsc.io/quote@v1.5.2",
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

type Finding = (String, String, String);

/// Damage one version in the way numbered `n`; returns what it did, for messages.
fn damage(v: &CachedVersion, n: u64) -> &'static str {
    let some_file = || {
        let mut files: Vec<String> = v
            .zip_entries()
            .into_iter()
            .filter(|e| !e.ends_with('/'))
            .collect();
        files.sort();
        files.remove((n as usize / 16) % files.len())
    };
    match n % 15 {
        0 => {
            v.edit_tree_file(&some_file(), |d| d.extend_from_slice(b"\n// edited\n"));
            "edit a tree file"
        }
        1 => {
            v.add_tree_file("zz_added.go", "package x\n");
            "add a tree file"
        }
        2 => {
            v.remove_tree_file(&some_file());
            "remove a tree file"
        }
        3 => {
            v.empty_tree();
            "empty the tree"
        }
        4 => {
            v.truncate_zip();
            "truncate the zip"
        }
        5 => {
            v.garbage_zip();
            "replace the zip by garbage"
        }
        6 => {
            v.remove_ziphash();
            "remove the .ziphash"
        }
        7 => {
            v.garble_ziphash();
            "a wrong but well-formed .ziphash"
        }
        8 => {
            v.remove_tree();
            "remove the tree (healthy)"
        }
        9 => {
            v.remove_zip();
            "remove the zip (healthy)"
        }
        10 => {
            v.edit_tree_file(&some_file(), |d| match d.len() {
                0 => d.push(b'x'),
                len => d[len / 2] ^= 0x20,
            });
            "change one byte of a tree file"
        }
        11 => {
            v.edit_tree_file(&some_file(), |d| {
                if d.pop().is_none() {
                    d.push(b'x');
                }
            });
            "cut a tree file's last byte"
        }
        12 => {
            // Go follows the link and reads the same bytes: nothing to report.
            let file = v.tree_file(&some_file());
            let copy = v.cache.root().parent().unwrap().join(format!("copy-{n}"));
            fs::copy(&file, &copy).unwrap();
            let dir = file.parent().unwrap().to_path_buf();
            common::damage::with_writable(&dir, || {
                fs::remove_file(&file).unwrap();
                std::os::unix::fs::symlink(&copy, &file).unwrap();
            });
            "replace a tree file by a link to a copy outside the cache (healthy)"
        }
        13 => {
            let file = some_file();
            if fs::metadata(v.tree_file(&file)).unwrap().len() == 0 {
                return "nothing";
            }
            v.corrupt_zip_entry(&file);
            "flip a bit in a zip entry"
        }
        _ => "nothing",
    }
}

fn go_verify_findings(text: &str) -> BTreeSet<Finding> {
    let mut found = BTreeSet::new();
    for line in text.lines() {
        let Some((mv, what)) = line.split_once(": ") else {
            continue;
        };
        let Some((m, v)) = mv.split_once(' ') else {
            continue;
        };
        if !v.starts_with('v') || v.contains(' ') {
            continue;
        }
        let kind = if what.starts_with("dir has been modified") {
            "dir-modified"
        } else if what.starts_with("zip has been modified") {
            "zip-modified"
        } else if what.starts_with("missing ziphash") {
            "ziphash-missing"
        } else if what.starts_with("zip: ") || what.starts_with("flate: ") {
            "zip-corrupt"
        } else {
            panic!("unexpected go mod verify line: {line}");
        };
        found.insert((m.to_string(), v.to_string(), kind.to_string()));
    }
    found
}

#[test]
fn fsck_reports_what_go_mod_verify_reports_on_random_damage() {
    require_go!();
    let compared = [
        "zip-modified",
        "dir-modified",
        "ziphash-missing",
        "zip-corrupt",
    ];
    let mut seed: u64 = 0x5DEE_CE66_D1CE_4E5B;
    let mut damaged = 0;
    for round in 0..8 {
        let cache = GoCache::new();
        let project = cache.project("app", REQUIRES);
        let out = cache
            .go(&project.dir)
            .args(["list", "-m", "all"])
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", output_text(&out));
        let build_list: Vec<String> = String::from_utf8(out.stdout)
            .unwrap()
            .lines()
            .skip(1) // the main module
            .map(|l| l.replace(' ', "@"))
            .collect();
        let mut plan = Vec::new();
        for spec in &build_list {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            let what = damage(&cache.version(spec), seed % 1024);
            damaged += usize::from(what != "nothing");
            plan.push(format!("{spec}: {what}"));
        }

        let (_, go_out) = cache.go_mod_verify(&project);
        let go_says = go_verify_findings(&go_out);
        let out = cache
            .modcache()
            .args(["fsck", "--json", "--modcache"])
            .arg(cache.root())
            .output()
            .unwrap();
        let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
        let fsck_says: BTreeSet<Finding> = doc["problems"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|p| compared.contains(&p["kind"].as_str().unwrap()))
            .map(|p| {
                let s = |k: &str| p[k].as_str().unwrap().to_string();
                (s("module"), s("version"), s("kind"))
            })
            .collect();
        assert_eq!(
            fsck_says,
            go_says,
            "round {round}, damage:\n{}\ngo mod verify:\n{go_out}",
            plan.join("\n")
        );
    }
    assert!(damaged >= 20, "too little damage drawn: {damaged}");
}
