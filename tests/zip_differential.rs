//! Differential test of zip hashing against Go itself.
//!
//! `tests/testdata/hashzip` is `dirhash.HashZip` written with Go's standard library
//! (archive/zip decides what is readable). Real module zips written by Go are damaged in
//! many seeded ways — bit flips, overwritten bytes, truncation, appended or inserted
//! bytes — and for every damaged zip modcache must reach Go's verdict: the same `h1:`
//! when Go can hash it, and an error when Go cannot. This is how "zip-corrupt" versus
//! "zip-modified" is kept honest on damage nobody wrote a test for.

mod common;

use std::fs;

use common::oracle::{Rng, example_zips, go_verdicts, modcache_verdict, oracle, same_verdict};

fn mutate(data: &[u8], rng: &mut Rng) -> Vec<u8> {
    let mut d = data.to_vec();
    match rng.below(6) {
        0 | 1 => {
            for _ in 0..=rng.below(3) {
                let i = rng.below(d.len());
                d[i] ^= 1 << rng.below(8);
            }
        }
        2 => {
            let i = rng.below(d.len());
            d[i] = rng.next() as u8;
        }
        3 => d.truncate(rng.below(d.len())),
        4 => {
            let extra: Vec<u8> = (0..=rng.below(100)).map(|_| rng.next() as u8).collect();
            if rng.below(2) == 0 {
                d.extend(extra);
            } else {
                d.splice(0..0, extra);
            }
        }
        _ => {
            let (i, j) = (rng.below(d.len()), rng.below(d.len()));
            let chunk: Vec<u8> = d[j..(j + 1 + rng.below(50)).min(d.len())].to_vec();
            d.splice(i..i, chunk);
        }
    }
    d
}

fn seeds() -> Vec<Vec<u8>> {
    let mut seeds: Vec<Vec<u8>> = example_zips().into_iter().map(|(_, z)| z).collect();
    // Shapes real zips rarely have: directory entries, stored and empty entries.
    seeds.push(common::zip_bytes(&[
        ("example.com/m@v1.0.0/", &b""[..]),
        ("example.com/m@v1.0.0/go.mod", b"module example.com/m\n"),
        ("example.com/m@v1.0.0/empty.go", b""),
        (
            "example.com/m@v1.0.0/a/b.go",
            b"package b\n\nfunc B() int { return 42 }\n",
        ),
    ]));
    seeds
}

#[test]
fn zip_verdicts_match_go_on_damaged_zips() {
    require_go!();
    let bin = oracle(common::go().unwrap());
    let dir = tempfile::tempdir().unwrap();
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let mut paths = Vec::new();
    for (s, seed) in seeds().iter().enumerate() {
        for k in 0..150 {
            let path = dir.path().join(format!("seed{s}-mutant{k}.zip"));
            fs::write(&path, mutate(seed, &mut rng)).unwrap();
            paths.push(path);
        }
    }
    assert!(paths.len() >= 900, "too few seeds: {}", paths.len());

    let mut mismatches = Vec::new();
    let (mut readable, mut rejected) = (0, 0);
    for (verdict, path) in go_verdicts(&bin, &paths).iter().zip(&paths) {
        let ours = modcache_verdict(path);
        if !same_verdict(verdict, &ours) {
            mismatches.push(format!(
                "{}: Go: {verdict}; modcache: {ours}",
                path.display()
            ));
        } else if verdict.starts_with("ERR") {
            rejected += 1;
        } else {
            readable += 1;
        }
    }
    assert!(
        mismatches.is_empty(),
        "{} of {} verdicts differ from Go:\n{}",
        mismatches.len(),
        paths.len(),
        mismatches.join("\n")
    );
    // Both outcomes must be exercised, or the test proves little.
    assert!(
        readable > 50 && rejected > 50,
        "readable {readable}, rejected {rejected}"
    );
}
