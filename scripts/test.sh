#!/usr/bin/env bash
# Runs every check sbomgen's CI runs: formatting, lints, all tests (unit, end-to-end, doc).
# Installs what the suite needs on a fresh Debian machine with the Rust toolchain.
set -euo pipefail
cd "$(dirname "$0")/.."
# Nothing in the suite reads standard input; detach it so a caller's terminal or pipe cannot
# leak into the tools (cargo feeds rustc probes through stdin).
exec </dev/null

# rustfmt and clippy come with the toolchain; add them if this toolchain lacks them.
for component in rustfmt clippy; do
  if ! rustup component list --installed 2>/dev/null | grep -q "^$component"; then
    rustup component add "$component"
  fi
done

echo "== cargo fmt --check"
cargo fmt --all -- --check
echo "== cargo clippy"
cargo clippy --workspace --all-targets --locked -- -D warnings
echo "== cargo test"
cargo test --workspace --locked
