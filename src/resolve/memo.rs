//! [`Memo`]: a resolver shared by many verifications at once (a folder verified on every core)
//! that fetches each URL once — the first thread to ask fetches, the others wait for its answer
//! — and remembers the answer, failures included, for the life of the run.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

use super::{strip_fragment, Resolver, ResourceKind};
use crate::error::Result;

/// How many URLs a [`Memo`] remembers; past that it passes further URLs straight through.
pub const MEMO_ENTRIES: usize = 4096;

type Slot = Arc<OnceLock<Result<Vec<u8>>>>;

/// Fetches each URL (fragment ignored) once through another resolver and serves every later
/// request for it from memory, to every thread: 10,000 badges on one status list fetch the list
/// once. A failure is remembered too, so a dead server costs one timeout, not one per badge, and
/// every badge gets the same verdict. Meant for one run (nothing expires); bounded by
/// [`MEMO_ENTRIES`] URLs, each at most what the inner resolver returns.
///
/// # Example
/// ```
/// use std::sync::Arc;
/// use openbadges::resolve::{LocalResources, Memo, Resolver, ResourceKind};
/// let mut local = LocalResources::new();
/// local.insert("https://district.example/status/1", b"{}".to_vec());
/// let memo = Memo::new(Arc::new(local));
/// let a = memo.fetch("https://district.example/status/1#5", ResourceKind::StatusList)?;
/// assert_eq!(a, b"{}");
/// assert_eq!(memo.len(), 1);
/// assert!(memo.fetch("https://elsewhere.example/", ResourceKind::Other).is_err());
/// assert_eq!(memo.len(), 2);
/// # Ok::<(), openbadges::Error>(())
/// ```
pub struct Memo {
    next: Arc<dyn Resolver>,
    slots: Mutex<HashMap<String, Slot>>,
}

impl std::fmt::Debug for Memo {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Memo")
            .field("entries", &self.len())
            .finish_non_exhaustive()
    }
}

impl Memo {
    /// Remembers what `next` answers.
    pub fn new(next: Arc<dyn Resolver>) -> Self {
        Memo {
            next,
            slots: Mutex::new(HashMap::new()),
        }
    }

    /// How many URLs are remembered (or being fetched).
    pub fn len(&self) -> usize {
        self.slots.lock().map_or(0, |s| s.len())
    }

    /// Whether nothing was fetched yet.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl Resolver for Memo {
    fn fetch(&self, url: &str, kind: ResourceKind) -> Result<Vec<u8>> {
        let key = strip_fragment(url);
        let slot = match self.slots.lock() {
            Ok(mut slots) => match slots.get(key) {
                Some(s) => Some(s.clone()),
                None if slots.len() < MEMO_ENTRIES => {
                    let s = Slot::default();
                    slots.insert(key.to_string(), s.clone());
                    Some(s)
                }
                None => None,
            },
            Err(_) => None,
        };
        match slot {
            // The lock is not held while fetching; `get_or_init` makes the other threads asking
            // for this URL wait for the one fetch.
            Some(s) => s.get_or_init(|| self.next.fetch(url, kind)).clone(),
            None => self.next.fetch(url, kind),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    struct Counting(AtomicUsize);
    impl Resolver for Counting {
        fn fetch(&self, url: &str, _kind: ResourceKind) -> Result<Vec<u8>> {
            self.0.fetch_add(1, Ordering::SeqCst);
            std::thread::sleep(std::time::Duration::from_millis(20));
            if url.contains("dead") {
                Err(crate::Error::new(crate::ErrorKind::Resolve, "dead"))
            } else {
                Ok(url.as_bytes().to_vec())
            }
        }
    }

    #[test]
    fn many_threads_fetch_once_failures_too() {
        let inner = Arc::new(Counting(AtomicUsize::new(0)));
        let memo = Memo::new(inner.clone());
        std::thread::scope(|s| {
            for _ in 0..8 {
                s.spawn(|| {
                    assert_eq!(
                        memo.fetch("https://a.example/l#1", ResourceKind::StatusList)
                            .unwrap(),
                        b"https://a.example/l#1"
                    );
                    assert!(memo
                        .fetch("https://dead.example/", ResourceKind::StatusList)
                        .is_err());
                });
            }
        });
        assert_eq!(inner.0.load(Ordering::SeqCst), 2);
        assert_eq!(memo.len(), 2);
    }
}
