//! A repeat caller gets the case already open for them (`REUSE_OPEN_CASE_HOURS`): only when exactly one
//! person matched; their open case, modified within the window, the most recent; nothing written to it;
//! its owner kept; this call's own case still `found`; and with reuse off, no query at all.

use serde_json::{Value, json};
use standin_org::{EXTERNAL_ID_FIELD, FIRST_AGENT, PhoneIndex, Route, SECOND_AGENT, StandinOrg};

use testkit::*;

const REUSE: (&str, &str) = ("REUSE_OPEN_CASE_HOURS", "24");
const ADA: &str = "+14155550100";

/// The first leg of another call (its own contact id) from `address`.
fn call(n: u64, address: &str) -> Value {
    let contact = format!("00000000-0000-4000-8000-{n:012}");
    voice_event(&contact, &contact, json!(address), json!({}), json!({}))
}

fn case_of(answer: &Value) -> String {
    answer["SfdcCaseId"].as_str().unwrap_or_default().to_owned()
}

/// Ada in an org playing `index`, and a container with `vars`.
async fn center(index: PhoneIndex, vars: &[(&str, &str)]) -> (StandinOrg, connect_case_handoff::Handoff) {
    let (org, handoff) = setup(vars).await;
    org.set_phone_index(index);
    org.add_caller("Ada", "Lovelace", "(415) 555-0100");
    (org, handoff)
}

#[tokio::test]
async fn with_reuse_off_no_open_case_is_asked_for() {
    let (org, handoff) = center(PhoneIndex::Digits, &[]).await;
    let first = invoke_ok(&handoff, call(1, ADA)).await;
    org.reset_counts();
    let second = invoke_ok(&handoff, call(2, ADA)).await;
    assert_eq!(second["SfdcCaseOutcome"], "created");
    assert_ne!(case_of(&first), case_of(&second));
    assert_eq!(org.count(Route::Query), 0);
    assert_eq!(org.salesforce_requests(), 2);
}

#[tokio::test]
async fn a_repeat_caller_gets_their_open_case_back_and_nothing_is_written_to_it() {
    for index in PhoneIndex::ALL {
        let (org, handoff) = center(index, &[REUSE]).await;
        org.reset_counts();
        let first = invoke_ok(&handoff, call(1, ADA)).await;
        assert_eq!(first["SfdcCaseOutcome"], "created");
        let created = (org.count(Route::Search), org.count(Route::Query), org.count(Route::Composite));
        assert_eq!(created, (1, 1, 1), "reuse on, one person, no open case: one more request than without reuse");
        let case = case_of(&first);
        org.set_case_field(&case, "Subject", json!("Agent's notes: refund promised"));
        org.age_case(&case, 60);
        let before = org.case(&case);
        let writes = org.case_writes().len();

        org.reset_counts();
        let second = invoke_ok(&handoff, call(2, ADA)).await;
        assert_eq!(second["SfdcCaseOutcome"], "reused", "{index:?}");
        assert_eq!(case_of(&second), case);
        assert_eq!(
            (second["SfdcContactId"].clone(), second["SfdcContactMatches"].clone()),
            (first["SfdcContactId"].clone(), json!("1"))
        );
        assert_eq!(org.salesforce_requests(), 2, "the search and the open-case query, no write");
        assert_eq!((org.count(Route::Search), org.count(Route::Query), org.count(Route::Composite)), (1, 1, 0));
        assert_eq!(org.case(&case), before, "nothing written to the reused case");
        assert_eq!(org.case_writes().len(), writes);
        assert_eq!(org.cases().len(), 1);

        // Stored on the contact as on any first leg, so the transfer leg carries it.
        let stored = org.contact_attributes("00000000-0000-4000-8000-000000000002");
        assert_eq!(stored.get("SfdcCaseId"), Some(&case));
        assert_eq!(stored.get("SfdcCaseOutcome").map(String::as_str), Some("reused"));
        let transfer = voice_event(
            "7f9e2c1a-3b4d-4e5f-8a6b-9c0d1e2f3a4b",
            "00000000-0000-4000-8000-000000000002",
            json!(ADA),
            json!({"SfdcCaseId": case}),
            json!({}),
        );
        let third = invoke_ok(&handoff, transfer).await;
        assert_eq!((third["SfdcCaseOutcome"].clone(), case_of(&third)), (json!("found"), case.clone()));
    }
}

#[tokio::test]
async fn the_most_recently_modified_open_case_is_the_one() {
    let (org, handoff) = center(PhoneIndex::Digits, &[REUSE]).await;
    let without_reuse = handoff_for(&org, &[]).await;
    let older = case_of(&invoke_ok(&handoff, call(1, ADA)).await);
    let newer = case_of(&invoke_ok(&without_reuse, call(2, ADA)).await);
    assert_ne!(older, newer);
    for (recent, stale) in [(&older, &newer), (&newer, &older)] {
        org.age_case(recent, 30);
        org.age_case(stale, 90);
        let answer = invoke_ok(&handoff, call(3, ADA)).await;
        assert_eq!((answer["SfdcCaseOutcome"].clone(), case_of(&answer)), (json!("reused"), recent.clone()));
    }
}

#[tokio::test]
async fn a_closed_case_or_one_outside_the_window_is_not_reused() {
    let (org, handoff) = center(PhoneIndex::Digits, &[REUSE]).await;
    let case = case_of(&invoke_ok(&handoff, call(1, ADA)).await);
    org.set_case_field(&case, "Status", json!("Closed"));
    let answer = invoke_ok(&handoff, call(2, ADA)).await;
    assert_eq!(answer["SfdcCaseOutcome"], "created", "closed");
    let open = case_of(&answer);
    org.age_case(&open, 25 * 60);
    let answer = invoke_ok(&handoff, call(3, ADA)).await;
    assert_eq!(answer["SfdcCaseOutcome"], "created", "last modified 25 hours ago, outside a 24-hour window");
    org.age_case(&case_of(&answer), 23 * 60);
    assert_eq!(invoke_ok(&handoff, call(4, ADA)).await["SfdcCaseOutcome"], "reused", "23 hours ago is inside");
}

#[tokio::test]
async fn only_one_certain_person_reuses() {
    for index in PhoneIndex::ALL {
        let (org, handoff) = setup(&[REUSE]).await;
        org.set_phone_index(index);
        org.add_caller("Sam", "Rivera", "+1 206.555.0199");
        org.add_caller("Alex", "Rivera", "(206) 555-0199");
        org.add_business("Acme Corp", &[("Phone", "(206) 555-0143")]);
        for (address, why) in [
            ("+12065550199", "several people"),
            ("+12065550143", "a main line only"),
            ("+12065550111", "nobody"),
            ("anonymous", "a withheld number"),
        ] {
            for n in 1..=2 {
                org.reset_counts();
                let answer = invoke_ok(&handoff, call(n, address)).await;
                assert_eq!(answer["SfdcCaseOutcome"], "created", "{why}, call {n}, {index:?}");
                assert_eq!(org.count(Route::Query), 0, "{why}: no open-case query");
            }
        }
    }
}

#[tokio::test]
async fn an_email_contact_reuses_by_address() {
    let (org, handoff) = setup(&[REUSE]).await;
    org.add_emailer("Ada", "ada@example.com");
    let email = |n: u64| {
        let mut event = call(n, "ada@example.com");
        event["Details"]["ContactData"]["Channel"] = json!("EMAIL");
        event["Details"]["ContactData"]["CustomerEndpoint"]["Type"] = json!("EMAIL_ADDRESS");
        event
    };
    let first = invoke_ok(&handoff, email(1)).await;
    let second = invoke_ok(&handoff, email(2)).await;
    assert_eq!((second["SfdcCaseOutcome"].clone(), case_of(&second)), (json!("reused"), case_of(&first)));
}

#[tokio::test]
async fn a_repeated_first_leg_of_the_same_call_answers_its_own_case_as_found() {
    for vars in [vec![REUSE, ("CASE_EXTERNAL_ID_FIELD", EXTERNAL_ID_FIELD)], vec![REUSE]] {
        let (org, handoff) = center(PhoneIndex::Digits, &vars).await;
        let first = invoke_ok(&handoff, call(1, ADA)).await;
        org.reset_counts();
        let again = invoke_ok(&handoff, call(1, ADA)).await;
        assert_eq!((again["SfdcCaseOutcome"].clone(), case_of(&again)), (json!("found"), case_of(&first)), "{vars:?}");
        assert_eq!(org.count(Route::Composite), 0, "no second case, nothing written");
        assert_eq!(org.cases().len(), 1);
    }
}

#[tokio::test]
async fn a_reused_case_keeps_its_owner_at_no_extra_request() {
    for key in [None, Some(("CASE_EXTERNAL_ID_FIELD", EXTERNAL_ID_FIELD))] {
        let mut vars = vec![REUSE];
        vars.extend(key);
        let (org, handoff) = center(PhoneIndex::Digits, &vars).await;
        org.add_agent(FIRST_AGENT, "ada.agent@example.com");
        org.add_agent(SECOND_AGENT, "bo.agent@example.com");
        let ada_agent = org.add_user("ada.agent@example.com");
        org.add_user("bo.agent@example.com");

        let first = invoke_ok(&handoff, call(1, ADA)).await;
        let call1 = "00000000-0000-4000-8000-000000000001";
        invoke_ok(&handoff, contact_event("CONNECTED_TO_AGENT", call1, None, FIRST_AGENT)).await;
        let case = case_of(&first);
        let owner = |org: &StandinOrg| org.case(&case).and_then(|c| c.get("OwnerId").cloned());
        assert_eq!(owner(&org), Some(json!(ada_agent)));

        assert_eq!(invoke_ok(&handoff, call(2, ADA)).await["SfdcCaseOutcome"], "reused");
        org.reset_counts();
        let call2 = "00000000-0000-4000-8000-000000000002";
        let report = invoke_ok(&handoff, contact_event("CONNECTED_TO_AGENT", call2, None, SECOND_AGENT)).await;
        assert_ne!(report["owner"], "assigned", "{report}");
        assert_eq!(owner(&org), Some(json!(ada_agent)), "the new call's first agent does not take it, {key:?}");
        let (connect, salesforce) = (org.count(Route::ConnectGetAttributes), org.salesforce_requests());
        match key {
            None => assert_eq!((connect, salesforce), (1, 0), "only the attributes read any call's event makes"),
            Some(_) => assert_eq!((connect, salesforce), (0, 1), "only the read by external id any call's event makes"),
        }
        assert_eq!(org.count(Route::ConnectDescribeUser), 0);
    }
}
