//! `dirhash.HashDir`: the `h1:` hash of an extracted module tree, as `go mod verify`
//! computes it.
//!
//! Go lists the tree with `filepath.Walk`, which uses `Lstat`: directories are entered
//! and never hashed themselves, and anything else (a symbolic link included) is a file
//! whose name is `prefix/relative/path`. Go then reads each file through `os.Open`,
//! which follows links: a link to a regular file hashes as its target, a link to a
//! directory or a dangling link fails the whole hash. A FIFO or device would block or
//! hang `go`; modcache reports it as not a regular file instead of reading it.
//!
//! Directories are listed in parallel, and files are hashed in parallel on the current
//! rayon pool, each streamed through the worker thread's 256 KiB buffer.

use std::ffi::OsStr;
use std::fs::{self, File};
use std::io::{self, Read};
use std::os::unix::ffi::{OsStrExt, OsStringExt};
use std::path::{Path, PathBuf};

use rayon::prelude::*;
use sha2::{Digest as _, Sha256};

use super::{NEWLINE_ERROR, summarize, with_scratch};
use crate::modzip::clean;

/// The hash of a tree, with what was hashed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Digest {
    /// The `h1:` hash, as in go.sum.
    pub h1: String,
    /// Bytes of file content read.
    pub bytes: u64,
    /// Files hashed (lines of the hash).
    pub files: u64,
}

/// Why a tree could not be hashed. Each error names the offending path.
#[derive(Debug, thiserror::Error)]
pub enum TreeError {
    #[error("{}: {source}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: io::Error,
    },
    /// The root is not a directory (a symbolic link to one counts as not, as in Go).
    #[error("{} is not a directory", path.display())]
    NotADirectory { path: PathBuf },
    /// A FIFO, socket or device, directly or through a symbolic link.
    #[error("{}: not a regular file", path.display())]
    NotRegular { path: PathBuf },
    #[error("{}: {NEWLINE_ERROR}", path.display())]
    Newline { path: PathBuf },
}

impl TreeError {
    /// The file or directory the error concerns.
    pub fn path(&self) -> &Path {
        match self {
            TreeError::Io { path, .. }
            | TreeError::NotADirectory { path }
            | TreeError::NotRegular { path }
            | TreeError::Newline { path } => path,
        }
    }
}

/// The `h1:` hash of the tree at `dir` with file names `prefix/...` (`dirhash.HashDir`;
/// `go` uses `path@version` as the prefix).
pub fn hash_tree(dir: &Path, prefix: &str) -> Result<Digest, TreeError> {
    let Listing { root, files } = list(dir, prefix)?;
    let results: Vec<Option<Result<FileHash, FileError>>> = files
        .par_iter()
        .map(|f| (!f.name.contains(&b'\n')).then(|| hash_file(&root, f)))
        .collect();

    // Like Hash1, fail on the first bad name or file in sorted order.
    let mut hashes = Vec::with_capacity(files.len());
    for (f, result) in files.iter().zip(results) {
        let path = || f.path.clone();
        match result {
            Some(Ok(h)) => hashes.push(h),
            None => return Err(TreeError::Newline { path: path() }),
            Some(Err(FileError::NotRegular)) => {
                return Err(TreeError::NotRegular { path: path() });
            }
            Some(Err(FileError::Io(source))) => {
                return Err(TreeError::Io {
                    path: path(),
                    source,
                });
            }
        }
    }
    let h1 = summarize(
        files
            .iter()
            .zip(&hashes)
            .map(|(f, h)| (&f.name[..], &h.sha)),
    );
    Ok(Digest {
        h1,
        bytes: hashes.iter().map(|h| h.bytes).sum(),
        files: files.len() as u64,
    })
}

/// A tree's root, opened, and the files `filepath.Walk` finds in it.
pub(super) struct Listing {
    pub(super) root: rustix::fd::OwnedFd,
    /// Sorted by name.
    pub(super) files: Vec<TreeFile>,
}

/// List the tree at `dir` as Go's HashDir does, naming its files `prefix/...`.
pub(super) fn list(dir: &Path, prefix: &str) -> Result<Listing, TreeError> {
    let meta = fs::symlink_metadata(dir).map_err(io_at(dir))?;
    if !meta.is_dir() {
        return Err(TreeError::NotADirectory {
            path: dir.to_path_buf(),
        });
    }
    // Files are opened relative to the tree's root (openat), which spares the kernel a
    // lookup of every directory from / down to the tree for each of them.
    let root = rustix::fs::open(
        dir,
        rustix::fs::OFlags::DIRECTORY | rustix::fs::OFlags::RDONLY | rustix::fs::OFlags::CLOEXEC,
        rustix::fs::Mode::empty(),
    )
    .map_err(|e| io_at(dir)(e.into()))?;
    let dir_bytes = dir.as_os_str().as_bytes();
    let prefix = prefix.as_bytes();
    let mut files: Vec<TreeFile> = walk(dir, Vec::new())?
        .into_iter()
        .map(|found| {
            // filepath.Join(prefix, rel), and the file Go opens for that name.
            let name = join_clean(prefix, &found.rel);
            let rest = name.strip_prefix(prefix).unwrap_or(&name);
            let path = PathBuf::from(OsStr::from_bytes(&join_clean(dir_bytes, rest)));
            TreeFile {
                name,
                path,
                rel: found.rel,
                regular: found.regular,
            }
        })
        .collect();
    files.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(Listing { root, files })
}

fn io_at(path: &Path) -> impl FnOnce(io::Error) -> TreeError + '_ {
    move |source| TreeError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// A non-directory found by the walk, by its path relative to the root.
struct Found {
    rel: Vec<u8>,
    /// `Lstat` said regular file; anything else is checked before it is opened.
    regular: bool,
}

pub(super) struct TreeFile {
    /// The name Go hashes it under: `prefix/rel`.
    pub(super) name: Vec<u8>,
    path: PathBuf,
    /// Relative to the tree's root, as the walk found it.
    pub(super) rel: Vec<u8>,
    /// `Lstat` said regular file.
    pub(super) regular: bool,
}

struct FileHash {
    sha: [u8; 32],
    bytes: u64,
}

/// `filepath.Walk` without the order: every non-directory under `dir`. Subdirectories
/// are listed in parallel; the first error in name order wins, as in Go's walk.
fn walk(dir: &Path, rel: Vec<u8>) -> Result<Vec<Found>, TreeError> {
    let mut files = Vec::new();
    let mut subdirs = Vec::new();
    for entry in fs::read_dir(dir).map_err(io_at(dir))? {
        let entry = entry.map_err(io_at(dir))?;
        let file_type = entry.file_type().map_err(|e| io_at(&entry.path())(e))?;
        let mut child = rel.clone();
        if !child.is_empty() {
            child.push(b'/');
        }
        child.extend_from_slice(&entry.file_name().into_vec());
        if file_type.is_dir() {
            subdirs.push((entry.path(), child));
        } else {
            files.push(Found {
                rel: child,
                regular: file_type.is_file(),
            });
        }
    }
    subdirs.sort_by(|a, b| a.1.cmp(&b.1));
    let nested: Vec<Result<Vec<Found>, TreeError>> = subdirs
        .into_par_iter()
        .map(|(path, rel)| walk(&path, rel))
        .collect();
    for found in nested {
        files.extend(found?);
    }
    Ok(files)
}

/// `filepath.Join(a, b)`: join non-empty parts with a slash, then clean.
fn join_clean(a: &[u8], b: &[u8]) -> Vec<u8> {
    match (a.is_empty(), b.is_empty()) {
        (true, true) => Vec::new(),
        (true, false) => clean(b),
        (false, true) => clean(a),
        (false, false) => clean(&[a, b"/", b].concat()),
    }
}

enum FileError {
    NotRegular,
    Io(io::Error),
}

impl From<io::Error> for FileError {
    fn from(e: io::Error) -> Self {
        FileError::Io(e)
    }
}

/// SHA-256 of one file's content, read as Go's `os.Open` would read it.
fn hash_file(root: &rustix::fd::OwnedFd, f: &TreeFile) -> Result<FileHash, FileError> {
    if !f.regular {
        let meta = fs::metadata(&f.path)?;
        if meta.is_dir() {
            // Go opens a directory fine, then fails to read it.
            let e = io::Error::new(io::ErrorKind::IsADirectory, "read: is a directory");
            return Err(FileError::Io(e));
        }
        if !meta.is_file() {
            return Err(FileError::NotRegular);
        }
    }
    let mut file = File::from(super::open_noatime(root, OsStr::from_bytes(&f.rel))?);
    with_scratch(|s| {
        let mut sha = Sha256::new();
        let mut bytes = 0;
        loop {
            match file.read(&mut s.input) {
                Ok(0) => break,
                Ok(n) => {
                    sha.update(&s.input[..n]);
                    bytes += n as u64;
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(FileError::Io(e)),
            }
        }
        Ok(FileHash {
            sha: sha.finalize().into(),
            bytes,
        })
    })
}

#[cfg(test)]
mod tests {
    use std::os::unix::fs::symlink;

    use super::*;

    fn tree(files: &[(&str, &str)]) -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        for (rel, content) in files {
            let path = dir.path().join(rel);
            fs::create_dir_all(path.parent().unwrap()).unwrap();
            fs::write(path, content).unwrap();
        }
        dir
    }

    #[test]
    fn tree_hash_matches_go() {
        // Go's HashDir printed this for the same tree and prefix.
        let dir = tree(&[("a/b/c.go", "package b\n"), ("Z", ""), ("ü.txt", "u")]);
        fs::create_dir_all(dir.path().join("empty/dirs")).unwrap();
        let d = hash_tree(dir.path(), "example.com/m@v1.0.0").unwrap();
        assert_eq!(d.h1, "h1:TYqmwrgTUumEnqbE/Amwvz/TYkpydcr4tXJNndERiRQ=");
        assert_eq!((d.files, d.bytes), (3, 11));
    }

    #[test]
    fn names_are_the_prefix_and_slash_separated_paths() {
        let dir = tree(&[("x/y", "1"), ("go.mod", "2")]);
        let sha = |s: &str| -> [u8; 32] { Sha256::digest(s).into() };
        let want = super::super::hash1(vec![
            ("p@v1/x/y".into(), sha("1")),
            ("p@v1/go.mod".into(), sha("2")),
        ]);
        assert_eq!(hash_tree(dir.path(), "p@v1").unwrap().h1, want.unwrap());
        let bare = super::super::hash1(vec![("x/y".into(), sha("1")), ("go.mod".into(), sha("2"))]);
        assert_eq!(hash_tree(dir.path(), "").unwrap().h1, bare.unwrap());
    }

    #[test]
    fn an_empty_tree_hashes_no_lines() {
        let dir = tree(&[]);
        let d = hash_tree(dir.path(), "m@v1.0.0").unwrap();
        assert_eq!(d.h1, super::super::hash1(Vec::new()).unwrap());
        assert_eq!(d.files, 0);
    }

    #[test]
    fn a_symlink_to_a_file_hashes_as_its_target() {
        let dir = tree(&[("t", "target")]);
        symlink("t", dir.path().join("link")).unwrap();
        let sha: [u8; 32] = Sha256::digest("target").into();
        let want = super::super::hash1(vec![("m/link".into(), sha), ("m/t".into(), sha)]);
        assert_eq!(hash_tree(dir.path(), "m").unwrap().h1, want.unwrap());
    }

    #[test]
    fn a_symlink_to_a_directory_fails_with_its_path() {
        let dir = tree(&[("sub/x", "x")]);
        let link = dir.path().join("link");
        symlink("sub", &link).unwrap();
        match hash_tree(dir.path(), "m").unwrap_err() {
            TreeError::Io { path, source } => {
                assert_eq!(path, link);
                assert_eq!(source.kind(), io::ErrorKind::IsADirectory);
            }
            e => panic!("{e}"),
        }
    }

    #[test]
    fn a_dangling_symlink_fails_with_its_path() {
        let dir = tree(&[("x", "x")]);
        let link = dir.path().join("link");
        symlink("nowhere", &link).unwrap();
        let e = hash_tree(dir.path(), "m").unwrap_err();
        assert!(
            matches!(&e, TreeError::Io { source, .. } if source.kind() == io::ErrorKind::NotFound)
        );
        assert_eq!(e.path(), link);
    }

    #[test]
    fn a_root_that_is_not_a_directory_fails() {
        let dir = tree(&[("f", "x"), ("d/x", "y")]);
        let link = dir.path().join("link");
        symlink("d", &link).unwrap();
        for root in [dir.path().join("f"), link] {
            let e = hash_tree(&root, "m").unwrap_err();
            assert!(matches!(e, TreeError::NotADirectory { .. }), "{e}");
            assert_eq!(e.path(), root);
        }
        let missing = dir.path().join("missing");
        assert!(matches!(
            hash_tree(&missing, "m"),
            Err(TreeError::Io { .. })
        ));
    }

    #[test]
    fn a_socket_is_not_a_regular_file() {
        let dir = tree(&[("x", "x")]);
        let socket = dir.path().join("sock");
        let _listener = std::os::unix::net::UnixListener::bind(&socket).unwrap();
        let e = hash_tree(dir.path(), "m").unwrap_err();
        assert!(matches!(e, TreeError::NotRegular { .. }), "{e}");
        assert_eq!(e.path(), socket);
    }

    #[test]
    fn a_newline_in_a_name_fails() {
        let dir = tree(&[("a\nb", "x")]);
        let e = hash_tree(dir.path(), "m").unwrap_err();
        assert!(matches!(e, TreeError::Newline { .. }), "{e}");
    }
}
