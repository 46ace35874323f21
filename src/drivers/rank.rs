//! Candidates per tag: a score from the evidence, a confidence word, the label `analyze`
//! shows, and the localtag.txt map.
//!
//! | evidence (best kind found in the binary) | score | confidence |
//! |---|---|---|
//! | immediate near a pool call, 1, 2, 3, 4 or more times | 0.80, 0.85, 0.90, 0.95 | high |
//! | in code only; the binary imports a pool function | 0.60 | medium |
//! | in code only; no pool import | 0.50 | medium |
//! | in data only; the binary imports a pool function | 0.30 | low |
//! | in data only; no pool import | 0.10 | low |
//!
//! Candidates are ordered by score, then near-call, code and data counts (more first), then
//! path: the same folder always gives the same order.

use std::cmp::Ordering;

use super::*;

/// [`Scan::label`] names a binary only from this score up (code evidence): a data-only hit
/// is a guess no better than `findstr`.
pub const MIN_LABEL_SCORE: f64 = 0.5;

/// At most this many binaries tied for the best score are named by [`Scan::label`].
const MAX_LABELLED: usize = 3;

/// How sure an attribution is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Confidence {
    /// Only the tag's bytes in data.
    Low,
    /// The tag in code, but not next to a pool call.
    Medium,
    /// The tag loaded right before a call through a pool function's import.
    High,
}

impl Confidence {
    /// `high`, `medium` or `low`.
    pub fn name(self) -> &'static str {
        match self {
            Confidence::High => "high",
            Confidence::Medium => "medium",
            Confidence::Low => "low",
        }
    }
}

/// One binary that may own a tag.
#[derive(Debug, Clone)]
pub struct Candidate<'a> {
    /// The binary.
    pub binary: &'a Binary,
    /// Its evidence for the tag.
    pub hits: Hits,
    /// Score in [0, 1] (see the module's table).
    pub score: f64,
    /// The confidence word for the score.
    pub confidence: Confidence,
}

/// The score of some evidence (see the module's table).
pub fn score(hits: &Hits, imports_pool: bool) -> f64 {
    let s = if hits.near_call > 0 {
        0.8 + 0.05 * f64::from(hits.near_call.min(4) - 1)
    } else if hits.code > 0 {
        if imports_pool {
            0.6
        } else {
            0.5
        }
    } else if hits.data > 0 {
        if imports_pool {
            0.3
        } else {
            0.1
        }
    } else {
        0.0
    };
    (s * 100.0).round() / 100.0
}

fn confidence(hits: &Hits) -> Confidence {
    if hits.near_call > 0 {
        Confidence::High
    } else if hits.code > 0 {
        Confidence::Medium
    } else {
        Confidence::Low
    }
}

fn order(a: &Candidate<'_>, b: &Candidate<'_>) -> Ordering {
    b.score
        .total_cmp(&a.score)
        .then(b.hits.near_call.cmp(&a.hits.near_call))
        .then(b.hits.code.cmp(&a.hits.code))
        .then(b.hits.data.cmp(&a.hits.data))
        .then_with(|| a.binary.path.cmp(&b.binary.path))
}

impl Scan {
    /// Every binary in which `tag` occurs, best first.
    pub fn candidates(&self, tag: Tag) -> Vec<Candidate<'_>> {
        let mut out: Vec<Candidate<'_>> = self
            .binaries
            .iter()
            .filter_map(|b| {
                let hits = *b.hits.get(&tag)?;
                (!hits.is_empty()).then(|| Candidate {
                    binary: b,
                    hits,
                    score: score(&hits, !b.pool_imports.is_empty()),
                    confidence: confidence(&hits),
                })
            })
            .collect();
        out.sort_by(order);
        out
    }

    /// The driver text for a tag as printed: `[scan: foo.sys 0.9]`, one group per binary
    /// tied for the best score (at most 3); `None` when no binary reaches
    /// [`MIN_LABEL_SCORE`].
    pub fn label(&self, printed: &str) -> Option<String> {
        let tag = Tag::parse(printed)?;
        let found = self.candidates(tag);
        let best = found.first()?.score;
        if best < MIN_LABEL_SCORE {
            return None;
        }
        let mut out = String::new();
        for c in found
            .iter()
            .take_while(|c| c.score == best)
            .take(MAX_LABELLED)
        {
            out.push_str(&format!("[scan: {} {}]", c.binary.name, c.score));
        }
        Some(out)
    }

    /// Every tag found near a pool call, with the binaries that load it there, as
    /// localtag.txt lines (`TAG   -     name`, the form `poolmon /c` writes), by tag, best
    /// binary first. Tags that are not plausible ([`Tag::is_plausible`]) are left out.
    pub fn localtag(&self) -> String {
        let tags: BTreeSet<Tag> = self
            .binaries
            .iter()
            .flat_map(|b| b.hits.iter())
            .filter(|(t, h)| h.near_call > 0 && t.is_plausible())
            .map(|(t, _)| *t)
            .collect();
        let mut out = String::new();
        for tag in tags {
            for c in self.candidates(tag) {
                if c.hits.near_call > 0 {
                    out.push_str(&format!("{tag}   -     {}\n", c.binary.name));
                }
            }
        }
        out
    }
}
