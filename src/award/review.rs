//! What assessors and approvers record: a [`Review`] (a level per rubric criterion, with
//! comments) and an [`Approval`] (an administrator's sign-off, or a return).

use chrono::{DateTime, Utc};

/// One assessor's level for one criterion.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Score {
    /// The criterion, by its `id` or its name.
    pub criterion: String,
    /// The level, by its `id` or its name.
    pub level: String,
    /// The assessor's comment for the teacher.
    pub comment: String,
    /// Where it was read (`reviews.csv:7`), for error messages.
    pub origin: Option<String>,
}

/// One assessor's review of one submission: a level for every rubric criterion.
///
/// # Example
/// ```
/// use openbadges::award::Review;
/// let r = Review::new("sub-1", "did:example:assessor-a", "2026-03-10T00:00:00Z".parse()?)
///     .score("Planning", "Proficient", "Clear objectives.")
///     .score("Grouping", "Developing", "Groups did not change.");
/// assert_eq!(r.scores.len(), 2);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Review {
    /// The submission reviewed.
    pub submission: String,
    /// The assessor (a DID).
    pub assessor: String,
    /// The levels given.
    pub scores: Vec<Score>,
    /// When the review was made.
    pub date: DateTime<Utc>,
    /// Where it was read (first line), for error messages.
    pub origin: Option<String>,
}

impl Review {
    /// An empty review.
    pub fn new(
        submission: impl Into<String>,
        assessor: impl Into<String>,
        date: DateTime<Utc>,
    ) -> Self {
        Review {
            submission: submission.into(),
            assessor: assessor.into(),
            scores: Vec::new(),
            date,
            origin: None,
        }
    }

    /// Adds a level for a criterion (ids or names), with a comment.
    pub fn score(
        mut self,
        criterion: impl Into<String>,
        level: impl Into<String>,
        comment: impl Into<String>,
    ) -> Self {
        self.scores.push(Score {
            criterion: criterion.into(),
            level: level.into(),
            comment: comment.into(),
            origin: None,
        });
        self
    }

    /// Records where the review was read.
    pub fn origin(mut self, origin: impl Into<String>) -> Self {
        self.origin = Some(origin.into());
        self
    }

    pub(crate) fn at(&self) -> String {
        self.origin
            .as_deref()
            .map(|o| format!("{o}: "))
            .unwrap_or_default()
    }
}

/// An approver's sign-off on a submission the assessors passed, or its return.
///
/// # Example
/// ```
/// use openbadges::award::Approval;
/// let a = Approval::new("sub-1", "did:example:principal", true, "2026-03-12T00:00:00Z".parse()?);
/// assert!(a.approved);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Approval {
    /// The submission.
    pub submission: String,
    /// Who signs off.
    pub approver: String,
    /// Approved (true) or returned (false).
    pub approved: bool,
    /// The approver's comment.
    pub comment: String,
    /// When.
    pub date: DateTime<Utc>,
    /// Where it was read, for error messages.
    pub origin: Option<String>,
}

impl Approval {
    /// An approval (or, with `approved` false, a return) without comment.
    pub fn new(
        submission: impl Into<String>,
        approver: impl Into<String>,
        approved: bool,
        date: DateTime<Utc>,
    ) -> Self {
        Approval {
            submission: submission.into(),
            approver: approver.into(),
            approved,
            comment: String::new(),
            date,
            origin: None,
        }
    }

    /// Sets the comment.
    pub fn comment(mut self, c: impl Into<String>) -> Self {
        self.comment = c.into();
        self
    }

    /// Records where the approval was read.
    pub fn origin(mut self, origin: impl Into<String>) -> Self {
        self.origin = Some(origin.into());
        self
    }
}
