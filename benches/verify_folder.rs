//! `openbadges verify` over a folder, end to end: `issue-batch` makes N badges (eddsa-rdfc-2022,
//! each with a status-list entry; the list is published beside them), then the release binary
//! verifies the folder with `--jobs 1` and `--jobs 2`, each both ways: batched (the default,
//! every worker checking the Ed25519 signatures of a chunk of badges together) and
//! `--one-by-one`. It prints the wall clock (process start to exit), badges/s, the CPU time
//! (user + system, from /proc: the figure that holds on a shared machine) and the peak RSS
//! (VmHWM from /proc/<pid>/status, sampled until it exits), and checks that both ways print the
//! same reports.
//!
//! ```sh
//! cargo bench --bench verify_folder                   # 10,000 badges, --jobs 1 and 2
//! cargo bench --bench verify_folder -- --quick        # 2,000 badges
//! cargo bench --bench verify_folder -- 2000 1 2 4     # 2,000 badges, --jobs 1, 2 and 4
//! ```
//!
//! Not a criterion bench: one run over 10,000 files takes seconds and its figures are the ones
//! the README states; each run verifies every badge (exit 0, "N verified, 0 not verified, 0
//! unreadable" checked), after a warm-up run that fills the page cache. The two ways alternate,
//! so a change in the machine's load falls on both.

use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Instant;

#[path = "support/measured.rs"]
mod measured;
use measured::Run;

const SEED: &str = "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60";
const STATUS_URL: &str = "https://district.example/status/1";

fn ob(dir: &Path, args: &[&str]) {
    let o = Command::new(env!("CARGO_BIN_EXE_openbadges"))
        .args(args)
        .current_dir(dir)
        .stdin(Stdio::null())
        .output()
        .expect("the openbadges binary runs");
    assert!(
        o.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&o.stderr)
    );
}

/// Issues `rows` badges into `dir/badges` (only the badges: the manifest and journal are moved
/// out) and publishes `dir/list.json`.
fn make_folder(dir: &Path, rows: usize) -> std::io::Result<()> {
    std::fs::write(
        dir.join("achievement.json"),
        r#"{"id": "https://district.example/a/growth-mindset", "type": ["Achievement"],
            "name": "Growth Mindset", "description": "Fosters a growth mindset.",
            "criteria": {"narrative": "Rubric score 3 or higher."}}"#,
    )?;
    let mut w = std::io::BufWriter::new(std::fs::File::create(dir.join("roster.csv"))?);
    writeln!(w, "name,email")?;
    for i in 0..rows {
        writeln!(w, "Teacher {i},teacher{i}@district.example")?;
    }
    w.flush()?;
    ob(
        dir,
        &[
            "status",
            "init",
            "--store",
            "status.json",
            "--url",
            STATUS_URL,
        ],
    );
    ob(
        dir,
        &[
            "issue-batch",
            "--roster",
            "roster.csv",
            "--achievement",
            "achievement.json",
            "--seed",
            SEED,
            "--out",
            "badges",
            "--status-store",
            "status.json",
        ],
    );
    for f in ["manifest.csv", "issue-batch.journal"] {
        if dir.join("badges").join(f).exists() {
            std::fs::rename(dir.join("badges").join(f), dir.join(f))?;
        }
    }
    ob(
        dir,
        &[
            "status",
            "publish",
            "--store",
            "status.json",
            "--seed",
            SEED,
            "-o",
            "list.json",
        ],
    );
    Ok(())
}

fn verify(dir: &Path, rows: usize, jobs: usize, batched: bool) -> Run {
    let resource = format!("{STATUS_URL}=list.json");
    let jobs_s = jobs.to_string();
    let out = if batched {
        "batched.jsonl"
    } else {
        "one-by-one.jsonl"
    };
    let mut args = vec![
        "verify",
        "--jsonl",
        // One instant for both ways, so their reports can be compared.
        "--at",
        "2030-01-01T00:00:00Z",
        "--offline",
        "--resource",
        &resource,
        "--jobs",
        &jobs_s,
    ];
    if !batched {
        args.push("--one-by-one");
    }
    args.push("badges");
    let start = Instant::now();
    let child = Command::new(env!("CARGO_BIN_EXE_openbadges"))
        .args(args)
        .current_dir(dir)
        .stdin(Stdio::null())
        .stdout(std::fs::File::create(dir.join(out)).expect("the report file"))
        .stderr(Stdio::piped())
        .spawn()
        .expect("the openbadges binary runs");
    let (run, status, err) = measured::measure(child, start);
    let want = format!("{rows} verified, 0 not verified, 0 unreadable");
    assert!(
        status.success() && err.trim_end().ends_with(&want),
        "verify did not verify every badge: {err}"
    );
    run
}

fn main() {
    let quick = std::env::args().any(|a| a == "--quick");
    let args: Vec<usize> = std::env::args()
        .skip(1)
        .filter_map(|a| a.parse().ok())
        .collect();
    let rows = args
        .first()
        .copied()
        .unwrap_or(if quick { 2_000 } else { 10_000 });
    let mut jobs: Vec<usize> = args.iter().skip(1).copied().collect();
    if jobs.is_empty() {
        jobs = vec![1, 2];
    }
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let dir = tempfile::tempdir().expect("temp dir");
    eprintln!("issuing {rows} badges…");
    make_folder(dir.path(), rows).expect("write the folder");
    println!(
        "verify --jsonl over a folder of {rows} eddsa-rdfc-2022 badges (one status list), {cores} cores"
    );
    verify(dir.path(), rows, jobs[0], true);
    for j in jobs {
        for batched in [true, false] {
            let r = verify(dir.path(), rows, j, batched);
            println!(
                "  --jobs {j}, {:<10}: {:>6.2} s wall  {:>6.0} badges/s  CPU {:.2} s ({:.0} µs/badge)  peak RSS {:.1} MB",
                if batched { "batched" } else { "one by one" },
                r.secs,
                rows as f64 / r.secs,
                r.cpu_secs,
                r.cpu_secs * 1e6 / rows as f64,
                r.peak_kb as f64 / 1024.0
            );
        }
        let a = std::fs::read(dir.path().join("batched.jsonl")).expect("the batched reports");
        let b = std::fs::read(dir.path().join("one-by-one.jsonl")).expect("the one-by-one reports");
        assert!(a == b, "--jobs {j}: batched and one-by-one reports differ");
    }
}
