//! API tokens: OAuth 2.0 bearer tokens with scopes. An operator's token is printed once by
//! `openbadges serve token create` and never expires; a token from the OAuth flow
//! ([`super::oauth`]) expires and acts for one resource owner. Only a token's sha256 is stored.
//! Issuing, status changes and the OB API's endpoints each need a scope.

use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use rand_core::{OsRng, RngCore};
use sha2::{Digest, Sha256};

use super::problem::Problem;
use super::App;
use crate::verify::Recipient;

/// Who a request's bearer token acts for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bearer {
    /// The resource owner of a token from the OAuth flow: the OB API shows and accepts only
    /// their credentials. `None` for an operator's token, which sees everything.
    pub owner: Option<Recipient>,
    /// The owner as stored (e-mail lowercased, or the ID), a key for per-owner data.
    pub owner_key: Option<String>,
}

/// The OB 3.0 API scopes' common prefix.
pub const OB_SCOPE_BASE: &str = "https://purl.imsglobal.org/spec/ob/v3p0/scope/";

/// What a token may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Scope {
    /// `POST /credentials/issue`.
    Issue,
    /// `POST /credentials/status`.
    Status,
    /// OB API: read credentials.
    CredentialReadonly,
    /// OB API: create or update credentials.
    CredentialUpsert,
    /// OB API: read the profile.
    ProfileReadonly,
    /// OB API: update the profile.
    ProfileUpdate,
}

impl Scope {
    /// Every scope.
    pub const ALL: [Scope; 6] = [
        Scope::Issue,
        Scope::Status,
        Scope::CredentialReadonly,
        Scope::CredentialUpsert,
        Scope::ProfileReadonly,
        Scope::ProfileUpdate,
    ];

    /// The scope's name: `issue`, `status`, or an OB 3.0 scope URI.
    pub fn as_str(&self) -> &'static str {
        match self {
            Scope::Issue => "issue",
            Scope::Status => "status",
            Scope::CredentialReadonly => {
                "https://purl.imsglobal.org/spec/ob/v3p0/scope/credential.readonly"
            }
            Scope::CredentialUpsert => {
                "https://purl.imsglobal.org/spec/ob/v3p0/scope/credential.upsert"
            }
            Scope::ProfileReadonly => {
                "https://purl.imsglobal.org/spec/ob/v3p0/scope/profile.readonly"
            }
            Scope::ProfileUpdate => "https://purl.imsglobal.org/spec/ob/v3p0/scope/profile.update",
        }
    }

    /// Parses a scope: its name, or an OB scope's short form (`credential.readonly`).
    ///
    /// # Example
    /// ```
    /// use openbadges::server::auth::Scope;
    /// assert_eq!(Scope::parse("issue"), Some(Scope::Issue));
    /// assert_eq!(Scope::parse("credential.readonly"), Some(Scope::CredentialReadonly));
    /// assert_eq!(Scope::parse("admin"), None);
    /// ```
    pub fn parse(s: &str) -> Option<Scope> {
        let short = s.strip_prefix(OB_SCOPE_BASE).unwrap_or(s);
        Scope::ALL
            .into_iter()
            .find(|sc| sc.as_str() == s || sc.as_str().strip_prefix(OB_SCOPE_BASE) == Some(short))
    }
}

/// A new random token (`obt_` + 32 random bytes, base64url) and its sha256 (hex) to store.
pub fn new_token() -> (String, String) {
    use base64::Engine;
    let mut bytes = [0u8; 32];
    OsRng.fill_bytes(&mut bytes);
    let token = format!(
        "obt_{}",
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
    );
    let hash = token_hash(&token);
    (token, hash)
}

/// The sha256 (hex) a token is stored as.
pub fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// Checks the request's bearer token against `scope`: 401 without a (known, unexpired) token,
/// 403 when the token lacks the scope, 503 when the database cannot say.
pub async fn require(app: &App, headers: &HeaderMap, scope: Scope) -> Result<Bearer, Problem> {
    let challenge = |error: Option<&str>| {
        let v = match error {
            Some(e) => format!(
                "Bearer realm=\"openbadges\", error=\"{e}\", scope=\"{}\"",
                scope.as_str()
            ),
            None => "Bearer realm=\"openbadges\"".to_string(),
        };
        HeaderValue::from_str(&v).unwrap_or(HeaderValue::from_static("Bearer"))
    };
    let token = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            v.strip_prefix("Bearer ")
                .or_else(|| v.strip_prefix("bearer "))
        })
        .map(str::trim)
        .filter(|t| !t.is_empty());
    let Some(token) = token else {
        return Err(Problem::new(
            StatusCode::UNAUTHORIZED,
            "missing-token",
            "Authentication required",
            format!("send `Authorization: Bearer TOKEN` with a token of scope `{}` (openbadges serve token create)", scope.as_str()),
        )
        .header(header::WWW_AUTHENTICATE, challenge(None)));
    };
    let grant = app
        .store
        .token_grant(&token_hash(token))
        .await?
        .filter(|g| g.expires.is_none_or(|e| app.clock.now() < e));
    let Some(grant) = grant else {
        return Err(Problem::new(
            StatusCode::UNAUTHORIZED,
            "invalid-token",
            "Invalid token",
            "the bearer token is not known to this server, or has expired or been revoked",
        )
        .header(header::WWW_AUTHENTICATE, challenge(Some("invalid_token"))));
    };
    if grant.scopes.split(' ').any(|s| s == scope.as_str()) {
        Ok(Bearer {
            owner: grant.owner.as_deref().map(Recipient::parse),
            owner_key: grant.owner,
        })
    } else {
        Err(Problem::new(
            StatusCode::FORBIDDEN,
            "insufficient-scope",
            "Insufficient scope",
            format!("this token does not have the scope `{}`", scope.as_str()),
        )
        .header(
            header::WWW_AUTHENTICATE,
            challenge(Some("insufficient_scope")),
        ))
    }
}
