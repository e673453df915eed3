//! Go's `h1:` directory hash (golang.org/x/mod/sumdb/dirhash `Hash1`) of module zips,
//! extracted trees and go.mod files, byte for byte what `go` writes to `.ziphash` files
//! and go.sum.
//!
//! `Hash1` sorts the file names (as byte strings), and hashes one line per name:
//! `hex(sha256(content))  name\n`; the result is `h1:` + base64(sha256(lines)). Zips are
//! read with the semantics of Go's archive/zip ([`zip`]), trees with those of
//! `filepath.Walk` ([`tree`]), so that a file Go would fail to read fails here too.
//!
//! A zip and the tree extracted from it hash alike only if the zip has no directory
//! entries: Go hashes a `dir/` entry as an empty file, and it leaves no file in the tree.
//! Zips made by Go (and served by proxies) have none, so `go mod verify` reports such a
//! tree as modified; modcache agrees with it.
//!
//! Performance: hashing is bound by SHA-256 (sha2 uses the SHA-NI instructions when the
//! CPU has them) and, for zips, by inflate (libdeflate made exact, else zlib-rs; see
//! [`zip`]). A tree is checked against its zip by comparing bytes rather than hashing
//! them, when it can be ([`hash_zip_and_tree`]): a tree with exactly the zip's names,
//! each file with its entry's content, has the same `Hash1` lines as the zip, so the
//! same `h1:`; any difference sends the tree through [`hash_tree`], which finds Go's
//! verdict and error. `memcmp` runs at memory speed, SHA-256 at 2 GB/s.
//! Both are parallelised *inside* one zip or tree, per entry or file, on the current
//! rayon pool (the caller `install`s the pool built from `-j`); small entries are
//! batched so that a task reads a run of them with one `pread`. Memory stays bounded:
//! content is streamed through one reusable buffer per worker thread, never held whole.

mod inflate;
pub mod tree;
pub mod zip;

use std::cell::RefCell;

use base64::Engine as _;
use sha2::{Digest as _, Sha256};

pub use tree::{Digest, TreeError, hash_tree};
pub use zip::{ZipDigest, ZipError, hash_zip, hash_zip_and_tree};

/// Size of the read and inflate buffers each worker thread reuses.
const BUF_SIZE: usize = 256 * 1024;

/// Go's error for a name Hash1 cannot represent.
const NEWLINE_ERROR: &str = "dirhash: filenames with newlines are not supported";

/// A file name containing a newline, which Hash1 refuses.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{NEWLINE_ERROR}: {name:?}")]
pub struct NewlineError {
    pub name: String,
}

/// The `h1:` hash of a go.mod file, as recorded in go.sum (`path version/go.mod h1:...`):
/// Hash1 of a single file named `go.mod`.
pub fn hash_gomod(data: &[u8]) -> String {
    let sha: [u8; 32] = Sha256::digest(data).into();
    summarize([(&b"go.mod"[..], &sha)])
}

/// Hash1 of files given by name and SHA-256 of their content. Names are sorted as Go
/// sorts them (byte-wise); a name given twice yields two lines, as in Go.
pub fn hash1(mut files: Vec<(String, [u8; 32])>) -> Result<String, NewlineError> {
    files.sort_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
    if let Some((name, _)) = files.iter().find(|(name, _)| name.contains('\n')) {
        return Err(NewlineError { name: name.clone() });
    }
    Ok(summarize(files.iter().map(|(n, sha)| (n.as_bytes(), sha))))
}

/// The final step of Hash1 over lines already in sorted order and free of newlines.
fn summarize<'a>(lines: impl IntoIterator<Item = (&'a [u8], &'a [u8; 32])>) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut summary = Sha256::new();
    let mut hex = [0u8; 64];
    for (name, sha) in lines {
        for (pair, b) in hex.chunks_exact_mut(2).zip(sha) {
            pair[0] = DIGITS[usize::from(b >> 4)];
            pair[1] = DIGITS[usize::from(b & 0xf)];
        }
        summary.update(hex);
        summary.update(b"  ");
        summary.update(name);
        summary.update(b"\n");
    }
    let digest: [u8; 32] = summary.finalize().into();
    format!(
        "h1:{}",
        base64::engine::general_purpose::STANDARD.encode(digest)
    )
}

/// The buffers one worker thread reuses across files and entries.
struct Scratch {
    window: Vec<u8>,
    input: Vec<u8>,
    output: Vec<u8>,
    /// Streams entries, and decides on streams `whole` declines.
    inflate: Option<flate2::Decompress>,
    /// Inflates entries that fit `output` in one call (see [`zip`]).
    whole: Option<inflate::Inflater>,
    /// Tree files read to compare with zip entries ([`zip::hash_zip_and_tree`]).
    compare: Vec<u8>,
}

thread_local! {
    static SCRATCH: RefCell<Option<Scratch>> = const { RefCell::new(None) };
}

/// Run `f` with this thread's scratch buffers (fresh ones if they are already in use).
fn with_scratch<R>(f: impl FnOnce(&mut Scratch) -> R) -> R {
    let fresh = || Scratch {
        window: vec![0; BUF_SIZE],
        input: vec![0; BUF_SIZE],
        output: vec![0; BUF_SIZE],
        inflate: None,
        whole: None,
        compare: vec![0; BUF_SIZE],
    };
    SCRATCH.with(|cell| match cell.try_borrow_mut() {
        Ok(mut slot) => f(slot.get_or_insert_with(fresh)),
        Err(_) => f(&mut fresh()),
    })
}

/// Open a file for reading without updating its access time (`O_NOATIME`), so that a
/// full fsck does not make every version look recently used to `prune --max-size`, and
/// does not dirty every inode once a day under `relatime`. The kernel allows it only to
/// the file's owner (or root): otherwise the file is opened the ordinary way.
pub(crate) fn open_noatime(
    dir: impl rustix::fd::AsFd,
    path: impl rustix::path::Arg + Copy,
) -> std::io::Result<rustix::fd::OwnedFd> {
    use rustix::fs::{Mode, OFlags, openat};
    let flags = OFlags::RDONLY | OFlags::CLOEXEC;
    match openat(&dir, path, flags | OFlags::NOATIME, Mode::empty()) {
        Err(rustix::io::Errno::PERM) => openat(&dir, path, flags, Mode::empty()),
        r => r,
    }
    .map_err(std::io::Error::from)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gomod_hash_matches_go() {
        // `go mod download -json` printed this GoModSum for a go.mod of "module m\n".
        assert_eq!(
            hash_gomod(b"module m\n"),
            hash1_of(&[("go.mod", b"module m\n")])
        );
        // Hash1 of no files is the hash of an empty summary.
        assert_eq!(
            hash1(Vec::new()).unwrap(),
            "h1:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU="
        );
    }

    fn hash1_of(files: &[(&str, &[u8])]) -> String {
        hash1(
            files
                .iter()
                .map(|(n, c)| (n.to_string(), Sha256::digest(c).into()))
                .collect(),
        )
        .unwrap()
    }

    #[test]
    fn hash1_sorts_bytewise_and_keeps_duplicates() {
        let a = hash1_of(&[("b", b"2"), ("a", b"1"), ("B", b"3")]);
        let b = hash1_of(&[("B", b"3"), ("a", b"1"), ("b", b"2")]);
        assert_eq!(a, b);
        let once = hash1_of(&[("a", b"1")]);
        let twice = hash1_of(&[("a", b"1"), ("a", b"1")]);
        assert_ne!(once, twice);
    }

    #[test]
    fn hash1_rejects_newlines() {
        let err = hash1(vec![("a\nb".into(), [0; 32]), ("c".into(), [0; 32])]).unwrap_err();
        assert_eq!(err.name, "a\nb");
        assert!(err.to_string().starts_with(NEWLINE_ERROR));
    }
}
