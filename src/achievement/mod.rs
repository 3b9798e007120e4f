//! `Achievement` — what a badge certifies — with its criteria, alignments, result descriptions and
//! the OB 3.0 enumerations (`AchievementType`, `ResultType`, `AlignmentTargetType`).

pub mod rubric;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::profile::{IdentifierEntry, ImageRef, Profile};
use crate::value::{ob_enum, MultiLang, OneOrMany};

ob_enum!(
    /// `achievementType` (OB 3.0 AchievementType enumeration).
    AchievementType {
        /// Achievement
        Achievement = "Achievement", /// ApprenticeshipCertificate
        ApprenticeshipCertificate = "ApprenticeshipCertificate", /// Assessment
        Assessment = "Assessment", /// Assignment
        Assignment = "Assignment", /// AssociateDegree
        AssociateDegree = "AssociateDegree", /// Award
        Award = "Award", /// Badge
        Badge = "Badge", /// BachelorDegree
        BachelorDegree = "BachelorDegree", /// Certificate
        Certificate = "Certificate", /// CertificateOfCompletion
        CertificateOfCompletion = "CertificateOfCompletion", /// Certification
        Certification = "Certification", /// CommunityService
        CommunityService = "CommunityService", /// Competency
        Competency = "Competency", /// Course
        Course = "Course", /// CoCurricular
        CoCurricular = "CoCurricular", /// Degree
        Degree = "Degree", /// Diploma
        Diploma = "Diploma", /// DoctoralDegree
        DoctoralDegree = "DoctoralDegree", /// Fieldwork
        Fieldwork = "Fieldwork", /// GeneralEducationDevelopment
        GeneralEducationDevelopment = "GeneralEducationDevelopment", /// JourneymanCertificate
        JourneymanCertificate = "JourneymanCertificate", /// LearningProgram
        LearningProgram = "LearningProgram", /// License
        License = "License", /// Membership
        Membership = "Membership", /// ProfessionalDoctorate
        ProfessionalDoctorate = "ProfessionalDoctorate", /// QualityAssuranceCredential
        QualityAssuranceCredential = "QualityAssuranceCredential", /// MasterCertificate
        MasterCertificate = "MasterCertificate", /// MasterDegree
        MasterDegree = "MasterDegree", /// MicroCredential
        MicroCredential = "MicroCredential", /// ResearchDoctorate
        ResearchDoctorate = "ResearchDoctorate", /// SecondarySchoolDiploma
        SecondarySchoolDiploma = "SecondarySchoolDiploma",
    }
);

ob_enum!(
    /// `resultType` (OB 3.0 ResultType enumeration).
    ResultType {
        /// GradePointAverage
        GradePointAverage = "GradePointAverage", /// LetterGrade
        LetterGrade = "LetterGrade", /// Percent
        Percent = "Percent", /// PerformanceLevel
        PerformanceLevel = "PerformanceLevel", /// PredictedScore
        PredictedScore = "PredictedScore", /// RawScore
        RawScore = "RawScore", /// Result
        Result = "Result", /// RubricCriterion
        RubricCriterion = "RubricCriterion", /// RubricCriterionLevel
        RubricCriterionLevel = "RubricCriterionLevel", /// RubricScore
        RubricScore = "RubricScore", /// ScaledScore
        ScaledScore = "ScaledScore", /// Status
        Status = "Status",
    }
);

ob_enum!(
    /// `status` of a Result (OB 3.0 ResultStatusType enumeration).
    ResultStatusType {
        /// Completed
        Completed = "Completed", /// Enrolled
        Enrolled = "Enrolled", /// Failed
        Failed = "Failed", /// InProgress
        InProgress = "InProgress", /// OnHold
        OnHold = "OnHold", /// Provisional
        Provisional = "Provisional", /// Withdrew
        Withdrew = "Withdrew",
    }
);

ob_enum!(
    /// `targetType` of an Alignment (OB 3.0 AlignmentTargetType enumeration).
    AlignmentTargetType {
        /// ceasn:Competency
        CeasnCompetency = "ceasn:Competency", /// ceterms:Credential
        CetermsCredential = "ceterms:Credential", /// CFItem
        CfItem = "CFItem", /// CFRubric
        CfRubric = "CFRubric", /// CFRubricCriterion
        CfRubricCriterion = "CFRubricCriterion", /// CFRubricCriterionLevel
        CfRubricCriterionLevel = "CFRubricCriterionLevel", /// CTDL
        Ctdl = "CTDL",
    }
);

/// What must be done to earn the achievement.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Criteria {
    /// A URL of a page describing the criteria.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// The criteria, in Markdown.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub narrative: Option<MultiLang>,
    /// Members not modelled here, kept as received.
    #[serde(flatten)]
    pub extensions: Map<String, Value>,
}

/// An alignment to a competency, standard or framework item.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Alignment {
    /// `["Alignment"]`.
    #[serde(rename = "type")]
    pub kind: OneOrMany<String>,
    /// Name of the target.
    pub target_name: MultiLang,
    /// URL of the target.
    pub target_url: String,
    /// Description of the target.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target_description: Option<MultiLang>,
    /// The framework the target belongs to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target_framework: Option<MultiLang>,
    /// The target's code in its framework.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target_code: Option<String>,
    /// The kind of target.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target_type: Option<AlignmentTargetType>,
    /// Members not modelled here, kept as received.
    #[serde(flatten)]
    pub extensions: Map<String, Value>,
}

/// One level of a rubric criterion.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RubricCriterionLevel {
    /// Identifier of the level.
    pub id: String,
    /// `["RubricCriterionLevel"]`.
    #[serde(rename = "type")]
    pub kind: OneOrMany<String>,
    /// Name of the level.
    pub name: MultiLang,
    /// Members not modelled here (description, level, points, alignment…), kept as received.
    #[serde(flatten)]
    pub extensions: Map<String, Value>,
}

/// How results of the achievement are described (a rubric, a grade scale…).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ResultDescription {
    /// Identifier, referenced by `Result.resultDescription`.
    pub id: String,
    /// `["ResultDescription"]`.
    #[serde(rename = "type")]
    pub kind: OneOrMany<String>,
    /// Name of the result.
    pub name: MultiLang,
    /// The kind of result.
    pub result_type: ResultType,
    /// Rubric levels, when the result is a rubric score.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rubric_criterion_level: Option<Vec<RubricCriterionLevel>>,
    /// Members not modelled here (allowedValue, valueMin, valueMax…), kept as received.
    #[serde(flatten)]
    pub extensions: Map<String, Value>,
}

/// An achievement: what a badge certifies. Fields not listed are kept in `extensions`.
///
/// # Example
/// ```
/// use openbadges::achievement::{Achievement, AchievementType};
/// let a = Achievement::new(
///     "https://riverside.example/achievements/flexible-grouping",
///     "Flexible Grouping",
///     "Forms and re-forms student groups from formative data.",
///     "Evidence scored 3+ on every rubric row.",
/// ).with_type(AchievementType::MicroCredential);
/// let json = a.to_json_value();
/// assert_eq!(json["achievementType"], "MicroCredential");
/// assert_eq!(Achievement::from_json(json.to_string().as_bytes())?, a);
/// # Ok::<(), openbadges::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Achievement {
    /// Unique URI of the achievement.
    pub id: String,
    /// `["Achievement"]`.
    #[serde(rename = "type")]
    pub kind: OneOrMany<String>,
    /// Name.
    pub name: MultiLang,
    /// Description.
    pub description: MultiLang,
    /// Criteria.
    pub criteria: Criteria,
    /// The kind of achievement.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub achievement_type: Option<AchievementType>,
    /// Image (a URL or an Image object).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image: Option<ImageRef>,
    /// Alignments to competencies or frameworks.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub alignment: Option<Vec<Alignment>>,
    /// Who created it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub creator: Option<Box<Profile>>,
    /// Credits available (OB has no unit; see the stack/credit policy issue).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub credits_available: Option<serde_json::Number>,
    /// Result descriptions (rubrics, grades).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub result_description: Option<Vec<ResultDescription>>,
    /// Other identifiers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub other_identifier: Option<Vec<IdentifierEntry>>,
    /// Members not modelled here (endorsement, related, tag, version, humanCode, …), kept.
    #[serde(flatten)]
    pub extensions: Map<String, Value>,
}

impl Achievement {
    /// An achievement with the four required members.
    pub fn new(
        id: impl Into<String>,
        name: impl Into<MultiLang>,
        description: impl Into<MultiLang>,
        criteria_narrative: impl Into<MultiLang>,
    ) -> Self {
        Achievement {
            id: id.into(),
            kind: OneOrMany::Many(vec!["Achievement".into()]),
            name: name.into(),
            description: description.into(),
            criteria: Criteria {
                id: None,
                narrative: Some(criteria_narrative.into()),
                extensions: Map::new(),
            },
            achievement_type: None,
            image: None,
            alignment: None,
            creator: None,
            credits_available: None,
            result_description: None,
            other_identifier: None,
            extensions: Map::new(),
        }
    }

    /// Sets `achievementType`.
    pub fn with_type(mut self, t: AchievementType) -> Self {
        self.achievement_type = Some(t);
        self
    }

    /// Parses an Achievement (strict JSON, typed errors with the field's JSON Pointer).
    pub fn from_json(bytes: &[u8]) -> crate::Result<Self> {
        crate::credential::from_json_typed(bytes, "Achievement")
    }

    /// The JSON form.
    pub fn to_json_value(&self) -> Value {
        serde_json::to_value(self).unwrap_or(Value::Null)
    }
}
