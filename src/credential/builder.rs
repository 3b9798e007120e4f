//! A type-state builder for [`OpenBadgeCredential`]: `build()` exists only once an issuer and a
//! subject (with its achievement) are set, so an incomplete credential does not compile.

use std::marker::PhantomData;

use serde_json::{json, Map};

use super::{AchievementSubject, IssuerRef, OpenBadgeCredential};
use crate::profile::Profile;
use crate::value::{MultiLang, OneOrMany};

/// Builder state: no issuer yet.
#[derive(Debug)]
pub struct NoIssuer;
/// Builder state: issuer set.
#[derive(Debug)]
pub struct WithIssuer;
/// Builder state: no subject yet.
#[derive(Debug)]
pub struct NoSubject;
/// Builder state: subject set.
#[derive(Debug)]
pub struct WithSubject;

/// Builds an [`OpenBadgeCredential`] (VC 2.0 + OB 3.0.3 contexts).
#[derive(Debug)]
pub struct CredentialBuilder<I, S> {
    id: Option<String>,
    name: Option<MultiLang>,
    issuer: Option<IssuerRef>,
    subject: Option<AchievementSubject>,
    valid_from: Option<String>,
    valid_until: Option<String>,
    _state: PhantomData<(I, S)>,
}

impl CredentialBuilder<NoIssuer, NoSubject> {
    pub(super) fn new() -> Self {
        CredentialBuilder {
            id: None,
            name: None,
            issuer: None,
            subject: None,
            valid_from: None,
            valid_until: None,
            _state: PhantomData,
        }
    }
}

impl<I, S> CredentialBuilder<I, S> {
    fn to<I2, S2>(self) -> CredentialBuilder<I2, S2> {
        CredentialBuilder {
            id: self.id,
            name: self.name,
            issuer: self.issuer,
            subject: self.subject,
            valid_from: self.valid_from,
            valid_until: self.valid_until,
            _state: PhantomData,
        }
    }
    /// The credential id (default: a fresh `urn:uuid`).
    pub fn id(mut self, id: impl Into<String>) -> Self {
        self.id = Some(id.into());
        self
    }
    /// The credential name (default: the achievement's name).
    pub fn name(mut self, name: impl Into<MultiLang>) -> Self {
        self.name = Some(name.into());
        self
    }
    /// `validFrom` (pass the time explicitly; the builder never reads the clock for it).
    pub fn valid_from(mut self, t: impl Into<String>) -> Self {
        self.valid_from = Some(t.into());
        self
    }
    /// `validUntil`.
    pub fn valid_until(mut self, t: impl Into<String>) -> Self {
        self.valid_until = Some(t.into());
        self
    }
    /// The issuer Profile.
    pub fn issuer(mut self, profile: Profile) -> CredentialBuilder<WithIssuer, S> {
        self.issuer = Some(IssuerRef::Profile(Box::new(profile)));
        self.to()
    }
    /// The subject (recipient and achievement).
    pub fn subject(mut self, subject: AchievementSubject) -> CredentialBuilder<I, WithSubject> {
        self.subject = Some(subject);
        self.to()
    }
}

impl CredentialBuilder<WithIssuer, WithSubject> {
    /// The credential.
    pub fn build(self) -> OpenBadgeCredential {
        // The type states guarantee both are set.
        let (Some(issuer), Some(subject)) = (self.issuer, self.subject) else {
            unreachable!("type state guarantees issuer and subject")
        };
        let name = self.name.or_else(|| Some(subject.achievement.name.clone()));
        OpenBadgeCredential {
            context: OneOrMany::Many(vec![
                json!("https://www.w3.org/ns/credentials/v2"),
                json!("https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"),
            ]),
            id: Some(
                self.id
                    .unwrap_or_else(|| format!("urn:uuid:{}", uuid::Uuid::new_v4())),
            ),
            kind: OneOrMany::Many(vec![
                "VerifiableCredential".into(),
                "OpenBadgeCredential".into(),
            ]),
            name,
            description: None,
            image: None,
            issuer,
            valid_from: self.valid_from,
            valid_until: self.valid_until,
            issuance_date: None,
            expiration_date: None,
            awarded_date: None,
            credential_subject: subject,
            evidence: None,
            credential_schema: None,
            credential_status: None,
            refresh_service: None,
            terms_of_use: None,
            endorsement: None,
            endorsement_jwt: None,
            proof: None,
            extensions: Map::new(),
        }
    }
}
