//! A leg's Task as a person reads it on the case: who, which queue, how long, how it ended, in fields a
//! Salesforce user knows (`Subject`, `CallType`, `CallDurationInSeconds`, `Description`), with the record's
//! `LastUpdateTimestamp` kept in the `Description` so that an older delivery never overwrites a newer one.

use serde_json::{Map, Value};

use crate::connect::{Channel, ContactRecord, InitiationMethod};
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
fn call_type(method: Option<&InitiationMethod>) -> Option<&'static str> {
    match method? {
        InitiationMethod::Inbound
        | InitiationMethod::Transfer
        | InitiationMethod::QueueTransfer
        | InitiationMethod::Callback => Some("Inbound"),
        InitiationMethod::Outbound | InitiationMethod::Api | InitiationMethod::ExternalOutbound => Some("Outbound"),
        _ => None,
    }
}

/// The fields of the leg's Task. `create`: the fields only a create may send (`TaskSubtype`) too.
pub fn fields(
    record: &ContactRecord,
    case_id: &str,
    who: Option<&str>,
    owner: Option<&str>,
    closed_status: &str,
    create: bool,
) -> Map<String, Value> {
    let mut task = Map::new();
    let mut put = |name: &str, value: Value| {
        task.insert(name.to_owned(), value);
    };
    put("WhatId", case_id.into());
    if let Some(who) = who {
        put("WhoId", who.into());
    }
    put("CallObject", record.contact_id.clone().into());
    put("Status", closed_status.into());
    put("Subject", subject(record).into());
    put("Description", description(record).into());
    if let Some(owner) = owner {
        put("OwnerId", owner.into());
    }
    if let Some(ended) = record.disconnect_timestamp {
        put("ActivityDate", ended.date().into());
    }
    if record.channel == Some(Channel::Voice) {
        if let Some(kind) = call_type(record.initiation_method.as_ref()) {
            put("CallType", kind.into());
        }
        if let (Some(began), Some(ended)) = (record.initiation_timestamp, record.disconnect_timestamp) {
            put("CallDurationInSeconds", ended.seconds_since(began).into());
        }
    }
    if create {
        let subtype = match record.channel {
            Some(Channel::Voice) => "Call",
            Some(Channel::Email) => "Email",
            _ => "Task",
        };
        put("TaskSubtype", subtype.into());
    }
    task
}
