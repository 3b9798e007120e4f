//! Stacks and pathways: what a teacher's badges add up to.
//!
//! A [`Stack`] has its own stack-level Achievement (the badge a completed stack earns) and a
//! completion [`Rule`] over member achievements: all of, at least N of, nested stacks; with an
//! optional order (one before another) and an optional pace (at least N a year).
//!
//! Definitions are files a district writes ([`StackSet::load`], JSON or TOML):
//!
//! ```json
//! {
//!   "achievements": [{"id": "https://district.example/a/flexible-grouping", "name": "Flexible Grouping"}],
//!   "stacks": [{
//!     "id": "https://district.example/stacks/differentiation",
//!     "name": "Differentiated Instruction",
//!     "issuer": {"id": "https://district.example/issuers/1", "type": ["Profile"], "name": "District"},
//!     "achievement": {"id": "https://district.example/a/differentiation-stack", "type": ["Achievement"], "…": "…"},
//!     "rule": {"allOf": ["https://district.example/a/flexible-grouping", "…"]},
//!     "order": [{"before": "…", "after": "…"}],
//!     "pace": {"atLeast": 5, "per": "year"}
//!   }]
//! }
//! ```
//!
//! A rule is an achievement id (string), `{"stack": ID}`, `{"allOf": [RULE…]}` or
//! `{"atLeast": N, "of": [RULE…] | "catalog"}` (`"catalog"`: any achievement the file lists).
//! Membership is also expressed in standard terms for other systems: [`Stack::associations`]
//! (CLR 2.0 `isChildOf` associations) and [`Stack::member_alignment`] (an OB 3.0 `Alignment`).
//!
//! Progress is computed by [`progress`] over a [`crate::portfolio::Portfolio`]; a complete stack's
//! credential is built by [`award`], its `evidence` naming each constituent credential and its
//! digest so a verifier can check the claim later ([`check_award_evidence`]).

mod award;
mod definition;
mod progress;

pub use award::{award, check_award_evidence, CONSTITUENT_GENRE};
pub use definition::{
    CatalogEntry, Enrollment, Order, OrderItem, Pace, Pathway, Period, Rule, Stack, StackSet,
    MAX_RULE_DEPTH, MAX_RULE_TERMS,
};
pub use progress::{
    progress, progress_all, CredentialStanding, Member, MissingStack, PeriodCount, StackProgress,
};
