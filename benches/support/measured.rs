//! Shared by the bench binaries that time the `openbadges` binary as a user runs it: wall time,
//! CPU time and peak resident set of one child process, sampled from /proc (Linux).

use std::process::{Child, ExitStatus};
use std::time::{Duration, Instant};

/// What one run of the child cost.
pub struct Run {
    /// Wall-clock seconds from `start` until the child exited.
    pub secs: f64,
    /// User + system CPU seconds.
    pub cpu_secs: f64,
    /// Peak resident set (VmHWM), in kB.
    pub peak_kb: u64,
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

/// Samples `child` (spawned at `start`, stderr piped) until it exits; returns what it cost, its
/// exit status and its stderr. It is sampled until it is a zombie, when its last VmHWM and CPU
/// totals are known; stderr is read after it exits (the CLI prints a few lines, far below a
/// pipe's buffer).
pub fn measure(mut child: Child, start: Instant) -> (Run, ExitStatus, String) {
    let pid = child.id();
    let (mut peak_kb, mut cpu_secs, mut secs) = (0, 0.0, 0.0);
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
    (
        Run {
            secs,
            cpu_secs,
            peak_kb,
        },
        status,
        err,
    )
}
