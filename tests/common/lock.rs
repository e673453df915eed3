//! Go's per-version lock, held by a test, and modcache queued behind it.

use std::fs::File;
use std::io::{BufRead, BufReader, Read};
use std::process::{Child, ChildStderr, Command, Output, Stdio};

use super::damage::CachedVersion;

/// Go's lock on `v` (`flock` on its `.lock` file, as cmd/go takes it), until dropped.
pub fn hold_lock(v: &CachedVersion) -> File {
    let lock = File::options()
        .read(true)
        .write(true)
        .open(&v.paths.lock)
        .unwrap_or_else(|e| panic!("{}: {e}", v.paths.lock.display()));
    lock.lock().unwrap();
    lock
}

/// A modcache command that said it waits for Go's lock on one version.
pub struct Waiting {
    child: Child,
    stderr: BufReader<ChildStderr>,
    /// Its standard error so far, ending with the line that says it waits.
    pub seen: String,
}

/// Start `cmd` (a modcache command) and read its standard error until it says it waits
/// for Go's lock on `mv` (`path@version`); earlier lines (other waits) are kept in
/// [`Waiting::seen`].
pub fn start_waiting(cmd: &mut Command, mv: &str) -> Waiting {
    let mut child = cmd
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stderr = BufReader::new(child.stderr.take().unwrap());
    let mut seen = String::new();
    let wanted = format!("waiting for Go's lock on {mv} (");
    while !seen.contains(&wanted) {
        let n = stderr.read_line(&mut seen).unwrap();
        assert!(n > 0, "never waited for the lock on {mv}: {seen}");
    }
    Waiting {
        child,
        stderr,
        seen,
    }
}

impl Waiting {
    /// Wait for it to exit: its output, and the whole of its standard error.
    pub fn finish(mut self) -> (Output, String) {
        let out = self.child.wait_with_output().unwrap();
        self.stderr.read_to_string(&mut self.seen).unwrap();
        (out, self.seen)
    }
}
