"""Open Badges 3.0 in Python: verify, issue, import, bake and extract credentials.

The work is done by the `openbadges` Rust library (this module is its PyO3 binding). Every
function takes untrusted input safely: the library's size and depth limits apply, and bad input
raises a subclass of `openbadges.Error` (or `TypeError` for an argument of the wrong Python type),
never anything that stops the interpreter. The GIL is released while the library works.

Example::

    import openbadges
    key = openbadges.keygen()                       # a private JWK (Ed25519)
    signed = openbadges.issue(credential, key)      # eddsa-rdfc-2022 by default
    report = openbadges.verify(signed)
    assert report["verified"], report["headline"]
"""

from datetime import datetime
from typing import Any, Dict, List, Literal, Mapping, Optional, TypedDict, Union

__version__: str

Json = Dict[str, Any]
Document = Union[bytes, bytearray, str, Dict[str, Any]]
Suite = Literal[
    "eddsa-rdfc-2022",
    "eddsa-jcs-2022",
    "Ed25519Signature2020",
    "jwt-eddsa",
    "jwt-es256",
    "jwt-rs256",
]

class Problem(TypedDict, total=False):
    type: str
    title: str
    detail: str
    instance: str

class Check(TypedDict, total=False):
    id: str
    outcome: Literal["passed", "failed", "warning", "skipped", "indeterminate"]
    fatal: bool
    problem: Problem
    note: str

class Report(TypedDict, total=False):
    """The library's Report JSON plus `headline`."""

    verified: bool
    headline: str
    checks: List[Check]
    trusted: bool
    credential_id: str
    issuer: str
    achievement: str
    source: str
    signedBy: Dict[str, str]
    endorsements: List["Report"]
    credentials: List["Report"]

class Imported(TypedDict):
    credential: Json
    format: Literal["json-ld", "jwt", "ob2", "other"]
    source: str
    verifiable: bool
    original: Optional[str]

def verify(
    data: Document,
    at: Union[str, datetime, None] = None,
    trust: Optional[Json] = None,
    resources: Optional[Mapping[str, Document]] = None,
    strict: bool = False,
) -> Report:
    """Verifies a credential in any form: JSON-LD (bytes, str or dict), a VC-JWT, a baked PNG or
    SVG, a presentation or a CLR. Offline: remote documents (status lists, DID documents) come
    only from `resources` (URL -> document). `at` is the time dates are judged at (RFC 3339 or an
    aware datetime; default now). `trust` is a trust list `{"issuers": [{"id": ...}]}`.
    `strict=True` makes conformance findings fatal (the 1EdTech validator's outcome).

    A credential that fails verification gives a report with `verified: False` and the reason in
    `headline`; an exception means the input could not be processed at all."""

def issue(
    credential: Json,
    key: Union[Json, bytes],
    suite: Suite = "eddsa-rdfc-2022",
    *,
    at: Union[str, datetime, None] = None,
) -> Union[Json, str]:
    """Fills what `credential` lacks (issuer: the key's did:key; `id`; `validFrom` or
    `issuanceDate`) and secures it, as of `at` (RFC 3339 or an aware datetime; default now).
    `key` is a private JWK (Ed25519, P-256, RSA) or a 32-byte Ed25519 seed. Returns the signed
    credential, or for `jwt-*` suites the compact JWS."""

def import_(data: Document) -> List[Imported]:
    """Every credential in `data` (JSON-LD, VC-JWT, baked PNG/SVG, presentation, CLR, Open Badges
    2.0 assertion), not verified."""

def extract(image: Union[bytes, bytearray]) -> Optional[str]:
    """The credential baked into a PNG or SVG, exactly as baked (JSON text or a compact JWS), or
    None when the image carries none."""

def bake(image: Union[bytes, bytearray], credential: Union[Json, str]) -> bytes:
    """The PNG or SVG with `credential` (a dict, JSON text or a compact JWS) baked in."""

def keygen(algorithm: Literal["ed25519", "p256", "p-256", "rsa"] = "ed25519") -> Json:
    """A new private JWK; `kid` is its did:key verification method when the key has one."""

class Error(Exception):
    """Base of every error this module raises."""

    kind: str
    """The crate's ErrorKind: json, limit, model, json-ld, canonicalization, key, proof,
    resolve, io, usage."""
    message: str
    """The innermost message, without context."""
    pointer: Optional[str]
    """JSON Pointer to the offending place in the input, when known."""
    code: Optional[str]
    """For JSON-LD errors, the JSON-LD 1.1 error code."""

class JsonError(Error): ...
class LimitError(Error): ...
class ModelError(Error): ...
class JsonLdError(Error): ...
class CanonicalizationError(Error): ...
class InvalidKeyError(Error): ...
class ProofError(Error): ...
class ResolveError(Error): ...
class IoError(Error): ...
class UsageError(Error): ...
