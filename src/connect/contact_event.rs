//! Amazon Connect contact events, as EventBridge delivers them (`source` `aws.connect`, `detail-type`
//! `Amazon Connect Contact Event`). Tolerant: both `agentInfo` and `AgentInfo` casings, unknown fields
//! ignored, no `initialContactId` on a call's first contact.

use serde_json::Value;

use super::flow_event::{EventError, instance_id_of, is_uuid};

pub const CONTACT_EVENT_SOURCE: &str = "aws.connect";
pub const CONTACT_EVENT_DETAIL_TYPE: &str = "Amazon Connect Contact Event";
/// The one event type the function acts on.
pub const CONNECTED_TO_AGENT: &str = "CONNECTED_TO_AGENT";
/// The initiation method of a queued callback's contact.
const CALLBACK: &str = "CALLBACK";

#[derive(Debug, Clone, PartialEq)]
pub struct ContactEvent {
    /// `detail.eventType`: `INITIATED`, `CONNECTED_TO_AGENT`, `DISCONNECTED`, …
    pub event_type: String,
    pub contact_id: String,
    /// The call's first contact; the contact itself when the event has none.
    pub initial_contact_id: String,
    pub instance_id: String,
    /// The contact this one follows (a transfer's or a queued callback's); `None` on a first contact.
    pub previous_contact_id: Option<String>,
    /// `detail.initiationMethod`: `INBOUND`, `TRANSFER`, `CALLBACK`, …
    pub initiation_method: Option<String>,
    /// The Connect user id: the last segment of `agentInfo.agentArn`.
    pub agent_user_id: Option<String>,
}

impl ContactEvent {
    /// Whether `payload` is an EventBridge event (so it is routed here, not to the flow).
    pub fn is_one(payload: &Value) -> bool {
        payload.get("detail-type").is_some() && payload.get("source").is_some()
    }

    /// For an EventBridge event of another `source` or `detail-type` (a misrouted rule, say): what it says
    /// it is, reduced to printable characters for a log line; `None` for Connect's contact events.
    pub fn elsewhere(payload: &Value) -> Option<String> {
        let source = text(payload.get("source"));
        let detail_type = text(payload.get("detail-type"));
        if source == Some(CONTACT_EVENT_SOURCE) && detail_type == Some(CONTACT_EVENT_DETAIL_TYPE) {
            return None;
        }
        let shown = |value: Option<&str>| -> String {
            value.unwrap_or("(not a string)").chars().filter(|c| c.is_ascii_graphic() || *c == ' ').take(64).collect()
        };
        Some(format!("source {}, detail-type {}", shown(source), shown(detail_type)))
    }

    pub fn from_value(payload: &Value) -> Result<Self, EventError> {
        if text(payload.get("source")) != Some(CONTACT_EVENT_SOURCE)
            || text(payload.get("detail-type")) != Some(CONTACT_EVENT_DETAIL_TYPE)
        {
            return Err(EventError::Shape(
                "expected an EventBridge event from aws.connect, Amazon Connect Contact Event".into(),
            ));
        }
        let detail = payload
            .get("detail")
            .filter(|d| d.is_object())
            .ok_or_else(|| EventError::Shape("expected detail to be an object".into()))?;
        let event_type = text(detail.get("eventType")).unwrap_or_default().to_owned();
        let contact_id = match text(detail.get("contactId")) {
            None => return Err(EventError::NoContactId),
            Some(id) if is_uuid(id) => id.to_owned(),
            Some(_) => return Err(EventError::NotAContactId),
        };
        let initial_contact_id = match text(detail.get("initialContactId")) {
            None => contact_id.clone(),
            Some(id) if is_uuid(id) => id.to_owned(),
            Some(_) => return Err(EventError::NotAContactId),
        };
        let previous_contact_id = match text(detail.get("previousContactId")) {
            None => None,
            Some(id) if is_uuid(id) => Some(id.to_owned()),
            Some(_) => return Err(EventError::NotAContactId),
        };
        let initiation_method = text(detail.get("initiationMethod")).map(str::to_ascii_uppercase);
        let instance_id =
            text(detail.get("instanceArn")).and_then(instance_id_of).ok_or(EventError::NotAnInstanceArn)?;
        let agent = detail.get("agentInfo").or_else(|| detail.get("AgentInfo"));
        let agent_user_id = text(agent.and_then(|a| a.get("agentArn").or_else(|| a.get("AgentArn"))))
            .and_then(|arn| arn.rsplit('/').next())
            .filter(|id| is_uuid(id))
            .map(str::to_owned);
        Ok(Self {
            event_type,
            contact_id,
            initial_contact_id,
            previous_contact_id,
            initiation_method,
            instance_id,
            agent_user_id,
        })
    }

    /// When this event's agent is the first to speak with the customer: the contact the call's case was
    /// made on. That is the call's first contact, answered; or a queued callback made from it, because a
    /// caller who chose a callback while queued on the first contact reached no agent there (an agent's
    /// transfer makes a new contact, so a callback after one follows that contact instead). `None` for a
    /// later leg: its first agent already had the case.
    pub fn case_contact(&self) -> Option<&str> {
        let first = self.initial_contact_id.as_str();
        let callback = self.initiation_method.as_deref() == Some(CALLBACK);
        match self.previous_contact_id.as_deref() {
            Some(previous) if callback && (previous == first || first == self.contact_id) => Some(previous),
            _ if first == self.contact_id => Some(first),
            _ => None,
        }
    }
}

/// A non-blank string value, trimmed.
fn text(value: Option<&Value>) -> Option<&str> {
    value.and_then(Value::as_str).map(str::trim).filter(|s| !s.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const INSTANCE: &str = "arn:aws:connect:us-east-1:123456789012:instance/9308c2a1-9bc6-4cea-8290-6c0b4a6d38fa";
    const AGENT: &str = "arn:aws:connect:us-east-1:123456789012:instance/9308c2a1-9bc6-4cea-8290-6c0b4a6d38fa/agent/0b2ae5b7-3f2c-4a9e-9d1e-7c6b5a4f3e2d";

    fn event(detail: Value) -> Value {
        json!({"version": "0", "source": "aws.connect", "detail-type": "Amazon Connect Contact Event", "detail": detail})
    }

    #[test]
    fn reads_a_first_contact_connected_to_an_agent_in_either_casing() {
        for key in ["agentInfo", "AgentInfo"] {
            let payload = event(json!({
                "eventType": "CONNECTED_TO_AGENT", "contactId": "5ca32fbd-8f92-46af-92a5-6b0f970f0efe",
                "channel": "VOICE", "instanceArn": INSTANCE, key: {"agentArn": AGENT}, "unknown": {"x": 1}
            }));
            assert!(ContactEvent::is_one(&payload));
            let parsed = ContactEvent::from_value(&payload).expect("valid");
            assert_eq!(parsed.event_type, CONNECTED_TO_AGENT);
            assert_eq!(parsed.case_contact(), Some("5ca32fbd-8f92-46af-92a5-6b0f970f0efe"));
            assert_eq!(parsed.agent_user_id.as_deref(), Some("0b2ae5b7-3f2c-4a9e-9d1e-7c6b5a4f3e2d"));
            assert_eq!(parsed.instance_id, "9308c2a1-9bc6-4cea-8290-6c0b4a6d38fa");
        }
    }

    #[test]
    fn a_later_leg_names_its_initial_contact() {
        let payload = event(json!({
            "eventType": "CONNECTED_TO_AGENT", "contactId": "7f9e2c1a-3b4d-4e5f-8a6b-9c0d1e2f3a4b",
            "initialContactId": "5ca32fbd-8f92-46af-92a5-6b0f970f0efe", "instanceArn": INSTANCE
        }));
        let parsed = ContactEvent::from_value(&payload).expect("valid");
        assert_eq!(parsed.case_contact(), None);
        assert_eq!(parsed.agent_user_id, None);
    }

    #[test]
    fn a_callback_made_while_queued_on_the_first_contact_takes_that_contact_s_case() {
        let callback = |initial: Option<&str>, previous: &str, method: &str| {
            let mut detail = json!({
                "eventType": "CONNECTED_TO_AGENT", "contactId": "9c4e1a7b-2d5f-4b8e-a1c3-5e7f9b2d4c6a",
                "previousContactId": previous, "initiationMethod": method, "instanceArn": INSTANCE
            });
            if let Some(initial) = initial {
                detail["initialContactId"] = json!(initial);
            }
            ContactEvent::from_value(&event(detail)).expect("valid").case_contact().map(str::to_owned)
        };
        let first = "5ca32fbd-8f92-46af-92a5-6b0f970f0efe";
        let transferred = "7f9e2c1a-3b4d-4e5f-8a6b-9c0d1e2f3a4b";
        // Whether Connect names the first contact as the callback's initial contact or leaves it out.
        assert_eq!(callback(Some(first), first, "CALLBACK").as_deref(), Some(first));
        assert_eq!(callback(None, first, "callback").as_deref(), Some(first));
        // A callback after a transfer: an agent already had the call.
        assert_eq!(callback(Some(first), transferred, "CALLBACK"), None);
        // A transfer names the same contacts as a callback from the first contact.
        assert_eq!(callback(Some(first), first, "TRANSFER"), None);
    }

    #[test]
    fn other_sources_and_bad_ids_are_refused() {
        assert!(ContactEvent::from_value(&json!({"source": "aws.ec2", "detail-type": "x", "detail": {}})).is_err());
        let bad = event(json!({"eventType": "CONNECTED_TO_AGENT", "contactId": "../x", "instanceArn": INSTANCE}));
        assert_eq!(ContactEvent::from_value(&bad), Err(EventError::NotAContactId));
        let no_arn =
            event(json!({"eventType": "CONNECTED_TO_AGENT", "contactId": "5ca32fbd-8f92-46af-92a5-6b0f970f0efe"}));
        assert_eq!(ContactEvent::from_value(&no_arn), Err(EventError::NotAnInstanceArn));
    }
}
