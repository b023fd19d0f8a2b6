//! The contract's "Failure" section, one rule at a time.

use std::time::{Duration, SystemTime};

use serde_json::json;
use standin_org::{Fault, Route, SECRET_ARN};

use testkit::*;

#[tokio::test]
async fn one_token_serves_every_invocation_of_a_warm_container() {
    let (org, handoff) = setup(&[]).await;
    for _ in 0..3 {
        invoke_ok(&handoff, first_leg("+14155550100")).await;
    }
    assert_eq!(org.count(Route::Token), 1);
}

#[tokio::test]
async fn expired_session_is_renewed_once_and_the_request_retried() {
    let (org, handoff) = setup(&[]).await;
    let first = invoke_ok(&handoff, first_leg("+14155550100")).await;
    org.expire_sessions();
    org.reset_counts();

    let transfer = invoke_ok(&handoff, transfer_leg("+14155550100", first["SfdcCaseId"].as_str().expect("id"))).await;

    assert_eq!(transfer["SfdcCaseOutcome"], "found");
    assert_eq!(org.count(Route::Token), 1, "exactly one new login");
    assert_eq!(org.count(Route::CaseRead), 2, "the refused read, then the retry");
}

#[tokio::test]
async fn a_session_refused_twice_is_an_authentication_error() {
    let (org, handoff) = setup(&[]).await;
    invoke_ok(&handoff, first_leg("+14155550100")).await;
    org.inject(Route::Search, Fault::ExpireSessions, 2);
    let error = invoke(&handoff, first_leg("+14155550100")).await.expect_err("fails");
    assert_eq!(error.error_type(), "SalesforceAuthenticationFailed");
    assert_eq!(org.count(Route::Search), 3);
}

#[tokio::test]
async fn one_503_is_survived() {
    let (org, handoff) = setup(&[]).await;
    org.inject(Route::Search, Fault::Status(503), 1);
    org.inject(Route::Composite, Fault::Status(503), 1);
    let answer = invoke_ok(&handoff, first_leg("+14155550100")).await;
    assert_eq!(answer["SfdcCaseOutcome"], "created");
    assert_eq!(org.count(Route::Search), 2);
    assert_eq!(org.count(Route::Composite), 2);
    assert_eq!(org.cases().len(), 1, "a refused create is not a created case");
}

#[tokio::test]
async fn a_503_at_login_is_survived() {
    let (org, handoff) = setup(&[]).await;
    org.inject(Route::Token, Fault::Status(503), 1);
    invoke_ok(&handoff, first_leg("+14155550100")).await;
    assert_eq!(org.count(Route::Token), 2);
}

#[tokio::test]
async fn salesforce_down_for_the_whole_budget_is_salesforce_unavailable() {
    let (org, handoff) = setup(&[("RESPONSE_BUDGET_MS", "400")]).await;
    org.inject(Route::Search, Fault::Status(503), 10_000);
    let error = invoke(&handoff, first_leg("+14155550100")).await.expect_err("fails");
    assert!(matches!(error.error_type(), "SalesforceUnavailable" | "ResponseBudgetExceeded"), "{}", error.error_type());
    assert!(org.count(Route::Search) > 1, "retried while the budget allowed");
    assert_eq!(org.cases().len(), 0);
}

#[tokio::test]
async fn a_hung_org_is_answered_within_the_budget() {
    let (org, handoff) = setup(&[("RESPONSE_BUDGET_MS", "300")]).await;
    invoke_ok(&handoff, first_leg("+14155550100")).await;
    org.inject(Route::Search, Fault::Hang, 1);
    let outcome = tokio::time::timeout(HANG_GUARD, invoke(&handoff, first_leg("+14155550100"))).await;
    let error = outcome.expect("the handler gave up at its budget").expect_err("no case in time");
    assert_eq!(error.error_type(), "ResponseBudgetExceeded");
    assert!(error.to_string().contains("300 ms"), "{error}");
}

#[tokio::test]
async fn the_lambda_deadline_wins_over_a_longer_budget() {
    let (org, handoff) = setup(&[("RESPONSE_BUDGET_MS", "8000")]).await;
    org.inject(Route::Token, Fault::Hang, 1);
    let lambda_deadline = SystemTime::now() + Duration::from_millis(400);
    let outcome =
        tokio::time::timeout(HANG_GUARD, handoff.handle(first_leg("+14155550100"), Some(lambda_deadline))).await;
    let error = outcome.expect("the handler gave up before the Lambda deadline").expect_err("no case in time");
    assert_eq!(error.error_type(), "ResponseBudgetExceeded");
}

#[tokio::test]
async fn connect_throttling_does_not_fail_the_answer() {
    let (org, handoff) = setup(&[]).await;
    org.inject(Route::ConnectUpdateAttributes, Fault::Throttle, 100);
    let (logs, _guard) = Logs::capture();
    let answer = invoke_ok(&handoff, first_leg("+14155550100")).await;
    assert_eq!(answer["SfdcCaseOutcome"], "created");
    assert!(org.count(Route::ConnectUpdateAttributes) >= 1);
    assert!(org.contact_attributes(FIRST_CONTACT).is_empty());
    let warned = logs.lines().into_iter().any(|line| {
        line["level"] == "WARN" && line["error"].as_str().is_some_and(|e| e.contains("ThrottlingException"))
    });
    assert!(warned, "{}", logs.text());
}

#[tokio::test]
async fn a_hung_connect_still_answers_the_case() {
    let (org, handoff) = setup(&[("RESPONSE_BUDGET_MS", "500")]).await;
    org.inject(Route::ConnectUpdateAttributes, Fault::Hang, 5);
    let outcome = tokio::time::timeout(HANG_GUARD, invoke(&handoff, first_leg("+14155550100"))).await;
    let answer = outcome.expect("answered within the budget").expect("the case is answered");
    assert_eq!(answer["SfdcCaseOutcome"], "created");
}

#[tokio::test]
async fn malformed_events_are_invocation_errors_and_the_next_one_works() {
    let (_org, handoff) = setup(&[]).await;
    for bad in [
        json!("hello"),
        json!(42),
        json!([]),
        json!({}),
        json!({"Details": {}}),
        json!({"Details": {"ContactData": null}}),
    ] {
        let error = invoke(&handoff, bad.clone()).await.expect_err("malformed");
        assert_eq!(error.error_type(), "InvalidEvent", "{bad}");
    }
    invoke_ok(&handoff, first_leg("+14155550100")).await;
}

#[tokio::test]
async fn secrets_manager_is_read_once_per_container() {
    let (org, handoff) =
        setup(&[("SALESFORCE_SECRET_ARN", SECRET_ARN), ("SALESFORCE_CLIENT_ID", ""), ("SALESFORCE_CLIENT_SECRET", "")])
            .await;
    invoke_ok(&handoff, first_leg("+14155550100")).await;
    org.expire_sessions();
    invoke_ok(&handoff, first_leg("+14155550100")).await;
    assert_eq!(org.count(Route::SecretsGetValue), 1);
    assert_eq!(org.count(Route::Token), 2);
}

#[tokio::test]
async fn bad_credentials_fail_invocations_not_init() {
    let (org, _) = setup(&[]).await;
    org.set_credentials("standin-client-id", "a-different-secret");
    // Building the container's handler makes no request, so nothing can fail there.
    let handoff = handoff_for(&org, &[("SALESFORCE_CLIENT_SECRET", "wrong-secret-value")]).await;
    assert_eq!(org.salesforce_requests(), 0);

    for _ in 0..3 {
        let error = invoke(&handoff, first_leg("+14155550100")).await.expect_err("refused");
        assert_eq!(error.error_type(), "SalesforceAuthenticationFailed");
        let message = error.to_string();
        assert!(message.contains("invalid_client"), "{message}");
        assert!(message.contains("To fix: check SALESFORCE_CLIENT_ID and SALESFORCE_CLIENT_SECRET"), "{message}");
        assert!(!message.contains("wrong-secret-value"), "{message}");
    }
    assert_eq!(
        org.count(Route::Token),
        1,
        "after a refusal the token endpoint is not asked again during the pause (30 s at first)"
    );

    // The secret fixed, a new container works at once; this one waits out its pause.
    org.set_credentials("standin-client-id", "wrong-secret-value");
    let error = invoke(&handoff, first_leg("+14155550100")).await.expect_err("still pausing");
    assert!(error.to_string().contains("not asking again"), "{error}");
    let fresh = handoff_for(&org, &[("SALESFORCE_CLIENT_SECRET", "wrong-secret-value")]).await;
    invoke_ok(&fresh, first_leg("+14155550100")).await;
}

#[tokio::test]
async fn an_unreadable_secret_is_an_authentication_error() {
    let (org, handoff) =
        setup(&[("SALESFORCE_SECRET_ARN", "arn:aws:secretsmanager:us-east-1:123456789012:secret:missing")]).await;
    let error = invoke(&handoff, first_leg("+14155550100")).await.expect_err("no credentials");
    assert_eq!(error.error_type(), "SalesforceAuthenticationFailed");
    assert!(error.to_string().contains("ResourceNotFoundException"), "{error}");
    org.set_secret("arn:aws:secretsmanager:us-east-1:123456789012:secret:missing", "not json");
    let error = invoke(&handoff, first_leg("+14155550100")).await.expect_err("bad secret");
    assert!(error.to_string().contains("client_id"), "{error}");
}

#[tokio::test]
async fn a_deadline_already_behind_is_an_emulator_s_and_the_budget_applies() {
    // cargo lambda's runtime emulator sends `Lambda-Runtime-Deadline-Ms: 600000`.
    let (_org, handoff) = setup(&[]).await;
    let emulator_deadline = SystemTime::UNIX_EPOCH + Duration::from_millis(600_000);
    let answer = handoff.handle(first_leg("+14155550100"), Some(emulator_deadline)).await.expect("answered");
    assert_eq!(serde_json::to_value(answer).expect("JSON")["SfdcCaseOutcome"], "created");
}

#[tokio::test]
async fn logging_in_during_init_saves_the_first_invocation_a_round_trip() {
    let (org, handoff) = setup(&[]).await;
    handoff.prepare(Duration::from_secs(5)).await;
    assert_eq!(org.count(Route::Token), 1);
    org.reset_counts();
    invoke_ok(&handoff, first_leg("+14155550100")).await;
    assert_eq!(org.salesforce_requests(), 2, "search and composite, no token");
}

#[tokio::test]
async fn a_refused_or_hung_login_during_init_never_fails_init() {
    let (org, _) = setup(&[]).await;
    org.set_credentials("standin-client-id", "rotated");
    let handoff = handoff_for(&org, &[]).await;
    handoff.prepare(Duration::from_secs(5)).await;
    let error = invoke(&handoff, first_leg("+14155550100")).await.expect_err("still refused");
    assert_eq!(error.error_type(), "SalesforceAuthenticationFailed");

    org.set_credentials("standin-client-id", standin_org::CLIENT_SECRET);
    org.inject(Route::Token, Fault::Hang, 1);
    let handoff = handoff_for(&org, &[]).await;
    tokio::time::timeout(HANG_GUARD, handoff.prepare(Duration::from_millis(200))).await.expect("init gives up");
    invoke_ok(&handoff, first_leg("+14155550100")).await;
}

#[tokio::test]
async fn the_secret_is_read_during_init_too() {
    let (org, handoff) =
        setup(&[("SALESFORCE_SECRET_ARN", SECRET_ARN), ("SALESFORCE_CLIENT_ID", ""), ("SALESFORCE_CLIENT_SECRET", "")])
            .await;
    handoff.prepare(Duration::from_secs(5)).await;
    assert_eq!((org.count(Route::SecretsGetValue), org.count(Route::Token)), (1, 1));
    invoke_ok(&handoff, first_leg("+14155550100")).await;
    assert_eq!((org.count(Route::SecretsGetValue), org.count(Route::Token)), (1, 1));
}

#[tokio::test]
async fn a_500_is_salesforce_unavailable_not_a_refusal() {
    let (org, handoff) = setup(&[]).await;
    org.inject(Route::Composite, Fault::Status(500), 1);
    let error = invoke(&handoff, first_leg("+14155550100")).await.expect_err("fails");
    assert_eq!(error.error_type(), "SalesforceUnavailable");
    assert!(error.to_string().contains("UNKNOWN_EXCEPTION"), "{error}");
    org.inject(Route::Token, Fault::Status(500), 1);
    let fresh = handoff_for(&org, &[]).await;
    let error = invoke(&fresh, first_leg("+14155550100")).await.expect_err("fails");
    assert_eq!(error.error_type(), "SalesforceUnavailable");
}

#[tokio::test]
async fn a_connection_reset_is_retried_where_sending_again_is_safe() {
    let (org, handoff) = setup(&[]).await;
    org.inject(Route::Search, Fault::Reset, 1);
    let answer = invoke_ok(&handoff, first_leg("+14155550100")).await;
    assert_eq!(answer["SfdcCaseOutcome"], "created");
    assert_eq!(org.count(Route::Search), 2, "the search is idempotent: sent again");

    // A create whose answer was cut may have made the case: sending it again could make a second one.
    org.inject(Route::Composite, Fault::Reset, 1);
    let error = invoke(&handoff, first_leg("+14155550100")).await.expect_err("not sent again");
    assert_eq!(error.error_type(), "SalesforceUnavailable");
    assert_eq!(org.count(Route::Composite), 2);
}

#[tokio::test]
async fn with_the_external_id_a_reset_create_is_sent_again() {
    let (org, handoff) = setup(&[("CASE_EXTERNAL_ID_FIELD", standin_org::EXTERNAL_ID_FIELD)]).await;
    org.inject(Route::Composite, Fault::Reset, 1);
    let answer = invoke_ok(&handoff, first_leg("+14155550100")).await;
    assert_eq!(answer["SfdcCaseId"].as_str().map(str::len), Some(18));
    assert_eq!(org.count(Route::Composite), 2);
    assert_eq!(org.cases().len(), 1);
}

#[tokio::test]
async fn aws_console_test_event_is_rejected_as_a_placeholder_not_as_missing_its_id() {
    let (org, handoff) = setup(&[]).await;
    let event = serde_json::from_str(include_str!("../../events/console-test-event.json")).expect("JSON");
    let error = invoke(&handoff, event).await.expect_err("placeholder ids");
    assert_eq!(error.error_type(), "InvalidEvent");
    let message = error.to_string();
    assert!(message.contains("ContactId is not an Amazon Connect contact id"), "{message}");
    assert!(!message.contains("no ContactId"), "{message}");
    assert_eq!(org.salesforce_requests(), 0, "no login, no search, no case");
    assert!(org.cases().is_empty());
}

#[tokio::test]
async fn right_after_a_slow_init_the_first_invocation_s_budget_counts_init() {
    // Init takes ~600 ms (a slow login); the case then takes ~500 ms: 1.1 s from init's start, over the
    // 1 s budget Connect has been counting since it invoked the cold container.
    let (org, handoff) = setup(&[("RESPONSE_BUDGET_MS", "1000")]).await;
    org.inject(Route::Token, Fault::Delay(Duration::from_millis(600)), 1);
    handoff.prepare(Duration::from_secs(1)).await;
    org.inject(Route::Composite, Fault::Delay(Duration::from_millis(500)), 1);
    let error = invoke(&handoff, first_leg("+14155550100")).await.expect_err("init's time counts");
    assert_eq!(error.error_type(), "ResponseBudgetExceeded");
}

#[tokio::test]
async fn a_first_invocation_long_after_init_has_the_whole_budget() {
    let (org, handoff) = setup(&[("RESPONSE_BUDGET_MS", "1000")]).await;
    org.inject(Route::Token, Fault::Delay(Duration::from_millis(600)), 1);
    handoff.prepare(Duration::from_secs(1)).await;
    // A provisioned container: the first event arrives well after init.
    tokio::time::sleep(Duration::from_millis(300)).await;
    org.inject(Route::Composite, Fault::Delay(Duration::from_millis(500)), 1);
    invoke_ok(&handoff, first_leg("+14155550100")).await;
    // And only the first invocation ever counts init.
    org.inject(Route::Composite, Fault::Delay(Duration::from_millis(500)), 1);
    invoke_ok(&handoff, transfer_leg("+14155550100", "500Dn0000000099IAA")).await;
}
