//! `openbadges issue-batch` end to end: the release binary signs a generated roster into a fresh
//! output, and this prints badges/s (wall clock, process start to exit) and the child's peak
//! RSS (VmHWM from /proc/<pid>/status, sampled until it exits).
//!
//! ```sh
//! cargo bench --bench issue_batch                       # 10,000 and 100,000 rows, directory output
//! cargo bench --bench issue_batch -- 100000 --jsonl     # one size, .jsonl output
//! cargo bench --bench issue_batch -- 100000 --status    # with a status-list store
//! ```
//!
//! Not a criterion bench: one run of a 100,000-badge batch takes seconds and its figures are
//! the ones the README states; each size runs once, after a 1,000-row warm-up.

use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Instant;

#[path = "support/measured.rs"]
mod measured;
use measured::Run;

const SEED: &str = "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60";

fn write_inputs(dir: &Path, rows: usize) -> std::io::Result<()> {
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
    w.flush()
}

fn run(dir: &Path, out: &str, status: bool) -> Run {
    let mut args = vec![
        "issue-batch",
        "--roster",
        "roster.csv",
        "--achievement",
        "achievement.json",
        "--seed",
        SEED,
        "--out",
        out,
    ];
    if status {
        let o = Command::new(env!("CARGO_BIN_EXE_openbadges"))
            .args([
                "status",
                "init",
                "--store",
                "status.json",
                "--url",
                "https://district.example/status/1",
            ])
            .current_dir(dir)
            .output()
            .expect("status init runs");
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        args.extend(["--status-store", "status.json"]);
    }
    let start = Instant::now();
    let child = Command::new(env!("CARGO_BIN_EXE_openbadges"))
        .args(&args)
        .current_dir(dir)
        .stdin(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the openbadges binary runs");
    let (run, status, err) = measured::measure(child, start);
    assert!(status.success(), "issue-batch failed: {err}");
    if let Some(last) = err.lines().last() {
        eprintln!("  {last}");
    }
    run
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let jsonl = args.iter().any(|a| a == "--jsonl");
    let status = args.iter().any(|a| a == "--status");
    let mut sizes: Vec<usize> = args.iter().filter_map(|a| a.parse().ok()).collect();
    if sizes.is_empty() {
        sizes = vec![10_000, 100_000];
    }
    let out = if jsonl { "badges.jsonl" } else { "badges" };
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    println!(
        "issue-batch, eddsa-rdfc-2022, {} output{}, {cores} cores",
        if jsonl { ".jsonl" } else { "directory" },
        if status { ", status store" } else { "" }
    );
    // Warm-up: page cache for the binary, the file system's first allocations.
    let warm = tempfile::tempdir().expect("temp dir");
    write_inputs(warm.path(), 1_000).expect("write inputs");
    run(warm.path(), out, status);
    for rows in sizes {
        let dir = tempfile::tempdir().expect("temp dir");
        write_inputs(dir.path(), rows).expect("write inputs");
        let r = run(dir.path(), out, status);
        println!(
            "{rows:>9} rows: {:>7.2} s wall  {:>7.0} badges/s  peak RSS {:.1} MB  CPU {:.2} s ({:.0} µs/badge; {:.0} badges/s if the {cores} cores were all ours)",
            r.secs,
            rows as f64 / r.secs,
            r.peak_kb as f64 / 1024.0,
            r.cpu_secs,
            r.cpu_secs * 1e6 / rows as f64,
            rows as f64 / (r.cpu_secs / cores as f64).max(1e-9)
        );
        // Removing 100,000 files is slow on a busy disk; say so rather than seem stuck.
        eprintln!("  removing the output…");
    }
}
