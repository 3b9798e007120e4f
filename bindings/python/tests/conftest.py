"""Shared helpers for the pytest suite of the `openbadges` wheel.

The suite runs against the *installed* wheel (bindings/python/test.sh builds it and installs it in
a fresh virtual environment). Reference data is read from ../shared beside the checkout when it is
there; tests that need it skip with a message otherwise. The native CLI comes from
$OPENBADGES_CLI (set by test.sh) or target/debug/openbadges; the JavaScript reference stack from
tests/interop/node_modules (`npm ci` there).
"""

from __future__ import annotations

import copy
import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[3]
SHARED = REPO.parent / "shared"
INTEROP = REPO / "tests" / "interop"

# The RFC 8032 test-vector seed the Rust interop tests use.
SEED_HEX = "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60"
SEED = bytes.fromhex(SEED_HEX)
# A fixed verification time inside every credential built here.
AT = "2026-06-01T00:00:00Z"
# When the credentials built here are issued (`openbadges.issue(..., at=ISSUED)`): before AT.
ISSUED = "2026-03-01T09:30:00Z"


def sample() -> dict:
    """The project's unsigned OB 3.0 micro-credential (fixtures/sample-microcredential.json)."""
    return json.loads((REPO / "fixtures" / "sample-microcredential.json").read_text("utf-8"))


def credential(vc1: bool = False, name: str = "Collaborative Learning") -> dict:
    """A credential in the shape tests/interop.rs uses: fractional numbers, text in several
    scripts, an issuer profile without id (the key's did:key is filled in)."""
    c = {
        "@context": [
            "https://www.w3.org/ns/credentials/v2",
            "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
        ],
        "id": "urn:uuid:7d8c2b1a-0f3e-4d5c-9b8a-1e2f3a4b5c6d",
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "name": name,
        "issuer": {"type": ["Profile"], "name": "Riverside Unified — Évaluation"},
        "validFrom": "2026-02-01T12:00:00Z",
        "credentialSubject": {
            "id": "did:example:teacher-42",
            "type": ["AchievementSubject"],
            "creditsEarned": 0.5,
            "achievement": {
                "id": "https://riverside.example/achievements/collaborative-learning",
                "type": ["Achievement"],
                "name": name,
                "description": "SAFe® practices; Évaluation formative; 协作学习 🎓\nwith a second line",
                "achievementType": "MicroCredential",
                "creditsAvailable": 2.5,
                "criteria": {"narrative": "Scored 3+ on the rubric: «très bien»."},
            },
        },
    }
    if vc1:
        c["@context"][0] = "https://www.w3.org/2018/credentials/v1"
        c["issuanceDate"] = c.pop("validFrom")
    return copy.deepcopy(c)


def failing(report: dict) -> list[str]:
    """Ids of the checks that make a report not verified."""
    return [
        c["id"]
        for c in report["checks"]
        if c["fatal"] and c["outcome"] in ("failed", "indeterminate")
    ]


def check(report: dict, check_id: str) -> dict | None:
    return next((c for c in report["checks"] if c["id"] == check_id), None)


@pytest.fixture
def shared() -> Path:
    if not SHARED.is_dir():
        pytest.skip(f"../shared not found at {SHARED}: reference data absent")
    return SHARED


@pytest.fixture(scope="session")
def cli() -> Path:
    env = os.environ.get("OPENBADGES_CLI")
    if env:
        path = Path(env)
        # test.sh built it: its absence is a failure, not a skip.
        assert path.is_file(), f"OPENBADGES_CLI={env} does not exist"
        return path
    path = REPO / "target" / "debug" / "openbadges"
    if not path.is_file():
        pytest.skip("the native CLI is not built (cargo build --bin openbadges)")
    return path


@pytest.fixture(scope="session")
def interop() -> Path:
    if shutil.which("node") is None or not (INTEROP / "node_modules").is_dir():
        pytest.skip("node or tests/interop/node_modules missing (run `npm ci` in tests/interop)")
    return INTEROP


def node(directory: Path, script: str, args: list[str], stdin: object) -> tuple[bool, str]:
    """Runs `node <directory>/<script> <args>` with `stdin` (JSON) as input: (ok, output)."""
    out = subprocess.run(
        ["node", str(directory / script), *args],
        cwd=directory,
        input=json.dumps(stdin, ensure_ascii=False).encode("utf-8"),
        capture_output=True,
        timeout=120,
    )
    text = out.stdout.decode("utf-8", "replace") + out.stderr.decode("utf-8", "replace")
    return out.returncode == 0, text
