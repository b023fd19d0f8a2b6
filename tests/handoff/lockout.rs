//! A wrong or rotated-away secret must not lock the run-as user out: Salesforce blocks a user for up to an
//! hour after 3,600 logins in an hour. After a refusal a container waits 30 s, then twice as long after each
//! further refusal, up to 15 minutes (within 20% either way); it reads the secret again before each new
//! login, so a corrected secret works without a redeploy; and the setup check asks at once, its success
//! ending the wait. Time is tokio's paused clock, moved by hand between invocations.

use std::time::Duration;

use serde_json::json;
use standin_org::{CLIENT_ID, CLIENT_SECRET, Route, SECRET_ARN, StandinOrg};

use testkit::*;

const FROM_SECRET: [(&str, &str); 3] =
    [("SALESFORCE_SECRET_ARN", SECRET_ARN), ("SALESFORCE_CLIENT_ID", ""), ("SALESFORCE_CLIENT_SECRET", "")];

fn secret(client_secret: &str) -> String {
    json!({"client_id": CLIENT_ID, "client_secret": client_secret}).to_string()
}

/// Moves the clock `seconds` forward, with nothing else running meanwhile.
async fn wait(seconds: u64) {
    tokio::time::pause();
    tokio::time::advance(Duration::from_secs(seconds)).await;
    tokio::time::resume();
}

/// A container whose secret holds a rotated-away client secret.
async fn locked_out() -> (StandinOrg, connect_case_handoff::Handoff) {
    let (org, handoff) = setup(&FROM_SECRET).await;
    org.set_secret(SECRET_ARN, &secret("rotated-away"));
    (org, handoff)
}

#[tokio::test]
async fn refusals_double_the_wait_up_to_fifteen_minutes_and_each_login_reads_the_secret_again() {
    let (org, handoff) = locked_out().await;
    // A call every 5 s for two simulated hours: when does the container ask the token endpoint?
    let mut asked_at = Vec::new();
    for second in (0..7200).step_by(5) {
        let tokens = org.count(Route::Token);
        let error = invoke(&handoff, first_leg("+14155550100")).await.expect_err("refused");
        assert_eq!(error.error_type(), "SalesforceAuthenticationFailed");
        if org.count(Route::Token) > tokens {
            asked_at.push(second);
        } else {
            assert!(error.to_string().contains("not asking again"), "{error}");
        }
        wait(5).await;
    }
    let gaps: Vec<u64> = asked_at.windows(2).map(|w| w[1] - w[0]).collect();
    let doubling = [30, 60, 120, 240, 480, 900, 900, 900];
    assert!(gaps.len() >= doubling.len(), "{gaps:?}");
    for (gap, base) in gaps.iter().zip(doubling) {
        // Within 20% of the doubling, to the next 5 s call.
        assert!(*gap as f64 >= 0.8 * base as f64 && *gap as f64 <= 1.2 * base as f64 + 5.0, "{gaps:?}");
    }
    // 12 at the doubling itself, 14 with every pause 20% short: against 240 at a fixed 30 s.
    assert!((11..=14).contains(&asked_at.len()), "{} logins in two hours", asked_at.len());
    assert_eq!(org.count(Route::SecretsGetValue), asked_at.len(), "the secret read again before each login");

    // The secret is fixed: the next login after the wait uses it, with no redeploy.
    org.set_secret(SECRET_ARN, &secret(CLIENT_SECRET));
    wait(1100).await;
    let answer = invoke_ok(&handoff, first_leg("+14155550100")).await;
    assert_eq!(answer["SfdcCaseOutcome"], "created");
}

#[tokio::test]
async fn the_setup_check_asks_at_once_and_its_success_ends_the_wait() {
    let (org, handoff) = locked_out().await;
    for _ in 0..3 {
        invoke(&handoff, first_leg("+14155550100")).await.expect_err("refused");
        wait(200).await;
    }
    let tokens = org.count(Route::Token);
    assert_eq!(tokens, 3, "three refusals: 30 s, then 60 s, then a 120 s wait under way");

    // Still refused, the check asks all the same and says why.
    let report = invoke_ok(&handoff, json!({"CheckSetup": {}})).await;
    let (ok, detail) = named_check(&report, "login");
    assert!(!ok && detail.contains("invalid_client") && detail.contains("To fix"), "{detail}");
    assert_eq!(org.count(Route::Token), tokens + 1, "the check does not wait");

    // The admin fixes the secret and checks again: the login passes, and the calls work at once.
    org.set_secret(SECRET_ARN, &secret(CLIENT_SECRET));
    let report = invoke_ok(&handoff, json!({"CheckSetup": {}})).await;
    assert!(named_check(&report, "login").0, "{report:#}");
    let answer = invoke_ok(&handoff, first_leg("+14155550100")).await;
    assert_eq!(answer["SfdcCaseOutcome"], "created", "the wait ended with the check's success");
}

#[tokio::test]
async fn a_secret_that_cannot_be_read_starts_no_wait() {
    let (org, handoff) = setup(&FROM_SECRET).await;
    org.set_secret(SECRET_ARN, "not json");
    invoke(&handoff, first_leg("+14155550100")).await.expect_err("no credentials");
    org.set_secret(SECRET_ARN, &secret(CLIENT_SECRET));
    let answer = invoke_ok(&handoff, first_leg("+14155550100")).await;
    assert_eq!(answer["SfdcCaseOutcome"], "created", "no Salesforce login was refused, so nothing to wait out");
}
