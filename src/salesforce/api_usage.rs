//! The org's daily API allocation, as Salesforce reports it: the `Sforce-Limit-Info` header every REST
//! answer carries (`api-usage=18/5000`, with `; per-app-api-usage=…` or `; api-bursts=…` after it in some
//! orgs), or the `/limits` resource's `DailyApiRequests`. Every integration in the org draws on it; past it,
//! Salesforce refuses requests with `REQUEST_LIMIT_EXCEEDED` until the rolling 24 hours free some.

use std::sync::Mutex;

use serde::Deserialize;

/// The org's API requests used in the last 24 hours, and how many it is allowed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ApiUsage {
    pub used: u64,
    pub allowed: u64,
}

/// The header's name.
pub(super) const LIMIT_INFO_HEADER: &str = "sforce-limit-info";

impl ApiUsage {
    /// The `api-usage` entry of a `Sforce-Limit-Info` header; `None` when it has none that reads (an
    /// allocation of 0 included).
    pub fn from_limit_info(header: &str) -> Option<Self> {
        let entry = header.split([';', ',']).map(str::trim).find_map(|entry| entry.strip_prefix("api-usage="))?;
        let (used, allowed) = entry.split_once('/')?;
        let usage = Self { used: used.trim().parse().ok()?, allowed: allowed.trim().parse().ok()? };
        (usage.allowed > 0).then_some(usage)
    }

    /// 100 × used / allowed: over 100 when the org runs on its burst allowance.
    pub fn percent(self) -> f64 {
        self.used as f64 * 100.0 / self.allowed as f64
    }
}

impl std::fmt::Display for ApiUsage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Rounded down, so that a usage just under a threshold is not shown at it.
        let tenths = (self.percent() * 10.0).floor() / 10.0;
        write!(f, "{} of {} daily API requests ({tenths:.1}%)", grouped(self.used), grouped(self.allowed))
    }
}

/// `95012` as `95,012`.
fn grouped(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, digit) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(digit);
    }
    out
}

/// `GET /limits`: only `DailyApiRequests` is read.
#[derive(Deserialize)]
pub(super) struct Limits {
    #[serde(rename = "DailyApiRequests")]
    daily: Allocation,
}

#[derive(Deserialize)]
struct Allocation {
    #[serde(rename = "Max")]
    max: u64,
    #[serde(rename = "Remaining")]
    remaining: u64,
}

impl Limits {
    pub(super) fn usage(&self) -> Option<ApiUsage> {
        let usage = ApiUsage { used: self.daily.max.saturating_sub(self.daily.remaining), allowed: self.daily.max };
        (usage.allowed > 0).then_some(usage)
    }
}

/// What the container's answers have said: how many carried the header, and the last one's usage. An
/// invocation reports the usage when an answer of its own carried it.
#[derive(Default)]
pub(super) struct UsageSeen {
    seen: Mutex<(u64, Option<ApiUsage>)>,
}

impl UsageSeen {
    pub(super) fn record(&self, header: Option<&str>) {
        if let Some(usage) = header.and_then(ApiUsage::from_limit_info) {
            let mut seen = self.seen.lock().unwrap_or_else(|p| p.into_inner());
            *seen = (seen.0 + 1, Some(usage));
        }
    }

    /// (answers that carried the header so far, the last one's usage).
    pub(super) fn get(&self) -> (u64, Option<ApiUsage>) {
        *self.seen.lock().unwrap_or_else(|p| p.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_header_reads_in_each_documented_shape() {
        let usage = |header| ApiUsage::from_limit_info(header);
        assert_eq!(usage("api-usage=18/5000"), Some(ApiUsage { used: 18, allowed: 5000 }));
        assert_eq!(
            usage("api-usage=25/5000; per-app-api-usage=17/250(appName=sample-connected-app)"),
            Some(ApiUsage { used: 25, allowed: 5000 })
        );
        let bursting = usage("api-usage=110018/100000; api-bursts=1/750").expect("usage");
        assert!((bursting.percent() - 110.018).abs() < 1e-9, "over 100% on a burst allowance");
        assert_eq!(bursting.to_string(), "110,018 of 100,000 daily API requests (110.0%)");
        assert_eq!(ApiUsage { used: 7, allowed: 999 }.to_string(), "7 of 999 daily API requests (0.7%)");
        assert_eq!(
            ApiUsage { used: 89_995, allowed: 100_000 }.to_string(),
            "89,995 of 100,000 daily API requests (89.9%)"
        );
        assert_eq!(
            usage("per-app-api-usage=17/250(appName=x); api-usage=7/100"),
            Some(ApiUsage { used: 7, allowed: 100 })
        );
        for unreadable in
            ["", "api-usage=", "api-usage=5", "api-usage=5/0", "api-usage=-1/5", "api-usage=a/b", "usage=1/2"]
        {
            assert_eq!(usage(unreadable), None, "{unreadable}");
        }
    }

    #[test]
    fn the_limits_resource_reads_as_used_of_allowed() {
        // Apache Camel's recorded answer (camel-salesforce's limits.json), cut to one allocation.
        let limits: Limits = serde_json::from_str(
            r#"{"DailyApiRequests": {"Max": 15000, "Remaining": 14998}, "DataStorageMB": {"Max": 5, "Remaining": 5}}"#,
        )
        .expect("limits");
        assert_eq!(limits.usage(), Some(ApiUsage { used: 2, allowed: 15000 }));
    }

    #[test]
    fn only_an_answer_with_the_header_counts() {
        let seen = UsageSeen::default();
        seen.record(None);
        seen.record(Some("nonsense"));
        assert_eq!(seen.get(), (0, None));
        seen.record(Some("api-usage=10/100"));
        seen.record(Some("api-usage=11/100"));
        assert_eq!(seen.get(), (2, Some(ApiUsage { used: 11, allowed: 100 })));
    }
}
