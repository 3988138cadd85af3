//! Packs files from disk into an uncompressed tar (OCI archives, `docker save` archives).

use std::collections::BTreeSet;
use std::fs::File;
use std::io::{self, BufWriter};
use std::path::{Path, PathBuf};

use tar::{Builder, EntryType};

use crate::tar_build::header;

/// Writes `files` (archive name, source file) to a tar at `out`, in the order given, each
/// preceded by its not-yet-written parent directories; headers are deterministic and contents
/// are streamed from disk.
pub(crate) fn pack(out: &Path, files: &[(String, PathBuf)]) -> io::Result<()> {
    let mut b = Builder::new(BufWriter::new(File::create(out)?));
    let mut dirs = BTreeSet::new();
    for (name, source) in files {
        let mut parent = String::new();
        if let Some((dir_path, _)) = name.rsplit_once('/') {
            for part in dir_path.split('/') {
                parent.push_str(part);
                parent.push('/');
                if dirs.insert(parent.clone()) {
                    b.append_data(
                        &mut header(EntryType::Directory, 0o755, 0),
                        &parent,
                        io::empty(),
                    )?;
                }
            }
        }
        let file = File::open(source)?;
        let size = file.metadata()?.len();
        b.append_data(&mut header(EntryType::Regular, 0o644, size), name, file)?;
    }
    b.into_inner()?
        .into_inner()
        .map_err(io::IntoInnerError::into_error)?;
    Ok(())
}
