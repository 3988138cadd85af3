//! A scripted HTTP/1.1 server on 127.0.0.1 for the behaviours a real registry will not show on
//! demand: digest lies, rate limits, flaky gateways, connections cut mid-blob, stalls, and the
//! token flow with a token server we control, and what registries with the OCI referrers API
//! do (the Debian registry has none). Each connection is served on its own thread;
//! every request is logged so tests can assert what the client sent.

// Shared by several test binaries (tests/client.rs, tests/push.rs), each using only part of it.
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::Duration;

/// One request as the server saw it.
#[derive(Debug, Clone)]
pub(crate) struct Request {
    pub method: String,
    pub path: String,
    /// Header names lowercased.
    pub headers: BTreeMap<String, String>,
    pub body: Vec<u8>,
}

impl Request {
    pub(crate) fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).map(String::as_str)
    }

    /// The path without its query.
    pub(crate) fn path_only(&self) -> &str {
        self.path.split('?').next().unwrap_or_default()
    }

    /// Every value of query parameter `name`, percent-decoded.
    pub(crate) fn query_all(&self, name: &str) -> Vec<String> {
        let Some((_, query)) = self.path.split_once('?') else {
            return Vec::new();
        };
        query
            .split('&')
            .filter_map(|pair| {
                let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
                (decode(key) == name).then(|| decode(value))
            })
            .collect()
    }

    /// The first value of query parameter `name`, percent-decoded.
    pub(crate) fn query(&self, name: &str) -> Option<String> {
        self.query_all(name).into_iter().next()
    }
}

/// Percent-decoding (and `+` as space, as forms encode it).
fn decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let escaped = bytes
            .get(i + 1..i + 3)
            .and_then(|hex| std::str::from_utf8(hex).ok())
            .and_then(|hex| u8::from_str_radix(hex, 16).ok());
        match (bytes[i], escaped) {
            (b'%', Some(b)) => {
                out.push(b);
                i += 3;
                continue;
            }
            (b'+', _) => out.push(b' '),
            (b, _) => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// What to answer.
pub(crate) enum Reply {
    /// A complete response.
    Full {
        status: u16,
        headers: Vec<(String, String)>,
        body: Vec<u8>,
    },
    /// Headers announcing `total` bytes, then only `body`, then the connection is closed.
    Cut {
        status: u16,
        headers: Vec<(String, String)>,
        body: Vec<u8>,
        total: usize,
    },
    /// Never answer.
    Stall,
}

impl Reply {
    pub(crate) fn ok(body: impl Into<Vec<u8>>) -> Reply {
        Reply::status(200, body)
    }

    pub(crate) fn status(status: u16, body: impl Into<Vec<u8>>) -> Reply {
        Reply::Full {
            status,
            headers: Vec::new(),
            body: body.into(),
        }
    }

    pub(crate) fn with(mut self, name: &str, value: &str) -> Reply {
        match &mut self {
            Reply::Full { headers, .. } | Reply::Cut { headers, .. } => {
                headers.push((name.to_string(), value.to_string()));
            }
            Reply::Stall => {}
        }
        self
    }
}

type Handler = dyn Fn(&Request) -> Reply + Send + Sync;

pub(crate) struct Mock {
    pub addr: String,
    log: Arc<Mutex<Vec<Request>>>,
}

impl Mock {
    pub(crate) fn start(handler: impl Fn(&Request) -> Reply + Send + Sync + 'static) -> Mock {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap().to_string();
        let log = Arc::new(Mutex::new(Vec::new()));
        let handler: Arc<Handler> = Arc::new(handler);
        let server_log = log.clone();
        thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(stream) = stream else { continue };
                let handler = handler.clone();
                let log = server_log.clone();
                thread::spawn(move || serve(stream, &*handler, &log));
            }
        });
        Mock { addr, log }
    }

    /// Requests received so far (TLS probes, which are not HTTP, are not logged).
    pub(crate) fn requests(&self) -> Vec<Request> {
        self.log.lock().unwrap().clone()
    }

    pub(crate) fn count(&self, path_prefix: &str) -> usize {
        self.requests()
            .iter()
            .filter(|r| r.path.starts_with(path_prefix))
            .count()
    }
}

fn serve(stream: TcpStream, handler: &Handler, log: &Mutex<Vec<Request>>) {
    let _ = stream.set_read_timeout(Some(Duration::from_secs(30)));
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut writer = stream;
    // A TLS ClientHello (the client's HTTPS probe of a loopback registry): hang up, as a
    // plain-HTTP server's failed handshake would.
    if reader.fill_buf().map_or(true, |b| b.first() == Some(&0x16)) {
        return;
    }
    loop {
        let Some(request) = read_request(&mut reader) else {
            return;
        };
        log.lock().unwrap().push(request.clone());
        match handler(&request) {
            Reply::Full {
                status,
                headers,
                body,
            } => {
                let head = head(status, &headers, body.len());
                // A HEAD answer announces the length but carries no body.
                let body: &[u8] = if request.method == "HEAD" { &[] } else { &body };
                if writer.write_all(head.as_bytes()).is_err() || writer.write_all(body).is_err() {
                    return;
                }
            }
            Reply::Cut {
                status,
                headers,
                body,
                total,
            } => {
                let head = head(status, &headers, total);
                let _ = writer.write_all(head.as_bytes());
                let _ = writer.write_all(&body);
                let _ = writer.flush();
                let _ = writer.shutdown(Shutdown::Both);
                return;
            }
            Reply::Stall => {
                thread::sleep(Duration::from_secs(60));
                return;
            }
        }
    }
}

fn head(status: u16, headers: &[(String, String)], length: usize) -> String {
    let mut head = format!("HTTP/1.1 {status} {}\r\n", reason(status));
    for (name, value) in headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str(&format!("Content-Length: {length}\r\n\r\n"));
    head
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        201 => "Created",
        202 => "Accepted",
        204 => "No Content",
        206 => "Partial Content",
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        503 => "Service Unavailable",
        _ => "Whatever",
    }
}

fn read_request(reader: &mut BufReader<TcpStream>) -> Option<Request> {
    let mut line = String::new();
    reader.read_line(&mut line).ok()?;
    let mut parts = line.split_whitespace();
    let method = parts.next()?.to_string();
    let path = parts.next()?.to_string();
    if !parts.next()?.starts_with("HTTP/") {
        return None;
    }
    let mut headers = BTreeMap::new();
    loop {
        let mut line = String::new();
        reader.read_line(&mut line).ok()?;
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        let (name, value) = line.split_once(':')?;
        headers.insert(name.trim().to_ascii_lowercase(), value.trim().to_string());
    }
    let length: usize = headers
        .get("content-length")
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    let mut body = vec![0; length];
    reader.read_exact(&mut body).ok()?;
    Some(Request {
        method,
        path,
        headers,
        body,
    })
}

/// The sha256 digest of `bytes`.
pub(crate) fn sha(bytes: &[u8]) -> sbomgen_model::Digest {
    use sha2::Digest as _;
    sbomgen_model::Digest::sha256_from_bytes(&sha2::Sha256::digest(bytes).into())
}

/// Client options with short timeouts and retries, so failure tests finish quickly.
pub(crate) fn fast() -> sbomgen_registry::ClientOptions {
    sbomgen_registry::ClientOptions {
        timeout: Duration::from_secs(5),
        retry: sbomgen_registry::RetryPolicy {
            attempts: 3,
            base_delay: Duration::from_millis(10),
            max_delay: Duration::from_millis(50),
            max_retry_after: Duration::from_secs(2),
        },
        ..sbomgen_registry::ClientOptions::default()
    }
}

pub(crate) fn client(
    options: &sbomgen_registry::ClientOptions,
) -> sbomgen_registry::RegistryClient {
    sbomgen_registry::RegistryClient::new(options).unwrap()
}
