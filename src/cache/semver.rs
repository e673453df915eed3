//! Semantic versions as Go's golang.org/x/mod/semver understands them: `v` prefix,
//! optional minor and patch (`v1`, `v1.2` are valid but not canonical), pre-release and
//! build suffixes. The cache only ever stores canonical versions, so a directory whose
//! version is not canonical was not written by Go.

use std::cmp::Ordering;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Semver<'a> {
    major: &'a str,
    minor: &'a str,
    patch: &'a str,
    short: bool,
    prerelease: &'a str,
    build: &'a str,
}

/// Parse like semver.parse in x/mod. Returns `None` for invalid versions.
pub fn parse(v: &str) -> Option<Semver<'_>> {
    let rest = v.strip_prefix('v')?;
    let (major, rest) = parse_int(rest)?;
    let mut sv = Semver {
        major,
        minor: "0",
        patch: "0",
        short: true,
        prerelease: "",
        build: "",
    };
    if rest.is_empty() {
        return Some(sv);
    }
    let rest = rest.strip_prefix('.')?;
    let (minor, rest) = parse_int(rest)?;
    sv.minor = minor;
    if rest.is_empty() {
        return Some(sv);
    }
    let rest = rest.strip_prefix('.')?;
    let (patch, mut rest) = parse_int(rest)?;
    sv.patch = patch;
    sv.short = false;
    if rest.starts_with('-') {
        let end = rest.find('+').unwrap_or(rest.len());
        sv.prerelease = &rest[..end];
        if !valid_idents(&sv.prerelease[1..], true) {
            return None;
        }
        rest = &rest[end..];
    }
    if rest.starts_with('+') {
        sv.build = rest;
        if !valid_idents(&rest[1..], false) {
            return None;
        }
        rest = "";
    }
    rest.is_empty().then_some(sv)
}

fn parse_int(s: &str) -> Option<(&str, &str)> {
    let end = s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len());
    let n = &s[..end];
    if n.is_empty() || (n.len() > 1 && n.starts_with('0')) {
        return None;
    }
    Some((n, &s[end..]))
}

fn valid_idents(s: &str, prerelease: bool) -> bool {
    !s.is_empty()
        && s.split('.').all(|id| {
            !id.is_empty()
                && id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
                && !(prerelease
                    && id.len() > 1
                    && id.starts_with('0')
                    && id.chars().all(|c| c.is_ascii_digit()))
        })
}

/// True if `v` is what `module.CanonicalVersion(v)` returns for itself: a full
/// `vX.Y.Z[-pre]` version, with a build suffix only as `+incompatible`.
pub fn is_canonical(v: &str) -> bool {
    match parse(v) {
        Some(sv) => !sv.short && (sv.build.is_empty() || sv.build == "+incompatible"),
        None => false,
    }
}

/// Compare two versions by semver precedence; invalid versions sort before valid ones
/// (as semver.Compare does).
pub fn compare(a: &str, b: &str) -> Ordering {
    match (parse(a), parse(b)) {
        (None, None) => Ordering::Equal,
        (None, Some(_)) => Ordering::Less,
        (Some(_), None) => Ordering::Greater,
        (Some(x), Some(y)) => cmp_int(x.major, y.major)
            .then_with(|| cmp_int(x.minor, y.minor))
            .then_with(|| cmp_int(x.patch, y.patch))
            .then_with(|| cmp_prerelease(x.prerelease, y.prerelease)),
    }
}

fn cmp_int(a: &str, b: &str) -> Ordering {
    a.len().cmp(&b.len()).then_with(|| a.cmp(b))
}

fn cmp_prerelease(a: &str, b: &str) -> Ordering {
    match (a.is_empty(), b.is_empty()) {
        (true, true) => return Ordering::Equal,
        (true, false) => return Ordering::Greater,
        (false, true) => return Ordering::Less,
        _ => {}
    }
    let mut xs = a[1..].split('.');
    let mut ys = b[1..].split('.');
    loop {
        match (xs.next(), ys.next()) {
            (None, None) => return Ordering::Equal,
            (None, Some(_)) => return Ordering::Less,
            (Some(_), None) => return Ordering::Greater,
            (Some(x), Some(y)) => {
                let xn = x.chars().all(|c| c.is_ascii_digit());
                let yn = y.chars().all(|c| c.is_ascii_digit());
                let o = match (xn, yn) {
                    (true, true) => cmp_int(x, y),
                    (true, false) => Ordering::Less,
                    (false, true) => Ordering::Greater,
                    (false, false) => x.cmp(y),
                };
                if o != Ordering::Equal {
                    return o;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn canonical_versions_are_what_go_stores() {
        for v in [
            "v1.5.2",
            "v0.0.0-20180628173108-788fd7840127",
            "v2.0.0+incompatible",
            "v1.0.0-rc.1",
        ] {
            assert!(is_canonical(v), "{v}");
        }
        for v in [
            "v1",
            "v1.2",
            "1.2.3",
            "v1.2.3+meta",
            "v01.2.3",
            "v1.2.3-01",
            "v1.2.3-",
            "latest",
        ] {
            assert!(!is_canonical(v), "{v}");
        }
    }

    #[test]
    fn compares_by_precedence() {
        let mut vs = vec![
            "v1.10.0",
            "v1.2.0",
            "v1.2.0-rc.1",
            "v1.2.0-beta",
            "v0.0.0-20190101000000-abcdefabcdef",
            "v1.2.0-rc.10",
            "v1.2.0-rc.2",
        ];
        vs.sort_by(|a, b| compare(a, b));
        assert_eq!(
            vs,
            [
                "v0.0.0-20190101000000-abcdefabcdef",
                "v1.2.0-beta",
                "v1.2.0-rc.1",
                "v1.2.0-rc.2",
                "v1.2.0-rc.10",
                "v1.2.0",
                "v1.10.0"
            ]
        );
    }
}
