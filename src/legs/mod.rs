//! Every leg on its case, from Connect's contact records: one Task per leg (or, in a Salesforce Voice org,
//! the leg's VoiceCall linked to the case), the newest record winning, and the first agent made the owner
//! when the contact event that should have done it was lost. A batch reads everything it needs in one
//! request and writes in at most two, whatever its size; Connect is never asked (the record carries the
//! attributes and the agent's username).
//!
//! `write_legs` gathers each leg's newest record, then for each chunk of legs: read ([`LegStore`]), plan
//! (`plan`, pure), write ([`LegStore`]), settle (the outcomes into a [`BatchReport`]). `task` says what a
//! leg's Task holds.

mod plan;
mod task;

use std::collections::BTreeMap;
use std::collections::btree_map::Entry;

use tokio::time::Instant;

use crate::connect::{ContactRecord, RecordBatch};
use crate::salesforce::{LegStore, LegWrite, SalesforceError, WriteOutcome};

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
        // Within a batch, the newest record of a leg is the one written (the later one of two as new).
        match legs.entry(contact.contact_id.as_str()) {
            Entry::Vacant(entry) => {
                entry.insert(Leg { record: contact, sequence_numbers: vec![&record.sequence_number] });
            }
            Entry::Occupied(mut entry) => {
                let leg = entry.get_mut();
                leg.sequence_numbers.push(&record.sequence_number);
                if contact.last_update() >= leg.record.last_update() {
                    leg.record = contact;
                }
                report.skipped += 1;
            }
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

/// One chunk of legs: read, plan, write, settle.
async fn write_chunk(
    store: &impl LegStore,
    legs: &[Leg<'_>],
    rules: &LegRules,
    deadline: Instant,
    report: &mut BatchReport,
) {
    let facts = match store.read_legs(&plan::reads(legs, rules), deadline).await {
        Ok(facts) => facts,
        Err(error) => {
            tracing::error!(error_type = error.error_type(), error = %error, "could not read the batch's cases and Tasks");
            for leg in legs {
                fail(report, leg, &error);
            }
            return;
        }
    };
    let plan = plan::plan(legs, &facts, rules);
    report.unchanged += plan.unchanged;
    report.skipped += plan.skipped;
    let writes: Vec<LegWrite> = plan.writes.iter().map(|(_, write)| write.clone()).collect();
    let outcomes = store.write_legs(&writes, deadline).await;
    for ((index, write), outcome) in plan.writes.iter().zip(outcomes) {
        settle(report, &legs[*index], write, outcome);
    }
}

/// A leg whose write could not be sent: delivered again when the failure may pass, else refused.
fn fail(report: &mut BatchReport, leg: &Leg<'_>, error: &SalesforceError) {
    if error.may_pass_later() {
        report.retry.extend(leg.sequence_numbers.iter().map(|s| (*s).to_owned()));
    } else {
        report.refused += 1;
    }
}

/// Counts one write's outcome, and keeps the leg's records for a retry when it may pass later.
fn settle(report: &mut BatchReport, leg: &Leg<'_>, write: &LegWrite, outcome: WriteOutcome) {
    let contact_id = &leg.record.contact_id;
    match outcome {
        WriteOutcome::Written if matches!(write, LegWrite::SetOwner { .. }) => report.owners += 1,
        WriteOutcome::Written => report.written += 1,
        WriteOutcome::Refused(refused) if refused.is_transient() => {
            tracing::warn!(contact_id = %contact_id, codes = %refused, "a record could not be written now; it comes again");
            report.retry.extend(leg.sequence_numbers.iter().map(|s| (*s).to_owned()));
        }
        WriteOutcome::Refused(refused) => {
            tracing::error!(contact_id = %contact_id, codes = %refused, "Salesforce refused to write a leg");
            report.refused += 1;
        }
        WriteOutcome::NotSent(error) => {
            tracing::error!(contact_id = %contact_id, error_type = error.error_type(), error = %error, "could not write a leg");
            fail(report, leg, &error);
        }
    }
}
