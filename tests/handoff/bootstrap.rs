//! The built bootstrap binary, run as Lambda runs it: against a stand-in Runtime API and the stand-in org.

use std::time::Duration;

use serde_json::{Value, json};
use standin_org::{Fault, Route, StandinOrg};

use testkit::*;

const BOOTSTRAP: &str = env!("CARGO_BIN_EXE_connect-case-handoff");

/// Runs `events` through one container of the real binary; answers what it posted and its log lines.
async fn run_container(org: &StandinOrg, events: Vec<Value>) -> (Vec<Posted>, Vec<Value>) {
    let count = events.len();
    let runtime = RuntimeApi::start(events).await.expect("runtime API starts");
    let mut child = spawn_bootstrap(BOOTSTRAP, &runtime, &org.url(), &[]).expect("bootstrap starts");
    let posted = runtime.posted(count, Duration::from_secs(60)).await;
    let _ = child.kill();
    let output = child.wait_with_output().expect("bootstrap output");
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    let lines = stdout
        .lines()
        .map(|line| serde_json::from_str(line).unwrap_or_else(|_| panic!("a log line is not JSON: {line}")))
        .collect();
    assert_eq!(posted.len(), count, "stdout:\n{stdout}\nstderr:\n{}", String::from_utf8_lossy(&output.stderr));
    (posted.into_iter().map(|(_, p)| p).collect(), lines)
}

#[tokio::test]
async fn the_binary_answers_each_leg_and_logs_each_failure_once() {
    let org = StandinOrg::start().await.expect("stand-in org starts");
    org.add_caller("Ada", "Lovelace", "(415) 555-0100");
    // The first leg's composite request is refused as a whole: a rejection, not retried (only a refused
    // create is made again without the flow's fields).
    org.inject(Route::Composite, Fault::Status(400), 1);
    let events = vec![json!({"Details": "+14155550100"}), first_leg("+14155550100"), first_leg("+14155550100")];

    let (posted, lines) = run_container(&org, events).await;

    let error_types: Vec<_> = posted
        .iter()
        .map(|p| match p {
            Posted::Error { body, .. } => body["errorType"].as_str().unwrap_or("none").to_owned(),
            Posted::Response(answer) => {
                assert_eq!(answer["SfdcCaseOutcome"], "created", "{answer}");
                "answered".to_owned()
            }
            Posted::InitError(body) => panic!("init failed: {body}"),
        })
        .collect();
    assert_eq!(error_types, ["InvalidEvent", "SalesforceRequestRejected", "answered"]);

    let errors: Vec<_> = lines.iter().filter(|l| l["level"] == "ERROR").collect();
    let logged: Vec<_> = errors.iter().map(|l| l["error_type"].as_str().unwrap_or("none")).collect();
    assert_eq!(logged, ["InvalidEvent", "SalesforceRequestRejected"], "one ERROR line per failure: {errors:#?}");
    assert_eq!(errors[1]["span"]["contact_id"], FIRST_CONTACT, "{}", errors[1]);
    assert!(lines.iter().any(|l| l["message"] == "answered" && l["outcome"] == "created"), "{lines:#?}");
}
