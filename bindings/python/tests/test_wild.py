"""Verdicts the ecosystem agrees with, from Python: every signed credential in ../shared/wild (from
other implementations, with provenance and what their source says of them) gets the verdict its
source expects, for the right reason — the same rules as tests/wild.rs.

Each file is verified offline with the documents its README row lists, served through
`resources`. Credentials their source calls valid are verified at a time inside their own
validity window; the others at a fixed time."""

from __future__ import annotations

import base64
import json
from collections import Counter
from datetime import datetime, timedelta, timezone
from pathlib import Path

import openbadges

AT = datetime(2026, 11, 1, tzinfo=timezone.utc)
P = "https://openbadges.rs/problems#"
PROOF_FAILED = ("proof", None)

# Credentials their source calls valid that the library does not verify, with the check and the
# words that say why (the same list, with the same reasons, as tests/wild.rs).
EXCEPTIONS = {
    "waltid/openbadgecredential_sample.signed.jwt": ("proof", "not controlled by the issuer"),
    "vc-test-fixtures/v1_dataIntegrityProof_didKey_legacyRegistry-noStatus-noExpiry-oldDCCExample.json": (
        "proof",
        "https://w3id.org/dcc/v1",
    ),
    "vc-ed/plugfest-1-ex-1.json": ("proof", "jff-vc-edu-plugfest-1-context"),
    "vc-ed/plugfest-1-ex-2.json": ("proof", "jff-vc-edu-plugfest-1-context"),
    "sphereon/vc_edu-plugfest-diwala.json": ("proof", "signature does not match"),
}


def rows(readme: str) -> list[tuple[str, str, list[tuple[str, str]]]]:
    out = []
    for line in readme.splitlines():
        if not line.startswith("| ") or line.startswith("| file"):
            continue
        cells = [c.strip() for c in line.strip().strip("|").split(" | ")]
        if len(cells) < 7:
            continue
        resources = []
        if cells[6] != "–":
            for r in cells[6].split("; "):
                if " = " in r:
                    url, file = r.split(" = ", 1)
                    resources.append((url, file))
        out.append((cells[0], cells[5], resources))
    return out


def expectation(words: str) -> str:
    w = words.lower()
    if "sd-jwt" in w:
        return "unsupported-format"
    for prefix, expect in [
        ("valid", "verified"),
        ("revoked+expired", "revoked-or-expired"),
        ("revoked", "revoked"),
        ("expired", "expired"),
        ("not yet valid", "not-yet-valid"),
        ("tampered", "tampered"),
    ]:
        if w.startswith(prefix):
            return expect
    if "did:web unresolvable" in w:
        return "key-unavailable"
    if "status check error" in w or "status list unreachable" in w:
        return "status-unchecked"
    if w.startswith("fatal") or "schema invalid" in w:
        return "refused"
    return "unknown"


def blocking(c: dict) -> bool:
    return c["fatal"] and c["outcome"] in ("failed", "indeterminate")


def failed_for(r: dict, check_id: str, kind: str | None = None) -> bool:
    return any(
        c["id"] == check_id
        and blocking(c)
        and (kind is None or c.get("problem", {}).get("type") == kind)
        for c in r["checks"]
    )


def right_reason(expect: str, r: dict) -> bool:
    revoked = failed_for(r, "status", P + "revoked")
    expired = failed_for(r, "validity-window", P + "expired")
    no = not r["verified"]
    return {
        "verified": r["verified"],
        "revoked": no and revoked,
        "expired": no and expired,
        "revoked-or-expired": no and (revoked or expired),
        "not-yet-valid": no and failed_for(r, "validity-window", P + "not-yet-valid"),
        "tampered": no and (failed_for(r, "proof") or failed_for(r, "proof-set")),
        "key-unavailable": no
        and any(
            c["id"] == "proof"
            and c["outcome"] == "indeterminate"
            and c.get("problem", {}).get("type") == P + "key-retrieval"
            for c in r["checks"]
        ),
        "status-unchecked": no
        and any(c["id"] == "status" and c["outcome"] == "indeterminate" for c in r["checks"]),
        "unsupported-format": no and failed_for(r, "format", P + "unsupported-format"),
        "refused": no,
        "unknown": True,
    }[expect]


def _date(v: object) -> datetime | None:
    if isinstance(v, str):
        try:
            return datetime.fromisoformat(v.replace("Z", "+00:00")).astimezone(timezone.utc)
        except ValueError:
            return None
    if isinstance(v, (int, float)) and not isinstance(v, bool):
        return datetime.fromtimestamp(int(v), timezone.utc)
    return None


def the_credential(data: bytes) -> dict | None:
    """The credential inside a file (a VC-JWT's payload, with its nbf/exp), for its dates."""
    try:
        text = data.decode("utf-8").strip()
    except UnicodeDecodeError:
        return None
    if text.startswith("eyJ"):
        part = text.split(".")[1]
        payload = json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))
        c = dict(payload.get("vc", payload))
        for claim, field in (("nbf", "jwtNbf"), ("exp", "jwtExp")):
            if claim in payload:
                c[field] = payload[claim]
        return c
    try:
        v = json.loads(text)
    except ValueError:
        return None
    return v if isinstance(v, dict) else None


def valid_time(c: dict) -> datetime:
    until = [d for k in ("validUntil", "expirationDate", "jwtExp") if (d := _date(c.get(k)))]
    since = [d for k in ("validFrom", "issuanceDate", "jwtNbf") if (d := _date(c.get(k)))]
    if since and until and min(until) < AT:
        return max(since) + timedelta(minutes=10)
    return AT


def test_every_credential_from_other_implementations_gets_its_sources_verdict(shared: Path) -> None:
    wild = shared / "wild"
    assert (wild / "README.md").is_file(), "../shared is present but wild/README.md is not"
    listed = rows((wild / "README.md").read_text("utf-8"))
    assert len(listed) >= 100, f"the wild README lists {len(listed)} files"
    counts: Counter = Counter()
    wrong = []
    for file, words, res in listed:
        data = (wild / file).read_bytes()
        expect = expectation(words)
        resources = {url: (wild / f).read_bytes() for url, f in res}
        c = the_credential(data)
        at = valid_time(c) if expect == "verified" and c is not None else AT
        report = openbadges.verify(data, at=at, resources=resources)
        if file in EXCEPTIONS:
            check_id, why = EXCEPTIONS[file]
            ok = not report["verified"] and any(
                x["id"] == check_id and blocking(x) and why in x.get("problem", {}).get("detail", "")
                for x in report["checks"]
            )
        else:
            ok = right_reason(expect, report)
        counts[(expect, report["verified"])] += 1
        if not ok:
            wrong.append(f"{file} (source: {words}): {report['headline']}")
    for (expect, verified), n in sorted(counts.items()):
        print(f"wild: source says {expect}: {n} {'verified' if verified else 'not verified'}")
    assert not wrong, f"{len(wrong)} wrong verdicts:\n" + "\n".join(wrong)
    # Guard against passing by verifying nothing: most of the corpus is valid and verifies.
    assert counts[("verified", True)] >= 70, counts


def test_headlines_say_which_question_failed(shared: Path) -> None:
    wild = shared / "wild"
    status = (
        "https://raw.githubusercontent.com/digitalcredentials/verifier-core/refs/heads/main/"
        "src/test-fixtures/status/e5WK8CbZ1GjycuPombrj"
    )
    resources = {status: (wild / "verifier-core/res-status-e5WK8CbZ1GjycuPombrj.json").read_bytes()}

    def headline(f: str) -> str:
        return openbadges.verify((wild / f).read_bytes(), at=AT, resources=resources)["headline"]

    assert headline("verifier-core/v2Revoked.json") == "NOT VERIFIED (revoked)"
    assert headline("verifier-core/v2Expired.json") == "NOT VERIFIED (expired)"
    assert (
        headline("verifier-core/derived-v2Tampered.json")
        == "NOT VERIFIED (signature does not match: altered or forged)"
    )
    assert headline("verifier-core/v2WithBadDidWeb.json").startswith(
        "NOT VERIFIED (could not check: the issuer's key document for `did:web:"
    )
