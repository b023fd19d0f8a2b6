//! What real Salesforce and real AWS answer at the edges: an API version older than the function reads, an
//! all-or-none composite whose later part fails, case numbers in any display format, EventBridge events
//! from elsewhere, and the answers other client libraries recorded from real orgs.

use serde_json::json;
use standin_org::{Route, Setup, StandinOrg};

use testkit::*;

#[tokio::test]
async fn an_api_version_older_than_the_function_reads_is_a_configuration_error_everywhere() {
    for version in ["35.0", "39.0"] {
        let (org, handoff) =
            setup(&[("SALESFORCE_API_VERSION", version), ("CONNECT_INSTANCE_ARN", INSTANCE_ARN)]).await;
        org.add_caller("Ada", "Lovelace", "(415) 555-0100");
        let error = invoke(&handoff, first_leg("+14155550100")).await.expect_err("refused");
        assert_eq!(error.error_type(), "ConfigurationError", "{version}");
        assert!(error.to_string().contains("SALESFORCE_API_VERSION") && error.to_string().contains("40.0"), "{error}");
        assert_eq!(org.salesforce_requests(), 0, "nothing is sent at a version whose answers it cannot read");
        let owner = invoke(&handoff, first_agent_connected()).await.expect_err("refused");
        assert_eq!(owner.error_type(), "ConfigurationError");

        let report = invoke_ok(&handoff, json!({"CheckSetup": {}})).await;
        let check =
            |name: &str| report["checks"].as_array().and_then(|c| c.iter().find(|c| c["name"] == name)).cloned();
        let api = check("api_version").expect("api_version");
        assert_eq!(api["ok"], false);
        assert!(
            api["detail"].as_str().is_some_and(|d| d.contains("SALESFORCE_API_VERSION") && d.contains("40.0")),
            "{report:#}"
        );
        let search = check("phone_search").expect("phone_search");
        assert!(
            search["detail"].as_str().is_some_and(|d| d.starts_with("not run")),
            "no blame on permissions: {report:#}"
        );
        assert_eq!(org.count(Route::Search), 0);
    }
}

#[tokio::test]
async fn a_halted_composite_names_the_part_that_failed_and_is_not_sent_again() {
    let (org, handoff) = setup(&[]).await;
    org.add_caller("Ada", "Lovelace", "(415) 555-0100");
    org.set_setup(Setup { unreadable_case_fields: vec!["CaseNumber"], ..Setup::default() });
    let error = invoke(&handoff, first_leg("+14155550100")).await.expect_err("the read back is refused");
    let text = error.to_string();
    assert_eq!(error.error_type(), "SalesforceRequestRejected");
    assert!(text.contains("read back of the new case") && text.contains("INVALID_FIELD"), "{text}");
    assert!(!text.contains("PROCESSING_HALTED"), "{text}");
    assert_eq!(org.count(Route::Composite), 1, "a refused read is no reason to write the case differently");
    assert!(org.cases().is_empty(), "all or none: the create was rolled back");
}

#[tokio::test]
async fn a_refused_create_is_named_and_made_once_more_without_the_flow_s_fields() {
    let (org, handoff) = setup(&[]).await;
    org.restrict_origin(&["Web"]);
    let (logs, _guard) = Logs::capture();
    let answer = invoke_ok(&handoff, first_leg("+14155550100")).await;
    assert_eq!(answer["SfdcCaseOutcome"], "created");
    assert_eq!(org.count(Route::Composite), 2);
    assert!(logs.text().contains("case create: HTTP 400 INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST"), "{}", logs.text());
}

#[tokio::test]
async fn case_numbers_in_any_display_format_are_answered_as_given() {
    for prefix in ["CS/2026-", "CASE ", "Dossier n°"] {
        let (org, handoff) = setup(&[]).await;
        org.set_setup(Setup { case_number_prefix: Some(prefix.into()), ..Setup::default() });
        let answer = invoke_ok(&handoff, first_leg("+14155550100")).await;
        assert_eq!(answer["SfdcCaseNumber"], format!("{prefix}001001"));
        assert_eq!(org.cases().len(), 1, "one case, answered");
        let transfer =
            invoke_ok(&handoff, transfer_leg("+14155550100", answer["SfdcCaseId"].as_str().unwrap_or_default())).await;
        assert_eq!(transfer["SfdcCaseNumber"], format!("{prefix}001001"));
    }
}

#[tokio::test]
async fn an_eventbridge_event_from_elsewhere_succeeds_with_a_warning_and_changes_nothing() {
    let (org, handoff) = setup(&[]).await;
    let (logs, _guard) = Logs::capture();
    for (source, detail_type) in [
        ("aws.ec2", "EC2 Instance State-change Notification"),
        ("aws.connect", "Amazon Connect Agent Event"),
        ("custom.app", "Amazon Connect Contact Event"),
    ] {
        let event = json!({"version": "0", "id": "6a7e8feb-b491-4cf7-a9f1-bf3703467718", "source": source,
            "detail-type": detail_type, "account": "123456789012", "region": "us-east-1", "detail": {"state": "running"}});
        let report = invoke_ok(&handoff, event).await;
        assert_eq!(report["owner"], "ignored", "{source} / {detail_type}");
        assert!(report["detail"].as_str().is_some_and(|d| d.contains(source)), "{report}");
    }
    assert_eq!(org.salesforce_requests() + org.count(Route::ConnectGetAttributes), 0);
    let warnings = logs.lines().into_iter().filter(|l| l["level"] == "WARN").count();
    assert_eq!(warnings, 3, "{}", logs.text());
}

#[tokio::test]
async fn answers_in_the_shapes_real_orgs_recorded_are_read() {
    // The pre-v37 search answer is a bare array: the stand-in plays it, and the function never asks for it.
    let org = StandinOrg::start().await.expect("org");
    org.add_caller("Ada", "Lovelace", "(415) 555-0100");
    let old = handoff_for(&org, &[("SALESFORCE_API_VERSION", "36.0")]).await;
    assert_eq!(invoke(&old, first_leg("+14155550100")).await.expect_err("refused").error_type(), "ConfigurationError");
    assert_eq!(org.count(Route::Search), 0);
    // Today's token answer (with api_instance_url) and the halted composite are what every other test reads.
    let handoff = handoff_for(&org, &[]).await;
    assert_eq!(invoke_ok(&handoff, first_leg("+14155550100")).await["SfdcContactMatches"], "1");
}
