//! A `GOPROXY=file://` directory: `<escaped path>/@v/{list, <v>.info, <v>.mod, <v>.zip}`.

use std::fs;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use modcache::cache::ModuleVersion;
use modcache::cache::escape::escape;
use sha2::{Digest, Sha256};
use tempfile::TempDir;

use super::txtar::Module;

/// The code that writes a proxy: part of the shared proxy's key, so that changing it
/// rebuilds the proxy.
const LAYOUT: [&str; 3] = [
    include_str!("mod.rs"),
    include_str!("txtar.rs"),
    include_str!("proxy.rs"),
];

#[derive(Debug)]
pub struct Proxy {
    dir: PathBuf,
    _temp: Option<TempDir>,
}

impl Proxy {
    /// An empty proxy in its own temporary directory.
    pub fn new() -> Proxy {
        let temp = TempDir::with_prefix("modcache-proxy-").expect("create proxy dir");
        Proxy {
            dir: temp.path().to_path_buf(),
            _temp: Some(temp),
        }
    }

    /// The proxy serving every module in `tests/testdata/mod`, built once per content of
    /// that directory (and of the code writing it) under `CARGO_TARGET_TMPDIR`, and shared
    /// by all tests and test binaries.
    pub fn testdata() -> &'static Proxy {
        static SHARED: OnceLock<Proxy> = OnceLock::new();
        SHARED.get_or_init(|| {
            let src = super::testdata_dir();
            let files = txtar_files(&src);
            let mut hash = Sha256::new();
            for code in LAYOUT {
                hash.update(code);
            }
            for f in &files {
                hash.update(f.file_name().unwrap().as_encoded_bytes());
                hash.update([0]);
                hash.update(fs::read(f).unwrap());
                hash.update([0]);
            }
            let key: String = hash.finalize()[..8]
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect();
            let tmp_root = Path::new(env!("CARGO_TARGET_TMPDIR"));
            let dir = tmp_root.join(format!("testdata-proxy-{key}"));
            if !dir.is_dir() {
                fs::create_dir_all(tmp_root).unwrap();
                // Build beside the final name, then rename: concurrent test binaries either
                // win the rename or find the finished directory.
                let building = tempfile::Builder::new()
                    .prefix("testdata-proxy-building-")
                    .tempdir_in(tmp_root)
                    .unwrap();
                let proxy = Proxy {
                    dir: building.path().to_path_buf(),
                    _temp: None,
                };
                for f in &files {
                    proxy.add(&Module::from_txtar(f));
                }
                let built = building.keep();
                if fs::rename(&built, &dir).is_err() {
                    assert!(dir.is_dir(), "cannot create {}", dir.display());
                    let _ = fs::remove_dir_all(&built);
                }
            }
            Proxy { dir, _temp: None }
        })
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The GOPROXY value serving this directory.
    pub fn url(&self) -> String {
        format!("file://{}", self.dir.display())
    }

    /// Serve `module`: its `.info`, `.mod`, zip, and an updated `@v/list`.
    pub fn add(&self, module: &Module) -> &Proxy {
        self.add_raw(&module.mv(), &module.info, &module.gomod, &module.zip())
    }

    /// Serve a txtar file from Go's testdata format.
    pub fn add_txtar(&self, file: &Path) -> Module {
        let module = Module::from_txtar(file);
        self.add(&module);
        module
    }

    /// Serve every `*.txt` in `dir`.
    pub fn add_txtar_dir(&self, dir: &Path) -> Vec<Module> {
        txtar_files(dir).iter().map(|f| self.add_txtar(f)).collect()
    }

    /// Serve arbitrary bytes as a version's files (a zip Go would reject, an odd `.info`).
    pub fn add_raw(&self, mv: &ModuleVersion, info: &[u8], gomod: &[u8], zip: &[u8]) -> &Proxy {
        let v_dir = self.dir.join(escape(&mv.path)).join("@v");
        fs::create_dir_all(&v_dir).unwrap();
        let ver = escape(&mv.version);
        fs::write(v_dir.join(format!("{ver}.info")), info).unwrap();
        fs::write(v_dir.join(format!("{ver}.mod")), gomod).unwrap();
        fs::write(v_dir.join(format!("{ver}.zip")), zip).unwrap();
        // `list` holds tagged versions only, like proxy_test.go's handler.
        let list = v_dir.join("list");
        let mut versions: Vec<String> = fs::read_to_string(&list)
            .unwrap_or_default()
            .lines()
            .map(str::to_string)
            .collect();
        if !is_pseudo_version(&mv.version) && !versions.contains(&mv.version) {
            versions.push(mv.version.clone());
        }
        versions.sort();
        let text: String = versions.iter().map(|v| format!("{v}\n")).collect();
        fs::write(&list, text).unwrap();
        self
    }
}

impl Default for Proxy {
    fn default() -> Self {
        Proxy::new()
    }
}

fn txtar_files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "txt"))
        .collect();
    files.sort();
    files
}

/// golang.org/x/mod/module.IsPseudoVersion, close enough for test data:
/// `...(-|.)<14 digits>-<revision>[+build]`.
pub fn is_pseudo_version(v: &str) -> bool {
    let base = v.split('+').next().unwrap_or(v);
    let Some((rest, rev)) = base.rsplit_once('-') else {
        return false;
    };
    let Some(stamp_at) = rest.len().checked_sub(14) else {
        return false;
    };
    !rev.is_empty()
        && rev.bytes().all(|b| b.is_ascii_alphanumeric())
        && rest[stamp_at..].bytes().all(|b| b.is_ascii_digit())
        && matches!(rest[..stamp_at].bytes().last(), Some(b'-' | b'.'))
}
