//! Every leg on the case, from Connect's contact records delivered as Lambda Kinesis batches: one Task per
//! leg whatever the order and number of deliveries, a Voice org's VoiceCalls linked instead, the first
//! agent made owner when the contact event was lost, and a bounded number of Salesforce requests.

use serde_json::{Map, Value, json};
use standin_org::{EXTERNAL_ID_FIELD, Fault, Route, StandinOrg};

use testkit::*;

const ADA: &str = "ada.agent@example.com";
const BO: &str = "bo.agent@example.com";

/// An org with a caller and two agents' users; the first leg has made the case. Answers the org, the
/// container, the case id and Ada's user id.
async fn called(vars: &[(&str, &str)]) -> (StandinOrg, connect_case_handoff::Handoff, String, String) {
    let vars = [vars, &[("LEG_RECORDS", "true")]].concat();
    let (org, handoff) = setup(&vars).await;
    org.add_caller("Ada", "Lovelace", "(415) 555-0100");
    let ada = org.add_user(ADA);
    org.add_user(BO);
    let first = invoke_ok(&handoff, first_leg("+14155550100")).await;
    let case_id = first["SfdcCaseId"].as_str().expect("a case").to_owned();
    org.reset_counts();
    (org, handoff, case_id, ada)
}

fn failures(answer: &Value) -> Vec<String> {
    answer["batchItemFailures"]
        .as_array()
        .expect("batchItemFailures")
        .iter()
        .map(|f| f["itemIdentifier"].as_str().unwrap_or_default().to_owned())
        .collect()
}

/// A batch invoked as Lambda would with one second left: the deadline, not a budget, bounds it.
async fn within_a_second(handoff: &connect_case_handoff::Handoff, batch: Value) -> Value {
    let deadline = std::time::SystemTime::now() + std::time::Duration::from_secs(1);
    let answer = handoff.handle(batch, Some(deadline)).await.expect("a batch never fails");
    serde_json::to_value(answer).expect("answer serializes")
}

fn task_of(org: &StandinOrg, contact_id: &str) -> Vec<Map<String, Value>> {
    org.tasks().into_iter().filter(|t| t["CallObject"] == contact_id).collect()
}

#[tokio::test]
async fn each_leg_gets_one_task_on_its_case_and_the_first_agent_owns_it_when_the_event_was_lost() {
    let (org, handoff, case_id, ada) = called(&[]).await;
    let batch = kinesis_batch(
        1,
        &[first_leg_record(Some(ADA), &case_id, "10:02:30"), transfer_leg_record(Some(BO), &case_id, "10:05:00")],
    );
    let answer = invoke_ok(&handoff, batch.clone()).await;
    assert!(failures(&answer).is_empty(), "{answer}");
    assert!(
        org.salesforce_requests() <= 3,
        "read, create, update: {:?}",
        org.recorded().iter().map(|r| r.route).collect::<Vec<_>>()
    );
    assert_eq!(org.count(Route::ConnectGetAttributes) + org.count(Route::ConnectDescribeUser), 0, "no Connect request");

    let first = task_of(&org, FIRST_CONTACT);
    assert_eq!(first.len(), 1);
    let task = &first[0];
    assert_eq!(task["WhatId"], case_id.as_str());
    assert!(task["WhoId"].is_string(), "the case's Contact: {task:?}");
    assert_eq!(task["Status"], "Completed");
    assert_eq!(task["TaskSubtype"], "Call");
    assert_eq!(task["CallType"], "Inbound");
    assert_eq!(task["CallDurationInSeconds"], 115);
    assert_eq!(task["ActivityDate"], "2026-12-06");
    assert_eq!(task["OwnerId"], ada.as_str());
    assert_eq!(task["Subject"], "Call: Support, ada.agent@example.com");
    let description = task["Description"].as_str().unwrap_or_default();
    for line in
        ["Started: INBOUND", "Queue: Support, waited 18 s", "talked 95 s", "Ended: CUSTOMER_DISCONNECT", "Recording: "]
    {
        assert!(description.contains(line), "{line}: {description}");
    }
    assert_eq!(task_of(&org, SECOND_CONTACT).len(), 1);
    assert_eq!(org.case(&case_id).expect("case")["OwnerId"], ada.as_str(), "the lost contact event's owner");

    // Delivered again (at least once): nothing new, nothing rewritten, one read.
    org.reset_counts();
    let answer = invoke_ok(&handoff, batch).await;
    assert!(failures(&answer).is_empty());
    assert_eq!(org.tasks().len(), 2);
    assert_eq!(org.salesforce_requests(), 1, "a redelivery only reads");
}

#[tokio::test]
async fn the_newest_record_wins_whatever_the_order() {
    let (org, handoff, case_id, _) = called(&[]).await;
    let mut later = first_leg_record(Some(ADA), &case_id, "10:04:00");
    later["DisconnectReason"] = json!("AGENT_DISCONNECT");
    let earlier = first_leg_record(Some(ADA), &case_id, "10:02:30");
    // Newer first, the older after it in the same batch and again in the next.
    invoke_ok(&handoff, kinesis_batch(1, &[later.clone(), earlier.clone()])).await;
    invoke_ok(&handoff, kinesis_batch(3, &[earlier])).await;
    let tasks = task_of(&org, FIRST_CONTACT);
    assert_eq!(tasks.len(), 1);
    assert!(tasks[0]["Description"].as_str().is_some_and(|d| d.contains("AGENT_DISCONNECT")), "{tasks:?}");

    // After-contact work ends: Connect sends the record again, newer; the Task is updated, not duplicated.
    let mut acw = later;
    acw["LastUpdateTimestamp"] = json!("2026-12-06T10:06:00Z");
    acw["DisconnectReason"] = json!("CUSTOMER_DISCONNECT");
    invoke_ok(&handoff, kinesis_batch(4, &[acw])).await;
    let tasks = task_of(&org, FIRST_CONTACT);
    assert_eq!(tasks.len(), 1);
    assert!(tasks[0]["Description"].as_str().is_some_and(|d| d.contains("10:06:00")), "{tasks:?}");
    assert_eq!(tasks[0]["TaskSubtype"], "Call", "kept from the create");
}

#[tokio::test]
async fn an_agent_s_notes_survive_a_newer_record_word_for_word_and_the_leg_keeps_one_task() {
    let (org, handoff, case_id, _) = called(&[]).await;
    let first = first_leg_record(Some(ADA), &case_id, "10:02:30");
    invoke_ok(&handoff, kinesis_batch(1, std::slice::from_ref(&first))).await;
    let task = task_of(&org, FIRST_CONTACT).remove(0);
    let id = task["Id"].as_str().expect("an id").to_owned();
    let ours = task["Description"].as_str().expect("a description").to_owned();

    // The agent types notes before, among (after the queue line) and after the function's lines, in the
    // Salesforce UI's line endings, and deletes the line that says which record the Task holds.
    let (before, among, after) = (
        "Customer called about invoice #4471.",
        "Queue: they said the wait felt long",
        "Agent: promised a callback Friday.",
    );
    let mut lines: Vec<String> = vec![before.to_owned()];
    for line in ours.lines().filter(|line| !line.starts_with("Contact record updated:")) {
        lines.push(line.to_owned());
        if line.starts_with("Queue: ") {
            lines.push(among.to_owned());
        }
    }
    lines.push(String::new());
    lines.push(after.to_owned());
    let edited = lines.join("\r\n");
    assert!(org.edit_task(&id, "Description", json!(edited)));
    // Another Task for the leg, logged by the agent: never the function's.
    let agent_s = org.add_task_by(
        &org.add_user("carol.agent@example.com"),
        json!({"CallObject": FIRST_CONTACT, "Description": "Call log"}),
    );

    // After-contact work ends: a newer record.
    let mut newer = first;
    newer["LastUpdateTimestamp"] = json!("2026-12-06T10:06:00Z");
    newer["Agent"]["AfterContactWorkDuration"] = json!(35);
    newer["DisconnectReason"] = json!("AGENT_DISCONNECT");
    let answer = invoke_ok(&handoff, kinesis_batch(2, &[newer])).await;
    assert!(failures(&answer).is_empty(), "{answer}");

    let tasks = task_of(&org, FIRST_CONTACT);
    assert_eq!(tasks.len(), 2, "the function's Task and the agent's: {tasks:#?}");
    let mine = tasks.iter().find(|t| t["Id"] == id.as_str()).expect("the same Task, updated, not a second one");
    let description = mine["Description"].as_str().unwrap_or_default();
    for note in [before, among, after] {
        assert!(description.contains(note), "{note:?} kept in {description:?}");
    }
    assert!(description.starts_with(&format!("{before}\r\n")), "{description:?}");
    assert!(description.ends_with(&format!("\r\n\r\n{after}")), "{description:?}");
    assert!(description.contains(&format!("Queue: Support, waited 18 s\r\n{among}\r\n")), "{description:?}");
    assert!(description.contains("Hold: 10 s, after-contact work: 35 s"), "rewritten: {description:?}");
    assert!(description.contains("Ended: AGENT_DISCONNECT") && !description.contains("CUSTOMER_DISCONNECT"));
    assert!(description.contains("Contact record updated: 2026-12-06T10:06:00Z"), "put back: {description:?}");
    let agent_s = tasks.iter().find(|t| t["Id"] == agent_s.as_str()).expect("the agent's Task");
    assert_eq!(agent_s["Description"], "Call log", "untouched");

    // The same record again: nothing changes.
    org.reset_counts();
    invoke_ok(&handoff, kinesis_batch(3, &[first_leg_record(Some(ADA), &case_id, "10:02:30")])).await;
    assert_eq!(
        task_of(&org, FIRST_CONTACT).iter().find(|t| t["Id"] == id.as_str()).expect("task")["Description"],
        description
    );
    assert_eq!(org.salesforce_requests(), 1, "an older record only reads");
}

#[tokio::test]
async fn without_the_case_attribute_the_external_id_finds_the_case() {
    let (org, handoff, case_id, _) = called(&[("CASE_EXTERNAL_ID_FIELD", EXTERNAL_ID_FIELD)]).await;
    let record = contact_record(SECOND_CONTACT, FIRST_CONTACT, "TRANSFER", Some(BO), json!({}), "10:05:00");
    let answer = invoke_ok(&handoff, kinesis_batch(1, std::slice::from_ref(&record))).await;
    assert!(failures(&answer).is_empty());
    assert_eq!(task_of(&org, SECOND_CONTACT)[0]["WhatId"], case_id.as_str());

    // Without the field, a record naming no case is skipped: no Task, no failure.
    let (org, handoff, _, _) = called(&[]).await;
    let answer = invoke_ok(&handoff, kinesis_batch(1, &[record])).await;
    assert!(failures(&answer).is_empty());
    assert!(org.tasks().is_empty());
}

#[tokio::test]
async fn in_a_voice_org_the_leg_s_voice_call_is_linked_and_never_relinked() {
    let (org, handoff, case_id, _) = called(&[]).await;
    let first = org.add_voice_call(FIRST_CONTACT, None);
    // Salesforce documents that one key can belong to several VoiceCalls (a re-offered leg): each is linked.
    let reoffered = org.add_voice_call(FIRST_CONTACT, None);
    let elsewhere = org.add_voice_call(SECOND_CONTACT, Some("001Dn0000000001IAA"));
    let batch = kinesis_batch(
        1,
        &[first_leg_record(Some(ADA), &case_id, "10:02:30"), transfer_leg_record(Some(BO), &case_id, "10:05:00")],
    );
    assert!(failures(&invoke_ok(&handoff, batch).await).is_empty());
    let calls = org.voice_calls();
    let related = |id: &str| calls.iter().find(|c| c["Id"] == id).map(|c| c["RelatedRecordId"].clone());
    assert_eq!(related(&first), Some(json!(case_id)));
    assert_eq!(related(&reoffered), Some(json!(case_id)), "every VoiceCall of the key");
    assert_eq!(related(&elsewhere), Some(json!("001Dn0000000001IAA")), "never overwritten");
    assert!(org.tasks().is_empty(), "a leg with a VoiceCall gets no Task");
}

#[tokio::test]
async fn a_supervisor_monitoring_the_call_is_not_a_leg() {
    let (org, handoff, case_id, _) = called(&[]).await;
    org.add_voice_call("6d4e8f0a-1b2c-4d3e-9f4a-5b6c7d8e9f0a", None);
    let monitor = contact_record(
        "6d4e8f0a-1b2c-4d3e-9f4a-5b6c7d8e9f0a",
        "6d4e8f0a-1b2c-4d3e-9f4a-5b6c7d8e9f0a",
        "MONITOR",
        Some(ADA),
        json!({"SfdcCaseId": case_id}),
        "10:03:00",
    );
    let (handoff, metrics) = Metrics::kept(handoff);
    let answer = invoke_ok(&handoff, kinesis_batch(1, &[monitor])).await;
    assert!(failures(&answer).is_empty(), "{answer}");
    assert!(org.tasks().is_empty(), "no Task for a supervisor");
    assert!(org.voice_calls().iter().all(|c| c["RelatedRecordId"].is_null()), "no VoiceCall link");
    assert_eq!(org.case(&case_id).expect("case")["OwnerId"], org.run_as_user().as_str(), "no owner change");
    assert_eq!(metrics.field("LegsSkipped"), [1], "counted as skipped");
}

#[tokio::test]
async fn a_renamed_closed_status_is_the_one_tasks_get() {
    let (org, handoff, case_id, _) = called(&[]).await;
    org.rename_closed_task_status("Done");
    invoke_ok(&handoff, kinesis_batch(1, &[first_leg_record(Some(ADA), &case_id, "10:02:30")])).await;
    assert_eq!(task_of(&org, FIRST_CONTACT)[0]["Status"], "Done");
}

#[tokio::test]
async fn an_owner_someone_set_and_a_reused_case_keep_their_owners() {
    let (org, handoff, case_id, _) = called(&[]).await;
    let bo = org.add_user("supervisor@example.com");
    org.set_case_field(&case_id, "OwnerId", json!(bo));
    invoke_ok(&handoff, kinesis_batch(1, &[first_leg_record(Some(ADA), &case_id, "10:02:30")])).await;
    assert_eq!(org.case(&case_id).expect("case")["OwnerId"], bo.as_str());

    let (org, handoff, case_id, _) = called(&[]).await;
    let reused = contact_record(
        FIRST_CONTACT,
        FIRST_CONTACT,
        "INBOUND",
        Some(ADA),
        json!({"SfdcCaseId": case_id, "SfdcCaseOutcome": "reused"}),
        "10:02:30",
    );
    invoke_ok(&handoff, kinesis_batch(1, &[reused])).await;
    assert_eq!(org.case(&case_id).expect("case")["OwnerId"], org.run_as_user().as_str());
    assert_eq!(task_of(&org, FIRST_CONTACT).len(), 1, "the leg is still on the case");
}

#[tokio::test]
async fn salesforce_down_retries_the_batch_and_a_bad_record_is_skipped() {
    let (org, handoff, case_id, _) = called(&[]).await;
    let mut batch = kinesis_batch(1, &[first_leg_record(Some(ADA), &case_id, "10:02:30")]);
    if let Some(records) = batch["Records"].as_array_mut() {
        records.push(kinesis_record(&sequence_number(2), "bm90IGEgcmVjb3Jk"));
    }
    org.inject(Route::Composite, Fault::Status(503), 1000);
    let answer = within_a_second(&handoff, batch.clone()).await;
    assert_eq!(failures(&answer), [sequence_number(1)], "the bad record is not retried: {answer}");
    assert!(org.tasks().is_empty());

    let (org, handoff, _, _) = called(&[]).await;
    org.inject(Route::Collections, Fault::Status(503), 1000);
    let answer = within_a_second(&handoff, batch).await;
    assert_eq!(failures(&answer), [sequence_number(1)], "{answer}");
}

#[tokio::test]
async fn with_leg_records_off_records_are_skipped_without_a_request() {
    let (org, handoff) = setup(&[]).await;
    let answer =
        invoke_ok(&handoff, kinesis_batch(1, &[first_leg_record(Some(ADA), "500Dn0000000001IAA", "10:02:30")])).await;
    assert!(failures(&answer).is_empty());
    assert_eq!(org.salesforce_requests(), 0);
}

/// `count` transfer legs of the first call, each its own contact with Bo answering, naming `case_id`.
fn transfers(count: usize, case_id: &str) -> Vec<Value> {
    (0..count)
        .map(|n| {
            let contact = format!("5ca32fbd-8f92-46af-92a5-{n:012}");
            contact_record(&contact, FIRST_CONTACT, "TRANSFER", Some(BO), json!({"SfdcCaseId": case_id}), "10:05:00")
        })
        .collect()
}

#[tokio::test]
async fn a_batch_of_a_hundred_new_legs_costs_two_requests() {
    let (org, handoff, case_id, _) = called(&[]).await;
    let records = transfers(100, &case_id);
    let answer = invoke_ok(&handoff, kinesis_batch(1, &records)).await;
    assert!(failures(&answer).is_empty());
    assert_eq!(org.tasks().len(), 100);
    assert_eq!(org.salesforce_requests(), 2, "one read, one create (the TaskStatus query rides in the read)");
}

#[tokio::test]
async fn a_batch_larger_than_a_collection_is_written_a_hundred_legs_at_a_time() {
    let (org, handoff, case_id, _) = called(&[]).await;
    let records = transfers(250, &case_id);
    let answer = invoke_ok(&handoff, kinesis_batch(1, &records)).await;
    assert!(failures(&answer).is_empty(), "a collection holds at most 200 records: {answer}");
    assert_eq!(org.tasks().len(), 250);
    assert_eq!(org.salesforce_requests(), 6, "a read and a create per 100 legs");
}

#[tokio::test]
async fn the_sample_kinesis_events_write_the_call_s_legs() {
    let (org, handoff) = setup(&[("LEG_RECORDS", "true")]).await;
    org.add_demo_data();
    let first = invoke_ok(&handoff, first_leg("+14155550100")).await;
    assert_eq!(first["SfdcCaseId"], "500Dn0000000001IAA", "the case the samples name");
    for sample in [
        include_str!("../../events/leg-records-first-leg.json"),
        include_str!("../../events/leg-records-transfer-leg.json"),
        include_str!("../../events/leg-records-after-contact-work.json"),
    ] {
        let answer = invoke_ok(&handoff, serde_json::from_str(sample).expect("sample")).await;
        assert!(failures(&answer).is_empty(), "{answer}");
    }
    assert_eq!(org.tasks().len(), 2);
    let transfer = &task_of(&org, SECOND_CONTACT)[0];
    assert!(transfer["Description"].as_str().is_some_and(|d| d.contains("after-contact work: 35 s")), "{transfer:?}");
    let alex = org.username_of(org.case("500Dn0000000001IAA").expect("case")["OwnerId"].as_str().unwrap_or_default());
    assert_eq!(alex.as_deref(), Some(standin_org::FIRST_AGENT_USERNAME));
}
