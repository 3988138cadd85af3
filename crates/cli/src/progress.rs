//! Scan progress on stderr, for people watching a terminal: an overall bar of the layers' stored
//! bytes, a bar per layer being read, then "cataloguing".
//!
//! Only made when stderr is a terminal and `-q` is not given, so logs and pipes never see
//! control characters; stdout (where documents go) is never written. `indicatif` draws it,
//! asking the terminal for its width (not `$COLUMNS`, which shells rarely export), so lines
//! never wrap; everything drawn is cleared when the scan ends. The same display serves the
//! scan's byte counts ([`ScanObserver`]) and the registry's pull events ([`Progress`]: the
//! reference being pulled, blobs served from the cache).

use std::sync::{Mutex, PoisonError};
use std::time::Duration;

use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};
use sbomgen_model::Digest;
use sbomgen_registry::Progress;
use sbomgen_scan::{LayerPlan, ScanObserver};

/// Layers shown with a bar of their own at once; the rest are counted in the overall line.
const SHOWN: usize = 4;
/// Redraws per second: smooth enough to read, cheap enough to cost nothing measurable.
const REDRAW_HZ: u8 = 10;

/// The display currently drawn, so log lines can be printed above it (see
/// [`crate::logging`]) instead of through it.
static ACTIVE: Mutex<Option<MultiProgress>> = Mutex::new(None);

/// Runs `print` with the progress display (if any) lifted off the terminal.
pub(crate) fn suspend<R>(print: impl FnOnce() -> R) -> R {
    let active = ACTIVE
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .clone();
    match active {
        Some(multi) => multi.suspend(print),
        None => print(),
    }
}

#[derive(Debug)]
pub(crate) struct TerminalProgress {
    multi: MultiProgress,
    overall: ProgressBar,
    state: Mutex<State>,
}

#[derive(Debug, Default)]
struct State {
    /// What is being scanned, as the registry named it.
    reference: Option<String>,
    layers: Vec<Slot>,
    /// Blobs the registry served from the local cache.
    cached: usize,
    cataloguing: bool,
}

/// One layer of the plan and its bar while it is being read.
#[derive(Debug)]
struct Slot {
    plan: LayerPlan,
    read: u64,
    done: bool,
    bar: Option<ProgressBar>,
}

impl TerminalProgress {
    /// A display on stderr. Call only when stderr is a terminal.
    pub(crate) fn new() -> Self {
        let multi = MultiProgress::with_draw_target(ProgressDrawTarget::stderr_with_hz(REDRAW_HZ));
        let overall = multi.add(ProgressBar::new_spinner());
        overall.set_style(spinner_style());
        overall.set_message("opening the image…");
        overall.enable_steady_tick(Duration::from_millis(100));
        *ACTIVE.lock().unwrap_or_else(PoisonError::into_inner) = Some(multi.clone());
        TerminalProgress {
            multi,
            overall,
            state: Mutex::new(State::default()),
        }
    }

    /// Clears the display, before anything else is printed.
    pub(crate) fn finish(&self) {
        let state = self.lock();
        for bar in state.layers.iter().filter_map(|slot| slot.bar.as_ref()) {
            bar.finish_and_clear();
        }
        self.overall.finish_and_clear();
        let _ = self.multi.clear();
        *ACTIVE.lock().unwrap_or_else(PoisonError::into_inner) = None;
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The overall line's message: layers done, and where they come from.
    fn refresh(&self, state: &State) {
        if state.cataloguing {
            return;
        }
        let done = state.layers.iter().filter(|s| s.done).count();
        let mut message = format!("{done}/{} layers", state.layers.len());
        if state.cached > 0 {
            message.push_str(&format!(", {} from cache", state.cached));
        }
        self.overall.set_message(message);
    }
}

impl Drop for TerminalProgress {
    fn drop(&mut self) {
        self.finish();
    }
}

fn spinner_style() -> ProgressStyle {
    ProgressStyle::with_template("{spinner} {prefix}{wide_msg}").expect("valid template")
}

/// Bytes of the stored layers: the bar takes whatever width the counts leave.
fn bytes_style() -> ProgressStyle {
    ProgressStyle::with_template(
        "{prefix}{msg} {wide_bar} {binary_bytes}/{binary_total_bytes} {binary_bytes_per_sec}",
    )
    .expect("valid template")
    .progress_chars("=> ")
}

fn layer_style() -> ProgressStyle {
    ProgressStyle::with_template("  {prefix} {wide_bar} {binary_bytes}/{binary_total_bytes}")
        .expect("valid template")
        .progress_chars("=> ")
}

fn directory_style() -> ProgressStyle {
    ProgressStyle::with_template("  {spinner} {prefix} {wide_msg}").expect("valid template")
}

/// `layer 3 1a2b3c4d5e6f`: the layer's position and short digest.
fn layer_name(plan: &LayerPlan) -> String {
    match &plan.digest {
        Some(digest) => format!("layer {} {}", plan.index, short(digest)),
        None => format!("layer {}", plan.index),
    }
}

fn short(digest: &Digest) -> String {
    digest.hex().chars().take(12).collect()
}

impl ScanObserver for TerminalProgress {
    fn layers(&self, layers: &[LayerPlan]) {
        let mut state = self.lock();
        state.layers = layers
            .iter()
            .map(|plan| Slot {
                plan: plan.clone(),
                read: 0,
                done: false,
                bar: None,
            })
            .collect();
        let total: u64 = layers.iter().filter_map(|l| l.size).sum();
        let what = match &state.reference {
            Some(reference) => format!("pulling {reference}: "),
            None => "reading ".to_string(),
        };
        self.overall.disable_steady_tick();
        self.refresh(&state);
        self.overall.set_prefix(what);
        self.overall.set_length(total);
        self.overall.set_position(0);
        self.overall.set_style(bytes_style());
    }

    fn layer_progress(&self, index: usize, read: u64) {
        let mut state = self.lock();
        let shown = state.layers.iter().filter(|s| s.bar.is_some()).count();
        let Some(slot) = state.layers.iter_mut().find(|s| s.plan.index == index) else {
            return;
        };
        self.overall.inc(read.saturating_sub(slot.read));
        slot.read = read;
        if slot.bar.is_none() && !slot.done && shown < SHOWN {
            let bar = ProgressBar::new(slot.plan.size.unwrap_or(0));
            bar.set_style(if slot.plan.directory {
                directory_style()
            } else {
                layer_style()
            });
            bar.set_prefix(layer_name(&slot.plan));
            slot.bar = Some(self.multi.add(bar));
        }
        if let Some(bar) = &slot.bar {
            bar.set_position(read);
        }
    }

    fn layer_done(&self, index: usize) {
        let mut state = self.lock();
        if let Some(slot) = state.layers.iter_mut().find(|s| s.plan.index == index) {
            slot.done = true;
            if let Some(size) = slot.plan.size {
                self.overall.inc(size.saturating_sub(slot.read));
                slot.read = size;
            }
            if let Some(bar) = slot.bar.take() {
                bar.finish_and_clear();
                self.multi.remove(&bar);
            }
        }
        self.refresh(&state);
    }

    fn cataloguing(&self) {
        let mut state = self.lock();
        state.cataloguing = true;
        // Message first: a redraw between the calls must not show the old line in the new style.
        self.overall
            .set_message(format!("{} layers read, cataloguing…", state.layers.len()));
        self.overall.set_prefix("");
        self.overall.set_style(spinner_style());
        self.overall.enable_steady_tick(Duration::from_millis(100));
    }
}

impl Progress for TerminalProgress {
    fn image(&self, reference: &str, blobs: usize, bytes: u64) {
        let mut state = self.lock();
        state.reference = Some(reference.to_string());
        if state.layers.is_empty() {
            // `attest` scans without a scan observer: the pull alone is shown.
            self.overall.set_message(format!(
                "pulling {reference}: {blobs} layers, {:.1} MiB",
                bytes as f64 / (1024.0 * 1024.0)
            ));
        }
    }

    fn blob_started(&self, _digest: &Digest, _size: Option<u64>, cached: bool) {
        if cached {
            let mut state = self.lock();
            state.cached += 1;
            self.refresh(&state);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plan(index: usize, size: u64) -> LayerPlan {
        LayerPlan {
            index,
            digest: Some(format!("sha256:{}", "ab".repeat(32)).parse().unwrap()),
            size: Some(size),
            directory: false,
        }
    }

    /// Drawn nowhere (tests have no terminal), but the accounting is the same.
    fn hidden() -> TerminalProgress {
        let progress = TerminalProgress::new();
        progress.multi.set_draw_target(ProgressDrawTarget::hidden());
        progress
    }

    #[test]
    fn overall_bytes_follow_the_layers() {
        let progress = hidden();
        progress.layers(&[plan(0, 100), plan(1, 50)]);
        assert_eq!(progress.overall.length(), Some(150));
        progress.layer_progress(0, 40);
        progress.layer_progress(1, 10);
        progress.layer_progress(0, 60);
        assert_eq!(progress.overall.position(), 70);
        assert!(progress.lock().layers[0].bar.is_some());
        progress.layer_done(0);
        assert_eq!(progress.overall.position(), 110);
        assert!(progress.lock().layers[0].bar.is_none());
        assert_eq!(progress.overall.message(), "1/2 layers");
        progress.cataloguing();
        assert!(progress.overall.message().contains("cataloguing"));
        progress.finish();
        assert!(ACTIVE.lock().unwrap().is_none());
    }

    #[test]
    fn layer_names_are_short() {
        assert_eq!(layer_name(&plan(3, 1)), "layer 3 abababababab");
    }
}
