//! The runner `award` shares: work items on every core with a progress bar, and clean-up of the
//! temporary files an interrupted run leaves.

use std::io::IsTerminal;
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

/// Removes the temporary files an interrupted run left in `out` (the atomic writer's
/// `.NAME.tmp-…`); finished files are never touched.
pub(crate) fn remove_temporaries(out: &Path) {
    if let Ok(entries) = std::fs::read_dir(out) {
        for e in entries.flatten() {
            let name = e.file_name().to_string_lossy().into_owned();
            if name.starts_with('.') && name.contains(".tmp-") {
                let _ = std::fs::remove_file(e.path());
            }
        }
    }
}

/// Runs `work(0..total)` on every core, with a progress bar on a terminal (else a line every
/// 1,000 `what`); returns the failures' messages.
pub(crate) fn parallel(
    total: usize,
    what: &str,
    work: impl Fn(usize) -> std::result::Result<(), String> + Sync,
) -> Vec<String> {
    let bar = if std::io::stderr().is_terminal() {
        let b = indicatif::ProgressBar::new(total as u64);
        b.set_style(
            indicatif::ProgressStyle::with_template(&format!(
                "{{bar:40}} {{pos}}/{{len}} {what} {{per_sec}} eta {{eta}}"
            ))
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
        );
        Some(b)
    } else {
        None
    };
    let next = AtomicUsize::new(0);
    let done = AtomicUsize::new(0);
    let failures = Mutex::new(Vec::new());
    let workers = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(total.max(1));
    std::thread::scope(|scope| {
        for _ in 0..workers {
            scope.spawn(|| loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= total {
                    break;
                }
                if let Err(msg) = work(i) {
                    if let Ok(mut f) = failures.lock() {
                        f.push(msg);
                    }
                }
                let n = done.fetch_add(1, Ordering::Relaxed) + 1;
                match &bar {
                    Some(b) => b.inc(1),
                    None if n % 1000 == 0 || n == total => eprintln!("issued {n}/{total} {what}"),
                    None => {}
                }
            });
        }
    });
    if let Some(b) = bar {
        b.finish_and_clear();
    }
    failures.into_inner().unwrap_or_default()
}
