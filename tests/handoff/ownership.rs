//! The first agent who answers owns the case: Connect contact events from EventBridge, routed next to the
//! flow event. Every path over HTTP against the stand-in org, with the round trips and the
//! `Sforce-Auto-Assign` header of every Case write asserted.

use serde_json::Value;
use standin_org::{EXTERNAL_ID_FIELD, Fault, Route, StandinOrg, User};

use testkit::*;

const QUEUE: &str = "00GDn0000000001MAA";

/// An org with a caller, the first agent (Connect username `ada.agent@example.com`) and her active
/// Salesforce user; answers the org, the container and that user's id.
async fn center(vars: &[(&str, &str)]) -> (StandinOrg, connect_case_handoff::Handoff, String) {
    let (org, handoff) = setup(vars).await;
    org.add_caller("Ada", "Lovelace", "(415) 555-0100");
    org.add_agent(FIRST_AGENT, "ada.agent@example.com");
    org.add_agent(SECOND_AGENT, "bo.agent@example.com");
    let user = org.add_user("ada.agent@example.com");
    org.add_user("bo.agent@example.com");
    (org, handoff, user)
}

fn owner(org: &StandinOrg, case_id: &Value) -> Value {
    org.case(case_id.as_str().expect("case id")).expect("case")["OwnerId"].clone()
}

#[tokio::test]
async fn the_first_agent_who_answers_owns_the_case_and_a_transfer_leaves_it_alone() {
    let (org, handoff, ada) = center(&[]).await;
    org.set_assignment_queue(Some(QUEUE));
    let first = invoke_ok(&handoff, first_leg("+14155550100")).await;
    let case_id = first["SfdcCaseId"].clone();
    assert_eq!(owner(&org, &case_id), org.run_as_user().as_str(), "created without assignment rules");

    let report = invoke_ok(&handoff, first_agent_connected()).await;
    assert_eq!(report["owner"], "assigned", "{report}");
    assert_eq!(owner(&org, &case_id), ada.as_str());

    // The transfer leg pops the same case; the second agent's connection changes nothing.
    invoke_ok(&handoff, transfer_leg("+14155550100", case_id.as_str().expect("id"))).await;
    let second = contact_event("CONNECTED_TO_AGENT", SECOND_CONTACT, Some(FIRST_CONTACT), SECOND_AGENT);
    assert_eq!(invoke_ok(&handoff, second).await["owner"], "ignored");
    assert_eq!(owner(&org, &case_id), ada.as_str());

    let writes = org.case_writes();
    assert_eq!(writes.len(), 2, "{writes:?}");
    for write in &writes {
        assert_eq!(write.auto_assign.as_deref(), Some("FALSE"), "{write:?}");
    }
    assert_eq!((writes[0].operation, writes[1].operation), ("create", "update"));
}

#[tokio::test]
async fn a_warm_container_that_knows_the_agent_makes_one_connect_and_one_salesforce_request() {
    let (org, handoff, ada) = center(&[]).await;
    invoke_ok(&handoff, first_leg("+14155550100")).await;
    org.reset_counts();
    invoke_ok(&handoff, first_agent_connected()).await;
    assert_eq!(
        (org.count(Route::ConnectGetAttributes), org.count(Route::ConnectDescribeUser)),
        (1, 1),
        "the first time: the call's case and the agent's username"
    );
    assert_eq!((org.count(Route::Query), org.count(Route::CaseUpdate)), (1, 1));

    // Another call, the same agent: DescribeUser and the User query are cached per container.
    let call = "2e4d6f8a-0b1c-4d2e-8f3a-4b5c6d7e8f9a";
    invoke_ok(
        &handoff,
        voice_event(call, call, serde_json::json!("+14155550100"), serde_json::json!({}), serde_json::json!({})),
    )
    .await;
    org.reset_counts();
    let report = invoke_ok(&handoff, contact_event("CONNECTED_TO_AGENT", call, None, FIRST_AGENT)).await;
    assert_eq!(report["owner"], "assigned");
    assert_eq!(org.count(Route::ConnectGetAttributes) + org.count(Route::ConnectDescribeUser), 1);
    assert_eq!(org.salesforce_requests(), 1, "only the owner update");
    assert!(org.cases().iter().all(|c| c["OwnerId"] == ada.as_str()));
}

#[tokio::test]
async fn with_the_external_id_the_case_is_found_in_salesforce_and_connect_is_spared() {
    let (org, handoff, ada) = center(&[("CASE_EXTERNAL_ID_FIELD", EXTERNAL_ID_FIELD)]).await;
    let first = invoke_ok(&handoff, first_leg("+14155550100")).await;
    invoke_ok(&handoff, first_agent_connected()).await;
    org.reset_counts();
    // The same event again (EventBridge delivers at least once): the same owner, 0 Connect, 2 Salesforce.
    let report = invoke_ok(&handoff, first_agent_connected()).await;
    assert_eq!(report["owner"], "assigned");
    assert_eq!(owner(&org, &first["SfdcCaseId"]), ada.as_str());
    assert_eq!(org.count(Route::ConnectGetAttributes) + org.count(Route::ConnectDescribeUser), 0);
    assert_eq!(org.salesforce_requests(), 2, "read by external id, then the owner update");
}

#[tokio::test]
async fn with_case_owner_unchanged_the_org_s_rules_decide_and_events_change_nothing() {
    let (org, handoff, _) = center(&[("CASE_OWNER", "unchanged")]).await;
    org.set_assignment_queue(Some(QUEUE));
    let first = invoke_ok(&handoff, first_leg("+14155550100")).await;
    assert_eq!(owner(&org, &first["SfdcCaseId"]), QUEUE, "the assignment rule ran on create");
    assert_eq!(org.case_writes()[0].auto_assign, None, "no header: the org's default applies");
    org.reset_counts();
    let report = invoke_ok(&handoff, first_agent_connected()).await;
    assert_eq!(report["owner"], "nothing-to-do");
    assert_eq!(owner(&org, &first["SfdcCaseId"]), QUEUE);
    assert_eq!(org.salesforce_requests() + org.count(Route::ConnectGetAttributes), 0);
}

#[tokio::test]
async fn events_the_function_does_not_act_on_succeed_and_change_nothing() {
    let (org, handoff, _) = center(&[]).await;
    let first = invoke_ok(&handoff, first_leg("+14155550100")).await;
    org.reset_counts();
    for event_type in ["INITIATED", "QUEUED", "DISCONNECTED", "CONTACT_DATA_UPDATED"] {
        let report = invoke_ok(&handoff, contact_event(event_type, FIRST_CONTACT, None, FIRST_AGENT)).await;
        assert_eq!(report["owner"], "ignored", "{event_type}");
    }
    assert_eq!(owner(&org, &first["SfdcCaseId"]), org.run_as_user().as_str());
    assert_eq!(org.salesforce_requests() + org.count(Route::ConnectGetAttributes), 0);
}

#[tokio::test]
async fn nothing_to_do_is_a_warning_and_a_success() {
    // Before the first leg stored the case (events are unordered), or with no such Connect user.
    let (org, handoff, _) = center(&[]).await;
    assert_eq!(invoke_ok(&handoff, first_agent_connected()).await["owner"], "nothing-to-do");
    let first = invoke_ok(&handoff, first_leg("+14155550100")).await;
    let stranger = contact_event("CONNECTED_TO_AGENT", FIRST_CONTACT, None, "9f8e7d6c-5b4a-4392-8170-6f5e4d3c2b1a");
    assert_eq!(invoke_ok(&handoff, stranger).await["owner"], "nothing-to-do");

    // A Connect user with no active Salesforce user, or with two.
    org.add_agent("9f8e7d6c-5b4a-4392-8170-6f5e4d3c2b1a", "nobody@example.com");
    let nobody = contact_event("CONNECTED_TO_AGENT", FIRST_CONTACT, None, "9f8e7d6c-5b4a-4392-8170-6f5e4d3c2b1a");
    assert_eq!(invoke_ok(&handoff, nobody).await["owner"], "nothing-to-do");
    org.add_user_record(User {
        email: "bo.agent@example.com".into(),
        username: "bo2@example.com".into(),
        active: true,
        ..User::default()
    });
    let bo = contact_event("CONNECTED_TO_AGENT", FIRST_CONTACT, None, SECOND_AGENT);
    assert_eq!(invoke_ok(&handoff, bo).await["owner"], "nothing-to-do");
    assert_eq!(owner(&org, &first["SfdcCaseId"]), org.run_as_user().as_str());

    // The case deleted since.
    assert!(org.delete_case(first["SfdcCaseId"].as_str().expect("id")));
    assert_eq!(invoke_ok(&handoff, first_agent_connected()).await["owner"], "nothing-to-do");
}

#[tokio::test]
async fn an_inactive_user_is_never_the_owner() {
    let (org, handoff) = setup(&[]).await;
    org.add_agent(FIRST_AGENT, "ada.agent@example.com");
    org.add_user_record(User {
        email: "ada.agent@example.com".into(),
        username: "ada.agent@example.com".into(),
        active: false,
        ..User::default()
    });
    invoke_ok(&handoff, first_leg("+14155550100")).await;
    assert_eq!(invoke_ok(&handoff, first_agent_connected()).await["owner"], "nothing-to-do");
}

#[tokio::test]
async fn the_owner_field_can_be_the_federation_identifier() {
    let (org, handoff) = setup(&[("OWNER_USER_FIELD", "FederationIdentifier")]).await;
    org.add_agent(FIRST_AGENT, "ada");
    let user = org.add_user_record(User {
        email: "someone.else@example.com".into(),
        username: "ada@example.com.prod".into(),
        federation_identifier: Some("ada".into()),
        active: true,
        ..User::default()
    });
    let first = invoke_ok(&handoff, first_leg("+14155550100")).await;
    assert_eq!(invoke_ok(&handoff, first_agent_connected()).await["owner"], "assigned");
    assert_eq!(owner(&org, &first["SfdcCaseId"]), user.as_str());
}

#[tokio::test]
async fn a_hostile_username_is_escaped_never_spliced() {
    let (org, handoff) = setup(&[]).await;
    org.add_agent(FIRST_AGENT, "x' OR IsActive = true OR Email = 'y");
    org.add_user("victim@example.com");
    invoke_ok(&handoff, first_leg("+14155550100")).await;
    assert_eq!(invoke_ok(&handoff, first_agent_connected()).await["owner"], "nothing-to-do");
}

#[tokio::test]
async fn salesforce_or_connect_failing_fails_the_invocation_so_lambda_retries_it() {
    let (org, handoff, ada) = center(&[("RESPONSE_BUDGET_MS", "400")]).await;
    let first = invoke_ok(&handoff, first_leg("+14155550100")).await;

    org.inject(Route::ConnectGetAttributes, Fault::Status(500), 3);
    let error = invoke(&handoff, first_agent_connected()).await.expect_err("Connect failing");
    assert_eq!(error.error_type(), "ConnectRequestFailed");

    // A 500 is not retried (it may not be transient): one is enough to fail the invocation.
    org.inject(Route::Query, Fault::Status(500), 1);
    let error = invoke(&handoff, first_agent_connected()).await.expect_err("Salesforce failing");
    assert_eq!(error.error_type(), "SalesforceUnavailable");
    assert_eq!(owner(&org, &first["SfdcCaseId"]), org.run_as_user().as_str());

    // The retry, once Salesforce is back, assigns the owner.
    let report = invoke_ok(&handoff, first_agent_connected()).await;
    assert_eq!(report["owner"], "assigned", "{report}");
    assert_eq!(owner(&org, &first["SfdcCaseId"]), ada.as_str());
}

#[tokio::test]
async fn refused_credentials_fail_the_invocation() {
    let (org, handoff, _) = center(&[]).await;
    invoke_ok(&handoff, first_leg("+14155550100")).await;
    let other = handoff_for(&org, &[]).await;
    org.set_credentials("standin-client-id", "rotated");
    let error = invoke(&other, first_agent_connected()).await.expect_err("refused");
    assert_eq!(error.error_type(), "SalesforceAuthenticationFailed");
}

/// A queued callback's contact answered by `agent`: `previous` is the contact the caller chose the callback
/// on, and the callback names the call's first contact as its initial one.
fn callback_connected(previous: &str, agent: &str) -> Value {
    let mut event: Value =
        serde_json::from_str(include_str!("../../events/agent-connected-callback.json")).expect("sample event");
    event["detail"]["previousContactId"] = previous.into();
    event["detail"]["agentInfo"]["agentArn"] = format!("{INSTANCE_ARN}/agent/{agent}").into();
    event
}

fn owner_username(org: &StandinOrg, case_id: &Value) -> Option<String> {
    org.username_of(owner(org, case_id).as_str().expect("owner id"))
}

#[tokio::test]
async fn a_queued_callback_s_agent_takes_the_case_when_no_agent_answered_the_call() {
    // With the case found through Connect's attributes, and through the external id.
    for vars in [&[][..], &[("CASE_EXTERNAL_ID_FIELD", EXTERNAL_ID_FIELD)][..]] {
        let (org, handoff, _) = center(vars).await;
        let first = invoke_ok(&handoff, first_leg("+14155550100")).await;
        // The caller chose a callback while queued on the first contact; Bo's call back is the first
        // time an agent speaks with them.
        let report = invoke_ok(&handoff, callback_connected(FIRST_CONTACT, SECOND_AGENT)).await;
        assert_eq!(report["owner"], "assigned", "{vars:?}: {report}");
        assert_eq!(owner_username(&org, &first["SfdcCaseId"]).as_deref(), Some("bo.agent@example.com"));
    }
}

#[tokio::test]
async fn a_callback_after_an_agent_s_transfer_leaves_the_case_with_the_first_agent() {
    let (org, handoff, ada) = center(&[]).await;
    let first = invoke_ok(&handoff, first_leg("+14155550100")).await;
    invoke_ok(&handoff, first_agent_connected()).await;
    org.reset_counts();
    // Ada transferred the call to a queue, where the caller chose a callback: it follows the transfer.
    let report = invoke_ok(&handoff, callback_connected(SECOND_CONTACT, SECOND_AGENT)).await;
    assert_eq!(report["owner"], "ignored", "{report}");
    assert_eq!(owner(&org, &first["SfdcCaseId"]), ada.as_str());
    assert_eq!(org.salesforce_requests() + org.count(Route::ConnectGetAttributes), 0);
}
