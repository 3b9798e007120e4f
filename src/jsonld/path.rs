//! A JSON Pointer built lazily: expansion keeps a stack-allocated chain of path segments and only
//! renders it when an error needs it.

use crate::error::pointer_token;

#[derive(Clone, Copy)]
pub(crate) enum Segment<'a> {
    Root,
    Key(&'a str),
    Index(usize),
}

/// One link of the chain from the document root to the current value.
#[derive(Clone, Copy)]
pub(crate) struct Path<'a> {
    parent: Option<&'a Path<'a>>,
    segment: Segment<'a>,
}

impl<'a> Path<'a> {
    pub(crate) const ROOT: Path<'static> = Path {
        parent: None,
        segment: Segment::Root,
    };

    pub(crate) fn key(&'a self, key: &'a str) -> Path<'a> {
        Path {
            parent: Some(self),
            segment: Segment::Key(key),
        }
    }

    pub(crate) fn index(&'a self, index: usize) -> Path<'a> {
        Path {
            parent: Some(self),
            segment: Segment::Index(index),
        }
    }

    /// The RFC 6901 pointer.
    pub(crate) fn pointer(&self) -> String {
        let mut segments = Vec::new();
        let mut at = Some(self);
        while let Some(p) = at {
            segments.push(p.segment);
            at = p.parent;
        }
        let mut out = String::new();
        for s in segments.iter().rev() {
            match s {
                Segment::Root => {}
                Segment::Key(k) => {
                    out.push('/');
                    out.push_str(&pointer_token(k));
                }
                Segment::Index(i) => {
                    out.push('/');
                    out.push_str(&i.to_string());
                }
            }
        }
        out
    }
}
