//! Plays a whole call locally: the first leg, the first agent answering (a Connect contact event), the
//! transfer leg and the second agent answering, then the same customer calling again and getting their
//! open case back, and Connect's contact records for the first call arriving from the data stream and
//! writing one Task per leg onto its case; then the same call in a Salesforce Voice org, where each leg's
//! VoiceCall is linked to the one case as the flow runs. Through the real handler against the stand-in org
//! on loopback, printing what each step answers and who owns the case. No Salesforce org or AWS account
//! needed.
//!
//! `cargo run --example call [-- events/first-leg-japan.json]`

use connect_case_handoff::{DEFAULT_LOG_FILTER, json_log_subscriber};
use serde_json::{Value, json};
use standin_org::{FIRST_AGENT, FIRST_AGENT_USERNAME, Route, SECOND_AGENT, SECOND_AGENT_USERNAME, StandinOrg};

const TRANSFER_CONTACT: &str = "7f9e2c1a-3b4d-4e5f-8a6b-9c0d1e2f3a4b";
/// The caller's second call, later.
const CALLBACK_CONTACT: &str = "2e8d4b6a-1c3f-4e5a-9b7d-0f2a4c6e8b1d";

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    tracing::subscriber::set_global_default(json_log_subscriber(std::io::stderr, DEFAULT_LOG_FILTER))?;
    let path = std::env::args().nth(1).unwrap_or_else(|| "events/first-leg-us.json".to_owned());
    let first_leg: Value = serde_json::from_str(&std::fs::read_to_string(&path)?)?;

    let org = StandinOrg::start().await?;
    org.add_demo_data();
    // The function's log lines and its per-invocation metrics line (EMF) go to standard error here.
    let handoff = testkit::handoff_for(&org, &[]).await.with_metrics_sink(|line| eprintln!("{line}"));
    println!("Stand-in Salesforce org, Connect and Secrets Manager on {}", org.url());

    // Container init, as the Lambda's main does it: log in, and learn the org's phone fields.
    handoff.prepare(std::time::Duration::from_secs(1)).await;
    println!(
        "\n== Container init: logged in (token {}) and learned the org's phone fields (describes of Contact and Account: {})",
        org.count(Route::Token),
        org.count(Route::Describe)
    );

    let contact = &first_leg["Details"]["ContactData"];
    println!(
        "\n== Leg 1: {} {} contact {} ({path})",
        contact["InitiationMethod"], contact["Channel"], contact["ContactId"]
    );
    let first = play(&org, &handoff, first_leg.clone()).await?;
    let initial = contact["InitialContactId"].as_str().unwrap_or_default().to_owned();
    show_owner(&org, &first, "integration user", "no agent has answered yet")?;

    println!("\n== The first agent ({FIRST_AGENT_USERNAME}) answers: CONNECTED_TO_AGENT from EventBridge");
    play(&org, &handoff, testkit::contact_event("CONNECTED_TO_AGENT", &initial, None, FIRST_AGENT)).await?;
    show_owner(&org, &first, FIRST_AGENT_USERNAME, "the first agent who answered")?;

    let mut transfer = first_leg.clone();
    let data = &mut transfer["Details"]["ContactData"];
    data["PreviousContactId"] = data["ContactId"].clone();
    data["ContactId"] = json!(TRANSFER_CONTACT);
    data["InitiationMethod"] = json!("TRANSFER");
    // What the flow's "Set contact attributes" block and UpdateContactAttributes left on the contact.
    let carried = org.contact_attributes(data["InitialContactId"].as_str().unwrap_or_default());
    data["Attributes"]["SfdcCaseId"] = first["SfdcCaseId"].clone();
    if let Some(matches) = carried.get("SfdcContactMatches") {
        data["Attributes"]["SfdcContactMatches"] = json!(matches);
    }
    println!("\n== Leg 2: TRANSFER to the next agent, contact {TRANSFER_CONTACT}, SfdcCaseId carried");
    let second = play(&org, &handoff, transfer).await?;

    println!("\n== The second agent ({SECOND_AGENT_USERNAME}) answers the transfer: CONNECTED_TO_AGENT");
    play(&org, &handoff, testkit::contact_event("CONNECTED_TO_AGENT", TRANSFER_CONTACT, Some(&initial), SECOND_AGENT))
        .await?;
    show_owner(&org, &second, FIRST_AGENT_USERNAME, "the first agent keeps the case")?;

    if first["SfdcCaseId"] != second["SfdcCaseId"] {
        return Err("the transfer leg answered a different case".into());
    }
    println!("\nBoth agents pop the same case: {} (CaseNumber {})", second["SfdcCaseId"], second["SfdcCaseNumber"]);
    let case_id = first["SfdcCaseId"].as_str().unwrap_or_default().to_owned();

    // The same customer calls back about the same problem, reaching a deployment with
    // REUSE_OPEN_CASE_HOURS=24: they get their open case back instead of a second one.
    let reuse = testkit::handoff_for(&org, &[("REUSE_OPEN_CASE_HOURS", "24")]).await.with_metrics_sink(|_| ());
    reuse.prepare(std::time::Duration::from_secs(1)).await;
    let mut again = first_leg.clone();
    let data = &mut again["Details"]["ContactData"];
    for key in ["ContactId", "InitialContactId", "PreviousContactId"] {
        data[key] = json!(CALLBACK_CONTACT);
    }
    println!("\n== The same caller calls again (REUSE_OPEN_CASE_HOURS=24), contact {CALLBACK_CONTACT}");
    let callback = play(&org, &reuse, again).await?;
    let reused = callback["SfdcCaseOutcome"] == "reused";
    if reused != (first["SfdcContactMatches"] == "1") || (reused && callback["SfdcCaseId"] != first["SfdcCaseId"]) {
        return Err(format!("the repeat caller's second call answered {}", callback["SfdcCaseOutcome"]).into());
    }
    println!("\n== That call's first agent ({SECOND_AGENT_USERNAME}) answers: CONNECTED_TO_AGENT");
    play(&org, &reuse, testkit::contact_event("CONNECTED_TO_AGENT", CALLBACK_CONTACT, None, SECOND_AGENT)).await?;
    if reused {
        show_owner(&org, &callback, FIRST_AGENT_USERNAME, "a reused case keeps its owner")?;
        println!("\nThe repeat caller got their open case back: {}", callback["SfdcCaseId"]);
    } else {
        show_owner(&org, &callback, SECOND_AGENT_USERNAME, "a new case: this call's first agent")?;
        println!("\nNot exactly one person matched this caller, so the second call got a case of its own");
    }

    // Connect's contact records for the first call: one per leg, from the instance's data stream, sent at
    // least once (here, twice).
    let legs = testkit::handoff_for(&org, &[("LEG_RECORDS", "true")]).await.with_metrics_sink(|_| ());
    let first_contact = contact["ContactId"].as_str().unwrap_or_default();
    let records = call_records(first_contact, &initial, &case_id);
    println!("\n== Connect's contact records for the first call arrive from the data stream (a Kinesis batch of 2)");
    play(&org, &legs, records.clone()).await?;
    println!("\n== The same batch again (Connect sends each record at least once)");
    play(&org, &legs, records).await?;
    show_history(&org, &case_id)?;
    voice_org_call(&first_leg).await
}

/// The call's contact records as the instance's data stream brings them: the first leg's, answered by the
/// first agent, and the transfer's, answered by the second, both carrying the call's case.
fn call_records(first_contact: &str, initial: &str, case_id: &str) -> Value {
    let case = json!({"SfdcCaseId": case_id});
    let leg = |contact, method, agent, ended| {
        testkit::contact_record(contact, initial, method, Some(agent), case.clone(), ended)
    };
    testkit::kinesis_batch(
        1,
        &[
            leg(first_contact, "INBOUND", FIRST_AGENT_USERNAME, "10:02:30"),
            leg(TRANSFER_CONTACT, "TRANSFER", SECOND_AGENT_USERNAME, "10:05:00"),
        ],
    )
}

/// The same call in a Salesforce Voice org: Salesforce's Telephony Integration function makes each leg's
/// VoiceCall (`createVoiceCall`, then `createTransferVC`) and the flow passes it to the function, which
/// links it to the call's one case in the requests it makes anyway. An error unless both VoiceCalls are
/// linked to the same case.
async fn voice_org_call(first_leg: &Value) -> Result<(), Box<dyn std::error::Error>> {
    let org = StandinOrg::start().await?;
    org.add_demo_data();
    let handoff = testkit::handoff_for(&org, &[]).await.with_metrics_sink(|_| ());
    handoff.prepare(std::time::Duration::from_secs(1)).await;
    let contact = &first_leg["Details"]["ContactData"];
    let first_contact = contact["ContactId"].as_str().unwrap_or_default();
    println!("\n\n== The same call in a Salesforce Voice org (a stand-in org of its own)");

    let first_call = org.add_voice_call(first_contact, None);
    let mut leg = first_leg.clone();
    leg["Details"]["Parameters"]["VoiceCallId"] = json!(first_call);
    println!("\n== Leg 1: createVoiceCall made VoiceCall {first_call}; the flow invokes the function with VoiceCallId");
    let first = play(&org, &handoff, leg).await?;

    let transfer_call = org.add_voice_call(TRANSFER_CONTACT, None);
    let mut transfer = first_leg.clone();
    let data = &mut transfer["Details"]["ContactData"];
    data["PreviousContactId"] = data["ContactId"].clone();
    data["ContactId"] = json!(TRANSFER_CONTACT);
    data["InitiationMethod"] = json!("TRANSFER");
    data["Attributes"]["SfdcCaseId"] = first["SfdcCaseId"].clone();
    // Salesforce's sample transfer flow keeps the transfer's VoiceCall in the voiceCallId attribute.
    data["Attributes"]["voiceCallId"] = json!(transfer_call);
    println!("\n== Leg 2: TRANSFER; createTransferVC made VoiceCall {transfer_call}, kept in voiceCallId");
    let second = play(&org, &handoff, transfer).await?;

    println!("\nEach leg's VoiceCall, linked at flow time (before any contact record), so Omni-Channel pops the case:");
    let calls = org.voice_calls();
    for call in &calls {
        println!(
            "   VoiceCall {} | leg {} | RelatedRecordId {}",
            call["Id"].as_str().unwrap_or_default(),
            call["VendorCallKey"].as_str().unwrap_or_default(),
            call["RelatedRecordId"].as_str().unwrap_or("(none)")
        );
    }
    let case_id = &first["SfdcCaseId"];
    let linked = calls.iter().filter(|call| &call["RelatedRecordId"] == case_id).count();
    if second["SfdcCaseId"] != *case_id || linked != 2 {
        return Err(format!("{linked} of 2 VoiceCalls linked to the call's case").into());
    }
    println!("\nBoth legs' VoiceCalls are on the one case {case_id}.");

    let legs = testkit::handoff_for(&org, &[("LEG_RECORDS", "true")]).await.with_metrics_sink(|_| ());
    let initial = contact["InitialContactId"].as_str().unwrap_or_default();
    let records = call_records(first_contact, initial, case_id.as_str().unwrap_or_default());
    println!("\n== The contact records arrive: each leg's VoiceCall is its record, already linked");
    play(&org, &legs, records).await?;
    let tasks = org.tasks().len();
    if tasks != 0 {
        return Err(format!("{tasks} Tasks written for legs whose VoiceCalls are their record").into());
    }
    println!("\nNo Task and no second link: in a Voice org the VoiceCalls tell the case's history.");
    Ok(())
}

/// Prints the case's history, one line per leg: who, how long, how it ended. An error unless there is
/// exactly one Task per leg.
fn show_history(org: &StandinOrg, case_id: &str) -> Result<(), Box<dyn std::error::Error>> {
    let tasks: Vec<_> = org.tasks().into_iter().filter(|t| t["WhatId"] == case_id).collect();
    println!("\nThe case's history ({} legs):", tasks.len());
    for task in &tasks {
        let description = task["Description"].as_str().unwrap_or_default();
        let ended = description.lines().find_map(|l| l.strip_prefix("Ended: ")).unwrap_or("?");
        let owner = task["OwnerId"].as_str().and_then(|id| org.username_of(id)).unwrap_or_default();
        println!(
            "   {} | owner {owner} | {} s | ended {ended} | leg {}",
            task["Subject"].as_str().unwrap_or_default(),
            task["CallDurationInSeconds"],
            task["CallObject"].as_str().unwrap_or_default()
        );
    }
    if tasks.len() == 2 { Ok(()) } else { Err(format!("{} Tasks for a call of 2 legs", tasks.len()).into()) }
}

/// Prints who owns the answer's case, by username; an error unless it is `expected`.
fn show_owner(org: &StandinOrg, answer: &Value, expected: &str, why: &str) -> Result<(), Box<dyn std::error::Error>> {
    let owner = answer["SfdcCaseId"].as_str().and_then(|id| org.case(id)).and_then(|case| case.get("OwnerId").cloned());
    let owner = owner.as_ref().and_then(Value::as_str).unwrap_or_default();
    let username = org.username_of(owner).unwrap_or_else(|| owner.to_owned());
    println!("   Case owner: {username} ({why})");
    if username == expected { Ok(()) } else { Err(format!("the case's owner is {username}, not {expected}").into()) }
}

async fn play(
    org: &StandinOrg,
    handoff: &connect_case_handoff::Handoff,
    event: Value,
) -> Result<Value, Box<dyn std::error::Error>> {
    org.reset_counts();
    let answer = testkit::invoke(handoff, event).await?;
    println!("{}", serde_json::to_string_pretty(&answer)?);
    println!(
        "   Salesforce requests: {} (token {}, describe {}, search {}, query {}, case read {}, composite {}, case update {}, collections {}, VoiceCall {}); Connect: {} (UpdateContactAttributes {}, GetContactAttributes {}, DescribeUser {})",
        org.salesforce_requests(),
        org.count(Route::Token),
        org.count(Route::Describe),
        org.count(Route::Search),
        org.count(Route::Query),
        org.count(Route::CaseRead),
        org.count(Route::Composite),
        org.count(Route::CaseUpdate),
        org.count(Route::Collections),
        org.count(Route::VoiceCall),
        org.count(Route::ConnectUpdateAttributes)
            + org.count(Route::ConnectGetAttributes)
            + org.count(Route::ConnectDescribeUser),
        org.count(Route::ConnectUpdateAttributes),
        org.count(Route::ConnectGetAttributes),
        org.count(Route::ConnectDescribeUser),
    );
    Ok(answer)
}
