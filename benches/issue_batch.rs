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
use std::time::{Duration, Instant};

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

/// Peak resident set of a running process, in kB.
fn vm_hwm(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
}

/// `(state, user + system CPU seconds)` of a process from /proc/<pid>/stat (clock ticks taken
/// as the Linux USER_HZ of 100). A zombie (exited, not yet reaped) still reports its totals.
fn stat(pid: u32) -> Option<(char, f64)> {
    let text = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let after = &text[text.rfind(')')? + 2..];
    let fields: Vec<&str> = after.split_whitespace().collect();
    let state = fields.first()?.chars().next()?;
    let ticks: u64 = fields.get(11)?.parse::<u64>().ok()? + fields.get(12)?.parse::<u64>().ok()?;
    Some((state, ticks as f64 / 100.0))
}

struct Run {
    secs: f64,
    cpu_secs: f64,
    peak_kb: u64,
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
    let mut child = Command::new(env!("CARGO_BIN_EXE_openbadges"))
        .args(&args)
        .current_dir(dir)
        .stdin(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the openbadges binary runs");
    let pid = child.id();
    let mut peak_kb = 0;
    let mut cpu_secs = 0.0;
    let mut secs = 0.0;
    // Sample until the child is a zombie: its last VmHWM and its CPU totals are then known.
    // (stderr is read after it exits; it prints a few lines, far below a pipe's buffer.)
    loop {
        if let Some(kb) = vm_hwm(pid) {
            peak_kb = peak_kb.max(kb);
        }
        match stat(pid) {
            Some((state, cpu)) => {
                cpu_secs = cpu;
                if state == 'Z' || state == 'X' {
                    secs = start.elapsed().as_secs_f64();
                    break;
                }
            }
            None => break,
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    let status = child.wait().expect("wait");
    if secs == 0.0 {
        secs = start.elapsed().as_secs_f64();
    }
    let mut err = String::new();
    if let Some(mut e) = child.stderr.take() {
        let _ = std::io::Read::read_to_string(&mut e, &mut err);
    }
    assert!(status.success(), "issue-batch failed: {err}");
    if let Some(last) = err.lines().last() {
        eprintln!("  {last}");
    }
    Run {
        secs,
        cpu_secs,
        peak_kb,
    }
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
