//! A real module cache filled by the real `go` command, isolated in a temporary directory.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use modcache::cache::{ModCache, ModuleVersion};
use serde::Deserialize;
use tempfile::TempDir;

use super::damage::CachedVersion;
use super::proxy::Proxy;
use super::snapshot::Snapshot;

/// A temporary GOMODCACHE with its own GOPATH, GOCACHE and HOME. Go runs with GOENV=off,
/// GOFLAGS empty, GOTOOLCHAIN=local, GOSUMDB=off and a `file://` GOPROXY, so nothing from
/// the developer's machine (or the network) takes part.
///
/// Layout of [`GoCache::dir`]: `modcache/` (GOMODCACHE), `gopath/`, `gocache/`, `home/`,
/// `work/` (where `go mod download` runs), and one directory per [`GoCache::project`].
///
/// Set `MODCACHE_TEST_KEEP=1` to keep the directory after the test (its path is printed).
#[derive(Debug)]
pub struct GoCache {
    temp: Option<TempDir>,
    dir: PathBuf,
    root: PathBuf,
    goproxy: String,
}

/// One object of `go mod download -json`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct Downloaded {
    pub path: String,
    pub version: String,
    pub error: Option<String>,
    pub info: Option<PathBuf>,
    pub go_mod: Option<PathBuf>,
    pub zip: Option<PathBuf>,
    pub dir: Option<PathBuf>,
    pub sum: Option<String>,
    pub go_mod_sum: Option<String>,
}

impl Downloaded {
    pub fn mv(&self) -> ModuleVersion {
        ModuleVersion::new(&self.path, &self.version)
    }
}

/// A main module whose go.mod requires some versions and whose go.sum Go wrote.
#[derive(Debug, Clone)]
pub struct Project {
    pub dir: PathBuf,
    pub go_mod: PathBuf,
    pub go_sum: PathBuf,
}

impl Project {
    pub fn go_sum_text(&self) -> String {
        fs::read_to_string(&self.go_sum).unwrap()
    }
}

impl GoCache {
    /// An empty cache downloading from the shared testdata proxy.
    pub fn new() -> GoCache {
        GoCache::with_goproxy(Proxy::testdata().url())
    }

    /// An empty cache downloading from `proxy` first, then from the testdata proxy.
    /// `proxy` must outlive the downloads.
    pub fn with_proxy(proxy: &Proxy) -> GoCache {
        GoCache::with_goproxy(format!("{},{}", proxy.url(), Proxy::testdata().url()))
    }

    /// A copy of an existing cache directory (such as `examples/modcache`), with modes
    /// preserved, downloading from the testdata proxy.
    pub fn copy_of(src: &Path) -> GoCache {
        let cache = GoCache::new();
        for entry in walkdir::WalkDir::new(src).min_depth(1) {
            let entry = entry.unwrap();
            let dst = cache.root.join(entry.path().strip_prefix(src).unwrap());
            if entry.file_type().is_dir() {
                fs::create_dir(&dst).unwrap();
            } else {
                fs::copy(entry.path(), &dst).unwrap();
            }
        }
        // Directory modes last: a read-only directory cannot be filled.
        for entry in walkdir::WalkDir::new(src).min_depth(1).contents_first(true) {
            let entry = entry.unwrap();
            if entry.file_type().is_dir() {
                let dst = cache.root.join(entry.path().strip_prefix(src).unwrap());
                fs::set_permissions(dst, entry.metadata().unwrap().permissions()).unwrap();
            }
        }
        cache
    }

    fn with_goproxy(goproxy: String) -> GoCache {
        assert!(
            super::go().is_some(),
            "GoCache needs Go: start the test with require_go!()"
        );
        let temp = TempDir::with_prefix("modcache-test-").expect("create temp dir");
        let dir = temp.path().to_path_buf();
        let root = dir.join("modcache");
        for sub in ["modcache", "gopath", "gocache", "home", "work"] {
            fs::create_dir_all(dir.join(sub)).unwrap();
        }
        GoCache {
            temp: Some(temp),
            dir,
            root,
            goproxy,
        }
    }

    /// GOMODCACHE.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The temporary directory holding the cache, projects and scratch files.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The library's model of this cache.
    pub fn model(&self) -> ModCache {
        ModCache::open(&self.root).unwrap()
    }

    /// The complete environment Go (and modcache) run with.
    pub fn env(&self) -> Vec<(String, String)> {
        let d = |s: &str| self.dir.join(s).display().to_string();
        let mut env: Vec<(String, String)> = [
            ("GOMODCACHE", self.root.display().to_string()),
            ("GOPATH", d("gopath")),
            ("GOCACHE", d("gocache")),
            ("HOME", d("home")),
            ("XDG_CONFIG_HOME", d("home/.config")),
            ("XDG_CACHE_HOME", d("home/.cache")),
            ("GOENV", "off".into()),
            ("GOFLAGS", String::new()),
            ("GOTOOLCHAIN", "local".into()),
            ("GOPROXY", self.goproxy.clone()),
            ("GOSUMDB", "off".into()),
            ("GONOSUMDB", String::new()),
            ("GONOPROXY", String::new()),
            ("GOPRIVATE", String::new()),
            ("GOINSECURE", String::new()),
            ("GO111MODULE", "on".into()),
            ("GOWORK", "off".into()),
            ("CGO_ENABLED", "0".into()),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .collect();
        if let Some(path) = std::env::var_os("PATH") {
            env.push(("PATH".into(), path.to_string_lossy().into_owned()));
        }
        env
    }

    /// `go` with [`GoCache::env`] only, running in `dir`.
    pub fn go(&self, dir: &Path) -> Command {
        let go = super::go().expect("Go is required: start the test with require_go!()");
        let mut cmd = Command::new(go);
        cmd.env_clear().envs(self.env()).current_dir(dir);
        cmd
    }

    /// The modcache binary with the same environment Go sees, so that it finds this
    /// cache as GOMODCACHE without `--modcache`.
    pub fn modcache(&self) -> Command {
        let mut cmd = super::modcache();
        cmd.envs(self.env());
        cmd
    }

    /// `go mod download -json <specs>`; panics (showing Go's output) unless Go succeeds
    /// for every one.
    pub fn download(&self, specs: &[&str]) -> Vec<Downloaded> {
        let (out, downloaded) = self.try_download(specs);
        let failed: Vec<&Downloaded> = downloaded.iter().filter(|d| d.error.is_some()).collect();
        assert!(
            out.status.success() && failed.is_empty(),
            "go mod download {specs:?} failed: {failed:?}\n{}",
            output_text(&out)
        );
        downloaded
    }

    /// `go mod download -json <specs>` whatever the outcome (for versions Go rejects).
    pub fn try_download(&self, specs: &[&str]) -> (Output, Vec<Downloaded>) {
        let out = self
            .go(&self.dir.join("work"))
            .args(["mod", "download", "-json"])
            .args(specs)
            .output()
            .expect("run go");
        let downloaded = serde_json::Deserializer::from_slice(&out.stdout)
            .into_iter::<Downloaded>()
            .collect::<Result<Vec<_>, _>>()
            .unwrap_or_else(|e| panic!("go mod download -json: {e}\n{}", output_text(&out)));
        (out, downloaded)
    }

    /// A main module `example.com/<name>` in `dir()/<name>` requiring `requires`
    /// (`path@version`). `go mod download all` fills the cache with its whole build list
    /// and writes a go.sum with both lines (zip and go.mod) for every module in it.
    pub fn project(&self, name: &str, requires: &[&str]) -> Project {
        let dir = self.dir.join(name);
        fs::create_dir_all(&dir).unwrap();
        let mut go_mod = format!("module example.com/{name}\n\ngo 1.21\n");
        if !requires.is_empty() {
            go_mod.push_str("\nrequire (\n");
            for spec in requires {
                let mv = super::parse_spec(spec);
                go_mod.push_str(&format!("\t{} {}\n", mv.path, mv.version));
            }
            go_mod.push_str(")\n");
        }
        fs::write(dir.join("go.mod"), go_mod).unwrap();
        let out = self
            .go(&dir)
            .args(["mod", "download", "all"])
            .output()
            .expect("run go");
        assert!(
            out.status.success(),
            "go mod download all in {}:\n{}",
            dir.display(),
            output_text(&out)
        );
        let go_sum = dir.join("go.sum");
        if !go_sum.exists() {
            fs::write(&go_sum, "").unwrap();
        }
        Project {
            go_mod: dir.join("go.mod"),
            go_sum,
            dir,
        }
    }

    /// `go mod verify` in the project: (exit status was 0, stdout + stderr).
    pub fn go_mod_verify(&self, project: &Project) -> (bool, String) {
        let out = self
            .go(&project.dir)
            .args(["mod", "verify"])
            .output()
            .expect("run go");
        (out.status.success(), output_text(&out))
    }

    /// `go mod download` in `project` (Go refetches what was removed), then
    /// `go mod verify`, which must say "all modules verified".
    pub fn redownload_and_verify(&self, project: &Project) {
        let dl = self
            .go(&project.dir)
            .args(["mod", "download"])
            .output()
            .expect("run go");
        assert!(
            dl.status.success(),
            "go mod download:\n{}",
            output_text(&dl)
        );
        let (ok, text) = self.go_mod_verify(project);
        assert!(
            ok && text.contains("all modules verified"),
            "go mod verify:\n{text}"
        );
    }

    /// One cached version, to inspect or damage.
    pub fn version(&self, spec: &str) -> CachedVersion {
        CachedVersion::new(self.model(), super::parse_spec(spec))
    }

    /// Every file and directory in the cache, relative to its root, sorted.
    pub fn walk(&self) -> Vec<PathBuf> {
        walkdir::WalkDir::new(&self.root)
            .min_depth(1)
            .sort_by_file_name()
            .into_iter()
            .map(|e| {
                e.unwrap()
                    .path()
                    .strip_prefix(&self.root)
                    .unwrap()
                    .to_path_buf()
            })
            .collect()
    }

    /// Contents and modes of everything in the cache.
    pub fn snapshot(&self) -> Snapshot {
        Snapshot::of(&self.root)
    }
}

impl Default for GoCache {
    fn default() -> Self {
        GoCache::new()
    }
}

impl Drop for GoCache {
    fn drop(&mut self) {
        let Some(temp) = self.temp.take() else {
            return;
        };
        if std::env::var_os("MODCACHE_TEST_KEEP").is_some_and(|v| !v.is_empty()) {
            let kept = temp.keep();
            eprintln!("MODCACHE_TEST_KEEP: kept {}", kept.display());
            return;
        }
        // Go leaves extracted trees read-only; make them removable.
        super::damage::make_tree_writable(temp.path());
        drop(temp);
    }
}

/// modcache refused with exit code 2 and the one-line error `modcache: {message}`.
pub fn assert_error(out: &Output, message: &str) {
    assert_eq!(out.status.code(), Some(2), "{}", output_text(out));
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        format!("modcache: {message}\n")
    );
}

/// A command's exit status, stdout and stderr, for failure messages.
pub fn output_text(out: &Output) -> String {
    format!(
        "{}{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr),
        if out.status.success() {
            String::new()
        } else {
            format!("({})\n", out.status)
        }
    )
}
