//! The runners the commands share: work items on every core with a progress bar ([`parallel`],
//! `award`), the same with the results handed back in input order as they finish
//! ([`ordered_chunks`], `verify`), and clean-up of the temporary files an interrupted run leaves.

use std::collections::BTreeMap;
use std::io::IsTerminal;
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Condvar, Mutex};

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
    let bar = progress_bar(total, what);
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

/// A progress bar on standard error when it is a terminal (`None` otherwise: a log or a pipe
/// gets no bar).
pub(crate) fn progress_bar(total: usize, what: &str) -> Option<indicatif::ProgressBar> {
    if !std::io::stderr().is_terminal() {
        return None;
    }
    let b = indicatif::ProgressBar::new(total as u64);
    b.set_style(
        indicatif::ProgressStyle::with_template(&format!(
            "{{bar:40}} {{pos}}/{{len}} {what} {{per_sec}} eta {{eta}}"
        ))
        .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    Some(b)
}

/// What the workers of [`ordered_chunks`] and its consumer share.
struct Queue<T> {
    /// The next item a worker takes.
    next: usize,
    /// The next item the consumer hands on.
    emitted: usize,
    /// Finished items not yet handed on (at most `window`).
    done: BTreeMap<usize, T>,
    /// The consumer stopped (an output error): workers stop taking items.
    stopped: bool,
}

/// Runs `work` on `jobs` threads over `0..total` in chunks of `chunk` items (`work(range)`
/// returns the results of the items in `range`, so a worker can handle a chunk together) and
/// hands each item's result to `emit` **in input order** as soon as it and every earlier one
/// are done (so output streams while the rest work). At most `window` chunks wait for an
/// earlier slow one, so memory stays flat in `total`; a worker that would run further ahead
/// waits. `emit` runs on the calling thread; its error stops the run (no new chunks start) and
/// is returned. The progress bar (a terminal only) counts emitted items.
pub(crate) fn ordered_chunks<T: Send, E>(
    total: usize,
    chunk: usize,
    jobs: usize,
    window: usize,
    what: &str,
    work: impl Fn(std::ops::Range<usize>) -> Vec<T> + Sync,
    mut emit: impl FnMut(usize, T) -> std::result::Result<(), E>,
) -> std::result::Result<(), E> {
    let chunk = chunk.max(1);
    let range = |c: usize| c * chunk..((c + 1) * chunk).min(total);
    let bar = progress_bar(total, what);
    let r = in_order(
        total.div_ceil(chunk),
        jobs,
        window,
        |c| work(range(c)),
        |c, items| {
            for (i, item) in range(c).zip(items) {
                emit(i, item)?;
                if let Some(b) = &bar {
                    b.inc(1);
                }
            }
            Ok(())
        },
    );
    if let Some(b) = bar {
        b.finish_and_clear();
    }
    r
}

/// The engine of [`ordered_chunks`], one result per work unit, without the progress bar.
fn in_order<T: Send, E>(
    total: usize,
    jobs: usize,
    window: usize,
    work: impl Fn(usize) -> T + Sync,
    mut emit: impl FnMut(usize, T) -> std::result::Result<(), E>,
) -> std::result::Result<(), E> {
    let jobs = jobs.clamp(1, total.max(1));
    let window = window.max(jobs);
    let state = Mutex::new(Queue {
        next: 0,
        emitted: 0,
        done: BTreeMap::new(),
        stopped: false,
    });
    let changed = Condvar::new();
    // A poisoned lock means a worker panicked: carry on with the data (the panic itself is
    // re-raised when the scope joins).
    let lock = || state.lock().unwrap_or_else(|e| e.into_inner());
    std::thread::scope(|scope| {
        for _ in 0..jobs {
            scope.spawn(|| loop {
                let i = {
                    let mut q = lock();
                    while !q.stopped && q.next < total && q.next >= q.emitted + window {
                        q = changed.wait(q).unwrap_or_else(|e| e.into_inner());
                    }
                    if q.stopped || q.next >= total {
                        break;
                    }
                    q.next += 1;
                    q.next - 1
                };
                let out = work(i);
                lock().done.insert(i, out);
                changed.notify_all();
            });
        }
        let mut result = Ok(());
        for i in 0..total {
            let item = {
                let mut q = lock();
                loop {
                    if let Some(item) = q.done.remove(&i) {
                        break item;
                    }
                    q = changed.wait(q).unwrap_or_else(|e| e.into_inner());
                }
            };
            let r = emit(i, item);
            {
                let mut q = lock();
                q.emitted = i + 1;
                q.stopped = r.is_err();
            }
            changed.notify_all();
            if r.is_err() {
                result = r;
                break;
            }
        }
        result
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ordered_hands_results_on_in_input_order_whatever_finishes_first() {
        for jobs in [1, 2, 5] {
            let mut seen = Vec::new();
            let r: std::result::Result<(), ()> = ordered_chunks(
                50,
                1,
                jobs,
                4,
                "items",
                |range| {
                    let i = range.start;
                    // Early items are slow: later ones finish first.
                    std::thread::sleep(std::time::Duration::from_micros(((50 - i) * 50) as u64));
                    vec![i * 2]
                },
                |i, v| {
                    assert_eq!(v, i * 2);
                    seen.push(i);
                    Ok(())
                },
            );
            assert!(r.is_ok());
            assert_eq!(seen, (0..50).collect::<Vec<_>>());
        }
    }

    #[test]
    fn chunks_are_handed_on_item_by_item_in_input_order() {
        for (total, chunk, jobs) in [(0, 4, 2), (1, 4, 2), (50, 7, 1), (50, 7, 3), (64, 16, 2)] {
            let mut seen = Vec::new();
            let r: std::result::Result<(), ()> = ordered_chunks(
                total,
                chunk,
                jobs,
                2,
                "items",
                |range| {
                    assert!(range.len() <= chunk && !range.is_empty());
                    // Early chunks are slow: later ones finish first.
                    std::thread::sleep(std::time::Duration::from_micros(
                        ((total - range.start) * 20) as u64,
                    ));
                    range.map(|i| i * 3).collect()
                },
                |i, v| {
                    assert_eq!(v, i * 3);
                    seen.push(i);
                    Ok(())
                },
            );
            assert!(r.is_ok());
            assert_eq!(seen, (0..total).collect::<Vec<_>>());
        }
    }

    #[test]
    fn an_emit_error_stops_the_run() {
        let started = AtomicUsize::new(0);
        let r = ordered_chunks(
            1000,
            1,
            2,
            4,
            "items",
            |range| {
                started.fetch_add(1, Ordering::SeqCst);
                range.collect::<Vec<_>>()
            },
            |i, _| if i == 3 { Err("closed") } else { Ok(()) },
        );
        assert_eq!(r, Err("closed"));
        // Bounded by the window: nothing near the 1,000 items started.
        assert!(started.load(Ordering::SeqCst) <= 3 + 1 + 4 + 2);
    }
}
