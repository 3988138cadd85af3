#!/usr/bin/env bash
# Builds the fuzz targets' seed corpora from real inputs: the shared fixtures
# (/work/shared/fixtures or $SBOMGEN_FIXTURES), the committed demo image, the catalog crate's
# test data, the language-fixture images the testkit built (target/langfix, when present) and
# documents sbomgen writes for the demo image. Writes fuzz/corpus/<target>/<sha1>, which is
# gitignored: third-party fixtures are never committed.
#
#   scripts/fuzz-seed.sh          # (re)build every corpus, keeping what fuzzing added
#
# Seeds over a size cap are skipped (large inputs slow every fuzzing iteration); routing by
# path is approximate, the harnesses apply the cataloguers' real globs.
set -euo pipefail
cd "$(dirname "$0")/.."
exec </dev/null

fixtures="${SBOMGEN_FIXTURES:-/work/shared/fixtures}"
corpus=fuzz/corpus
mkdir -p "$corpus"

# SBOM documents for the `convert` readers: a few images in every JSON format sbomgen
# writes (the binary is built by `cargo test` before this runs under scripts/test.sh).
documents=$(mktemp -d)
trap 'rm -rf "$documents"' EXIT
images=(fixtures/demo.oci.tar "$fixtures/images/trivy/alpine-310.tar.gz" "$fixtures/images/dive/test-docker-image.tar")
for image in "${images[@]}"; do
  [ -e "$image" ] || continue
  name=$(basename "$image")
  if ! cargo run -q -p sbomgen -- "$image" \
      -o "json=$documents/$name.json" -o "spdx-json=$documents/$name.spdx.json" \
      -o "cyclonedx-json=$documents/$name.cdx.json" \
      -o "cyclonedx-json@1.5=$documents/$name.cdx15.json" \
      -o "spdx-json@3.0=$documents/$name.spdx3.json" \
      -o "syft-json=$documents/$name.syft.json" >/dev/null 2>&1; then
    echo "warning: could not scan $image with sbomgen; SBOM corpora get fewer seeds" >&2
  fi
done
# Syft's own documents, when Syft is installed (scripts/test.sh installs it).
syft="${SBOMGEN_SYFT:-$(command -v syft || echo target/pyvenv/bin/syft)}"
if [ -x "$syft" ]; then
  for image in "${images[@]}"; do
    [ -e "$image" ] || continue
    name=$(basename "$image")
    SYFT_CHECK_FOR_APP_UPDATE=false "$syft" scan -q "oci-archive:$image" -o "syft-json=$documents/$name.by-syft.json" \
      >/dev/null 2>&1 || "$syft" scan -q "docker-archive:$image" -o "syft-json=$documents/$name.by-syft.json" >/dev/null 2>&1 || true
  done
fi

python3 - "$corpus" "$fixtures" "$documents" <<'PY'
"""Routes real files to the fuzz targets that parse them."""
import hashlib, io, json, os, re, sqlite3, subprocess, sys, tarfile, tempfile
from collections import defaultdict
from pathlib import Path

corpus, fixtures, documents = Path(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3])
SEPARATOR = b"\0=FILE=\0"  # fuzz/src/bundle.rs
MAX_SEED = 1 << 20
MAX_BINARY_SEED = 3 << 20
MAX_PER_TARGET = 300
counts = defaultdict(int)


def seed(target, data, cap=MAX_SEED):
    if not data or len(data) > cap or counts[target] >= MAX_PER_TARGET:
        return
    directory = corpus / target
    directory.mkdir(parents=True, exist_ok=True)
    name = directory / hashlib.sha1(data).hexdigest()
    if not name.exists():
        name.write_bytes(data)
    counts[target] += 1


def bundle(files):
    return SEPARATOR.join(path.encode() + b"\n" + data for path, data in files)


def zstd_decompress(data):
    try:
        return subprocess.run(["zstd", "-dc"], input=data, capture_output=True, check=True).stdout
    except (OSError, subprocess.CalledProcessError):
        return None


def tar_files(blob):
    """(path, bytes) of the regular files of a (gzip, zstd or plain) tar blob."""
    if blob[:4] == b"\x28\xb5\x2f\xfd":
        blob = zstd_decompress(blob)
        if blob is None:
            return []
    try:
        with tarfile.open(fileobj=io.BytesIO(blob), mode="r:*") as archive:
            out = []
            for member in archive:
                if member.isfile() and member.size <= MAX_BINARY_SEED:
                    out.append((member.name.lstrip("./"), archive.extractfile(member).read()))
            return out
    except (tarfile.TarError, EOFError, OSError, ValueError):
        return []


PYTHON = re.compile(r"(^|/)([^/]*\.)?(dist-info|egg-info|EGG-INFO)/"
                    r"(METADATA|RECORD|top_level\.txt|direct_url\.json|PKG-INFO|installed-files\.txt)$")
FILE_RULES = [
    ("file_npm", lambda p, b: p.endswith("package.json")),
    ("file_gem", lambda p, b: "/specifications/" in "/" + p and p.endswith(".gemspec")),
    ("file_composer", lambda p, b: p.endswith("composer/installed.json")),
    ("file_dotnet", lambda p, b: p.endswith(".deps.json")),
    ("file_java_jvm", lambda p, b: p.rsplit("/", 1)[-1] == "release"),
    ("file_npm_lock", lambda p, b: p.rsplit("/", 1)[-1] in ("package-lock.json", "npm-shrinkwrap.json", "yarn.lock")),
    ("file_python_lock", lambda p, b: re.search(r"(^|/)([^/]*requirements[^/]*\.txt|poetry\.lock|Pipfile\.lock|uv\.lock)$", p)),
    ("file_gem_lock", lambda p, b: p.rsplit("/", 1)[-1] in ("Gemfile.lock", "Gemfile.next.lock")),
    ("file_composer_lock", lambda p, b: p.endswith("composer.lock")),
    ("file_cargo_lock", lambda p, b: p.endswith("Cargo.lock")),
    ("file_java_archive", lambda p, b: b[:4] == b"PK\x03\x04" or re.search(r"\.(jar|war|ear|hpi|jpi|nar|par|sar|kar|rar|lpkg)$", p, re.I)),
]
DPKG = re.compile(r"^(var/lib/dpkg/(status|status\.d/[^/]+|info/[^/]+\.(list|md5sums))|usr/share/doc/[^/]+/copyright)$")
DISTRO = {"etc/os-release", "usr/lib/os-release", "etc/alpine-release", "etc/debian_version",
          "etc/redhat-release", "etc/centos-release", "etc/system-release"}
RPM = {b"SQLite format 3\0": "rpmdb_sqlite", b"RpmP": "rpmdb_ndb"}


def rpm_store(data):
    for magic, target in RPM.items():
        if data.startswith(magic):
            return target
    if data[12:16] in (b"\x61\x15\x06\x00", b"\x00\x06\x15\x61"):
        return "rpmdb_bdb"
    return None


def route_tree(files):
    """Seeds from one filesystem (a fixture root or one layer): (path, bytes) pairs."""
    python_dirs, dpkg, distro = defaultdict(list), [], []
    for path, data in files:
        if PYTHON.search(path) or re.search(r"\.egg-info$", path):
            python_dirs[path.rsplit("/", 1)[0]].append((path, data))
        if DPKG.match(path):
            dpkg.append((path, data))
            if path.endswith("status") or "/status.d/" in path:
                seed("dpkg", bundle([(path, data)]))
        if path == "lib/apk/db/installed":
            seed("apk", data)
        if path in DISTRO:
            distro.append((path, data))
        store = rpm_store(data)
        if store and re.search(r"(^|/)(Packages|Packages\.db|rpmdb\.sqlite)$", path):
            seed(store, data, MAX_BINARY_SEED)
            if store == "rpmdb_sqlite":
                rpm_headers(data)
        for target, rule in FILE_RULES:
            if rule(path, data):
                seed(target, bundle([(path, data)]), MAX_BINARY_SEED)
        if data[:4] == b"\x7fELF":
            for target in ("file_go_binary", "file_rust_binary", "file_binary_classifier"):
                seed(target, bundle([(path, data)]), MAX_BINARY_SEED)
    for group in python_dirs.values():
        seed("file_python", bundle(sorted(group)))
    if dpkg:
        seed("dpkg", bundle(sorted(dpkg)), 2 * MAX_SEED)
    if distro:
        seed("distro", bundle(sorted(distro)))


def rpm_headers(data):
    """Header blobs of an rpm SQLite database, and a copy of it trimmed to a few packages
    (written by SQLite itself, so still a real database) for a seed of fuzzable size."""
    with tempfile.TemporaryDirectory() as scratch:
        whole, small = Path(scratch) / "whole.sqlite", Path(scratch) / "small.sqlite"
        whole.write_bytes(data)
        try:
            source = sqlite3.connect(whole)
            for (blob,) in source.execute("SELECT blob FROM Packages LIMIT 50"):
                seed("rpm_header", bytes(blob))
            (schema,) = source.execute(
                "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'Packages'").fetchone()
            target = sqlite3.connect(small)
            target.execute(schema)
            for count in (1, 8):
                target.execute("DELETE FROM Packages")
                target.executemany("INSERT INTO Packages VALUES (?, ?)", source.execute(
                    "SELECT hnum, blob FROM Packages ORDER BY hnum LIMIT ?", (count,)))
                target.commit()
                target.execute("VACUUM")
                seed("rpmdb_sqlite", small.read_bytes())
            target.close()
            source.close()
        except (sqlite3.Error, TypeError):
            pass


def walk(root):
    for dirpath, _, names in os.walk(root):
        for name in names:
            path = Path(dirpath) / name
            if path.is_file() and not path.is_symlink() and path.stat().st_size <= 16 * MAX_SEED:
                yield str(path.relative_to(root)), path.read_bytes()


def route_layout(files, what):
    """An OCI layout or docker archive, as {path: bytes}: its JSON and every layer."""
    index = files.get("index.json")
    if index:
        seed("oci_index", index)
    if "manifest.json" in files:
        seed("docker_manifest", files["manifest.json"])
    for path, data in files.items():
        if not path.startswith("blobs/") and not path.endswith((".tar", ".tar.gz", ".json", "layer.tar")):
            continue
        try:
            document = json.loads(data)
        except (ValueError, UnicodeDecodeError):
            seed("layer_tar", data)
            route_tree(tar_files(data))
            continue
        if isinstance(document, dict) and ("manifests" in document or "layers" in document):
            seed("oci_manifest", data)
        elif isinstance(document, dict) and ("rootfs" in document or "config" in document):
            seed("oci_config", data)


def route_image(path):
    data = path.read_bytes()
    if len(data) <= 3 * MAX_SEED:
        seed("source_archive", data, 3 * MAX_SEED)
    files = {name: blob for name, blob in tar_files(data)}
    route_layout(files, path)


# The committed demo image, and a docker manifest.json for its blobs (docker_manifest's
# harness puts them under blobs/sha256/).
demo = Path("fixtures/demo.oci.tar")
route_image(demo)
demo_files = dict(tar_files(demo.read_bytes()))
manifest_digest = json.loads(demo_files["index.json"])["manifests"][0]["digest"]
manifest = json.loads(demo_files["blobs/sha256/" + manifest_digest.split(":")[1]])
blob = lambda d: "blobs/sha256/" + d.split(":")[1]
seed("docker_manifest", json.dumps([{"Config": blob(manifest["config"]["digest"]),
                                     "RepoTags": ["sbomgen-demo:1.0"],
                                     "Layers": [blob(l["digest"]) for l in manifest["layers"]]}]).encode())

# No fixture holds a JVM: a JDK's `release` file as Eclipse Temurin 21 ships it.
seed("file_java_jvm", b"opt/java/openjdk/release\n" + b"".join(
    f'{k}="{v}"\n'.encode() for k, v in [
        ("IMPLEMENTOR", "Eclipse Adoptium"), ("IMPLEMENTOR_VERSION", "Temurin-21.0.4+7"),
        ("JAVA_RUNTIME_VERSION", "21.0.4+7-LTS"), ("JAVA_VERSION", "21.0.4"),
        ("MODULES", "java.base java.logging"), ("SOURCE_REPO", "https://github.com/adoptium/jdk21u.git"),
        ("FULL_VERSION", "21.0.4+7-LTS"), ("IMAGE_TYPE", "JDK")]))

for image in sorted(fixtures.glob("images/*/*.tar*")):
    route_image(image)
for layout in sorted(Path("target/langfix").glob("*/image.oci")):
    files = {str(p.relative_to(layout)): p.read_bytes() for p in layout.rglob("*")
             if p.is_file() and p.stat().st_size <= 16 * MAX_SEED}
    route_layout(files, layout)
for root in sorted(list(fixtures.glob("*/*/")) + list(Path("crates/catalog/tests/data").glob("*/"))):
    if root.is_dir():
        route_tree(list(walk(root)))
for root in sorted(Path("crates/rpmdb/tests").rglob("*")):
    if root.is_file():
        data = root.read_bytes()
        if rpm_store(data):
            seed(rpm_store(data), data, MAX_BINARY_SEED)

for document in sorted(list(documents.glob("*.json")) + list(Path("target/validation").glob("*/*.json"))):
    data = document.read_bytes()
    try:
        top = json.loads(data)
    except ValueError:
        continue
    if not isinstance(top, dict):
        continue
    # The order of sbomgen_format::read::detect.
    context = top.get("@context")
    contexts = context if isinstance(context, list) else [context]
    if "spdxVersion" in top:
        seed("sbom_spdx", data)
    elif any(isinstance(c, str) and "spdx.org/rdf/3." in c for c in contexts):
        seed("sbom_spdx3", data)
    elif top.get("bomFormat") == "CycloneDX":
        seed("sbom_cyclonedx", data)
    elif "artifacts" in top and "descriptor" in top:
        seed("sbom_syft_json", data)
    elif "source" in top and "packages" in top:
        seed("sbom_native", data)

for target in sorted(counts):
    print(f"{target}: {len(list((corpus / target).iterdir()))} seeds")
PY
