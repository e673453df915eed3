//! `dirhash.HashZip`: the `h1:` hash of a module zip, reading it exactly as Go's
//! archive/zip does, so that a zip Go cannot hash is reported corrupt here too.
//!
//! Go's reader is lenient in some places and strict in others, and both matter:
//! - The end-of-central-directory record is searched in the last 1 KiB, then 65 KiB;
//!   zip64 records are honoured; a wrong base offset is corrected as Go corrects it.
//! - Central-directory headers are read until one is not a header; only the count
//!   modulo 65536 must match the end record.
//! - Every entry is hashed under its stored name, directories included (as empty
//!   content; a directory entry declaring data is an error). For a name stored twice
//!   Go's map keeps the *last* entry, and Hash1 hashes that entry once per occurrence.
//! - Only stored (0) and deflated (8) entries can be read. The local header must have
//!   its signature; its name and extra lengths locate the data. The uncompressed size
//!   must match the central directory and the CRC-32 must match (unless it is zero and
//!   there is no data descriptor); a data descriptor must repeat the CRC.
//! - Go's flate reader hands over what it inflated before a fault in the stream, so more
//!   content than declared is `ErrFormat` even then; the fault itself comes after.
//!
//! Entries are hashed in parallel. Small entries that lie next to each other in the file
//! are read together with one `pread` into a 256 KiB window; large ones are streamed in
//! 256 KiB chunks, and a large deflated entry hashes one inflated buffer while the next
//! is inflated (`rayon::join`, so a second thread helps only when it is idle). Memory is
//! four such buffers per worker thread (the fourth for comparing with the tree, see
//! [`hash_zip_and_tree`]), plus one per large entry in progress, whatever the zip size.
//!
//! Inflate: an entry whose content fits one buffer (256 KiB: two thirds of the bytes of
//! the benchmark cache) is inflated in one call by libdeflate, in a copy patched to accept
//! only what Go's compress/flate accepts ([`super::inflate`]); it is 1.5 to 2 times as
//! fast as zlib-rs here. When it declines (damage, or a rare valid stream it is stricter
//! about), and for larger entries, zlib-rs streams the entry: it accepts exactly what
//! Go accepts, and on a damaged stream it may notice the fault at another point than
//! Go, which can change which error is reported (format, unexpected EOF or flate),
//! never whether.

use std::ffi::OsStr;
use std::fs::File;
use std::io::{self, BufReader, Read};
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};

use flate2::{Decompress, FlushDecompress, Status};
use rayon::prelude::*;
use rustix::fd::OwnedFd;
use sha2::{Digest as _, Sha256};

use super::inflate::Inflater;
use super::tree::{self, Listing};
use super::{BUF_SIZE, NEWLINE_ERROR, Scratch, summarize, with_scratch};
use crate::cache::ModuleVersion;
use crate::modzip::{self, ZipName};

/// What [`hash_zip`] learnt about a zip Go can hash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ZipDigest {
    /// The `h1:` hash, as `go` writes it to `.ziphash`.
    pub h1: String,
    /// Central-directory entries, i.e. lines of the hash.
    pub files: u64,
    /// Uncompressed bytes read (each entry once).
    pub bytes: u64,
    /// Why `go` would refuse to extract the zip (x/mod/zip `checkZip`), in Go's words.
    /// Always empty when no module version was given.
    pub violations: Vec<String>,
}

/// Why a zip could not be hashed.
#[derive(Debug, thiserror::Error)]
pub enum ZipError {
    /// modcache could not read the file (open, stat or read failed).
    #[error("{}: {source}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: io::Error,
    },
    /// The content is something Go's HashZip rejects; `detail` is Go's error, prefixed
    /// with the entry name when one entry is at fault.
    #[error("{detail}")]
    Corrupt { detail: String },
}

const ERR_FORMAT: &str = "zip: not a valid zip file";
const ERR_ALGORITHM: &str = "zip: unsupported compression algorithm";
const ERR_CHECKSUM: &str = "zip: checksum error";
const ERR_UNEXPECTED_EOF: &str = "unexpected EOF";
const ERR_EOF: &str = "EOF";
/// Go's is `flate: corrupt input before offset N`; the offset is not reproduced.
const ERR_FLATE: &str = "flate: corrupt input";

/// Entries at most this large (compressed) are read together with their neighbours.
const SMALL_ENTRY: u64 = 64 * 1024;
/// Neighbours further apart than this are not worth reading in one window.
const WINDOW_GAP: u64 = 4 * 1024;

/// The `h1:` hash of the zip at `path` (`dirhash.HashZip`). With `expect`, also check
/// the rules `go` applies before extracting it as that module version (see
/// [`modzip::check_zip`]); the hash is computed either way.
pub fn hash_zip(path: &Path, expect: Option<&ModuleVersion>) -> Result<ZipDigest, ZipError> {
    hash_zip_comparing(path, expect, None).map(|(digest, _)| digest)
}

/// [`hash_zip`] of `mv`'s zip, and whether the tree at `tree` is a byte-for-byte copy of
/// it: the same file names (`mv/...`), regular files all, each with its entry's content.
/// Then the tree's `dirhash.HashDir` has the same lines as the zip's `HashZip`, so it is
/// the zip's `h1:`, and checking it cost a comparison instead of SHA-256 of every file.
/// `false` says only that the tree is not such a copy (or could not be read): hash it
/// with [`super::hash_tree`] to know more.
pub fn hash_zip_and_tree(
    path: &Path,
    mv: &ModuleVersion,
    tree: &Path,
) -> Result<(ZipDigest, bool), ZipError> {
    let listing = tree::list(tree, &mv.to_string())
        .ok()
        .filter(|l| l.files.iter().all(|f| f.regular));
    hash_zip_comparing(path, Some(mv), listing.as_ref())
}

fn hash_zip_comparing(
    path: &Path,
    expect: Option<&ModuleVersion>,
    tree: Option<&Listing>,
) -> Result<(ZipDigest, bool), ZipError> {
    let io_error = |source| ZipError::Io {
        path: path.to_path_buf(),
        source,
    };
    let failure = |f: Fail| match f {
        Fail::Io(source) => io_error(source),
        Fail::Corrupt(detail) => ZipError::Corrupt { detail },
    };
    let file = File::from(super::open_noatime(rustix::fs::CWD, path).map_err(io_error)?);
    let size = file.metadata().map_err(io_error)?.len();
    let entries = read_central_directory(&file, size).map_err(failure)?;

    let violations = match expect {
        Some(mv) => modzip::check_zip(
            mv,
            size,
            entries.iter().map(|e| ZipName {
                name: &e.name,
                size: e.uncompressed,
            }),
        ),
        None => Vec::new(),
    };

    let twins = tree.and_then(|listing| Twins::pair(&entries, listing));
    let (h1, bytes, same) = hash1_entries(&file, &entries, twins.as_ref()).map_err(failure)?;
    let digest = ZipDigest {
        h1,
        files: entries.len() as u64,
        bytes,
        violations,
    };
    Ok((digest, same))
}

/// For each entry, the tree file that should hold its content: the tree's files have
/// exactly the entries' names (so no name is stored twice and no entry is a directory).
struct Twins<'a> {
    root: &'a OwnedFd,
    /// Indexed like the entries: the file's path relative to `root`.
    rel: Vec<&'a [u8]>,
}

impl<'a> Twins<'a> {
    fn pair(entries: &[Entry], listing: &'a Listing) -> Option<Twins<'a>> {
        if entries.len() != listing.files.len() {
            return None;
        }
        let mut order: Vec<usize> = (0..entries.len()).collect();
        order.sort_by(|&a, &b| entries[a].name.cmp(&entries[b].name));
        let mut rel = vec![&[][..]; entries.len()];
        for (&i, file) in order.iter().zip(&listing.files) {
            if *entries[i].name != *file.name {
                return None;
            }
            rel[i] = &file.rel;
        }
        Some(Twins {
            root: &listing.root,
            rel,
        })
    }
}

/// Hash1 over the entries as `HashZip` does it, the uncompressed bytes read, and whether
/// every entry's content equals its twin's (`false` without twins). Errors are those of
/// the first name in sorted order that fails, prefixed with that name.
fn hash1_entries(
    file: &File,
    entries: &[Entry],
    twins: Option<&Twins>,
) -> Result<(String, u64, bool), Fail> {
    // The sort is stable, so the last of a run of equal names is the entry Go's name
    // map keeps; `kept[i]` is the entry whose content is hashed under entry i's name.
    let mut order: Vec<usize> = (0..entries.len()).collect();
    order.sort_by(|&a, &b| entries[a].name.cmp(&entries[b].name));
    let mut kept = vec![0; entries.len()];
    let mut units = Vec::new();
    for run in order.chunk_by(|&a, &b| entries[a].name == entries[b].name) {
        let last = run[run.len() - 1];
        run.iter().for_each(|&i| kept[i] = last);
        if !entries[last].name.contains(&b'\n') {
            units.push(last);
        }
    }

    let mut results: Vec<Option<Result<EntryHash, Fail>>> = Vec::new();
    results.resize_with(entries.len(), || None);
    let done: Vec<Vec<(usize, Result<EntryHash, Fail>)>> = plan_batches(entries, units)
        .par_iter()
        .map(|batch| with_scratch(|s| hash_batch(file, entries, twins, batch, s)))
        .collect();
    for (i, r) in done.into_iter().flatten() {
        results[i] = Some(r);
    }

    for &i in &order {
        let at = |msg: &str| format!("{}: {msg}", String::from_utf8_lossy(&entries[i].name));
        if entries[i].name.contains(&b'\n') {
            return Err(Fail::Corrupt(at(NEWLINE_ERROR)));
        }
        if let Some(Err(_)) = &results[kept[i]]
            && let Some(Err(fail)) = results[kept[i]].take()
        {
            return Err(match fail {
                Fail::Io(e) => Fail::Io(e),
                Fail::Corrupt(msg) => Fail::Corrupt(at(&msg)),
            });
        }
    }
    let hashes: Vec<&EntryHash> = order
        .iter()
        .map(|&i| match &results[kept[i]] {
            Some(Ok(h)) => h,
            _ => unreachable!("every name's entry was hashed, and errors returned above"),
        })
        .collect();
    let bytes = (0..entries.len())
        .filter(|&i| kept[i] == i)
        .filter_map(|i| results[i].as_ref()?.as_ref().ok())
        .map(|h| h.bytes)
        .sum();
    let same = twins.is_some() && hashes.iter().all(|h| h.same_as_twin);
    let lines = order
        .iter()
        .zip(hashes)
        .map(|(&i, h)| (&entries[i].name[..], &h.sha));
    Ok((summarize(lines), bytes, same))
}

/// One central-directory entry, with the fields Go's reader uses.
#[derive(Debug)]
struct Entry {
    name: Box<[u8]>,
    flags: u16,
    method: u16,
    crc32: u32,
    compressed: u64,
    uncompressed: u64,
    /// Offset of the local header, base offset included; Go keeps it in an int64.
    header_offset: i64,
    /// Length of the central extra field, a guess at the local one.
    extra_len: u16,
}

/// Why reading failed: our I/O, or content Go rejects (with Go's message).
#[derive(Debug)]
enum Fail {
    Io(io::Error),
    Corrupt(String),
}

impl From<io::Error> for Fail {
    fn from(e: io::Error) -> Self {
        Fail::Io(e)
    }
}

fn corrupt(msg: &str) -> Fail {
    Fail::Corrupt(msg.to_string())
}

fn u16_at(b: &[u8], at: usize) -> u16 {
    u16::from_le_bytes([b[at], b[at + 1]])
}

fn u32_at(b: &[u8], at: usize) -> u32 {
    u32::from_le_bytes(b[at..at + 4].try_into().expect("4 bytes"))
}

fn u64_at(b: &[u8], at: usize) -> u64 {
    u64::from_le_bytes(b[at..at + 8].try_into().expect("8 bytes"))
}

/// `pread` until `buf` is full or the file ends; returns the bytes read.
fn read_at_full(file: &File, buf: &mut [u8], off: u64) -> io::Result<usize> {
    let mut n = 0;
    while n < buf.len() {
        match file.read_at(&mut buf[n..], off + n as u64) {
            Ok(0) => break,
            Ok(k) => n += k,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(n)
}

/// Go's `ReaderAt.ReadAt` into a fixed buffer: a short read is the error `EOF`.
fn read_exact_at(file: &File, buf: &mut [u8], off: i64) -> Result<(), Fail> {
    if off < 0 {
        return Err(corrupt("negative offset"));
    }
    if read_at_full(file, buf, off as u64)? < buf.len() {
        return Err(corrupt(ERR_EOF));
    }
    Ok(())
}

/// Sequential reads of the file from `pos` up to `end` (Go's `io.SectionReader`).
struct At<'a> {
    file: &'a File,
    pos: u64,
    end: u64,
}

impl Read for At<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.pos >= self.end {
            return Ok(0);
        }
        let n = buf
            .len()
            .min((self.end - self.pos).try_into().unwrap_or(usize::MAX));
        let k = self.file.read_at(&mut buf[..n], self.pos)?;
        self.pos += k as u64;
        Ok(k)
    }
}

struct DirectoryEnd {
    records: u64,
    size: u64,
    offset: u64,
}

/// `readDirectoryEnd` of archive/zip: the end records, and the base offset of the zip
/// within the file.
fn read_directory_end(file: &File, size: u64) -> Result<(DirectoryEnd, i64), Fail> {
    const END_LEN: usize = 22;
    let mut found = None;
    for (i, block) in [1024u64, 65 * 1024].into_iter().enumerate() {
        let block = block.min(size);
        let mut buf = vec![0; block as usize];
        read_at_full(file, &mut buf, size - block)?;
        if let Some(p) = find_signature_in_block(&buf) {
            found = Some((buf.split_off(p), size - block + p as u64));
            break;
        }
        if i == 1 || block == size {
            return Err(corrupt(ERR_FORMAT));
        }
    }
    let Some((buf, end_offset)) = found else {
        return Err(corrupt(ERR_FORMAT));
    };
    let mut end_offset = end_offset as i64;
    let mut d = DirectoryEnd {
        records: u16_at(&buf, 10).into(),
        size: u32_at(&buf, 12).into(),
        offset: u32_at(&buf, 16).into(),
    };
    if usize::from(u16_at(&buf, 20)) > buf.len() - END_LEN {
        return Err(corrupt("zip: invalid comment length"));
    }
    if (d.records == 0xffff || d.size == 0xffff_ffff || d.offset == 0xffff_ffff)
        && let Some(p) = find_directory64_end(file, end_offset)?
    {
        end_offset = p;
        read_directory64_end(file, p, &mut d)?;
    }
    if d.size > i64::MAX as u64 || d.offset > i64::MAX as u64 {
        return Err(corrupt(ERR_FORMAT));
    }
    let mut base = end_offset
        .wrapping_sub(d.size as i64)
        .wrapping_sub(d.offset as i64);
    let start = base.wrapping_add(d.offset as i64);
    if start < 0 || start as u64 >= size {
        return Err(corrupt(ERR_FORMAT));
    }
    // Some writers record a wrong base offset: Go trusts a directory found at offset 0.
    if base > 0 {
        let mut at = At {
            file,
            pos: d.offset,
            end: size,
        };
        if read_directory_header(&mut at).is_ok() {
            base = 0;
        }
    }
    Ok((d, base))
}

fn find_signature_in_block(b: &[u8]) -> Option<usize> {
    const END_LEN: usize = 22;
    let last = b.len().checked_sub(END_LEN)?;
    for i in (0..=last).rev() {
        if b[i..i + 4] == *b"PK\x05\x06" {
            let comment = usize::from(u16_at(b, i + END_LEN - 2));
            // A truncated comment: Go gives up rather than search further.
            return (comment + END_LEN + i <= b.len()).then_some(i);
        }
    }
    None
}

/// The zip64 end-of-directory offset from the locator before the end record, if valid.
fn find_directory64_end(file: &File, end_offset: i64) -> Result<Option<i64>, Fail> {
    let loc = end_offset - 20;
    if loc < 0 {
        return Ok(None);
    }
    let mut b = [0; 20];
    read_exact_at(file, &mut b, loc)?;
    if u32_at(&b, 0) != 0x0706_4b50 || u32_at(&b, 4) != 0 || u32_at(&b, 16) != 1 {
        return Ok(None);
    }
    let p = u64_at(&b, 8) as i64;
    Ok((p >= 0).then_some(p))
}

fn read_directory64_end(file: &File, offset: i64, d: &mut DirectoryEnd) -> Result<(), Fail> {
    let mut b = [0; 56];
    read_exact_at(file, &mut b, offset)?;
    if u32_at(&b, 0) != 0x0606_4b50 {
        return Err(corrupt(ERR_FORMAT));
    }
    d.records = u64_at(&b, 32);
    d.size = u64_at(&b, 40);
    d.offset = u64_at(&b, 48);
    Ok(())
}

/// How `readDirectoryHeader` can fail; the first two end the directory.
enum HeaderError {
    Format,
    UnexpectedEof,
    Eof,
    Io(io::Error),
}

/// `io.ReadFull`: `Eof` if nothing was read, `UnexpectedEof` if some was.
fn read_full(r: &mut impl Read, buf: &mut [u8]) -> Result<(), HeaderError> {
    let mut n = 0;
    while n < buf.len() {
        match r.read(&mut buf[n..]) {
            Ok(0) if n == 0 => return Err(HeaderError::Eof),
            Ok(0) => return Err(HeaderError::UnexpectedEof),
            Ok(k) => n += k,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(HeaderError::Io(e)),
        }
    }
    Ok(())
}

fn read_directory_header(r: &mut impl Read) -> Result<Entry, HeaderError> {
    let mut b = [0; 46];
    read_full(r, &mut b)?;
    if u32_at(&b, 0) != 0x0201_4b50 {
        return Err(HeaderError::Format);
    }
    let (name_len, extra_len, comment_len) = (
        usize::from(u16_at(&b, 28)),
        usize::from(u16_at(&b, 30)),
        usize::from(u16_at(&b, 32)),
    );
    let mut var = vec![0; name_len + extra_len + comment_len];
    read_full(r, &mut var)?;
    let compressed32 = u32_at(&b, 20);
    let uncompressed32 = u32_at(&b, 24);
    let mut e = Entry {
        flags: u16_at(&b, 8),
        method: u16_at(&b, 10),
        crc32: u32_at(&b, 16),
        compressed: compressed32.into(),
        uncompressed: uncompressed32.into(),
        header_offset: u32_at(&b, 42).into(),
        extra_len: extra_len as u16,
        name: Box::from(&var[..name_len]),
    };
    let mut extra = &var[name_len..name_len + extra_len];
    while extra.len() >= 4 {
        let (tag, size) = (u16_at(extra, 0), usize::from(u16_at(extra, 2)));
        extra = &extra[4..];
        if extra.len() < size {
            break;
        }
        let (mut field, rest) = extra.split_at(size);
        extra = rest;
        if tag != 0x0001 {
            continue;
        }
        // Zip64: each value is present only when its 32-bit field is saturated.
        let mut next = || {
            if field.len() < 8 {
                return Err(HeaderError::Format);
            }
            let v = u64_at(field, 0);
            field = &field[8..];
            Ok(v)
        };
        if uncompressed32 == u32::MAX {
            e.uncompressed = next()?;
        }
        if compressed32 == u32::MAX {
            e.compressed = next()?;
        }
        if e.header_offset == i64::from(u32::MAX) {
            e.header_offset = next()? as i64;
        }
    }
    Ok(e)
}

/// `zip.Reader.init`: every central-directory entry, in order.
fn read_central_directory(file: &File, size: u64) -> Result<Vec<Entry>, Fail> {
    let (end, base) = read_directory_end(file, size)?;
    let start = base.wrapping_add(end.offset as i64) as u64;
    let mut r = BufReader::with_capacity(
        64 * 1024,
        At {
            file,
            pos: start,
            end: size,
        },
    );
    let mut entries = Vec::new();
    let stop = loop {
        match read_directory_header(&mut r) {
            Ok(mut e) => {
                e.header_offset = e.header_offset.wrapping_add(base);
                entries.push(e);
            }
            Err(HeaderError::Format) => break ERR_FORMAT,
            Err(HeaderError::UnexpectedEof) => break ERR_UNEXPECTED_EOF,
            Err(HeaderError::Eof) => return Err(corrupt(ERR_EOF)),
            Err(HeaderError::Io(e)) => return Err(Fail::Io(e)),
        }
    };
    // The 16-bit count in the end record wraps; Go compares only 16 bits.
    if entries.len() as u16 != end.records as u16 {
        return Err(corrupt(stop));
    }
    Ok(entries)
}

/// Entries hashed by one task: either a run of small neighbours read through one
/// window, or a single entry streamed on its own.
struct Batch {
    window_start: u64,
    window_end: u64,
    entries: Vec<usize>,
}

fn plan_batches(entries: &[Entry], mut units: Vec<usize>) -> Vec<Batch> {
    units.sort_by_key(|&i| entries[i].header_offset);
    let mut batches: Vec<Batch> = Vec::new();
    for i in units {
        let e = &entries[i];
        let small = e.compressed <= SMALL_ENTRY && e.header_offset >= 0;
        if !small {
            batches.push(Batch {
                window_start: 0,
                window_end: 0,
                entries: vec![i],
            });
            continue;
        }
        let start = e.header_offset as u64;
        let end = start + 30 + e.name.len() as u64 + u64::from(e.extra_len) + e.compressed + 16;
        if let Some(b) = batches.last_mut()
            && b.window_end > b.window_start
            && start <= b.window_end + WINDOW_GAP
            && end.max(b.window_end) - b.window_start <= BUF_SIZE as u64
        {
            b.window_end = b.window_end.max(end);
            b.entries.push(i);
            continue;
        }
        batches.push(Batch {
            window_start: start,
            window_end: end,
            entries: vec![i],
        });
    }
    // Largest work first, so that no large entry is left to run alone at the end.
    batches.sort_by_key(|b| {
        let compressed: u64 = b.entries.iter().map(|&i| entries[i].compressed).sum();
        std::cmp::Reverse(compressed)
    });
    batches
}

fn hash_batch(
    file: &File,
    entries: &[Entry],
    twins: Option<&Twins>,
    batch: &Batch,
    scratch: &mut Scratch,
) -> Vec<(usize, Result<EntryHash, Fail>)> {
    let Scratch {
        window,
        input,
        output,
        inflate,
        whole,
        compare,
    } = scratch;
    let len = (batch.window_end - batch.window_start) as usize;
    debug_assert!(len <= window.len());
    // If the window cannot be read, each entry meets the error through its own reads.
    let got = read_at_full(file, &mut window[..len], batch.window_start).unwrap_or(0);
    let src = Source {
        file,
        window: &window[..got],
        window_start: batch.window_start,
    };
    let mut bufs = Buffers {
        input,
        output,
        inflate: inflate.get_or_insert_with(|| Decompress::new(false)),
        whole: whole.get_or_insert_with(Inflater::new),
    };
    batch
        .entries
        .iter()
        .map(|&i| {
            let twin = twins.and_then(|t| Twin::open(t.root, t.rel[i], compare));
            (i, hash_entry(&src, &entries[i], twin, &mut bufs))
        })
        .collect()
}

/// A worker thread's buffers and inflaters, as [`hash_entry`] uses them.
struct Buffers<'a> {
    input: &'a mut [u8],
    output: &'a mut [u8],
    inflate: &'a mut Decompress,
    whole: &'a mut Inflater,
}

/// The zip file, with a window of it already in memory.
struct Source<'a> {
    file: &'a File,
    window: &'a [u8],
    window_start: u64,
}

impl<'a> Source<'a> {
    /// The bytes `range` of the file, if the window holds them all.
    fn in_window(&self, range: std::ops::Range<u64>) -> Option<&'a [u8]> {
        let start = usize::try_from(range.start.checked_sub(self.window_start)?).ok()?;
        let end = usize::try_from(range.end.checked_sub(self.window_start)?).ok()?;
        self.window.get(start..end)
    }

    /// Fill `buf` from offset `off`; returns fewer bytes only at the end of the file.
    fn read_at(&self, off: u64, buf: &mut [u8]) -> io::Result<usize> {
        let window_end = self.window_start + self.window.len() as u64;
        if off >= self.window_start && off + buf.len() as u64 <= window_end {
            let at = (off - self.window_start) as usize;
            buf.copy_from_slice(&self.window[at..at + buf.len()]);
            return Ok(buf.len());
        }
        read_at_full(self.file, buf, off)
    }
}

#[derive(Debug)]
struct EntryHash {
    sha: [u8; 32],
    bytes: u64,
    /// The content equals its twin's in the tree.
    same_as_twin: bool,
}

/// Deflated entries at least this large hash one buffer while inflating the next.
const PIPELINE_MIN: u64 = 1 << 20;

/// The content hash of one entry, read as `zip.File.Open` and its checksumReader do.
fn hash_entry(
    src: &Source,
    e: &Entry,
    twin: Option<Twin>,
    bufs: &mut Buffers,
) -> Result<EntryHash, Fail> {
    if e.header_offset < 0 {
        return Err(corrupt("negative offset"));
    }
    let header_offset = e.header_offset as u64;
    let mut h = [0; 30];
    if src.read_at(header_offset, &mut h)? < h.len() {
        return Err(corrupt(ERR_EOF));
    }
    if u32_at(&h, 0) != 0x0403_4b50 {
        return Err(corrupt(ERR_FORMAT));
    }
    let body = header_offset + 30 + u64::from(u16_at(&h, 26)) + u64::from(u16_at(&h, 28));

    if e.name.ends_with(b"/") {
        // A directory: no content, and declaring some is an error (Go's dirReader).
        if e.uncompressed != 0 {
            return Err(corrupt(ERR_FORMAT));
        }
        return Ok(EntryHash {
            sha: Sha256::digest([]).into(),
            bytes: 0,
            same_as_twin: false,
        });
    }
    let mut sink = Sink {
        sha: Sha256::new(),
        crc: crc32fast::Hasher::new(),
        nread: 0,
        limit: e.uncompressed,
        twin,
    };
    // The compressed data is a section of the file; Go caps its end at 2^63-1.
    let end = body.saturating_add(e.compressed).min(i64::MAX as u64);
    match e.method {
        0 => {
            let input = &mut *bufs.input;
            let mut pos = body;
            while pos < end {
                let want = (end - pos).min(input.len() as u64) as usize;
                let got = src.read_at(pos, &mut input[..want])?;
                sink.take(&input[..got])?;
                if got < want {
                    break; // the file ends inside the section
                }
                pos += got as u64;
            }
        }
        8 if inflate_whole(src, e, body..end, bufs, &mut sink)? => {}
        8 => {
            let (inflate, output) = (&mut *bufs.inflate, &mut *bufs.output);
            inflate.reset(false);
            let mut inflater = Streamer {
                src,
                inflate,
                input: bufs.input,
                have: 0..0,
                pos: body,
                end,
                done: false,
                corrupt: false,
            };
            let mut spare = (e.uncompressed >= PIPELINE_MIN && rayon::current_num_threads() > 1)
                .then(|| vec![0; output.len()]);
            inflater.inflate_into(&mut sink, output, spare.as_deref_mut())?;
            if inflater.corrupt {
                return Err(corrupt(ERR_FLATE));
            }
            if !inflater.done {
                return Err(corrupt(ERR_UNEXPECTED_EOF));
            }
        }
        _ => return Err(corrupt(ERR_ALGORITHM)),
    }
    if sink.nread != e.uncompressed {
        return Err(corrupt(ERR_UNEXPECTED_EOF));
    }

    let crc = sink.crc.finalize();
    if e.flags & 0x8 != 0 {
        // readDataDescriptor: an optional signature, then the CRC-32 (sizes ignored).
        let mut d = [0; 16];
        let got = src.read_at(body.saturating_add(e.compressed), &mut d)?;
        let signed = got >= 4 && u32_at(&d, 0) == 0x0807_4b50;
        let need = if signed { 16 } else { 12 };
        if got < need {
            return Err(corrupt(ERR_UNEXPECTED_EOF));
        }
        if u32_at(&d, need - 12) != e.crc32 || crc != e.crc32 {
            return Err(corrupt(ERR_CHECKSUM));
        }
    } else if e.crc32 != 0 && crc != e.crc32 {
        return Err(corrupt(ERR_CHECKSUM));
    }
    Ok(EntryHash {
        same_as_twin: sink.twin.is_some_and(Twin::finish),
        sha: sink.sha.finalize().into(),
        bytes: sink.nread,
    })
}

/// Inflate an entry whose content fits the output buffer with libdeflate, in one call,
/// into `sink`. `false` when it does not fit, or libdeflate declines it or inflates a
/// size other than the declared one: the streaming inflater then reaches Go's verdict
/// and error (libdeflate is exact only when it succeeds, see [`super::inflate`]).
fn inflate_whole(
    src: &Source,
    e: &Entry,
    section: std::ops::Range<u64>,
    bufs: &mut Buffers,
    sink: &mut Sink,
) -> Result<bool, Fail> {
    let section_len = section.end - section.start;
    if e.uncompressed > bufs.output.len() as u64 {
        return Ok(false);
    }
    let input = match src.in_window(section.clone()) {
        Some(bytes) => bytes,
        None if section_len <= bufs.input.len() as u64 => {
            let buf = &mut bufs.input[..section_len as usize];
            if src.read_at(section.start, buf)? < buf.len() {
                return Ok(false); // the file ends inside the section
            }
            buf
        }
        None => return Ok(false),
    };
    let output = &mut bufs.output[..e.uncompressed as usize];
    match bufs.whole.inflate(input, output) {
        Some(n) if n == output.len() => {
            sink.take(output)?;
            Ok(true)
        }
        _ => Ok(false),
    }
}

/// Inflates one entry's compressed section (`pos..end` of the file), buffer by buffer.
struct Streamer<'a> {
    src: &'a Source<'a>,
    inflate: &'a mut Decompress,
    input: &'a mut [u8],
    /// Compressed bytes in `input` not yet consumed.
    have: std::ops::Range<usize>,
    pos: u64,
    end: u64,
    /// The deflate stream ended; if the input runs out first, Go sees an unexpected EOF.
    done: bool,
    /// The deflate stream is corrupt. Go's flate reader first delivers what it inflated
    /// before the fault, which may be more than the declared size (`ErrFormat`), so the
    /// error is raised only after that output has gone to the sink.
    corrupt: bool,
}

impl Streamer<'_> {
    /// Inflate everything into `sink`. With a spare buffer, SHA-256 of one buffer runs
    /// alongside inflating the next (`rayon::join`: in parallel only if a thread is idle).
    fn inflate_into(
        &mut self,
        sink: &mut Sink,
        out: &mut [u8],
        spare: Option<&mut [u8]>,
    ) -> Result<(), Fail> {
        let Some(spare) = spare else {
            loop {
                let n = self.fill(out)?;
                sink.take(&out[..n])?;
                if n < out.len() {
                    return Ok(());
                }
            }
        };
        let (mut full, mut next) = (out, spare);
        let mut n = self.fill(full)?;
        while n == full.len() {
            let (taken, filled) = rayon::join(|| sink.take(full), || self.fill(next));
            taken?;
            n = filled?;
            std::mem::swap(&mut full, &mut next);
        }
        sink.take(&full[..n])
    }

    /// Fill `out`; fewer bytes only when the stream ends or the input runs out.
    fn fill(&mut self, out: &mut [u8]) -> Result<usize, Fail> {
        let mut n = 0;
        while n < out.len() && !self.done && !self.corrupt {
            if self.have.is_empty() && self.pos < self.end {
                let want = (self.end - self.pos).min(self.input.len() as u64) as usize;
                let got = self.src.read_at(self.pos, &mut self.input[..want])?;
                self.pos += got as u64;
                if got < want {
                    self.end = self.pos; // the file ends inside the section
                }
                self.have = 0..got;
            }
            let (in0, out0) = (self.inflate.total_in(), self.inflate.total_out());
            let status = self.inflate.decompress(
                &self.input[self.have.clone()],
                &mut out[n..],
                FlushDecompress::None,
            );
            // On error too, the totals count what was consumed and inflated before it.
            let used = (self.inflate.total_in() - in0) as usize;
            let made = (self.inflate.total_out() - out0) as usize;
            self.have.start += used;
            n += made;
            let Ok(status) = status else {
                self.corrupt = true;
                break;
            };
            if status == Status::StreamEnd {
                self.done = true;
            } else if used == 0 && made == 0 {
                if !self.have.is_empty() {
                    self.corrupt = true; // no progress on input it was given
                    break;
                }
                if self.pos >= self.end {
                    break; // out of input
                }
            }
        }
        Ok(n)
    }
}

/// Where uncompressed content goes: SHA-256 and CRC-32, never past the declared size,
/// and the comparison with the twin in the tree, if any.
struct Sink<'a> {
    sha: Sha256,
    crc: crc32fast::Hasher,
    nread: u64,
    limit: u64,
    twin: Option<Twin<'a>>,
}

impl Sink<'_> {
    fn take(&mut self, data: &[u8]) -> Result<(), Fail> {
        self.nread += data.len() as u64;
        if self.nread > self.limit {
            return Err(corrupt(ERR_FORMAT));
        }
        self.sha.update(data);
        self.crc.update(data);
        if let Some(twin) = &mut self.twin {
            twin.compare(data);
        }
        Ok(())
    }
}

/// An entry's twin in the extracted tree, read alongside the entry's content.
struct Twin<'a> {
    file: File,
    /// Bytes compared so far.
    pos: u64,
    buf: &'a mut [u8],
    /// Everything so far was equal.
    same: bool,
}

impl<'a> Twin<'a> {
    fn open(root: &OwnedFd, rel: &[u8], buf: &'a mut [u8]) -> Option<Twin<'a>> {
        let file = super::open_noatime(root, OsStr::from_bytes(rel)).ok()?;
        Some(Twin {
            file: File::from(file),
            pos: 0,
            buf,
            same: true,
        })
    }

    /// Compare the next bytes of the file with `data`.
    fn compare(&mut self, mut data: &[u8]) {
        while self.same && !data.is_empty() {
            let n = data.len().min(self.buf.len());
            let got = read_at_full(&self.file, &mut self.buf[..n], self.pos);
            self.same = got.is_ok_and(|got| got == n) && self.buf[..n] == data[..n];
            self.pos += n as u64;
            data = &data[n..];
        }
    }

    /// All of the content was equal, and the file has no more.
    fn finish(self) -> bool {
        self.same && read_at_full(&self.file, &mut [0], self.pos).is_ok_and(|got| got == 0)
    }
}

#[cfg(test)]
mod tests {
    use std::io::Write as _;

    use super::*;

    fn vectors() -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/vectors")
    }

    /// Hash a committed vector; Go's answer is in the `.h1` file beside it.
    fn vector(name: &str) -> (Result<ZipDigest, ZipError>, String) {
        let zip = vectors().join(format!("{name}.zip"));
        let go = fs_read(&zip.with_extension("h1"));
        (hash_zip(&zip, None), go.trim_end().to_string())
    }

    fn fs_read(path: &Path) -> String {
        std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
    }

    fn corrupt_detail(r: Result<ZipDigest, ZipError>) -> String {
        match r {
            Err(ZipError::Corrupt { detail }) => detail,
            other => panic!("expected a corrupt zip, got {other:?}"),
        }
    }

    #[test]
    fn every_committed_vector_hashes_as_go_did() {
        let mut names: Vec<String> = std::fs::read_dir(vectors())
            .unwrap()
            .filter_map(|e| {
                let name = e.unwrap().file_name().into_string().unwrap();
                name.strip_suffix(".zip").map(String::from)
            })
            .collect();
        names.sort();
        assert!(names.len() >= 20);
        for name in names {
            let (ours, go) = vector(&name);
            match go.strip_prefix("error: ") {
                None => assert_eq!(ours.unwrap().h1, go, "{name}"),
                Some(go_error) => {
                    let detail = corrupt_detail(ours);
                    assert!(
                        detail.ends_with(go_error),
                        "{name}: Go {go_error:?}, ours {detail:?}"
                    );
                }
            }
        }
    }

    #[test]
    fn empty_zip_hashes_no_lines() {
        let (ours, go) = vector("no-entries");
        let d = ours.unwrap();
        assert_eq!((d.h1.as_str(), d.files, d.bytes), (go.as_str(), 0, 0));
    }

    #[test]
    fn directory_entries_are_hashed_as_empty_files() {
        let (ours, go) = vector("basic");
        let d = ours.unwrap();
        assert_eq!(d.h1, go);
        // Two directory entries (the prefix itself and a/) count as lines.
        assert_eq!(d.files, 6);
        let (_, go_dir_data) = vector("dir-with-data");
        assert_eq!(go_dir_data, format!("error: {ERR_FORMAT}"));
        let detail = corrupt_detail(vector("dir-with-data").0);
        assert_eq!(detail, format!("example.com/v@v1.0.0/d/: {ERR_FORMAT}"));
        // A directory with compressed bytes but no uncompressed size is tolerated.
        let (ours, go) = vector("dir-with-compressed-only");
        assert_eq!(ours.unwrap().h1, go);
    }

    #[test]
    fn duplicate_names_hash_the_last_entry_twice() {
        let (ours, go) = vector("duplicate-names");
        let d = ours.unwrap();
        assert_eq!((d.h1.as_str(), d.files), (go.as_str(), 3));
        let sha = |s: &[u8]| -> [u8; 32] { Sha256::digest(s).into() };
        let a = "example.com/v@v1.0.0/a.go".to_string();
        let b = "example.com/v@v1.0.0/b.go".to_string();
        let want = super::super::hash1(vec![
            (a.clone(), sha(b"second\n")),
            (a, sha(b"second\n")),
            (b, sha(b"b\n")),
        ]);
        assert_eq!(want.unwrap(), go);
        // The first of two entries is never read, so its corruption does not matter.
        let (ours, go) = vector("duplicate-first-corrupt");
        assert_eq!(ours.unwrap().h1, go);
    }

    #[test]
    fn bad_content_is_corrupt_with_gos_message() {
        for (name, message) in [
            ("bad-crc", ERR_CHECKSUM),
            ("descriptor-bad-crc", ERR_CHECKSUM),
            ("truncated", ERR_FORMAT),
            ("not-a-zip", ERR_FORMAT),
            ("zero-bytes", ERR_FORMAT),
            ("unsupported-method", ERR_ALGORITHM),
            ("size-larger-than-data", ERR_UNEXPECTED_EOF),
            ("size-smaller-than-data", ERR_FORMAT),
            ("newline-in-name", NEWLINE_ERROR),
        ] {
            let (ours, go) = vector(name);
            assert_eq!(go, format!("error: {message}"), "{name}");
            let detail = corrupt_detail(ours);
            assert!(detail.ends_with(message), "{name}: {detail}");
        }
    }

    #[test]
    fn truncating_a_good_zip_anywhere_makes_it_corrupt() {
        let bytes = std::fs::read(vectors().join("basic.zip")).unwrap();
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("cut.zip");
        for len in [0, 1, bytes.len() / 3, bytes.len() - 23, bytes.len() - 1] {
            std::fs::write(&path, &bytes[..len]).unwrap();
            corrupt_detail(hash_zip(&path, None));
        }
    }

    #[test]
    fn a_missing_zip_is_our_io_error() {
        let path = Path::new("/nonexistent/x.zip");
        match hash_zip(path, None) {
            Err(ZipError::Io { path: p, source }) => {
                assert_eq!(p, path);
                assert_eq!(source.kind(), io::ErrorKind::NotFound);
            }
            other => panic!("{other:?}"),
        }
    }

    fn write_zip(dir: &Path, names: &[&str]) -> PathBuf {
        let path = dir.join("m.zip");
        let mut w = ::zip::ZipWriter::new(File::create(&path).unwrap());
        for name in names {
            let options = ::zip::write::SimpleFileOptions::default();
            w.start_file(*name, options).unwrap();
            w.write_all(name.as_bytes()).unwrap();
        }
        w.finish().unwrap();
        path
    }

    #[test]
    fn rule_violations_are_reported_and_the_hash_still_computed() {
        let dir = tempfile::tempdir().unwrap();
        let mv = ModuleVersion::new("example.com/m", "v1.0.0");
        let good = write_zip(
            dir.path(),
            &["example.com/m@v1.0.0/go.mod", "example.com/m@v1.0.0/a.go"],
        );
        let d = hash_zip(&good, Some(&mv)).unwrap();
        assert!(d.violations.is_empty(), "{:?}", d.violations);
        assert_eq!(hash_zip(&good, None).unwrap(), d);

        for (names, violation) in [
            (
                ["other.com/m@v1.0.0/a.go", "example.com/m@v1.0.0/b.go"],
                "other.com/m@v1.0.0/a.go: path does not have prefix \"example.com/m@v1.0.0/\"",
            ),
            (
                ["example.com/m@v1.0.0/a.go", "example.com/m@v1.0.0/A.go"],
                "example.com/m@v1.0.0/A.go: case-insensitive file name collision: \"a.go\" and \"A.go\"",
            ),
            (
                [
                    "example.com/m@v1.0.0/go.mod",
                    "example.com/m@v1.0.0/sub/go.mod",
                ],
                "example.com/m@v1.0.0/sub/go.mod: go.mod file not in module root directory",
            ),
        ] {
            let zip = write_zip(dir.path(), &names);
            let d = hash_zip(&zip, Some(&mv)).unwrap();
            assert_eq!(d.violations, [violation]);
            assert!(d.h1.starts_with("h1:"));
            assert!(hash_zip(&zip, None).unwrap().violations.is_empty());
        }
    }

    #[test]
    fn large_entries_stream_through_bounded_buffers() {
        // Entries several times the buffer size, deflated (large enough to pipeline) and
        // stored, plus many small ones read through shared windows: with one thread and
        // with several, the hash must equal Hash1 computed directly.
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("big.zip");
        let mut w = ::zip::ZipWriter::new(File::create(&path).unwrap());
        let mut want = Vec::new();
        let mut x: u32 = 1;
        for i in 0..300 {
            let len = match i {
                0 => 5 * BUF_SIZE + 17,
                1 => 5 * BUF_SIZE,
                _ => i * 13,
            };
            let data: Vec<u8> = (0..len)
                .map(|_| {
                    x ^= x << 13;
                    x ^= x >> 17;
                    x ^= x << 5;
                    if i == 1 {
                        x as u8
                    } else {
                        b"abc \n"[(x % 5) as usize]
                    }
                })
                .collect();
            let method = if i % 2 == 0 {
                ::zip::CompressionMethod::Deflated
            } else {
                ::zip::CompressionMethod::Stored
            };
            let name = format!("m@v1.0.0/f{i}");
            let options = ::zip::write::SimpleFileOptions::default().compression_method(method);
            w.start_file(&name, options).unwrap();
            w.write_all(&data).unwrap();
            want.push((name, Sha256::digest(&data).into()));
        }
        w.finish().unwrap();
        let files = want.len() as u64;
        let h1 = super::super::hash1(want).unwrap();
        for threads in [1, 3] {
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .unwrap();
            let d = pool.install(|| hash_zip(&path, None)).unwrap();
            assert_eq!((&d.h1, d.files), (&h1, files), "{threads} threads");
        }
    }

    /// A zip of one deflated entry with the given raw deflate `stream`, declared CRC and
    /// uncompressed size.
    /// A module zip of `files` (stored and deflated, sizes up to several buffers) and
    /// the tree extracted from it.
    fn zip_and_tree(files: &[(&str, Vec<u8>)]) -> (tempfile::TempDir, PathBuf, PathBuf) {
        let dir = tempfile::tempdir().unwrap();
        let zip = dir.path().join("m.zip");
        let tree = dir.path().join("tree");
        let mut w = ::zip::ZipWriter::new(File::create(&zip).unwrap());
        for (i, (rel, content)) in files.iter().enumerate() {
            let method = if i % 2 == 0 {
                ::zip::CompressionMethod::Deflated
            } else {
                ::zip::CompressionMethod::Stored
            };
            let options = ::zip::write::SimpleFileOptions::default()
                .compression_method(method)
                .large_file(true);
            w.start_file(format!("example.com/m@v1.0.0/{rel}"), options)
                .unwrap();
            w.write_all(content).unwrap();
            let path = tree.join(rel);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, content).unwrap();
        }
        w.finish().unwrap();
        (dir, zip, tree)
    }

    #[test]
    fn a_tree_is_a_copy_of_its_zip_only_if_every_name_and_byte_agrees() {
        let mv = ModuleVersion::new("example.com/m", "v1.0.0");
        let big: Vec<u8> = (0..3 * BUF_SIZE + 5).map(|i| (i % 251) as u8).collect();
        let files = [
            ("go.mod", b"module example.com/m\n".to_vec()),
            ("a/b.go", b"package b\n".to_vec()),
            ("big.bin", big.clone()),
            ("empty", Vec::new()),
        ];
        let check = |edit: &dyn Fn(&Path)| {
            let (_dir, zip, tree) = zip_and_tree(&files);
            edit(&tree);
            let (digest, copy) = hash_zip_and_tree(&zip, &mv, &tree).unwrap();
            assert_eq!(digest, hash_zip(&zip, Some(&mv)).unwrap());
            let tree_h1 = super::super::hash_tree(&tree, &mv.to_string()).unwrap().h1;
            assert_eq!(
                copy,
                tree_h1 == digest.h1,
                "a copy hashes as the zip, and only a copy"
            );
            copy
        };
        assert!(check(&|_| {}));
        let write = |rel: &'static str, data: Vec<u8>| {
            move |tree: &Path| std::fs::write(tree.join(rel), &data).unwrap()
        };
        let mut longer = big.clone();
        longer.push(0);
        let mut flipped = big.clone();
        flipped[2 * BUF_SIZE + 1] ^= 1;
        assert!(!check(&write("big.bin", longer)));
        assert!(!check(&write("big.bin", big[..big.len() - 1].to_vec())));
        assert!(!check(&write("big.bin", flipped)));
        assert!(!check(&write("empty", b"x".to_vec())));
        assert!(!check(&write("extra.go", b"package m\n".to_vec())));
        assert!(!check(
            &|tree| std::fs::remove_file(tree.join("a/b.go")).unwrap()
        ));
        // Go follows a link and reads the same bytes, so such a tree still hashes as the
        // zip; the shortcut is not taken, and hash_tree says so.
        let (_dir, zip, tree) = zip_and_tree(&files);
        std::fs::write(tree.join("../real.mod"), &files[0].1).unwrap();
        std::fs::remove_file(tree.join("go.mod")).unwrap();
        std::os::unix::fs::symlink("../real.mod", tree.join("go.mod")).unwrap();
        let (digest, copy) = hash_zip_and_tree(&zip, &mv, &tree).unwrap();
        assert!(!copy);
        let tree_h1 = super::super::hash_tree(&tree, &mv.to_string()).unwrap().h1;
        assert_eq!(tree_h1, digest.h1);
    }

    #[test]
    fn zips_with_directory_entries_or_repeated_names_have_no_copy() {
        // Go hashes a directory entry as an empty file and a repeated name twice, so the
        // tree extracted from such a zip hashes differently: never a copy.
        let mv = ModuleVersion::new("example.com/v", "v1.0.0");
        for name in ["basic", "duplicate-names"] {
            let zip = vectors().join(format!("{name}.zip"));
            let dir = tempfile::tempdir().unwrap();
            let mut archive = ::zip::ZipArchive::new(File::open(&zip).unwrap()).unwrap();
            for i in 0..archive.len() {
                let mut entry = archive.by_index(i).unwrap();
                let name = entry.name().unwrap().into_owned();
                let path = dir
                    .path()
                    .join(name.strip_prefix("example.com/v@v1.0.0/").unwrap());
                if entry.is_dir() {
                    std::fs::create_dir_all(&path).unwrap();
                    continue;
                }
                std::fs::create_dir_all(path.parent().unwrap()).unwrap();
                std::io::copy(&mut entry, &mut File::create(&path).unwrap()).unwrap();
            }
            let (digest, copy) = hash_zip_and_tree(&zip, &mv, dir.path()).unwrap();
            assert!(!copy, "{name}");
            let tree = super::super::hash_tree(dir.path(), &mv.to_string()).unwrap();
            assert_ne!(tree.h1, digest.h1, "{name}");
        }
    }

    fn deflated_zip(name: &[u8], stream: &[u8], crc: u32, size: u32) -> Vec<u8> {
        let compressed = u32::try_from(stream.len()).unwrap();
        let name_len = u16::try_from(name.len()).unwrap();
        let mut local = Vec::new();
        local.extend(0x0403_4b50u32.to_le_bytes());
        local.extend([20, 0, 0, 0, 8, 0, 0, 0, 0, 0]); // version, flags, method, time, date
        for v in [crc, compressed, size] {
            local.extend(v.to_le_bytes());
        }
        local.extend(name_len.to_le_bytes());
        local.extend([0, 0]);
        local.extend(name);
        local.extend(stream);
        let mut central = Vec::new();
        central.extend(0x0201_4b50u32.to_le_bytes());
        central.extend([20, 0, 20, 0, 0, 0, 8, 0, 0, 0, 0, 0]);
        for v in [crc, compressed, size] {
            central.extend(v.to_le_bytes());
        }
        central.extend(name_len.to_le_bytes());
        central.extend([0; 12]); // extra, comment, disk, attributes
        central.extend(0u32.to_le_bytes()); // local header offset
        central.extend(name);
        let mut end = Vec::new();
        end.extend(0x0605_4b50u32.to_le_bytes());
        end.extend([0, 0, 0, 0, 1, 0, 1, 0]);
        end.extend(u32::try_from(central.len()).unwrap().to_le_bytes());
        end.extend(u32::try_from(local.len()).unwrap().to_le_bytes());
        end.extend([0, 0]);
        [local, central, end].concat()
    }

    #[test]
    fn output_before_a_deflate_fault_counts_against_the_declared_size() {
        // Go's flate reader hands over what it inflated before a fault, then the fault:
        // checksumReader sees more than the declared size first (ErrFormat) when there is
        // more. Content in stored blocks, then a final stored block whose LEN and NLEN
        // disagree. Go 1.27 (archive/zip) says, for 104 bytes: declared 104 or 105 →
        // "flate: corrupt input before offset 114", declared 103 → ErrFormat. Large
        // content goes through the pipelined path when there are two threads.
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("fault.zip");
        for content in [
            b"hello, world\n".repeat(8),
            b"0123456789abcdef".repeat(70_000),
        ] {
            let mut stream = Vec::new();
            for block in content.chunks(u16::MAX.into()) {
                let len = block.len() as u16;
                stream.push(0); // not final, stored
                stream.extend(len.to_le_bytes());
                stream.extend((!len).to_le_bytes());
                stream.extend(block);
            }
            stream.extend([1, 0, 0, 0, 0]); // final, stored, LEN 0 but NLEN 0 too
            let crc = crc32fast::hash(&content);
            let len = content.len() as u32;
            for (size, want) in [
                (len, ERR_FLATE),
                (len + 1, ERR_FLATE),
                (len - 1, ERR_FORMAT),
            ] {
                std::fs::write(&path, deflated_zip(b"m@v1.0.0/a", &stream, crc, size)).unwrap();
                for threads in [1, 2] {
                    let pool = rayon::ThreadPoolBuilder::new()
                        .num_threads(threads)
                        .build()
                        .unwrap();
                    let detail = corrupt_detail(pool.install(|| hash_zip(&path, None)));
                    assert_eq!(detail, format!("m@v1.0.0/a: {want}"), "{len} bytes, {size}");
                }
            }
        }
    }
}
