//! The verification pipeline: one input detector, one securing stage, then an ordered list of
//! stages over the signed view of the credential (see the [module docs](super)).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use serde_json::Value;
use sha2::{Digest, Sha256};

use super::controller::ControllerResolver;
use super::input::{detect, json_kind, Input, JsonKind};
use super::options::VerifyOptions;
use super::report::{Report, SignedBy};
use super::structure::{self, credential_type};
use super::time;
use super::trust::TrustAnswer;
use crate::check::{problem_types as pt, Check, CheckId, Outcome};
use crate::error::{ErrorKind, Result};
use crate::jsonld::Processor;
use crate::keys::batch::Deferred;
use crate::proof::{Expectations, ProofFailureKind, ProofOutcome, ProofVerifier};
use crate::schema::{self, SchemaKind};
use crate::vocab::{can_control_keys, issuer_id, same_identity};

/// Deepest nesting of endorsements verified (an endorsement of an endorsement …).
pub const MAX_ENDORSEMENT_DEPTH: usize = 4;
/// Deepest nesting of credentials inside presentations and CLRs (a CLR in a CLR in a VP …).
pub const MAX_NESTING_DEPTH: usize = 4;
/// Most credentials a presentation or CLR may carry.
pub const MAX_NESTED_CREDENTIALS: usize = 1000;

/// Verifies credentials, presentations and CLRs; build once, use for thousands (it holds the
/// processed JSON-LD contexts and the status-list verdicts).
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
    processor: Arc<Processor>,
    /// Verdicts on status list credentials already checked, by SHA-256 of (issuer, list): verifying
    /// 1,000 badges on one list verifies the list once. Bounded.
    list_verdicts: Arc<Mutex<ListVerdicts>>,
    /// Threads that may verify the credentials of one CLR or presentation at once.
    threads: usize,
    /// What [`Verifier::verify_many`] did, for [`Verifier::batch_stats`].
    pub(super) batch: Arc<super::many::BatchCounters>,
}

/// A CLR or presentation with fewer nested credentials than this verifies them on the calling
/// thread (starting threads costs more than it saves).
const PARALLEL_NESTED_MIN: usize = 8;

type ListVerdicts = HashMap<[u8; 32], std::result::Result<String, String>>;

/// How many status-list verdicts a [`Verifier`] remembers.
const LIST_VERDICTS: usize = 256;

/// How a credential is secured.
#[derive(Clone, Copy)]
enum Securing<'a> {
    /// Embedded Data Integrity proof(s).
    Embedded,
    /// A VC-JWT carrying the credential.
    Jwt(&'a str),
}

/// What the stages of one credential share.
struct Ctx<'a> {
    doc: &'a Value,
    depth: usize,
    securing: Securing<'a>,
    /// Where this document's own Ed25519 signature checks (and those of what it carries:
    /// nested credentials, endorsements) are put off to, under [`Verifier::verify_many`]. Never
    /// used for a status list, whose verdict outlives the document (`list_verdicts`).
    defer: Option<&'a Deferred>,
    checks: Vec<Check>,
    signer: Option<SignedBy>,
    /// A VC-JWT's `nbf` and `exp`.
    jwt_window: (Option<f64>, Option<f64>),
    endorsements: Vec<Report>,
    credentials: Vec<Report>,
    trusted: Option<bool>,
}

impl Ctx<'_> {
    fn blocked(&self, ids: &[CheckId]) -> bool {
        self.checks
            .iter()
            .any(|c| ids.contains(&c.id) && c.is_blocking())
    }
}

/// One stage of the pipeline: a name (for the docs and tests) and the function that adds its
/// check(s).
struct Stage {
    name: &'static str,
    run: fn(&Verifier, &mut Ctx<'_>),
}

/// The stages a credential goes through, in order. Adding a check is adding a stage here.
const CREDENTIAL_STAGES: &[Stage] = &[
    Stage {
        name: "type",
        run: Verifier::stage_type,
    },
    Stage {
        name: "context",
        run: Verifier::stage_context,
    },
    Stage {
        name: "issuer",
        run: Verifier::stage_issuer,
    },
    Stage {
        name: "signed-terms",
        run: Verifier::stage_signed_terms,
    },
    Stage {
        name: "proof",
        run: Verifier::stage_proof,
    },
    Stage {
        name: "validity-window",
        run: Verifier::stage_validity_window,
    },
    Stage {
        name: "status",
        run: Verifier::stage_status,
    },
    Stage {
        name: "subject",
        run: Verifier::stage_subject,
    },
    Stage {
        name: "schema",
        run: Verifier::stage_schema,
    },
    Stage {
        name: "data-model",
        run: Verifier::stage_data_model,
    },
    Stage {
        name: "nested-credentials",
        run: Verifier::stage_clr,
    },
    Stage {
        name: "refresh",
        run: Verifier::stage_refresh,
    },
    Stage {
        name: "recipient",
        run: Verifier::stage_recipient,
    },
    Stage {
        name: "endorsements",
        run: Verifier::stage_endorsements,
    },
    Stage {
        name: "trust",
        run: Verifier::stage_trust,
    },
];

/// The stage names in order (for documentation and tests).
pub fn stage_names() -> Vec<&'static str> {
    CREDENTIAL_STAGES.iter().map(|s| s.name).collect()
}

fn failed_report(
    id: CheckId,
    kind: &str,
    title: &str,
    detail: String,
    ptr: Option<&str>,
) -> Report {
    Report::from_checks(vec![Check::failed(id, kind, title, detail, ptr)])
}

impl Verifier {
    /// A verifier with these options.
    pub fn new(options: VerifyOptions) -> Self {
        let keys = Arc::new(ControllerResolver::new(options.resolver.clone()));
        let processor = crate::proof::shared_processor();
        Verifier {
            proofs: ProofVerifier::new(keys).with_processor(processor.clone()),
            processor,
            list_verdicts: Default::default(),
            options,
            threads: std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get),
            batch: Default::default(),
        }
    }

    /// How many threads may verify the nested credentials of one CLR or presentation at once
    /// (default: the number of CPUs; 1 keeps everything on the calling thread, as a caller that
    /// already verifies many inputs in parallel wants). The report is the same whatever the
    /// number: nested reports keep the document's order.
    ///
    /// # Example
    /// ```
    /// use openbadges::verify::{Verifier, VerifyOptions};
    /// let one_thread = Verifier::new(VerifyOptions::default()).with_threads(1);
    /// assert_eq!(one_thread.threads(), 1);
    /// ```
    pub fn with_threads(mut self, threads: usize) -> Self {
        self.threads = threads.max(1);
        self
    }

    /// The threads one CLR's or presentation's nested credentials may use.
    pub fn threads(&self) -> usize {
        self.threads
    }

    /// The options in use.
    pub fn options(&self) -> &VerifyOptions {
        &self.options
    }

    /// Verifies any input: a JSON-LD credential, a presentation, a CLR, a VC-JWT, or a baked PNG
    /// or SVG. A format this crate does not verify (an SD-JWT VC, a PDF, …) gives a report that
    /// names it; input that cannot be parsed, or is beyond the parser's limits (size, nesting,
    /// duplicate members), gives a failed `parse` check.
    pub fn verify_bytes(&self, input: &[u8]) -> Result<Report> {
        self.verify_bytes_deferring(input, None)
    }

    /// [`Verifier::verify_bytes`], every Ed25519 signature check put off into `defer` when one is
    /// given (see [`Deferred`]).
    pub(super) fn verify_bytes_deferring(
        &self,
        input: &[u8],
        defer: Option<&Deferred>,
    ) -> Result<Report> {
        let detected = match detect(input) {
            Ok(d) => d,
            Err(e) => {
                return Ok(failed_report(
                    CheckId::Parse,
                    pt::PARSING_ERROR,
                    "Not a credential",
                    e.to_string(),
                    e.pointer(),
                ))
            }
        };
        match detected {
            Input::Image(_) => Ok(self.verify_image(input, defer)),
            Input::Unsupported { format, advice } => Ok(failed_report(
                CheckId::Format,
                pt::UNSUPPORTED_FORMAT,
                "Unsupported format",
                format!("the input is a {format}, which this verifier does not read: {advice}"),
                None,
            )),
            Input::Jwt(token) => Ok(self.jwt(&token, 0, defer)),
            Input::Json(v) => Ok(self.verify_json(&v, 0, defer)),
        }
    }

    fn verify_image(&self, input: &[u8], defer: Option<&Deferred>) -> Report {
        use crate::bake::{self, Baked};
        let inner = match bake::extract(input) {
            Err(e) => {
                return failed_report(
                    CheckId::Parse,
                    pt::PARSING_ERROR,
                    "Not a credential",
                    format!("the image could not be read: {e}"),
                    None,
                )
            }
            Ok(None) => {
                return failed_report(
                    CheckId::Parse,
                    pt::PARSING_ERROR,
                    "Not a credential",
                    "the image carries no baked credential".into(),
                    None,
                )
            }
            Ok(Some(Baked::Json(text))) => match crate::json::parse(text.as_bytes()) {
                Ok(v) => self.verify_json(&v, 0, defer),
                Err(e) => failed_report(
                    CheckId::Parse,
                    pt::PARSING_ERROR,
                    "Not a credential",
                    format!("the baked credential is not JSON: {e}"),
                    e.pointer(),
                ),
            },
            Ok(Some(Baked::Jwt(token))) => self.jwt(&token, 0, defer),
            Ok(Some(_)) => failed_report(
                CheckId::Parse,
                pt::PARSING_ERROR,
                "Not a credential",
                "the image carries an Open Badges 2.0 assertion, which is not verifiable as OB 3.0"
                    .into(),
                None,
            ),
        };
        let mut report = inner;
        report.checks.insert(
            0,
            Check::passed(CheckId::BakedImage).note("credential extracted from the image"),
        );
        report
    }

    /// Verifies a parsed JSON document: a credential (a CLR with its nested credentials), or a
    /// presentation (its holder's proof and every credential in it).
    pub fn verify_value(&self, doc: &Value) -> Result<Report> {
        Ok(self.verify_json(doc, 0, None))
    }

    /// Verifies a VC-JWT: the JWS (algorithm allow-list, a key bound to the issuer, claims
    /// agreeing with the credential) is the securing stage; every other stage runs on the
    /// credential the token carries.
    pub fn verify_jwt(&self, token: &str) -> Report {
        self.jwt(token, 0, None)
    }

    /// A JSON document, at `depth` (0: the input itself), checks put off into `defer`.
    pub(super) fn verify_json(
        &self,
        doc: &Value,
        depth: usize,
        defer: Option<&Deferred>,
    ) -> Report {
        match json_kind(doc) {
            JsonKind::Presentation => self.presentation(doc, depth, defer),
            JsonKind::Ambiguous => failed_report(
                CheckId::Type,
                pt::MALFORMED_VALUE_ERROR,
                "Credential or presentation?",
                "`type` names both VerifiableCredential and VerifiablePresentation; a document is one or the other".into(),
                Some("/type"),
            ),
            JsonKind::Ob2Assertion => failed_report(
                CheckId::Format,
                pt::UNSUPPORTED_FORMAT,
                "Open Badges 2.0",
                "this is an Open Badges 2.0 assertion, not an OB 3.0 Verifiable Credential; it cannot be verified cryptographically (use `openbadges import` to read it)".into(),
                None,
            ),
            _ => self.credential(doc, Securing::Embedded, depth, defer),
        }
    }

    /// A VC-JWT at `depth`, its EdDSA check put off into `defer`.
    pub(super) fn jwt(&self, token: &str, depth: usize, defer: Option<&Deferred>) -> Report {
        let credential = match crate::jwt::decode_unverified(token) {
            Ok(p) => p.get("vc").cloned().unwrap_or(p),
            Err(e) => {
                return failed_report(
                    CheckId::Parse,
                    pt::PARSING_ERROR,
                    "Not a JWT credential",
                    e.to_string(),
                    None,
                )
            }
        };
        let mut report = self.credential(&credential, Securing::Jwt(token), depth, defer);
        report.checks.insert(
            0,
            Check::passed(CheckId::Format).note("compact JWS (VC-JWT)"),
        );
        report
    }

    /// Runs every stage on one credential and builds the report.
    fn credential(
        &self,
        doc: &Value,
        securing: Securing<'_>,
        depth: usize,
        defer: Option<&Deferred>,
    ) -> Report {
        if !doc.is_object() {
            let what = if doc.is_string() {
                "a JSON string (a credential must be an object; was it encoded twice?)"
            } else {
                "not a JSON object"
            };
            return failed_report(
                CheckId::Parse,
                pt::PARSING_ERROR,
                "Not a credential",
                format!("the input is {what}"),
                Some(""),
            );
        }
        let mut ctx = Ctx {
            doc,
            depth,
            securing,
            defer,
            checks: vec![Check::passed(CheckId::Parse)],
            signer: None,
            jwt_window: (None, None),
            endorsements: Vec::new(),
            credentials: Vec::new(),
            trusted: None,
        };
        for stage in CREDENTIAL_STAGES {
            (stage.run)(self, &mut ctx);
        }
        let authentic = !ctx.blocked(&[
            CheckId::Proof,
            CheckId::ProofSet,
            CheckId::IssuerKey,
            CheckId::SignedTerms,
        ]);
        let mut report = Report::from_checks(ctx.checks);
        report.trusted = ctx.trusted;
        report.signed_by = ctx.signer.filter(|_| authentic);
        report.issuer = issuer_id(doc).map(String::from);
        report.credential_id = doc.get("id").and_then(Value::as_str).map(String::from);
        report.achievement = display_name(doc);
        report.endorsements = ctx.endorsements;
        report.credentials = ctx.credentials;
        report
    }

    /// A conformance finding: fatal only under [`VerifyOptions::strict`].
    fn conformance(&self, mut c: Check) -> Check {
        if !self.options.strict && c.is_blocking() {
            c.outcome = Outcome::Warning;
            c.fatal = false;
        }
        c
    }

    fn stage_type(&self, ctx: &mut Ctx<'_>) {
        let c = structure::type_check(ctx.doc);
        // Not a Verifiable Credential at all: not something to verify. A VC without an Open
        // Badges type: a conformance matter.
        let is_vc = match ctx.doc.get("type") {
            Some(Value::Array(a)) => a.iter().any(|t| t == "VerifiableCredential"),
            Some(Value::String(s)) => s == "VerifiableCredential",
            _ => false,
        };
        ctx.checks.push(if is_vc { self.conformance(c) } else { c });
    }

    fn stage_context(&self, ctx: &mut Ctx<'_>) {
        let ty = credential_type(ctx.doc).unwrap_or("");
        let (c, _) = structure::context_check(ctx.doc, ty);
        let base_missing = crate::vocab::VcVersion::of(ctx.doc).is_none();
        ctx.checks
            .push(if base_missing { c } else { self.conformance(c) });
    }

    fn stage_issuer(&self, ctx: &mut Ctx<'_>) {
        ctx.checks.push(structure::issuer_check(ctx.doc));
    }

    fn stage_signed_terms(&self, ctx: &mut Ctx<'_>) {
        ctx.checks
            .push(super::terms::check(&self.processor, ctx.doc));
    }

    fn stage_proof(&self, ctx: &mut Ctx<'_>) {
        match ctx.securing {
            Securing::Embedded => self.embedded_proof(ctx),
            Securing::Jwt(token) => self.jwt_proof(ctx, token),
        }
    }

    fn embedded_proof(&self, ctx: &mut Ctx<'_>) {
        let outcomes = match self
            .proofs
            .verify_deferring(ctx.doc, &self.expectations(), ctx.defer)
        {
            Ok(o) => o,
            Err(e) => {
                ctx.checks.push(Check::failed(
                    CheckId::Proof,
                    pt::PROOF_VERIFICATION_ERROR,
                    "Proof not verified",
                    e.to_string(),
                    Some("/proof"),
                ));
                vec![]
            }
        };
        let (proof_checks, signer) = proof_checks(ctx.doc, &outcomes, CheckId::Proof);
        ctx.checks.extend(proof_checks);
        let issuer = issuer_id(ctx.doc);
        ctx.checks.push(issuer_key_check(issuer, signer.as_ref()));
        ctx.signer = signer;
    }

    fn jwt_proof(&self, ctx: &mut Ctx<'_>, token: &str) {
        let mut bound = crate::jwt::BoundKeys::new();
        if let Some(list) = &self.options.trust {
            for entry in &list.issuers {
                for jwk in &entry.keys {
                    if let Ok(k) = crate::keys::PublicKey::from_jwk(jwk) {
                        bound = bound.bind(entry.id.clone(), k);
                    }
                }
            }
        }
        let claims = crate::jwt::decode_unverified(token).ok();
        let issued = claims.as_ref().and_then(|p| {
            ["iat", "nbf"]
                .iter()
                .find_map(|k| p.get(*k).and_then(Value::as_f64))
                .and_then(|t| chrono::DateTime::from_timestamp(t.floor() as i64, 0))
        });
        let resolver = ControllerJwtKeys {
            bound,
            controllers: ControllerResolver::new(self.options.resolver.clone()),
            issued,
            retired: Mutex::new(None),
        };
        let jwt_options = crate::jwt::JwtVerifyOptions {
            now: Some(self.options.now()),
            skew_seconds: self.options.skew.num_seconds(),
            // Dates are the validity-window stage's: an expired token is authentic but expired.
            check_dates: false,
            ..Default::default()
        };
        match crate::jwt::verify_deferring(token, &resolver, &jwt_options, ctx.defer) {
            Ok(v) => {
                ctx.jwt_window = (v.not_before, v.expires);
                let mut c =
                    Check::passed(CheckId::Proof).note(format!("VC-JWT {}", v.algorithm.name()));
                if !v.warnings.is_empty() {
                    c = Check::warning(
                        CheckId::Proof,
                        pt::PROOF_VERIFICATION_ERROR,
                        "VC-JWT verified with deviations",
                        v.warnings.join("; "),
                        None,
                    );
                }
                let kid = v.header.get("kid").and_then(Value::as_str);
                let secs = chrono::SecondsFormat::Secs;
                let retired = resolver.retired.lock().ok().and_then(|r| *r);
                let which = match (kid, retired) {
                    (Some(kid), Some(r)) => format!(
                        "signed with {kid}, bound to the issuer; its controller has retired it from {}, after the token was issued, so the signature stands",
                        r.to_rfc3339_opts(secs, true)
                    ),
                    (Some(kid), None) => format!("signed with {kid}, bound to the issuer"),
                    (None, _) => "the JWT key is bound to the issuer".to_string(),
                };
                ctx.signer = issuer_id(ctx.doc).map(|controller| SignedBy {
                    key: kid.map(String::from),
                    controller: controller.to_string(),
                    signed_at: issued.map(|t| t.to_rfc3339_opts(secs, true)),
                    retired_from: retired.map(|r| r.to_rfc3339_opts(secs, true)),
                });
                ctx.checks.push(c);
                ctx.checks
                    .push(Check::passed(CheckId::IssuerKey).note(which));
            }
            Err(e) => {
                let retrieval = e.kind() == ErrorKind::Resolve;
                ctx.checks.push(if retrieval {
                    Check::with_problem(
                        CheckId::Proof,
                        Outcome::Indeterminate,
                        true,
                        pt::KEY_RETRIEVAL_ERROR,
                        "Key not retrieved",
                        format!("the issuer's key document was not available: {e}"),
                        None,
                    )
                } else {
                    Check::failed(
                        CheckId::Proof,
                        pt::PROOF_VERIFICATION_ERROR,
                        if e.message().contains("signature does not verify") {
                            "Signature not verified"
                        } else {
                            "VC-JWT not verified"
                        },
                        e.to_string(),
                        None,
                    )
                });
                ctx.checks.push(Check::skipped(
                    CheckId::IssuerKey,
                    "no verified JWT signature",
                ));
            }
        }
    }

    fn stage_validity_window(&self, ctx: &mut Ctx<'_>) {
        ctx.checks.push(time::window(
            ctx.doc,
            self.options.now(),
            self.options.skew,
            self.options.relax.accept_expired,
            ctx.jwt_window,
        ));
    }

    fn stage_status(&self, ctx: &mut Ctx<'_>) {
        if self.options.relax.skip_status {
            ctx.checks.push(Check::skipped(
                CheckId::Status,
                "status checking was switched off (danger)",
            ));
            return;
        }
        // Not deferred (`ctx.defer` stays here): a list's verdict is cached for every credential
        // on it, so it must be the real one.
        let verify_list = |list: &Value, issuer: &str| self.verify_status_list(list, issuer);
        ctx.checks.push(crate::status::status_check(
            ctx.doc,
            &crate::status::StatusPolicy {
                resolver: &*self.options.resolver,
                verify_list: &verify_list,
                unknown_is_warning: self.options.relax.status_unknown_is_warning,
                strict: self.options.strict,
            },
        ));
    }

    fn stage_subject(&self, ctx: &mut Ctx<'_>) {
        let ty = credential_type(ctx.doc).unwrap_or("");
        let c = structure::subject_check(ctx.doc, ty);
        ctx.checks.push(self.conformance(c));
    }

    fn stage_schema(&self, ctx: &mut Ctx<'_>) {
        let c = self.schema_check(ctx.doc);
        ctx.checks.push(c);
    }

    fn stage_data_model(&self, ctx: &mut Ctx<'_>) {
        let c = data_model_check(ctx.doc);
        ctx.checks.push(self.conformance(c));
    }

    fn stage_clr(&self, ctx: &mut Ctx<'_>) {
        if credential_type(ctx.doc) != Some("ClrCredential") {
            return;
        }
        let subject = ctx.doc.get("credentialSubject").unwrap_or(&Value::Null);
        let nested = as_list(subject.get("verifiableCredential"));
        let holder = subject.get("id").and_then(Value::as_str);
        let mut strangers = Vec::new();
        let mut known: std::collections::HashSet<String> = as_list(subject.get("achievement"))
            .iter()
            .filter_map(|a| a.get("id").and_then(Value::as_str))
            .map(String::from)
            .collect();
        let reports = self.nested(
            ctx,
            &nested,
            "/credentialSubject/verifiableCredential",
            |cred, source| {
                if let Some(a) = cred
                    .pointer("/credentialSubject/achievement/id")
                    .and_then(Value::as_str)
                {
                    known.insert(a.to_string());
                }
                let sub = cred
                    .pointer("/credentialSubject/id")
                    .and_then(Value::as_str);
                match (holder, sub) {
                    (Some(h), Some(s)) if !same_identity(h, s) => {
                        strangers.push(format!("{source} is about {s}"));
                    }
                    // A CLR about an e-mail address: its badges name the teacher by
                    // IdentityObject (plain or hashed).
                    (Some(h), None) => {
                        if let Some(email) = h.strip_prefix("mailto:") {
                            let to = super::options::Recipient::Email(email.to_string());
                            if structure::recipient_check(cred, Some(&to)).is_blocking() {
                                strangers.push(format!("{source} is not issued to {h}"));
                            }
                        }
                    }
                    _ => {}
                }
            },
        );
        ctx.credentials = reports;
        ctx.checks.push(if strangers.is_empty() {
            Check::passed(CheckId::ClrSubject)
        } else {
            Check::failed(
                CheckId::ClrSubject,
                pt::RECIPIENT_MISMATCH,
                "Credential for another learner",
                format!(
                    "the CLR is about {}, but {}",
                    holder.unwrap_or("(no id)"),
                    strangers.join("; ")
                ),
                Some("/credentialSubject/verifiableCredential"),
            )
        });
        let dangling: Vec<String> = as_list(subject.get("association"))
            .iter()
            .flat_map(|a| ["sourceId", "targetId"].map(|k| a.get(k).and_then(Value::as_str)))
            .flatten()
            .filter(|id| !known.contains(*id))
            .map(String::from)
            .collect();
        ctx.checks.push(if dangling.is_empty() {
            Check::passed(CheckId::ClrAssociations)
        } else {
            Check::warning(
                CheckId::ClrAssociations,
                pt::MALFORMED_VALUE_ERROR,
                "Association to an unknown achievement",
                format!(
                    "associations name achievements the CLR does not list: {}",
                    dangling.join(", ")
                ),
                Some("/credentialSubject/association"),
            )
        });
    }

    /// Verifies the credentials a CLR or presentation carries (objects or VC-JWT strings), each
    /// through the whole pipeline one level deeper, and adds the `nested-credentials` check.
    /// `each(credential, source)` sees every credential's JSON (decoded, for a VC-JWT).
    fn nested(
        &self,
        ctx: &mut Ctx<'_>,
        items: &[&Value],
        base: &str,
        mut each: impl FnMut(&Value, &str),
    ) -> Vec<Report> {
        if ctx.depth >= MAX_NESTING_DEPTH {
            ctx.checks.push(Check::failed(
                CheckId::NestedCredentials,
                pt::MALFORMED_VALUE_ERROR,
                "Nested too deep",
                format!("credentials are nested more than {MAX_NESTING_DEPTH} levels deep"),
                Some(base),
            ));
            return vec![];
        }
        if items.len() > MAX_NESTED_CREDENTIALS {
            ctx.checks.push(Check::failed(
                CheckId::NestedCredentials,
                pt::MALFORMED_VALUE_ERROR,
                "Too many credentials",
                format!(
                    "{} credentials; at most {MAX_NESTED_CREDENTIALS} are verified in one document",
                    items.len()
                ),
                Some(base),
            ));
            return vec![];
        }
        // `each` sees every credential first (in order, on this thread); then they are verified,
        // on several threads when there are many, each report in its place.
        let sources: Vec<String> = (0..items.len()).map(|i| format!("{base}/{i}")).collect();
        for (c, source) in items.iter().zip(&sources) {
            match c {
                Value::String(token) => {
                    if let Ok(p) = crate::jwt::decode_unverified(token) {
                        each(&p.get("vc").cloned().unwrap_or(p), source);
                    }
                }
                obj => each(obj, source),
            }
        }
        let depth = ctx.depth + 1;
        let defer = ctx.defer;
        let one = |i: usize| -> Report {
            let mut r = match items[i] {
                Value::String(token) => self.jwt(token, depth, defer),
                obj => self.verify_json(obj, depth, defer),
            };
            r.source = Some(sources[i].clone());
            r
        };
        // Only the outermost document fans out: a CLR inside a presentation verifies its own
        // credentials on the thread it was given.
        let threads = if ctx.depth == 0 { self.threads } else { 1 };
        let reports = in_parallel(items.len(), threads, one);
        let bad: Vec<String> = reports
            .iter()
            .filter(|r| !r.verified)
            .map(|r| r.source.clone().unwrap_or_default())
            .collect();
        ctx.checks.push(if bad.is_empty() {
            Check::passed(CheckId::NestedCredentials).note(format!(
                "{} of {} nested credentials verified",
                reports.len(),
                reports.len()
            ))
        } else {
            Check::failed(
                CheckId::NestedCredentials,
                pt::PROOF_VERIFICATION_ERROR,
                "Nested credential not verified",
                format!(
                    "{} of {} nested credentials did not verify ({})",
                    bad.len(),
                    reports.len(),
                    bad.join(", ")
                ),
                Some(base),
            )
        });
        reports
    }

    fn stage_refresh(&self, ctx: &mut Ctx<'_>) {
        if let Some(r) = ctx.doc.get("refreshService") {
            let url = r.get("id").and_then(Value::as_str).unwrap_or("?");
            ctx.checks.push(Check::skipped(
                CheckId::Refresh,
                format!("the issuer offers a refresh service at {url}; not contacted"),
            ));
        }
    }

    fn stage_recipient(&self, ctx: &mut Ctx<'_>) {
        ctx.checks.push(structure::recipient_check(
            ctx.doc,
            self.options.recipient.as_ref(),
        ));
    }

    fn stage_endorsements(&self, ctx: &mut Ctx<'_>) {
        if ctx.depth >= MAX_ENDORSEMENT_DEPTH {
            return;
        }
        let mut endorsements = Vec::new();
        for (ptr, e) in find_endorsements(ctx.doc) {
            // `endorsementJwt` entries are compact JWS strings; `endorsement` entries objects.
            let mut r = match e.as_str() {
                Some(token) => self.jwt(token, ctx.depth + 1, ctx.defer),
                None => self.credential(e, Securing::Embedded, ctx.depth + 1, ctx.defer),
            };
            r.source = Some(format!("endorsement at {ptr}"));
            endorsements.push(r);
        }
        if !endorsements.is_empty() {
            let bad = endorsements.iter().filter(|r| !r.verified).count();
            ctx.checks.push(if bad == 0 {
                Check::passed(CheckId::Endorsements)
                    .note(format!("{} endorsement(s) verified", endorsements.len()))
            } else {
                Check::warning(
                    CheckId::Endorsements,
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
        ctx.endorsements = endorsements;
    }

    fn stage_trust(&self, ctx: &mut Ctx<'_>) {
        let doc = ctx.doc;
        let issuer = issuer_id(doc);
        let achievement_id = doc
            .pointer("/credentialSubject/achievement/id")
            .and_then(Value::as_str);
        // Trust is decided only on an identity a verified signature is bound to.
        let bound = !ctx.blocked(&[CheckId::Proof, CheckId::IssuerKey, CheckId::SignedTerms])
            && ctx
                .checks
                .iter()
                .any(|c| c.id == CheckId::IssuerKey && c.outcome == Outcome::Passed);
        let (check, trusted) = match (&self.options.trust, issuer) {
            (None, _) => (Check::skipped(CheckId::Trust, "no trust list given"), None),
            (Some(_), None) => (
                Check::with_problem(
                    CheckId::Trust,
                    Outcome::Indeterminate,
                    false,
                    pt::UNTRUSTED_ISSUER,
                    "No issuer",
                    "the credential names no issuer id",
                    Some("/issuer"),
                ),
                None,
            ),
            (Some(_), Some(iss)) if !bound => (
                Check::with_problem(
                    CheckId::Trust,
                    Outcome::Indeterminate,
                    false,
                    pt::ISSUER_UNPROVEN,
                    "Issuer not proven",
                    format!("no verified signature is bound to `{iss}`, so the trust list was not consulted"),
                    Some("/issuer"),
                ),
                None,
            ),
            (Some(list), Some(iss)) => match list.answer(iss, achievement_id) {
                TrustAnswer::Registered => (
                    Check::passed(CheckId::Trust).note(format!("`{iss}` is on the trust list")),
                    Some(true),
                ),
                other => {
                    let why = if other == TrustAnswer::NotRegisteredForAchievement {
                        format!("`{iss}` is on the trust list, but not for this achievement")
                    } else {
                        format!("`{iss}` is not on the trust list")
                    };
                    (
                        Check::with_problem(
                            CheckId::Trust,
                            Outcome::Warning,
                            false,
                            pt::UNTRUSTED_ISSUER,
                            "Issuer not trusted",
                            why,
                            Some("/issuer"),
                        ),
                        Some(false),
                    )
                }
            },
        };
        ctx.checks.push(check);
        ctx.trusted = trusted;
    }

    /// Verifies a presentation: its form, its holder's proof (purpose `authentication`, with the
    /// challenge and domain the options name), that the holder signed it, and every credential
    /// it carries.
    fn presentation(&self, vp: &Value, depth: usize, defer: Option<&Deferred>) -> Report {
        let mut ctx = Ctx {
            doc: vp,
            depth,
            securing: Securing::Embedded,
            defer,
            checks: vec![Check::passed(CheckId::Parse)],
            signer: None,
            jwt_window: (None, None),
            endorsements: Vec::new(),
            credentials: Vec::new(),
            trusted: None,
        };
        ctx.checks
            .push(Check::passed(CheckId::Type).note("VerifiablePresentation"));
        ctx.checks.push(super::terms::check(&self.processor, vp));
        let mut expected = Expectations::assertion();
        expected.proof_purpose = "authentication".into();
        expected.challenge = self.options.challenge.clone();
        expected.domain = self.options.domain.clone();
        expected.now = Some(self.options.now());
        expected.legacy_suites = self.options.legacy_suites;
        let outcomes = self
            .proofs
            .verify_deferring(vp, &expected, defer)
            .unwrap_or_default();
        let holder = vp
            .get("holder")
            .and_then(|h| h.as_str().or_else(|| h.get("id").and_then(Value::as_str)));
        if outcomes.is_empty() && self.options.relax.accept_unsigned_presentation {
            ctx.checks.push(Check::with_problem(
                CheckId::PresentationProof,
                Outcome::Warning,
                false,
                pt::PROOF_VERIFICATION_ERROR,
                "Unsigned presentation",
                "the presentation has no proof; accepted because the caller relaxed it (danger): nothing shows who presented it",
                Some("/proof"),
            ));
        } else {
            let (checks, signer) = proof_checks(vp, &outcomes, CheckId::PresentationProof);
            ctx.checks.extend(checks);
            ctx.signer = signer;
        }
        let items = as_list(vp.get("verifiableCredential"));
        let mut strangers = Vec::new();
        let presenter = holder
            .map(String::from)
            .or_else(|| ctx.signer.as_ref().map(|s| s.controller.clone()));
        let reports = self.nested(&mut ctx, &items, "/verifiableCredential", |cred, source| {
            let subject = cred
                .pointer("/credentialSubject/id")
                .and_then(Value::as_str);
            if let (Some(p), Some(s)) = (presenter.as_deref(), subject) {
                if !same_identity(p, s) {
                    strangers.push(format!("{source} is about `{s}`"));
                }
            }
        });
        // One `holder` check: the presentation was signed by its holder, who is the subject of
        // what it presents.
        let holder_check = match (&ctx.signer, holder) {
            (Some(s), Some(h)) if !same_identity(&s.controller, h) => Check::failed(
                CheckId::Holder,
                pt::INVALID_VERIFICATION_METHOD,
                "Not signed by the holder",
                format!(
                    "the presentation was signed by a key of `{}`, not of its holder `{h}`",
                    s.controller
                ),
                Some("/holder"),
            ),
            _ if !strangers.is_empty() => Check::failed(
                CheckId::Holder,
                pt::RECIPIENT_MISMATCH,
                "Holder is not the subject",
                format!(
                    "the holder `{}` presents credentials about someone else: {}",
                    presenter.as_deref().unwrap_or("?"),
                    strangers.join("; ")
                ),
                Some("/verifiableCredential"),
            ),
            (None, _) => Check::skipped(CheckId::Holder, "no verified presentation proof"),
            (Some(_), Some(h)) => Check::passed(CheckId::Holder).note(format!(
                "signed by the holder {h}, the subject of what it presents"
            )),
            (Some(s), None) => Check::warning(
                CheckId::Holder,
                pt::ISSUER_UNPROVEN,
                "No holder named",
                format!(
                    "the presentation names no holder; it was signed by `{}`",
                    s.controller
                ),
                Some("/holder"),
            ),
        };
        ctx.checks.push(holder_check);
        let mut report = Report::from_checks(ctx.checks);
        report.signed_by = ctx.signer;
        report.credential_id = vp.get("id").and_then(Value::as_str).map(String::from);
        report.achievement = Some(format!("presentation of {} credential(s)", reports.len()));
        report.credentials = reports;
        report
    }

    fn expectations(&self) -> Expectations {
        let mut e = Expectations::assertion();
        e.now = Some(self.options.now());
        e.legacy_suites = self.options.legacy_suites;
        e.skew_seconds = self.options.skew.num_seconds();
        e
    }

    fn schema_check(&self, doc: &Value) -> Check {
        const ID: CheckId = CheckId::Schema;
        if self.options.relax.skip_schema {
            return Check::skipped(ID, "schema checking was switched off (danger)");
        }
        let schemas: Vec<(usize, &Value)> = match doc.get("credentialSchema") {
            Some(Value::Array(a)) => a.iter().enumerate().collect(),
            Some(v) => vec![(0, v)],
            None => {
                // No schema named: check against the bundled OB 3.0 schema for the credential's
                // type and VC version, as the 1EdTech validator does — a conformance finding.
                let v1 = crate::vocab::VcVersion::of(doc) == Some(crate::vocab::VcVersion::V1);
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
                    Some(first) => self.conformance(Check::failed(
                        ID,
                        pt::SCHEMA_ERROR,
                        "Does not follow the Open Badges 3.0 schema",
                        format!(
                            "{} ({} schema error(s) against the official OB 3.0 JSON Schema; the credential names no schema, so this is a warning)",
                            first.message,
                            errors.len()
                        ),
                        Some(&first.pointer),
                    )),
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
                    format!("credentialSchema `{id}` is not one of the bundled OB 3.0 and CLR 2.0 schemas; not fetched"),
                    Some(&format!("/credentialSchema/{i}")));
            };
            let errors = schema::validate(kind, doc);
            if let Some(first) = errors.first() {
                // The credential itself names the schema (OB 3.0 verification, step 1): fatal.
                return Check::failed(
                    ID,
                    pt::SCHEMA_ERROR,
                    "Schema validation failed",
                    format!(
                        "{} ({} error(s) against {id}, which the credential names)",
                        first.message,
                        errors.len()
                    ),
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

    /// Verifies a status list credential: its form, a valid proof by a key its own issuer
    /// controls, and its validity window. Bitstring Status List lets that issuer differ from the
    /// credential's; the verdict then names who signed the list.
    fn verify_status_list(
        &self,
        list: &Value,
        issuer: &str,
    ) -> std::result::Result<String, String> {
        // The verdict depends on the list, the issuer and the clock; the clock is fixed per
        // Verifier only when `at` was given, so cache only then.
        let mut h = Sha256::new();
        h.update(issuer.as_bytes());
        h.update([0]);
        h.update(list.to_string().as_bytes());
        let key: [u8; 32] = h.finalize().into();
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

    fn verify_status_list_uncached(
        &self,
        list: &Value,
        issuer: &str,
    ) -> std::result::Result<String, String> {
        let terms = super::terms::check(&self.processor, list);
        if terms.is_blocking() {
            return Err(terms
                .problem
                .map_or("not in its signed form".into(), |p| p.detail));
        }
        let list_issuer = issuer_id(list).unwrap_or_default().to_string();
        // A list may be newer than a past time being judged: its proof is checked against the
        // real clock (or `at`, if later).
        let mut expected = self.expectations();
        expected.now = Some(self.options.now().max(chrono::Utc::now()));
        // Never deferred: this verdict is cached across documents.
        let outcomes = self
            .proofs
            .verify(list, &expected)
            .map_err(|e| e.to_string())?;
        let (checks, signer) = proof_checks(list, &outcomes, CheckId::Proof);
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
        // Judging as of a past time (`at`), a list published after it is still the issuer's
        // word on the credential's status, and the best there is: read it, and say so. An expired
        // list, or a future one when judging now, is refused.
        let later_list = self.options.now.is_some()
            && window
                .problem
                .as_ref()
                .is_some_and(|p| p.kind == pt::NOT_YET_VALID)
            // …but valid now: a list dated in the future is not yet valid, whatever is judged.
            && !time::validity_window(list, chrono::Utc::now(), self.options.skew, false)
                .is_blocking();
        if window.is_blocking() && !later_list {
            return Err(window
                .problem
                .map_or("outside its validity window".into(), |p| p.detail));
        }
        let mut notes = Vec::new();
        if !same_identity(&list_issuer, issuer) {
            notes.push(format!(
                "the list is signed by `{list_issuer}`, not by the credential's issuer"
            ));
        }
        if later_list {
            notes.push(format!(
                "the list was published after the time judged ({})",
                window.problem.map(|p| p.detail).unwrap_or_default()
            ));
        }
        Ok(notes.join("; "))
    }
}

/// `one(0..n)` on up to `threads` threads (on this one below [`PARALLEL_NESTED_MIN`] items), the
/// results in index order.
fn in_parallel(n: usize, threads: usize, one: impl Fn(usize) -> Report + Sync) -> Vec<Report> {
    let threads = threads.min(n);
    if threads <= 1 || n < PARALLEL_NESTED_MIN {
        return (0..n).map(one).collect();
    }
    let next = std::sync::atomic::AtomicUsize::new(0);
    let slots: Vec<Mutex<Option<Report>>> = (0..n).map(|_| Mutex::new(None)).collect();
    std::thread::scope(|scope| {
        for _ in 0..threads {
            scope.spawn(|| loop {
                let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                if i >= n {
                    break;
                }
                let r = one(i);
                if let Ok(mut slot) = slots[i].lock() {
                    *slot = Some(r);
                }
            });
        }
    });
    slots
        .into_iter()
        .enumerate()
        .map(|(i, slot)| {
            // Every slot is filled unless a worker panicked, which the scope re-raises first;
            // the fallback keeps this total anyway.
            slot.into_inner().ok().flatten().unwrap_or_else(|| one(i))
        })
        .collect()
}

/// The name a person knows the credential by.
fn display_name(doc: &Value) -> Option<String> {
    let pick = |v: &Value| -> Option<String> {
        match v {
            Value::String(s) => Some(s.clone()),
            // A language-tagged value or a list of them (VC 2.0 §11.1): the first.
            Value::Object(o) => o.get("@value").and_then(Value::as_str).map(String::from),
            Value::Array(a) => a.iter().find_map(|x| {
                x.as_str()
                    .map(String::from)
                    .or_else(|| x.get("@value").and_then(Value::as_str).map(String::from))
            }),
            _ => None,
        }
    };
    doc.pointer("/credentialSubject/achievement/name")
        .and_then(pick)
        .or_else(|| doc.get("name").and_then(pick))
}

fn as_list(v: Option<&Value>) -> Vec<&Value> {
    match v {
        Some(Value::Array(a)) => a.iter().collect(),
        Some(Value::Null) | None => vec![],
        Some(v) => vec![v],
    }
}

/// `data-model`: the OB 3.0 class rules the official JSON Schemas leave open (e.g. a
/// `credentialSubject` whose `type` is not `AchievementSubject`), from [`crate::lint`].
fn data_model_check(doc: &Value) -> Check {
    if credential_type(doc) == Some("ClrCredential") {
        // The OB 3.0 lint does not apply to the CLR wrapper; its nested credentials are linted
        // one by one.
        return match crate::clr::data_model_problem(doc) {
            None => Check::passed(CheckId::DataModel).note("CLR 2.0"),
            Some((detail, pointer)) => Check::failed(
                CheckId::DataModel,
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
        None => Check::passed(CheckId::DataModel),
        Some(f) => Check::failed(
            CheckId::DataModel,
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

/// Verifies one input of any form with `options` (see [`Verifier`] to verify many).
pub fn verify(input: &[u8], options: &VerifyOptions) -> Result<Report> {
    Verifier::new(options.clone()).verify_bytes(input)
}

/// JWT key binding: trust-list keys, did:key and did:jwk first, then a `kid` that dereferences
/// (https Profile, did:web) to a key controlled by the issuer and not retired when the token was
/// issued.
struct ControllerJwtKeys {
    bound: crate::jwt::BoundKeys,
    controllers: ControllerResolver,
    issued: Option<chrono::DateTime<chrono::Utc>>,
    /// When the key a `kid` named was retired (before the token was issued, or it is refused).
    retired: Mutex<Option<chrono::DateTime<chrono::Utc>>>,
}

impl crate::jwt::JwtKeyResolver for ControllerJwtKeys {
    fn key_for(
        &self,
        kid: Option<&str>,
        jwk: Option<&crate::keys::PublicKey>,
        issuer: &str,
    ) -> Result<Option<crate::keys::PublicKey>> {
        if let Some(k) = self.bound.key_for(kid, jwk, issuer)? {
            return Ok(Some(k));
        }
        let Some(kid) = kid.filter(|k| k.starts_with("https://") || k.starts_with("did:web:"))
        else {
            return Ok(None);
        };
        use crate::keys::KeyResolver as _;
        let vm = self.controllers.resolve(kid, "assertionMethod")?;
        if !same_identity(&vm.controller, issuer) {
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
        Ok(Some(crate::keys::PublicKey::from(vm.key)))
    }
}

fn proof_checks(
    doc: &Value,
    outcomes: &[ProofOutcome],
    id: CheckId,
) -> (Vec<Check>, Option<SignedBy>) {
    let mut checks = Vec::new();
    if outcomes.is_empty() {
        let detail = match doc.get("proof") {
            Some(Value::Null) => "`proof` is null",
            _ => "the document has no embedded proof",
        };
        checks.push(Check::failed(
            id,
            pt::PROOF_VERIFICATION_ERROR,
            "No proof",
            detail,
            Some("/proof"),
        ));
        return (checks, None);
    }
    // In a proof set or chain other parties may sign too (a co-signer, a notary): the proof
    // that binds the credential to its issuer is the one by the issuer's key, when there is one.
    let issuer = issuer_id(doc);
    let good = outcomes
        .iter()
        .find(|o| {
            o.result.is_ok()
                && issuer
                    .zip(o.controller.as_deref())
                    .is_some_and(|(i, c)| same_identity(c, i))
        })
        .or_else(|| outcomes.iter().find(|o| o.result.is_ok()));
    match good {
        Some(o) => {
            checks.push(Check::passed(id).note(format!(
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
                        CheckId::ProofSet,
                        pt::PROOF_VERIFICATION_ERROR,
                        "Unknown proof beside a valid one",
                        detail,
                        Some(&pointer),
                    ));
                } else {
                    checks.push(Check::failed(
                        CheckId::ProofSet,
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
                .map(|(vm, c)| SignedBy {
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
            let (kind, title, outcome) = match f.as_ref().map(|f| f.kind) {
                Some(ProofFailureKind::KeyUnavailable) => (
                    pt::KEY_RETRIEVAL_ERROR,
                    "Key not retrieved",
                    Outcome::Indeterminate,
                ),
                Some(ProofFailureKind::DataLoss) => (
                    pt::DATA_LOSS_DETECTION_ERROR,
                    "JSON-LD data loss",
                    Outcome::Failed,
                ),
                Some(ProofFailureKind::VerificationMethod) => (
                    pt::INVALID_VERIFICATION_METHOD,
                    "Verification method not usable",
                    Outcome::Failed,
                ),
                Some(ProofFailureKind::Challenge) => (
                    pt::INVALID_CHALLENGE_ERROR,
                    "Wrong challenge",
                    Outcome::Failed,
                ),
                Some(ProofFailureKind::Domain) => {
                    (pt::INVALID_DOMAIN_ERROR, "Wrong domain", Outcome::Failed)
                }
                Some(ProofFailureKind::Dates) => (
                    pt::PROOF_VERIFICATION_ERROR,
                    "Proof dates not valid",
                    Outcome::Failed,
                ),
                Some(ProofFailureKind::Purpose) | Some(ProofFailureKind::Context) => (
                    pt::PROOF_VERIFICATION_ERROR,
                    "Proof not usable",
                    Outcome::Failed,
                ),
                Some(ProofFailureKind::ProofValue)
                | Some(ProofFailureKind::Malformed)
                | Some(ProofFailureKind::UnknownSuite) => (
                    pt::PROOF_VERIFICATION_ERROR,
                    "Malformed or unknown proof",
                    Outcome::Failed,
                ),
                _ => (
                    pt::PROOF_VERIFICATION_ERROR,
                    "Signature not verified",
                    Outcome::Failed,
                ),
            };
            let pointer = f.as_ref().map(|f| {
                if f.kind == ProofFailureKind::DataLoss {
                    f.pointer.clone()
                } else {
                    format!("{}{}", o.pointer, f.pointer)
                }
            });
            checks.push(Check::with_problem(
                id,
                outcome,
                true,
                kind,
                title,
                f.map(|f| f.message).unwrap_or_default(),
                pointer.as_deref(),
            ));
            (checks, None)
        }
    }
}

fn issuer_key_check(issuer: Option<&str>, signer: Option<&SignedBy>) -> Check {
    const ID: CheckId = CheckId::IssuerKey;
    let Some(SignedBy {
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
    if same_identity(controller, issuer) {
        let when = match retired_from {
            Some(r) => format!(
                "; its controller has retired it from {r}, after this proof was created ({}), so the proof stands",
                signed_at.as_deref().unwrap_or("?")
            ),
            None => String::new(),
        };
        return Check::passed(ID).note(format!("signed with {vm}, controlled by the issuer{when}"));
    }
    if can_control_keys(issuer) {
        Check::failed(ID, pt::INVALID_VERIFICATION_METHOD, "Key not the issuer's",
            format!("the proof was made with {vm}, controlled by `{controller}`, not by the issuer `{issuer}`"),
            Some("/issuer"))
    } else {
        Check::failed(ID, pt::ISSUER_UNPROVEN, "Issuer identity cannot hold keys",
            format!("the issuer id `{issuer}` is not a DID or URL, so no key can be bound to it; the signing key {vm} belongs to `{controller}`, which is not the issuer the credential names"),
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
