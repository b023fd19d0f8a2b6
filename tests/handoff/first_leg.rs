use serde_json::json;
use standin_org::{EXTERNAL_ID_FIELD, Route};

use testkit::*;

#[tokio::test]
async fn first_leg_links_the_caller_creates_a_case_and_stores_it_on_the_contact() {
    let (org, handoff) = setup(&[]).await;
    let (contact_id, account_id) = org.add_caller("Ada", "Lovelace", "(415) 555-0100");
    let event = voice_event(
        FIRST_CONTACT,
        FIRST_CONTACT,
        json!("+14155550100"),
        json!({}),
        json!({"Case.Reason": "Billing", "Case.Priority": "High", "RetryCount": 2, "Case.IsEscalated": false}),
    );

    let answer = invoke_ok(&handoff, event).await;

    assert_eq!(answer["SfdcCaseOutcome"], "created");
    assert_eq!(answer["SfdcContactId"], contact_id.as_str());
    assert_eq!(answer["SfdcAccountId"], account_id.as_str());
    assert_eq!(answer["SfdcContactMatches"], "1");
    let case_id = answer["SfdcCaseId"].as_str().expect("case id");
    assert_eq!(case_id.len(), 18);
    let case = org.case(case_id).expect("the case exists in the org");
    assert_eq!(answer["SfdcCaseNumber"], case["CaseNumber"]);
    assert_eq!(case["ContactId"], contact_id.as_str());
    assert_eq!(case["AccountId"], account_id.as_str());
    assert_eq!(case["Origin"], "Phone");
    assert_eq!(case["Status"], "New");
    assert_eq!(case["Reason"], "Billing");
    assert_eq!(case["Priority"], "High");
    assert_eq!(case["IsEscalated"], false);
    assert_eq!(case["Subject"], "Call from +1 415-555-0100");
    assert!(!case.contains_key("SuppliedPhone"));

    let stored = org.contact_attributes(FIRST_CONTACT);
    assert_eq!(stored.get("SfdcCaseId").map(String::as_str), Some(case_id));
    assert_eq!(org.count(Route::ConnectUpdateAttributes), 1);
    let update = org.recorded().into_iter().find(|r| r.route == Route::ConnectUpdateAttributes).expect("update");
    assert!(update.body.contains(INSTANCE_ID), "{}", update.body);
}

#[tokio::test]
async fn warm_first_leg_makes_two_salesforce_requests_and_one_connect_request() {
    let (org, handoff) = setup(&[]).await;
    org.add_caller("Ada", "Lovelace", "(415) 555-0100");
    invoke_ok(&handoff, first_leg("+14155550100")).await;
    // A container whose init did not log in (init does both: see failures.rs) learns the org on its first
    // search, once.
    assert_eq!(
        org.salesforce_requests(),
        5,
        "cold without init: token, describes of Contact and Account, search, composite"
    );
    assert_eq!(org.count(Route::Describe), 2);

    org.reset_counts();
    invoke_ok(&handoff, first_leg("+14155550100")).await;
    assert_eq!(org.salesforce_requests(), 2);
    assert_eq!(org.count(Route::Describe), 0, "learned once per container");
    assert_eq!(org.count(Route::Search), 1);
    assert_eq!(org.count(Route::Composite), 1);
    assert_eq!(org.count(Route::ConnectUpdateAttributes), 1);
}

#[tokio::test]
async fn withheld_number_is_not_searched_and_has_no_supplied_phone() {
    for address in [json!("anonymous"), json!(null), json!("")] {
        let (org, handoff) = setup(&[]).await;
        let answer =
            invoke_ok(&handoff, voice_event(FIRST_CONTACT, FIRST_CONTACT, address.clone(), json!({}), json!({}))).await;
        assert_eq!(answer["SfdcCaseOutcome"], "created", "{address}");
        assert_eq!(answer["SfdcContactMatches"], "0");
        assert_eq!(answer["SfdcContactId"], "");
        assert_eq!(org.count(Route::Search), 0, "{address}");
        let case = org.case(answer["SfdcCaseId"].as_str().expect("id")).expect("case");
        assert!(!case.contains_key("SuppliedPhone"));
        assert_eq!(case["Subject"], "Call from a withheld number");
    }
}

#[tokio::test]
async fn null_customer_endpoint_is_a_withheld_number() {
    let (org, handoff) = setup(&[]).await;
    let mut event = first_leg("+14155550100");
    event["Details"]["ContactData"]["CustomerEndpoint"] = json!(null);
    let answer = invoke_ok(&handoff, event).await;
    assert_eq!(answer["SfdcContactMatches"], "0");
    assert_eq!(org.count(Route::Search), 0);
}

#[tokio::test]
async fn chat_contact_gets_a_case_without_a_search() {
    let (org, handoff) = setup(&[]).await;
    let event: serde_json::Value =
        serde_json::from_str(include_str!("../../events/chat-contact.json")).expect("sample event");
    let answer = invoke_ok(&handoff, event).await;
    assert_eq!(answer["SfdcCaseOutcome"], "created");
    assert_eq!(org.count(Route::Search), 0);
    let case = org.case(answer["SfdcCaseId"].as_str().expect("id")).expect("case");
    assert_eq!(case["Origin"], "Web Chat", "the flow's Case.Origin wins over the channel's");
    assert_eq!(case["Subject"], "Chat");
}

#[tokio::test]
async fn the_external_id_makes_one_case_however_often_the_first_leg_runs() {
    let (org, handoff) = setup(&[("CASE_EXTERNAL_ID_FIELD", EXTERNAL_ID_FIELD)]).await;
    org.add_caller("Ada", "Lovelace", "(415) 555-0100");
    handoff.prepare(std::time::Duration::from_secs(5)).await;

    org.reset_counts();
    let first = invoke_ok(&handoff, first_leg("+14155550100")).await;
    assert_eq!(first["SfdcCaseOutcome"], "created");
    assert_eq!(org.salesforce_requests(), 2, "search, then create and read in one composite");
    assert_eq!(org.count(Route::ConnectUpdateAttributes), 1);
    org.reset_counts();
    let retried = invoke_ok(&handoff, first_leg("+14155550100")).await;
    assert_eq!(retried["SfdcCaseOutcome"], "found");
    assert_eq!(retried["SfdcCaseId"], first["SfdcCaseId"]);
    assert_eq!(retried["SfdcCaseNumber"], first["SfdcCaseNumber"]);
    assert_eq!(org.salesforce_requests(), 3, "search, a create refused as a duplicate, a read by external id");

    // A second container (a Lambda retry landing elsewhere) finds the same case too.
    let other_container = handoff_for(&org, &[("CASE_EXTERNAL_ID_FIELD", EXTERNAL_ID_FIELD)]).await;
    let elsewhere = invoke_ok(&other_container, first_leg("+14155550100")).await;
    assert_eq!(elsewhere["SfdcCaseId"], first["SfdcCaseId"]);

    let cases = org.cases();
    assert_eq!(cases.len(), 1);
    assert_eq!(cases[0][EXTERNAL_ID_FIELD], FIRST_CONTACT);
    assert_eq!(cases[0]["Status"], "New", "the org's default on create");
}

#[tokio::test]
async fn a_repeated_first_leg_never_overwrites_the_agent_s_work() {
    let (org, handoff) = setup(&[("CASE_EXTERNAL_ID_FIELD", EXTERNAL_ID_FIELD)]).await;
    let parameters = json!({"Case.Subject": "Billing question", "Case.Reason": "Billing"});
    let leg = voice_event(FIRST_CONTACT, FIRST_CONTACT, json!("+14155550100"), json!({}), parameters);
    let first = invoke_ok(&handoff, leg.clone()).await;
    let case_id = first["SfdcCaseId"].as_str().expect("id");
    for (field, value) in
        [("Status", "Working"), ("Subject", "Refund agreed"), ("Reason", "Other"), ("Description", "typed")]
    {
        assert!(org.set_case_field(case_id, field, json!(value)));
    }
    let before = org.case(case_id).expect("case");
    org.reset_counts();

    let again = invoke_ok(&handoff, leg).await;

    assert_eq!(again["SfdcCaseOutcome"], "found");
    assert_eq!(org.case(case_id).expect("case"), before, "every field keeps the agent's value");
    assert_eq!(org.count(Route::CaseUpsert), 0);
    assert!(org.recorded().iter().all(|r| r.method != "PATCH" && !r.body.contains("\"PATCH\"")), "nothing is written");
}

#[tokio::test]
async fn an_org_whose_origin_picklist_lacks_the_channel_still_gets_the_case() {
    let (org, handoff) = setup(&[]).await;
    org.restrict_origin(&["Web", "Email"]);
    let parameters = json!({"Case.Reason": "Billing"});
    let leg = voice_event(FIRST_CONTACT, FIRST_CONTACT, json!("+14155550100"), json!({}), parameters);
    let answer = invoke_ok(&handoff, leg).await;
    assert_eq!(answer["SfdcCaseOutcome"], "created");
    let case = org.case(answer["SfdcCaseId"].as_str().expect("id")).expect("case");
    assert!(!case.contains_key("Origin"), "{case:?}");
    assert_eq!(org.count(Route::Composite), 2, "refused once, then made without parameters or Origin");
    // Without any flow parameters the retry is the same: Origin alone was the trouble.
    let plain = invoke_ok(&handoff, first_leg("+14155550111")).await;
    assert_eq!(plain["SfdcCaseOutcome"], "created");
}

#[tokio::test]
async fn refused_case_parameters_do_not_cost_the_case() {
    let (org, handoff) = setup(&[]).await;
    let event = voice_event(
        FIRST_CONTACT,
        FIRST_CONTACT,
        json!("+14155550100"),
        json!({}),
        json!({"Case.No_Such_Field__c": "x", "Case.Reason": "Billing"}),
    );
    let answer = invoke_ok(&handoff, event).await;
    assert_eq!(answer["SfdcCaseOutcome"], "created");
    let case = org.case(answer["SfdcCaseId"].as_str().expect("id")).expect("case");
    assert!(!case.contains_key("No_Such_Field__c"));
    assert_eq!(case["SuppliedPhone"], "+14155550100");
    assert_eq!(org.cases().len(), 1);
}

#[tokio::test]
async fn update_contact_attributes_can_be_turned_off() {
    let (org, handoff) = setup(&[("UPDATE_CONTACT_ATTRIBUTES", "false")]).await;
    invoke_ok(&handoff, first_leg("+14155550100")).await;
    assert_eq!(org.count(Route::ConnectUpdateAttributes), 0);
}

#[tokio::test]
async fn sample_events_all_answer() {
    let (org, handoff) = setup(&[]).await;
    org.add_demo_data();
    for (name, text) in [
        ("first-leg-us", include_str!("../../events/first-leg-us.json")),
        ("first-leg-japan", include_str!("../../events/first-leg-japan.json")),
        ("withheld-number", include_str!("../../events/withheld-number.json")),
        ("chat-contact", include_str!("../../events/chat-contact.json")),
        ("sms-contact", include_str!("../../events/sms-contact.json")),
        ("whatsapp-contact", include_str!("../../events/whatsapp-contact.json")),
        ("email-contact", include_str!("../../events/email-contact.json")),
        ("first-leg-person-account", include_str!("../../events/first-leg-person-account.json")),
        ("first-leg-main-line", include_str!("../../events/first-leg-main-line.json")),
        ("first-leg-custom-phone-field", include_str!("../../events/first-leg-custom-phone-field.json")),
    ] {
        let event = serde_json::from_str(text).expect("sample event is JSON");
        let answer = invoke_ok(&handoff, event).await;
        assert_eq!(answer["SfdcCaseOutcome"], "created", "{name}");
        let expected_matches =
            if matches!(name, "withheld-number" | "chat-contact" | "first-leg-main-line") { "0" } else { "1" };
        assert_eq!(answer["SfdcContactMatches"], expected_matches, "{name}");
        let linked_to = |key: &str| answer[key].as_str().is_some_and(|id| !id.is_empty());
        match name {
            "first-leg-main-line" => assert!(linked_to("SfdcAccountId") && !linked_to("SfdcContactId"), "{answer}"),
            "first-leg-person-account" | "first-leg-custom-phone-field" => {
                assert!(linked_to("SfdcContactId"), "{answer}")
            }
            _ => {}
        }
    }
    // The transfer sample names the first case the org makes, which the first sample made.
    let transfer = serde_json::from_str(include_str!("../../events/transfer-leg.json")).expect("JSON");
    let answer = invoke_ok(&handoff, transfer).await;
    assert_eq!(answer["SfdcCaseOutcome"], "found");
    assert_eq!(answer["SfdcCaseId"], standin_org::salesforce_id("500", 1));
    // A queued callback is a contact of its own (InitiationMethod CALLBACK) carrying the call's
    // attributes: it pops the same case.
    let callback = serde_json::from_str(include_str!("../../events/callback-leg.json")).expect("JSON");
    let answer = invoke_ok(&handoff, callback).await;
    assert_eq!(
        (answer["SfdcCaseOutcome"].clone(), answer["SfdcCaseId"].clone()),
        (serde_json::json!("found"), serde_json::json!(standin_org::salesforce_id("500", 1)))
    );

    // The contact events of that call: the first agent takes the case, the transfer's agent does not.
    for (text, owner) in [
        (include_str!("../../events/agent-connected-first-leg.json"), "assigned"),
        (include_str!("../../events/agent-connected-transfer-leg.json"), "ignored"),
    ] {
        let event = serde_json::from_str(text).expect("JSON");
        assert_eq!(invoke_ok(&handoff, event).await["owner"], owner);
    }
    let case = org.case(&standin_org::salesforce_id("500", 1)).expect("case");
    assert_eq!(
        org.username_of(case["OwnerId"].as_str().expect("owner")).as_deref(),
        Some(standin_org::FIRST_AGENT_USERNAME)
    );
}
