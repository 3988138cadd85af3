//! Two HTTP proxies in front of a real registry, one exchange per connection: [`BearerProxy`]
//! adds the bearer-token challenge flow, [`CutProxy`] kills or stalls the registry in the middle
//! of a blob response.

use std::collections::HashMap;
use std::io::{self, BufReader, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;

use sha2::{Digest as _, Sha256};

use super::http::{read_request_head, response, RequestHead, IO_TIMEOUT};
use super::{basic_auth, lock, Killer};

/// Client connections still open, so a proxy can drop them all at once.
#[derive(Debug, Default)]
struct Connections {
    next: AtomicU64,
    open: Mutex<HashMap<u64, TcpStream>>,
}

impl Connections {
    fn add(&self, stream: &TcpStream) -> io::Result<u64> {
        let id = self.next.fetch_add(1, Ordering::Relaxed);
        lock(&self.open).insert(id, stream.try_clone()?);
        Ok(id)
    }

    fn remove(&self, id: u64) {
        lock(&self.open).remove(&id);
    }

    fn shutdown_all(&self) {
        for (_, stream) in lock(&self.open).drain() {
            let _ = stream.shutdown(Shutdown::Both);
        }
    }
}

/// A listening socket on 127.0.0.1 with one thread per connection; stops accepting and drops
/// every open connection when dropped.
#[derive(Debug)]
struct Server {
    addr: SocketAddr,
    stopping: Arc<AtomicBool>,
    connections: Arc<Connections>,
    accept: Option<JoinHandle<()>>,
}

impl Server {
    fn start<H>(handler: H) -> io::Result<Server>
    where
        H: Fn(&mut TcpStream, &Connections) -> io::Result<()> + Send + Sync + 'static,
    {
        let listener = TcpListener::bind("127.0.0.1:0")?;
        let addr = listener.local_addr()?;
        let stopping = Arc::new(AtomicBool::new(false));
        let connections = Arc::new(Connections::default());
        let handler = Arc::new(handler);
        let accept = {
            let stopping = Arc::clone(&stopping);
            let connections = Arc::clone(&connections);
            std::thread::spawn(move || {
                for stream in listener.incoming() {
                    if stopping.load(Ordering::SeqCst) {
                        break;
                    }
                    let Ok(mut stream) = stream else { continue };
                    let handler = Arc::clone(&handler);
                    let connections = Arc::clone(&connections);
                    std::thread::spawn(move || {
                        let Ok(id) = connections.add(&stream) else {
                            return;
                        };
                        let _ = stream.set_read_timeout(Some(IO_TIMEOUT));
                        let _ = stream.set_write_timeout(Some(IO_TIMEOUT));
                        // Errors end this connection only: the client sees it dropped.
                        let _ = handler(&mut stream, &connections);
                        connections.remove(id);
                        let _ = stream.shutdown(Shutdown::Both);
                    });
                }
            })
        };
        Ok(Server {
            addr,
            stopping,
            connections,
            accept: Some(accept),
        })
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.stopping.store(true, Ordering::SeqCst);
        // Wake the accept loop so it sees the flag.
        let _ = TcpStream::connect_timeout(&self.addr, IO_TIMEOUT);
        if let Some(accept) = self.accept.take() {
            let _ = accept.join();
        }
        self.connections.shutdown_all();
    }
}

/// Reads one request from `client`; `None` when it closed without sending one.
fn read_request(client: &TcpStream) -> io::Result<Option<(RequestHead, BufReader<TcpStream>)>> {
    let mut reader = BufReader::new(client.try_clone()?);
    Ok(read_request_head(&mut reader)?.map(|head| (head, reader)))
}

/// Sends `head` (and its body) to `upstream` and returns the connection to read the response
/// from.
fn send_upstream(
    upstream: SocketAddr,
    head: &RequestHead,
    body: &mut BufReader<TcpStream>,
    strip_auth: bool,
) -> io::Result<TcpStream> {
    let mut server = TcpStream::connect_timeout(&upstream, IO_TIMEOUT)?;
    server.set_read_timeout(Some(IO_TIMEOUT))?;
    server.set_write_timeout(Some(IO_TIMEOUT))?;
    server.write_all(&head.forwarded(strip_auth))?;
    let length = head.content_length()?;
    io::copy(&mut body.take(length), &mut server)?;
    Ok(server)
}

/// One token request as the [`BearerProxy`] saw it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenRequest {
    /// The `service` query parameter.
    pub service: Option<String>,
    /// The `scope` query parameter (e.g. `repository:demo:pull`).
    pub scope: Option<String>,
    /// Whether the Basic credentials were right (a token was issued).
    pub granted: bool,
}

#[derive(Debug)]
struct BearerState {
    upstream: SocketAddr,
    username: String,
    password: String,
    token: String,
    realm: Mutex<String>,
    token_requests: Mutex<Vec<TokenRequest>>,
    forwarded: AtomicUsize,
}

/// A token-authenticating front for an anonymous registry, as Docker Hub and most cloud
/// registries behave.
///
/// Every request without `Authorization: Bearer <token>` gets 401 with
/// `WWW-Authenticate: Bearer realm="http://127.0.0.1:P/token",service="test",scope="repository:<name>:pull"`
/// (no scope for `/v2/`); `GET /token?service=…&scope=…` with the right Basic credentials
/// answers `{"token": …, "access_token": …}`; authorised requests are forwarded to the registry
/// without their `Authorization` header.
#[derive(Debug)]
pub struct BearerProxy {
    state: Arc<BearerState>,
    server: Server,
}

impl BearerProxy {
    /// Starts the proxy on a free 127.0.0.1 port in front of `upstream` (a plain-HTTP registry).
    pub fn start(upstream: SocketAddr, username: &str, password: &str) -> io::Result<BearerProxy> {
        let seed = format!(
            "{username}:{password}:{:?}:{}",
            std::time::SystemTime::now(),
            std::process::id()
        );
        let state = Arc::new(BearerState {
            upstream,
            username: username.to_string(),
            password: password.to_string(),
            token: format!("{:x}", Sha256::digest(seed.as_bytes())),
            realm: Mutex::new(String::new()),
            token_requests: Mutex::new(Vec::new()),
            forwarded: AtomicUsize::new(0),
        });
        let handler_state = Arc::clone(&state);
        let server = Server::start(move |client, _| handler_state.serve(client))?;
        *lock(&state.realm) = format!("http://{}/token", server.addr);
        Ok(BearerProxy { state, server })
    }

    /// The address clients use.
    pub fn addr(&self) -> SocketAddr {
        self.server.addr
    }

    /// `127.0.0.1:PORT`.
    pub fn host(&self) -> String {
        self.server.addr.to_string()
    }

    /// Every request made to the token endpoint so far.
    pub fn token_requests(&self) -> Vec<TokenRequest> {
        lock(&self.state.token_requests).clone()
    }

    /// How many requests carried a valid token and were forwarded.
    pub fn forwarded(&self) -> usize {
        self.state.forwarded.load(Ordering::SeqCst)
    }
}

impl BearerState {
    fn serve(&self, client: &mut TcpStream) -> io::Result<()> {
        let Some((head, mut body)) = read_request(client)? else {
            return Ok(());
        };
        if head.path() == "/token" {
            return client.write_all(&self.token_response(&head));
        }
        let bearer = format!("Bearer {}", self.token);
        if head.header("authorization") != Some(bearer.as_str()) {
            return client.write_all(&self.challenge(&head));
        }
        self.forwarded.fetch_add(1, Ordering::SeqCst);
        let mut server = send_upstream(self.upstream, &head, &mut body, true)?;
        io::copy(&mut server, client).map(drop)
    }

    fn token_response(&self, head: &RequestHead) -> Vec<u8> {
        let expected = basic_auth(&self.username, &self.password);
        let granted = head.header("authorization") == Some(expected.as_str())
            && head.query("service").as_deref() == Some("test");
        lock(&self.token_requests).push(TokenRequest {
            service: head.query("service"),
            scope: head.query("scope"),
            granted,
        });
        if !granted {
            let body = br#"{"errors":[{"code":"UNAUTHORIZED","message":"bad credentials"}]}"#;
            return response(
                401,
                "Unauthorized",
                &[
                    ("Content-Type", "application/json"),
                    ("WWW-Authenticate", "Basic realm=\"test\""),
                ],
                body,
            );
        }
        let body = serde_json::json!({
            "token": self.token,
            "access_token": self.token,
            "expires_in": 300,
        });
        response(
            200,
            "OK",
            &[("Content-Type", "application/json")],
            body.to_string().as_bytes(),
        )
    }

    fn challenge(&self, head: &RequestHead) -> Vec<u8> {
        let mut value = format!("Bearer realm=\"{}\",service=\"test\"", lock(&self.realm));
        if let Some(name) = repository_name(head.path()) {
            value.push_str(&format!(",scope=\"repository:{name}:pull\""));
        }
        let body = br#"{"errors":[{"code":"UNAUTHORIZED","message":"authentication required","detail":null}]}"#;
        response(
            401,
            "Unauthorized",
            &[
                ("Content-Type", "application/json"),
                ("Docker-Distribution-Api-Version", "registry/2.0"),
                ("WWW-Authenticate", &value),
            ],
            body,
        )
    }
}

/// `<name>` of `/v2/<name>/manifests/…`, `/v2/<name>/blobs/…`, `/v2/<name>/tags/…`.
fn repository_name(path: &str) -> Option<&str> {
    let rest = path.strip_prefix("/v2/")?;
    ["/manifests/", "/blobs/", "/tags/"]
        .iter()
        .filter_map(|marker| rest.rfind(marker))
        .min()
        .map(|end| &rest[..end])
        .filter(|name| !name.is_empty())
}

/// What a [`CutProxy`] does once a blob response has passed its byte limit.
#[derive(Debug, Clone)]
pub enum Cut {
    /// SIGKILL the registry and drop every client connection (once: later requests find no
    /// registry behind the proxy and are dropped too).
    KillRegistry(Killer),
    /// Stop forwarding and keep the connection open, silent, until the client gives up; every
    /// blob response (retries included) stalls the same way.
    Stall,
}

#[derive(Debug)]
struct CutState {
    upstream: SocketAddr,
    after_bytes: u64,
    cut: Cut,
    cut_paths: Mutex<Vec<String>>,
}

/// A pass-through proxy that lets the first `after_bytes` bytes of each `GET …/blobs/…`
/// response through and then [`Cut`]s it: a registry dying or hanging mid-pull.
#[derive(Debug)]
pub struct CutProxy {
    state: Arc<CutState>,
    server: Server,
}

impl CutProxy {
    /// Starts the proxy on a free 127.0.0.1 port in front of `upstream` (a plain-HTTP registry).
    pub fn start(upstream: SocketAddr, after_bytes: u64, cut: Cut) -> io::Result<CutProxy> {
        let state = Arc::new(CutState {
            upstream,
            after_bytes,
            cut,
            cut_paths: Mutex::new(Vec::new()),
        });
        let handler_state = Arc::clone(&state);
        let server =
            Server::start(move |client, connections| handler_state.serve(client, connections))?;
        Ok(CutProxy { state, server })
    }

    /// The address clients use.
    pub fn addr(&self) -> SocketAddr {
        self.server.addr
    }

    /// `127.0.0.1:PORT`.
    pub fn host(&self) -> String {
        self.server.addr.to_string()
    }

    /// Request paths of the blob responses cut so far, in order.
    pub fn cut_paths(&self) -> Vec<String> {
        lock(&self.state.cut_paths).clone()
    }
}

impl CutState {
    fn serve(&self, client: &mut TcpStream, connections: &Connections) -> io::Result<()> {
        let Some((head, mut body)) = read_request(client)? else {
            return Ok(());
        };
        let mut server = send_upstream(self.upstream, &head, &mut body, false)?;
        let is_blob = head.method == "GET" && head.path().contains("/blobs/");
        if !is_blob {
            return io::copy(&mut server, client).map(drop);
        }
        let mut sent = 0u64;
        let mut buf = [0u8; 16 * 1024];
        loop {
            let room = usize::try_from(self.after_bytes - sent).unwrap_or(usize::MAX);
            let n = server.read(&mut buf[..room.min(16 * 1024)])?;
            if n == 0 {
                return Ok(()); // the whole response fitted under the limit
            }
            client.write_all(&buf[..n])?;
            sent += n as u64;
            if sent >= self.after_bytes {
                break;
            }
        }
        client.flush()?;
        lock(&self.cut_paths).push(head.path().to_string());
        match &self.cut {
            Cut::KillRegistry(killer) => {
                let _ = killer.kill();
                connections.shutdown_all();
                Ok(())
            }
            Cut::Stall => {
                drop(server);
                // Silent until the client hangs up or the proxy is dropped.
                let mut byte = [0u8; 1];
                loop {
                    match client.read(&mut byte) {
                        Ok(0) => return Ok(()),
                        Err(e)
                            if !matches!(
                                e.kind(),
                                io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
                            ) =>
                        {
                            return Err(e)
                        }
                        // A byte, or a read timeout: keep waiting.
                        Ok(_) | Err(_) => {}
                    }
                }
            }
        }
    }
}
