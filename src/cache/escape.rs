//! Go's case-encoding of module paths and versions on disk (golang.org/x/mod/module
//! `EscapePath`, `UnescapePath`, `EscapeVersion`, `UnescapeVersion`).
//!
//! Module paths may contain upper-case letters but file systems may be case-insensitive,
//! so Go writes every upper-case letter as `!` followed by its lower-case form:
//! `github.com/Azure/go` is stored as `github.com/!azure/go`.

/// Escape a module path or version the way Go names it on disk.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 4);
    for c in s.chars() {
        if c.is_ascii_uppercase() {
            out.push('!');
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

/// Undo [`escape`]. Returns `None` for names Go could never have written: an upper-case
/// letter, a `!` not followed by a lower-case letter, or a character Go's escaping
/// rejects.
pub fn unescape(s: &str) -> Option<String> {
    let mut out = String::with_capacity(s.len());
    let mut bang = false;
    for c in s.chars() {
        if bang {
            if !c.is_ascii_lowercase() {
                return None;
            }
            out.push(c.to_ascii_uppercase());
            bang = false;
            continue;
        }
        match c {
            '!' => bang = true,
            c if c.is_ascii_uppercase() => return None,
            c => out.push(c),
        }
    }
    (!bang).then_some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_upper_case_like_go() {
        assert_eq!(
            escape("github.com/Azure/azure-sdk-for-go"),
            "github.com/!azure/azure-sdk-for-go"
        );
        assert_eq!(
            escape("github.com/BurntSushi/toml"),
            "github.com/!burnt!sushi/toml"
        );
        assert_eq!(escape("v1.0.0-RC1"), "v1.0.0-!r!c1");
        assert_eq!(escape("rsc.io/quote"), "rsc.io/quote");
    }

    #[test]
    fn unescape_round_trips_and_rejects_what_go_never_writes() {
        for s in [
            "github.com/Azure/x",
            "example.com/ABC",
            "v1.2.3-Pre",
            "a.b/c",
        ] {
            assert_eq!(unescape(&escape(s)).as_deref(), Some(s));
        }
        assert_eq!(unescape("github.com/Azure/x"), None);
        assert_eq!(unescape("bad!"), None);
        assert_eq!(unescape("bad!1"), None);
        assert_eq!(unescape("bad!!a"), None);
    }
}
