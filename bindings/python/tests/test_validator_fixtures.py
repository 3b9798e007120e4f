"""The 1EdTech validator's OB 3.0 fixtures (../shared/standards/ob/validator-fixtures/ob30), verified
from Python with the outcome ../shared/standards/MANIFEST.md gives for each (from the validator's
OB30Tests.java): valid, warning only (VC 1.1), or invalid with the failing check. The same
expectations as tests/validator_fixtures.rs. Verification methods are served offline through
`resources`: each issuer's controller document is built from the key named in the proof."""

from __future__ import annotations

import base64
import json
import urllib.parse
from pathlib import Path

import pytest

import openbadges
from conftest import check, failing

AT = "2026-11-22T00:00:00Z"
REL = "standards/ob/validator-fixtures/ob30"

# MANIFEST.md: "valid — simple.json, simple.1ob, simple-did-key-method, simple-did-web-method,
# simple-context-alias, …" and the independently re-verified endorsement-valid, context-version.
VALID = [
    "simple.json",
    "simple.1ob",
    "simple-did-web-method.json",
    "simple-context-alias.json",
    "simple-context-version.json",
    "endorsement-valid.json",
]
# "warning only — simple_v1.json, simple-jwt_v1.png/svg (VC 1.1)"; simple-eddsa-2022 is VC 1.1 too.
WARNING_ONLY = ["simple_v1.json", "simple-eddsa-2022.json"]
# "invalid — simple-err-* (type, proof method/value, expired, context, schema/issuer)": the check
# that must fail for each (a `schema` expectation is also met by `data-model`).
INVALID = {
    "simple-err-expired.json": "validity-window",
    "simple-err-issued.json": "validity-window",
    "simple-err-issuer.json": "issuer",
    "simple-err-context.json": "context",
    "simple-err-type.json": "type",
    "simple-err-proof-value.json": "proof",
    "simple-err-proof-method.json": "proof",
    "simple-err-proof-method-no-scheme.json": "proof",
    "simple-err-proof-method-unknown-did-method.json": "proof",
    "simple-err-proof-method-unknown-scheme.json": "proof",
    "simple-err-credential-subject-type.json": "schema",
    "simple-err-credential-subject-achievement-result-description-type.json": "schema",
    "simple-err-credential-subject-identifier-type.json": "schema",
    "simple-err-credential-subject-profile-type.json": "schema",
    "simple-err-credential-subject-result-type.json": "schema",
    "simple-err-evidence-type.json": "schema",
    "simple-err-issuer-otheridentifier-type.json": "schema",
    "simple-err-issuer-parentorg-type.json": "schema",
    "simple-err-issuer-type.json": "schema",
    "simple-noproof.json": "proof",
}


@pytest.fixture
def ob30(shared: Path) -> Path:
    d = shared / REL
    assert d.is_dir(), f"../shared is present but {REL} is not"
    return d


def did_web_url(did: str) -> str:
    """did:web:host[:path…] → https://host/path…/did.json (or /.well-known/did.json)."""
    parts = [urllib.parse.unquote(p) for p in did[len("did:web:"):].split(":")]
    if len(parts) == 1:
        return f"https://{parts[0]}/.well-known/did.json"
    return "https://" + "/".join(parts) + "/did.json"


def controllers(doc: object, resources: dict) -> None:
    """For every proof whose verification method is `<controller>#z6Mk…` (not a did:key), serves
    a controller document listing that key under assertionMethod (nested documents included)."""
    if isinstance(doc, list):
        for v in doc:
            controllers(v, resources)
        return
    if not isinstance(doc, dict):
        return
    vm = doc.get("verificationMethod")
    if isinstance(vm, str) and "#" in vm:
        controller, frag = vm.split("#", 1)
        if frag.startswith("z6Mk") and not controller.startswith("did:key:"):
            url = did_web_url(controller) if controller.startswith("did:web:") else controller
            resources[url] = {
                "@context": ["https://www.w3.org/ns/did/v1", "https://w3id.org/security/multikey/v1"],
                "id": controller,
                "verificationMethod": [
                    {"id": vm, "type": "Multikey", "controller": controller, "publicKeyMultibase": frag}
                ],
                "assertionMethod": [vm],
            }
    for v in doc.values():
        controllers(v, resources)


def verify_fixture(ob30: Path, name: str, strict: bool = False, extra: dict | None = None) -> dict:
    data = (ob30 / name).read_bytes()
    resources: dict = {}
    text = openbadges.extract(data) if name.endswith((".png", ".svg")) else data.decode("utf-8")
    if text and text.lstrip().startswith("{"):
        controllers(json.loads(text), resources)
    resources.update(extra or {})
    return openbadges.verify(data, at=AT, resources=resources, strict=strict)


def test_valid_fixtures_verify_strictly(ob30: Path) -> None:
    for name in VALID:
        for strict in (False, True):
            r = verify_fixture(ob30, name, strict)
            assert r["verified"], f"{name} strict={strict}: {r['headline']}"
            assert check(r, "proof")["outcome"] == "passed", name


def test_vc11_fixtures_verify_with_a_context_warning(ob30: Path) -> None:
    for name in WARNING_ONLY:
        r = verify_fixture(ob30, name)
        assert r["verified"], f"{name}: {r['headline']}"
        assert check(r, "context")["outcome"] == "warning", name


def test_multiple_proofs_one_unknown_is_a_warning(ob30: Path) -> None:
    r = verify_fixture(ob30, "simple-multiple-proofs.json")
    assert r["verified"], r["headline"]
    assert [c["id"] for c in r["checks"] if c["outcome"] == "warning"] == ["proof-set"]


def test_complete_fixture_with_its_revocation_list(ob30: Path) -> None:
    url = "https://1edtech.edu/credentials/3732/revocations"
    r = verify_fixture(ob30, "complete.json", extra={url: {"revokedCredentials": []}})
    assert r["verified"], r["headline"]
    assert len(r["endorsements"]) == 5
    # Without the list the status is unknown: not verified (fails closed).
    r = verify_fixture(ob30, "complete.json")
    assert check(r, "status")["outcome"] == "indeterminate" and not r["verified"]


def test_did_key_fixture_with_urn_issuer_is_not_bound_to_its_issuer(ob30: Path) -> None:
    """The one place the library parts from the validator (tests/validator_fixtures.rs says why):
    a did:key signature cannot speak for the issuer `urn:uuid:…`."""
    for strict in (False, True):
        r = verify_fixture(ob30, "simple-did-key-method.json", strict)
        assert failing(r) == ["issuer-key"], r["headline"]
        assert check(r, "proof")["outcome"] == "passed"


def test_every_invalid_fixture_fails_its_check(ob30: Path) -> None:
    on_disk = sorted(p.name for p in ob30.glob("simple-err-*.json"))
    assert on_disk, "no simple-err-* fixtures found"
    missing = [n for n in on_disk if n not in INVALID]
    assert not missing, f"fixtures without an expectation here: {missing}"
    wrong = []
    for name, expected in INVALID.items():
        r = verify_fixture(ob30, name, strict=True)
        f = failing(r)
        if r["verified"] or not (expected in f or (expected == "schema" and "data-model" in f)):
            wrong.append(f"{name}: expected `{expected}` to fail, failing {f}: {r['headline']}")
        # By default a fixture that is only non-conformant verifies, with the warning.
        d = verify_fixture(ob30, name)
        if d["verified"]:
            warned = any(
                c["id"] in ("schema", "data-model", "subject", "type", "context")
                and c["outcome"] == "warning"
                for c in d["checks"]
            )
            if not warned or expected not in ("schema", "data-model", "type", "context"):
                wrong.append(f"default {name}: verified without a conformance warning")
    assert not wrong, "\n".join(wrong)


def test_velocity_jwt_is_invalid(ob30: Path) -> None:
    r = verify_fixture(ob30, "velocity.jwt")
    assert not r["verified"], r["headline"]


def test_baked_json_images_verify(ob30: Path) -> None:
    for name in ("simple-json.png", "simple-json.svg"):
        r = verify_fixture(ob30, name)
        assert r["verified"], f"{name}: {r['headline']}"
        assert r["checks"][0]["id"] == "baked-image"


def test_baked_jwt_images_verify_once_their_key_is_bound(ob30: Path) -> None:
    for name, vc1 in [
        ("simple-jwt.png", False),
        ("simple-jwt.svg", False),
        ("simple-jwt_v1.png", True),
        ("simple-jwt_v1.svg", True),
    ]:
        data = (ob30 / name).read_bytes()
        token = openbadges.extract(data)
        assert token and token.count(".") == 2, name
        header = json.loads(_b64(token.split(".")[0]))
        payload = json.loads(_b64(token.split(".")[1]))
        cred = payload.get("vc", payload)
        issuer = cred["issuer"] if isinstance(cred["issuer"], str) else cred["issuer"]["id"]
        trust = {"issuers": [{"id": issuer, "keys": [header["jwk"]]}]}
        r = openbadges.verify(data, at=AT, trust=trust)
        assert r["verified"], f"{name}: {r['headline']}"
        assert r["trusted"] is True
        assert (check(r, "context")["outcome"] == "warning") == vc1, name
        # Without the binding the header's key proves nothing.
        assert not openbadges.verify(data, at=AT)["verified"], name


def test_bitstring_status_list_fixtures_are_revoked(ob30: Path) -> None:
    url = (
        "https://raw.githubusercontent.com/1EdTech/digital-credentials-public-validator/refs/heads/"
        "main/inspector-vc/src/test/resources/ob30/bit-string-list/testlist"
    )
    listed = (ob30 / "bit-string-list" / "testlist").read_bytes()
    extra = {url: listed}
    controllers(json.loads(listed), extra)
    for name in (
        "bit-string-list/credential-status-revoked.json",
        "bit-string-list/credential-status-revoked-blank-nodes.json",
    ):
        r = verify_fixture(ob30, name, extra=extra)
        status = check(r, "status")
        assert status["outcome"] == "failed" and "revoked" in status["problem"]["detail"], name
        assert check(r, "proof")["outcome"] == "passed"
        assert r["headline"] == "NOT VERIFIED (revoked)"


def _b64(part: str) -> bytes:
    return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))
