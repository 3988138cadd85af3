#!/usr/bin/env python3
"""Validates every SBOM the end-to-end suite wrote with validators sbomgen did not write.

Usage: validate_documents.py DIR   (DIR = $SBOMGEN_VALIDATION_DIR of a `cargo test` run)

- SPDX (JSON and tag-value): spdx-tools' parser and full validator, exactly what
  `pyspdxtools -i FILE` runs (parse_file + validate_full_spdx_document).
- CycloneDX JSON 1.6 / 1.5: cyclonedx-python-lib's JsonStrictValidator.
- CycloneDX XML 1.6: cyclonedx-python-lib's XmlValidator.

Identical documents (the suite scans some images several times) are checked once.
Exits 1 listing every invalid document, 0 otherwise; an empty DIR is an error.
"""

import hashlib
import pathlib
import sys

from cyclonedx.schema import SchemaVersion
from cyclonedx.validation.json import JsonStrictValidator
from cyclonedx.validation.xml import XmlValidator
from spdx_tools.spdx.parser.parse_anything import parse_file
from spdx_tools.spdx.validation.document_validator import validate_full_spdx_document


def check_spdx(path):
    document = parse_file(str(path))
    messages = validate_full_spdx_document(document, "SPDX-2.3")
    return [m.validation_message for m in messages]


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


def main():
    root = pathlib.Path(sys.argv[1])
    seen = set()
    counts = {name: 0 for name in CHECKS}
    failures = []
    for path in sorted(root.glob("*/*")):
        check = CHECKS.get(path.name)
        if check is None:
            continue
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        if digest in seen:
            continue
        seen.add(digest)
        counts[path.name] += 1
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


if __name__ == "__main__":
    sys.exit(main())
