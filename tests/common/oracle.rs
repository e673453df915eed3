//! Go as the oracle of the differential tests.
//!
//! `tests/testdata/hashzip` is `dirhash.HashZip` written with Go's standard library
//! (archive/zip and compress/flate decide what is readable). [`go_verdicts`] runs it on
//! many zips at once and [`modcache_verdict`] states modcache's answer in the same form,
//! so a test compares the two line by line. [`Rng`] makes every mutant reproducible.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Mutex, OnceLock};

use modcache::hash::{ZipError, hash_zip};

use super::output_text;

/// xorshift64*: deterministic, so a failure names a reproducible mutant.
pub struct Rng(pub u64);

impl Rng {
    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// Uniform enough in `0..n` (0 when `n` is 0).
    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

/// The zips of the example cache Go can read, by path, sorted: real module zips to damage
/// (the cache also holds one truncated zip on purpose, left out here).
pub fn example_zips() -> Vec<(PathBuf, Vec<u8>)> {
    let mut zips: Vec<PathBuf> =
        walkdir::WalkDir::new(super::examples_dir().join("modcache/cache/download"))
            .into_iter()
            .filter_map(|e| e.ok())
            .map(|e| e.into_path())
            .filter(|p| p.extension().is_some_and(|x| x == "zip"))
            .collect();
    zips.sort();
    zips.into_iter()
        .map(|p| {
            let z = fs::read(&p).unwrap();
            (p, z)
        })
        .filter(|(_, z)| {
            z.len() > 22
                && z[..4] == *b"PK\x03\x04"
                && z[z.len() - 22..z.len() - 18] == *b"PK\x05\x06"
        })
        .collect()
}

/// The hashzip oracle (`tests/testdata/hashzip`), built once per test binary.
pub fn oracle(go: &Path) -> PathBuf {
    static BIN: OnceLock<PathBuf> = OnceLock::new();
    BIN.get_or_init(|| {
        let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/testdata/hashzip");
        build_go(go, &src, "hashzip")
    })
    .clone()
}

/// Build the Go main package in `src` (a directory with its own go.mod, standard library
/// only) as `name` under `CARGO_TARGET_TMPDIR`. The binary is renamed into place, so a
/// build in another process never rewrites a binary that is running.
pub fn build_go(go: &Path, src: &Path, name: &str) -> PathBuf {
    // One build at a time in this process: the threads of a test binary share `work`.
    static BUILDING: Mutex<()> = Mutex::new(());
    let _one = BUILDING.lock().unwrap_or_else(|e| e.into_inner());
    let work = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("go-{name}"));
    fs::create_dir_all(&work).unwrap();
    let bin = work.join(name);
    let building = work.join(format!("{name}.building-{}", std::process::id()));
    let out = super::clean_command(go)
        .args(["build", "-o"])
        .arg(&building)
        .arg(".")
        .current_dir(src)
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
        "go build {}:\n{}",
        src.display(),
        output_text(&out)
    );
    fs::rename(&building, &bin).unwrap();
    bin
}

/// Go's verdict on each zip, in order: `h1:...` or `ERR <error>`.
pub fn go_verdicts(oracle: &Path, zips: &[PathBuf]) -> Vec<String> {
    let mut verdicts = Vec::with_capacity(zips.len());
    // Well below the kernel's limit on the size of an argument list.
    for chunk in zips.chunks(2000) {
        let out = Command::new(oracle).args(chunk).output().unwrap();
        assert!(out.status.success(), "{}", output_text(&out));
        let text = String::from_utf8(out.stdout).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), chunk.len(), "oracle output:\n{text}");
        for (line, path) in lines.iter().zip(chunk) {
            let verdict = line
                .strip_prefix(&format!("{} ", path.display()))
                .unwrap_or_else(|| panic!("oracle does not print {}: {line}", path.display()));
            verdicts.push(verdict.to_string());
        }
    }
    verdicts
}

/// modcache's verdict on a zip, in the oracle's form: `h1:...` or `ERR <error>`.
pub fn modcache_verdict(zip: &Path) -> String {
    match hash_zip(zip, None) {
        Ok(d) => d.h1,
        Err(ZipError::Corrupt { detail }) => format!("ERR {detail}"),
        Err(e @ ZipError::Io { .. }) => panic!("{e}"),
    }
}

/// Whether modcache reaches Go's verdict: the same `h1:`, or an error for an error (the
/// message may differ: modcache can notice a fault at another point of the stream).
pub fn same_verdict(go: &str, ours: &str) -> bool {
    match (go.starts_with("ERR"), ours.starts_with("ERR")) {
        (true, true) => true,
        (false, false) => go == ours,
        _ => false,
    }
}
