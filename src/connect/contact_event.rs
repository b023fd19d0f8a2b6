//! What EventBridge delivers, read once into an [`EventBridgeEvent`]: Amazon Connect's contact events
//! (`source` `aws.connect`, `detail-type` `Amazon Connect Contact Event`), whose `eventType` is a
//! [`ContactEventType`], or an event of another kind that a rule sent here. Tolerant: both `agentInfo` and
//! `AgentInfo` casings, unknown fields ignored, no `initialContactId` on a call's first contact.

use std::fmt;

use serde_json::Value;

use super::ids::{EventError, instance_id_of, is_uuid};
use super::words::InitiationMethod;

pub const CONTACT_EVENT_SOURCE: &str = "aws.connect";
pub const CONTACT_EVENT_DETAIL_TYPE: &str = "Amazon Connect Contact Event";

/// One EventBridge event, as the function reads it.
#[derive(Debug, Clone, PartialEq)]
pub enum EventBridgeEvent {
    /// Amazon Connect's contact event.
    Contact(ContactEvent),
    /// Another `source` or `detail-type` (a misrouted rule, say): what it says it is, reduced to printable
    /// characters for a log line.
    Elsewhere(String),
}

/// `detail.eventType`: the one the function acts on, and every other, kept for the logs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ContactEventType {
    ConnectedToAgent,
    /// `INITIATED`, `QUEUED`, `DISCONNECTED`, … (printable characters only).
    Other(String),
}

impl ContactEventType {
    fn from_wire(event_type: Option<&str>) -> Self {
        match event_type {
            Some("CONNECTED_TO_AGENT") => Self::ConnectedToAgent,
            other => Self::Other(printable(other.unwrap_or_default())),
        }
    }
}

impl fmt::Display for ContactEventType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::ConnectedToAgent => f.write_str("CONNECTED_TO_AGENT"),
            Self::Other(event_type) => f.write_str(event_type),
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct ContactEvent {
    pub event_type: ContactEventType,
    pub contact_id: String,
    /// The call's first contact; the contact itself when the event has none.
    pub initial_contact_id: String,
    pub instance_id: String,
    /// The contact this one follows (a transfer's or a queued callback's); `None` on a first contact.
    pub previous_contact_id: Option<String>,
    /// `detail.initiationMethod`.
    pub initiation_method: Option<InitiationMethod>,
    /// The Connect user id: the last segment of `agentInfo.agentArn`.
    pub agent_user_id: Option<String>,
}

impl EventBridgeEvent {
    /// Whether `payload` is an EventBridge event (so it is routed here, not to the flow).
    pub fn is_one(payload: &Value) -> bool {
        payload.get("detail-type").is_some() && payload.get("source").is_some()
    }

    pub fn from_value(payload: &Value) -> Result<Self, EventError> {
        let source = text(payload.get("source"));
        let detail_type = text(payload.get("detail-type"));
        if source != Some(CONTACT_EVENT_SOURCE) || detail_type != Some(CONTACT_EVENT_DETAIL_TYPE) {
            let shown = |value: Option<&str>| value.map_or_else(|| "(not a string)".to_owned(), printable);
            return Ok(Self::Elsewhere(format!("source {}, detail-type {}", shown(source), shown(detail_type))));
        }
        ContactEvent::from_detail(payload.get("detail")).map(Self::Contact)
    }
}

impl ContactEvent {
    fn from_detail(detail: Option<&Value>) -> Result<Self, EventError> {
        let detail = detail
            .filter(|d| d.is_object())
            .ok_or_else(|| EventError::Shape("a contact event needs detail to be an object".into()))?;
        let event_type = ContactEventType::from_wire(text(detail.get("eventType")));
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
        let initiation_method = text(detail.get("initiationMethod")).map(InitiationMethod::from_wire);
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
        let callback = self.initiation_method == Some(InitiationMethod::Callback);
        match self.previous_contact_id.as_deref() {
            Some(previous) if callback && (previous == first || first == self.contact_id) => Some(previous),
            _ if first == self.contact_id => Some(first),
            _ => None,
        }
    }
}

/// At most 64 printable ASCII characters of what an event says, for a log line.
fn printable(value: &str) -> String {
    value.chars().filter(|c| c.is_ascii_graphic() || *c == ' ').take(64).collect()
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
            assert!(EventBridgeEvent::is_one(&payload));
            let parsed = contact(&payload).expect("valid");
            assert_eq!(parsed.event_type, ContactEventType::ConnectedToAgent);
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
        let parsed = contact(&payload).expect("valid");
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
            contact(&event(detail)).expect("valid").case_contact().map(str::to_owned)
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

    /// The contact event `payload` holds.
    fn contact(payload: &Value) -> Result<ContactEvent, EventError> {
        match EventBridgeEvent::from_value(payload)? {
            EventBridgeEvent::Contact(event) => Ok(event),
            EventBridgeEvent::Elsewhere(what) => panic!("not a contact event: {what}"),
        }
    }

    #[test]
    fn other_sources_are_named_printably_and_bad_ids_are_refused() {
        let misrouted = json!({"source": "aws.ec2", "detail-type": "EC2 State\n\u{7}Change", "detail": {}});
        assert_eq!(
            EventBridgeEvent::from_value(&misrouted),
            Ok(EventBridgeEvent::Elsewhere("source aws.ec2, detail-type EC2 StateChange".into()))
        );
        let odd = json!({"source": 7, "detail-type": "Amazon Connect Contact Event"});
        assert!(
            matches!(EventBridgeEvent::from_value(&odd), Ok(EventBridgeEvent::Elsewhere(what)) if what.contains("(not a string)"))
        );
        let bad = event(json!({"eventType": "CONNECTED_TO_AGENT", "contactId": "../x", "instanceArn": INSTANCE}));
        assert_eq!(EventBridgeEvent::from_value(&bad), Err(EventError::NotAContactId));
        let no_arn =
            event(json!({"eventType": "CONNECTED_TO_AGENT", "contactId": "5ca32fbd-8f92-46af-92a5-6b0f970f0efe"}));
        assert_eq!(EventBridgeEvent::from_value(&no_arn), Err(EventError::NotAnInstanceArn));
        let disconnected = event(
            json!({"eventType": "DISCONNECTED", "contactId": "5ca32fbd-8f92-46af-92a5-6b0f970f0efe", "instanceArn": INSTANCE}),
        );
        assert_eq!(contact(&disconnected).map(|e| e.event_type), Ok(ContactEventType::Other("DISCONNECTED".into())));
    }
}
