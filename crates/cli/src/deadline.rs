//! The scan's wall-clock budget (`--timeout`): the backstop where no other limit bounds the
//! work, such as a registry trickling a blob a few bytes at a time within its per-request
//! timeout, or a 256 GiB decompression bomb inflating within its byte limit.
//!
//! A watchdog thread ends the process when the budget is spent: the scan stages no output
//! until it has finished, so there is nothing half-written to undo beyond the staged files the
//! interrupt handler already removes. The guard disarms it before outputs are written, so a
//! budget never cuts a document in half.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

/// Disarms the watchdog when dropped.
#[derive(Debug)]
pub(crate) struct Deadline {
    disarmed: Arc<AtomicBool>,
    thread: Option<std::thread::Thread>,
}

/// Starts the watchdog for scanning `source`; a zero `budget` means none.
pub(crate) fn arm(budget: Duration, source: &str) -> Deadline {
    let disarmed = Arc::new(AtomicBool::new(false));
    if budget.is_zero() {
        return Deadline {
            disarmed,
            thread: None,
        };
    }
    let flag = disarmed.clone();
    let source = source.to_string();
    let spawned = std::thread::Builder::new()
        .name("deadline".into())
        .spawn(move || {
            let start = std::time::Instant::now();
            // park_timeout may wake early (spuriously or when disarmed): check both.
            while !flag.load(Ordering::Acquire) {
                let spent = start.elapsed();
                if spent >= budget {
                    eprintln!(
                        "error: cannot scan {source}: the scan took longer than its time budget \
                         of {} (raise it with --timeout DURATION, or --timeout 0 for none)",
                        humanize(budget)
                    );
                    crate::interrupt::remove_staged();
                    std::process::exit(1);
                }
                std::thread::park_timeout(budget.saturating_sub(spent));
            }
        });
    Deadline {
        disarmed,
        // Without a watchdog thread the scan just has no budget: not worth failing for.
        thread: spawned.ok().map(|handle| handle.thread().clone()),
    }
}

impl Drop for Deadline {
    fn drop(&mut self) {
        self.disarmed.store(true, Ordering::Release);
        if let Some(thread) = &self.thread {
            thread.unpark();
        }
    }
}

/// Parses `90s`, `5m`, `1h`, `1h30m` or plain seconds; `0` is no budget.
pub(crate) fn parse(text: &str) -> Result<Duration, String> {
    let invalid = || format!("invalid duration `{text}` (expected e.g. 90s, 5m, 1h30m or 0)");
    let text = text.trim();
    if let Ok(seconds) = text.parse::<u64>() {
        return Ok(Duration::from_secs(seconds));
    }
    let mut total = 0u64;
    let mut number = String::new();
    for c in text.chars() {
        if c.is_ascii_digit() {
            number.push(c);
            continue;
        }
        let unit = match c {
            'h' => 3600,
            'm' => 60,
            's' => 1,
            _ => return Err(invalid()),
        };
        let value: u64 = number.parse().map_err(|_| invalid())?;
        total = value
            .checked_mul(unit)
            .and_then(|v| total.checked_add(v))
            .ok_or_else(invalid)?;
        number.clear();
    }
    if !number.is_empty() || text.is_empty() {
        return Err(invalid());
    }
    Ok(Duration::from_secs(total))
}

fn humanize(budget: Duration) -> String {
    let seconds = budget.as_secs();
    match (seconds / 3600, seconds % 3600 / 60, seconds % 60) {
        (0, 0, s) => format!("{s}s"),
        (0, m, 0) => format!("{m}m"),
        (0, m, s) => format!("{m}m{s}s"),
        (h, 0, 0) => format!("{h}h"),
        (h, m, s) => format!("{h}h{m}m{s}s"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        assert_eq!(parse("90"), Ok(Duration::from_secs(90)));
        assert_eq!(parse("90s"), Ok(Duration::from_secs(90)));
        assert_eq!(parse("5m"), Ok(Duration::from_secs(300)));
        assert_eq!(parse("1h30m"), Ok(Duration::from_secs(5400)));
        assert_eq!(parse("0"), Ok(Duration::ZERO));
        for bad in ["", "5x", "m", "5m3", "-1", "99999999999999999999h"] {
            assert!(parse(bad).is_err(), "{bad}");
        }
        assert_eq!(humanize(Duration::from_secs(5400)), "1h30m0s");
        assert_eq!(humanize(Duration::from_secs(300)), "5m");
        assert_eq!(humanize(Duration::from_secs(2)), "2s");
    }

    #[test]
    fn a_dropped_deadline_never_fires() {
        let deadline = arm(Duration::from_millis(50), "x");
        drop(deadline);
        std::thread::sleep(Duration::from_millis(120));
        // Still running: the watchdog would have exited the test process.
    }
}
