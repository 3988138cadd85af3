#!/usr/bin/env python3
"""Verifies a DSSE attestation envelope with a public key, independently of sbomgen.

    verify_dsse.py PUBKEY.pem ENVELOPE.json            # a bare DSSE envelope (cosign .att layer)
    verify_dsse.py PUBKEY.pem BUNDLE.json --bundle     # the dsseEnvelope of a Sigstore bundle

Parsing, the pre-authentication encoding and the signature check are securesystemslib's
(pip install 'securesystemslib[crypto]'), the key is read by pyca/cryptography. With --bundle,
the bundle's publicKey hint, when present, must be the base64 SHA-256 of the key's PKIX DER.

Exit 0 printing the statement's predicateType when a signature verifies and the payload is an
in-toto statement; exit 1 printing the reason otherwise; exit 3 when securesystemslib or
cryptography is not installed (so callers can tell "invalid" from "cannot check").
"""

import argparse
import base64
import binascii
import hashlib
import json
import sys

try:
    from cryptography.hazmat.primitives import serialization
    from securesystemslib.dsse import Envelope
    from securesystemslib.exceptions import VerificationError
    from securesystemslib.signer import SSlibKey
except ImportError as error:  # pragma: no cover - depends on the environment
    print(f"cannot verify: {error} (pip install 'securesystemslib[crypto]')", file=sys.stderr)
    sys.exit(3)

PAYLOAD_TYPE_IN_TOTO = "application/vnd.in-toto+json"
STATEMENT_TYPES = ("https://in-toto.io/Statement/v1", "https://in-toto.io/Statement/v0.1")
BUNDLE_MEDIA_PREFIX = "application/vnd.dev.sigstore.bundle"


class Invalid(Exception):
    """The envelope or bundle does not verify; the message says why."""


def load_key(path):
    with open(path, "rb") as f:
        pem = f.read()
    try:
        public_key = serialization.load_pem_public_key(pem)
    except ValueError as error:
        raise Invalid(f"{path}: not a PEM public key: {error}") from error
    try:
        key = SSlibKey.from_crypto(public_key)
    except ValueError as error:
        raise Invalid(f"{path}: unsupported key: {error}") from error
    der = public_key.public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return key, base64.b64encode(hashlib.sha256(der).digest()).decode()


def envelope_of_bundle(bundle, hint):
    if not isinstance(bundle, dict):
        raise Invalid("bundle is not a JSON object")
    media_type = bundle.get("mediaType", "")
    if not media_type.startswith(BUNDLE_MEDIA_PREFIX):
        raise Invalid(f"not a Sigstore bundle: mediaType {media_type!r}")
    if "dsseEnvelope" not in bundle:
        if "messageSignature" in bundle:
            raise Invalid("bundle holds a message signature, not a DSSE envelope")
        raise Invalid("bundle holds no dsseEnvelope")
    public_key = bundle.get("verificationMaterial", {}).get("publicKey", {})
    bundle_hint = public_key.get("hint", "")
    if bundle_hint and bundle_hint != hint:
        raise Invalid(f"bundle publicKey hint {bundle_hint} is not this key's hint {hint}")
    return bundle["dsseEnvelope"]


def verify(key_path, document_path, is_bundle):
    key, hint = load_key(key_path)
    with open(document_path, "rb") as f:
        raw = f.read()
    try:
        document = json.loads(raw)
    except ValueError as error:
        raise Invalid(f"{document_path}: not JSON: {error}") from error
    envelope_dict = envelope_of_bundle(document, hint) if is_bundle else document
    if not isinstance(envelope_dict, dict) or not isinstance(envelope_dict.get("signatures"), list):
        raise Invalid("not a DSSE envelope: no signatures list")
    for signature in envelope_dict["signatures"]:
        # cosign writes keyid "" (bundles omit it); securesystemslib requires the field.
        if isinstance(signature, dict):
            signature.setdefault("keyid", "")
    try:
        envelope = Envelope.from_dict(envelope_dict)
    except (KeyError, TypeError, ValueError, binascii.Error) as error:
        raise Invalid(f"not a DSSE envelope: {error!r}") from error
    if envelope.payload_type != PAYLOAD_TYPE_IN_TOTO:
        raise Invalid(f"payloadType is {envelope.payload_type!r}, not {PAYLOAD_TYPE_IN_TOTO!r}")
    if not envelope.signatures:
        raise Invalid("envelope has no signatures")
    # securesystemslib only tries a key on signatures with the same keyid; keyids are hints
    # (cosign leaves them empty), so the one key is offered under each signature's keyid.
    keys = [
        SSlibKey(keyid, key.keytype, key.scheme, key.keyval) for keyid in envelope.signatures
    ]
    try:
        envelope.verify(keys, 1)
    except VerificationError as error:
        raise Invalid(f"signature does not verify: {error}") from error
    try:
        statement = json.loads(envelope.payload)
    except ValueError as error:
        raise Invalid(f"payload is not JSON: {error}") from error
    if not isinstance(statement, dict) or statement.get("_type") not in STATEMENT_TYPES:
        found = statement.get("_type") if isinstance(statement, dict) else None
        raise Invalid(f"payload is not an in-toto statement (_type {found!r})")
    predicate_type = statement.get("predicateType")
    if not isinstance(predicate_type, str) or not predicate_type:
        raise Invalid("statement has no predicateType")
    return predicate_type


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("pubkey", help="PEM public key (PKIX 'PUBLIC KEY')")
    parser.add_argument("envelope", help="DSSE envelope JSON, or a Sigstore bundle with --bundle")
    parser.add_argument("--bundle", action="store_true", help="the file is a Sigstore bundle")
    args = parser.parse_args()
    try:
        predicate_type = verify(args.pubkey, args.envelope, args.bundle)
    except (Invalid, OSError) as error:
        print(f"invalid: {error}", file=sys.stderr)
        return 1
    print(predicate_type)
    return 0


if __name__ == "__main__":
    sys.exit(main())
