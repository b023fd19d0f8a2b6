//! Every leg on its case, from Connect's contact records: one Task per leg (or, in a Salesforce Voice org,
//! the leg's VoiceCall linked to the case), the newest record winning, and the first agent made the owner
//! when the contact event that should have done it was lost. A batch reads everything it needs in one
//! request and writes in at most two, whatever its size; Connect is never asked (the record carries the
//! attributes and the agent's username). The decision logic over the small [`LegStore`] trait.

mod task;

use std::collections::BTreeMap;

use serde_json::{Value, json};
use tokio::time::Instant;

use crate::call_case::CallCase;
use crate::connect::{CASE_ID_ATTRIBUTE, ContactRecord, RecordBatch};
use crate::salesforce::{CaseId, LegCase, LegFacts, LegQuery, LegStore, SalesforceError, SalesforceId, Written};

use task::held_update;
#[cfg(test)]
use task::{description, subject};

/// How a deployment writes legs.
#[derive(Debug, Clone)]
pub struct LegRules {
    /// `LEG_RECORDS`: off, every record is skipped.
    pub enabled: bool,
    pub external_id_field: Option<String>,
    /// `OWNER_USER_FIELD`.
    pub user_field: String,
    /// `CASE_OWNER=first-agent`: the first leg's record may repair the owner.
    pub first_agent_owns: bool,
}

/// What a batch did: counts for the metrics line, and the records to deliver again.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BatchReport {
    /// Tasks created or updated, VoiceCalls linked.
    pub written: u64,
    /// Legs whose record changed nothing: the same or an older record, a VoiceCall already linked.
    pub unchanged: u64,
    /// Records skipped: no case, `LEG_RECORDS` off, a supervisor monitoring, or an older copy of a leg in the
    /// same batch.
    pub skipped: u64,
    /// Records that are not contact records.
    pub rejected: u64,
    /// Legs Salesforce refused to write (a retry would not help); logged with the codes.
    pub refused: u64,
    /// Cases whose owner became the first agent.
    pub owners: u64,
    /// Sequence numbers to deliver again.
    pub retry: Vec<String>,
}

/// One leg to write: its newest record in the batch and every sequence number that carried it.
struct Leg<'a> {
    record: &'a ContactRecord,
    sequence_numbers: Vec<&'a str>,
}

/// One write and the leg it belongs to.
enum Write {
    Task,
    VoiceCall,
    Owner,
}

/// Writes a batch's legs onto their cases. Never fails: what could not be written and may be written
/// later is in [`BatchReport::retry`].
pub async fn write_legs(
    store: &impl LegStore,
    batch: &RecordBatch,
    rules: &LegRules,
    deadline: Instant,
) -> BatchReport {
    let mut report = BatchReport::default();
    let mut legs: BTreeMap<&str, Leg<'_>> = BTreeMap::new();
    for record in &batch.records {
        let contact = match &record.contact {
            Ok(contact) => contact,
            Err(error) => {
                tracing::warn!(sequence_number = %record.sequence_number, error = %error, "rejected a Kinesis record that is not a contact record");
                report.rejected += 1;
                continue;
            }
        };
        if !rules.enabled {
            report.skipped += 1;
            continue;
        }
        if contact.is_monitoring() {
            tracing::info!(contact_id = %contact.contact_id, "a supervisor's monitoring contact is not a leg: skipped");
            report.skipped += 1;
            continue;
        }
        let leg =
            legs.entry(contact.contact_id.as_str()).or_insert(Leg { record: contact, sequence_numbers: Vec::new() });
        leg.sequence_numbers.push(&record.sequence_number);
        if contact.last_update() >= leg.record.last_update() && !std::ptr::eq(contact, leg.record) {
            leg.record = contact;
        }
        if leg.sequence_numbers.len() > 1 {
            report.skipped += 1;
        }
    }
    // Lambda may be configured for larger batches than the template's 100: each 100 legs are read and
    // written on their own, within sObject Collections' 200 records and a query URL's length.
    let legs: Vec<Leg<'_>> = legs.into_values().collect();
    for chunk in legs.chunks(LEGS_PER_READ) {
        write_chunk(store, chunk, rules, deadline, &mut report).await;
    }
    report.retry.sort_unstable();
    report.retry.dedup();
    report
}

/// Legs read and written together: up to two writes each stay within a collection's 200 records.
const LEGS_PER_READ: usize = 100;

async fn write_chunk(
    store: &impl LegStore,
    legs: &[Leg<'_>],
    rules: &LegRules,
    deadline: Instant,
    report: &mut BatchReport,
) {
    let case_attribute = |leg: &Leg<'_>| leg.record.attributes.get(CASE_ID_ATTRIBUTE).and_then(|id| CaseId::parse(id));
    let mut query = LegQuery { user_field: &rules.user_field, ..LegQuery::default() };
    for leg in legs {
        match case_attribute(leg) {
            Some(id) => query.case_ids.push(id),
            None if rules.external_id_field.is_some() => query.keys.push(leg.record.call_id()),
            None => {}
        }
        query.contact_ids.push(&leg.record.contact_id);
        if let Some(username) = leg.record.agent.as_ref().and_then(|a| a.username.as_deref()) {
            query.usernames.push(username);
        }
    }
    query.external_id_field = rules.external_id_field.as_deref();
    let mut seen = std::collections::HashSet::new();
    query.case_ids.retain(|id| seen.insert(id.clone()));
    query.keys.sort_unstable();
    query.keys.dedup();
    query.usernames.sort_unstable();
    query.usernames.dedup();
    let facts = match store.read_legs(&query, deadline).await {
        Ok(facts) => facts,
        Err(error) => {
            fail_all(report, legs.iter(), &error, "could not read the batch's cases and Tasks");
            return;
        }
    };

    let mut creates: Vec<(Value, &Leg<'_>)> = Vec::new();
    let mut updates: Vec<(Value, &Leg<'_>, Write)> = Vec::new();
    for leg in legs {
        let Some(case) = case_of(leg, &facts, case_attribute(leg), rules) else {
            tracing::info!(contact_id = %leg.record.contact_id, "a contact record with no case this function made: skipped");
            report.skipped += 1;
            continue;
        };
        let owner = user_of(leg.record, &facts);
        if let Some(calls) = &facts.voice_calls
            && let Some(call) = calls.iter().find(|c| c.vendor_call_key.as_deref() == Some(&leg.record.contact_id))
        {
            let related = call.related_record_id.as_deref().and_then(SalesforceId::parse);
            match related {
                None => updates.push((
                    json!({"attributes": {"type": "VoiceCall"}, "Id": call.id, "RelatedRecordId": case.id.as_str()}),
                    leg,
                    Write::VoiceCall,
                )),
                Some(related) if related.as_str() == case.id.as_str() => report.unchanged += 1,
                Some(_) => {
                    tracing::warn!(contact_id = %leg.record.contact_id, "the leg's VoiceCall is related to another record; left as it is");
                    report.unchanged += 1;
                }
            }
        } else {
            // The leg's Task of ours, with the record update it holds.
            let ours = facts
                .tasks
                .iter()
                .filter(|t| t.call_object.as_deref() == Some(&leg.record.contact_id))
                .find_map(|t| held_update(t.description.as_deref()).map(|held| (t, held)));
            let who = case.contact_id.as_ref().map(SalesforceId::as_str);
            let owner = owner.as_ref().map(SalesforceId::as_str);
            match ours {
                Some((_, held)) if held >= leg.record.last_update() => {
                    report.unchanged += 1;
                }
                Some((ours, _)) => {
                    let mut fields =
                        task::fields(leg.record, case.id.as_str(), who, owner, &facts.closed_status, false);
                    fields.insert("Id".into(), ours.id.clone().into());
                    fields.insert("attributes".into(), json!({"type": "Task"}));
                    updates.push((Value::Object(fields), leg, Write::Task));
                }
                None => {
                    let mut fields = task::fields(leg.record, case.id.as_str(), who, owner, &facts.closed_status, true);
                    fields.insert("attributes".into(), json!({"type": "Task"}));
                    creates.push((Value::Object(fields), leg));
                }
            }
        }
        if let Some(owner) = owner
            && takes_owner(leg.record, case, &facts, rules)
        {
            updates.push((
                json!({"attributes": {"type": "Case"}, "Id": case.id.as_str(), "OwnerId": owner.as_str()}),
                leg,
                Write::Owner,
            ));
        }
    }

    let bodies: Vec<Value> = creates.iter().map(|(body, _)| body.clone()).collect();
    let created = store.create_records(&bodies, deadline).await;
    settle(report, created, creates.iter().map(|(_, leg)| (*leg, &Write::Task)), "create Tasks");
    let bodies: Vec<Value> = updates.iter().map(|(body, _, _)| body.clone()).collect();
    let updated = store.update_records(&bodies, deadline).await;
    settle(report, updated, updates.iter().map(|(_, leg, write)| (*leg, write)), "update Tasks, VoiceCalls and owners");
}

/// The leg's case: the one its `SfdcCaseId` names, else the one holding its call's id.
fn case_of<'f>(leg: &Leg<'_>, facts: &'f LegFacts, attribute: Option<CaseId>, rules: &LegRules) -> Option<&'f LegCase> {
    match attribute {
        Some(id) => facts.cases.iter().find(|c| c.id == id),
        None if rules.external_id_field.is_some() => {
            facts.cases.iter().find(|c| c.key.as_deref() == Some(leg.record.call_id()))
        }
        None => None,
    }
}

/// The one active user whose owner field is the leg's agent's username.
fn user_of(record: &ContactRecord, facts: &LegFacts) -> Option<SalesforceId> {
    let username = record.agent.as_ref()?.username.as_deref()?;
    let mut users = facts.users.iter().filter(|(_, value)| value.eq_ignore_ascii_case(username));
    match (users.next(), users.next()) {
        (Some((id, _)), None) => Some(id.clone()),
        _ => None,
    }
}

/// Whether the first leg's record makes its agent the case's owner: the contact event was lost (the
/// run-as user still owns the case), the case was made for this call (not a repeat caller's reused one),
/// and the deployment gives cases to the first agent.
fn takes_owner(record: &ContactRecord, case: &LegCase, facts: &LegFacts, rules: &LegRules) -> bool {
    let still_the_run_as_users = match (&facts.run_as_user, case.owner_id.as_deref().and_then(SalesforceId::parse)) {
        (Some(run_as), Some(owner)) => run_as.as_str() == owner.as_str(),
        _ => false,
    };
    let reused = CallCase::from_attributes(|name| record.attributes.get(name).map(String::as_str)) == CallCase::Reused;
    rules.first_agent_owns && record.is_first_leg() && still_the_run_as_users && !reused
}

fn fail_all<'a>(
    report: &mut BatchReport,
    legs: impl Iterator<Item = &'a Leg<'a>>,
    error: &SalesforceError,
    what: &str,
) {
    let retry = error.may_pass_later();
    tracing::error!(error_type = error.error_type(), error = %error, retry, "{what}");
    for leg in legs {
        if retry {
            report.retry.extend(leg.sequence_numbers.iter().map(|s| (*s).to_owned()));
        } else {
            report.refused += 1;
        }
    }
}

/// Counts each record of a collection request, and keeps the ones worth retrying.
fn settle<'a>(
    report: &mut BatchReport,
    answers: Result<Vec<Written>, SalesforceError>,
    writes: impl Iterator<Item = (&'a Leg<'a>, &'a Write)> + Clone,
    what: &str,
) {
    let answers = match answers {
        Ok(answers) => answers,
        Err(error) => {
            fail_all(report, writes.map(|(leg, _)| leg), &error, &format!("could not {what}"));
            return;
        }
    };
    for ((leg, write), answer) in writes.zip(answers) {
        match (answer, write) {
            (Ok(_), Write::Owner) => report.owners += 1,
            (Ok(_), Write::Task | Write::VoiceCall) => report.written += 1,
            (Err(refused), _) if refused.is_transient() => {
                tracing::warn!(contact_id = %leg.record.contact_id, codes = %refused, "a record could not be written now; it comes again");
                report.retry.extend(leg.sequence_numbers.iter().map(|s| (*s).to_owned()));
            }
            (Err(refused), _) => {
                tracing::error!(contact_id = %leg.record.contact_id, codes = %refused, "Salesforce refused to write a leg");
                report.refused += 1;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::connect::ContactRecord;

    fn record(fields: Value) -> ContactRecord {
        serde_json::from_value(fields).expect("a record")
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
        assert_eq!(held_update(Some(&text)), Some(crate::time::Moment::parse("2026-12-06T10:02:30Z")));
        assert_eq!(held_update(Some("a note an agent typed")), None, "another tool's Task");
        let fields = task::fields(&leg, "500Dn0000000001IAA", None, None, "Completed", true);
        assert_eq!(fields["CallType"], "Inbound");
        assert_eq!(fields["CallDurationInSeconds"], 115);
        assert_eq!(fields["ActivityDate"], "2026-12-06");
        assert_eq!(fields["TaskSubtype"], "Call");
        assert!(!task::fields(&leg, "500Dn0000000001IAA", None, None, "Completed", false).contains_key("TaskSubtype"));
        let chat = record(
            json!({"ContactId": "7f9e2c1a-3b4d-4e5f-8a6b-9c0d1e2f3a4b", "Channel": "CHAT", "InitiationMethod": "API"}),
        );
        let fields = task::fields(&chat, "500Dn0000000001IAA", None, None, "Completed", true);
        assert_eq!((fields.get("CallType"), fields["TaskSubtype"].as_str()), (None, Some("Task")));
    }
}
