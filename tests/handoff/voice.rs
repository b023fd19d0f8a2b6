//! Salesforce Voice at flow time: a leg that names its VoiceCall (block parameter `VoiceCallId`, else the
//! `voiceCallId` attribute) links it to the case it answers, in the requests the leg makes anyway; a link
//! that fails never costs the case; a malformed id never leaves the function.

use serde_json::{Value, json};
use standin_org::{EXTERNAL_ID_FIELD, Route, Setup, StandinOrg, VoiceCallAccess};

use testkit::*;

/// A first leg from Ada's number, naming `voice_call` as the Voice flow's block parameter.
fn first_leg_with(voice_call: &str) -> Value {
    voice_event(FIRST_CONTACT, FIRST_CONTACT, json!("+14155550100"), json!({}), json!({"VoiceCallId": voice_call}))
}

/// The transfer leg carrying `case_id`, its own VoiceCall in the `voiceCallId` attribute (as Salesforce's
/// sample transfer flow stores it) and none as a parameter.
fn transfer_leg_with(case_id: &str, voice_call: &str) -> Value {
    let attributes = json!({"SfdcCaseId": case_id, "voiceCallId": voice_call});
    voice_event(SECOND_CONTACT, FIRST_CONTACT, json!("+14155550100"), attributes, json!({}))
}

fn related(org: &StandinOrg, voice_call: &str) -> Value {
    org.voice_calls().into_iter().find(|c| c["Id"] == voice_call).map_or(Value::Null, |c| c["RelatedRecordId"].clone())
}

/// The org and container of a Voice org with Ada as a caller; the counts start from here.
async fn voice_org(vars: &[(&str, &str)]) -> (StandinOrg, connect_case_handoff::Handoff) {
    let (org, handoff) = setup(vars).await;
    org.add_caller("Ada", "Lovelace", "(415) 555-0100");
    invoke_ok(&handoff, json!({"CheckSetup": {}})).await;
    org.reset_counts();
    (org, handoff)
}

#[tokio::test]
async fn each_leg_links_its_voice_call_to_the_one_case_in_the_requests_it_makes_anyway() {
    let (org, handoff) = voice_org(&[]).await;
    let first_call = org.add_voice_call(FIRST_CONTACT, None);
    let answer = invoke_ok(&handoff, first_leg_with(&first_call)).await;
    let case_id = answer["SfdcCaseId"].as_str().expect("a case").to_owned();
    assert_eq!(answer["SfdcCaseOutcome"], "created");
    assert_eq!(related(&org, &first_call), json!(case_id), "linked at flow time");
    assert_eq!(org.salesforce_requests(), 2, "still one search and one create request");
    assert_eq!((org.count(Route::Search), org.count(Route::Composite)), (1, 1));

    org.reset_counts();
    let transfer_call = org.add_voice_call(SECOND_CONTACT, None);
    let answer = invoke_ok(&handoff, transfer_leg_with(&case_id, &transfer_call)).await;
    assert_eq!(
        (answer["SfdcCaseId"].as_str(), answer["SfdcCaseOutcome"].as_str()),
        (Some(case_id.as_str()), Some("found"))
    );
    assert_eq!(related(&org, &transfer_call), json!(case_id), "the transfer's VoiceCall, on the same case");
    assert_eq!(org.salesforce_requests(), 1, "a transfer leg is still one request: a composite read and link");

    // The same legs without a VoiceCall cost the same.
    org.reset_counts();
    invoke_ok(&handoff, transfer_leg("+14155550100", &case_id)).await;
    assert_eq!((org.salesforce_requests(), org.count(Route::CaseRead)), (1, 1));
    let (org, handoff) = voice_org(&[]).await;
    invoke_ok(&handoff, first_leg("+14155550100")).await;
    assert_eq!(org.salesforce_requests(), 2);
}

#[tokio::test]
async fn a_reused_a_found_and_a_replaced_case_each_get_the_leg_s_voice_call() {
    // A repeat caller's open case: the link rides on the open-case query.
    let (org, handoff) = voice_org(&[("REUSE_OPEN_CASE_HOURS", "24")]).await;
    let earlier = invoke_ok(&handoff, first_leg("+14155550100")).await;
    org.reset_counts();
    let call = org.add_voice_call("2e8d4b6a-1c3f-4e5a-9b7d-0f2a4c6e8b1d", None);
    let mut again = first_leg_with(&call);
    for key in ["ContactId", "InitialContactId"] {
        again["Details"]["ContactData"][key] = json!("2e8d4b6a-1c3f-4e5a-9b7d-0f2a4c6e8b1d");
    }
    let answer = invoke_ok(&handoff, again).await;
    assert_eq!(answer["SfdcCaseOutcome"], "reused");
    assert_eq!(related(&org, &call), earlier["SfdcCaseId"]);
    assert_eq!(org.salesforce_requests(), 2, "a search and the open-case query, which carries the link");

    // A repeated first leg finds the call's case by its external id, and links the VoiceCall to it.
    let (org, handoff) = voice_org(&[("CASE_EXTERNAL_ID_FIELD", EXTERNAL_ID_FIELD)]).await;
    let call = org.add_voice_call(FIRST_CONTACT, None);
    let first = invoke_ok(&handoff, first_leg("+14155550100")).await;
    let repeated = invoke_ok(&handoff, first_leg_with(&call)).await;
    assert_eq!((repeated["SfdcCaseOutcome"].as_str(), &repeated["SfdcCaseId"]), (Some("found"), &first["SfdcCaseId"]));
    assert_eq!(related(&org, &call), first["SfdcCaseId"]);
    assert_eq!(org.cases().len(), 1);

    // A transfer whose case was deleted: the read's link is not run, the new case gets the VoiceCall.
    let (org, handoff) = voice_org(&[]).await;
    let first = invoke_ok(&handoff, first_leg("+14155550100")).await;
    let gone = first["SfdcCaseId"].as_str().expect("case").to_owned();
    assert!(org.delete_case(&gone));
    let call = org.add_voice_call(SECOND_CONTACT, None);
    let (handoff, metrics) = Metrics::kept(handoff);
    let answer = invoke_ok(&handoff, transfer_leg_with(&gone, &call)).await;
    assert_eq!(answer["SfdcCaseOutcome"], "replaced");
    assert_eq!(related(&org, &call), answer["SfdcCaseId"]);
    assert_eq!(metrics.field("VoiceCallLinkFailed"), [0], "the link that could not run on the gone case is no failure");
}

#[tokio::test]
async fn a_link_that_fails_answers_what_the_leg_would_without_it_and_is_counted() {
    let plain = {
        let (_org, handoff) = voice_org(&[]).await;
        invoke_ok(&handoff, first_leg("+14155550100")).await
    };
    // The VoiceCall is gone; the org has no VoiceCall at all; the run-as user may not edit RelatedRecordId.
    for (label, setup, code) in [
        ("an unknown VoiceCall", Some(VoiceCallAccess::Edit), "NOT_FOUND"),
        ("an org without VoiceCall", None, "NOT_FOUND"),
        (
            "a run-as user without the Salesforce Voice permission",
            Some(VoiceCallAccess::ReadOnly),
            "INVALID_FIELD_FOR_INSERT_UPDATE",
        ),
    ] {
        let (org, handoff) = voice_org(&[]).await;
        let call = match setup {
            Some(access) => {
                let call = org.add_voice_call(FIRST_CONTACT, None);
                org.set_setup(Setup { voice_calls: true, voice_call_access: access, ..Setup::default() });
                if code == "NOT_FOUND" { standin_org::salesforce_id("0LQ", 99) } else { call }
            }
            None => standin_org::salesforce_id("0LQ", 1),
        };
        let (handoff, metrics) = Metrics::kept(handoff);
        let (logs, _guard) = Logs::capture();
        let answer = invoke_ok(&handoff, first_leg_with(&call)).await;
        assert_eq!(answer, plain, "{label}: the answer is what it would be without a VoiceCall");
        assert_eq!(org.cases().len(), 1, "{label}: one case, not rolled back, not made twice");
        assert_eq!(org.salesforce_requests(), 2, "{label}");
        assert_eq!(metrics.field("VoiceCallLinkFailed"), [1], "{label}");
        let warning = logs
            .lines()
            .into_iter()
            .find(|l| l["message"].as_str().is_some_and(|m| m.contains("VoiceCall could not be linked")));
        let warning = warning.unwrap_or_else(|| panic!("{label}: a warning: {}", logs.text()));
        assert!(warning["error"].as_str().is_some_and(|e| e.contains(code)), "{label}: {warning}");
    }
}

#[tokio::test]
async fn a_voice_call_id_that_is_not_one_never_leaves_the_function() {
    let (org, handoff) = voice_org(&[]).await;
    let real = org.add_voice_call(FIRST_CONTACT, None);
    for hostile in
        ["500Dn0000000001IAA", "0LQ' OR Id != '", "../../sobjects/Case/500Dn0000000001IAA", "0LQDn00000000%2F1"]
    {
        org.reset_counts();
        let (logs, _guard) = Logs::capture();
        let answer = invoke_ok(&handoff, first_leg_with(hostile)).await;
        assert!(answer["SfdcCaseId"].is_string());
        assert_eq!(org.salesforce_requests(), 2);
        assert!(
            org.recorded().iter().all(|r| !r.target.contains("VoiceCall") && !r.body.contains("VoiceCall")),
            "{hostile}"
        );
        assert!(logs.text().contains("is not a VoiceCall id"), "{hostile}: warned");
    }
    assert_eq!(related(&org, &real), Value::Null);

    // A malformed parameter gives way to a good attribute.
    let mut event = first_leg_with("not-an-id");
    event["Details"]["ContactData"]["Attributes"]["voiceCallId"] = json!(real);
    let answer = invoke_ok(&handoff, event).await;
    assert_eq!(related(&org, &real), answer["SfdcCaseId"]);
}

#[tokio::test]
async fn the_sample_voice_events_link_both_legs_voice_calls_to_the_one_case() {
    let (org, handoff) = setup(&[]).await;
    org.add_demo_data();
    let [first_call, transfer_call] = org.add_demo_voice_calls();
    let first =
        invoke_ok(&handoff, serde_json::from_str(include_str!("../../events/voice-first-leg.json")).expect("sample"))
            .await;
    assert_eq!(first["SfdcCaseId"], "500Dn0000000001IAA", "the case the transfer sample names");
    let transfer = invoke_ok(
        &handoff,
        serde_json::from_str(include_str!("../../events/voice-transfer-leg.json")).expect("sample"),
    )
    .await;
    assert_eq!(transfer["SfdcCaseId"], first["SfdcCaseId"]);
    assert_eq!(related(&org, &first_call), first["SfdcCaseId"]);
    assert_eq!(related(&org, &transfer_call), first["SfdcCaseId"]);
}
