//! `sbomgen`: tell exactly what is inside a container image, layer by layer.
//!
//! `main` only parses arguments, dispatches to one subcommand module, and maps the outcome to an
//! exit code (`exit`): 0 success, 1 failure (the message names the input and the problem), 2
//! usage error, 10–12 `verify`'s outcomes.

mod args;
mod cache_args;
mod commands;
mod completion;
mod config;
mod deadline;
mod dispatch;
mod exit;
mod interrupt;
mod logging;
mod output;
mod progress;
mod registry_args;
mod stdin_source;
mod terminal;
mod values;
mod version;

use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = match dispatch::parse(std::env::args_os()) {
        Ok(cli) => cli,
        Err(error) => return exit::report(&error),
    };
    interrupt::install();
    if let Err(error) = logging::init(cli.verbose, cli.log_file.as_deref()) {
        return exit::report(&error);
    }
    let result = match cli.command {
        args::Command::Scan(scan) => commands::scan::run(scan),
        args::Command::Audit(audit) => commands::audit::run(&audit),
        args::Command::Convert(convert) => commands::convert::run(&convert),
        args::Command::GenerateKeyPair(keys) => commands::keys::generate(&keys),
        args::Command::Attest(attest) => commands::attest::run(&attest),
        args::Command::Attach(attach) => commands::attach::run(&attach),
        args::Command::Verify(verify) => commands::verify::run(&verify),
        args::Command::Download(args::DownloadCommand::Sbom(download)) => {
            commands::download::sbom(&download)
        }
        args::Command::Config(show) => config::run(show, cli.config.as_deref()),
        args::Command::Version(version) => version::run(&version),
        args::Command::Completion(shell) => completion::completion(shell),
        args::Command::Man(man) => completion::man(man),
        args::Command::Cache(cache) => commands::cache::run(cache),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => exit::report(&error),
    }
}
