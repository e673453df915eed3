//! The rules a module zip must follow before `go` extracts it (golang.org/x/mod/zip
//! `checkZip`, as run by `Unzip`), and the module-path checks they rely on
//! (golang.org/x/mod/module `Check`, `CheckPath`, `CheckFilePath`).
//!
//! A zip in the cache can hash correctly and still be one that `go` refuses to extract:
//! a file outside the `path@version/` prefix, two names that collide on a
//! case-insensitive file system, a `go.mod` in a subdirectory, a file too large. Go
//! reports these as errors of `go mod download`, so modcache reports such a zip as
//! corrupt. Every message below is Go's own wording, so a user can search for it.
//!
//! Names are checked as Go checks them: as byte strings (a zip name need not be UTF-8),
//! with Go's Unicode tables for letters and case folding (see [`unicode`]).

mod unicode;

use std::fmt::Write as _;

use crate::cache::ModuleVersion;
use crate::cache::semver;

/// Largest module zip, and largest total uncompressed content, `go` accepts (500 MiB).
pub const MAX_ZIP_FILE: u64 = 500 << 20;
/// Largest `go.mod` in a module zip.
pub const MAX_GO_MOD: u64 = 16 << 20;
/// Largest `LICENSE` in a module zip.
pub const MAX_LICENSE: u64 = 16 << 20;

/// One central-directory entry, as `checkZip` sees it: its stored name and its declared
/// uncompressed size.
#[derive(Debug, Clone, Copy)]
pub struct ZipName<'a> {
    pub name: &'a [u8],
    pub size: u64,
}

/// Everything `go` would reject before extracting a zip of `size` bytes holding
/// `entries` (in central-directory order) as module `mv`. Empty means `Unzip` accepts
/// the names and sizes. Each string is one of Go's messages, `name: reason` for a file;
/// a size error comes first, as Go reports it in preference to the file list.
///
/// A zip that cannot be read at all is not this function's concern: the hash of such a
/// zip fails first.
pub fn check_zip<'a>(
    mv: &ModuleVersion,
    zip_size: u64,
    entries: impl IntoIterator<Item = ZipName<'a>>,
) -> Vec<String> {
    if let Err(e) = check_module_version(mv) {
        return vec![e];
    }
    if zip_size > MAX_ZIP_FILE {
        return vec![format!(
            "module zip file is too large ({zip_size} bytes; limit is {MAX_ZIP_FILE} bytes)"
        )];
    }

    let prefix = mv.zip_prefix();
    let mut size_error = None;
    let mut invalid = Vec::new();
    let mut collisions = CollisionChecker::default();
    let mut total: u64 = 0;
    for ZipName { name: full, size } in entries {
        let mut bad = |reason: String| invalid.push(format!("{}: {reason}", display(full)));
        let Some(name) = full.strip_prefix(prefix.as_bytes()) else {
            bad(format!(
                "path does not have prefix {}",
                quote(prefix.as_bytes())
            ));
            continue;
        };
        if name.is_empty() {
            continue;
        }
        let (name, is_dir) = match name.strip_suffix(b"/") {
            Some(dir) => (dir, true),
            None => (name, false),
        };
        if clean(name) != name {
            bad("file path is not clean".to_string());
            continue;
        }
        let name = match check_file_path(name) {
            Ok(name) => name,
            Err(e) => {
                bad(e);
                continue;
            }
        };
        if let Err(e) = collisions.check(name, is_dir) {
            bad(e);
            continue;
        }
        if is_dir {
            continue;
        }
        let base = name.rsplit('/').next().unwrap_or(name);
        if equal_fold(base, "go.mod") {
            if base != name {
                bad("go.mod file not in module root directory".to_string());
                continue;
            }
            if name != "go.mod" {
                bad("go.mod files must have lowercase names".to_string());
                continue;
            }
        }
        // Go holds sizes in an int64: a size of 2^63 or more is negative there.
        if size <= i64::MAX as u64 && MAX_ZIP_FILE - total >= size {
            total += size;
        } else if size_error.is_none() {
            size_error = Some(format!(
                "total uncompressed size of module contents too large (max size is {MAX_ZIP_FILE} bytes)"
            ));
        }
        if name == "go.mod" && size > MAX_GO_MOD {
            bad(format!(
                "go.mod file too large (max size is {MAX_GO_MOD} bytes)"
            ));
        } else if name == "LICENSE" && size > MAX_LICENSE {
            bad(format!(
                "LICENSE file too large (max size is {MAX_LICENSE} bytes)"
            ));
        }
    }
    size_error.into_iter().chain(invalid).collect()
}

/// `checkZip`'s checks of the module itself: a canonical version (`CanonicalVersion`)
/// and `module.Check` (a valid module path whose major-version suffix fits the version).
pub fn check_module_version(mv: &ModuleVersion) -> Result<(), String> {
    let (path, version) = (mv.path.as_str(), mv.version.as_str());
    let canonical = canonical_version(version);
    if canonical != version {
        return Err(format!(
            "version {} is not canonical (should be {})",
            quote(version.as_bytes()),
            quote(canonical.as_bytes())
        ));
    }
    check_path(path)?;
    if semver::parse(version).is_none() {
        return Err(format!(
            "{path}@{version}: invalid version: not a semantic version"
        ));
    }
    let path_major = split_path_version(path).map_or("", |(_, major)| major);
    check_path_major(version, path_major)
        .map_err(|e| format!("{path}@{version}: invalid version: {e}"))
}

/// `module.CheckPath`: is `path` a valid module path?
pub fn check_path(path: &str) -> Result<(), String> {
    let err = |e: String| format!("malformed module path {}: {e}", quote(path.as_bytes()));
    check_elems(path, Kind::Module).map_err(err)?;
    let first = path.split('/').next().unwrap_or("");
    if first.is_empty() {
        return Err(err("leading slash".into()));
    }
    if !first.contains('.') {
        return Err(err("missing dot in first path element".into()));
    }
    if path.starts_with('-') {
        return Err(err("leading dash in first path element".into()));
    }
    if let Some(c) = first
        .chars()
        .find(|&c| !(c == '-' || c == '.' || c.is_ascii_digit() || c.is_ascii_lowercase()))
    {
        return Err(err(format!(
            "invalid char {} in first path element",
            quote_rune(c)
        )));
    }
    if split_path_version(path).is_none() {
        return Err(err("invalid version".into()));
    }
    Ok(())
}

/// `module.CheckFilePath`: is `path` (a slash-separated path inside a module) a name
/// Go allows in a module zip? Returns the path as text when it is.
pub fn check_file_path(path: &[u8]) -> Result<&str, String> {
    let err = |e: String| format!("malformed file path {}: {e}", quote(path));
    let text = std::str::from_utf8(path).map_err(|_| err("invalid UTF-8".into()))?;
    check_elems(text, Kind::File).map_err(err)?;
    Ok(text)
}

/// Go's `path.Clean` on a byte string.
pub fn clean(path: &[u8]) -> Vec<u8> {
    if path.is_empty() {
        return b".".to_vec();
    }
    let rooted = path[0] == b'/';
    let n = path.len();
    let mut out: Vec<u8> = Vec::with_capacity(n);
    let (mut r, mut dotdot) = (0, 0);
    if rooted {
        out.push(b'/');
        (r, dotdot) = (1, 1);
    }
    while r < n {
        let at_end = |i: usize| i == n || path[i] == b'/';
        if path[r] == b'/' || (path[r] == b'.' && at_end(r + 1)) {
            r += 1;
        } else if path[r] == b'.' && r + 1 < n && path[r + 1] == b'.' && at_end(r + 2) {
            r += 2;
            if out.len() > dotdot {
                // Back up to (and drop) the last slash, but not past a leading "../".
                let mut last = out.pop();
                while out.len() > dotdot && last != Some(b'/') {
                    last = out.pop();
                }
            } else if !rooted {
                if !out.is_empty() {
                    out.push(b'/');
                }
                out.extend_from_slice(b"..");
                dotdot = out.len();
            }
        } else {
            if (rooted && out.len() != 1) || (!rooted && !out.is_empty()) {
                out.push(b'/');
            }
            while r < n && path[r] != b'/' {
                out.push(path[r]);
                r += 1;
            }
        }
    }
    if out.is_empty() {
        out.push(b'.');
    }
    out
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Module,
    File,
}

/// `checkPath` of module.go for module paths and file paths.
fn check_elems(path: &str, kind: Kind) -> Result<(), String> {
    if path.is_empty() {
        return Err("empty string".into());
    }
    if path.starts_with('-') && kind != Kind::File {
        return Err("leading dash".into());
    }
    if path.contains("//") {
        return Err("double slash".into());
    }
    if path.ends_with('/') {
        return Err("trailing slash".into());
    }
    path.split('/').try_for_each(|elem| check_elem(elem, kind))
}

const BAD_WINDOWS_NAMES: [&str; 22] = [
    "CON", "PRN", "AUX", "NUL", "COM1", "COM2", "COM3", "COM4", "COM5", "COM6", "COM7", "COM8",
    "COM9", "LPT1", "LPT2", "LPT3", "LPT4", "LPT5", "LPT6", "LPT7", "LPT8", "LPT9",
];

fn check_elem(elem: &str, kind: Kind) -> Result<(), String> {
    if elem.is_empty() {
        return Err("empty path element".into());
    }
    if elem.bytes().all(|b| b == b'.') {
        return Err(format!("invalid path element {}", quote(elem.as_bytes())));
    }
    if elem.starts_with('.') && kind == Kind::Module {
        return Err("leading dot in path element".into());
    }
    if elem.ends_with('.') {
        return Err("trailing dot in path element".into());
    }
    let ok = match kind {
        Kind::Module => mod_path_ok,
        Kind::File => file_name_ok,
    };
    if let Some(c) = elem.chars().find(|&c| !ok(c)) {
        return Err(format!("invalid char {}", quote_rune(c)));
    }
    // Windows disallows a bad name even with an extension: CON.txt, aux.go.
    let short = elem.split('.').next().unwrap_or(elem);
    if BAD_WINDOWS_NAMES.iter().any(|bad| equal_fold(bad, short)) {
        return Err(format!(
            "{} disallowed as path element component on Windows",
            quote(short.as_bytes())
        ));
    }
    if kind == Kind::File {
        // File paths may keep short names like FOO~1: module zips always could.
        return Ok(());
    }
    if let Some(tilde) = short.rfind('~')
        && tilde < short.len() - 1
        && short[tilde + 1..].bytes().all(|b| b.is_ascii_digit())
    {
        return Err("trailing tilde and digits in path element".into());
    }
    Ok(())
}

fn mod_path_ok(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | '_' | '~')
}

fn file_name_ok(c: char) -> bool {
    if c.is_ascii() {
        c.is_ascii_alphanumeric() || "!#$%&()+,-.=@[]^_{}~ ".contains(c)
    } else {
        is_letter(c)
    }
}

/// `unicode.IsLetter` for a rune at or above 0x80.
fn is_letter(c: char) -> bool {
    let c = c as u32;
    let i = unicode::LETTERS.partition_point(|&(lo, _)| lo <= c);
    i > 0 && c <= unicode::LETTERS[i - 1].1
}

/// The smallest rune of `c`'s simple case-folding orbit (iterating `unicode.SimpleFold`).
fn fold_min(c: char) -> char {
    if c.is_ascii() {
        // The orbits of ASCII letters reach no smaller rune than the upper-case letter
        // (k → K, not the Kelvin sign; s → S, not the long s).
        return c.to_ascii_uppercase();
    }
    let r = c as u32;
    let i = unicode::FOLD_MIN.partition_point(|&(lo, ..)| lo <= r);
    if i == 0 {
        return c;
    }
    let (lo, hi, stride, delta) = unicode::FOLD_MIN[i - 1];
    if r > hi || !(r - lo).is_multiple_of(stride) {
        return c;
    }
    char::from_u32(r.wrapping_add_signed(delta)).unwrap_or(c)
}

/// x/mod/zip's `strToFold`: `equal_fold(s, t)` iff `str_to_fold(s) == str_to_fold(t)`.
pub fn str_to_fold(s: &str) -> String {
    if s.is_ascii() {
        return s.to_ascii_lowercase(); // Go's fast path, and what the slow path gives
    }
    s.chars()
        .map(|c| {
            let m = fold_min(c);
            if m.is_ascii_uppercase() {
                m.to_ascii_lowercase()
            } else {
                m
            }
        })
        .collect()
}

/// `strings.EqualFold`: equal under Unicode simple case folding.
fn equal_fold(a: &str, b: &str) -> bool {
    a.chars().map(fold_min).eq(b.chars().map(fold_min))
}

/// x/mod/zip's `collisionChecker`: case-insensitive collisions, and paths listed both
/// as a file and as a directory (a file's parents count as directories).
#[derive(Default)]
struct CollisionChecker {
    seen: std::collections::HashMap<String, (String, bool)>,
}

impl CollisionChecker {
    fn check(&mut self, p: &str, is_dir: bool) -> Result<(), String> {
        let mut p = p;
        let mut is_dir = is_dir;
        loop {
            let fold = str_to_fold(p);
            match self.seen.get(&fold) {
                Some((other, other_dir)) => {
                    if p != other {
                        return Err(format!(
                            "case-insensitive file name collision: {} and {}",
                            quote(other.as_bytes()),
                            quote(p.as_bytes())
                        ));
                    }
                    if is_dir != *other_dir {
                        return Err(format!(
                            "entry {} is both a file and a directory",
                            quote(p.as_bytes())
                        ));
                    }
                    if !is_dir {
                        return Err(format!("multiple entries for file {}", quote(p.as_bytes())));
                    }
                }
                None => {
                    self.seen.insert(fold, (p.to_string(), is_dir));
                }
            }
            // path.Dir of a clean relative path: everything before the last slash.
            match p.rfind('/') {
                Some(i) => {
                    p = &p[..i];
                    is_dir = true;
                }
                None => return Ok(()),
            }
        }
    }
}

/// `module.SplitPathVersion`: the path's major-version suffix (`/v2`, `.v1` for
/// gopkg.in), or `None` if the path ends in a malformed one.
fn split_path_version(path: &str) -> Option<(&str, &str)> {
    let b = path.as_bytes();
    if path.starts_with("gopkg.in/") {
        let mut i = b.len();
        if path.ends_with("-unstable") {
            i -= "-unstable".len();
        }
        while i > 0 && b[i - 1].is_ascii_digit() {
            i -= 1;
        }
        if i <= 1 || b[i - 1] != b'v' || b[i - 2] != b'.' {
            return None;
        }
        let (prefix, major) = path.split_at(i - 2);
        if major.len() <= 2 || (major.as_bytes()[2] == b'0' && major != ".v0") {
            return None;
        }
        return Some((prefix, major));
    }
    let mut i = b.len();
    let mut dot = false;
    while i > 0 && (b[i - 1].is_ascii_digit() || b[i - 1] == b'.') {
        dot |= b[i - 1] == b'.';
        i -= 1;
    }
    if i <= 1 || i == b.len() || b[i - 1] != b'v' || b[i - 2] != b'/' {
        return Some((path, ""));
    }
    let (prefix, major) = path.split_at(i - 2);
    if dot || major.len() <= 2 || major.as_bytes()[2] == b'0' || major == "/v1" {
        return None;
    }
    Some((prefix, major))
}

/// `module.CheckPathMajor`.
fn check_path_major(v: &str, path_major: &str) -> Result<(), String> {
    let mut path_major = path_major;
    if path_major.starts_with(".v") {
        path_major = path_major.strip_suffix("-unstable").unwrap_or(path_major);
    }
    if v.starts_with("v0.0.0-") && path_major == ".v1" {
        // Allow old pseudo-versions on gopkg.in/x.v1.
        return Ok(());
    }
    let m = semver_major(v);
    let want = if path_major.is_empty() {
        if m == "v0" || m == "v1" || semver_build(v) == "+incompatible" {
            return Ok(());
        }
        "v0 or v1"
    } else if path_major.starts_with('/') || path_major.starts_with('.') {
        if m == &path_major[1..] {
            return Ok(());
        }
        &path_major[1..]
    } else {
        path_major
    };
    Err(format!("should be {want}, not {m}"))
}

/// `semver.Major`: `vN`, or empty for an invalid version.
fn semver_major(v: &str) -> &str {
    if semver::parse(v).is_none() {
        return "";
    }
    let end = v[1..]
        .find(|c: char| !c.is_ascii_digit())
        .map_or(v.len(), |i| i + 1);
    &v[..end]
}

/// `semver.Build`: the `+build` suffix, or empty.
fn semver_build(v: &str) -> &str {
    if semver::parse(v).is_none() {
        return "";
    }
    v.find('+').map_or("", |i| &v[i..])
}

/// `module.CanonicalVersion`: `semver.Canonical`, keeping a `+incompatible` suffix.
fn canonical_version(v: &str) -> String {
    if semver::parse(v).is_none() {
        return String::new();
    }
    let core = v.find('+').map_or(v, |i| &v[..i]);
    let mut out = core.to_string();
    // Only short versions (v1, v1.2) lack a patch; they cannot carry a pre-release.
    let dots = if core.contains('-') {
        2
    } else {
        core.matches('.').count()
    };
    for _ in dots..2 {
        out.push_str(".0");
    }
    if semver_build(v) == "+incompatible" {
        out.push_str("+incompatible");
    }
    out
}

/// A zip name for a message: lossy UTF-8, as Go prints a string with `%s`.
fn display(name: &[u8]) -> std::borrow::Cow<'_, str> {
    String::from_utf8_lossy(name)
}

/// Go's `%q` of a string (`strconv.Quote`), close enough for messages: control and
/// invalid bytes are escaped, printable runes are kept.
fn quote(s: &[u8]) -> String {
    let mut out = String::from("\"");
    for chunk in s.utf8_chunks() {
        for c in chunk.valid().chars() {
            push_escaped(&mut out, c, '"');
        }
        for b in chunk.invalid() {
            let _ = write!(out, "\\x{b:02x}");
        }
    }
    out.push('"');
    out
}

/// Go's `%q` of a rune: `'x'`.
fn quote_rune(c: char) -> String {
    let mut out = String::from("'");
    push_escaped(&mut out, c, '\'');
    out.push('\'');
    out
}

fn push_escaped(out: &mut String, c: char, delim: char) {
    match c {
        '\\' => out.push_str("\\\\"),
        c if c == delim => {
            out.push('\\');
            out.push(c);
        }
        '\x07' => out.push_str("\\a"),
        '\x08' => out.push_str("\\b"),
        '\x0c' => out.push_str("\\f"),
        '\n' => out.push_str("\\n"),
        '\r' => out.push_str("\\r"),
        '\t' => out.push_str("\\t"),
        '\x0b' => out.push_str("\\v"),
        c if (c as u32) < 0x20 || c == '\x7f' => {
            let _ = write!(out, "\\x{:02x}", c as u32);
        }
        c if c.is_control() || (c.is_whitespace() && c != ' ') => {
            if (c as u32) < 0x10000 {
                let _ = write!(out, "\\u{:04x}", c as u32);
            } else {
                let _ = write!(out, "\\U{:08x}", c as u32);
            }
        }
        c => out.push(c),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mv(path: &str, version: &str) -> ModuleVersion {
        ModuleVersion::new(path, version)
    }

    fn check(names: &[(&str, u64)]) -> Vec<String> {
        let m = mv("example.com/m", "v1.0.0");
        check_zip(
            &m,
            1000,
            names.iter().map(|&(n, size)| ZipName {
                name: n.as_bytes(),
                size,
            }),
        )
    }

    #[test]
    fn clean_matches_go_path_clean() {
        for (input, want) in [
            ("", "."),
            ("abc", "abc"),
            ("abc/def", "abc/def"),
            ("a/b/c", "a/b/c"),
            (".", "."),
            ("..", ".."),
            ("../..", "../.."),
            ("../../abc", "../../abc"),
            ("/abc", "/abc"),
            ("/", "/"),
            ("abc/", "abc"),
            ("abc/def/", "abc/def"),
            ("a/b/c/", "a/b/c"),
            ("./", "."),
            ("../", ".."),
            ("../../", "../.."),
            ("/abc/", "/abc"),
            ("abc//def//ghi", "abc/def/ghi"),
            ("//abc", "/abc"),
            ("///abc", "/abc"),
            ("//abc//", "/abc"),
            ("abc//", "abc"),
            ("abc/./def", "abc/def"),
            ("/./abc/def", "/abc/def"),
            ("abc/.", "abc"),
            ("abc/def/ghi/../jkl", "abc/def/jkl"),
            ("abc/def/../ghi/../jkl", "abc/jkl"),
            ("abc/def/..", "abc"),
            ("abc/def/../..", "."),
            ("/abc/def/../..", "/"),
            ("abc/def/../../..", ".."),
            ("/abc/def/../../..", "/"),
            ("abc/def/../../../ghi/jkl/../../../mno", "../../mno"),
            ("abc/./../def", "def"),
            ("abc//./../def", "def"),
            ("abc/../../././../def", "../../def"),
        ] {
            assert_eq!(clean(input.as_bytes()), want.as_bytes(), "Clean({input:?})");
        }
    }

    #[test]
    fn file_paths_follow_check_file_path() {
        for ok in [
            "a.go",
            "dir/ü.go",
            "日本語/x.txt",
            "A~1.go",
            "x/-leading-dash",
            "sp ace.txt",
            ".hidden",
        ] {
            assert!(check_file_path(ok.as_bytes()).is_ok(), "{ok}");
        }
        for (bad, why) in [
            ("", "empty string"),
            ("a//b", "double slash"),
            ("a/", "trailing slash"),
            ("/a", "empty path element"),
            ("a/../b", "invalid path element \"..\""),
            ("a.", "trailing dot in path element"),
            ("a:b", "invalid char ':'"),
            ("a\\b", "invalid char '\\\\'"),
            (
                "con.go",
                "\"con\" disallowed as path element component on Windows",
            ),
            (
                "x/LPT9",
                "\"LPT9\" disallowed as path element component on Windows",
            ),
            ("emoji😀.txt", "invalid char '😀'"),
        ] {
            let err = check_file_path(bad.as_bytes()).unwrap_err();
            assert!(err.ends_with(why), "{bad}: {err}");
        }
        assert_eq!(
            check_file_path(b"bad\xff").unwrap_err(),
            "malformed file path \"bad\\xff\": invalid UTF-8"
        );
    }

    #[test]
    fn module_paths_follow_module_check() {
        for (path, version) in [
            ("example.com/m", "v1.0.0"),
            ("example.com/Upper/Mod", "v0.1.0-pre"),
            ("example.com/m/v2", "v2.0.0"),
            ("example.com/m", "v3.0.0+incompatible"),
            ("gopkg.in/yaml.v2", "v2.4.0"),
            ("gopkg.in/yaml.v1", "v0.0.0-20200101000000-abcdefabcdef"),
        ] {
            assert_eq!(
                check_module_version(&mv(path, version)),
                Ok(()),
                "{path}@{version}"
            );
        }
        for (path, version, want) in [
            (
                "example.com/m",
                "v1.0",
                "version \"v1.0\" is not canonical (should be \"v1.0.0\")",
            ),
            (
                "example.com/m",
                "v1.0.0+meta",
                "version \"v1.0.0+meta\" is not canonical (should be \"v1.0.0\")",
            ),
            (
                "example.com/m",
                "v2.0.0",
                "example.com/m@v2.0.0: invalid version: should be v0 or v1, not v2",
            ),
            (
                "example.com/m/v2",
                "v1.0.0",
                "example.com/m/v2@v1.0.0: invalid version: should be v2, not v1",
            ),
            (
                "example.com/m/v1",
                "v1.0.0",
                "malformed module path \"example.com/m/v1\": invalid version",
            ),
            (
                "Example.com/m",
                "v1.0.0",
                "malformed module path \"Example.com/m\": invalid char 'E' in first path element",
            ),
            (
                "localhost/m",
                "v1.0.0",
                "malformed module path \"localhost/m\": missing dot in first path element",
            ),
            (
                "example.com/m~1",
                "v1.0.0",
                "malformed module path \"example.com/m~1\": trailing tilde and digits in path element",
            ),
            (
                "example.com/.m",
                "v1.0.0",
                "malformed module path \"example.com/.m\": leading dot in path element",
            ),
        ] {
            assert_eq!(check_module_version(&mv(path, version)).unwrap_err(), want);
        }
    }

    #[test]
    fn fold_follows_go_simple_fold() {
        assert_eq!(str_to_fold("ABC.go"), "abc.go");
        // Kelvin sign and long s fold onto ASCII letters in Go.
        assert_eq!(str_to_fold("\u{212a}"), "k");
        assert_eq!(str_to_fold("\u{17f}"), "s");
        assert_eq!(str_to_fold("é"), str_to_fold("É"));
        assert!(equal_fold("GO.MOD", "go.mod"));
        assert!(!equal_fold("go.mod", "go.mo"));
        assert!(is_letter('ü') && is_letter('日') && !is_letter('😀') && !is_letter('\u{a0}'));
    }

    #[test]
    fn valid_zip_has_no_violations() {
        let v = check(&[
            ("example.com/m@v1.0.0/", 0),
            ("example.com/m@v1.0.0/go.mod", 20),
            ("example.com/m@v1.0.0/a/", 0),
            ("example.com/m@v1.0.0/a/", 0),
            ("example.com/m@v1.0.0/a/b.go", 10),
            ("example.com/m@v1.0.0/go.mod.d/x", 10),
        ]);
        assert_eq!(v, Vec::<String>::new());
    }

    #[test]
    fn violations_use_go_messages() {
        let v = check(&[
            ("other.com/m@v1.0.0/a.go", 1),
            ("example.com/m@v1.0.0/./a.go", 1),
            ("example.com/m@v1.0.0/A.go", 1),
            ("example.com/m@v1.0.0/a.go", 1),
            ("example.com/m@v1.0.0/a.go", 1),
            ("example.com/m@v1.0.0/sub/go.mod", 1),
            ("example.com/m@v1.0.0/GO.MOD", 1),
            ("example.com/m@v1.0.0/x", 1),
            ("example.com/m@v1.0.0/x/y", 1),
            ("example.com/m@v1.0.0/aux.c", 1),
        ]);
        assert_eq!(
            v,
            [
                "other.com/m@v1.0.0/a.go: path does not have prefix \"example.com/m@v1.0.0/\"",
                "example.com/m@v1.0.0/./a.go: file path is not clean",
                "example.com/m@v1.0.0/a.go: case-insensitive file name collision: \"A.go\" and \"a.go\"",
                "example.com/m@v1.0.0/a.go: case-insensitive file name collision: \"A.go\" and \"a.go\"",
                "example.com/m@v1.0.0/sub/go.mod: go.mod file not in module root directory",
                "example.com/m@v1.0.0/GO.MOD: go.mod files must have lowercase names",
                "example.com/m@v1.0.0/x/y: entry \"x\" is both a file and a directory",
                "example.com/m@v1.0.0/aux.c: malformed file path \"aux.c\": \"aux\" disallowed as path element component on Windows",
            ]
        );
        let dup = check(&[
            ("example.com/m@v1.0.0/a.go", 1),
            ("example.com/m@v1.0.0/a.go", 1),
        ]);
        assert_eq!(
            dup,
            ["example.com/m@v1.0.0/a.go: multiple entries for file \"a.go\""]
        );
    }

    #[test]
    fn sizes_are_limited_like_go() {
        let m = mv("example.com/m", "v1.0.0");
        let big = check_zip(&m, MAX_ZIP_FILE + 1, []);
        assert_eq!(
            big,
            ["module zip file is too large (524288001 bytes; limit is 524288000 bytes)"]
        );
        let names = [
            ZipName {
                name: b"example.com/m@v1.0.0/go.mod",
                size: MAX_GO_MOD + 1,
            },
            ZipName {
                name: b"example.com/m@v1.0.0/LICENSE",
                size: MAX_LICENSE,
            },
            ZipName {
                name: b"example.com/m@v1.0.0/big",
                size: MAX_ZIP_FILE,
            },
        ];
        assert_eq!(
            check_zip(&m, 100, names),
            [
                "total uncompressed size of module contents too large (max size is 524288000 bytes)",
                "example.com/m@v1.0.0/go.mod: go.mod file too large (max size is 16777216 bytes)",
            ]
        );
    }

    #[test]
    fn bad_module_stops_the_check() {
        let m = mv("example.com/m", "v1.0");
        let v = check_zip(
            &m,
            10,
            [ZipName {
                name: b"junk",
                size: 0,
            }],
        );
        assert_eq!(
            v,
            ["version \"v1.0\" is not canonical (should be \"v1.0.0\")"]
        );
    }
}
