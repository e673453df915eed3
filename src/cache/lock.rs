//! Go's per-version lock: `cache/download/<path>/@v/<version>.lock`.
//!
//! Go takes it with `lockedfile.MutexAt(path).Lock()`: open (creating, mode 0666) and
//! `flock(LOCK_EX)`. std's `File::lock` is `flock` on Linux and macOS, so a lock held by
//! modcache excludes a running `go` command and the other way round.

use std::fs::{File, OpenOptions, TryLockError};
use std::path::Path;

use crate::error::{IoContext, Result};

/// A held version lock; released on drop.
#[derive(Debug)]
pub struct VersionLock {
    _file: File,
}

impl VersionLock {
    /// Try to take the lock without waiting. `Ok(None)` means another process holds it.
    pub fn try_acquire(path: &Path) -> Result<Option<VersionLock>> {
        let file = open(path)?;
        match file.try_lock() {
            Ok(()) => Ok(Some(VersionLock { _file: file })),
            Err(TryLockError::WouldBlock) => Ok(None),
            Err(TryLockError::Error(e)) => Err(e).at(path),
        }
    }

    /// Take the lock, waiting for any other holder.
    pub fn acquire(path: &Path) -> Result<VersionLock> {
        let file = open(path)?;
        file.lock().at(path)?;
        Ok(VersionLock { _file: file })
    }
}

fn open(path: &Path) -> Result<File> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).at(dir)?;
    }
    OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(path)
        .at(path)
}

/// True if another process holds the lock at `path` right now: a `go` command is
/// downloading or extracting that version. Read-only: a missing lock file is not created
/// (and means nobody holds it); the lock is taken for an instant only to test it.
pub fn is_held(path: &Path) -> bool {
    let Ok(file) = File::open(path) else {
        return false;
    };
    matches!(file.try_lock(), Err(TryLockError::WouldBlock))
}
