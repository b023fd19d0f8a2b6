//! A leg's Task as a person reads it on the case: who, which queue, how long, how it ended, in fields a
//! Salesforce user knows (`Subject`, `CallType`, `CallDurationInSeconds`, `Description`), with the record's
//! `LastUpdateTimestamp` kept in the `Description` so that an older delivery never overwrites a newer one.

use crate::connect::{Channel, ContactRecord, InitiationMethod};
use crate::salesforce::{CallFields, CallType, LegCase, SalesforceId, TaskDraft, TaskSubtype};
use crate::time::Moment;

/// The `Description` line that holds the record's `LastUpdateTimestamp`, and marks the Task as this
/// function's (another tool's Task with the same `CallObject` is left alone).
pub const UPDATED_LINE: &str = "Contact record updated: ";

/// The channel as a person names it.
fn channel_word(channel: Option<Channel>) -> &'static str {
    match channel {
        Some(Channel::Voice) => "Call",
        Some(Channel::Chat | Channel::Sms | Channel::WhatsApp) => "Chat",
        Some(Channel::Email) => "Email",
        Some(Channel::Task) => "Task",
        Some(Channel::Other) | None => "Contact",
    }
}

/// `Call: Support, alex.agent@example.com`.
pub fn subject(record: &ContactRecord) -> String {
    let queue = record.queue.as_ref().and_then(|q| q.name.as_deref());
    let agent = record.agent.as_ref().and_then(|a| a.username.as_deref());
    let parts: Vec<&str> = [queue, agent].into_iter().flatten().collect();
    let word = channel_word(record.channel);
    let subject = if parts.is_empty() { word.to_owned() } else { format!("{word}: {}", parts.join(", ")) };
    subject.chars().take(255).collect()
}

fn seconds(value: Option<f64>) -> Option<u64> {
    value.filter(|s| s.is_finite() && *s >= 0.0).map(|s| s.round() as u64)
}

/// The leg in plain lines, ending with the record's `LastUpdateTimestamp`.
pub fn description(record: &ContactRecord) -> String {
    let mut lines = Vec::new();
    if let Some(method) = &record.initiation_method {
        lines.push(format!("Started: {}", method.as_str()));
    }
    if let Some(address) = record.customer_endpoint.as_ref().and_then(|e| e.address.as_deref()) {
        lines.push(format!("Customer: {address}"));
    }
    if let Some(queue) = &record.queue {
        let name = queue.name.as_deref().unwrap_or("(no name)");
        match seconds(queue.duration) {
            Some(wait) => lines.push(format!("Queue: {name}, waited {wait} s")),
            None => lines.push(format!("Queue: {name}")),
        }
    }
    if let Some(agent) = &record.agent {
        let name = agent.username.as_deref().unwrap_or("(unknown agent)");
        match seconds(agent.agent_interaction_duration) {
            Some(talk) => lines.push(format!("Agent: {name}, talked {talk} s")),
            None => lines.push(format!("Agent: {name}")),
        }
        let hold = seconds(agent.customer_hold_duration).unwrap_or(0);
        let acw = seconds(agent.after_contact_work_duration).unwrap_or(0);
        lines.push(format!("Hold: {hold} s, after-contact work: {acw} s"));
    }
    if let Some(reason) = &record.disconnect_reason {
        lines.push(format!("Ended: {reason}"));
    }
    if let Some(next) = &record.next_contact_id {
        lines.push(format!("Next leg: {next}"));
    }
    if let Some(location) = record.recording.as_ref().and_then(|r| r.location.as_deref()) {
        lines.push(format!("Recording: {location}"));
    }
    let updated = record.last_update().map_or_else(|| "unknown".to_owned(), Moment::to_text);
    lines.push(format!("{UPDATED_LINE}{updated}"));
    let text = lines.join("\n");
    text.chars().take(32_000).collect()
}

/// The `LastUpdateTimestamp` a Task of this function holds; `None` for another tool's Task.
pub fn held_update(description: Option<&str>) -> Option<Option<Moment>> {
    let line = description?.lines().rev().find_map(|line| line.strip_prefix(UPDATED_LINE))?;
    Some(Moment::parse(line))
}

/// `Inbound` or `Outbound`, by how the leg began; `None` when it says neither.
fn call_type(method: Option<&InitiationMethod>) -> Option<CallType> {
    match method? {
        InitiationMethod::Inbound
        | InitiationMethod::Transfer
        | InitiationMethod::QueueTransfer
        | InitiationMethod::Callback => Some(CallType::Inbound),
        InitiationMethod::Outbound | InitiationMethod::Api | InitiationMethod::ExternalOutbound => {
            Some(CallType::Outbound)
        }
        _ => None,
    }
}

/// The leg's Task on `case`: owned by `owner` (the agent's user, or the org's default), closed with the
/// org's `closed_status`.
pub fn draft(record: &ContactRecord, case: &LegCase, owner: Option<SalesforceId>, closed_status: &str) -> TaskDraft {
    let call = (record.channel == Some(Channel::Voice)).then(|| CallFields {
        call_type: call_type(record.initiation_method.as_ref()),
        duration_seconds: match (record.initiation_timestamp, record.disconnect_timestamp) {
            (Some(began), Some(ended)) => Some(ended.seconds_since(began)),
            _ => None,
        },
    });
    TaskDraft {
        case: case.id.clone(),
        who: case.contact_id.clone(),
        call_object: record.contact_id.clone(),
        status: closed_status.to_owned(),
        subject: subject(record),
        description: description(record),
        owner,
        ended: record.disconnect_timestamp,
        call,
        subtype: match record.channel {
            Some(Channel::Voice) => TaskSubtype::Call,
            Some(Channel::Email) => TaskSubtype::Email,
            _ => TaskSubtype::Task,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::salesforce::CaseId;
    use serde_json::{Value, json};

    fn record(fields: Value) -> ContactRecord {
        serde_json::from_value(fields).expect("a record")
    }

    fn case() -> LegCase {
        LegCase { id: CaseId::parse("500Dn0000000001IAA").expect("id"), contact_id: None, owner_id: None, key: None }
    }

    #[test]
    fn the_task_tells_the_leg_and_keeps_its_timestamp() {
        let leg = record(json!({
            "ContactId": "7f9e2c1a-3b4d-4e5f-8a6b-9c0d1e2f3a4b", "Channel": "VOICE", "InitiationMethod": "TRANSFER",
            "InitiationTimestamp": "2026-12-06T10:00:05Z", "DisconnectTimestamp": "2026-12-06T10:02:00.900Z",
            "LastUpdateTimestamp": "2026-12-06T10:02:30Z", "DisconnectReason": "CUSTOMER_DISCONNECT",
            "Queue": {"Name": "Support", "Duration": 12.4},
            "Agent": {"Username": "alex.agent@example.com", "AgentInteractionDuration": 95, "CustomerHoldDuration": 10},
        }));
        assert_eq!(subject(&leg), "Call: Support, alex.agent@example.com");
        let text = description(&leg);
        assert!(text.contains("Queue: Support, waited 12 s") && text.contains("Ended: CUSTOMER_DISCONNECT"), "{text}");
        assert_eq!(held_update(Some(&text)), Some(Moment::parse("2026-12-06T10:02:30Z")));
        assert_eq!(held_update(Some("a note an agent typed")), None, "another tool's Task");
        let task = draft(&leg, &case(), None, "Completed");
        assert_eq!(task.call, Some(CallFields { call_type: Some(CallType::Inbound), duration_seconds: Some(115) }));
        assert_eq!(task.ended.map(Moment::date).as_deref(), Some("2026-12-06"));
        assert_eq!(
            (task.subtype, task.status.as_str(), task.call_object.as_str()),
            (TaskSubtype::Call, "Completed", "7f9e2c1a-3b4d-4e5f-8a6b-9c0d1e2f3a4b")
        );
        let chat = record(
            json!({"ContactId": "7f9e2c1a-3b4d-4e5f-8a6b-9c0d1e2f3a4b", "Channel": "CHAT", "InitiationMethod": "API"}),
        );
        let task = draft(&chat, &case(), None, "Completed");
        assert_eq!((task.call, task.subtype), (None, TaskSubtype::Task));
        assert_eq!(subject(&chat), "Chat");
    }
}
