//! The Open Badges 3.0 data model as the lint sees it: for each class, its required properties,
//! what its `type` must contain, and what kind of value each known property takes.
//!
//! Taken from the OB 3.0 specification's data model (§B "Data Models") and cross-checked against
//! the 1EdTech JSON Schemas (`ob_v3p0_achievementcredential_schema.json`,
//! `ob_v3p0_anyachievementcredential_schema.json`, `ob_v3p0_endorsementcredential_schema.json`,
//! `ob_v3p0_profile_schema.json`). Properties not listed are extensions and are not checked.

/// The OB 3.0 / VC classes the lint knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Class {
    AchievementCredential,
    EndorsementCredential,
    AchievementSubject,
    EndorsementSubject,
    Achievement,
    Alignment,
    Criteria,
    IdentifierEntry,
    IdentityObject,
    Evidence,
    Image,
    Profile,
    Address,
    GeoCoordinates,
    Result,
    ResultDescription,
    RubricCriterionLevel,
    Related,
    Proof,
    CredentialSchema,
    CredentialStatus,
    RefreshService,
    TermsOfUse,
}

/// What kind of value a property takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Val {
    /// A string (URI, text, markdown…). A language map here is reported separately.
    Text,
    /// A string or an array of strings.
    ManyText,
    /// An RFC 3339 date-time with a timezone offset.
    DateTime,
    /// An RFC 3339 full-date (YYYY-MM-DD).
    Date,
    /// A JSON number.
    Number,
    /// A JSON boolean.
    Bool,
    /// One value of an enumeration; `ext` says whether `ext:`-prefixed extensions are allowed.
    Enum {
        values: &'static [&'static str],
        ext: bool,
    },
    /// A BCP 47 language code.
    Language,
    /// A compact JWS, or an array of them.
    ManyJws,
    /// One object of the class.
    One(Class),
    /// One object of the class, or an array of them.
    Many(Class),
    /// An `Image` object (a bare URL string is the common mistake).
    Image,
    /// A Profile object or a URI string (the credential `issuer`).
    ProfileRef,
    /// An embedded credential (EndorsementCredential), or an array of them.
    ManyEndorsement,
}

/// What `type` must be for a class.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TypeRule {
    /// The class has no `type` requirement.
    Free,
    /// `type` is a string or an array of strings; for each inner slice, one of its names must
    /// appear.
    Includes(&'static [&'static [&'static str]]),
    /// `type` must be exactly this string (the schema allows no array here).
    Exactly(&'static str),
    /// `type` must be present and a string; its value is not constrained (Proof, status…).
    AnyString,
}

/// A class's shape.
pub(crate) struct Shape {
    pub required: &'static [&'static str],
    pub type_rule: TypeRule,
    pub fields: &'static [(&'static str, Val)],
    /// No properties beyond `fields` are allowed (`additionalProperties: false`).
    pub closed: bool,
}

pub(crate) const ACHIEVEMENT_TYPES: &[&str] = &[
    "Achievement",
    "ApprenticeshipCertificate",
    "Assessment",
    "Assignment",
    "AssociateDegree",
    "Award",
    "Badge",
    "BachelorDegree",
    "Certificate",
    "CertificateOfCompletion",
    "Certification",
    "CommunityService",
    "Competency",
    "Course",
    "CoCurricular",
    "Degree",
    "Diploma",
    "DoctoralDegree",
    "Fieldwork",
    "GeneralEducationDevelopment",
    "JourneymanCertificate",
    "LearningProgram",
    "License",
    "Membership",
    "ProfessionalDoctorate",
    "QualityAssuranceCredential",
    "MasterCertificate",
    "MasterDegree",
    "MicroCredential",
    "ResearchDoctorate",
    "SecondarySchoolDiploma",
];

pub(crate) const RESULT_TYPES: &[&str] = &[
    "GradePointAverage",
    "LetterGrade",
    "Percent",
    "PerformanceLevel",
    "PredictedScore",
    "RawScore",
    "Result",
    "RubricCriterion",
    "RubricCriterionLevel",
    "RubricScore",
    "ScaledScore",
    "Status",
];

pub(crate) const RESULT_STATUS: &[&str] = &[
    "Completed",
    "Enrolled",
    "Failed",
    "InProgress",
    "OnHold",
    "Provisional",
    "Withdrew",
];

pub(crate) const ALIGNMENT_TARGET_TYPES: &[&str] = &[
    "ceasn:Competency",
    "ceterms:Credential",
    "CFItem",
    "CFRubric",
    "CFRubricCriterion",
    "CFRubricCriterionLevel",
    "CTDL",
];

pub(crate) const IDENTIFIER_TYPES: &[&str] = &[
    "name",
    "sourcedId",
    "systemId",
    "productId",
    "userName",
    "accountId",
    "emailAddress",
    "nationalIdentityNumber",
    "isbn",
    "issn",
    "lisSourcedId",
    "oneRosterSourcedId",
    "sisSourcedId",
    "ltiContextId",
    "ltiDeploymentId",
    "ltiToolId",
    "ltiPlatformId",
    "ltiUserId",
    "identifier",
];

const IDENTIFIER_TYPE: Val = Val::Enum {
    values: IDENTIFIER_TYPES,
    ext: true,
};

/// Properties shared by AchievementCredential and EndorsementCredential (both VC versions; the
/// version-specific dates are checked by the caller).
const CREDENTIAL_FIELDS: &[(&str, Val)] = &[
    ("id", Val::Text),
    ("name", Val::Text),
    ("description", Val::Text),
    ("awardedDate", Val::DateTime),
    ("issuer", Val::ProfileRef),
    ("validFrom", Val::DateTime),
    ("validUntil", Val::DateTime),
    ("issuanceDate", Val::DateTime),
    ("expirationDate", Val::DateTime),
    ("proof", Val::Many(Class::Proof)),
    ("credentialSchema", Val::Many(Class::CredentialSchema)),
    ("credentialStatus", Val::One(Class::CredentialStatus)),
    ("refreshService", Val::One(Class::RefreshService)),
    ("termsOfUse", Val::Many(Class::TermsOfUse)),
    ("evidence", Val::Many(Class::Evidence)),
];

const ACHIEVEMENT_CREDENTIAL_FIELDS: &[(&str, Val)] = &[
    ("image", Val::Image),
    ("credentialSubject", Val::One(Class::AchievementSubject)),
    ("endorsement", Val::ManyEndorsement),
    ("endorsementJwt", Val::ManyJws),
];

const ENDORSEMENT_CREDENTIAL_FIELDS: &[(&str, Val)] =
    &[("credentialSubject", Val::One(Class::EndorsementSubject))];

/// The shape of a class. Credentials get their common fields from [`credential_fields`].
pub(crate) fn shape(class: Class) -> Shape {
    use Class as C;
    let s = |required, type_rule, fields, closed| Shape {
        required,
        type_rule,
        fields,
        closed,
    };
    match class {
        C::AchievementCredential => s(
            &["@context", "id", "type", "credentialSubject", "issuer"],
            TypeRule::Includes(&[
                &["VerifiableCredential"],
                &["AchievementCredential", "OpenBadgeCredential"],
            ]),
            ACHIEVEMENT_CREDENTIAL_FIELDS,
            false,
        ),
        C::EndorsementCredential => s(
            &[
                "@context",
                "type",
                "id",
                "name",
                "credentialSubject",
                "issuer",
            ],
            TypeRule::Includes(&[&["VerifiableCredential"], &["EndorsementCredential"]]),
            ENDORSEMENT_CREDENTIAL_FIELDS,
            false,
        ),
        C::AchievementSubject => s(
            &["type", "achievement"],
            TypeRule::Includes(&[&["AchievementSubject"]]),
            &[
                ("id", Val::Text),
                ("activityEndDate", Val::DateTime),
                ("activityStartDate", Val::DateTime),
                ("creditsEarned", Val::Number),
                ("achievement", Val::One(C::Achievement)),
                ("identifier", Val::Many(C::IdentityObject)),
                ("image", Val::Image),
                ("licenseNumber", Val::Text),
                ("narrative", Val::Text),
                ("result", Val::Many(C::Result)),
                ("role", Val::Text),
                ("source", Val::One(C::Profile)),
                ("term", Val::Text),
            ],
            false,
        ),
        C::EndorsementSubject => s(
            &["id", "type"],
            TypeRule::Includes(&[&["EndorsementSubject"]]),
            &[("id", Val::Text), ("endorsementComment", Val::Text)],
            false,
        ),
        C::Achievement => s(
            &["id", "type", "criteria", "description", "name"],
            TypeRule::Includes(&[&["Achievement"]]),
            &[
                ("id", Val::Text),
                ("alignment", Val::Many(C::Alignment)),
                (
                    "achievementType",
                    Val::Enum {
                        values: ACHIEVEMENT_TYPES,
                        ext: true,
                    },
                ),
                ("creator", Val::One(C::Profile)),
                ("creditsAvailable", Val::Number),
                ("criteria", Val::One(C::Criteria)),
                ("description", Val::Text),
                ("endorsement", Val::ManyEndorsement),
                ("endorsementJwt", Val::ManyJws),
                ("fieldOfStudy", Val::Text),
                ("humanCode", Val::Text),
                ("image", Val::Image),
                ("inLanguage", Val::Language),
                ("name", Val::Text),
                ("otherIdentifier", Val::Many(C::IdentifierEntry)),
                ("related", Val::Many(C::Related)),
                ("resultDescription", Val::Many(C::ResultDescription)),
                ("specialization", Val::Text),
                ("tag", Val::ManyText),
                ("version", Val::Text),
            ],
            false,
        ),
        C::Alignment => s(
            &["type", "targetName", "targetUrl"],
            TypeRule::Includes(&[&["Alignment"]]),
            &[
                ("targetCode", Val::Text),
                ("targetDescription", Val::Text),
                ("targetName", Val::Text),
                ("targetFramework", Val::Text),
                (
                    "targetType",
                    Val::Enum {
                        values: ALIGNMENT_TARGET_TYPES,
                        ext: true,
                    },
                ),
                ("targetUrl", Val::Text),
            ],
            false,
        ),
        C::Criteria => s(
            &[],
            TypeRule::Free,
            &[("id", Val::Text), ("narrative", Val::Text)],
            false,
        ),
        C::IdentifierEntry => s(
            &["type", "identifier", "identifierType"],
            TypeRule::Exactly("IdentifierEntry"),
            &[
                ("type", Val::Text),
                ("identifier", Val::Text),
                ("identifierType", IDENTIFIER_TYPE),
            ],
            true,
        ),
        C::IdentityObject => s(
            &["type", "hashed", "identityHash", "identityType"],
            TypeRule::Exactly("IdentityObject"),
            &[
                ("type", Val::Text),
                ("hashed", Val::Bool),
                ("identityHash", Val::Text),
                ("identityType", IDENTIFIER_TYPE),
                ("salt", Val::Text),
            ],
            true,
        ),
        C::Evidence => s(
            &["type"],
            TypeRule::Includes(&[&["Evidence"]]),
            &[
                ("id", Val::Text),
                ("narrative", Val::Text),
                ("name", Val::Text),
                ("description", Val::Text),
                ("genre", Val::Text),
                ("audience", Val::Text),
            ],
            false,
        ),
        C::Image => s(
            &["id", "type"],
            TypeRule::Exactly("Image"),
            &[
                ("id", Val::Text),
                ("type", Val::Text),
                ("caption", Val::Text),
            ],
            true,
        ),
        C::Profile => s(
            &["id", "type"],
            TypeRule::Includes(&[&["Profile"]]),
            &[
                ("id", Val::Text),
                ("name", Val::Text),
                ("url", Val::Text),
                ("phone", Val::Text),
                ("description", Val::Text),
                ("endorsement", Val::ManyEndorsement),
                ("endorsementJwt", Val::ManyJws),
                ("image", Val::Image),
                ("email", Val::Text),
                ("address", Val::One(C::Address)),
                ("otherIdentifier", Val::Many(C::IdentifierEntry)),
                ("official", Val::Text),
                ("parentOrg", Val::One(C::Profile)),
                ("familyName", Val::Text),
                ("givenName", Val::Text),
                ("additionalName", Val::Text),
                ("patronymicName", Val::Text),
                ("honorificPrefix", Val::Text),
                ("honorificSuffix", Val::Text),
                ("familyNamePrefix", Val::Text),
                ("dateOfBirth", Val::Date),
            ],
            false,
        ),
        C::Address => s(
            &["type"],
            TypeRule::Includes(&[&["Address"]]),
            &[
                ("addressCountry", Val::Text),
                ("addressCountryCode", Val::Text),
                ("addressRegion", Val::Text),
                ("addressLocality", Val::Text),
                ("streetAddress", Val::Text),
                ("postOfficeBoxNumber", Val::Text),
                ("postalCode", Val::Text),
                ("geo", Val::One(C::GeoCoordinates)),
            ],
            false,
        ),
        C::GeoCoordinates => s(
            &["type", "latitude", "longitude"],
            TypeRule::Exactly("GeoCoordinates"),
            &[("latitude", Val::Number), ("longitude", Val::Number)],
            false,
        ),
        C::Result => s(
            &["type"],
            TypeRule::Includes(&[&["Result"]]),
            &[
                ("achievedLevel", Val::Text),
                ("alignment", Val::Many(C::Alignment)),
                ("resultDescription", Val::Text),
                (
                    "status",
                    Val::Enum {
                        values: RESULT_STATUS,
                        ext: false,
                    },
                ),
                ("value", Val::Text),
            ],
            false,
        ),
        C::ResultDescription => s(
            &["id", "type", "name", "resultType"],
            TypeRule::Includes(&[&["ResultDescription"]]),
            &[
                ("id", Val::Text),
                ("alignment", Val::Many(C::Alignment)),
                ("allowedValue", Val::ManyText),
                ("name", Val::Text),
                ("requiredLevel", Val::Text),
                ("requiredValue", Val::Text),
                (
                    "resultType",
                    Val::Enum {
                        values: RESULT_TYPES,
                        ext: true,
                    },
                ),
                ("rubricCriterionLevel", Val::Many(C::RubricCriterionLevel)),
                ("valueMax", Val::Text),
                ("valueMin", Val::Text),
            ],
            false,
        ),
        C::RubricCriterionLevel => s(
            &["id", "type", "name"],
            TypeRule::Includes(&[&["RubricCriterionLevel"]]),
            &[
                ("id", Val::Text),
                ("alignment", Val::Many(C::Alignment)),
                ("description", Val::Text),
                ("level", Val::Text),
                ("name", Val::Text),
                ("points", Val::Text),
            ],
            false,
        ),
        C::Related => s(
            &["id", "type"],
            TypeRule::Includes(&[&["Related"]]),
            &[
                ("id", Val::Text),
                ("inLanguage", Val::Language),
                ("version", Val::Text),
            ],
            false,
        ),
        C::Proof => s(
            &["type"],
            TypeRule::AnyString,
            &[
                ("created", Val::DateTime),
                ("cryptosuite", Val::Text),
                ("challenge", Val::Text),
                ("domain", Val::Text),
                ("nonce", Val::Text),
                ("proofPurpose", Val::Text),
                ("proofValue", Val::Text),
                ("verificationMethod", Val::Text),
            ],
            false,
        ),
        C::CredentialSchema => s(
            &["id", "type"],
            TypeRule::AnyString,
            &[("id", Val::Text)],
            false,
        ),
        C::CredentialStatus => s(&["type"], TypeRule::AnyString, &[("id", Val::Text)], false),
        C::RefreshService => s(
            &["id", "type"],
            TypeRule::AnyString,
            &[("id", Val::Text)],
            false,
        ),
        C::TermsOfUse => s(&["type"], TypeRule::AnyString, &[("id", Val::Text)], false),
    }
}

/// Fields every credential class has (in addition to [`shape`]'s).
pub(crate) fn credential_fields() -> &'static [(&'static str, Val)] {
    CREDENTIAL_FIELDS
}

/// The class name as the specification writes it.
pub(crate) fn name(class: Class) -> &'static str {
    use Class as C;
    match class {
        C::AchievementCredential => "AchievementCredential",
        C::EndorsementCredential => "EndorsementCredential",
        C::AchievementSubject => "AchievementSubject",
        C::EndorsementSubject => "EndorsementSubject",
        C::Achievement => "Achievement",
        C::Alignment => "Alignment",
        C::Criteria => "Criteria",
        C::IdentifierEntry => "IdentifierEntry",
        C::IdentityObject => "IdentityObject",
        C::Evidence => "Evidence",
        C::Image => "Image",
        C::Profile => "Profile",
        C::Address => "Address",
        C::GeoCoordinates => "GeoCoordinates",
        C::Result => "Result",
        C::ResultDescription => "ResultDescription",
        C::RubricCriterionLevel => "RubricCriterionLevel",
        C::Related => "Related",
        C::Proof => "Proof",
        C::CredentialSchema => "CredentialSchema",
        C::CredentialStatus => "CredentialStatus",
        C::RefreshService => "RefreshService",
        C::TermsOfUse => "TermsOfUse",
    }
}
