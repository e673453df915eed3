//! `modcache env --probe` against servers on 127.0.0.1 started by each test (std
//! TcpListener on port 0): 404/410, fallback on `,` and `|`, a server that never
//! answers (timeout, not a hang), a closed port, redirects, TLS with a certificate made
//! here, credentials that must not follow a redirect to another host, and an HTTP proxy.
//! No test reaches any other address: the checksum database is kept out with GONOSUMDB
//! or served locally, and no GOPROXY list contains `direct`.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Command, Output};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::Value;

/// What a test server answers to one request.
enum Reply {
    Status(u16, &'static str, String),
    Redirect(String),
    /// Read the request, then say nothing for this long.
    Silence(Duration),
}

type Handler = Box<dyn Fn(&str) -> Reply + Send + Sync>;

/// A server on 127.0.0.1 answering at most `max` connections, recording request heads.
struct Server {
    port: u16,
    requests: Arc<Mutex<Vec<String>>>,
}

impl Server {
    fn start(max: usize, tls: Option<Arc<rustls::ServerConfig>>, handler: Handler) -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let requests = Arc::new(Mutex::new(Vec::new()));
        let seen = requests.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming().take(max) {
                let Ok(tcp) = stream else { continue };
                tcp.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
                match &tls {
                    Some(config) => {
                        let conn = rustls::ServerConnection::new(config.clone()).unwrap();
                        let mut s = rustls::StreamOwned::new(conn, tcp);
                        serve_one(&mut s, &handler, &seen);
                    }
                    None => {
                        let mut s = tcp;
                        serve_one(&mut s, &handler, &seen);
                    }
                }
            }
        });
        Server { port, requests }
    }

    fn url(&self, scheme: &str) -> String {
        format!("{scheme}://127.0.0.1:{}", self.port)
    }

    fn requests(&self) -> Vec<String> {
        self.requests.lock().unwrap().clone()
    }
}

fn serve_one(s: &mut (impl Read + Write), handler: &Handler, seen: &Mutex<Vec<String>>) {
    let mut reader = BufReader::new(&mut *s);
    let mut head = String::new();
    loop {
        let mut line = String::new();
        match reader.read_line(&mut line) {
            Ok(0) | Err(_) => return,
            Ok(_) => {}
        }
        if line == "\r\n" {
            break;
        }
        head.push_str(&line);
    }
    seen.lock().unwrap().push(head.clone());
    let target = head.split_whitespace().nth(1).unwrap_or("").to_string();
    let response = match handler(&target) {
        Reply::Status(code, reason, body) => format!(
            "HTTP/1.1 {code} {reason}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        ),
        Reply::Redirect(location) => format!(
            "HTTP/1.1 302 Found\r\nLocation: {location}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
        ),
        Reply::Silence(d) => {
            std::thread::sleep(d);
            return;
        }
    };
    let _ = s.write_all(response.as_bytes());
    let _ = s.flush();
}

/// A self-signed certificate for 127.0.0.1, its PEM file, and a server config.
struct Tls {
    _dir: tempfile::TempDir,
    pem: PathBuf,
    config: Arc<rustls::ServerConfig>,
}

fn tls() -> Tls {
    let key = rcgen::generate_simple_self_signed(vec!["127.0.0.1".to_string()]).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let pem = dir.path().join("ca.pem");
    std::fs::write(&pem, key.cert.pem()).unwrap();
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(
            vec![key.cert.der().clone()],
            rustls::pki_types::PrivateKeyDer::Pkcs8(key.signing_key.serialize_der().into()),
        )
        .unwrap();
    Tls {
        _dir: dir,
        pem,
        config: Arc::new(config),
    }
}

fn modcache(vars: &[(&str, &str)], args: &[&str]) -> (Output, Value, Duration) {
    let home = tempfile::tempdir().unwrap();
    let started = Instant::now();
    let out = Command::new(env!("CARGO_BIN_EXE_modcache"))
        .args(["env", "--json", "--probe"])
        .args(args)
        .env_clear()
        .env("HOME", home.path())
        .env("PATH", "/nonexistent")
        .env("GOENV", "off")
        .envs(vars.iter().copied())
        .output()
        .unwrap();
    let elapsed = started.elapsed();
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "{e}: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    });
    (out, doc, elapsed)
}

fn probe(doc: &Value) -> &Value {
    &doc["modules"][0]["probe"]
}

fn hop(doc: &Value, step: usize, fetch: usize, hop: usize) -> &Value {
    &probe(doc)["steps"][step]["fetches"][fetch]["hops"][hop]
}

fn not_found(code: u16, reason: &'static str) -> Handler {
    Box::new(move |target: &str| {
        Reply::Status(code, reason, format!("not found: {target}\nsecond line\n"))
    })
}

/// A proxy that has example.com/m v1.0.0.
fn has_module() -> Handler {
    Box::new(|target: &str| match target {
        "/example.com/m/@v/list" => Reply::Status(200, "OK", "v0.9.0\nv1.0.0\n".into()),
        "/example.com/m/@v/v1.0.0.info" => Reply::Status(
            200,
            "OK",
            "{\"Version\":\"v1.0.0\",\"Time\":\"2024-01-01T00:00:00Z\"}\n".into(),
        ),
        _ => Reply::Status(404, "Not Found", "no such file\n".into()),
    })
}

#[test]
fn not_found_404_and_410_everywhere() {
    let a = Server::start(2, None, not_found(404, "Not Found"));
    let b = Server::start(2, None, not_found(410, "Gone"));
    let goproxy = format!("{},{}", a.url("http"), b.url("http"));
    let (out, doc, _) = modcache(
        &[("GOPROXY", &goproxy), ("GONOSUMDB", "example.com")],
        &["--explain", "example.com/m@v1.0.0"],
    );
    assert_eq!(out.status.code(), Some(1), "{doc:#}");
    let p = probe(&doc);
    assert_eq!(p["ok"], false);
    assert_eq!(p["verdict"], "not found at any source");
    assert_eq!(p["steps"][0]["outcome"], "not-found");
    assert_eq!(p["steps"][1]["outcome"], "not-found");
    let list = hop(&doc, 0, 0, 0);
    assert_eq!(
        list["url"],
        format!("{}/example.com/m/@v/list", a.url("http"))
    );
    assert_eq!(
        (list["status"].as_u64(), list["reason"].as_str()),
        (Some(404), Some("Not Found"))
    );
    assert_eq!(list["first-line"], "not found: /example.com/m/@v/list");
    assert!(list["timings"]["connect-ms"].as_f64().is_some());
    assert!(list["timings"]["first-byte-ms"].as_f64().is_some());
    assert!(list["timings"]["tls-ms"].is_null());
    let info = hop(&doc, 1, 1, 0);
    assert_eq!(
        (info["status"].as_u64(), info["reason"].as_str()),
        (Some(410), Some("Gone"))
    );
    assert_eq!(a.requests().len(), 2);
    assert_eq!(doc["sumdb-probe"], Value::Null);
}

#[test]
fn found_after_a_404_with_comma() {
    let a = Server::start(2, None, not_found(404, "Not Found"));
    let b = Server::start(2, None, has_module());
    let goproxy = format!("{},{}", a.url("http"), b.url("http"));
    let (out, doc, _) = modcache(
        &[("GOPROXY", &goproxy), ("GONOSUMDB", "example.com")],
        &["--explain", "example.com/m@v1.0.0"],
    );
    assert_eq!(out.status.code(), Some(0), "{doc:#}");
    let p = probe(&doc);
    assert_eq!(p["ok"], true);
    assert_eq!(p["verdict"], format!("found at {}", b.url("http")));
    assert_eq!(hop(&doc, 1, 0, 0)["first-line"], "v0.9.0");
    assert_eq!(hop(&doc, 1, 1, 0)["status"], 200);
}

#[test]
fn server_error_stops_at_comma_but_not_at_pipe() {
    for (sep, ok) in [(",", false), ("|", true)] {
        let a = Server::start(
            2,
            None,
            Box::new(|_: &str| Reply::Status(500, "Internal Server Error", "boom\n".into())),
        );
        let b = Server::start(2, None, has_module());
        let goproxy = format!("{}{sep}{}", a.url("http"), b.url("http"));
        let (out, doc, _) = modcache(
            &[("GOPROXY", &goproxy), ("GONOSUMDB", "example.com")],
            &["--explain", "example.com/m"],
        );
        let p = probe(&doc);
        assert_eq!(p["ok"], ok, "{sep}: {doc:#}");
        assert_eq!(p["steps"][0]["outcome"], "failed");
        assert_eq!(hop(&doc, 0, 0, 0)["first-line"], "boom");
        if ok {
            assert_eq!(out.status.code(), Some(0));
            assert_eq!(p["steps"][1]["outcome"], "found");
        } else {
            assert_eq!(out.status.code(), Some(1));
            assert_eq!(p["steps"][1]["outcome"], Value::Null);
            assert!(b.requests().is_empty());
        }
    }
}

#[test]
fn silent_server_is_a_timeout_not_a_hang() {
    let a = Server::start(
        1,
        None,
        Box::new(|_: &str| Reply::Silence(Duration::from_secs(4))),
    );
    let (out, doc, elapsed) = modcache(
        &[("GOPROXY", &a.url("http")), ("GONOSUMDB", "example.com")],
        &["--explain", "example.com/m", "--timeout", "0.4"],
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(elapsed < Duration::from_secs(3), "took {elapsed:?}");
    let h = hop(&doc, 0, 0, 0);
    assert_eq!(h["error"]["phase"], "response");
    assert_eq!(h["error"]["timed-out"], true);
    assert!(
        h["error"]["message"]
            .as_str()
            .unwrap()
            .starts_with("timed out after 0."),
        "{h:#}"
    );
    assert!(h["status"].is_null());
    assert!(h["timings"]["connect-ms"].as_f64().is_some());
    assert_eq!(probe(&doc)["steps"][0]["outcome"], "failed");
}

#[test]
fn closed_port_is_connection_refused() {
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let goproxy = format!("http://127.0.0.1:{port}");
    let (out, doc, _) = modcache(
        &[("GOPROXY", &goproxy), ("GONOSUMDB", "example.com")],
        &["--explain", "example.com/m"],
    );
    assert_eq!(out.status.code(), Some(1));
    let h = hop(&doc, 0, 0, 0);
    assert_eq!(h["error"]["phase"], "connect");
    assert_eq!(h["error"]["timed-out"], false);
    let message = h["error"]["message"].as_str().unwrap();
    assert!(
        message.contains(&format!("dial tcp 127.0.0.1:{port}"))
            && message.to_lowercase().contains("refused"),
        "{message}"
    );
}

#[test]
fn redirect_is_followed_and_each_hop_reported() {
    let b = Server::start(2, None, has_module());
    let target = b.url("http");
    let a = Server::start(
        2,
        None,
        Box::new(move |path: &str| Reply::Redirect(format!("{target}{path}"))),
    );
    let (out, doc, _) = modcache(
        &[("GOPROXY", &a.url("http")), ("GONOSUMDB", "example.com")],
        &["--explain", "example.com/m@v1.0.0"],
    );
    assert_eq!(out.status.code(), Some(0), "{doc:#}");
    let first = hop(&doc, 0, 0, 0);
    let second = hop(&doc, 0, 0, 1);
    assert_eq!(first["status"], 302);
    assert_eq!(
        second["url"],
        format!("{}/example.com/m/@v/list", b.url("http"))
    );
    assert_eq!(second["status"], 200);
    assert_eq!(probe(&doc)["steps"][0]["fetches"][0]["outcome"], "found");
}

#[test]
fn tls_credentials_stay_with_their_host_across_redirects() {
    let tls = tls();
    let b = Server::start(2, Some(tls.config.clone()), has_module());
    let target = b.url("https");
    let a = Server::start(
        2,
        Some(tls.config.clone()),
        Box::new(move |path: &str| Reply::Redirect(format!("{target}{path}"))),
    );
    let goproxy = format!("https://alice:s3cret@127.0.0.1:{}", a.port);
    let pem = tls.pem.to_string_lossy().into_owned();
    let (out, doc, _) = modcache(
        &[
            ("GOPROXY", &goproxy),
            ("GONOSUMDB", "example.com"),
            ("SSL_CERT_FILE", &pem),
        ],
        &["--explain", "example.com/m@v1.0.0"],
    );
    assert_eq!(out.status.code(), Some(0), "{doc:#}");
    // Settings are exact, as in `go env -json`; everything the probe reports is redacted.
    let probed = format!("{}{}", doc["modules"], doc["goproxy"]);
    assert!(!probed.contains("s3cret"), "password printed: {probed}");
    assert_eq!(
        doc["goproxy"]["entries"][0]["source"],
        format!("https://alice:xxxxx@127.0.0.1:{}", a.port)
    );
    let first = hop(&doc, 0, 0, 0);
    assert!(first["timings"]["tls-ms"].as_f64().is_some());
    assert_eq!(first["credentials"], "url-userinfo");
    assert_eq!(
        first["url"],
        format!("https://127.0.0.1:{}/example.com/m/@v/list", a.port)
    );
    let second = hop(&doc, 0, 0, 1);
    assert_eq!(second["credentials"], Value::Null);
    assert_eq!(second["credentials-withheld"], true);
    assert_eq!(second["status"], 200);

    let auth = "authorization: basic ywxpy2u6cznjcmv0"; // base64("alice:s3cret"), lower-cased
    assert!(
        a.requests().iter().all(|r| r.to_lowercase().contains(auth)),
        "{:?}",
        a.requests()
    );
    assert!(!b.requests().is_empty());
    assert!(
        b.requests()
            .iter()
            .all(|r| !r.to_lowercase().contains("authorization")),
        "{:?}",
        b.requests()
    );
}

#[test]
fn untrusted_certificate_fails_in_tls_phase() {
    let tls = tls();
    let a = Server::start(1, Some(tls.config.clone()), has_module());
    let other = self::tls();
    let pem = other.pem.to_string_lossy().into_owned();
    let (out, doc, _) = modcache(
        &[
            ("GOPROXY", &a.url("https")),
            ("GONOSUMDB", "example.com"),
            ("SSL_CERT_FILE", &pem),
        ],
        &["--explain", "example.com/m"],
    );
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(hop(&doc, 0, 0, 0)["error"]["phase"], "tls", "{doc:#}");
}

#[test]
fn netrc_is_sent_over_https_only_to_its_machine() {
    let tls = tls();
    let a = Server::start(2, Some(tls.config.clone()), has_module());
    let dir = tempfile::tempdir().unwrap();
    let netrc = dir.path().join("netrc");
    std::fs::write(
        &netrc,
        format!("machine 127.0.0.1:{} login bob password pw\n", a.port),
    )
    .unwrap();
    let pem = tls.pem.to_string_lossy().into_owned();
    let (out, doc, _) = modcache(
        &[
            ("GOPROXY", &a.url("https")),
            ("GONOSUMDB", "example.com"),
            ("SSL_CERT_FILE", &pem),
            ("NETRC", netrc.to_str().unwrap()),
        ],
        &["--explain", "example.com/m"],
    );
    assert_eq!(out.status.code(), Some(0), "{doc:#}");
    assert_eq!(hop(&doc, 0, 0, 0)["credentials"], "netrc");
    assert!(
        a.requests()[0]
            .to_lowercase()
            .contains("authorization: basic ym9ionb3")
    );
}

#[test]
fn http_proxy_is_used_for_non_loopback_hosts() {
    let proxy = Server::start(
        2,
        None,
        Box::new(|target: &str| {
            if target == "http://modules.invalid/example.com/m/@v/list" {
                Reply::Status(200, "OK", "v1.0.0\n".into())
            } else {
                Reply::Status(502, "Bad Gateway", format!("unexpected {target}\n"))
            }
        }),
    );
    let (out, doc, _) = modcache(
        &[
            ("GOPROXY", "http://modules.invalid"),
            ("GONOSUMDB", "example.com"),
            ("HTTP_PROXY", &proxy.url("http")),
        ],
        &["--explain", "example.com/m"],
    );
    assert_eq!(out.status.code(), Some(0), "{doc:#}");
    let h = hop(&doc, 0, 0, 0);
    assert_eq!(h["proxy"], proxy.url("http"));
    assert_eq!(h["first-line"], "v1.0.0");
    assert!(
        proxy.requests()[0]
            .starts_with("GET http://modules.invalid/example.com/m/@v/list HTTP/1.1\r\n")
    );
}

#[test]
fn checksum_database_is_probed_through_the_proxy() {
    let a = Server::start(
        4,
        None,
        Box::new(|target: &str| match target {
            "/sumdb/sum.golang.org/supported" => Reply::Status(200, "OK", String::new()),
            "/sumdb/sum.golang.org/latest" => {
                Reply::Status(200, "OK", "go.sum database tree\n".into())
            }
            _ => Reply::Status(404, "Not Found", "nope\n".into()),
        }),
    );
    let (_, doc, _) = modcache(
        &[("GOPROXY", &a.url("http"))],
        &["--explain", "example.com/m"],
    );
    let s = &doc["sumdb-probe"];
    assert_eq!(s["name"], "sum.golang.org");
    assert_eq!(s["ok"], true, "{s:#}");
    assert_eq!(s["steps"][0]["outcome"], "found");
    assert_eq!(
        s["steps"][1]["fetches"][0]["hops"][0]["first-line"],
        "go.sum database tree"
    );
}
