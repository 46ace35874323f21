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

/// The tags of the `leak` and `suspect` rows whose driver [`is_unnamed`], once each, in
/// the rows' order. Rows: (verdict, tag, driver); shared by [`Analysis`] and the fleet.
pub fn unnamed_tags<'a>(
    rows: impl Iterator<Item = (Verdict, &'a str, Option<&'a str>)>,
) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for (verdict, tag, driver) in rows {
        if verdict != Verdict::Ok && is_unnamed(driver) && !out.iter().any(|t| t == tag) {
            out.push(tag.to_string());
        }
    }
    out
}

/// Sets the driver of every `leak` and `suspect` row whose driver [`is_unnamed`] to
/// `name(tag)`, where that gives one; returns how many rows were named. Rows: (verdict,
/// tag, driver); shared by [`Analysis`] and the fleet.
pub fn name_unnamed<'a>(
    rows: impl Iterator<Item = (Verdict, &'a str, &'a mut Option<String>)>,
    name: impl Fn(&str) -> Option<String>,
) -> usize {
    let mut named = 0;
    for (verdict, tag, driver) in rows {
        if verdict != Verdict::Ok && is_unnamed(driver.as_deref()) {
            if let Some(d) = name(tag) {
                *driver = Some(d);
                named += 1;
            }
        }
    }
    named
}

impl Analysis {
    /// The tags of the `leak` and `suspect` series whose driver [`is_unnamed`], once each,
    /// in rank order.
    pub fn unnamed_suspects(&self) -> Vec<String> {
        unnamed_tags(
            self.series
                .iter()
                .map(|s| (s.verdict, s.tag.as_str(), s.driver.as_deref())),
        )
    }

    /// Sets the driver of every `leak` and `suspect` series whose driver [`is_unnamed`] to
    /// `name(tag)`, where that gives one; returns how many series were named.
    pub fn name_drivers(&mut self, name: impl Fn(&str) -> Option<String>) -> usize {
        name_unnamed(
            self.series
                .iter_mut()
                .map(|s| (s.verdict, s.tag.as_str(), &mut s.driver)),
            name,
        )
    }
}
