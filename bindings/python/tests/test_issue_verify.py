"""Issue in Python, verify in Python: every suite, every option, and the reports' shape."""

from __future__ import annotations

import json
import threading
from datetime import datetime, timedelta, timezone

import pytest

import openbadges
from conftest import AT, ISSUED, SEED, check, credential, failing, sample

DI_SUITES = ["eddsa-rdfc-2022", "eddsa-jcs-2022", "Ed25519Signature2020"]
PRIVATE_MEMBERS = ("d", "p", "q", "dp", "dq", "qi")


def public(jwk: dict) -> dict:
    return {k: v for k, v in jwk.items() if k not in PRIVATE_MEMBERS}


@pytest.mark.parametrize("suite", DI_SUITES)
@pytest.mark.parametrize("vc1", [False, True])
def test_data_integrity_issue_then_verify(suite: str, vc1: bool) -> None:
    signed = openbadges.issue(credential(vc1), SEED, suite, at=ISSUED)
    assert isinstance(signed, dict)
    did = signed["issuer"]["id"]
    assert did.startswith("did:key:z6Mk"), "an issuer without id gets the key's did:key"
    proof = signed["proof"]
    assert proof["verificationMethod"].startswith(did + "#")
    if suite == "Ed25519Signature2020":
        assert proof["type"] == "Ed25519Signature2020"
    else:
        assert (proof["type"], proof["cryptosuite"]) == ("DataIntegrityProof", suite)
    # Text the JSON crossing must not alter: non-ASCII, a newline, fractional numbers.
    ach = signed["credentialSubject"]["achievement"]
    assert ach["description"] == credential()["credentialSubject"]["achievement"]["description"]
    assert ach["creditsAvailable"] == 2.5

    report = openbadges.verify(signed, at=AT)
    assert report["verified"], report["headline"]
    assert report["headline"].startswith("VERIFIED"), report["headline"]
    assert check(report, "proof")["outcome"] == "passed"
    assert report["issuer"] == did
    assert report["signedBy"]["controller"] == did
    # VC 1.1 is accepted with a conformance warning on the context.
    assert (check(report, "context")["outcome"] == "warning") == vc1

    # The same credential as bytes and as str gives the same report.
    text = json.dumps(signed, ensure_ascii=False)
    assert openbadges.verify(text, at=AT) == report
    assert openbadges.verify(text.encode("utf-8"), at=AT) == report
    assert openbadges.verify(bytearray(text.encode("utf-8")), at=AT) == report

    # One changed character is caught, with the reason in the headline.
    tampered = json.loads(text)
    tampered["credentialSubject"]["achievement"]["name"] = "Collaborative Learninh"
    bad = openbadges.verify(tampered, at=AT)
    assert not bad["verified"]
    assert "proof" in failing(bad), bad
    assert bad["headline"].startswith("NOT VERIFIED (signature does not match"), bad["headline"]


def test_issue_fills_id_and_valid_from_and_keeps_given_issuer_id() -> None:
    c = credential()
    del c["id"], c["validFrom"]
    # The issuer named by its id alone (a string), here the seed's own did:key.
    did = openbadges.issue(credential(), SEED, at=ISSUED)["issuer"]["id"]
    c["issuer"] = did
    signed = openbadges.issue(c, SEED)
    assert signed["id"].startswith("urn:uuid:")
    assert signed["issuer"] == did, "a string issuer is kept as given"
    # validFrom is now (second precision, UTC), so the report verifies without `at`.
    valid_from = datetime.fromisoformat(signed["validFrom"].replace("Z", "+00:00"))
    assert abs(datetime.now(timezone.utc) - valid_from) < timedelta(minutes=5)
    assert openbadges.verify(signed)["verified"]
    # `at` makes issuing reproducible: the same validFrom and proof date every time.
    fixed = openbadges.issue(c, SEED, "eddsa-jcs-2022", at=ISSUED)
    again = openbadges.issue(c, SEED, "eddsa-jcs-2022", at=datetime(2026, 3, 1, 9, 30, tzinfo=timezone.utc))
    assert fixed["validFrom"] == again["validFrom"] == fixed["proof"]["created"] == ISSUED
    # A VC 1.1 credential gets issuanceDate instead.
    v1 = credential(vc1=True)
    del v1["issuanceDate"]
    assert openbadges.issue(v1, SEED, at=ISSUED)["issuanceDate"] == ISSUED


def test_seed_and_private_jwk_are_the_same_key() -> None:
    from_seed = openbadges.issue(credential(), SEED, "eddsa-jcs-2022", at=ISSUED)
    key = openbadges.keygen()
    assert key["kty"] == "OKP" and key["crv"] == "Ed25519" and len(key["d"]) == 43
    from_jwk = openbadges.issue(credential(), key, "eddsa-jcs-2022", at=ISSUED)
    assert from_seed["issuer"]["id"] != from_jwk["issuer"]["id"]
    assert openbadges.verify(from_jwk, at=AT)["verified"]


@pytest.mark.parametrize(
    ("suite", "algorithm"),
    [("jwt-eddsa", "ed25519"), ("jwt-es256", "p-256"), ("jwt-rs256", "rsa")],
)
def test_vc_jwt_issue_then_verify(suite: str, algorithm: str) -> None:
    key = openbadges.keygen(algorithm)
    c = credential()
    if algorithm != "ed25519":
        # A P-256 / RSA key has no did:key here: the issuer is named, and bound by a trust list.
        c["issuer"]["id"] = "https://riverside.example/issuer"
    token = openbadges.issue(c, key, suite, at=ISSUED)
    assert isinstance(token, str) and token.count(".") == 2
    header = json.loads(_b64(token.split(".")[0]))
    assert header["alg"] == {"ed25519": "EdDSA", "p-256": "ES256", "rsa": "RS256"}[algorithm]
    if algorithm == "ed25519":
        report = openbadges.verify(token, at=AT)
    else:
        unbound = openbadges.verify(token, at=AT)
        assert not unbound["verified"], "a key in the header proves nothing on its own"
        trust = {"issuers": [{"id": c["issuer"]["id"], "keys": [public(key)]}]}
        report = openbadges.verify(token, at=AT, trust=trust)
        assert report["trusted"] is True
    assert report["verified"], report["headline"]
    # The wrong key for the suite is refused before anything is signed.
    other = "ed25519" if algorithm != "ed25519" else "p-256"
    with pytest.raises(openbadges.InvalidKeyError):
        openbadges.issue(c, openbadges.keygen(other), suite, at=ISSUED)


def _b64(part: str) -> bytes:
    import base64

    return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))


def test_at_accepts_rfc3339_and_aware_datetimes_and_judges_dates() -> None:
    c = credential()
    c["validFrom"] = "2026-04-01T00:00:00Z"
    c["validUntil"] = "2027-01-01T00:00:00Z"
    signed = openbadges.issue(c, SEED, at=ISSUED)
    assert openbadges.verify(signed, at="2026-12-31T23:00:00+00:00")["verified"]
    aware = datetime(2026, 12, 31, 23, 0, tzinfo=timezone(timedelta(hours=5)))
    assert openbadges.verify(signed, at=aware)["verified"]
    late = openbadges.verify(signed, at=datetime(2027, 3, 1, tzinfo=timezone.utc))
    assert not late["verified"]
    assert late["headline"] == "NOT VERIFIED (expired)"
    assert check(late, "validity-window")["outcome"] == "failed"
    early = openbadges.verify(signed, at="2026-03-15T00:00:00Z")  # signed, but not yet valid
    assert failing(early) == ["validity-window"]
    with pytest.raises(openbadges.UsageError) as e:
        openbadges.verify(signed, at=datetime(2026, 6, 1))
    assert e.value.kind == "usage" and "naive" in str(e.value)
    with pytest.raises(openbadges.UsageError):
        openbadges.verify(signed, at="next tuesday")
    with pytest.raises(TypeError):
        openbadges.verify(signed, at=1767225600)


def test_trust_list_is_its_own_question() -> None:
    signed = openbadges.issue(credential(), SEED, at=ISSUED)
    did = signed["issuer"]["id"]
    assert "trusted" not in openbadges.verify(signed, at=AT)
    trusted = openbadges.verify(signed, at=AT, trust={"issuers": [{"id": did}]})
    assert trusted["trusted"] is True and trusted["verified"]
    stranger = openbadges.verify(signed, at=AT, trust={"issuers": [{"id": "did:web:other.example"}]})
    assert stranger["trusted"] is False
    with pytest.raises(openbadges.ModelError):
        openbadges.verify(signed, trust={"issuers": "everyone"})


def test_resources_serve_a_status_list_offline() -> None:
    """A revoked credential: its status list is served from `resources`, never fetched."""
    url = "https://riverside.example/status/1"
    c = credential()
    c["credentialStatus"] = {
        "id": f"{url}#7",
        "type": "BitstringStatusListEntry",
        "statusPurpose": "revocation",
        "statusListIndex": "7",
        "statusListCredential": url,
    }
    signed = openbadges.issue(c, SEED, at=ISSUED)
    # Without the list: indeterminate, not verified (fails closed), and the URL is named.
    unknown = openbadges.verify(signed, at=AT)
    assert check(unknown, "status")["outcome"] == "indeterminate"
    assert not unknown["verified"]
    did = signed["issuer"]["id"]
    for revoked in (False, True):
        bits = bytearray(16 * 1024)  # the minimum length: 131,072 entries
        if revoked:
            bits[0] = 0x80 >> 7  # index 7, most significant bit first
        status_list = openbadges.issue(
            {
                "@context": ["https://www.w3.org/ns/credentials/v2"],
                "id": url,
                "type": ["VerifiableCredential", "BitstringStatusListCredential"],
                "issuer": did,
                "validFrom": "2026-01-01T00:00:00Z",
                "credentialSubject": {
                    "id": f"{url}#list",
                    "type": "BitstringStatusList",
                    "statusPurpose": "revocation",
                    "encodedList": _encode(bytes(bits)),
                },
            },
            SEED,
            at=ISSUED,
        )
        for served in (status_list, json.dumps(status_list), json.dumps(status_list).encode()):
            report = openbadges.verify(signed, at=AT, resources={url: served})
            assert report["verified"] is not revoked, report["headline"]
            if revoked:
                assert report["headline"] == "NOT VERIFIED (revoked)"


def _encode(bits: bytes) -> str:
    """A BitstringStatusList `encodedList`: multibase base64url (no padding) of the GZIP."""
    import base64
    import gzip

    return "u" + base64.urlsafe_b64encode(gzip.compress(bits, mtime=0)).decode().rstrip("=")


def test_strict_makes_conformance_findings_fatal() -> None:
    c = credential()
    del c["credentialSubject"]["achievement"]["criteria"]  # required by the OB 3.0 schema
    signed = openbadges.issue(c, SEED, at=ISSUED)
    lenient = openbadges.verify(signed, at=AT)
    assert lenient["verified"], lenient["headline"]
    assert any(x["outcome"] == "warning" for x in lenient["checks"])
    strict = openbadges.verify(signed, at=AT, strict=True)
    assert not strict["verified"]
    assert set(failing(strict)) & {"schema", "data-model"}, strict["checks"]


def test_report_is_the_library_json() -> None:
    signed = openbadges.issue(sample(), SEED, at=ISSUED)
    report = openbadges.verify(signed, at=AT)
    assert set(report) >= {"verified", "checks", "headline", "issuer", "credential_id"}
    for c in report["checks"]:
        assert set(c) >= {"id", "outcome", "fatal"}
        assert c["outcome"] in {"passed", "failed", "warning", "skipped", "indeterminate"}
    assert report["credential_id"] == sample()["id"]
    assert report["achievement"] == "Flexible Grouping"


def test_verification_releases_the_gil() -> None:
    """Four threads verify at once; each gets the right answer (the GIL is released inside)."""
    signed = openbadges.issue(sample(), SEED, at=ISSUED)
    results: list[bool] = []
    lock = threading.Lock()

    def work() -> None:
        for _ in range(10):
            ok = openbadges.verify(signed, at=AT)["verified"]
            with lock:
                results.append(ok)

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == [True] * 40


def test_typing_stub_and_marker_are_installed() -> None:
    from importlib import metadata

    files = {str(f) for f in metadata.files("openbadges") or []}
    assert any(f.endswith("openbadges.pyi") or f.endswith("__init__.pyi") for f in files), files
    assert any(f.endswith("py.typed") for f in files), files
