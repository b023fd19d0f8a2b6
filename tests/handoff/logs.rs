//! Log lines: structured, carrying the contact id, and free of secrets, tokens and full phone numbers.

use standin_org::{CLIENT_SECRET, Fault, Route};

use testkit::*;

fn assert_clean(text: &str) {
    for secret in [CLIENT_SECRET, "standin-session", "00DSTANDIN", "4155550100", "415-555-0100", "312345678"] {
        assert!(!text.contains(secret), "logs hold {secret:?}:\n{text}");
    }
}

#[tokio::test]
async fn a_call_logs_structured_lines_without_secrets_or_numbers() {
    let (org, handoff) = setup(&[]).await;
    org.add_caller("Ada", "Lovelace", "(415) 555-0100");
    let (logs, _guard) = Logs::capture();

    let first = invoke_ok(&handoff, first_leg("+14155550100")).await;
    org.expire_sessions();
    invoke_ok(&handoff, transfer_leg("+14155550100", first["SfdcCaseId"].as_str().expect("id"))).await;
    invoke_ok(&handoff, first_leg("+81312345678")).await;

    let lines = logs.lines();
    let answered: Vec<_> = lines.iter().filter(|l| l["message"] == "answered").collect();
    assert_eq!(answered.len(), 3, "{}", logs.text());
    for line in &answered {
        assert_eq!(line["span"]["contact_id"].as_str().map(str::len), Some(36), "{line}");
        assert!(line["salesforce_requests"].is_u64(), "{line}");
        assert!(line["span"]["caller"].as_str().is_some_and(|c| c.contains('…')), "{line}");
    }
    assert_eq!(answered[0]["outcome"], "created");
    assert_eq!(answered[1]["outcome"], "found");
    assert_eq!(answered[1]["span"]["contact_id"], SECOND_CONTACT);
    assert_clean(&logs.text());
}

#[tokio::test]
async fn failures_log_their_class_without_secrets_or_numbers() {
    let (org, handoff) = setup(&[("RESPONSE_BUDGET_MS", "300")]).await;
    let (logs, _guard) = Logs::capture();

    org.set_credentials("standin-client-id", "rotated");
    invoke(&handoff, first_leg("+14155550100")).await.expect_err("bad credentials");
    org.set_credentials("standin-client-id", CLIENT_SECRET);
    // A container that was refused waits out a pause before asking again; the next failure is another's.
    let handoff = handoff_for(&org, &[("RESPONSE_BUDGET_MS", "300")]).await;
    org.inject(Route::Composite, Fault::Status(400), 1);
    invoke(&handoff, first_leg("+14155550100")).await.expect_err("rejected");
    invoke(&handoff, serde_json::json!({"Details": "+14155550100"})).await.expect_err("malformed");

    let types: Vec<_> = logs.lines().iter().filter_map(|l| l["error_type"].as_str().map(str::to_owned)).collect();
    assert_eq!(
        types,
        ["SalesforceAuthenticationFailed", "SalesforceRequestRejected", "InvalidEvent"],
        "{}",
        logs.text()
    );
    assert!(logs.text().contains("rejected a malformed event"));
    let failed: Vec<_> = logs.lines().into_iter().filter(|l| l["message"] == "failed").collect();
    assert_eq!(failed.len(), 2, "{}", logs.text());
    for line in &failed {
        assert!(line["span"]["caller"].as_str().is_some_and(|c| c.contains('…')), "{line}");
        assert_eq!(line["retryable"], false, "a refusal is not worth retrying: {line}");
    }
    assert_clean(&logs.text());
}

#[tokio::test]
async fn init_logs_its_parts_and_what_reading_the_describes_cost() {
    let (org, handoff) = setup(&[]).await;
    org.set_setup(standin_org::Setup { describe_padding: standin_org::REAL_ORG_PADDING, ..org.setup() });
    let (logs, _guard) = Logs::capture();
    handoff.prepare(std::time::Duration::from_secs(5)).await;

    let lines = logs.lines();
    let line = |start: &str| {
        lines
            .iter()
            .find(|l| l["message"].as_str().is_some_and(|m| m.starts_with(start)))
            .cloned()
            .unwrap_or_else(|| panic!("no line {start:?} in {}", logs.text()))
    };
    let init = line("logged in to Salesforce");
    for part in ["clients_ms", "login_ms", "describes_ms", "metadata_ms", "init_ms"] {
        assert!(init[part].as_f64().is_some_and(|ms| ms >= 0.0), "{part}: {init}");
    }
    let learned = line("learned the org's phone fields");
    assert!(learned["describe_kb"].as_u64().is_some_and(|kb| kb > 500), "two real-sized describes: {learned}");
    assert!(learned["parse_ms"].as_f64().is_some_and(|ms| ms > 0.0), "{learned}");
    assert_clean(&logs.text());
}
