//! A leg's Task as a person reads it on the case: who, which queue, how long, how it ended, in fields a
//! Salesforce user knows (`Subject`, `CallType`, `CallDurationInSeconds`, `Description`), with the record's
//! `LastUpdateTimestamp` kept in the `Description` so that an older delivery never overwrites a newer one.
//!
//! Agents type call notes into the same `Description` (the Task's Comments): an update rewrites only the
//! lines this function wrote ([`merged_description`]), and an agent's words stay where they are, word for
//! word.

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

/// The `LastUpdateTimestamp` a Task of this function holds: `None` when no line says it (another tool's
/// Task, or one whose line an agent deleted), `Some(None)` when the line holds no moment.
pub fn held_update(description: Option<&str>) -> Option<Option<Moment>> {
    let line = description?.lines().rev().find_map(|line| line.strip_prefix(UPDATED_LINE))?;
    Some(Moment::parse(line.trim_end_matches('\r')))
}

/// The labels of the lines this function writes, in the order it writes them.
const LABELS: [&str; 9] =
    ["Started: ", "Customer: ", "Queue: ", "Agent: ", "Hold: ", "Ended: ", "Next leg: ", "Recording: ", UPDATED_LINE];

/// Whether `value`, after `label`, is what this function writes there, and not an agent's note that
/// happens to begin with the same word. `fresh` is what the function writes there now: a leg's queue and
/// agent do not change from one delivery of its record to the next.
fn is_ours(label: &str, value: &str, fresh: Option<&str>) -> bool {
    let word = |v: &str| !v.is_empty() && v.bytes().all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_');
    let token = |v: &str| !v.is_empty() && !v.contains(char::is_whitespace);
    let seconds =
        |v: &str| v.strip_suffix(" s").is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()));
    // `<name>` or `<name>, <what> <n> s`, with the name the fresh line has.
    let named = |what: &str| {
        let Some(fresh) = fresh else { return false };
        let name = fresh.split_once(what).map_or(fresh, |(name, _)| name);
        value == name || value.strip_prefix(name).and_then(|rest| rest.strip_prefix(what)).is_some_and(seconds)
    };
    match label {
        "Started: " | "Ended: " => word(value),
        "Customer: " | "Next leg: " | "Recording: " => token(value),
        "Queue: " => named(", waited "),
        "Agent: " => named(", talked "),
        "Hold: " => value.split_once(", after-contact work: ").is_some_and(|(hold, acw)| seconds(hold) && seconds(acw)),
        _ => value == "unknown" || Moment::parse(value).is_some(),
    }
}

/// One line of a merged description.
enum Line<'a> {
    /// An agent's, kept as it was (its line ending included).
    Theirs(&'a str),
    /// This function's, under a label, and whether it ended with a carriage return.
    Ours(&'static str, bool),
}

/// The Task's description after a newer record: `held` (as the Task holds it, with whatever an agent
/// typed before, after or among this function's lines) with only this function's lines rewritten to
/// `fresh`'s. A line of `fresh` whose label `held` lacks goes after the line of the label before it; a
/// line of `held` whose label `fresh` no longer has goes. Nothing else changes.
pub fn merged_description(held: &str, fresh: &str) -> String {
    if held.trim().is_empty() {
        return fresh.to_owned();
    }
    let fresh_value =
        |label: &str| fresh.lines().find_map(|line| line.strip_prefix(label)).map(|v| v.trim_end_matches('\r'));
    let mut lines: Vec<Line<'_>> = Vec::new();
    let mut claimed: Vec<&'static str> = Vec::new();
    for raw in held.split('\n') {
        let (line, carriage_return) = raw.strip_suffix('\r').map_or((raw, false), |line| (line, true));
        let label = LABELS.into_iter().find(|label| line.starts_with(label) && !claimed.contains(label));
        match label {
            Some(label) if is_ours(label, &line[label.len()..], fresh_value(label)) => {
                claimed.push(label);
                lines.push(Line::Ours(label, carriage_return));
            }
            _ => lines.push(Line::Theirs(raw)),
        }
    }
    let written: Vec<&'static str> = LABELS.into_iter().filter(|label| fresh_value(label).is_some()).collect();
    for (n, label) in written.iter().enumerate() {
        if claimed.contains(label) {
            continue;
        }
        let position = |wanted: &str| lines.iter().position(|l| matches!(l, Line::Ours(label, _) if *label == wanted));
        let at = match written[..n].iter().rev().find_map(|before| position(before)) {
            Some(before) => before + 1,
            None => lines.iter().position(|l| matches!(l, Line::Ours(..))).unwrap_or(0),
        };
        // With the line ending of the line it follows (the Salesforce UI writes `\r\n`).
        let ending = |line: &Line<'_>| match line {
            Line::Theirs(raw) => raw.ends_with('\r'),
            Line::Ours(_, carriage_return) => *carriage_return,
        };
        let carriage_return =
            at.checked_sub(1).and_then(|before| lines.get(before)).or(lines.get(at)).is_some_and(ending);
        lines.insert(at, Line::Ours(label, carriage_return));
        claimed.push(label);
    }
    let rendered: Vec<String> = lines
        .into_iter()
        .filter_map(|line| match line {
            Line::Theirs(raw) => Some(raw.to_owned()),
            Line::Ours(label, carriage_return) => {
                let value = fresh_value(label)?;
                Some(format!("{label}{value}{}", if carriage_return { "\r" } else { "" }))
            }
        })
        .collect();
    rendered.join("\n")
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

    const WRITTEN: &str = "Started: INBOUND\nQueue: Support, waited 18 s\nAgent: ada@example.com, talked 95 s\n\
                           Hold: 10 s, after-contact work: 0 s\nContact record updated: 2026-12-06T10:02:30Z";
    const NEWER: &str = "Started: INBOUND\nQueue: Support, waited 18 s\nAgent: ada@example.com, talked 95 s\n\
                         Hold: 10 s, after-contact work: 35 s\nEnded: CUSTOMER_DISCONNECT\n\
                         Contact record updated: 2026-12-06T10:06:00Z";

    #[test]
    fn only_the_function_s_lines_are_rewritten() {
        assert_eq!(merged_description(WRITTEN, NEWER), NEWER, "nothing of an agent's: the fresh text");
        assert_eq!(merged_description("", NEWER), NEWER);
        let noted = format!(
            "Caller wants a refund.\r\n{}\nAgent: called back, no answer\nQueue: was long today\n{}\n\nPromised a callback Friday.",
            WRITTEN.replace("Agent: ada@example.com, talked 95 s\n", ""),
            "Agent: ada@example.com, talked 95 s",
        );
        let merged = merged_description(&noted, NEWER);
        for note in [
            "Caller wants a refund.\r",
            "Agent: called back, no answer",
            "Queue: was long today",
            "\nPromised a callback Friday.",
        ] {
            assert!(merged.contains(note), "{note:?} kept in {merged:?}");
        }
        assert!(merged.starts_with("Caller wants a refund.\r\nStarted: INBOUND\n"), "{merged:?}");
        assert!(merged.contains("Hold: 10 s, after-contact work: 35 s\nEnded: CUSTOMER_DISCONNECT\n"), "{merged:?}");
        assert!(merged.contains("Contact record updated: 2026-12-06T10:06:00Z"), "{merged:?}");
        assert!(!merged.contains("10:02:30"), "the old timestamp is rewritten: {merged:?}");
        assert_eq!(merged.matches("Agent: ada@example.com").count(), 1, "{merged:?}");
        assert_eq!(merged_description(&merged, NEWER), merged, "a second delivery changes nothing");
    }

    #[test]
    fn a_description_an_agent_rewrote_gets_the_function_s_lines_back() {
        let merged = merged_description("Customer angry about the bill.", NEWER);
        assert_eq!(merged, format!("{NEWER}\nCustomer angry about the bill."));
        assert_eq!(
            held_update(Some("Ended: SOON\r\nContact record updated: 2026-12-06T10:02:30Z\r")),
            Some(Moment::parse("2026-12-06T10:02:30Z"))
        );
    }
}
