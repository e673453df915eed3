//! Reading the `go` command's own error output (`purge --from-log`): which module versions
//! does it blame on broken cache files?
//!
//! Only failures that a refetch can cure count: checksum mismatches (go.sum or the
//! checksum database, zip or go.mod), missing or unexpected `.ziphash`, zips that do not
//! read or extract, modified trees or zips (`go mod verify`), interrupted extractions.
//! Network, proxy and resolution errors are ignored, as is every line without one of
//! these markers. A failure line names its version in one of the ways Go prints them:
//!
//! | Go prints | from |
//! |---|---|
//! | `verifying m@v: checksum mismatch` (then a SECURITY ERROR block) | modfetch `haveModSumLocked` |
//! | `verifying m@v/go.mod: checksum mismatch` | the same, for go.mod |
//! | `go: m@v: verifying module: checksum mismatch` | `checkSumDB` (`module.VersionError`) |
//! | `verifying m@v: unexpected ziphash: "..."` | `checkMod` |
//! | `m v: missing ziphash: open ...` / `zip has been modified (...)` / `dir has been modified (...)` / `zip: not a valid zip file` | `go mod verify` (path SPACE version) |
//! | `-> unzip <cache>/cache/download/m/@v/v.zip: zip: checksum error` | `unzip` (the version is in the path) |
//! | `"Path": "m"`, `"Version": "v"`, `"Error": "..."` | `go mod download -json` |
//!
//! Some failures name nothing: `go run` prints `go: downloading m v` and later
//! `main.go:2:16: zip: not a valid zip file` when a re-hash of a zip without `.ziphash`
//! fails. Go prints `downloading` exactly for the versions whose zip or `.ziphash` is
//! missing, so such a failure is blamed on every version announced before it: purging
//! them costs at most a refetch of versions Go was fetching anyway.

use std::path::Path;

use crate::cache::{Entry, ModuleVersion, classify, semver};
use crate::purge::is_module_path;

/// A version Go's output blames, with the first line that does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Named {
    pub module: ModuleVersion,
    /// The failure concerns the version's go.mod (`.mod`), not only its zip or tree.
    pub gomod: bool,
    /// 1-based number of the first line blaming it, and that line.
    pub line: usize,
    pub text: String,
    /// Blamed through a `go: downloading` line because the failure named nothing.
    pub by_announcement: bool,
}

/// Everything found in one log.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LogScan {
    /// Sorted by module version, one entry per version.
    pub named: Vec<Named>,
    /// Failure lines that name no version (and could not be blamed on one).
    pub unattributed: Vec<(usize, String)>,
}

/// Markers of cache failures, with whether the text before them must end in a word
/// boundary (so `v1.5.2.zip: 404` is not taken for `zip: ...`).
const MARKERS: &[(&str, bool)] = &[
    ("checksum mismatch", false),
    ("missing ziphash", false),
    ("ziphash file is missing", false),
    ("unexpected ziphash", false),
    ("zip has been modified", false),
    ("dir has been modified", false),
    ("not completely extracted", false),
    ("zip: ", true),
    ("flate: ", true),
    ("unzip ", true),
];

fn is_failure(line: &str) -> bool {
    MARKERS.iter().any(|(m, boundary)| {
        line.match_indices(m).any(|(i, _)| {
            !boundary
                || line[..i]
                    .chars()
                    .next_back()
                    .is_none_or(|c| c.is_whitespace() || matches!(c, '"' | '>' | '('))
        })
    })
}

/// Scan `text`, Go's output. `cache_root` (GOMODCACHE) lets paths of extracted trees be
/// recognized; download paths (`.../cache/download/...`) are recognized anywhere.
pub fn parse(text: &str, cache_root: &Path) -> LogScan {
    let mut found: Vec<Named> = Vec::new();
    let mut unattributed: Vec<(usize, String)> = Vec::new();
    let mut announced: Vec<(usize, ModuleVersion)> = Vec::new();
    let mut json: Option<JsonObject> = None;

    for (i, raw) in text.lines().enumerate() {
        let n = i + 1;
        let line = raw.trim_end_matches('\r');
        let trimmed = line.trim();

        if let Some(rest) = trimmed.strip_prefix("go: downloading ")
            && let [path, version] = rest.split(' ').collect::<Vec<_>>()[..]
            && is_module_path(path)
            && semver::is_canonical(version)
        {
            announced.push((n, ModuleVersion::new(path, version)));
            continue;
        }

        // `go mod download -json`: an object per version, its fields on their own lines.
        if trimmed == "{" {
            json = Some(JsonObject::default());
            continue;
        }
        if let Some(obj) = json.as_mut() {
            if trimmed == "}" || trimmed == "}," {
                let obj = json.take().unwrap_or_default();
                if let Some((n, error)) = obj.error
                    && is_failure(&error)
                {
                    let mut names = names_in(&error, cache_root);
                    if let (Some(path), Some(version)) = (obj.path, obj.version)
                        && semver::is_canonical(&version)
                    {
                        let gomod = error.contains("verifying go.mod");
                        names.push((ModuleVersion::new(path, version), gomod));
                    }
                    record(&mut found, &mut unattributed, names, n, &error);
                }
                continue;
            }
            if let Some((key, value)) = json_field(trimmed) {
                match key.as_str() {
                    "Path" => obj.path = Some(value),
                    "Version" => obj.version = Some(value),
                    "Error" => obj.error = Some((n, value)),
                    _ => {}
                }
                continue;
            }
        }

        if is_failure(line) {
            let names = names_in(line, cache_root);
            record(&mut found, &mut unattributed, names, n, line);
        }
    }

    // Failures that named nothing: blame the versions Go announced before them.
    unattributed.retain(|(n, text)| {
        let blamed: Vec<&ModuleVersion> = announced
            .iter()
            .filter(|(at, _)| at < n)
            .map(|(_, mv)| mv)
            .collect();
        for mv in &blamed {
            add(&mut found, (*mv).clone(), false, *n, text, true);
        }
        blamed.is_empty()
    });

    found.sort_by(|a, b| a.module.cmp(&b.module));
    LogScan {
        named: found,
        unattributed,
    }
}

#[derive(Debug, Default)]
struct JsonObject {
    path: Option<String>,
    version: Option<String>,
    error: Option<(usize, String)>,
}

/// `"Key": "value",` → (Key, unescaped value).
fn json_field(line: &str) -> Option<(String, String)> {
    let line = line.strip_suffix(',').unwrap_or(line);
    let (key, value) = line.split_once(": ")?;
    let key: String = serde_json::from_str(key).ok()?;
    let value: String = serde_json::from_str(value).ok()?;
    Some((key, value))
}

fn record(
    found: &mut Vec<Named>,
    unattributed: &mut Vec<(usize, String)>,
    names: Vec<(ModuleVersion, bool)>,
    n: usize,
    text: &str,
) {
    if names.is_empty() {
        unattributed.push((n, text.to_string()));
    }
    for (mv, gomod) in names {
        add(found, mv, gomod, n, text, false);
    }
}

fn add(
    found: &mut Vec<Named>,
    module: ModuleVersion,
    gomod: bool,
    n: usize,
    text: &str,
    by_announcement: bool,
) {
    if let Some(existing) = found.iter_mut().find(|f| f.module == module) {
        existing.gomod |= gomod;
        if existing.by_announcement && !by_announcement {
            existing.by_announcement = false;
            existing.line = n;
            existing.text = text.to_string();
        }
        return;
    }
    found.push(Named {
        module,
        gomod,
        line: n,
        text: text.to_string(),
        by_announcement,
    });
}

/// Every version a failure line names, with whether it names the go.mod.
fn names_in(line: &str, cache_root: &Path) -> Vec<(ModuleVersion, bool)> {
    let mut names: Vec<(ModuleVersion, bool)> = Vec::new();
    let line_gomod = line.contains("verifying go.mod");
    let mut push = |mv: ModuleVersion, gomod: bool| {
        if let Some(e) = names.iter_mut().find(|(m, _)| *m == mv) {
            e.1 |= gomod;
        } else {
            names.push((mv, gomod));
        }
    };

    // `go mod verify`: "path version: message" at the start of the line.
    let mut words = line.split(' ');
    if let (Some(path), Some(version)) = (words.next(), words.next())
        && let Some(version) = version.strip_suffix(':')
        && is_module_path(path)
        && semver::is_canonical(version)
    {
        push(ModuleVersion::new(path, version), line_gomod);
    }

    for token in line.split_whitespace() {
        let token = token.trim_matches(['(', ')', '"', '\'', ',', ';']);
        let token = token.strip_suffix(':').unwrap_or(token);
        let token = token.trim_end_matches([')', '"', '\'']);
        if token.starts_with('/') {
            if let Some((mv, gomod)) = version_of_path(token, cache_root) {
                push(mv, gomod || line_gomod);
            }
        } else if let Some((path, version)) = token.split_once('@') {
            // module.VersionError: "path@version: ...", and "path@version/go.mod".
            let (version, gomod) = match version.strip_suffix("/go.mod") {
                Some(v) => (v, true),
                None => (version, false),
            };
            if is_module_path(path) && semver::is_canonical(version) {
                push(ModuleVersion::new(path, version), gomod || line_gomod);
            }
        }
    }
    names
}

/// The version a cache path belongs to: `.../cache/download/<path>/@v/<version>.<ext>`
/// anywhere, or a tree path under `cache_root`.
fn version_of_path(token: &str, cache_root: &Path) -> Option<(ModuleVersion, bool)> {
    let path = Path::new(token);
    if let Ok(rel) = path.strip_prefix(cache_root) {
        match classify(rel) {
            Entry::Version(mv, kind) => {
                return Some((mv, kind == crate::cache::entry::VersionFile::Mod));
            }
            Entry::Tree(mv) | Entry::TreeFile(mv) | Entry::TreeTmp(mv) => return Some((mv, false)),
            _ => {}
        }
    }
    for (i, _) in token.match_indices("/cache/download/") {
        if let Entry::Version(mv, kind) = classify(Path::new(&token[i + 1..])) {
            return Some((mv, kind == crate::cache::entry::VersionFile::Mod));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(text: &str) -> Vec<(String, bool, bool)> {
        parse(text, Path::new("/tmp/rp/mc"))
            .named
            .into_iter()
            .map(|n| (n.module.to_string(), n.gomod, n.by_announcement))
            .collect()
    }

    // The logs below are real Go 1.27 output captured from broken caches.

    #[test]
    fn security_error_blocks_name_the_version_above_them() {
        let log = "go: downloading rsc.io/quote v1.5.2
verifying rsc.io/quote@v1.5.2: checksum mismatch
\tdownloaded: h1:7gSvqzza4y831zojqorJYG/UXx28b8LxP9FGMn91ycs=
\tgo.sum:     h1:3fEykkD9k7lYzXqCYrwGAf7iNhbk4yCjHmKBN9td4L0=

SECURITY ERROR
This download does NOT match an earlier download recorded in go.sum.
The bits may have been replaced on the origin server, or an attacker may
have intercepted the download attempt.

For more information, see 'go help module-auth'.
";
        assert_eq!(names(log), [("rsc.io/quote@v1.5.2".into(), false, false)]);
        let gomod = "verifying rsc.io/quote@v1.5.2/go.mod: checksum mismatch\n\
                     \tdownloaded: h1:LzX7hefJvL54yjefDEDHNONDjII0t9xZLPXsUe+TKr0=\n";
        assert_eq!(names(gomod), [("rsc.io/quote@v1.5.2".into(), true, false)]);
        let sumdb = "go: rsc.io/quote@v1.5.2: verifying go.mod: checksum mismatch\n";
        assert_eq!(names(sumdb), [("rsc.io/quote@v1.5.2".into(), true, false)]);
    }

    #[test]
    fn go_mod_verify_lines_name_path_space_version() {
        let log = "rsc.io/quote v1.5.2: missing ziphash: open /tmp/rp/mc/cache/download/rsc.io/quote/@v/v1.5.2.ziphash: no such file or directory
rsc.io/sampler v1.3.0: zip: checksum error
golang.org/x/text v0.3.0: dir has been modified (/tmp/rp/mc/golang.org/x/text@v0.3.0)
all modules verified
";
        assert_eq!(
            names(log),
            [
                ("golang.org/x/text@v0.3.0".into(), false, false),
                ("rsc.io/quote@v1.5.2".into(), false, false),
                ("rsc.io/sampler@v1.3.0".into(), false, false),
            ]
        );
    }

    #[test]
    fn unzip_failures_name_the_version_by_its_zip_path() {
        let log = "-> unzip /tmp/rp/mc/cache/download/rsc.io/quote/@v/v1.5.2.zip: zip: not a valid zip file
main.go:2:16: unzip /tmp/rp/mc/cache/download/rsc.io/quote/@v/v1.5.2.zip: zip: not a valid zip file
go: example.com/proj imports
\trsc.io/!q!u!o!t!e: unzip /elsewhere/cache/download/rsc.io/!q!u!o!t!e/@v/v1.5.3-!p!r!e.zip: zip: checksum error
";
        assert_eq!(
            names(log),
            [
                ("rsc.io/QUOTE@v1.5.3-PRE".into(), false, false),
                ("rsc.io/quote@v1.5.2".into(), false, false),
            ]
        );
    }

    #[test]
    fn download_json_errors_name_their_object() {
        let log = r#"{
	"Path": "rsc.io/quote",
	"Version": "v1.5.2",
	"Error": "zip: not a valid zip file",
	"Info": "/tmp/rp/mc/cache/download/rsc.io/quote/@v/v1.5.2.info"
}
{
	"Path": "rsc.io/sampler",
	"Version": "v1.3.0",
	"Error": "rsc.io/sampler@v1.3.0: reading file:///proxy/rsc.io/sampler/@v/v1.3.0.zip: no such file or directory"
}
{
	"Path": "golang.org/x/text",
	"Version": "v0.3.0",
	"Info": "/tmp/rp/mc/cache/download/golang.org/x/text/@v/v0.3.0.info"
}
"#;
        assert_eq!(names(log), [("rsc.io/quote@v1.5.2".into(), false, false)]);
    }

    #[test]
    fn anonymous_failures_blame_the_versions_go_was_downloading() {
        let log = "go: downloading rsc.io/quote v1.5.2\nmain.go:2:16: zip: not a valid zip file\n";
        let scan = parse(log, Path::new("/m"));
        assert_eq!(scan.named.len(), 1);
        assert!(scan.named[0].by_announcement);
        assert_eq!(scan.named[0].line, 2);
        assert!(scan.unattributed.is_empty());
        // `go mod download` announces nothing: the failure stays unattributed.
        let scan = parse("go: zip: not a valid zip file\n", Path::new("/m"));
        assert!(scan.named.is_empty());
        assert_eq!(
            scan.unattributed,
            [(1, "go: zip: not a valid zip file".to_string())]
        );
    }

    #[test]
    fn other_errors_and_lookalikes_are_ignored() {
        let log = "go: downloading rsc.io/quote v1.5.2
go: rsc.io/quote@v1.5.2: reading https://proxy.golang.org/rsc.io/quote/@v/v1.5.2.zip: 404 Not Found
main.go:2:16: module lookup disabled by GOPROXY=off
go: rsc.io/quote@v1.5.2: verifying go.mod: rsc.io/quote@v1.5.2/go.mod: reading https://sum.golang.org/lookup/rsc.io/quote@v1.5.2: 410 Gone
all modules verified
";
        assert_eq!(names(log), []);
        assert!(parse(log, Path::new("/m")).unattributed.is_empty());
    }

    #[test]
    fn unexpected_ziphash_and_crlf() {
        let log = "verifying rsc.io/quote@v1.5.2: unexpected ziphash: \"h2:AAAA\"\r\n";
        assert_eq!(names(log), [("rsc.io/quote@v1.5.2".into(), false, false)]);
    }
}
