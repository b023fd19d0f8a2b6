//! One Embedded Metric Format line per invocation, with the outcome or the error class.

use serde_json::Value;
use standin_org::Fault;
use standin_org::Route;

use testkit::*;

#[tokio::test]
async fn each_invocation_emits_its_outcome_requests_and_latency() {
    let (org, handoff) = setup(&[("RESPONSE_BUDGET_MS", "300")]).await;
    let (handoff, metrics) = Metrics::kept(handoff);

    let first = invoke_ok(&handoff, first_leg("+14155550100")).await;
    invoke_ok(&handoff, transfer_leg("+14155550100", first["SfdcCaseId"].as_str().expect("id"))).await;
    org.inject(Route::Search, Fault::Status(503), 1000);
    invoke(&handoff, first_leg("+14155550100")).await.expect_err("Salesforce down");
    invoke(&handoff, serde_json::json!([])).await.expect_err("malformed");

    let (docs, field) = (metrics.docs(), |name: &str| metrics.field(name));
    assert_eq!(field("Outcome"), ["created", "found", "SalesforceUnavailable", "InvalidEvent"]);
    let salesforce: Vec<u64> = field("SalesforceRequests").iter().filter_map(Value::as_u64).collect();
    assert_eq!(salesforce.len(), 4);
    // The first leg of a container without init: token, two describes, search, composite.
    assert_eq!((salesforce[0], salesforce[1], salesforce[3]), (5, 1, 0));
    assert!(salesforce[2] > 1, "retried while the budget allowed");
    assert_eq!(field("ConnectRequests"), [1, 0, 0, 0]);
    assert!(docs.iter().all(|d| d["Latency"].as_f64().is_some_and(|ms| ms >= 0.0)));
    assert!(docs.iter().all(|d| d["FunctionName"] == "connect-case-handoff"));
    assert!(docs.iter().all(|d| d["_aws"]["CloudWatchMetrics"][0]["Namespace"] == "ConnectCaseHandoff"));
}

#[tokio::test]
async fn a_misconfigured_container_answers_through_the_same_skeleton() {
    let (org, handoff) = setup(&[("HOME_COUNTRY", "Atlantis"), ("AWS_LAMBDA_FUNCTION_NAME", "handoff-prod")]).await;
    let (handoff, metrics) = Metrics::kept(handoff);

    let error = invoke(&handoff, first_leg("+14155550100")).await.expect_err("misconfigured");
    assert_eq!(error.error_type(), "ConfigurationError");
    assert!(error.to_string().contains("HOME_COUNTRY"), "{error}");
    invoke(&handoff, first_agent_connected()).await.expect_err("misconfigured");
    let report = invoke_ok(&handoff, serde_json::json!({"CheckSetup": {}})).await;
    assert_eq!(report["ok"], false);
    let checks = report["checks"].as_array().expect("checks");
    assert_eq!(checks.len(), 11, "every check is listed: {report:#}");
    assert!(
        checks.iter().all(|c| c["ok"] == false && c["detail"].as_str().is_some_and(|d| d.contains("HOME_COUNTRY"))),
        "{report:#}"
    );
    assert_eq!(org.salesforce_requests(), 0);

    let (docs, field) = (metrics.docs(), |name: &str| metrics.field(name));
    assert_eq!(field("Outcome"), ["ConfigurationError", "ConfigurationError", "setup-failed"]);
    assert!(docs.iter().all(|d| d["FunctionName"] == "handoff-prod"), "named whatever the configuration");
}

#[tokio::test]
async fn the_org_s_api_usage_is_the_metric_of_each_invocation_that_asked_salesforce() {
    let (org, handoff) = setup(&[]).await;
    let (handoff, metrics) = Metrics::kept(handoff);
    org.set_api_usage(1_000, 15_000);

    let first = invoke_ok(&handoff, first_leg("+14155550100")).await;
    let (used, allowed) = org.api_usage();
    invoke(&handoff, serde_json::json!([])).await.expect_err("malformed: asks nothing");
    org.set_api_usage(14_000, 15_000);
    invoke_ok(&handoff, transfer_leg("+14155550100", first["SfdcCaseId"].as_str().expect("id"))).await;

    let usage = metrics.field("SalesforceApiUsage");
    let expected = (used as f64 * 100.0 / allowed as f64 * 100.0).round() / 100.0;
    assert_eq!(usage[0].as_f64(), Some(expected), "the first leg's last answer: {used}/{allowed}");
    assert!(usage[1].is_null(), "no Salesforce request, no usage");
    assert_eq!(usage[2].as_f64(), Some(93.34), "14,001 of 15,000 after the transfer's one request");
    let declared = &metrics.docs()[0]["_aws"]["CloudWatchMetrics"][0]["Metrics"];
    assert!(
        declared
            .as_array()
            .is_some_and(|m| m.contains(&serde_json::json!({"Name": "SalesforceApiUsage", "Unit": "Percent"})))
    );

    // An org whose answers do not carry the header: no metric, rather than a stale one.
    org.set_limit_info_header(false);
    invoke_ok(&handoff, transfer_leg("+14155550100", first["SfdcCaseId"].as_str().expect("id"))).await;
    assert!(metrics.field("SalesforceApiUsage")[3].is_null());
}
