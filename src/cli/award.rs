//! `openbadges award`: decide every submission of a review round from CSV files and issue the
//! awards (in parallel, resumable, one atomic file per badge, a manifest); `not-yet.csv` and
//! `pending.csv` for the letters; `award explain BADGE` prints and checks a badge's review trail.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::time::Instant;

use chrono::{DateTime, NaiveDate, Utc};
use clap::Subcommand;
use serde_json::json;

use super::parallel::{parallel, remove_temporaries};
use super::{print_json, programs, read_input, SignerArgs};
use crate::award::{
    Approval, AssessorCredentials, AssessorKeys, Awarder, Docket, EvidenceItem, Outcome, Review,
    ReviewPolicy, ReviewTrail, Score, Submission,
};
use crate::error::{Error, ErrorKind, Result};
use crate::verify::{Verifier, VerifyOptions};

/// `openbadges award …`.
#[derive(clap::Args)]
#[command(args_conflicts_with_subcommands = true, subcommand_negates_reqs = true)]
pub(super) struct AwardArgs {
    #[command(subcommand)]
    command: Option<AwardCommand>,
    /// The OB 3.0 Achievement (JSON) with its rubric: resultDescription entries with
    /// rubricCriterionLevel and requiredLevel.
    #[arg(long, required = true)]
    achievement: Option<PathBuf>,
    /// The review policy (TOML or JSON).
    #[arg(long, required = true)]
    policy: Option<PathBuf>,
    /// CSV: submission, teacher, date, and optionally name, evidence, digest, evidence_name,
    /// narrative, achievement; one row per evidence item.
    #[arg(long, required = true)]
    submissions: Option<PathBuf>,
    /// CSV: submission, assessor, criterion, level, comments, date, and optionally role
    /// (assessor | approver; an approver's level is approve or return); one row per criterion.
    #[arg(long, required = true)]
    reviews: Option<PathBuf>,
    #[command(flatten)]
    signer: SignerArgs,
    /// Output directory: one badge file per award, manifest.json, not-yet.csv, pending.csv.
    #[arg(long, required = true)]
    out: Option<PathBuf>,
    /// Folder of assessors' key files (`openbadges keygen --out`), found by their did:key; needed
    /// when the policy asks for endorsements.
    #[arg(long, value_name = "DIR")]
    assessor_keys: Option<PathBuf>,
    /// Folder of credentials assessors hold (verified before they count); needed when the policy
    /// requires qualifications.
    #[arg(long, value_name = "DIR")]
    qualifications: Option<PathBuf>,
    /// eddsa-rdfc-2022 | eddsa-jcs-2022 | Ed25519Signature2020
    #[arg(long, default_value = "eddsa-rdfc-2022")]
    suite: String,
    /// Serve a remote document (status list, issuer profile) for verifying qualifications.
    #[arg(long = "resource", value_name = "URL=FILE")]
    resources: Vec<String>,
    /// Never use the network when verifying qualifications.
    #[arg(long)]
    offline: bool,
}

#[derive(Subcommand)]
enum AwardCommand {
    /// Print the review trail a badge carries (results against its rubric, evidence digests,
    /// assessors' endorsements) and check it; exit 1 if it does not hold.
    #[command(
        after_help = "Example:\n  openbadges award explain badges/3f2a9c0d1e4b5a6c7d8e9f00.json\n  openbadges award explain --json badge.json"
    )]
    Explain {
        /// JSON output.
        #[arg(long)]
        json: bool,
        /// Judge dates as of this RFC 3339 time instead of now.
        #[arg(long)]
        at: Option<String>,
        /// Serve a remote document from a file.
        #[arg(long = "resource", value_name = "URL=FILE")]
        resources: Vec<String>,
        /// Never use the network.
        #[arg(long)]
        offline: bool,
        /// The badge (JSON-LD), or -.
        badge: String,
    },
}

pub(super) fn award(args: AwardArgs) -> Result<u8> {
    if let Some(AwardCommand::Explain {
        json: as_json,
        at,
        resources,
        offline,
        badge,
    }) = args.command
    {
        return explain(as_json, at, &resources, offline, &badge);
    }
    let need = |p: Option<PathBuf>, flag: &str| {
        p.ok_or_else(|| Error::new(ErrorKind::Usage, format!("award needs --{flag}")))
    };
    let run = Run {
        achievement: need(args.achievement, "achievement")?,
        policy: need(args.policy, "policy")?,
        submissions: need(args.submissions, "submissions")?,
        reviews: need(args.reviews, "reviews")?,
        out: need(args.out, "out")?,
        assessor_keys: args.assessor_keys,
        qualifications: args.qualifications,
        suite: super::parse_suite(&args.suite)?,
        resources: args.resources,
        offline: args.offline,
    };
    run.run(&args.signer)
}

fn explain(
    as_json: bool,
    at: Option<String>,
    resources: &[String],
    offline: bool,
    badge: &str,
) -> Result<u8> {
    let bytes = read_input(badge)?;
    let v = crate::json::parse(&bytes).map_err(|e| e.context(format!("in {badge}")))?;
    let mut options = VerifyOptions::default();
    if let Some(at) = at {
        options = options.at(programs::parse_at(&at)?);
    }
    let verifier = Verifier::new(options.resolver(programs::resolver_from(resources, offline)?));
    let report = verifier.verify_value(&v)?;
    let trail = ReviewTrail::read(&v, Some(&report));
    if as_json {
        print_json(
            &json!({"reviewTrail": trail, "holds": trail.holds(), "reviewedBy": trail.reviewed_by()}),
        )?;
    } else {
        print!("{trail}");
    }
    Ok(if trail.holds() { 0 } else { 1 })
}

struct Run {
    achievement: PathBuf,
    policy: PathBuf,
    submissions: PathBuf,
    reviews: PathBuf,
    out: PathBuf,
    assessor_keys: Option<PathBuf>,
    qualifications: Option<PathBuf>,
    suite: crate::proof::Suite,
    resources: Vec<String>,
    offline: bool,
}

/// A CSV file's rows with their line numbers, read by header name.
struct Table {
    name: String,
    headers: Vec<String>,
    rows: Vec<(u64, csv::StringRecord)>,
    /// The submissions named on rows that could not be read.
    broken: Vec<String>,
}

fn read_table(path: &Path, required: &[&str], errors: &mut Vec<String>) -> Result<Table> {
    let name = path.display().to_string();
    let mut rdr = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .flexible(true)
        .from_path(path)
        .map_err(|e| Error::new(ErrorKind::Io, format!("{name}: {e}")))?;
    let headers: Vec<String> = rdr
        .headers()
        .map_err(|e| Error::new(ErrorKind::Usage, format!("{name}:1: {e}")))?
        .iter()
        .map(|h| h.trim().to_lowercase())
        .collect();
    for r in required {
        if !headers.iter().any(|h| h == r) {
            return Err(Error::new(
                ErrorKind::Usage,
                format!(
                    "{name}:1: missing column `{r}` (the header row needs {})",
                    required.join(", ")
                ),
            ));
        }
    }
    let mut rows = Vec::new();
    let mut broken = Vec::new();
    for (i, rec) in rdr.records().enumerate() {
        let line = rec
            .as_ref()
            .ok()
            .and_then(|r| r.position())
            .map_or(i as u64 + 2, |p| p.line());
        match rec {
            Ok(r) if r.len() != headers.len() => {
                let sub = headers
                    .iter()
                    .position(|h| h == "submission")
                    .and_then(|i| r.get(i))
                    .unwrap_or("");
                errors.push(format!(
                    "{name}:{line}: the row has {} fields, the header {} ({})",
                    r.len(),
                    headers.len(),
                    headers.join(",")
                ));
                if !sub.is_empty() {
                    broken.push(sub.to_string());
                }
            }
            Ok(r) => rows.push((line, r)),
            Err(e) => errors.push(format!("{name}:{line}: {e}")),
        }
    }
    Ok(Table {
        name,
        headers,
        rows,
        broken,
    })
}

impl Table {
    /// The field of `row` in column `k` ("" when the file has no such column).
    fn get<'a>(&self, row: &'a csv::StringRecord, k: &str) -> &'a str {
        self.headers
            .iter()
            .position(|h| h == k)
            .and_then(|i| row.get(i))
            .unwrap_or("")
    }
}

fn parse_date(s: &str) -> std::result::Result<DateTime<Utc>, String> {
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Ok(t.to_utc());
    }
    NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .ok()
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .map(|d| d.and_utc())
        .ok_or_else(|| format!("date `{s}` is neither YYYY-MM-DD nor an RFC 3339 date-time"))
}

/// The round as read, with the teachers and submissions whose rows were broken.
struct Input {
    docket: Docket,
    errors: Vec<String>,
    held_teachers: HashSet<String>,
    held_submissions: HashSet<String>,
}

fn read_submissions(path: &Path, achievement: &str, input: &mut Input) -> Result<()> {
    let t = read_table(path, &["submission", "teacher", "date"], &mut input.errors)?;
    input.held_submissions.extend(t.broken.iter().cloned());
    let base = path.parent().map(Path::to_path_buf).unwrap_or_default();
    let mut index: HashMap<String, usize> = HashMap::new();
    for (line, row) in &t.rows {
        let at = format!("{}:{line}", t.name);
        let id = t.get(row, "submission");
        let fail = |msg: String, input: &mut Input| {
            input.errors.push(format!("{at}: {msg}"));
            if !id.is_empty() {
                input.held_submissions.insert(id.to_string());
            }
            let teacher = t.get(row, "teacher");
            if !teacher.is_empty() {
                input.held_teachers.insert(teacher.to_string());
            }
        };
        if id.is_empty() {
            fail("no submission id".into(), input);
            continue;
        }
        if input.held_submissions.contains(id) {
            // An earlier row of this submission was broken (and reported): it is held.
            continue;
        }
        let teacher = t.get(row, "teacher");
        let date = t.get(row, "date");
        let ach = t.get(row, "achievement");
        if !ach.is_empty() && ach != achievement {
            fail(
                format!("the submission is for achievement {ach}, not {achievement}"),
                input,
            );
            continue;
        }
        let evidence = t.get(row, "evidence");
        let digest = t.get(row, "digest");
        let item = if evidence.is_empty() {
            if !digest.is_empty() {
                fail("a digest without evidence".into(), input);
                continue;
            }
            None
        } else if evidence.starts_with("https://") || evidence.starts_with("http://") {
            if digest.is_empty() {
                fail(
                    format!("evidence {evidence} has no digest (a URL needs its sha256-… digest: the award never fetches it)"),
                    input,
                );
                continue;
            }
            match EvidenceItem::url(evidence, digest) {
                Ok(e) => Some(e),
                Err(e) => {
                    fail(e.message().to_string(), input);
                    continue;
                }
            }
        } else {
            let p = Path::new(evidence);
            let p = if p.is_absolute() {
                p.to_path_buf()
            } else {
                base.join(p)
            };
            match EvidenceItem::file(&p, Some(digest).filter(|d| !d.is_empty())) {
                Ok(e) => Some(e),
                Err(e) => {
                    fail(e.message().to_string(), input);
                    continue;
                }
            }
        };
        let item = item.map(|e| match t.get(row, "evidence_name") {
            "" => e,
            n => e.named(n),
        });
        let narrative = t.get(row, "narrative");
        match index.get(id) {
            Some(&i) => {
                // A continuation row: another evidence item of the same submission.
                let s = &mut input.docket.submissions[i];
                let clash = (!teacher.is_empty() && teacher != s.teacher)
                    || (!date.is_empty() && parse_date(date).ok() != Some(s.date))
                    || (!narrative.is_empty() && Some(narrative) != s.narrative.as_deref());
                if clash {
                    let first = s.origin.clone().unwrap_or_default();
                    let teacher0 = s.teacher.clone();
                    fail(
                        format!("submission `{id}` is described differently at {first} (teacher, date and narrative go on its first row; later rows add evidence)"),
                        input,
                    );
                    input.held_teachers.insert(teacher0);
                    continue;
                }
                if let Some(e) = item {
                    s.evidence.push(e);
                }
            }
            None => {
                if teacher.is_empty() {
                    fail("no teacher".into(), input);
                    continue;
                }
                if !teacher.starts_with("did:") && !super::batch::roster_valid_email(teacher) {
                    fail(
                        format!("teacher `{teacher}` is neither a DID nor an e-mail address"),
                        input,
                    );
                    continue;
                }
                let date = match parse_date(date) {
                    Ok(d) => d,
                    Err(e) => {
                        fail(e, input);
                        continue;
                    }
                };
                let mut s = Submission::new(id, teacher, achievement, date).origin(&at);
                if !narrative.is_empty() {
                    s = s.narrative(narrative);
                }
                let name = t.get(row, "name");
                if !name.is_empty() {
                    s.teacher_name = Some(name.to_string());
                }
                if let Some(e) = item {
                    s.evidence.push(e);
                }
                index.insert(id.to_string(), input.docket.submissions.len());
                input.docket.submissions.push(s);
            }
        }
    }
    for s in &input.docket.submissions {
        if s.evidence.is_empty() && !input.held_submissions.contains(&s.id) {
            input.errors.push(format!(
                "{}: submission `{}` has no evidence (give a file or a URL with its digest)",
                s.origin.as_deref().unwrap_or(&t.name),
                s.id
            ));
            input.held_teachers.insert(s.teacher.clone());
        }
    }
    Ok(())
}

fn read_reviews(path: &Path, input: &mut Input) -> Result<()> {
    let t = read_table(
        path,
        &["submission", "assessor", "criterion", "level", "date"],
        &mut input.errors,
    )?;
    input.held_submissions.extend(t.broken.iter().cloned());
    let held_before = input.held_submissions.clone();
    // Reviews: one per (submission, assessor, date), in order of first row.
    let mut groups: HashMap<(String, String, DateTime<Utc>), usize> = HashMap::new();
    for (line, row) in &t.rows {
        let at = format!("{}:{line}", t.name);
        let sub = t.get(row, "submission");
        let fail = |msg: String, input: &mut Input| {
            input.errors.push(format!("{at}: {msg}"));
            if !sub.is_empty() {
                input.held_submissions.insert(sub.to_string());
            }
        };
        if held_before.contains(sub) {
            // The submission itself was broken (and reported): its reviews wait with it.
            continue;
        }
        let who = t.get(row, "assessor");
        if sub.is_empty() || who.is_empty() {
            fail(
                "a review row needs a submission and an assessor".into(),
                input,
            );
            continue;
        }
        let date = match parse_date(t.get(row, "date")) {
            Ok(d) => d,
            Err(e) => {
                fail(e, input);
                continue;
            }
        };
        let comment = match t.get(row, "comments") {
            "" => t.get(row, "comment"),
            c => c,
        };
        let level = t.get(row, "level");
        match t.get(row, "role") {
            "" | "assessor" => {}
            "approver" => {
                let approved = match level.to_lowercase().as_str() {
                    "approve" | "approved" => true,
                    "return" | "returned" | "reject" | "rejected" => false,
                    _ => {
                        fail(
                            format!("an approver's level must be approve or return, not `{level}`"),
                            input,
                        );
                        continue;
                    }
                };
                input.docket.approvals.push(
                    Approval::new(sub, who, approved, date)
                        .comment(comment)
                        .origin(&at),
                );
                continue;
            }
            other => {
                fail(
                    format!("unknown role `{other}` (expected assessor or approver)"),
                    input,
                );
                continue;
            }
        }
        let criterion = t.get(row, "criterion");
        if criterion.is_empty() || level.is_empty() {
            fail("a review row needs a criterion and a level".into(), input);
            continue;
        }
        let key = (sub.to_string(), who.to_string(), date);
        let i = *groups.entry(key).or_insert_with(|| {
            input
                .docket
                .reviews
                .push(Review::new(sub, who, date).origin(&at));
            input.docket.reviews.len() - 1
        });
        input.docket.reviews[i].scores.push(Score {
            criterion: criterion.to_string(),
            level: level.to_string(),
            comment: comment.to_string(),
            origin: Some(at.clone()),
        });
    }
    Ok(())
}

fn write_csv(path: &Path, header: &[&str], rows: &[Vec<String>]) -> Result<()> {
    let mut w = csv::Writer::from_writer(Vec::new());
    let io = |e: csv::Error| Error::new(ErrorKind::Io, format!("{}: {e}", path.display()));
    w.write_record(header).map_err(io)?;
    for r in rows {
        w.write_record(r).map_err(io)?;
    }
    let bytes = w
        .into_inner()
        .map_err(|e| Error::new(ErrorKind::Io, format!("{}: {e}", path.display())))?;
    crate::atomic_file::write(path, &bytes, 0o644)
}

impl Run {
    fn run(&self, signer: &SignerArgs) -> Result<u8> {
        let started = Instant::now();
        let name = self.achievement.display().to_string();
        let achievement = crate::json::parse(
            &std::fs::read(&self.achievement)
                .map_err(|e| Error::from(e).context(format!("cannot read {name}")))?,
        )
        .map_err(|e| e.context(format!("in {name}")))?;
        let policy = ReviewPolicy::load(&self.policy)?;
        let keys = match (&self.assessor_keys, policy.endorsements) {
            (Some(d), _) => AssessorKeys::load_dir(d)?,
            (None, true) => {
                return Err(Error::new(
                    ErrorKind::Usage,
                    format!(
                    "the policy {} asks assessors to endorse each badge: give --assessor-keys DIR",
                    self.policy.display()
                ),
                ))
            }
            (None, false) => AssessorKeys::new(),
        };
        let awarder = Awarder::new(signer.issuer(json!({}))?, achievement, policy.clone())
            .map_err(|e| e.context(format!("in {name}")))?
            .assessor_keys(keys)
            .suite(self.suite);
        let held = match (&self.qualifications, policy.qualifications.is_empty()) {
            (Some(d), _) => {
                let verifier = Verifier::new(
                    VerifyOptions::default()
                        .resolver(programs::resolver_from(&self.resources, self.offline)?),
                );
                AssessorCredentials::load_dir(d, &verifier)?
            }
            (None, false) => {
                return Err(Error::new(
                    ErrorKind::Usage,
                    format!(
                        "the policy {} requires assessor qualifications: give --qualifications DIR with the credentials assessors hold",
                        self.policy.display()
                    ),
                ))
            }
            (None, true) => AssessorCredentials::new(),
        };

        let mut input = Input {
            docket: Docket::default(),
            errors: Vec::new(),
            held_teachers: HashSet::new(),
            held_submissions: HashSet::new(),
        };
        read_submissions(&self.submissions, &awarder.rubric().achievement, &mut input)?;
        read_reviews(&self.reviews, &mut input)?;
        for s in &input.docket.submissions {
            if input.held_submissions.contains(&s.id) {
                input.held_teachers.insert(s.teacher.clone());
            }
        }
        let (mut standings, orphans) = input.docket.decide(&policy, awarder.rubric(), &held);
        let mut errors = input.errors;
        errors.extend(orphans.iter().map(ToString::to_string));
        for st in &mut standings {
            if input.held_teachers.contains(&st.teacher) {
                st.errors.push(Error::new(
                    ErrorKind::Usage,
                    "held: a row of this teacher's submissions or reviews is broken (see above)",
                ));
            }
            for e in &st.errors {
                let m = e.to_string();
                if !m.starts_with("held:") {
                    errors.push(m);
                }
            }
        }

        std::fs::create_dir_all(&self.out)
            .map_err(|e| Error::from(e).context(format!("cannot create {}", self.out.display())))?;
        remove_temporaries(&self.out);
        let subs: HashMap<&str, &Submission> = input
            .docket
            .submissions
            .iter()
            .map(|s| (s.id.as_str(), s))
            .collect();
        let mut todo = Vec::new();
        let mut present = 0usize;
        let mut manifest_awards = Vec::new();
        for st in &standings {
            let Some(d) = st.award() else { continue };
            let (id, stem) = crate::award::award_id(&awarder.rubric().achievement, &st.teacher);
            let file = self.out.join(format!("{stem}.json"));
            let exists = file.exists();
            manifest_awards.push(json!({
                "teacher": st.teacher, "submission": d.submission, "id": id,
                "file": format!("{stem}.json"),
                "awardedDate": d.decided_at.map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)),
                "assessors": d.assessors.iter().map(|a| a.assessor.clone()).collect::<Vec<_>>(),
                "ignored": d.ignored,
                "why": d.why,
                "state": if exists { "present" } else { "issued" },
            }));
            if exists {
                present += 1;
            } else if let Some(s) = subs.get(d.submission.as_str()) {
                todo.push((*s, d, file, manifest_awards.len() - 1));
            }
        }
        let now = Utc::now();
        let failures = parallel(todo.len(), "awards", |i| {
            let (s, d, file, _) = &todo[i];
            awarder
                .issue(s, d, now)
                .and_then(|signed| {
                    let text = serde_json::to_string_pretty(&signed)
                        .map_err(|e| Error::new(ErrorKind::Io, e.to_string()))?;
                    crate::atomic_file::write(file, text.as_bytes(), 0o644)
                })
                .map_err(|e| {
                    format!(
                        "{}: {} — {e}",
                        s.origin.as_deref().unwrap_or(&s.id),
                        s.teacher
                    )
                })
        });
        for (_, _, file, m) in &todo {
            if !file.exists() {
                manifest_awards[*m]["state"] = "failed".into();
            }
        }
        let issued = todo.len() - failures.len();
        errors.extend(failures);

        let mut not_yet_rows = Vec::new();
        let mut pending_rows = Vec::new();
        let mut manifest_other = Vec::new();
        for st in &standings {
            let name = subs
                .values()
                .find(|s| s.teacher == st.teacher)
                .and_then(|s| s.teacher_name.clone())
                .unwrap_or_default();
            if !st.errors.is_empty() {
                manifest_other.push(json!({"teacher": st.teacher, "state": "held",
                    "errors": st.errors.iter().map(ToString::to_string).collect::<Vec<_>>()}));
                continue;
            }
            let Some(d) = st.latest() else { continue };
            manifest_other.push(json!({"teacher": st.teacher, "submission": d.submission,
                "state": d.outcome.as_str(), "why": d.why, "ignored": d.ignored}));
            match d.outcome {
                Outcome::NotYet => {
                    let mut any = false;
                    for c in d.unmet() {
                        any = true;
                        not_yet_rows.push(vec![
                            st.teacher.clone(),
                            name.clone(),
                            d.submission.clone(),
                            c.name.clone(),
                            c.level_name.clone(),
                            c.required_name.clone(),
                            c.comments.join(" / "),
                        ]);
                    }
                    if !any {
                        // Every criterion met, but the approver returned it.
                        not_yet_rows.push(vec![
                            st.teacher.clone(),
                            name.clone(),
                            d.submission.clone(),
                            "(approval)".into(),
                            String::new(),
                            String::new(),
                            d.why.clone(),
                        ]);
                    }
                }
                Outcome::Pending => pending_rows.push(vec![
                    st.teacher.clone(),
                    name.clone(),
                    d.submission.clone(),
                    d.why.clone(),
                ]),
                _ => {}
            }
        }
        write_csv(
            &self.out.join("not-yet.csv"),
            &[
                "teacher",
                "name",
                "submission",
                "criterion",
                "level reached",
                "required",
                "comments",
            ],
            &not_yet_rows,
        )?;
        write_csv(
            &self.out.join("pending.csv"),
            &["teacher", "name", "submission", "waiting for"],
            &pending_rows,
        )?;
        let with_standing: HashSet<&str> = standings.iter().map(|s| s.teacher.as_str()).collect();
        let mut held_only: Vec<&String> = input
            .held_teachers
            .iter()
            .filter(|t| !with_standing.contains(t.as_str()))
            .collect();
        held_only.sort();
        for t in held_only {
            manifest_other.push(json!({"teacher": t, "state": "held",
                "errors": ["a row of this teacher's submissions is broken (see errors)"]}));
        }
        let not_yet = manifest_other
            .iter()
            .filter(|m| m["state"] == "not-yet")
            .count();
        let pending = manifest_other
            .iter()
            .filter(|m| m["state"] == "pending")
            .count();
        let held_n = manifest_other
            .iter()
            .filter(|m| m["state"] == "held")
            .count();
        let manifest = json!({
            "achievement": awarder.rubric().achievement,
            "policy": policy.summary(),
            "issuer": awarder.issuer().id(),
            "generated": now.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            "awards": manifest_awards,
            "teachers": manifest_other,
            "errors": errors,
        });
        let text = serde_json::to_string_pretty(&manifest)
            .map_err(|e| Error::new(ErrorKind::Io, e.to_string()))?;
        crate::atomic_file::write(&self.out.join("manifest.json"), text.as_bytes(), 0o644)?;

        for e in &errors {
            eprintln!("{e}");
        }
        let secs = started.elapsed().as_secs_f64();
        eprintln!(
            "{} awarded ({issued} issued, {present} already present), {not_yet} not yet, {pending} pending, {held_n} held, {} problem(s) in {secs:.2}s ({:.0} awards/s) → {}",
            issued + present,
            errors.len(),
            issued as f64 / secs.max(1e-9),
            self.out.display()
        );
        Ok(if errors.is_empty() { 0 } else { 1 })
    }
}

#[cfg(test)]
mod tests {
    use super::parse_date;

    #[test]
    fn dates_are_days_or_rfc3339() {
        assert_eq!(
            parse_date("2026-03-02").map(|d| d.to_rfc3339()),
            Ok("2026-03-02T00:00:00+00:00".to_string())
        );
        assert!(parse_date("2026-03-02T10:00:00Z").is_ok());
        assert!(parse_date("03/02/2026").is_err());
    }
}
