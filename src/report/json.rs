//! The JSON contract. These types exist only to be serialized; their field names and the
//! kebab-case kinds are documented in the README and must not change casually.

use serde::Serialize;

use modcache::check::Problem;

#[derive(Debug, Serialize)]
pub struct FsckDoc<'a> {
    pub modcache: String,
    pub versions_checked: u64,
    pub bytes_hashed: u64,
    pub problems: Vec<ProblemDoc<'a>>,
}

#[derive(Debug, Serialize)]
pub struct ProblemDoc<'a> {
    /// Unescaped module path, or null for a problem that belongs to no version.
    pub module: Option<&'a str>,
    pub version: Option<&'a str>,
    pub kind: &'static str,
    pub path: String,
    pub detail: &'a str,
}

impl<'a> From<&'a Problem> for ProblemDoc<'a> {
    fn from(p: &'a Problem) -> Self {
        ProblemDoc {
            module: p.module.as_ref().map(|m| m.path.as_str()),
            version: p.module.as_ref().map(|m| m.version.as_str()),
            kind: p.kind.as_str(),
            path: p.path.to_string_lossy().into_owned(),
            detail: &p.detail,
        }
    }
}

/// Write `doc` as pretty JSON plus a newline.
pub fn write<T: Serialize>(out: &mut impl std::io::Write, doc: &T) -> std::io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, doc)?;
    writeln!(out)
}
