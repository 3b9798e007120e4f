"""Untrusted input from a Python caller: a report that says why, or an `openbadges.Error` subclass
with the crate's kind and message — never another exception (a Rust panic would surface as
pyo3's PanicException, a BaseException, and fail these tests)."""

from __future__ import annotations

import json
import math
import random

import pytest

import openbadges
from conftest import AT, ISSUED, SEED, credential
from test_images_import import SVG, png

CLASSES = {
    "json": openbadges.JsonError,
    "limit": openbadges.LimitError,
    "model": openbadges.ModelError,
    "json-ld": openbadges.JsonLdError,
    "canonicalization": openbadges.CanonicalizationError,
    "key": openbadges.InvalidKeyError,
    "proof": openbadges.ProofError,
    "resolve": openbadges.ResolveError,
    "io": openbadges.IoError,
    "usage": openbadges.UsageError,
}


def assert_typed(e: openbadges.Error) -> None:
    """The exception's class is the one for its kind, and it carries the crate's message."""
    assert type(e) is CLASSES[e.kind], (type(e), e.kind)
    assert issubclass(type(e), openbadges.Error) and issubclass(type(e), Exception)
    assert e.message and e.message in str(e)


def verify_or_error(data: object) -> dict | None:
    """Verifies `data`: a report (never verified: garbage), or None after a typed exception."""
    try:
        report = openbadges.verify(data, at=AT)
    except openbadges.Error as e:
        assert_typed(e)
        return None
    assert isinstance(report["verified"], bool) and report["headline"]
    return report


def test_exception_hierarchy() -> None:
    assert openbadges.Error.__module__ == "openbadges"
    for kind, cls in CLASSES.items():
        assert issubclass(cls, openbadges.Error), kind
        assert cls.__name__.endswith("Error") and cls.__module__ == "openbadges"


def test_garbage_bytes_are_reported_not_verified() -> None:
    rng = random.Random(20)
    for n in (0, 1, 2, 7, 64, 1000, 65536):
        for _ in range(5):
            report = verify_or_error(bytes(rng.getrandbits(8) for _ in range(n)))
            assert report is None or not report["verified"]
    report = openbadges.verify(b"%PDF-1.7", at=AT)
    assert report["headline"].startswith("NOT VERIFIED (not a credential we can read")


def test_mutated_credentials_and_images_never_escape_as_other_exceptions() -> None:
    """Truncations and byte flips of every input form: JSON-LD, VC-JWT, baked PNG and SVG."""
    rng = random.Random(2026)
    signed = openbadges.issue(credential(), SEED, at=ISSUED)
    token = openbadges.issue(credential(), SEED, "jwt-eddsa", at=ISSUED)
    inputs = [
        json.dumps(signed).encode(),
        token.encode(),
        openbadges.bake(png(), signed),
        openbadges.bake(SVG.encode(), token),
    ]
    for original in inputs:
        assert verify_or_error(original)["verified"]
        for _ in range(40):
            data = bytearray(original)
            if rng.random() < 0.5:
                del data[rng.randrange(len(data)) :]
            else:
                for _ in range(rng.randint(1, 4)):
                    data[rng.randrange(len(data))] = rng.getrandbits(8)
            verify_or_error(bytes(data))
            for call in (openbadges.import_, openbadges.extract):
                try:
                    call(bytes(data))
                except openbadges.Error as e:
                    assert_typed(e)


def test_huge_input_is_refused_by_the_documented_limit() -> None:
    signed = openbadges.issue(credential(), SEED, at=ISSUED)
    signed["padding"] = "x" * (8 * 1024 * 1024)  # past the 4 MiB JSON limit
    report = verify_or_error(json.dumps(signed).encode())
    assert report is None or not report["verified"]
    if report is not None:
        assert "limit" in report["headline"] or "larger" in report["headline"], report["headline"]
    with pytest.raises(openbadges.LimitError) as e:
        openbadges.issue(signed, SEED, at=ISSUED)
    assert_typed(e.value)
    # 40 MiB of bytes that claim to be a PNG: refused by size, not read.
    with pytest.raises(openbadges.LimitError):
        openbadges.extract(b"\x89PNG\r\n\x1a\n" + bytes(40 * 1024 * 1024))
    deep = b"[" * 100_000 + b"]" * 100_000
    report = verify_or_error(deep)
    assert report is None or not report["verified"]


def test_python_values_that_are_not_json() -> None:
    for bad in ({"n": math.nan}, {"s": {1, 2}}, {"b": b"bytes"}):
        with pytest.raises(openbadges.JsonError) as e:
            openbadges.issue(bad, SEED, at=ISSUED)
        assert_typed(e.value)
    deep: dict = {}
    d = deep
    for _ in range(100_000):
        d["x"] = {}
        d = d["x"]
    with pytest.raises(openbadges.JsonError):
        openbadges.verify(deep)
    # Nesting JSON can express but the library refuses: its depth limit.
    nested: dict = {}
    d = nested
    for _ in range(200):
        d["x"] = {}
        d = d["x"]
    with pytest.raises(openbadges.LimitError):
        openbadges.issue(nested, SEED, at=ISSUED)


def test_wrong_keys() -> None:
    with pytest.raises(openbadges.InvalidKeyError) as e:
        openbadges.issue(credential(), SEED[:31], at=ISSUED)
    assert_typed(e.value)
    assert "32 bytes" in str(e.value)
    with pytest.raises(openbadges.InvalidKeyError):
        openbadges.issue(credential(), {"kty": "OKP", "crv": "Ed25519", "d": "!!"}, at=ISSUED)
    with pytest.raises(openbadges.InvalidKeyError):
        openbadges.issue(credential(), {"kty": "oct", "k": "c2VjcmV0"}, at=ISSUED)
    # A P-256 key cannot make a Data Integrity proof, nor an Ed25519 key an ES256 token.
    with pytest.raises(openbadges.InvalidKeyError) as e:
        openbadges.issue(credential(), openbadges.keygen("p256"), "eddsa-rdfc-2022", at=ISSUED)
    assert "Ed25519" in str(e.value)
    with pytest.raises(openbadges.InvalidKeyError):
        openbadges.issue(credential(), SEED, "jwt-es256", at=ISSUED)
    # A public JWK is not a private one.
    public = {k: v for k, v in openbadges.keygen().items() if k != "d"}
    with pytest.raises(openbadges.InvalidKeyError):
        openbadges.issue(credential(), public, at=ISSUED)
    with pytest.raises(TypeError):
        openbadges.issue(credential(), "9d61b19d", at=ISSUED)  # type: ignore[arg-type]


def test_unknown_suite_and_algorithm() -> None:
    with pytest.raises(openbadges.UsageError) as e:
        openbadges.issue(credential(), SEED, "eddsa-2019", at=ISSUED)
    assert_typed(e.value)
    assert "eddsa-rdfc-2022" in str(e.value), "the message lists the suites there are"
    with pytest.raises(openbadges.UsageError):
        openbadges.keygen("dsa")


def test_a_language_map_is_refused_by_json_ld_safe_mode() -> None:
    c = credential()
    c["credentialSubject"]["achievement"]["name"] = {"en": "Collaborative Learning", "es": "Aprendizaje"}
    with pytest.raises(openbadges.JsonLdError) as e:
        openbadges.issue(c, SEED, at=ISSUED)
    assert_typed(e.value)
    assert e.value.code == "data loss"


def test_wrong_python_types_raise_type_error() -> None:
    with pytest.raises(TypeError):
        openbadges.verify(12345)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        openbadges.verify(b"{}", trust=["did:example:1"])  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        openbadges.verify(b"{}", resources={"https://a.example/": 1})  # type: ignore[dict-item]
    with pytest.raises(TypeError):
        openbadges.issue([credential()], SEED, at=ISSUED)  # type: ignore[arg-type]
