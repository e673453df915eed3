//! The part of Go's `net/url` that GOPROXY, GOSUMDB and proxy variables go through:
//! `url.Parse` (scheme, userinfo, host, port, path, query; the fragment is dropped),
//! `Redacted`, and `PathEscape`. Error texts are Go's, so a lint can quote what `go`
//! will say.

/// A parsed absolute or relative URL.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Url {
    /// Lower-cased, empty for a relative reference.
    pub scheme: String,
    /// `user` and optional `password`, percent-decoded.
    pub user: Option<(String, Option<String>)>,
    /// `host[:port]` as written (IPv6 in brackets).
    pub host: String,
    /// Whether the URL had an authority (`//`), even an empty one.
    pub has_authority: bool,
    /// The path as written (still percent-encoded).
    pub path: String,
    /// Set for `scheme:opaque` URLs such as `mailto:x`.
    pub opaque: String,
    pub query: Option<String>,
}

impl Url {
    /// `url.Parse`.
    pub fn parse(raw: &str) -> Result<Url, String> {
        let wrap = |msg: String| format!("parse {raw:?}: {msg}");
        let fail = |msg: String| Err(wrap(msg));
        if raw.bytes().any(|b| b < 0x20 || b == 0x7f) {
            return fail("net/url: invalid control character in URL".into());
        }
        let raw_no_frag = raw.split_once('#').map_or(raw, |(a, _)| a);
        let mut url = Url::default();
        let mut rest = raw_no_frag;
        for (i, c) in raw_no_frag.char_indices() {
            match c {
                'a'..='z' | 'A'..='Z' => {}
                '0'..='9' | '+' | '-' | '.' if i > 0 => {}
                ':' => {
                    if i == 0 {
                        return fail("missing protocol scheme".into());
                    }
                    url.scheme = raw_no_frag[..i].to_ascii_lowercase();
                    rest = &raw_no_frag[i + 1..];
                    break;
                }
                _ => break,
            }
        }
        if let Some((before, query)) = rest.split_once('?') {
            url.query = Some(query.to_string());
            rest = before;
        }
        if !rest.starts_with('/') {
            if !url.scheme.is_empty() {
                url.opaque = rest.to_string();
                return Ok(url);
            }
            let segment = rest.split_once('/').map_or(rest, |(a, _)| a);
            if segment.contains(':') {
                return fail("first path segment in URL cannot contain colon".into());
            }
        }
        if let Some(after) = rest.strip_prefix("//")
            && (!url.scheme.is_empty() || !rest.starts_with("///"))
        {
            let (authority, path) = match after.find('/') {
                Some(i) => (&after[..i], &after[i..]),
                None => (after, ""),
            };
            url.has_authority = true;
            let host = match authority.rfind('@') {
                Some(i) => {
                    let info = &authority[..i];
                    url.user = Some(match info.split_once(':') {
                        Some((u, p)) => (percent_decode(u), Some(percent_decode(p))),
                        None => (percent_decode(info), None),
                    });
                    &authority[i + 1..]
                }
                None => authority,
            };
            check_host(host).map_err(wrap)?;
            url.host = host.to_string();
            rest = path;
        }
        url.path = rest.to_string();
        Ok(url)
    }

    /// The host without port or IPv6 brackets.
    pub fn hostname(&self) -> &str {
        let (host, _) = split_host_port(&self.host);
        host
    }

    /// The explicit port, if any.
    pub fn port(&self) -> Option<&str> {
        split_host_port(&self.host).1
    }

    /// The port, or the scheme's default one.
    pub fn port_or_default(&self) -> u16 {
        self.port()
            .and_then(|p| p.parse().ok())
            .unwrap_or(match self.scheme.as_str() {
                "https" => 443,
                "socks5" | "socks5h" => 1080,
                _ => 80,
            })
    }

    /// The URL as text, with a password replaced by `xxxxx` (`url.URL.Redacted`).
    pub fn redacted(&self) -> String {
        self.render(true)
    }

    fn render(&self, redact: bool) -> String {
        let mut s = String::new();
        if !self.scheme.is_empty() {
            s.push_str(&self.scheme);
            s.push(':');
        }
        if !self.opaque.is_empty() {
            s.push_str(&self.opaque);
        } else {
            if self.has_authority || !self.host.is_empty() || self.user.is_some() {
                s.push_str("//");
                if let Some((user, password)) = &self.user {
                    s.push_str(user);
                    if password.is_some() {
                        s.push(':');
                        s.push_str(if redact {
                            "xxxxx"
                        } else {
                            password.as_deref().unwrap_or("")
                        });
                    }
                    s.push('@');
                }
                s.push_str(&self.host);
            }
            s.push_str(&self.path);
        }
        if let Some(q) = &self.query {
            s.push('?');
            s.push_str(q);
        }
        s
    }
}

impl std::fmt::Display for Url {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.render(false))
    }
}

/// The text of `raw` with any URL password redacted; text that does not parse is
/// returned as is.
pub fn redact(raw: &str) -> String {
    match Url::parse(raw) {
        Ok(u) if u.user.as_ref().is_some_and(|(_, p)| p.is_some()) => u.redacted(),
        _ => raw.to_string(),
    }
}

fn split_host_port(host: &str) -> (&str, Option<&str>) {
    if let Some(rest) = host.strip_prefix('[')
        && let Some((ip, after)) = rest.split_once(']')
    {
        return (ip, after.strip_prefix(':').filter(|p| !p.is_empty()));
    }
    match host.rsplit_once(':') {
        Some((h, p)) => (h, (!p.is_empty()).then_some(p)),
        None => (host, None),
    }
}

fn check_host(host: &str) -> Result<(), String> {
    let port = if let Some(rest) = host.strip_prefix('[') {
        let Some((_, after)) = rest.split_once(']') else {
            return Err("missing ']' in host".into());
        };
        after
    } else {
        if let Some(c) = host.chars().find(|c| {
            !(c.is_ascii_alphanumeric() || "-._~!$&'()*+,;=:%".contains(*c) || !c.is_ascii())
        }) {
            return Err(format!(
                "invalid character {:?} in host name",
                c.to_string()
            ));
        }
        host.rfind(':').map_or("", |i| &host[i..])
    };
    let valid_port =
        port.is_empty() || (port.starts_with(':') && port[1..].bytes().all(|b| b.is_ascii_digit()));
    if !valid_port {
        return Err(format!("invalid port {port:?} after host"));
    }
    Ok(())
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && i + 2 < bytes.len()
            && bytes[i + 1].is_ascii_hexdigit()
            && bytes[i + 2].is_ascii_hexdigit()
        {
            let hex = |b: u8| (b as char).to_digit(16).unwrap_or(0) as u8;
            out.push(hex(bytes[i + 1]) * 16 + hex(bytes[i + 2]));
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Go's `url.PathEscape` of one segment, keeping `/` as modfetch's `pathEscape` does.
pub fn path_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~$&+:=@/".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_like_go() {
        let u = Url::parse("https://user:pw@proxy.example.com:8443/base/?x=1#frag").unwrap();
        assert_eq!(u.scheme, "https");
        assert_eq!(u.user, Some(("user".into(), Some("pw".into()))));
        assert_eq!(
            (u.hostname(), u.port()),
            ("proxy.example.com", Some("8443"))
        );
        assert_eq!(u.path, "/base/");
        assert_eq!(
            u.redacted(),
            "https://user:xxxxx@proxy.example.com:8443/base/?x=1"
        );
        assert_eq!(
            u.to_string(),
            "https://user:pw@proxy.example.com:8443/base/?x=1"
        );

        let u = Url::parse("file:///srv/goproxy").unwrap();
        assert_eq!(
            (u.scheme.as_str(), u.host.as_str(), u.path.as_str()),
            ("file", "", "/srv/goproxy")
        );
        let u = Url::parse("file:/dir").unwrap();
        assert_eq!(
            (u.scheme.as_str(), u.path.as_str(), u.has_authority),
            ("file", "/dir", false)
        );
        let u = Url::parse("corpproxy").unwrap();
        assert_eq!((u.scheme.as_str(), u.path.as_str()), ("", "corpproxy"));
        let u = Url::parse("http://[::1]:8080/a").unwrap();
        assert_eq!((u.hostname(), u.port_or_default()), ("::1", 8080));

        let err = |s: &str| Url::parse(s).unwrap_err();
        assert!(err("http://u:p@h:80x/").ends_with("invalid port \":80x\" after host"));
        assert!(err("1http://x").ends_with("first path segment in URL cannot contain colon"));
        assert!(err("http://a b/").ends_with("invalid character \" \" in host name"));
        assert!(err(":x").ends_with("missing protocol scheme"));
    }

    #[test]
    fn path_escape_matches_go() {
        // Go: url.PathEscape("github.com/!azure/x@v/list~_.-+:=$&") with %2F kept as /.
        assert_eq!(
            path_escape("github.com/!azure/x@v/list~_.-+:=$&"),
            "github.com/%21azure/x@v/list~_.-+:=$&"
        );
    }
}
