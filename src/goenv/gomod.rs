//! The requirements of a go.mod file: `require` and `replace` directives, single-line
//! or in `( ... )` blocks, with `//` comments, `// indirect` markers and Go's quoted
//! strings. Other directives (module, go, toolchain, godebug, exclude, retract, tool,
//! ignore) are recognised and skipped; anything else is an error naming file:line, as
//! golang.org/x/mod/modfile reports it.

use std::path::{Path, PathBuf};

use crate::error::{Error, IoContext, Result};

/// One `require` line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Requirement {
    pub path: String,
    pub version: String,
    pub indirect: bool,
    pub line: usize,
}

/// One `replace` line: `old [version] => new [version]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Replacement {
    pub old_path: String,
    pub old_version: Option<String>,
    pub new_path: String,
    /// `None` when the replacement is a local directory.
    pub new_version: Option<String>,
    pub line: usize,
}

impl Replacement {
    /// A replacement by a directory is never downloaded.
    pub fn is_local(&self) -> bool {
        self.new_version.is_none()
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GoMod {
    pub file: PathBuf,
    pub module: Option<String>,
    pub requires: Vec<Requirement>,
    pub replaces: Vec<Replacement>,
}

impl GoMod {
    pub fn read(path: &Path) -> Result<GoMod> {
        let data = std::fs::read(path).at(path)?;
        let text = String::from_utf8(data).map_err(|e| Error::Parse {
            path: path.to_path_buf(),
            line: 1,
            message: format!("invalid UTF-8: {e}"),
        })?;
        GoMod::parse(path, &text)
    }

    /// The replacement Go applies to `path@version`: a version-specific one wins over
    /// one for every version.
    pub fn replacement_for(&self, path: &str, version: &str) -> Option<&Replacement> {
        let of_path = || self.replaces.iter().filter(move |r| r.old_path == path);
        of_path()
            .find(|r| r.old_version.as_deref() == Some(version))
            .or_else(|| of_path().find(|r| r.old_version.is_none()))
    }

    pub fn parse(file: &Path, text: &str) -> Result<GoMod> {
        let mut gomod = GoMod {
            file: file.to_path_buf(),
            ..GoMod::default()
        };
        let err = |line: usize, message: String| Error::Parse {
            path: file.to_path_buf(),
            line,
            message,
        };
        let mut block: Option<(String, usize)> = None;
        for (i, raw) in text.split('\n').enumerate() {
            let lineno = i + 1;
            let (tokens, comment) = tokenize(raw).map_err(|m| err(lineno, m))?;
            if tokens.is_empty() {
                continue;
            }
            let indirect = is_indirect(comment);
            if let Some((verb, _)) = &block {
                if tokens[0] == Token::Close {
                    if tokens.len() > 1 {
                        return Err(err(lineno, "unexpected text after ')'".into()));
                    }
                    block = None;
                    continue;
                }
                if tokens
                    .iter()
                    .any(|t| matches!(t, Token::Open | Token::Close))
                {
                    return Err(err(lineno, "syntax error: unexpected parenthesis".into()));
                }
                let verb = verb.clone();
                gomod
                    .directive(&verb, &tokens, indirect, lineno)
                    .map_err(|m| err(lineno, m))?;
                continue;
            }
            let Token::Word(verb) = &tokens[0] else {
                return Err(err(lineno, "syntax error: unexpected parenthesis".into()));
            };
            if !KNOWN_VERBS.contains(&verb.as_str()) {
                return Err(err(lineno, format!("unknown directive: {verb}")));
            }
            match &tokens[1..] {
                [Token::Open] => block = Some((verb.clone(), lineno)),
                [Token::Open, Token::Close] => {}
                rest if rest.iter().any(|t| matches!(t, Token::Open | Token::Close)) => {
                    return Err(err(lineno, "syntax error: unexpected parenthesis".into()));
                }
                _ => {
                    let verb = verb.clone();
                    gomod
                        .directive(&verb, &tokens[1..], indirect, lineno)
                        .map_err(|m| err(lineno, m))?
                }
            }
        }
        if let Some((verb, line)) = block {
            return Err(err(line, format!("{verb} block is never closed with ')'")));
        }
        Ok(gomod)
    }

    fn directive(
        &mut self,
        verb: &str,
        args: &[Token],
        indirect: bool,
        line: usize,
    ) -> std::result::Result<(), String> {
        let words: Vec<&str> = args
            .iter()
            .map(|t| match t {
                Token::Word(w) => w.as_str(),
                _ => "",
            })
            .collect();
        match verb {
            "module" => {
                let [path] = words[..] else {
                    return Err("usage: module module/path".into());
                };
                self.module = Some(path.to_string());
            }
            "require" => {
                let [path, version] = words[..] else {
                    return Err("usage: require module/path v1.2.3".into());
                };
                check_version(version)?;
                self.requires.push(Requirement {
                    path: path.to_string(),
                    version: version.to_string(),
                    indirect,
                    line,
                });
            }
            "replace" => {
                let usage = "usage: replace module/path [v1.2.3] => other/module v1.4\n\t or replace module/path [v1.2.3] => ../local/directory";
                let arrow = if words.get(1) == Some(&"=>") { 1 } else { 2 };
                if words.len() < arrow + 2 || words.len() > arrow + 3 || words[arrow] != "=>" {
                    return Err(usage.into());
                }
                let old_version = (arrow == 2).then(|| words[1].to_string());
                if let Some(v) = &old_version {
                    check_version(v)?;
                }
                let new_path = words[arrow + 1].to_string();
                let new_version = words.get(arrow + 2).map(|v| v.to_string());
                match &new_version {
                    Some(v) => {
                        check_version(v)?;
                        if is_directory_path(&new_path) {
                            return Err(format!(
                                "replacement module directory path {new_path:?} cannot have version"
                            ));
                        }
                    }
                    None if !is_directory_path(&new_path) => {
                        return Err("replacement module without version must be directory path (rooted or starting with . or ..)".into());
                    }
                    None => {}
                }
                self.replaces.push(Replacement {
                    old_path: words[0].to_string(),
                    old_version,
                    new_path,
                    new_version,
                    line,
                });
            }
            _ => {}
        }
        Ok(())
    }
}

const KNOWN_VERBS: [&str; 10] = [
    "module",
    "go",
    "toolchain",
    "godebug",
    "require",
    "exclude",
    "replace",
    "retract",
    "tool",
    "ignore",
];

fn check_version(v: &str) -> std::result::Result<(), String> {
    if crate::cache::semver::parse(v).is_some() {
        Ok(())
    } else {
        Err(format!("version {v:?} invalid: must be of the form v1.2.3"))
    }
}

/// modfile.IsDirectoryPath: rooted, or starting with `./` or `../` (or exactly `.`/`..`).
fn is_directory_path(p: &str) -> bool {
    p == "." || p == ".." || p.starts_with("./") || p.starts_with("../") || p.starts_with('/')
}

fn is_indirect(comment: Option<&str>) -> bool {
    let Some(c) = comment else { return false };
    let c = c.trim();
    c == "indirect" || c.starts_with("indirect;")
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Token {
    Word(String),
    Open,
    Close,
}

/// Split a line into words (quoted strings unquoted), parentheses, and the text of a
/// trailing `//` comment.
fn tokenize(line: &str) -> std::result::Result<(Vec<Token>, Option<&str>), String> {
    let mut tokens = Vec::new();
    let mut rest = line;
    loop {
        rest = rest.trim_start();
        let Some(c) = rest.chars().next() else {
            return Ok((tokens, None));
        };
        if let Some(comment) = rest.strip_prefix("//") {
            return Ok((tokens, Some(comment)));
        }
        match c {
            '(' => {
                tokens.push(Token::Open);
                rest = &rest[1..];
            }
            ')' => {
                tokens.push(Token::Close);
                rest = &rest[1..];
            }
            '`' => {
                let Some(end) = rest[1..].find('`') else {
                    return Err("unterminated raw string".into());
                };
                tokens.push(Token::Word(rest[1..1 + end].to_string()));
                rest = &rest[end + 2..];
            }
            '"' => {
                let (word, len) = unquote(rest)?;
                tokens.push(Token::Word(word));
                rest = &rest[len..];
            }
            _ => {
                let end = rest
                    .find(|c: char| c.is_whitespace() || "()\"`".contains(c))
                    .unwrap_or(rest.len());
                let end = rest[..end].find("//").unwrap_or(end);
                tokens.push(Token::Word(rest[..end].to_string()));
                rest = &rest[end..];
            }
        }
    }
}

/// An interpreted Go string at the start of `s`; returns it and the bytes consumed.
fn unquote(s: &str) -> std::result::Result<(String, usize), String> {
    let mut out = String::new();
    let mut chars = s.char_indices().skip(1);
    while let Some((i, c)) = chars.next() {
        match c {
            '"' => return Ok((out, i + 1)),
            '\\' => match chars.next() {
                Some((_, e @ ('"' | '\\' | '\''))) => out.push(e),
                Some((_, 'n')) => out.push('\n'),
                Some((_, 't')) => out.push('\t'),
                Some((_, other)) => {
                    return Err(format!("invalid quoted string: unknown escape \\{other}"));
                }
                None => break,
            },
            c => out.push(c),
        }
    }
    Err("invalid quoted string: unterminated string".into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_requires_and_replaces() {
        let text = r#"// top comment
module example.com/app

go 1.22
toolchain go1.22.3

require golang.org/x/text v0.14.0 // indirect
require (
	"rsc.io/quote" v1.5.2
	github.com/Azure/go-autorest v14.2.0+incompatible // a comment
	// a comment line
)

require ()

replace rsc.io/quote v1.5.2 => ../quote
replace (
	golang.org/x/text => golang.org/x/text v0.15.0
)
exclude rsc.io/sampler v1.99.99
retract (
	v1.0.0 // oops
)
"#;
        let m = GoMod::parse(Path::new("go.mod"), text).unwrap();
        assert_eq!(m.module.as_deref(), Some("example.com/app"));
        let reqs: Vec<_> = m
            .requires
            .iter()
            .map(|r| (r.path.as_str(), r.version.as_str(), r.indirect, r.line))
            .collect();
        assert_eq!(
            reqs,
            [
                ("golang.org/x/text", "v0.14.0", true, 7),
                ("rsc.io/quote", "v1.5.2", false, 9),
                (
                    "github.com/Azure/go-autorest",
                    "v14.2.0+incompatible",
                    false,
                    10
                ),
            ]
        );
        assert!(
            m.replacement_for("rsc.io/quote", "v1.5.2")
                .unwrap()
                .is_local()
        );
        assert!(m.replacement_for("rsc.io/quote", "v1.5.1").is_none());
        let r = m.replacement_for("golang.org/x/text", "v0.14.0").unwrap();
        assert_eq!(
            (r.new_path.as_str(), r.new_version.as_deref()),
            ("golang.org/x/text", Some("v0.15.0"))
        );
    }

    #[test]
    fn garbage_is_one_error_with_file_and_line() {
        let cases = [
            (
                "module m\nrequire x\n",
                "go.mod:2: usage: require module/path v1.2.3",
            ),
            (
                "module m\nrequire (\n  a.com/b v1.0.0\n",
                "go.mod:2: require block is never closed with ')'",
            ),
            ("module m\n\nfoo bar\n", "go.mod:3: unknown directive: foo"),
            (
                "require a.com/b latest\n",
                "go.mod:1: version \"latest\" invalid: must be of the form v1.2.3",
            ),
            (
                "require \"a.com/b v1.0.0\n",
                "go.mod:1: invalid quoted string: unterminated string",
            ),
            (
                "replace a.com/b => c.com/d\n",
                "go.mod:1: replacement module without version must be directory path (rooted or starting with . or ..)",
            ),
            (")\n", "go.mod:1: syntax error: unexpected parenthesis"),
            (
                "\u{0}\u{1}garbage\n",
                "go.mod:1: unknown directive: \u{0}\u{1}garbage",
            ),
        ];
        for (text, want) in cases {
            let e = GoMod::parse(Path::new("go.mod"), text).unwrap_err();
            assert_eq!(e.to_string(), want, "{text:?}");
        }
    }
}
