#!/usr/bin/env python3
"""Validates every SBOM the end-to-end suite wrote with validators sbomgen did not write.

Usage: validate_documents.py DIR   (DIR = $SBOMGEN_VALIDATION_DIR of a `cargo test` run)
       validate_documents.py spdx3-validate ARGS...   (the official CLI, offline)

- SPDX (JSON and tag-value): spdx-tools' parser and full validator, exactly what
  `pyspdxtools -i FILE` runs (parse_file + validate_full_spdx_document).
- CycloneDX JSON 1.6 / 1.5: cyclonedx-python-lib's JsonStrictValidator.
- CycloneDX XML 1.6: cyclonedx-python-lib's XmlValidator.
- CycloneDX 1.7 (`*.cdx17.json`, `*.cdx17.xml`): the same validators for 1.7.
- SPDX 3.0.1 JSON-LD (`*.spdx3.json`): spdx3-validate's JSON schema and SHACL checks, the
  ones `spdx3-validate --json FILE` runs. It fetches the schema, the SHACL model and the
  JSON-LD context from spdx.org; those URLs are answered from the copies vendored in
  schemas/spdx-3.0.1 (see schemas/README.md), so validation needs no network.
- syft-json (`*.syft.json`): the `jsonschema` package against Syft's own schema for the
  document's `schema.version`, vendored in schemas/syft.

Identical documents (the suite scans some images several times) are checked once.
Exits 1 listing every invalid document, 0 otherwise; an empty DIR is an error.
"""

import functools
import hashlib
import io
import json
import pathlib
import sys
import urllib.request
import urllib.response

from cyclonedx.schema import SchemaVersion
from cyclonedx.validation.json import JsonStrictValidator
from cyclonedx.validation.xml import XmlValidator
from spdx_tools.spdx.parser.parse_anything import parse_file
from spdx_tools.spdx.validation.document_validator import validate_full_spdx_document


def check_spdx(path):
    document = parse_file(str(path))
    messages = validate_full_spdx_document(document, "SPDX-2.3")
    return [m.validation_message for m in messages]


SPDX3_DIR = pathlib.Path(__file__).resolve().parent.parent / "schemas" / "spdx-3.0.1"
SPDX3_URLS = {
    "https://spdx.org/rdf/3.0.1/spdx-context.jsonld": "spdx-context.jsonld",
    "https://spdx.org/rdf/3.0.1/spdx-model.ttl": "spdx-model.ttl",
    "https://spdx.org/schema/3.0.1/spdx-json-schema.json": "spdx-json-schema.json",
}


class VendoredSpdxHandler(urllib.request.BaseHandler):
    """Answers spdx.org's 3.0.1 schema, model and context URLs from schemas/spdx-3.0.1."""

    handler_order = 100  # before the network handlers

    def https_open(self, request):
        name = SPDX3_URLS.get(request.full_url)
        if name is None:
            return None
        body = (SPDX3_DIR / name).read_bytes()
        headers = {"content-type": "text/turtle" if name.endswith(".ttl") else "application/ld+json"}
        response = urllib.response.addinfourl(io.BytesIO(body), headers, request.full_url, 200)
        response.msg = "OK"
        return response


def serve_spdx3_offline():
    urllib.request.install_opener(urllib.request.build_opener(VendoredSpdxHandler))


class Spdx3Checker:
    """spdx3-validate's checks, with the schema and SHACL model loaded once for every file."""

    def __init__(self):
        serve_spdx3_offline()
        from spdx3_validate import core
        from spdx3_validate.spdx_versions import find_version

        self.core = core
        self.version = find_version("https://spdx.org/rdf/3.0.1/spdx-context.jsonld")
        schema, self.shacl = core.load_validation_data(self.version)
        self.schema = core.schema_validator(schema)

    def __call__(self, path):
        core = self.core
        document = core.Document.load(str(path))
        if document.version != self.version:
            return [f"SPDX {document.version.pretty}, expected 3.0.1"]
        problems = list(
            dict.fromkeys(
                f"{leaf.json_path}: {leaf.message[:300]}"
                for error in self.schema.iter_errors(document.data)
                for leaf in schema_leaves(error)
            )
        )
        problems += core.check_graph(document.graph, self.shacl, self.version, True)
        return problems


def schema_leaves(error):
    """The most specific errors behind a JSON schema error: the SPDX 3 schema's `oneOf`s
    otherwise report the whole document as "not valid under any of the given schemas". Like
    spdx3-validate's own report: the deepest paths, without the "type X was expected" of every
    class the element is not."""
    leaves, stack = [], [error]
    while stack:
        e = stack.pop()
        if e.context:
            stack.extend(e.context)
        elif not e.message.endswith("was expected"):
            leaves.append(e)
    if not leaves:
        return [error]
    depth = max(len(e.absolute_path) for e in leaves)
    return [e for e in leaves if len(e.absolute_path) == depth]


@functools.cache
def spdx3_checker():
    return Spdx3Checker()


def check_spdx3(path):
    return spdx3_checker()(path)


SYFT_DIR = pathlib.Path(__file__).resolve().parent.parent / "schemas" / "syft"


@functools.cache
def syft_validator(version):
    import jsonschema

    schema = json.loads((SYFT_DIR / f"schema-{version}.json").read_text(encoding="utf-8"))
    return jsonschema.Draft202012Validator(schema)


def check_syft(path):
    document = json.loads(path.read_text(encoding="utf-8"))
    version = document.get("schema", {}).get("version")
    if not (SYFT_DIR / f"schema-{version}.json").is_file():
        return [f"schema.version {version!r} has no vendored schema in {SYFT_DIR}"]
    errors = syft_validator(version).iter_errors(document)
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message[:300]}" for e in errors]


def check_cyclonedx(validator):
    def check(path):
        error = validator.validate_str(path.read_text(encoding="utf-8"))
        return [str(error)] if error else []

    return check


CHECKS = {
    "sbom.spdx.json": check_spdx,
    "sbom.spdx": check_spdx,
    "sbom.cdx.json": check_cyclonedx(JsonStrictValidator(SchemaVersion.V1_6)),
    "sbom.cdx15.json": check_cyclonedx(JsonStrictValidator(SchemaVersion.V1_5)),
    "sbom.cdx.xml": check_cyclonedx(XmlValidator(SchemaVersion.V1_6)),
}
# Checks chosen by the end of the file name: tests name their documents freely.
SUFFIX_CHECKS = {
    ".spdx3.json": check_spdx3,
    ".cdx17.json": check_cyclonedx(JsonStrictValidator(SchemaVersion.V1_7)),
    ".cdx17.xml": check_cyclonedx(XmlValidator(SchemaVersion.V1_7)),
    ".syft.json": check_syft,
}


def check_for(name):
    """The check for a file name and the name it is counted under, or (None, None)."""
    if name in CHECKS:
        return CHECKS[name], name
    for suffix, check in SUFFIX_CHECKS.items():
        if name.endswith(suffix):
            return check, "*" + suffix
    return None, None


def main():
    root = pathlib.Path(sys.argv[1])
    seen = set()
    counts = {name: 0 for name in [*CHECKS, *("*" + s for s in SUFFIX_CHECKS)]}
    failures = []
    for path in sorted(root.glob("*/*")):
        check, counted_as = check_for(path.name)
        if check is None:
            continue
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        if digest in seen:
            continue
        seen.add(digest)
        counts[counted_as] += 1
        try:
            problems = check(path)
        except Exception as error:  # a parser rejecting the file is a failure too
            problems = [f"{type(error).__name__}: {error}"]
        if problems:
            args = (path.parent / "args.txt").read_text(encoding="utf-8")
            failures.append(f"{path} (scan of {args}):\n  " + "\n  ".join(problems[:10]))
    summary = ", ".join(f"{n} {name}" for name, n in counts.items())
    if not seen:
        print(f"no documents under {root}: was SBOMGEN_VALIDATION_DIR set for cargo test?")
        return 1
    if failures:
        print(f"{len(failures)} invalid of {len(seen)} distinct documents ({summary}):")
        print("\n".join(failures))
        return 1
    print(f"all {len(seen)} distinct documents valid ({summary})")
    return 0


def spdx3_validate_cli(args):
    """`spdx3-validate ARGS`, the validator's own command line, with spdx.org served locally."""
    serve_spdx3_offline()
    from spdx3_validate.main import main as spdx3_validate

    return spdx3_validate(args)


if __name__ == "__main__":
    if sys.argv[1:2] == ["spdx3-validate"]:
        sys.exit(spdx3_validate_cli(sys.argv[2:]))
    sys.exit(main())
