//! What the integration tests, the call demo, the soak run and the benchmark share: a stand-in org on
//! loopback, the real handler pointed at it, Connect events, and the JSON log lines the handler writes.

mod known;
mod records;
mod runtime_api;

pub use known::{FIRST_CONTACT, HANG_GUARD, INSTANCE_ARN, INSTANCE_ID, SECOND_CONTACT};
pub use records::{
    contact_record, first_leg_record, kinesis_batch, kinesis_record, sequence_number, transfer_leg_record,
};
pub use runtime_api::{Posted, RuntimeApi, spawn_bootstrap};

use std::io::Write;
use std::sync::{Arc, Mutex};

use aws_config::{BehaviorVersion, Region, SdkConfig};
use connect_case_handoff::{DEFAULT_LOG_FILTER, Handoff, HandoffError, Https, json_log_subscriber};
use serde_json::{Value, json};
use standin_org::{CLIENT_ID, CLIENT_SECRET, StandinOrg};

/// A stand-in org and a warm-able container's handler, configured by `vars` on top of working defaults.
pub async fn setup(vars: &[(&str, &str)]) -> (StandinOrg, Handoff) {
    let org = StandinOrg::start().await.expect("stand-in org starts");
    let handoff = handoff_for(&org, vars).await;
    (org, handoff)
}

pub async fn handoff_for(org: &StandinOrg, vars: &[(&str, &str)]) -> Handoff {
    handoff_at(&org.url(), vars).await
}

/// The handler of one container, configured for the stand-in org at `url` by `vars` on top of defaults.
pub async fn handoff_at(url: &str, vars: &[(&str, &str)]) -> Handoff {
    // What `Handoff::prepare` does at container init besides logging in, so that no test's first call
    // (some with budgets of a few hundred ms) waits for libphonenumber's metadata.
    connect_case_handoff::load_phone_metadata();
    let url = url.to_owned();
    let mut all = vec![
        ("SALESFORCE_URL".to_owned(), url.clone()),
        ("SALESFORCE_CLIENT_ID".to_owned(), CLIENT_ID.to_owned()),
        ("SALESFORCE_CLIENT_SECRET".to_owned(), CLIENT_SECRET.to_owned()),
    ];
    all.extend(vars.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())));
    // A configuration the function refuses is the handler's to answer, as in a deployed container.
    let lookup = |name: &str| all.iter().rev().find(|(k, _)| k == name).map(|(_, v)| v.clone());
    let https = Https::new();
    Handoff::from_lookup(lookup, &https, &sdk_config(&url, &https).await)
}

/// AWS SDK configuration aimed at the stand-in org, as `AWS_ENDPOINT_URL` would aim it, sending through
/// `https` as the function's own does.
pub async fn sdk_config(url: &str, https: &Https) -> SdkConfig {
    aws_config::defaults(BehaviorVersion::latest())
        .http_client(https.for_aws_sdk())
        .region(Region::new("us-east-1"))
        .credentials_provider(aws_sdk_connect::config::Credentials::new(
            "AKIDSTANDIN",
            "standin-secret-key",
            None,
            None,
            "standin",
        ))
        .endpoint_url(url)
        .load()
        .await
}

pub fn voice_event(
    contact_id: &str,
    initial_contact_id: &str,
    address: Value,
    attributes: Value,
    parameters: Value,
) -> Value {
    json!({
        "Details": {
            "ContactData": {
                "Attributes": attributes,
                "Channel": "VOICE",
                "ContactId": contact_id,
                "CustomerEndpoint": {"Address": address, "Type": "TELEPHONE_NUMBER"},
                "InitialContactId": initial_contact_id,
                "InitiationMethod": if attributes.get("SfdcCaseId").is_some() { "TRANSFER" } else { "INBOUND" },
                "InstanceARN": INSTANCE_ARN,
                "MediaStreams": {"Customer": {"Audio": null}},
                "PreviousContactId": initial_contact_id,
                "Queue": null,
                "SystemEndpoint": {"Address": "+18005550199", "Type": "TELEPHONE_NUMBER"}
            },
            "Parameters": parameters
        },
        "Name": "ContactFlowEvent"
    })
}

/// A first leg from `address`.
pub fn first_leg(address: &str) -> Value {
    voice_event(FIRST_CONTACT, FIRST_CONTACT, json!(address), json!({}), json!({}))
}

pub use standin_org::{FIRST_AGENT, SECOND_AGENT};

/// An EventBridge contact event of `event_type` for `contact_id` (with `initial_contact_id` when it is a
/// later leg), answered by agent `agent_user_id`, in the documented shape.
pub fn contact_event(
    event_type: &str,
    contact_id: &str,
    initial_contact_id: Option<&str>,
    agent_user_id: &str,
) -> Value {
    let mut detail = json!({
        "eventType": event_type,
        "contactId": contact_id,
        "channel": "VOICE",
        "instanceArn": INSTANCE_ARN,
        "initiationMethod": if initial_contact_id.is_some() { "TRANSFER" } else { "INBOUND" },
        "agentInfo": {"agentArn": format!("{INSTANCE_ARN}/agent/{agent_user_id}")},
    });
    if let Some(initial) = initial_contact_id {
        detail["initialContactId"] = json!(initial);
        detail["previousContactId"] = json!(initial);
    }
    json!({
        "version": "0",
        "id": "6d3e8f5a-1b2c-4d3e-9f4a-5b6c7d8e9f0a",
        "detail-type": "Amazon Connect Contact Event",
        "source": "aws.connect",
        "account": "123456789012",
        "time": "2026-11-24T10:00:00Z",
        "region": "us-east-1",
        "resources": [INSTANCE_ARN, format!("{INSTANCE_ARN}/contact/{contact_id}")],
        "detail": detail,
    })
}

/// The first agent answering the call's first contact.
pub fn first_agent_connected() -> Value {
    contact_event("CONNECTED_TO_AGENT", FIRST_CONTACT, None, FIRST_AGENT)
}

/// A first leg from `address` to a contact center reached at `system_address` (its country is the home
/// country unless `HOME_COUNTRY` says otherwise).
pub fn first_leg_to(address: &str, system_address: &str) -> Value {
    let mut event = first_leg(address);
    event["Details"]["ContactData"]["SystemEndpoint"]["Address"] = json!(system_address);
    event
}

/// The transfer leg of the first leg's call, carrying `case_id` in `SfdcCaseId`.
pub fn transfer_leg(address: &str, case_id: &str) -> Value {
    voice_event(SECOND_CONTACT, FIRST_CONTACT, json!(address), json!({"SfdcCaseId": case_id}), json!({}))
}

/// Runs one invocation and answers the JSON the caller would see (for a flow, a flat map of strings).
pub async fn invoke(handoff: &Handoff, event: Value) -> Result<Value, HandoffError> {
    handoff.handle(event, None).await.map(|response| serde_json::to_value(response).expect("answer serializes"))
}

pub async fn invoke_ok(handoff: &Handoff, event: Value) -> Value {
    match invoke(handoff, event).await {
        Ok(answer) => answer,
        Err(error) => panic!("invocation failed: {} {error}", error.error_type()),
    }
}

/// The check named `name` in a `CheckSetup` report: (ok, detail). Panics when the report has no such check.
pub fn named_check(report: &Value, name: &str) -> (bool, String) {
    let check = report["checks"].as_array().and_then(|c| c.iter().find(|c| c["name"] == name)).cloned();
    let check = check.unwrap_or_else(|| panic!("no check {name} in {report}"));
    (check["ok"] == true, check["detail"].as_str().unwrap_or_default().to_owned())
}

/// The metrics lines (CloudWatch EMF documents) a container writes, kept for a test to read.
#[derive(Clone, Default)]
pub struct Metrics(Arc<Mutex<Vec<String>>>);

impl Metrics {
    /// `handoff`, writing its metrics lines here instead of standard output.
    pub fn kept(handoff: Handoff) -> (Handoff, Self) {
        let metrics = Self::default();
        let sink = metrics.0.clone();
        (handoff.with_metrics_sink(move |line| sink.lock().expect("lines").push(line.to_owned())), metrics)
    }

    /// Every line so far, read as JSON.
    pub fn docs(&self) -> Vec<Value> {
        self.0.lock().expect("lines").iter().map(|line| serde_json::from_str(line).expect("EMF is JSON")).collect()
    }

    /// The field `name` of every line so far.
    pub fn field(&self, name: &str) -> Vec<Value> {
        self.docs().iter().map(|doc| doc[name].clone()).collect()
    }
}

/// JSON log lines written on this thread (which `#[tokio::test]` runs on) while the guard lives.
///
/// One global subscriber serves every capture, writing each line to the capturing thread's buffer. A
/// subscriber per test (`set_default`) would not do: tracing caches per call site whether anyone listens,
/// and a test on another thread reaching a call site first could leave a capture blind to it.
#[derive(Clone, Default)]
pub struct Logs(Arc<Mutex<Vec<u8>>>);

thread_local! {
    static CAPTURING: std::cell::RefCell<Option<Logs>> = const { std::cell::RefCell::new(None) };
}

/// Ends this thread's capture when dropped.
pub struct Capturing(());

impl Drop for Capturing {
    fn drop(&mut self) {
        CAPTURING.with(|capture| capture.borrow_mut().take());
    }
}

/// Writes a log line to the capture of the thread that logged it, or nowhere.
struct ThisThread;

impl Write for ThisThread {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        CAPTURING.with(|capture| {
            if let Some(logs) = capture.borrow_mut().as_mut() {
                logs.write_all(buf)?;
            }
            Ok(buf.len())
        })
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Logs {
    pub fn capture() -> (Self, Capturing) {
        static GLOBAL: std::sync::Once = std::sync::Once::new();
        GLOBAL.call_once(|| {
            let filter = format!("{DEFAULT_LOG_FILTER},connect_case_handoff=trace");
            // Fails only where a program installed its own, and then nothing is captured, visibly.
            let _ = tracing::subscriber::set_global_default(json_log_subscriber(|| ThisThread, &filter));
        });
        let logs = Self::default();
        CAPTURING.with(|capture| *capture.borrow_mut() = Some(logs.clone()));
        (logs, Capturing(()))
    }

    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().expect("log buffer")).into_owned()
    }

    pub fn lines(&self) -> Vec<Value> {
        self.text().lines().map(|line| serde_json::from_str(line).expect("every log line is JSON")).collect()
    }
}

impl Write for Logs {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().expect("log buffer").extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// A memory figure of this process from /proc/self/status (`VmRSS:`, `VmHWM:`), in kB; 0 where there is
/// none. For the benchmark and the soak run.
pub fn status_kb(field: &str) -> u64 {
    process_status_kb("self", field)
}

/// The same figure of process `pid` (`"self"`, or a child's id), from /proc/<pid>/status.
pub fn process_status_kb(pid: &str, field: &str) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|s| s.lines().find(|l| l.starts_with(field))?.split_whitespace().nth(1)?.parse().ok())
        .unwrap_or_default()
}
