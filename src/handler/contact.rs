//! An EventBridge event: on Connect's `CONNECTED_TO_AGENT`, make the first agent who answers the call the
//! owner of its case; every other event changes nothing. One match below chooses. Nothing to do succeeds
//! with a warning (a retry would not help); Salesforce or Connect failing fails the invocation, so
//! Lambda's asynchronous retries and the stack's failure queue keep the event.

use serde::Serialize;
use serde_json::Value;
use tokio::time::Instant;

use super::{Configured, HandoffError, Kind, Line, Response};
use crate::connect::{ContactEventType, EventBridgeEvent, EventError};
use crate::owner::{OwnerError, OwnerOutcome, assign_first_agent};

/// What the function answers a contact event (EventBridge discards it; `cargo lambda invoke` shows it).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OwnerReport {
    pub owner: Owner,
    pub detail: String,
}

/// What became of the case's owner, as the report and the metrics line say it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Owner {
    /// The first agent now owns the case.
    Assigned,
    /// The event was the one to act on, and nothing could be done (a retry would not help).
    NothingToDo,
    /// Not an event that changes an owner.
    Ignored,
}

impl Owner {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Assigned => "assigned",
            Self::NothingToDo => "nothing-to-do",
            Self::Ignored => "ignored",
        }
    }
}

impl From<OwnerReport> for Response {
    fn from(report: OwnerReport) -> Self {
        Self::Contact(report)
    }
}

/// One EventBridge event: Connect's contact event, or one a rule sent here by mistake.
pub(super) struct OwnerChange(EventBridgeEvent);

impl Kind for OwnerChange {
    type Answer = OwnerReport;

    fn parse(payload: Value) -> Result<Self, EventError> {
        EventBridgeEvent::from_value(&payload).map(Self)
    }

    fn span(&self) -> tracing::Span {
        match &self.0 {
            EventBridgeEvent::Contact(event) => {
                tracing::info_span!("invocation", contact_id = %event.contact_id, event_type = %event.event_type)
            }
            EventBridgeEvent::Elsewhere(_) => tracing::info_span!("invocation", event = "EventBridge"),
        }
    }

    /// The one decision of what an EventBridge event runs.
    async fn run(&self, with: &Configured, deadline: Instant) -> Result<OwnerReport, HandoffError> {
        let event = match &self.0 {
            EventBridgeEvent::Contact(event) if event.event_type == ContactEventType::ConnectedToAgent => event,
            EventBridgeEvent::Contact(_) => return Ok(report(OwnerOutcome::Ignored("not a CONNECTED_TO_AGENT event"))),
            EventBridgeEvent::Elsewhere(what) => {
                tracing::warn!(event = %what, "an EventBridge event that is not an Amazon Connect contact event; is a rule misrouted?");
                let detail = format!("not an Amazon Connect contact event ({what}): nothing changed");
                return Ok(OwnerReport { owner: Owner::Ignored, detail });
            }
        };
        let outcome =
            assign_first_agent(&with.salesforce, &with.connect, &with.owners, event, &with.owner_rules, deadline).await;
        match outcome {
            Ok(outcome) => Ok(report(outcome)),
            Err(OwnerError::Salesforce(error)) => Err(HandoffError::Salesforce(error)),
            Err(OwnerError::Connect(error)) => Err(HandoffError::Connect(error)),
        }
    }

    fn outcome(report: &OwnerReport) -> &str {
        report.owner.as_str()
    }

    fn log(report: &OwnerReport, line: &Line) {
        let (salesforce_requests, elapsed_ms) = (line.salesforce_requests, line.elapsed_ms);
        if report.owner == Owner::NothingToDo {
            tracing::warn!(detail = %report.detail, salesforce_requests, elapsed_ms, "owner unchanged");
        } else {
            tracing::info!(owner = report.owner.as_str(), detail = %report.detail, salesforce_requests, elapsed_ms, "contact event");
        }
    }
}

fn report(outcome: OwnerOutcome) -> OwnerReport {
    match outcome {
        OwnerOutcome::Assigned { case_id, owner } => {
            OwnerReport { owner: Owner::Assigned, detail: format!("case {case_id} now belongs to user {owner}") }
        }
        OwnerOutcome::NothingToDo(why) => OwnerReport { owner: Owner::NothingToDo, detail: why.to_owned() },
        OwnerOutcome::Ignored(why) => OwnerReport { owner: Owner::Ignored, detail: why.to_owned() },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_report_and_the_metrics_line_spell_the_owner_alike() {
        for owner in [Owner::Assigned, Owner::NothingToDo, Owner::Ignored] {
            assert_eq!(serde_json::to_value(owner).ok(), Some(serde_json::json!(owner.as_str())));
        }
    }
}
