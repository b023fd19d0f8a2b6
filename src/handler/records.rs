//! A Lambda Kinesis event from the instance's contact record stream: every leg onto its case (see
//! `legs`). No flow waits on it, so only Lambda's deadline bounds it; Lambda delivers again the records
//! named in `batchItemFailures`, and, once its retries run out, sends the batch to the failure destination.

use std::time::Duration;

use serde::Serialize;
use serde_json::Value;
use tokio::time::Instant;

use super::{Configured, HandoffError, Kind, Line, Response};
use crate::config::ConfigError;
use crate::connect::{EventError, RecordBatch};
use crate::legs::{BatchReport, write_legs};

/// The answer Lambda reads from a Kinesis batch (`ReportBatchItemFailures`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BatchAnswer {
    #[serde(rename = "batchItemFailures")]
    pub batch_item_failures: Vec<ItemFailure>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ItemFailure {
    #[serde(rename = "itemIdentifier")]
    pub item_identifier: String,
}

impl From<BatchReport> for Response {
    fn from(report: BatchReport) -> Self {
        let failures = report.retry.into_iter().map(|item_identifier| ItemFailure { item_identifier }).collect();
        Self::Records(BatchAnswer { batch_item_failures: failures })
    }
}

/// One batch of contact records.
pub(super) struct LegBatch(RecordBatch);

impl LegBatch {
    /// Every record that is a contact record, to be delivered again.
    fn all_again(&self) -> BatchReport {
        let retry = self.0.records.iter().filter(|r| r.contact.is_ok()).map(|r| r.sequence_number.clone()).collect();
        BatchReport { retry, ..BatchReport::default() }
    }
}

impl Kind for LegBatch {
    type Answer = BatchReport;

    fn parse(payload: Value) -> Result<Self, EventError> {
        RecordBatch::from_value(&payload).map(Self)
    }

    fn span(&self) -> tracing::Span {
        tracing::info_span!("invocation", event = "ContactRecords", records = self.0.records.len())
    }

    async fn run(&self, with: &Configured, deadline: Instant) -> Result<BatchReport, HandoffError> {
        Ok(write_legs(&with.salesforce, &self.0, &with.leg_rules, deadline).await)
    }

    /// The writes are idempotent: a batch cut short is delivered again whole.
    fn timed_out(&self, _budget: Duration) -> Result<BatchReport, HandoffError> {
        tracing::warn!("the batch did not finish before Lambda's deadline; its records come again");
        Ok(self.all_again())
    }

    /// Kept for Lambda's bounded retries and then the failure destination, not dropped.
    fn misconfigured(&self, error: &ConfigError) -> Result<BatchReport, HandoffError> {
        tracing::error!(error_type = "ConfigurationError", error = %error, "the configuration is invalid; the records come again");
        Ok(self.all_again())
    }

    const FLOW_WAITS: bool = false;

    fn outcome(report: &BatchReport) -> &str {
        if report.retry.is_empty() { "legs-written" } else { "legs-retried" }
    }

    fn counts(report: &BatchReport) -> Vec<(&'static str, u64)> {
        vec![
            ("LegsWritten", report.written),
            ("LegsUnchanged", report.unchanged),
            ("LegsSkipped", report.skipped),
            ("RecordsRejected", report.rejected),
            ("LegsRefused", report.refused),
            ("OwnersRepaired", report.owners),
            ("RecordsRetried", report.retry.len() as u64),
        ]
    }

    fn log(report: &BatchReport, line: &Line) {
        tracing::info!(
            written = report.written,
            unchanged = report.unchanged,
            skipped = report.skipped,
            rejected = report.rejected,
            refused = report.refused,
            owners = report.owners,
            retried = report.retry.len(),
            salesforce_requests = line.salesforce_requests,
            elapsed_ms = line.elapsed_ms,
            "contact records written"
        );
    }
}
