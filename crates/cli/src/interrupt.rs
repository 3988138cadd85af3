//! Ctrl-C (SIGINT) and SIGTERM: the temporary files outputs are staged in are removed before
//! the process exits with status 130, so an interrupted run leaves neither a partial output nor
//! a hidden `.sbomgen-*` file behind.
//!
//! A staged file is published by renaming it, so after publication its temporary name no longer
//! exists and removing it is a harmless no-op: entries are never taken off the list.

use std::path::PathBuf;
use std::sync::Mutex;

static STAGED: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());

/// The exit status of a run ended by a signal, as shells report SIGINT.
pub(crate) const INTERRUPTED: i32 = 130;

/// Installs the handler; a failure to install one only loses the clean-up, so it is ignored.
pub(crate) fn install() {
    let _ = ctrlc::set_handler(|| {
        remove_staged();
        std::process::exit(INTERRUPTED);
    });
}

/// Remembers a temporary file to remove if the run is interrupted.
pub(crate) fn track(path: PathBuf) {
    if let Ok(mut staged) = STAGED.lock() {
        staged.push(path);
    }
}

pub(crate) fn remove_staged() {
    // A poisoned lock still holds the list; clean up regardless.
    let staged = match STAGED.lock() {
        Ok(staged) => staged,
        Err(poisoned) => poisoned.into_inner(),
    };
    for path in staged.iter() {
        let _ = std::fs::remove_file(path);
    }
}
