//! Prints `name-[epoch:]version-release.arch` of every package in an rpmdb file, like
//! `rpm -qa`, to compare this crate with rpm by hand:
//! `cargo run -p sbomgen-rpmdb --example rpmqa -- path/to/rpmdb.sqlite`.

use std::process::ExitCode;

fn main() -> ExitCode {
    let Some(path) = std::env::args().nth(1) else {
        eprintln!("usage: rpmqa <rpmdb file>");
        return ExitCode::from(2);
    };
    let bytes = match std::fs::read(&path) {
        Ok(b) => b,
        Err(e) => {
            eprintln!("{path}: {e}");
            return ExitCode::FAILURE;
        }
    };
    match sbomgen_rpmdb::read_packages(&bytes) {
        Ok(packages) => {
            for p in packages {
                println!("{}", p.nevra());
            }
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("{path}: {e}");
            ExitCode::FAILURE
        }
    }
}
