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
use std::path::{Path, PathBuf};
use std::process::Command;

use common::{examples_dir, output_text};
use modcache::hash::{ZipError, hash_zip};

/// xorshift64*: deterministic, so a failure names a reproducible mutant.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

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

/// Build the Go oracle once per target directory.
fn oracle(go: &Path) -> PathBuf {
    let work = Path::new(env!("CARGO_TARGET_TMPDIR")).join("hashzip-oracle");
    fs::create_dir_all(&work).unwrap();
    let bin = work.join("hashzip");
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/testdata/hashzip");
    let out = common::clean_command(go)
        .args(["build", "-o"])
        .arg(&bin)
        .arg(".")
        .current_dir(&src)
        .env("GOTOOLCHAIN", "local")
        .env("GOENV", "off")
        .env("GOFLAGS", "-mod=mod")
        .env("GOPROXY", "off")
        .env("GOCACHE", work.join("gocache"))
        .env("GOPATH", work.join("gopath"))
        .env("HOME", &work)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "go build hashzip:\n{}",
        output_text(&out)
    );
    bin
}

fn seeds() -> Vec<Vec<u8>> {
    let mut zips: Vec<PathBuf> =
        walkdir::WalkDir::new(examples_dir().join("modcache/cache/download"))
            .into_iter()
            .filter_map(|e| e.ok())
            .map(|e| e.into_path())
            .filter(|p| p.extension().is_some_and(|x| x == "zip"))
            .collect();
    zips.sort();
    let mut seeds: Vec<Vec<u8>> = zips.iter().map(|p| fs::read(p).unwrap()).collect();
    // Keep only zips Go can read (the example cache holds one truncated zip on purpose).
    seeds.retain(|z| {
        z.len() > 22 && z[..4] == *b"PK\x03\x04" && z[z.len() - 22..z.len() - 18] == *b"PK\x05\x06"
    });
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

    let out = Command::new(&bin).args(&paths).output().unwrap();
    assert!(out.status.success(), "{}", output_text(&out));
    let go_says = String::from_utf8(out.stdout).unwrap();
    let mut mismatches = Vec::new();
    let (mut readable, mut rejected) = (0, 0);
    for (line, path) in go_says.lines().zip(&paths) {
        let verdict = line
            .strip_prefix(&format!("{} ", path.display()))
            .expect("oracle prints the path");
        let ours = match hash_zip(path, None) {
            Ok(d) => d.h1,
            Err(ZipError::Corrupt { detail }) => format!("ERR {detail}"),
            Err(e @ ZipError::Io { .. }) => panic!("{e}"),
        };
        match (verdict.starts_with("ERR"), ours.starts_with("ERR")) {
            (true, true) => rejected += 1,
            (false, false) if verdict == ours => readable += 1,
            _ => mismatches.push(format!(
                "{}: Go: {verdict}; modcache: {ours}",
                path.display()
            )),
        }
    }
    assert_eq!(readable + rejected + mismatches.len(), paths.len());
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
