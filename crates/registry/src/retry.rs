//! Which failures are worth another attempt, and how long to wait before it.
//!
//! Registries and the CDNs in front of them fail transiently (connection resets, 429 rate
//! limits, 502/503 during deploys); a pull that gives up on the first one is fragile. Errors
//! that another attempt cannot fix (401, 403, 404, a bad certificate) fail at once.

use std::io;
use std::time::Duration;

/// How many times to try and how long to wait in between.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Attempts in all, the first included (1 = no retry).
    pub attempts: u32,
    /// Wait before the first retry; doubled for each one after.
    pub base_delay: Duration,
    /// Cap on the doubled wait.
    pub max_delay: Duration,
    /// The longest `Retry-After` honoured; a registry asking for more fails the pull at once,
    /// saying how long it asked for, rather than silently stalling the scan.
    pub max_retry_after: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            attempts: 4,
            base_delay: Duration::from_millis(500),
            max_delay: Duration::from_secs(8),
            max_retry_after: Duration::from_secs(30),
        }
    }
}

/// What to do after a failed attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Next {
    /// Wait this long, then try again.
    Retry(Duration),
    /// No attempts left, or the failure is permanent.
    GiveUp,
    /// The registry asked to wait longer than the policy allows (seconds asked).
    TooLong(u64),
}

impl RetryPolicy {
    /// What follows failed attempt number `attempt` (1-based) of a transient failure, given the
    /// registry's `Retry-After` if it sent one.
    pub(crate) fn next(&self, attempt: u32, retry_after: Option<Duration>) -> Next {
        if attempt >= self.attempts {
            return Next::GiveUp;
        }
        if let Some(asked) = retry_after {
            if asked > self.max_retry_after {
                return Next::TooLong(asked.as_secs());
            }
            return Next::Retry(asked);
        }
        let factor = 1u32.checked_shl(attempt - 1).unwrap_or(u32::MAX);
        Next::Retry(self.base_delay.saturating_mul(factor).min(self.max_delay))
    }
}

/// HTTP statuses that say "try again later": timeouts, rate limits, and gateway or overload
/// errors. 500 is included because registries behind load balancers return it for
/// back-end hiccups; 501 and 505 are not, as they never change.
pub(crate) fn is_transient_status(status: u16) -> bool {
    matches!(status, 408 | 429 | 500 | 502 | 503 | 504)
}

/// Whether a transport error is worth another attempt: connection failures (refused, reset,
/// DNS), timeouts and bodies cut short. TLS certificate problems are not.
pub(crate) fn is_transient_error(error: &reqwest::Error) -> bool {
    if is_certificate_error(error) {
        return false;
    }
    if error.is_timeout() || error.is_connect() || error.is_body() || error.is_request() {
        return true;
    }
    io_kind(error).is_some_and(|kind| {
        matches!(
            kind,
            io::ErrorKind::ConnectionReset
                | io::ErrorKind::ConnectionAborted
                | io::ErrorKind::BrokenPipe
                | io::ErrorKind::UnexpectedEof
                | io::ErrorKind::TimedOut
        )
    })
}

/// `Retry-After` in its delta-seconds form. The HTTP-date form is rare from registries and
/// falls back to the policy's own backoff.
pub(crate) fn parse_retry_after(value: &str) -> Option<Duration> {
    value.trim().parse::<u64>().ok().map(Duration::from_secs)
}

/// The error and its causes. rustls errors travel inside `io::Error`s, whose `source()` skips
/// the wrapped error itself, so an I/O error's wrapped error is taken as its cause.
fn chain<'a>(
    error: &'a (dyn std::error::Error + 'static),
) -> impl Iterator<Item = &'a (dyn std::error::Error + 'static)> {
    std::iter::successors(Some(error), |e| {
        let wrapped = e
            .downcast_ref::<io::Error>()
            .and_then(|io| io.get_ref())
            .map(|inner| inner as &(dyn std::error::Error + 'static));
        wrapped.or_else(|| e.source())
    })
}

/// The first I/O error kind in the error's cause chain.
fn io_kind(error: &(dyn std::error::Error + 'static)) -> Option<io::ErrorKind> {
    chain(error).find_map(|e| e.downcast_ref::<io::Error>().map(io::Error::kind))
}

/// Whether a TLS certificate was rejected somewhere in the cause chain.
pub(crate) fn is_certificate_error(error: &reqwest::Error) -> bool {
    chain(error).any(|e| {
        matches!(
            e.downcast_ref::<rustls::Error>(),
            Some(rustls::Error::InvalidCertificate(_) | rustls::Error::NoCertificatesPresented)
        )
    })
}

/// A short reason for a transport error: the innermost cause (`Connection refused (os error
/// 111)`, `invalid peer certificate: UnknownIssuer`), or "timed out".
pub(crate) fn describe(error: &reqwest::Error) -> String {
    if error.is_timeout() {
        return "timed out (no answer within the timeout; set SBOMGEN_REGISTRY_TIMEOUT to change it)"
            .to_string();
    }
    let last = chain(error)
        .last()
        .map(ToString::to_string)
        .unwrap_or_default();
    if is_certificate_error(error) {
        format!("TLS certificate not trusted ({last}); pass the CA with --ca-cert")
    } else {
        last
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_up_to_the_cap_then_gives_up() {
        let p = RetryPolicy {
            attempts: 6,
            base_delay: Duration::from_millis(100),
            max_delay: Duration::from_millis(300),
            max_retry_after: Duration::from_secs(5),
        };
        let ms = |n| Next::Retry(Duration::from_millis(n));
        assert_eq!(p.next(1, None), ms(100));
        assert_eq!(p.next(2, None), ms(200));
        assert_eq!(p.next(3, None), ms(300));
        assert_eq!(p.next(5, None), ms(300));
        assert_eq!(p.next(6, None), Next::GiveUp);
    }

    #[test]
    fn retry_after_is_honoured_when_small() {
        let p = RetryPolicy::default();
        assert_eq!(
            p.next(1, Some(Duration::from_secs(2))),
            Next::Retry(Duration::from_secs(2))
        );
        assert_eq!(
            p.next(1, Some(Duration::from_secs(3600))),
            Next::TooLong(3600)
        );
        assert_eq!(p.next(4, Some(Duration::from_secs(1))), Next::GiveUp);
    }

    #[test]
    fn statuses_are_classified() {
        for transient in [408, 429, 500, 502, 503, 504] {
            assert!(is_transient_status(transient), "{transient}");
        }
        for permanent in [400, 401, 403, 404, 405, 501, 505] {
            assert!(!is_transient_status(permanent), "{permanent}");
        }
    }

    #[test]
    fn retry_after_header_forms() {
        assert_eq!(parse_retry_after(" 7 "), Some(Duration::from_secs(7)));
        assert_eq!(parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT"), None);
        assert_eq!(parse_retry_after("-1"), None);
    }
}
