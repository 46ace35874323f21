//! Naming the drivers of suspects after the ranking, from another source than the log and
//! pooltag.txt (such as `poolscan analyze --drivers DIR`, which scans driver binaries).

use super::*;

/// True when a driver text names nothing: none, blank, or PoolMon's `Unknown Driver`.
pub fn is_unnamed(driver: Option<&str>) -> bool {
    driver.is_none_or(|d| {
        let d = d.trim();
        d.is_empty() || d.eq_ignore_ascii_case("Unknown Driver")
    })
}

impl Analysis {
    /// The tags of the `leak` and `suspect` series whose driver [`is_unnamed`], once each,
    /// in rank order.
    pub fn unnamed_suspects(&self) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for s in &self.series {
            if s.verdict != Verdict::Ok && is_unnamed(s.driver.as_deref()) && !out.contains(&s.tag)
            {
                out.push(s.tag.clone());
            }
        }
        out
    }

    /// Sets the driver of every `leak` and `suspect` series whose driver [`is_unnamed`] to
    /// `name(tag)`, where that gives one; returns how many series were named.
    pub fn name_drivers(&mut self, name: impl Fn(&str) -> Option<String>) -> usize {
        let mut named = 0;
        for s in &mut self.series {
            if s.verdict != Verdict::Ok && is_unnamed(s.driver.as_deref()) {
                if let Some(d) = name(&s.tag) {
                    s.driver = Some(d);
                    named += 1;
                }
            }
        }
        named
    }
}
