//! Naming the drivers of fleet suspects after the ranking (see
//! [`crate::analysis::Analysis::name_drivers`]).

use super::*;

impl Fleet {
    /// The tags of the fleet `leak` and `suspect` series whose driver
    /// [`analysis::is_unnamed`], once each, in rank order.
    pub fn unnamed_suspects(&self) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for s in &self.series {
            if s.verdict != Verdict::Ok
                && analysis::is_unnamed(s.driver.as_deref())
                && !out.contains(&s.tag)
            {
                out.push(s.tag.clone());
            }
        }
        out
    }

    /// Sets the driver of every fleet `leak` and `suspect` series whose driver
    /// [`analysis::is_unnamed`] to `name(tag)`, where that gives one; returns how many
    /// series were named.
    pub fn name_drivers(&mut self, name: impl Fn(&str) -> Option<String>) -> usize {
        let mut named = 0;
        for s in &mut self.series {
            if s.verdict != Verdict::Ok && analysis::is_unnamed(s.driver.as_deref()) {
                if let Some(d) = name(&s.tag) {
                    s.driver = Some(d);
                    named += 1;
                }
            }
        }
        named
    }
}
