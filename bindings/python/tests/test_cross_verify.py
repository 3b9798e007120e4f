"""What Python issues verifies in the native CLI and in the JavaScript reference stack, and what
they sign verifies in Python (the same inputs as tests/interop.rs and tests/jwt.rs)."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

import openbadges
from conftest import AT, ISSUED, SEED, SEED_HEX, check, credential, node, sample

SUITES = ["eddsa-rdfc-2022", "eddsa-jcs-2022", "Ed25519Signature2020", "jwt-eddsa"]


def cli_verify(cli: Path, tmp_path: Path, doc: object, *args: str) -> tuple[int, dict]:
    path = tmp_path / "input"
    path.write_text(doc if isinstance(doc, str) else json.dumps(doc, ensure_ascii=False), "utf-8")
    out = subprocess.run(
        [str(cli), "verify", "--json", "--offline", "--at", AT, *args, str(path)],
        capture_output=True,
        timeout=120,
    )
    assert out.returncode in (0, 1), out.stderr.decode()
    return out.returncode, json.loads(out.stdout)


def comparable(report: dict) -> list[tuple]:
    return [(c["id"], c["outcome"], c["fatal"]) for c in report["checks"]]


@pytest.mark.parametrize("suite", SUITES)
def test_python_issued_verifies_in_the_cli_with_the_same_report(
    cli: Path, tmp_path: Path, suite: str
) -> None:
    signed = openbadges.issue(sample(), SEED, suite, at=ISSUED)
    rc, native = cli_verify(cli, tmp_path, signed)
    assert rc == 0, native
    ours = openbadges.verify(signed, at=AT)
    assert native["verified"] is ours["verified"] is True
    assert comparable(native) == comparable(ours)
    # A tampered copy fails in both, for the same reason.
    if isinstance(signed, dict):
        signed["name"] = "Flexible Grouping (forged)"
        rc, native = cli_verify(cli, tmp_path, signed)
        ours = openbadges.verify(signed, at=AT)
        assert rc == 1 and not ours["verified"]
        assert comparable(native) == comparable(ours)
        assert check(ours, "proof")["outcome"] == "failed"


@pytest.mark.parametrize("suite", ["eddsa-rdfc-2022", "Ed25519Signature2020", "jwt-eddsa"])
def test_cli_issued_verifies_in_python(cli: Path, tmp_path: Path, suite: str) -> None:
    path = tmp_path / "unsigned.json"
    path.write_text(json.dumps(sample()), "utf-8")
    out = subprocess.run(
        [str(cli), "issue", "--seed", SEED_HEX, "--suite", suite, str(path)],
        capture_output=True,
        timeout=120,
        check=True,
    )
    report = openbadges.verify(out.stdout)  # the CLI signs as of now
    assert report["verified"], report["headline"]
    # Same seed, same did:key as issuing from Python.
    assert report["issuer"] == openbadges.issue(sample(), SEED, at=ISSUED)["issuer"]["id"]


@pytest.mark.parametrize("suite", ["eddsa-rdfc-2022", "Ed25519Signature2020"])
@pytest.mark.parametrize("vc1", [False, True])
def test_python_issued_verifies_in_the_js_reference(interop: Path, suite: str, vc1: bool) -> None:
    signed = openbadges.issue(credential(vc1), SEED, suite, at=ISSUED)
    ok, out = node(interop, "verify.mjs", [], signed)
    assert ok, f"the JS stack did not verify ours ({suite}, vc1={vc1}): {out}"
    signed["credentialSubject"]["creditsEarned"] = 0.25
    ok, _ = node(interop, "verify.mjs", [], signed)
    assert not ok, "the JS stack accepted a tampered credential"


@pytest.mark.parametrize("suite", ["eddsa-rdfc-2022", "Ed25519Signature2020"])
@pytest.mark.parametrize("vc1", [False, True])
def test_js_signed_verifies_in_python(interop: Path, suite: str, vc1: bool) -> None:
    c = credential(vc1)
    # sign.mjs needs the issuer id to be the key's did:key already: take it from a Python issue.
    c["issuer"]["id"] = openbadges.issue(credential(), SEED, at=ISSUED)["issuer"]["id"]
    ok, out = node(interop, "sign.mjs", ["--seed", SEED_HEX, "--suite", suite], c)
    assert ok, f"the JS stack failed to sign: {out}"
    signed = json.loads(out)
    report = openbadges.verify(signed)  # the JS stack signs as of now
    assert report["verified"], report["headline"]
    signed["credentialSubject"]["achievement"]["name"] = "Collaborative Learninh"
    assert check(openbadges.verify(signed), "proof")["outcome"] == "failed"


@pytest.mark.parametrize(("suite", "algorithm"), [("jwt-es256", "p-256"), ("jwt-rs256", "rsa"), ("jwt-eddsa", "ed25519")])
def test_python_vc_jwt_verifies_in_jose(interop: Path, suite: str, algorithm: str) -> None:
    key = openbadges.keygen(algorithm)
    c = credential()
    c["issuer"]["id"] = "https://riverside.example/issuer"
    token = openbadges.issue(c, key, suite, at=ISSUED)
    pub = {k: v for k, v in key.items() if k not in ("d", "p", "q", "dp", "dq", "qi")}
    alg = {"ed25519": "EdDSA", "p-256": "ES256", "rsa": "RS256"}[algorithm]
    ok, out = node(interop, "jose.mjs", ["verify"], {"token": token, "jwk": pub, "alg": alg})
    assert ok, f"jose did not verify our {alg} token: {out}"
    assert json.loads(out)["iss"] == c["issuer"]["id"]
    # jose signs (a jwk header), Python verifies once the key is bound to the issuer.
    claims = dict(c, iss=c["issuer"]["id"], jti=c["id"])
    ok, out = node(interop, "jose.mjs", ["sign"], {"payload": claims, "jwk": key, "alg": alg})
    assert ok, out
    trust = {"issuers": [{"id": c["issuer"]["id"], "keys": [pub]}]}
    report = openbadges.verify(out.strip(), at=AT, trust=trust)
    assert report["verified"], report["headline"]
