//! A flow invocation: resolve the leg's case within the budget, store it on the contact when it is new to
//! the call, and answer it (or a named error), with one log line and one metrics line.

use tracing::Instrument;

use super::{Handoff, HandoffError, Invocation};
use crate::connect::{Answer, CASE_ID_ATTRIBUTE, CONTACT_MATCHES_ATTRIBUTE, FlowEvent};
use crate::metrics::InvocationMetrics;
use crate::resolve::{Resolution, resolve};

impl Handoff {
    pub(super) async fn flow(&self, event: &FlowEvent, invocation: &Invocation) -> Result<Answer, HandoffError> {
        let span = tracing::info_span!("invocation", contact_id = %event.contact_id);
        async {
            let result = self.answer(event, invocation).await;
            let outcome = match &result {
                Ok(answer) => answer.outcome.as_str(),
                Err(error) => error.error_type(),
            };
            let metrics = self.metrics(invocation, outcome);
            log_outcome(event, &result, &metrics);
            self.emit(&metrics);
            result
        }
        .instrument(span)
        .await
    }

    async fn answer(&self, event: &FlowEvent, invocation: &Invocation) -> Result<Answer, HandoffError> {
        let deadline = invocation.deadline;
        let resolution = resolve(&self.salesforce, event, &self.rules, deadline);
        let Resolution { answer, store_on_contact } = tokio::time::timeout_at(deadline, resolution)
            .await
            .map_err(|_| HandoffError::BudgetExceeded(deadline - invocation.started))??;
        if store_on_contact && self.config.update_contact_attributes {
            self.store_on_contact(event, &answer, deadline).await;
        }
        Ok(answer)
    }

    /// Best effort: the answer carries the case whatever Connect says.
    async fn store_on_contact(&self, event: &FlowEvent, answer: &Answer, deadline: tokio::time::Instant) {
        let Some(instance_id) = &event.instance_id else {
            tracing::warn!("the event has no InstanceARN; the case is not stored on the contact");
            return;
        };
        let case_id = answer.case_id.to_string();
        let matches = answer.contact_matches.to_string();
        let attributes = [(CASE_ID_ATTRIBUTE, case_id.as_str()), (CONTACT_MATCHES_ATTRIBUTE, matches.as_str())];
        let update = self.connect.update_contact_attributes(instance_id, &event.initial_contact_id, &attributes);
        match tokio::time::timeout_at(deadline, update).await {
            Ok(Ok(())) => {}
            Ok(Err(error)) => tracing::warn!(error = %error, "the case is answered but not stored on the contact"),
            Err(_) => tracing::warn!(
                "UpdateContactAttributes did not finish within the budget; the case is answered but not stored on the contact"
            ),
        }
    }
}

/// One line per invocation; the caller's number only masked.
fn log_outcome(event: &FlowEvent, result: &Result<Answer, HandoffError>, metrics: &InvocationMetrics) {
    let elapsed_ms = metrics.latency_ms.round() as u64;
    let salesforce_requests = metrics.salesforce_requests;
    match result {
        Ok(answer) => tracing::info!(
            outcome = answer.outcome.as_str(),
            case_id = %answer.case_id,
            contact_matches = answer.contact_matches,
            caller = %event.customer_masked(),
            salesforce_requests,
            elapsed_ms,
            "answered"
        ),
        Err(error) => tracing::error!(
            error_type = error.error_type(),
            error = %error,
            caller = %event.customer_masked(),
            salesforce_requests,
            elapsed_ms,
            "failed"
        ),
    }
}
