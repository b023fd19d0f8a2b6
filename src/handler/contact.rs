//! A Connect contact event from EventBridge: make the first agent who answers the call the owner of its
//! case. Nothing to do succeeds with a warning (a retry would not help); Salesforce or Connect failing
//! fails the invocation, so Lambda's asynchronous retries and the stack's failure queue keep the event.

use serde::Serialize;
use tracing::Instrument;

use super::{Handoff, HandoffError, Invocation};
use crate::connect::ContactEvent;
use crate::owner::{OwnerError, OwnerOutcome, assign_first_agent};

/// What the function answers a contact event (EventBridge discards it; `cargo lambda invoke` shows it).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OwnerReport {
    /// `assigned`, `nothing-to-do` or `ignored`.
    pub owner: &'static str,
    pub detail: String,
}

impl Handoff {
    pub(super) async fn contact(
        &self,
        event: &ContactEvent,
        invocation: &Invocation,
    ) -> Result<OwnerReport, HandoffError> {
        let span = tracing::info_span!("invocation", contact_id = %event.contact_id);
        async {
            let assigned = assign_first_agent(
                &self.salesforce,
                &self.connect,
                &self.owners,
                event,
                &self.owner_rules,
                invocation.deadline,
            );
            let result = match tokio::time::timeout_at(invocation.deadline, assigned).await {
                Ok(Ok(outcome)) => Ok(report(outcome)),
                Ok(Err(OwnerError::Salesforce(error))) => Err(HandoffError::Salesforce(error)),
                Ok(Err(OwnerError::Connect(error))) => Err(HandoffError::Connect(error)),
                Err(_) => Err(HandoffError::BudgetExceeded(invocation.deadline - invocation.started)),
            };
            let outcome = match &result {
                Ok(report) => report.owner,
                Err(error) => error.error_type(),
            };
            let metrics = self.metrics(invocation, outcome);
            let (elapsed_ms, salesforce_requests) = (metrics.latency_ms.round() as u64, metrics.salesforce_requests);
            let event_type = event.event_type.as_str();
            match &result {
                Ok(report) if report.owner == "nothing-to-do" => {
                    tracing::warn!(event_type, detail = %report.detail, salesforce_requests, elapsed_ms, "owner unchanged")
                }
                Ok(report) => tracing::info!(event_type, owner = report.owner, detail = %report.detail, salesforce_requests, elapsed_ms, "contact event"),
                Err(error) => tracing::error!(event_type, error_type = error.error_type(), error = %error, salesforce_requests, elapsed_ms, "failed"),
            }
            self.emit(&metrics);
            result
        }
        .instrument(span)
        .await
    }
}

fn report(outcome: OwnerOutcome) -> OwnerReport {
    match outcome {
        OwnerOutcome::Assigned { case_id, owner } => {
            OwnerReport { owner: "assigned", detail: format!("case {case_id} now belongs to user {owner}") }
        }
        OwnerOutcome::NothingToDo(why) => OwnerReport { owner: "nothing-to-do", detail: why.to_owned() },
        OwnerOutcome::Ignored(why) => OwnerReport { owner: "ignored", detail: why.to_owned() },
    }
}
