//! `sbomgen`: tell exactly what is inside a container image, layer by layer.
//!
//! `main` only parses arguments, dispatches to one subcommand module, and maps the outcome to an
//! exit code: 0 success, 1 failure (the message names the input and the problem), 2 usage error.

mod args;
mod commands;
mod output;
mod progress;
mod registry_args;

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = args::Cli::parse_from(args::with_default_subcommand(std::env::args_os()));
    let result = match cli.command {
        args::Command::Scan(scan) => commands::scan::run(scan),
        args::Command::Convert(convert) => commands::convert::run(convert),
        args::Command::GenerateKeyPair(keys) => commands::keys::generate(keys),
        args::Command::Attest(attest) => commands::attest::run(attest),
        args::Command::Attach(attach) => commands::attach::run(attach),
        args::Command::Verify(verify) => commands::verify::run(verify),
        args::Command::Download(args::DownloadCommand::Sbom(download)) => {
            commands::download::sbom(download)
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {}", describe(&error));
            ExitCode::FAILURE
        }
    }
}

/// The error and its causes on one line. Library errors often quote their cause in their own
/// message; a cause already quoted is not repeated.
fn describe(error: &anyhow::Error) -> String {
    let mut message = String::new();
    for cause in error.chain() {
        let text = cause.to_string();
        if !message.contains(&text) {
            if !message.is_empty() {
                message.push_str(": ");
            }
            message.push_str(&text);
        }
    }
    message
}
