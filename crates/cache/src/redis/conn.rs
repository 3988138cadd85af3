//! One connection to a Redis server: TCP (or TLS over it) with connect, read and write
//! timeouts, buffered both ways, authenticated and on the right database before it is used.

use std::fmt;
use std::io::{self, BufReader, BufWriter, Read, Write};
use std::net::{SocketAddr, TcpStream, ToSocketAddrs};
use std::sync::Arc;
use std::time::Duration;

use rustls::pki_types::ServerName;
use rustls::{ClientConfig, ClientConnection, StreamOwned};

use super::resp::{self, Reply, RespError};
use super::url::RedisUrl;

/// Reads and writes go through buffers this large: a reply's header and a small value come in
/// one `read`; a large value is copied straight from the socket into its buffer.
const BUFFER: usize = 64 * 1024;

/// What a new connection needs besides the address.
#[derive(Clone)]
pub(crate) struct Dial {
    pub(crate) timeout: Duration,
    /// `Some` for `rediss://`.
    pub(crate) tls: Option<Arc<ClientConfig>>,
    /// `AUTH [username] password` after connecting.
    pub(crate) username: Option<String>,
    pub(crate) password: Option<String>,
}

impl fmt::Debug for Dial {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Dial")
            .field("timeout", &self.timeout)
            .field("tls", &self.tls.is_some())
            .field("username", &self.username)
            .field("password", &self.password.as_ref().map(|_| "***"))
            .finish()
    }
}

/// Why a connection could not be opened or used.
#[derive(Debug)]
pub(crate) enum Failure {
    /// Down, refused, timed out, closed, or a TLS failure: the server is out of reach.
    Unreachable(String),
    /// It answered, but not as a Redis server that accepts us should.
    Protocol(String),
}

/// A plain or TLS byte stream.
enum Stream {
    Plain(TcpStream),
    Tls(Box<StreamOwned<ClientConnection, TcpStream>>),
}

impl Read for Stream {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match self {
            Stream::Plain(s) => s.read(buf),
            Stream::Tls(s) => s.read(buf),
        }
    }
}

impl Write for Stream {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match self {
            Stream::Plain(s) => s.write(buf),
            Stream::Tls(s) => s.write(buf),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        match self {
            Stream::Plain(s) => s.flush(),
            Stream::Tls(s) => s.flush(),
        }
    }
}

/// An open, authenticated connection.
pub(crate) struct Connection {
    stream: BufReader<Stream>,
}

impl fmt::Debug for Connection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let kind = match self.stream.get_ref() {
            Stream::Plain(_) => "plain",
            Stream::Tls(_) => "tls",
        };
        f.debug_struct("Connection").field("stream", &kind).finish()
    }
}

impl Connection {
    /// Connects, then `AUTH`, `SELECT` and `PING`, so a wrong password or database shows here
    /// rather than on the first lookup.
    pub(crate) fn open(url: &RedisUrl, dial: &Dial) -> Result<Connection, Failure> {
        let tcp = connect(url, dial.timeout)?;
        let stream = match &dial.tls {
            None => Stream::Plain(tcp),
            Some(config) => {
                let name = ServerName::try_from(url.host.clone()).map_err(|e| {
                    Failure::Unreachable(format!("{:?} is no TLS server name: {e}", url.host))
                })?;
                let tls = ClientConnection::new(Arc::clone(config), name)
                    .map_err(|e| Failure::Unreachable(format!("TLS: {e}")))?;
                Stream::Tls(Box::new(StreamOwned::new(tls, tcp)))
            }
        };
        let mut connection = Connection {
            stream: BufReader::with_capacity(BUFFER, stream),
        };
        if let Some(password) = &dial.password {
            let mut auth: Vec<&[u8]> = vec![b"AUTH"];
            auth.extend(dial.username.as_deref().map(str::as_bytes));
            auth.push(password.as_bytes());
            connection.expect_ok(&auth, dial, |e| {
                format!("authentication failed (check the password): {e}")
            })?;
        }
        if url.db != 0 {
            let db = url.db.to_string();
            connection.expect_ok(&[b"SELECT", db.as_bytes()], dial, |e| {
                format!("cannot select database {}: {e}", url.db)
            })?;
        }
        match connection.call(&[b"PING"]).map_err(|e| failure(e, dial))? {
            Reply::Status(pong) if pong == "PONG" => Ok(connection),
            Reply::Error(e) if e.starts_with("NOAUTH") => Err(Failure::Protocol(format!(
                "the server requires a password: give it in the URL \
                 (redis://:PASSWORD@host:port/db) or in SBOMGEN_REDIS_PASSWORD ({e})"
            ))),
            other => Err(Failure::Protocol(format!(
                "PING answered {}",
                describe(&other)
            ))),
        }
    }

    /// Sends one command and reads its reply.
    pub(crate) fn call(&mut self, args: &[&[u8]]) -> Result<Reply, RespError> {
        let mut out = BufWriter::with_capacity(BUFFER, self.stream.get_mut());
        let sent = resp::write_command(&mut out, args).and_then(|()| out.flush());
        // After a failed write the buffer's leftovers are dropped, not flushed again into a
        // dead socket (another full write timeout).
        drop(out.into_parts());
        sent?;
        resp::read_reply(&mut self.stream)
    }

    fn expect_ok(
        &mut self,
        args: &[&[u8]],
        dial: &Dial,
        refused: impl FnOnce(&str) -> String,
    ) -> Result<(), Failure> {
        match self.call(args).map_err(|e| failure(e, dial))? {
            Reply::Status(ok) if ok == "OK" => Ok(()),
            Reply::Error(e) => Err(Failure::Protocol(refused(&e))),
            other => Err(Failure::Protocol(refused(&describe(&other)))),
        }
    }
}

/// Resolves the host and connects to its first address that answers within `timeout`.
fn connect(url: &RedisUrl, timeout: Duration) -> Result<TcpStream, Failure> {
    let addresses: Vec<SocketAddr> = (url.host.as_str(), url.port)
        .to_socket_addrs()
        .map_err(|e| Failure::Unreachable(format!("cannot resolve {}: {e}", url.host)))?
        .collect();
    let mut last = None;
    for address in &addresses {
        match TcpStream::connect_timeout(address, timeout) {
            Ok(tcp) => {
                let configured = tcp
                    .set_read_timeout(Some(timeout))
                    .and_then(|()| tcp.set_write_timeout(Some(timeout)))
                    .and_then(|()| tcp.set_nodelay(true));
                return match configured {
                    Ok(()) => Ok(tcp),
                    Err(e) => Err(Failure::Unreachable(e.to_string())),
                };
            }
            Err(e) => last = Some(io_reason(&e, timeout)),
        }
    }
    Err(Failure::Unreachable(match last {
        Some(reason) => format!("cannot connect to {}: {reason}", url.authority()),
        None => format!("{} resolves to no address", url.host),
    }))
}

/// A reply failure during the handshake.
fn failure(e: RespError, dial: &Dial) -> Failure {
    let tls = dial.tls.is_some();
    match e {
        RespError::Io(e) if tls && e.kind() == io::ErrorKind::InvalidData => {
            Failure::Unreachable(format!("TLS: {e}"))
        }
        RespError::Io(e)
            if !tls
                && matches!(
                    e.kind(),
                    io::ErrorKind::UnexpectedEof | io::ErrorKind::ConnectionReset
                ) =>
        {
            Failure::Unreachable(
                "the server closed the connection (does it want TLS, rediss://?)".into(),
            )
        }
        RespError::Io(e) => Failure::Unreachable(io_reason(&e, dial.timeout)),
        RespError::Protocol(reason) => Failure::Protocol(reason),
    }
}

/// `timed out after 3s` rather than the OS's `Resource temporarily unavailable`.
pub(crate) fn io_reason(e: &io::Error, timeout: Duration) -> String {
    match e.kind() {
        io::ErrorKind::TimedOut | io::ErrorKind::WouldBlock => {
            format!("timed out after {timeout:?}")
        }
        io::ErrorKind::UnexpectedEof => "the server closed the connection".into(),
        _ => e.to_string(),
    }
}

/// A short account of an unexpected reply for messages (never a whole value).
pub(crate) fn describe(reply: &Reply) -> String {
    match reply {
        Reply::Status(s) => format!("+{s}"),
        Reply::Error(e) => format!("an error: {e}"),
        Reply::Integer(n) => format!("the integer {n}"),
        Reply::Bulk(b) => format!("a bulk string of {} bytes", b.len()),
        Reply::Nil => "nil".into(),
        Reply::Array(items) => format!("an array of {} elements", items.len()),
    }
}
