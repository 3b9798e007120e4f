//! The verification pipeline, in the order of OB 3.0 §Verification: parse, type, context, schema,
//! subject, proof, issuer ↔ key, validity window, status, refresh, recipient, endorsements, and
//! trust as its own phase.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use sha2::{Digest, Sha256};

use serde_json::Value;

use super::controller::ControllerResolver;
use super::options::VerifyOptions;
use super::report::{problem_types as pt, Check, Outcome, Report};
use super::structure::{self, credential_type};
use super::time;
use super::trust::TrustAnswer;
use crate::error::Result;
use crate::proof::{Expectations, ProofFailureKind, ProofOutcome, ProofVerifier};
use crate::schema::{self, SchemaKind};

/// Deepest nesting of endorsements verified (an endorsement of an endorsement …).
pub const MAX_ENDORSEMENT_DEPTH: usize = 4;

/// Verifies credentials; build once, use for thousands (it holds the processed JSON-LD contexts).
///
/// # Example
/// ```
/// use openbadges::verify::{Verifier, VerifyOptions};
/// let verifier = Verifier::new(VerifyOptions::default());
/// let report = verifier.verify_bytes(br#"{"not": "a credential"}"#)?;
/// assert!(!report.verified);
/// assert_eq!(report.check("type").unwrap().outcome, openbadges::verify::Outcome::Failed);
/// # Ok::<(), openbadges::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct Verifier {
    options: VerifyOptions,
    proofs: ProofVerifier,
    /// Verdicts on status list credentials already checked, by (issuer, SHA-256 of the list as
    /// fetched): verifying 1,000 badges on one list verifies the list once. Bounded.
    list_verdicts: Arc<Mutex<ListVerdicts>>,
}

/// Verdicts by (issuer, SHA-256 of the list).
type ListVerdicts = HashMap<(String, [u8; 32]), Result<(), String>>;

/// How many status-list verdicts a [`Verifier`] remembers.
const LIST_VERDICTS: usize = 256;

impl Verifier {
    /// A verifier with these options.
    pub fn new(options: VerifyOptions) -> Self {
        let keys = Arc::new(ControllerResolver::new(options.resolver.clone()));
        Verifier {
            proofs: ProofVerifier::new(keys),
            list_verdicts: Default::default(),
            options,
        }
    }

    /// The options in use.
    pub fn options(&self) -> &VerifyOptions {
        &self.options
    }

    /// Verifies a JSON-LD credential given as bytes. Input that is not JSON gives a report with a
    /// failed `parse` check.
    pub fn verify_bytes(&self, input: &[u8]) -> Result<Report> {
        use crate::bake::{self, Baked, ImageKind};
        let parse_failed = |detail: String, pointer: Option<&str>| {
            Ok(Report::from_checks(vec![Check::failed(
                "parse",
                pt::PARSING_ERROR,
                "Not a credential",
                detail,
                pointer,
            )]))
        };
        // A baked badge image: verify the credential inside, exactly as baked.
        if bake::detect(input) != ImageKind::Unknown {
            let mut report = match bake::extract(input) {
                Err(e) => return parse_failed(format!("the image could not be read: {e}"), None),
                Ok(None) => return parse_failed("the image carries no baked credential".into(), None),
                Ok(Some(Baked::Json(text))) => self.verify_bytes(text.as_bytes())?,
                Ok(Some(Baked::Jwt(token))) => self.verify_jwt(&token),
                Ok(Some(_)) => {
                    return parse_failed(
                        "the image carries an Open Badges 2.0 assertion, which is not verifiable as OB 3.0".into(),
                        None,
                    )
                }
            };
            report.checks.insert(
                0,
                Check::passed("baked-image").note("credential extracted from the image"),
            );
            return Ok(report);
        }
        if let Ok(text) = std::str::from_utf8(input) {
            if is_compact_jws(text) {
                return Ok(self.verify_jwt(text.trim()));
            }
        }
        match crate::json::parse(input) {
            Ok(v) => self.verify_value(&v),
            Err(e) => parse_failed(e.to_string(), e.pointer()),
        }
    }

    /// Verifies a VC-JWT: the JWS (algorithm allow-list, a key bound to the issuer through did:key
    /// or a trust-list entry, claims agreeing with the credential) replaces the embedded-proof
    /// checks; every other check runs on the credential the token carries.
    pub fn verify_jwt(&self, token: &str) -> Report {
        let credential = match crate::jwt::decode_unverified(token) {
            Ok(p) => p.get("vc").cloned().unwrap_or(p),
            Err(e) => {
                return Report::from_checks(vec![Check::failed(
                    "parse",
                    pt::PARSING_ERROR,
                    "Not a JWT credential",
                    e.to_string(),
                    None,
                )])
            }
        };
        let mut bound = crate::jwt::BoundKeys::new();
        if let Some(list) = &self.options.trust {
            for entry in &list.issuers {
                for jwk in &entry.keys {
                    if let Ok(k) = crate::jwt::JwtVerifyingKey::from_jwk(jwk) {
                        bound = bound.bind(entry.id.clone(), k);
                    }
                }
            }
        }
        // A `kid` naming a key in an https Profile or did:web document is dereferenced through
        // the resolution hook, like an embedded proof's verification method.
        let issued = crate::jwt::decode_unverified(token).ok().and_then(|p| {
            ["iat", "nbf"]
                .iter()
                .find_map(|k| p.get(*k).and_then(Value::as_i64))
                .and_then(|t| chrono::DateTime::from_timestamp(t, 0))
        });
        let resolver = ControllerJwtKeys {
            bound,
            controllers: ControllerResolver::new(self.options.resolver.clone()),
            issued,
            retired: std::sync::Mutex::new(None),
        };
        let bound = resolver;
        let jwt_options = crate::jwt::JwtVerifyOptions {
            now: Some(self.options.now()),
            skew_seconds: self.options.skew.num_seconds(),
            ..Default::default()
        };
        let mut report = self.run(&credential, 0);
        let mut signed_by = None;
        let (proof, key) = match crate::jwt::verify(token, &bound, &jwt_options) {
            Ok(v) => {
                let mut c = Check::passed("proof").note(format!("VC-JWT {}", v.algorithm.name()));
                if !v.warnings.is_empty() {
                    c = Check::warning(
                        "proof",
                        pt::PROOF_VERIFICATION_ERROR,
                        "VC-JWT verified with deviations",
                        v.warnings.join("; "),
                        None,
                    );
                }
                let kid = v.header.get("kid").and_then(Value::as_str);
                let secs = chrono::SecondsFormat::Secs;
                let retired = bound.retired.lock().ok().and_then(|r| *r);
                signed_by = report.issuer.clone().map(|controller| Signer {
                    key: kid.map(String::from),
                    controller,
                    signed_at: issued.map(|t| t.to_rfc3339_opts(secs, true)),
                    retired_from: retired.map(|r| r.to_rfc3339_opts(secs, true)),
                });
                let which = match (kid, retired) {
                    (Some(kid), Some(r)) => format!(
                        "signed with {kid}, bound to the issuer; its controller has retired it from {}, after the token was issued, so the signature stands",
                        r.to_rfc3339_opts(secs, true)
                    ),
                    (Some(kid), None) => format!("signed with {kid}, bound to the issuer"),
                    (None, _) => "the JWT key is bound to the issuer".to_string(),
                };
                (c, Check::passed("issuer-key").note(which))
            }
            Err(e) => (
                Check::failed(
                    "proof",
                    pt::PROOF_VERIFICATION_ERROR,
                    "VC-JWT not verified",
                    e.to_string(),
                    None,
                ),
                Check::skipped("issuer-key", "no verified JWT signature"),
            ),
        };
        report.checks.retain(|c| c.id != "proof-set");
        for c in report.checks.iter_mut() {
            if c.id == "proof" {
                *c = proof.clone();
            } else if c.id == "issuer-key" {
                *c = key.clone();
            }
        }
        report
            .checks
            .insert(0, Check::passed("format").note("compact JWS (VC-JWT)"));
        let trusted = report.trusted;
        let mut fresh = Report::from_checks(report.checks);
        fresh.trusted = trusted;
        fresh.issuer = report.issuer;
        fresh.credential_id = report.credential_id;
        fresh.achievement = report.achievement;
        fresh.endorsements = report.endorsements;
        fresh.signed_by = signed_by.filter(|_| {
            fresh
                .checks
                .iter()
                .all(|c| !(c.id == "issuer-key" && c.is_blocking()))
        });
        fresh
    }

    /// Verifies a parsed JSON-LD credential (the document exactly as received).
    pub fn verify_value(&self, doc: &Value) -> Result<Report> {
        Ok(self.run(doc, 0))
    }

    fn run(&self, doc: &Value, depth: usize) -> Report {
        let mut checks = Vec::new();
        if !doc.is_object() {
            let what = if doc.is_string() {
                "a JSON string (a credential must be an object; was it encoded twice?)"
            } else {
                "not a JSON object"
            };
            checks.push(Check::failed(
                "parse",
                pt::PARSING_ERROR,
                "Not a credential",
                format!("the input is {what}"),
                Some(""),
            ));
            return Report::from_checks(checks);
        }
        checks.push(Check::passed("parse"));
        let ty_check = structure::type_check(doc);
        let ty = credential_type(doc).unwrap_or("");
        checks.push(ty_check);
        let (ctx_check, _v1) = structure::context_check(doc, ty);
        checks.push(ctx_check);
        checks.push(structure::issuer_check(doc));
        checks.push(structure::subject_check(doc, ty));
        checks.push(self.schema_check(doc));
        checks.push(data_model_check(doc));

        let issuer = issuer_id(doc);
        let outcomes = match self.proofs.verify(doc, &self.expectations()) {
            Ok(o) => o,
            Err(e) => {
                checks.push(Check::failed(
                    "proof",
                    pt::PROOF_VERIFICATION_ERROR,
                    "Proof not verified",
                    e.to_string(),
                    Some("/proof"),
                ));
                vec![]
            }
        };
        let (proof_checks, signer) = proof_checks(doc, &outcomes);
        checks.extend(proof_checks);
        checks.push(issuer_key_check(issuer.as_deref(), signer.as_ref()));
        let signed_by = signer.filter(|_| {
            checks.iter().all(|c| {
                !(matches!(c.id.as_str(), "proof" | "proof-set" | "issuer-key") && c.is_blocking())
            })
        });

        let now = self.options.now();
        checks.push(time::validity_window(
            doc,
            now,
            self.options.skew,
            self.options.relax.accept_expired,
        ));

        if self.options.relax.skip_status {
            checks.push(Check::skipped(
                "status",
                "status checking was switched off (danger)",
            ));
        } else {
            let verify_list = |list: &Value, issuer: &str| self.verify_status_list(list, issuer);
            checks.push(crate::status::status_check(
                doc,
                &*self.options.resolver,
                &verify_list,
                self.options.relax.status_unknown_is_warning,
            ));
        }
        if let Some(r) = doc.get("refreshService") {
            let url = r.get("id").and_then(Value::as_str).unwrap_or("?");
            checks.push(Check::skipped(
                "refresh",
                format!("the issuer offers a refresh service at {url}; not contacted (offline)"),
            ));
        }
        checks.push(structure::recipient_check(
            doc,
            self.options.recipient.as_ref(),
        ));

        let mut endorsements = Vec::new();
        if depth < MAX_ENDORSEMENT_DEPTH {
            for (ptr, e) in find_endorsements(doc) {
                // `endorsementJwt` entries are compact JWS strings; `endorsement` entries objects.
                let mut r = match e.as_str() {
                    Some(token) => self.verify_jwt(token),
                    None => self.run(e, depth + 1),
                };
                r.source = Some(format!("endorsement at {ptr}"));
                endorsements.push(r);
            }
        }
        if !endorsements.is_empty() {
            let bad = endorsements.iter().filter(|r| !r.verified).count();
            checks.push(if bad == 0 {
                Check::passed("endorsements")
                    .note(format!("{} endorsement(s) verified", endorsements.len()))
            } else {
                Check::warning(
                    "endorsements",
                    pt::PROOF_VERIFICATION_ERROR,
                    "Endorsement not verified",
                    format!(
                        "{bad} of {} endorsement(s) did not verify",
                        endorsements.len()
                    ),
                    None,
                )
            });
        }

        // Trust: its own phase, never part of `verified`.
        let achievement_id = doc
            .pointer("/credentialSubject/achievement/id")
            .and_then(Value::as_str);
        let trusted = match (&self.options.trust, issuer.as_deref()) {
            (None, _) => {
                checks.push(Check::skipped("trust", "no trust list given"));
                None
            }
            (Some(_), None) => {
                checks.push(Check::with_problem(
                    "trust",
                    Outcome::Indeterminate,
                    false,
                    pt::UNTRUSTED_ISSUER,
                    "No issuer",
                    "the credential names no issuer id",
                    Some("/issuer"),
                ));
                None
            }
            (Some(list), Some(iss)) => match list.answer(iss, achievement_id) {
                TrustAnswer::Registered => {
                    checks
                        .push(Check::passed("trust").note(format!("`{iss}` is on the trust list")));
                    Some(true)
                }
                other => {
                    let why = if other == TrustAnswer::NotRegisteredForAchievement {
                        format!("`{iss}` is on the trust list, but not for this achievement")
                    } else {
                        format!("`{iss}` is not on the trust list")
                    };
                    checks.push(Check::with_problem(
                        "trust",
                        Outcome::Warning,
                        false,
                        pt::UNTRUSTED_ISSUER,
                        "Issuer not trusted",
                        why,
                        Some("/issuer"),
                    ));
                    Some(false)
                }
            },
        };

        let mut report = Report::from_checks(checks);
        report.trusted = trusted;
        report.signed_by = signed_by;
        report.issuer = issuer;
        report.credential_id = doc.get("id").and_then(Value::as_str).map(String::from);
        report.achievement = doc
            .pointer("/credentialSubject/achievement/name")
            .or_else(|| doc.get("name"))
            .and_then(Value::as_str)
            .map(String::from);
        report.endorsements = endorsements;
        report
    }

    fn expectations(&self) -> Expectations {
        let mut e = Expectations::assertion();
        e.now = Some(self.options.now());
        e.legacy_suites = self.options.legacy_suites;
        e
    }

    fn schema_check(&self, doc: &Value) -> Check {
        const ID: &str = "schema";
        if self.options.relax.skip_schema {
            return Check::skipped(ID, "schema checking was switched off (danger)");
        }
        let schemas: Vec<(usize, &Value)> = match doc.get("credentialSchema") {
            Some(Value::Array(a)) => a.iter().enumerate().collect(),
            Some(v) => vec![(0, v)],
            None => {
                // No schema named: check against the bundled OB 3.0 schema for the credential's
                // type and VC version, as the 1EdTech validator does.
                let v1 =
                    doc.pointer("/@context/0").and_then(Value::as_str) == Some(structure::VC_V1);
                let kind = match (credential_type(doc), v1) {
                    (Some("OpenBadgeCredential" | "AchievementCredential"), false) => {
                        SchemaKind::AchievementCredential
                    }
                    (Some("OpenBadgeCredential" | "AchievementCredential"), true) => {
                        SchemaKind::AnyAchievementCredential
                    }
                    (Some("EndorsementCredential"), false) => SchemaKind::EndorsementCredential,
                    _ => return Check::skipped(ID, "no bundled schema for this credential type"),
                };
                let errors = schema::validate(kind, doc);
                return match errors.first() {
                    None => Check::passed(ID).note(format!("bundled {}", kind.bundled_id())),
                    Some(first) => Check::failed(
                        ID,
                        pt::SCHEMA_ERROR,
                        "Not an Open Badges 3.0 credential",
                        format!(
                            "{} ({} schema error(s); expected the OB 3.0 data model)",
                            first.message,
                            errors.len()
                        ),
                        Some(&first.pointer),
                    ),
                };
            }
        };
        let mut checked = Vec::new();
        for (i, s) in schemas {
            if s.get("type").and_then(Value::as_str) != Some("1EdTechJsonSchemaValidator2019") {
                continue;
            }
            let id = s.get("id").and_then(Value::as_str).unwrap_or("");
            let Some(kind) = SchemaKind::from_credential_schema_id(id) else {
                return Check::with_problem(ID, Outcome::Indeterminate, false, pt::SCHEMA_ERROR, "Unknown schema",
                    format!("credentialSchema `{id}` is not one of the bundled OB 3.0 and CLR 2.0 schemas; not fetched (offline)"),
                    Some(&format!("/credentialSchema/{i}")));
            };
            let errors = schema::validate(kind, doc);
            if let Some(first) = errors.first() {
                return Check::failed(
                    ID,
                    pt::SCHEMA_ERROR,
                    "Schema validation failed",
                    format!("{} ({} error(s) against {id})", first.message, errors.len()),
                    Some(&first.pointer),
                );
            }
            checked.push(id.to_string());
        }
        if checked.is_empty() {
            Check::skipped(ID, "no 1EdTechJsonSchemaValidator2019 schema named")
        } else {
            Check::passed(ID).note(checked.join(", "))
        }
    }

    /// Verifies a status list credential: a valid proof by a key its issuer controls, the issuer
    /// being `issuer`, and its validity window.
    fn verify_status_list(&self, list: &Value, issuer: &str) -> Result<(), String> {
        // The verdict depends on the list, the issuer and the clock; the clock is fixed per
        // Verifier only when `at` was given, so cache only then or for a short-lived verifier.
        let key = (
            issuer.to_string(),
            Sha256::digest(list.to_string().as_bytes()).into(),
        );
        if self.options.now.is_some() {
            if let Some(v) = self
                .list_verdicts
                .lock()
                .ok()
                .and_then(|m| m.get(&key).cloned())
            {
                return v;
            }
        }
        let verdict = self.verify_status_list_uncached(list, issuer);
        if self.options.now.is_some() {
            if let Ok(mut m) = self.list_verdicts.lock() {
                if m.len() >= LIST_VERDICTS {
                    m.clear();
                }
                m.insert(key, verdict.clone());
            }
        }
        verdict
    }

    fn verify_status_list_uncached(&self, list: &Value, issuer: &str) -> Result<(), String> {
        let list_issuer = issuer_id(list).unwrap_or_default();
        if list_issuer != issuer {
            return Err(format!(
                "its issuer is `{list_issuer}`, not the credential's issuer `{issuer}`"
            ));
        }
        let outcomes = self
            .proofs
            .verify(list, &self.expectations())
            .map_err(|e| e.to_string())?;
        let (checks, signer) = proof_checks(list, &outcomes);
        if let Some(c) = checks.iter().find(|c| c.is_blocking()) {
            return Err(c
                .problem
                .as_ref()
                .map_or("proof failed".into(), |p| p.detail.clone()));
        }
        let key = issuer_key_check(Some(&list_issuer), signer.as_ref());
        if key.is_blocking() {
            return Err(key.problem.map_or("key check failed".into(), |p| p.detail));
        }
        let window = time::validity_window(list, self.options.now(), self.options.skew, false);
        if window.is_blocking() {
            return Err(window
                .problem
                .map_or("outside its validity window".into(), |p| p.detail));
        }
        Ok(())
    }
}

/// `data-model`: the OB 3.0 class rules the official JSON Schemas leave open (e.g. a
/// `credentialSubject` whose `type` is not `AchievementSubject`), from [`crate::lint`].
fn data_model_check(doc: &Value) -> Check {
    if credential_type(doc) == Some("ClrCredential") {
        // The OB 3.0 lint does not apply to the CLR wrapper; its nested credentials are linted
        // one by one when `crate::clr::verify_clr` verifies them.
        return match crate::clr::data_model_problem(doc) {
            None => Check::passed("data-model").note("CLR 2.0"),
            Some((detail, pointer)) => Check::failed(
                "data-model",
                pt::MALFORMED_VALUE_ERROR,
                "Does not follow the CLR 2.0 data model",
                detail,
                Some(&pointer),
            ),
        };
    }
    let findings = crate::lint::lint(doc);
    let errors: Vec<_> = findings
        .iter()
        .filter(|f| f.severity == crate::lint::Severity::Error)
        .collect();
    match errors.first() {
        None => Check::passed("data-model"),
        Some(f) => Check::failed(
            "data-model",
            pt::MALFORMED_VALUE_ERROR,
            "Does not follow the OB 3.0 data model",
            format!(
                "{}; expected {} ({} finding(s); run `openbadges lint` for all)",
                f.message,
                f.expected,
                errors.len()
            ),
            Some(&f.pointer),
        ),
    }
}

/// Verifies one credential with `options` (see [`Verifier`] to verify many).
pub fn verify(input: &[u8], options: &VerifyOptions) -> Result<Report> {
    Verifier::new(options.clone()).verify_bytes(input)
}

fn is_compact_jws(text: &str) -> bool {
    let t = text.trim();
    t.starts_with("eyJ")
        && t.split('.').count() == 3
        && t.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_' || b == b'.')
}

pub(crate) fn issuer_id(doc: &Value) -> Option<String> {
    match doc.get("issuer") {
        Some(Value::String(s)) => Some(s.clone()),
        Some(Value::Object(o)) => o.get("id").and_then(Value::as_str).map(String::from),
        _ => None,
    }
}

/// JWT key binding: trust-list keys and did:key first, then a `kid` that dereferences (https
/// Profile, did:web) to a key controlled by the issuer and not retired when the token was issued.
struct ControllerJwtKeys {
    bound: crate::jwt::BoundKeys,
    controllers: ControllerResolver,
    issued: Option<chrono::DateTime<chrono::Utc>>,
    /// When the key a `kid` named was retired (before the token was issued, or it is refused).
    retired: std::sync::Mutex<Option<chrono::DateTime<chrono::Utc>>>,
}

impl crate::jwt::JwtKeyResolver for ControllerJwtKeys {
    fn key_for(
        &self,
        kid: Option<&str>,
        jwk: Option<&crate::jwt::JwtVerifyingKey>,
        issuer: &str,
    ) -> Result<Option<crate::jwt::JwtVerifyingKey>> {
        if let Some(k) = self.bound.key_for(kid, jwk, issuer)? {
            return Ok(Some(k));
        }
        let Some(kid) = kid.filter(|k| k.starts_with("https://") || k.starts_with("did:web:"))
        else {
            return Ok(None);
        };
        use crate::keys::KeyResolver as _;
        let vm = self.controllers.resolve(kid, "assertionMethod")?;
        if vm.controller != issuer {
            return Err(crate::error::Error::key(format!(
                "the kid `{kid}` is controlled by `{}`, not by the issuer `{issuer}`",
                vm.controller
            )));
        }
        if let Some(retired) = vm.retired_from() {
            match self.issued {
                Some(t) if t < retired => {
                    if let Ok(mut r) = self.retired.lock() {
                        *r = Some(retired);
                    }
                }
                _ => {
                    return Err(crate::error::Error::key(format!(
                        "the key `{kid}` was retired by its controller on {retired}; the token was not issued before that (iat/nbf)"
                    )))
                }
            }
        }
        Ok(Some(crate::jwt::JwtVerifyingKey::Ed25519(vm.key)))
    }
}

/// The signer of the accepted proof.
type Signer = crate::verify::report::SignedBy;

fn proof_checks(doc: &Value, outcomes: &[ProofOutcome]) -> (Vec<Check>, Option<Signer>) {
    let mut checks = Vec::new();
    if outcomes.is_empty() {
        let detail = match doc.get("proof") {
            Some(Value::Null) => "`proof` is null",
            _ => "the credential has no embedded proof",
        };
        checks.push(Check::failed(
            "proof",
            pt::PROOF_VERIFICATION_ERROR,
            "No proof",
            detail,
            Some("/proof"),
        ));
        return (checks, None);
    }
    let good = outcomes.iter().find(|o| o.result.is_ok());
    match good {
        Some(o) => {
            checks.push(Check::passed("proof").note(format!(
                "{} by {}",
                o.suite.as_deref().unwrap_or(&o.proof_type),
                o.verification_method.as_deref().unwrap_or("?")
            )));
            // Beside a valid proof, a proof of a type we do not know is a warning (1EdTech's
            // validator accepts such a credential); a known proof that fails (a bad signature, a
            // broken chain) makes the whole proof set fail (VC Data Integrity, proof sets/chains).
            for bad in outcomes.iter().filter(|x| x.result.is_err()) {
                let Err(f) = &bad.result else { continue };
                let detail = format!(
                    "proof #{} ({}) did not verify: {f}",
                    bad.index, bad.proof_type
                );
                let pointer = format!("{}{}", bad.pointer, f.pointer);
                if matches!(
                    f.kind,
                    ProofFailureKind::UnknownSuite | ProofFailureKind::SuiteDisabled
                ) {
                    checks.push(Check::warning(
                        "proof-set",
                        pt::PROOF_VERIFICATION_ERROR,
                        "Unknown proof beside a valid one",
                        detail,
                        Some(&pointer),
                    ));
                } else {
                    checks.push(Check::failed(
                        "proof-set",
                        pt::PROOF_VERIFICATION_ERROR,
                        "A proof in the set did not verify",
                        detail,
                        Some(&pointer),
                    ));
                }
            }
            let signer = o
                .verification_method
                .clone()
                .zip(o.controller.clone())
                .map(|(vm, c)| Signer {
                    key: Some(vm),
                    controller: c,
                    signed_at: o.created.clone(),
                    retired_from: o
                        .key_retired
                        .map(|r| r.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)),
                });
            (checks, signer)
        }
        None => {
            // Report the most telling failure: a real signature/key failure over an unknown type.
            let o = outcomes
                .iter()
                .find(
                    |o| !matches!(o.result, Err(ref f) if f.kind == ProofFailureKind::UnknownSuite),
                )
                .unwrap_or(&outcomes[0]);
            let f = o.result.as_ref().err().cloned();
            let (kind, title) = match f.as_ref().map(|f| f.kind) {
                Some(ProofFailureKind::DataLoss) => {
                    (pt::DATA_LOSS_DETECTION_ERROR, "JSON-LD data loss")
                }
                Some(ProofFailureKind::VerificationMethod) => (
                    pt::INVALID_VERIFICATION_METHOD,
                    "Verification method not usable",
                ),
                Some(ProofFailureKind::ProofValue)
                | Some(ProofFailureKind::Malformed)
                | Some(ProofFailureKind::UnknownSuite) => {
                    (pt::PROOF_VERIFICATION_ERROR, "Malformed or unknown proof")
                }
                _ => (pt::PROOF_VERIFICATION_ERROR, "Signature not verified"),
            };
            let pointer = f.as_ref().map(|f| {
                if f.kind == ProofFailureKind::DataLoss {
                    f.pointer.clone()
                } else {
                    format!("{}{}", o.pointer, f.pointer)
                }
            });
            checks.push(Check::failed(
                "proof",
                kind,
                title,
                f.map(|f| f.message).unwrap_or_default(),
                pointer.as_deref(),
            ));
            (checks, None)
        }
    }
}

fn issuer_key_check(issuer: Option<&str>, signer: Option<&Signer>) -> Check {
    const ID: &str = "issuer-key";
    let Some(Signer {
        key: Some(vm),
        controller,
        signed_at,
        retired_from,
    }) = signer
    else {
        return Check::skipped(
            ID,
            "no verified proof, so no signing key to bind to the issuer",
        );
    };
    let Some(issuer) = issuer else {
        return Check::failed(
            ID,
            pt::MALFORMED_VALUE_ERROR,
            "No issuer",
            "the credential names no issuer id",
            Some("/issuer"),
        );
    };
    if controller == issuer {
        let when = match retired_from {
            Some(r) => format!(
                "; its controller has retired it from {r}, after this proof was created ({}), so the proof stands",
                signed_at.as_deref().unwrap_or("?")
            ),
            None => String::new(),
        };
        return Check::passed(ID).note(format!("signed with {vm}, controlled by the issuer{when}"));
    }
    let can_control = issuer.starts_with("did:")
        || issuer.starts_with("https://")
        || issuer.starts_with("http://");
    if can_control {
        Check::failed(ID, pt::INVALID_VERIFICATION_METHOD, "Key not the issuer's",
            format!("the proof was made with {vm}, controlled by `{controller}`, not by the issuer `{issuer}`"),
            Some("/issuer"))
    } else {
        Check::warning(ID, pt::ISSUER_UNPROVEN, "Issuer identity unproven",
            format!("the issuer id `{issuer}` cannot control keys; the signing key {vm} is controlled by `{controller}` — trust decisions rest on that controller"),
            Some("/issuer"))
    }
}

/// Embedded EndorsementCredentials: on the credential, the issuer profile, and the achievement.
fn find_endorsements(doc: &Value) -> Vec<(String, &Value)> {
    let mut out = Vec::new();
    for base in [
        "",
        "/issuer",
        "/credentialSubject/achievement",
        "/credentialSubject/achievement/creator",
    ] {
        for key in ["endorsement", "endorsementJwt"] {
            if let Some(Value::Array(a)) = doc.pointer(&format!("{base}/{key}")) {
                for (i, e) in a.iter().enumerate() {
                    out.push((format!("{base}/{key}/{i}"), e));
                }
            }
        }
    }
    out
}
