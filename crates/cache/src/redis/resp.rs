//! RESP2, the Redis wire protocol, as far as the cache needs it: commands are arrays of bulk
//! strings; replies are simple strings, errors, integers, bulk strings (or null) and arrays.
//!
//! Replies come from a server the scan does not control, so every length is checked before
//! anything is read or allocated: a bulk string beyond [`MAX_BULK_LEN`], a status line beyond
//! [`MAX_LINE_LEN`] or an array nested deeper than [`MAX_DEPTH`] is a [`RespError::Protocol`].
//! See <https://redis.io/docs/latest/develop/reference/protocol-spec/>.

use std::io::{self, BufRead, Read, Write};

/// The largest bulk string read or written: Redis's own default `proto-max-bulk-len`.
pub(crate) const MAX_BULK_LEN: u64 = 512 * 1024 * 1024;
/// The longest `+`, `-`, `:`, `$` or `*` line accepted, terminator included.
pub(crate) const MAX_LINE_LEN: u64 = 64 * 1024;
/// The most elements an array reply may announce, and how deep arrays may nest.
const MAX_ARRAY_LEN: u64 = 1024 * 1024;
const MAX_DEPTH: usize = 8;
/// Memory reserved up front for a bulk string; larger ones grow as their bytes arrive, so a
/// lying length costs no more than the bytes actually sent.
const MAX_PREALLOC: u64 = 64 * 1024 * 1024;

/// One reply.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Reply {
    /// `+OK`.
    Status(String),
    /// `-ERR …`, `-WRONGPASS …`: the server refused the command.
    Error(String),
    /// `:42`.
    Integer(i64),
    /// `$5\r\nhello`.
    Bulk(Vec<u8>),
    /// `$-1` or `*-1`.
    Nil,
    /// `*2\r\n…`.
    Array(Vec<Reply>),
}

/// Why a reply could not be read.
#[derive(Debug)]
pub(crate) enum RespError {
    /// The connection failed or closed: worth a fresh connection.
    Io(io::Error),
    /// The bytes are not a valid or acceptable reply: the stream is out of step.
    Protocol(String),
}

impl From<io::Error> for RespError {
    fn from(e: io::Error) -> Self {
        RespError::Io(e)
    }
}

/// Writes one command, `*N` then each argument as a bulk string. Arguments pass through
/// unbuffered when they are large, so give this a `BufWriter` and flush it after.
pub(crate) fn write_command(out: &mut impl Write, args: &[&[u8]]) -> io::Result<()> {
    write!(out, "*{}\r\n", args.len())?;
    for arg in args {
        write!(out, "${}\r\n", arg.len())?;
        out.write_all(arg)?;
        out.write_all(b"\r\n")?;
    }
    Ok(())
}

/// Reads one complete reply.
pub(crate) fn read_reply(input: &mut impl BufRead) -> Result<Reply, RespError> {
    read_at_depth(input, 0)
}

fn read_at_depth(input: &mut impl BufRead, depth: usize) -> Result<Reply, RespError> {
    let line = read_line(input)?;
    let (kind, rest) = line
        .split_first()
        .ok_or_else(|| RespError::Protocol("empty reply line".into()))?;
    let text = || String::from_utf8_lossy(rest).into_owned();
    match kind {
        b'+' => Ok(Reply::Status(text())),
        b'-' => Ok(Reply::Error(text())),
        b':' => Ok(Reply::Integer(parse_int(rest)?)),
        b'$' => match parse_length(rest, MAX_BULK_LEN, "bulk string")? {
            None => Ok(Reply::Nil),
            Some(len) => read_bulk(input, len).map(Reply::Bulk),
        },
        b'*' => {
            let Some(len) = parse_length(rest, MAX_ARRAY_LEN, "array")? else {
                return Ok(Reply::Nil);
            };
            if depth >= MAX_DEPTH {
                return Err(RespError::Protocol(format!(
                    "arrays nested deeper than {MAX_DEPTH}"
                )));
            }
            (0..len)
                .map(|_| read_at_depth(input, depth + 1))
                .collect::<Result<_, _>>()
                .map(Reply::Array)
        }
        other => Err(RespError::Protocol(format!(
            "unknown reply type {:?}",
            char::from(*other)
        ))),
    }
}

/// One line without its `\r\n`, at most [`MAX_LINE_LEN`] bytes long.
fn read_line(input: &mut impl BufRead) -> Result<Vec<u8>, RespError> {
    let mut line = Vec::new();
    input.take(MAX_LINE_LEN).read_until(b'\n', &mut line)?;
    if line.is_empty() {
        return Err(RespError::Io(io::ErrorKind::UnexpectedEof.into()));
    }
    match line.strip_suffix(b"\r\n") {
        Some(body) => Ok(body.to_vec()),
        None if line.len() as u64 >= MAX_LINE_LEN => Err(RespError::Protocol(format!(
            "a reply line longer than {MAX_LINE_LEN} bytes"
        ))),
        None if line.ends_with(b"\n") => {
            Err(RespError::Protocol("a reply line ends without \\r".into()))
        }
        None => Err(RespError::Io(io::ErrorKind::UnexpectedEof.into())),
    }
}

fn parse_int(digits: &[u8]) -> Result<i64, RespError> {
    std::str::from_utf8(digits)
        .ok()
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| {
            RespError::Protocol(format!(
                "not an integer: {:?}",
                String::from_utf8_lossy(digits)
            ))
        })
}

/// A `$`/`*` length: `None` for `-1` (nil), an error beyond `limit` or below `-1`.
fn parse_length(digits: &[u8], limit: u64, what: &str) -> Result<Option<u64>, RespError> {
    match parse_int(digits)? {
        -1 => Ok(None),
        n if n < 0 => Err(RespError::Protocol(format!("negative {what} length {n}"))),
        // Not negative from here on.
        n if n.unsigned_abs() > limit => Err(RespError::Protocol(format!(
            "{what} of {n} bytes or elements exceeds the limit of {limit}"
        ))),
        n => Ok(Some(n.unsigned_abs())),
    }
}

/// `len` bytes then `\r\n`, read in large chunks into one buffer.
fn read_bulk(input: &mut impl BufRead, len: u64) -> Result<Vec<u8>, RespError> {
    let mut value = Vec::with_capacity(len.min(MAX_PREALLOC) as usize);
    input.take(len).read_to_end(&mut value)?;
    if (value.len() as u64) < len {
        return Err(RespError::Io(io::ErrorKind::UnexpectedEof.into()));
    }
    let mut end = [0u8; 2];
    input.read_exact(&mut end)?;
    if &end != b"\r\n" {
        return Err(RespError::Protocol(
            "a bulk string is longer than its announced length".into(),
        ));
    }
    Ok(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(bytes: &[u8]) -> Result<Reply, RespError> {
        read_reply(&mut io::BufReader::new(bytes))
    }

    fn protocol_error(bytes: &[u8]) -> String {
        match read(bytes) {
            Err(RespError::Protocol(reason)) => reason,
            other => panic!("{bytes:?}: expected a protocol error, got {other:?}"),
        }
    }

    #[test]
    fn commands_are_arrays_of_bulk_strings() {
        let mut out = Vec::new();
        write_command(&mut out, &[b"SET", b"k", b"a\r\nb", b"EX", b"60"]).unwrap();
        assert_eq!(
            out,
            b"*5\r\n$3\r\nSET\r\n$1\r\nk\r\n$4\r\na\r\nb\r\n$2\r\nEX\r\n$2\r\n60\r\n"
        );
        let mut out = Vec::new();
        write_command(&mut out, &[b"GET", b""]).unwrap();
        assert_eq!(out, b"*2\r\n$3\r\nGET\r\n$0\r\n\r\n");
    }

    #[test]
    fn replies_of_every_kind_decode() {
        let cases: &[(&[u8], Reply)] = &[
            (b"+OK\r\n", Reply::Status("OK".into())),
            (b"-WRONGPASS no\r\n", Reply::Error("WRONGPASS no".into())),
            (b":-42\r\n", Reply::Integer(-42)),
            (b"$5\r\nhe\r\no\r\n", Reply::Bulk(b"he\r\no".to_vec())),
            (b"$0\r\n\r\n", Reply::Bulk(Vec::new())),
            (b"$-1\r\n", Reply::Nil),
            (b"*-1\r\n", Reply::Nil),
            (
                b"*2\r\n:1\r\n*1\r\n$1\r\nx\r\n",
                Reply::Array(vec![
                    Reply::Integer(1),
                    Reply::Array(vec![Reply::Bulk(b"x".to_vec())]),
                ]),
            ),
        ];
        for (bytes, expected) in cases {
            assert_eq!(&read(bytes).unwrap(), expected, "{bytes:?}");
        }
    }

    #[test]
    fn consecutive_replies_are_read_in_order() {
        let mut input = io::BufReader::new(&b"+OK\r\n$3\r\nabc\r\n$-1\r\n"[..]);
        assert_eq!(read_reply(&mut input).unwrap(), Reply::Status("OK".into()));
        assert_eq!(
            read_reply(&mut input).unwrap(),
            Reply::Bulk(b"abc".to_vec())
        );
        assert_eq!(read_reply(&mut input).unwrap(), Reply::Nil);
    }

    #[test]
    fn a_large_value_round_trips_through_one_buffer() {
        let value: Vec<u8> = (0..3_000_000u32).map(|i| (i % 251) as u8).collect();
        let mut wire = format!("${}\r\n", value.len()).into_bytes();
        wire.extend_from_slice(&value);
        wire.extend_from_slice(b"\r\n");
        assert_eq!(read(&wire).unwrap(), Reply::Bulk(value));
    }

    #[test]
    fn huge_lengths_are_refused_before_any_allocation() {
        assert!(protocol_error(b"$536870913\r\n").contains("exceeds the limit"));
        assert!(protocol_error(b"$99999999999999\r\n").contains("exceeds the limit"));
        assert!(protocol_error(b"*99999999999\r\n").contains("exceeds the limit"));
        assert!(protocol_error(b"$-2\r\n").contains("negative"));
    }

    #[test]
    fn malformed_replies_are_protocol_errors() {
        assert!(protocol_error(b"!oops\r\n").contains("unknown reply type"));
        assert!(protocol_error(b"\r\n").contains("empty"));
        assert!(protocol_error(b":12x\r\n").contains("not an integer"));
        assert!(protocol_error(b"$2\r\nabc\r\n").contains("longer than"));
        assert!(protocol_error(b"+OK\n").contains("without \\r"));
        let mut long = b"+".to_vec();
        long.resize(1 + usize::try_from(MAX_LINE_LEN).unwrap(), b'a');
        assert!(protocol_error(&long).contains("longer than"));
        let deep = b"*1\r\n".repeat(MAX_DEPTH + 1);
        assert!(protocol_error(&deep).contains("nested"));
    }

    #[test]
    fn truncated_replies_are_io_errors() {
        for bytes in [
            &b""[..],
            b"+OK",
            b"$5\r\nab",
            b"$5\r\nabcde",
            b"*2\r\n:1\r\n",
        ] {
            match read(bytes) {
                Err(RespError::Io(e)) => {
                    assert_eq!(e.kind(), io::ErrorKind::UnexpectedEof, "{bytes:?}");
                }
                other => panic!("{bytes:?}: expected EOF, got {other:?}"),
            }
        }
    }
}
