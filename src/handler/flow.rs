//! A flow's "Invoke AWS Lambda function" block, on any leg of a call: resolve the leg's case (and, in a
//! Salesforce Voice flow, link the leg's VoiceCall to it in the same requests), store it on the contact
//! when it is new to the call, and answer it. A failed link is logged and counted, never the leg's error.

use std::sync::Mutex;
use std::time::Duration;

use serde_json::Value;
use tokio::time::Instant;

use super::{Configured, HandoffError, Kind, Line, Response};
use crate::connect::{
    Answer, CASE_ID_ATTRIBUTE, CASE_OUTCOME_ATTRIBUTE, CONTACT_MATCHES_ATTRIBUTE, EventError, FlowEvent, VoiceCallRef,
};
use crate::resolve::{Resolution, resolve};
use crate::salesforce::LinkOutcome;

/// One leg of a call.
pub(super) struct Leg {
    event: FlowEvent,
    /// The answer while it is being stored on the contact: still answered if the budget runs out then.
    storing: Mutex<Option<LegAnswer>>,
}

/// What a leg answers the flow, and what became of its VoiceCall link (for the logs and the metrics).
#[derive(Debug, Clone)]
pub(super) struct LegAnswer {
    answer: Answer,
    voice_call: LinkOutcome,
}

impl From<LegAnswer> for Response {
    fn from(leg: LegAnswer) -> Self {
        Self::Flow(leg.answer)
    }
}

impl Kind for Leg {
    type Answer = LegAnswer;

    fn parse(payload: Value) -> Result<Self, EventError> {
        FlowEvent::from_value(payload).map(|event| Self { event, storing: Mutex::new(None) })
    }

    /// Every line of a leg carries its contact id and the caller, masked.
    fn span(&self) -> tracing::Span {
        tracing::info_span!("invocation", contact_id = %self.event.contact_id, caller = %self.event.customer_masked())
    }

    async fn run(&self, with: &Configured, deadline: Instant) -> Result<LegAnswer, HandoffError> {
        if self.event.voice_call == VoiceCallRef::Malformed {
            tracing::warn!("VoiceCallId (or the voiceCallId attribute) is not a VoiceCall id; no VoiceCall is linked");
        }
        let Resolution { answer, store_on_contact, voice_call } =
            resolve(&with.salesforce, &self.event, &with.rules, deadline).await?;
        match &voice_call {
            LinkOutcome::Failed(error) => tracing::warn!(
                error_type = error.error_type(),
                error = %error,
                "the leg's VoiceCall could not be linked to the case; the case is answered as it is"
            ),
            LinkOutcome::Linked => tracing::info!(case_id = %answer.case_id, "linked the leg's VoiceCall to the case"),
            LinkOutcome::NotAsked | LinkOutcome::NotRun => {}
        }
        let leg = LegAnswer { answer, voice_call };
        if store_on_contact && with.config.update_contact_attributes {
            *self.storing.lock().unwrap_or_else(|p| p.into_inner()) = Some(leg.clone());
            with.store_on_contact(&self.event, &leg.answer).await;
        }
        Ok(leg)
    }

    /// Storing the case on the contact is best effort: the answer carries it whatever Connect does.
    fn timed_out(&self, budget: Duration) -> Result<LegAnswer, HandoffError> {
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

    fn outcome(leg: &LegAnswer) -> &str {
        leg.answer.outcome.as_str()
    }

    /// With a VoiceCall named, whether it was linked: `VoiceCallLinkFailed` is what an alarm watches.
    fn counts(leg: &LegAnswer) -> Vec<(&'static str, u64)> {
        match leg.voice_call {
            LinkOutcome::NotAsked => Vec::new(),
            LinkOutcome::Linked => vec![("VoiceCallsLinked", 1), ("VoiceCallLinkFailed", 0)],
            LinkOutcome::Failed(_) | LinkOutcome::NotRun => vec![("VoiceCallsLinked", 0), ("VoiceCallLinkFailed", 1)],
        }
    }

    fn log(leg: &LegAnswer, line: &Line) {
        let answer = &leg.answer;
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
