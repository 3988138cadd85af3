//! Download progress on one stderr line, for people watching a terminal.
//!
//! Only made when stderr is a terminal and `-q` is not given, so logs and pipes never see
//! control characters; stdout (where documents go) is never written. The line shows each layer
//! being pulled with its bytes, then "cataloguing" once every layer has been read.

use std::collections::BTreeMap;
use std::io::Write;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use sbomgen_model::Digest;
use sbomgen_registry::Progress;

/// Redraws at most this often, so progress costs nothing measurable.
const REDRAW: Duration = Duration::from_millis(100);
/// Layers shown by name at once; the rest are counted.
const SHOWN: usize = 3;

#[derive(Debug, Default)]
pub(crate) struct TerminalProgress {
    state: Mutex<State>,
}

#[derive(Debug, Default)]
struct State {
    reference: String,
    layers: usize,
    total_bytes: u64,
    /// Short digest → (bytes read, size, finished).
    blobs: BTreeMap<String, (u64, Option<u64>, bool)>,
    cached: usize,
    last_draw: Option<Instant>,
    drawn: bool,
}

impl TerminalProgress {
    pub(crate) fn new() -> Self {
        Self::default()
    }

    /// Clears the line, before anything else is printed.
    pub(crate) fn finish(&self) {
        let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        if state.drawn {
            let _ = write!(std::io::stderr(), "\r\x1b[2K");
            state.drawn = false;
        }
    }

    fn update(&self, force: bool, change: impl FnOnce(&mut State)) {
        let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        change(&mut state);
        let due = state.last_draw.is_none_or(|t| t.elapsed() >= REDRAW);
        if force || due {
            state.last_draw = Some(Instant::now());
            state.drawn = true;
            let line = fit(&state.line(), width());
            let _ = write!(std::io::stderr(), "\r\x1b[2K{line}");
        }
    }
}

impl State {
    fn line(&self) -> String {
        let done = self.blobs.values().filter(|b| b.2).count();
        if self.layers > 0 && done >= self.layers {
            return format!(
                "{}: {} layers read, cataloguing…",
                self.reference, self.layers
            );
        }
        let read: u64 = self.blobs.values().map(|b| b.0).sum();
        let mut line = format!(
            "pulling {}: {done}/{} layers, {} / {}",
            self.reference,
            self.layers,
            mib(read),
            mib(self.total_bytes)
        );
        if self.cached > 0 {
            line.push_str(&format!(" ({} from cache)", self.cached));
        }
        let active: Vec<_> = self.blobs.iter().filter(|(_, b)| !b.2).collect();
        for (short, (read, size, _)) in active.iter().take(SHOWN) {
            let size = size.map(mib).unwrap_or_else(|| "?".into());
            line.push_str(&format!("  [{short} {}/{size}]", mib(*read)));
        }
        if active.len() > SHOWN {
            line.push_str(&format!("  +{}", active.len() - SHOWN));
        }
        line
    }
}

/// The terminal's width from `COLUMNS` when the shell exports it, else the classic 80: a line
/// that wraps could no longer be redrawn in place.
fn width() -> usize {
    std::env::var("COLUMNS")
        .ok()
        .and_then(|c| c.parse().ok())
        .filter(|c: &usize| *c >= 20)
        .unwrap_or(80)
}

/// `line` cut to fit in `width` columns (one left free for the cursor).
fn fit(line: &str, width: usize) -> String {
    let max = width.saturating_sub(1);
    if line.chars().count() <= max {
        return line.to_string();
    }
    let mut cut: String = line.chars().take(max.saturating_sub(1)).collect();
    cut.push('…');
    cut
}

fn mib(bytes: u64) -> String {
    format!("{:.1} MiB", bytes as f64 / (1024.0 * 1024.0))
}

fn short(digest: &Digest) -> String {
    digest.hex().chars().take(12).collect()
}

impl Progress for TerminalProgress {
    fn image(&self, reference: &str, blobs: usize, bytes: u64) {
        self.update(true, |s| {
            s.reference = reference.to_string();
            s.layers = blobs;
            s.total_bytes = bytes;
        });
    }

    fn blob_started(&self, digest: &Digest, size: Option<u64>, cached: bool) {
        self.update(false, |s| {
            s.blobs.insert(short(digest), (0, size, false));
            if cached {
                s.cached += 1;
            }
        });
    }

    fn blob_progress(&self, digest: &Digest, read: u64) {
        self.update(false, |s| {
            if let Some(blob) = s.blobs.get_mut(&short(digest)) {
                blob.0 = read;
            }
        });
    }

    fn blob_finished(&self, digest: &Digest) {
        self.update(true, |s| {
            if let Some(blob) = s.blobs.get_mut(&short(digest)) {
                blob.2 = true;
            }
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_shows_layers_then_cataloguing() {
        let d: Digest = format!("sha256:{}", "ab".repeat(32)).parse().unwrap();
        let mut s = State {
            reference: "localhost:5000/app:1".into(),
            layers: 2,
            total_bytes: 3 << 20,
            ..State::default()
        };
        s.blobs.insert(short(&d), (1 << 20, Some(2 << 20), false));
        let line = s.line();
        assert!(
            line.starts_with("pulling localhost:5000/app:1: 0/2 layers"),
            "{line}"
        );
        assert!(line.contains("[abababababab 1.0 MiB/2.0 MiB]"), "{line}");
        s.blobs.insert("other".into(), (1, Some(1), true));
        s.blobs.insert(short(&d), (2 << 20, Some(2 << 20), true));
        assert!(s.line().contains("cataloguing"), "{}", s.line());
    }

    #[test]
    fn long_lines_are_cut_to_the_terminal() {
        assert_eq!(fit("abcdef", 80), "abcdef");
        assert_eq!(fit("abcdefghij", 6), "abcd…");
    }
}
