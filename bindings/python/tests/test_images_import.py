"""Baking, extracting and importing from Python: a credential issued here, baked into a PNG and an
SVG, comes back out exactly, verifies from the image, and is found by `import_`."""

from __future__ import annotations

import json
import struct
import zlib

import pytest

import openbadges
from conftest import AT, ISSUED, SEED, credential

SVG = (
    '<svg xmlns="http://www.w3.org/2000/svg" width="64" height="64">'
    '<circle cx="32" cy="32" r="30" fill="#2b6cb0"/></svg>'
)


def png(width: int = 8, height: int = 8) -> bytes:
    """A real RGB PNG (signature, IHDR, IDAT, IEND with their CRCs)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    rows = b"".join(b"\x00" + bytes([40, 110, 176]) * width for _ in range(height))
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


@pytest.mark.parametrize("image", [png(), SVG.encode()], ids=["png", "svg"])
@pytest.mark.parametrize("suite", ["eddsa-rdfc-2022", "jwt-eddsa"])
def test_bake_extract_verify_import(image: bytes, suite: str) -> None:
    issued = openbadges.issue(credential(), SEED, suite, at=ISSUED)
    text = issued if isinstance(issued, str) else json.dumps(issued, ensure_ascii=False)
    assert openbadges.extract(image) is None, "a plain image carries no credential"
    baked = openbadges.bake(image, issued)
    assert isinstance(baked, bytes) and baked != image
    got = openbadges.extract(baked)
    if isinstance(issued, str):
        assert got == issued, "the JWS comes back exactly as baked"
    else:
        assert json.loads(got) == issued
    # The same credential baked from its text form comes back byte for byte.
    assert openbadges.extract(openbadges.bake(image, text)) == text

    report = openbadges.verify(baked, at=AT)
    assert report["verified"], report["headline"]
    assert report["checks"][0]["id"] == "baked-image"

    found = openbadges.import_(baked)
    assert len(found) == 1
    assert found[0]["format"] == ("jwt" if isinstance(issued, str) else "json-ld")
    assert found[0]["credential"]["credentialSubject"]["achievement"]["name"] == "Collaborative Learning"
    assert found[0]["source"] == ("input (png)" if image.startswith(b"\x89PNG") else "input (svg)")


def test_import_finds_every_credential_in_a_presentation() -> None:
    a = openbadges.issue(credential(name="Collaborative Learning"), SEED, at=ISSUED)
    b = openbadges.issue(credential(name="Flexible Grouping"), SEED, "jwt-eddsa", at=ISSUED)
    vp = {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "type": ["VerifiablePresentation"],
        "verifiableCredential": [a],
    }
    found = openbadges.import_(vp)
    assert [f["source"] for f in found] == ["presentation /verifiableCredential/0"]
    assert found[0]["credential"] == a and found[0]["verifiable"] is True
    jwt = openbadges.import_(b)
    assert jwt[0]["format"] == "jwt" and jwt[0]["original"] == b
    assert jwt[0]["credential"]["name"] == "Flexible Grouping"


def test_import_of_nothing_readable_raises() -> None:
    with pytest.raises(openbadges.Error) as e:
        openbadges.import_(b"%PDF-1.7 not a badge")
    assert e.value.kind in ("model", "json", "usage")
    with pytest.raises(openbadges.ModelError):
        openbadges.import_({"hello": "world"})


def test_bake_refuses_what_is_not_an_image() -> None:
    with pytest.raises(openbadges.UsageError) as e:
        openbadges.bake(b"GIF89a....", {"id": "urn:uuid:1"})
    assert e.value.kind == "usage"
    with pytest.raises(TypeError):
        openbadges.bake("not bytes", {"id": "urn:uuid:1"})  # type: ignore[arg-type]
