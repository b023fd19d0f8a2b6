//! Figures people watch instead of reading logs: one CloudWatch Embedded Metric Format line per invocation,
//! which CloudWatch Logs turns into metrics with no API call from the function.

use std::time::{SystemTime, UNIX_EPOCH};

use serde_json::json;

/// The CloudWatch namespace of every metric this function emits.
pub const NAMESPACE: &str = "ConnectCaseHandoff";

/// What one invocation did.
#[derive(Debug, Clone, PartialEq)]
pub struct InvocationMetrics<'a> {
    pub function_name: &'a str,
    /// `found`, `created`, `replaced`, or the error type (`SalesforceUnavailable`, …).
    pub outcome: &'a str,
    pub salesforce_requests: u64,
    pub connect_requests: u64,
    /// The org's daily API requests used, in percent of its allocation, as the invocation's last Salesforce
    /// answer reported it (`Sforce-Limit-Info`); `None` when no answer of the invocation carried it.
    pub api_usage_percent: Option<f64>,
    pub latency_ms: f64,
    /// Counts a kind adds (`LegsWritten`, `LegsSkipped`, …), each a metric of its own.
    pub counts: Vec<(&'static str, u64)>,
}

impl InvocationMetrics<'_> {
    /// The EMF document: metrics by function and outcome, and by function alone for totals.
    pub fn to_emf(&self, timestamp: SystemTime) -> String {
        let timestamp_ms = timestamp.duration_since(UNIX_EPOCH).map(|d| d.as_millis() as u64).unwrap_or_default();
        let mut doc = json!({
            "_aws": {
                "Timestamp": timestamp_ms,
                "CloudWatchMetrics": [{
                    "Namespace": NAMESPACE,
                    "Dimensions": [["FunctionName", "Outcome"], ["FunctionName"]],
                    "Metrics": [
                        {"Name": "Invocations", "Unit": "Count"},
                        {"Name": "SalesforceRequests", "Unit": "Count"},
                        {"Name": "ConnectRequests", "Unit": "Count"},
                        {"Name": "Latency", "Unit": "Milliseconds"},
                    ],
                }],
            },
            "FunctionName": self.function_name,
            "Outcome": self.outcome,
            "Invocations": 1,
            "SalesforceRequests": self.salesforce_requests,
            "ConnectRequests": self.connect_requests,
            "Latency": (self.latency_ms * 1000.0).round() / 1000.0,
        });
        if let Some(percent) = self.api_usage_percent {
            doc["SalesforceApiUsage"] = ((percent * 100.0).round() / 100.0).into();
            if let Some(metrics) = doc["_aws"]["CloudWatchMetrics"][0]["Metrics"].as_array_mut() {
                metrics.push(json!({"Name": "SalesforceApiUsage", "Unit": "Percent"}));
            }
        }
        for (name, count) in &self.counts {
            doc[*name] = (*count).into();
            if let Some(metrics) = doc["_aws"]["CloudWatchMetrics"][0]["Metrics"].as_array_mut() {
                metrics.push(json!({"Name": name, "Unit": "Count"}));
            }
        }
        doc.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::Value;
    use std::time::Duration;

    #[test]
    fn every_declared_metric_and_dimension_is_a_root_member() {
        let metrics = InvocationMetrics {
            function_name: "handoff",
            outcome: "created",
            salesforce_requests: 2,
            connect_requests: 1,
            api_usage_percent: Some(12.345_6),
            latency_ms: 12.345_678,
            counts: vec![("LegsWritten", 3)],
        };
        let line = metrics.to_emf(UNIX_EPOCH + Duration::from_millis(1_764_000_000_123));
        assert!(!line.contains('\n'));
        let doc: Value = serde_json::from_str(&line).expect("JSON");
        assert_eq!(doc["_aws"]["Timestamp"], 1_764_000_000_123u64);
        let directive = &doc["_aws"]["CloudWatchMetrics"][0];
        assert_eq!(directive["Namespace"], NAMESPACE);
        for set in directive["Dimensions"].as_array().expect("dimension sets") {
            for key in set.as_array().expect("keys") {
                assert!(doc[key.as_str().expect("key")].is_string(), "{key}");
            }
        }
        for metric in directive["Metrics"].as_array().expect("metrics") {
            assert!(doc[metric["Name"].as_str().expect("name")].is_number(), "{metric}");
        }
        assert_eq!(doc["SalesforceRequests"], 2);
        assert_eq!(doc["Latency"], 12.346);
        assert_eq!(doc["LegsWritten"], 3);
        assert_eq!(doc["SalesforceApiUsage"], 12.35);
        assert!(
            directive["Metrics"]
                .as_array()
                .expect("metrics")
                .contains(&json!({"Name": "SalesforceApiUsage", "Unit": "Percent"}))
        );

        let without = InvocationMetrics { api_usage_percent: None, ..metrics }.to_emf(UNIX_EPOCH);
        assert!(!without.contains("SalesforceApiUsage"), "no usage reported, no metric: {without}");
    }
}
