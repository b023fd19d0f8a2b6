//! A flow's "Invoke AWS Lambda function" block, on any leg of a call: resolve the leg's case, store it on
//! the contact when it is new to the call, and answer it.

use std::sync::Mutex;
use std::time::Duration;

use serde_json::Value;
use tokio::time::Instant;

use super::{Configured, HandoffError, Kind, Line, Response};
use crate::connect::{
    Answer, CASE_ID_ATTRIBUTE, CASE_OUTCOME_ATTRIBUTE, CONTACT_MATCHES_ATTRIBUTE, EventError, FlowEvent,
};
use crate::resolve::{Resolution, resolve};

/// One leg of a call.
pub(super) struct Leg {
    event: FlowEvent,
    /// The answer while it is being stored on the contact: still answered if the budget runs out then.
    storing: Mutex<Option<Answer>>,
}

impl From<Answer> for Response {
    fn from(answer: Answer) -> Self {
        Self::Flow(answer)
    }
}

impl Kind for Leg {
    type Answer = Answer;

    fn parse(payload: Value) -> Result<Self, EventError> {
        FlowEvent::from_value(payload).map(|event| Self { event, storing: Mutex::new(None) })
    }

    /// Every line of a leg carries its contact id and the caller, masked.
    fn span(&self) -> tracing::Span {
        tracing::info_span!("invocation", contact_id = %self.event.contact_id, caller = %self.event.customer_masked())
    }

    async fn run(&self, with: &Configured, deadline: Instant) -> Result<Answer, HandoffError> {
        let Resolution { answer, store_on_contact } =
            resolve(&with.salesforce, &self.event, &with.rules, deadline).await?;
        if store_on_contact && with.config.update_contact_attributes {
            *self.storing.lock().unwrap_or_else(|p| p.into_inner()) = Some(answer.clone());
            with.store_on_contact(&self.event, &answer).await;
        }
        Ok(answer)
    }

    /// Storing the case on the contact is best effort: the answer carries it whatever Connect does.
    fn timed_out(&self, budget: Duration) -> Result<Answer, HandoffError> {
        match self.storing.lock().unwrap_or_else(|p| p.into_inner()).take() {
            Some(answer) => {
                tracing::warn!(
                    "UpdateContactAttributes did not finish within the budget; the case is answered but not stored on the contact"
                );
                Ok(answer)
            }
            None => Err(HandoffError::BudgetExceeded(budget)),
        }
    }

    fn outcome(answer: &Answer) -> &str {
        answer.outcome.as_str()
    }

    fn log(answer: &Answer, line: &Line) {
        tracing::info!(
            outcome = answer.outcome.as_str(),
            case_id = %answer.case_id,
            contact_matches = answer.contact_matches,
            salesforce_requests = line.salesforce_requests,
            elapsed_ms = line.elapsed_ms,
            "answered"
        );
    }
}

impl Configured {
    /// Best effort: the answer carries the case whatever Connect says.
    async fn store_on_contact(&self, event: &FlowEvent, answer: &Answer) {
        let Some(instance_id) = &event.instance_id else {
            tracing::warn!("the event has no InstanceARN; the case is not stored on the contact");
            return;
        };
        let case_id = answer.case_id.to_string();
        let matches = answer.contact_matches.to_string();
        let attributes = [
            (CASE_ID_ATTRIBUTE, case_id.as_str()),
            (CONTACT_MATCHES_ATTRIBUTE, matches.as_str()),
            (CASE_OUTCOME_ATTRIBUTE, answer.outcome.as_str()),
        ];
        let update = self.connect.update_contact_attributes(instance_id, &event.initial_contact_id, &attributes);
        if let Err(error) = update.await {
            tracing::warn!(error = %error, "the case is answered but not stored on the contact");
        }
    }
}
