//! Naming the drivers of fleet suspects after the ranking (see
//! [`crate::analysis::Analysis::name_drivers`]).

use super::*;

impl Fleet {
    /// The tags of the fleet `leak` and `suspect` series whose driver
    /// [`analysis::is_unnamed`], once each, in rank order.
    pub fn unnamed_suspects(&self) -> Vec<String> {
        analysis::unnamed_tags(
            self.series
                .iter()
                .map(|s| (s.verdict, s.tag.as_str(), s.driver.as_deref())),
        )
    }

    /// Sets the driver of every fleet `leak` and `suspect` series whose driver
    /// [`analysis::is_unnamed`] to `name(tag)`, where that gives one; returns how many
    /// series were named.
    pub fn name_drivers(&mut self, name: impl Fn(&str) -> Option<String>) -> usize {
        analysis::name_unnamed(
            self.series
                .iter_mut()
                .map(|s| (s.verdict, s.tag.as_str(), &mut s.driver)),
            name,
        )
    }
}
