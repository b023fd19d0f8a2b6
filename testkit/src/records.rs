//! Contact records and the Lambda Kinesis events that carry them, in the shapes AWS documents (the
//! contact record data model; the Lambda Kinesis event), for the leg-record tests, the demo and the soak.

use base64::Engine;
use serde_json::{Value, json};

use crate::known::{FIRST_CONTACT, INSTANCE_ARN, SECOND_CONTACT};

/// A Lambda Kinesis event carrying `records`, with sequence numbers `first`, `first + 1`, ….
pub fn kinesis_batch(first: u64, records: &[Value]) -> Value {
    let records: Vec<Value> = records
        .iter()
        .enumerate()
        .map(|(n, record)| {
            let data = base64::engine::general_purpose::STANDARD.encode(record.to_string());
            kinesis_record(&sequence_number(first + n as u64), &data)
        })
        .collect();
    json!({"Records": records})
}

/// One Kinesis record holding `data` (base64) as Lambda delivers it.
pub fn kinesis_record(sequence_number: &str, data: &str) -> Value {
    json!({
        "kinesis": {"kinesisSchemaVersion": "1.0", "partitionKey": "connect", "sequenceNumber": sequence_number,
                    "data": data, "approximateArrivalTimestamp": 1_765_015_200.5},
        "eventSource": "aws:kinesis", "eventVersion": "1.0",
        "eventID": format!("shardId-000000000000:{sequence_number}"), "eventName": "aws:kinesis:record",
        "invokeIdentityArn": "arn:aws:iam::123456789012:role/connect-case-handoff",
        "awsRegion": "us-east-1",
        "eventSourceARN": "arn:aws:kinesis:us-east-1:123456789012:stream/connect-contact-records",
    })
}

/// Kinesis-looking sequence numbers, in order.
pub fn sequence_number(n: u64) -> String {
    format!("4959000000000000000000000000000000000000000000{n:010}")
}

/// A voice leg's contact record: `contact_id` of the call `initial_contact_id`, answered by `agent`
/// (a Connect username) after `queue`, carrying `attributes`, last updated at `updated` (`10:02:30`).
pub fn contact_record(
    contact_id: &str,
    initial_contact_id: &str,
    method: &str,
    agent: Option<&str>,
    attributes: Value,
    updated: &str,
) -> Value {
    json!({
        "AWSAccountId": "123456789012",
        "AWSContactTraceRecordFormatVersion": "2017-03-10",
        "Agent": agent.map(|username| json!({
            "ARN": format!("{INSTANCE_ARN}/agent/0b2ae5b7-3f2c-4a9e-9d1e-7c6b5a4f3e2d"),
            "AfterContactWorkDuration": 30, "AfterContactWorkStartTimestamp": "2026-12-06T10:02:00Z",
            "AgentInteractionDuration": 95, "ConnectedToAgentTimestamp": "2026-12-06T10:00:25Z",
            "CustomerHoldDuration": 10, "HierarchyGroups": null, "LongestHoldDuration": 10, "NumberOfHolds": 1,
            "RoutingProfile": {"ARN": format!("{INSTANCE_ARN}/routing-profile/1"), "Name": "Basic Routing Profile"},
            "Username": username,
        })),
        "AgentConnectionAttempts": 1,
        "Attributes": attributes,
        "Channel": "VOICE",
        "ConnectedToSystemTimestamp": "2026-12-06T10:00:05Z",
        "ContactId": contact_id,
        "CustomerEndpoint": {"Address": "+14155550100", "Type": "TELEPHONE_NUMBER"},
        "DisconnectReason": "CUSTOMER_DISCONNECT",
        "DisconnectTimestamp": "2026-12-06T10:02:00Z",
        "InitialContactId": initial_contact_id,
        "InitiationMethod": method,
        "InitiationTimestamp": "2026-12-06T10:00:05Z",
        "InstanceARN": INSTANCE_ARN,
        "LastUpdateTimestamp": format!("2026-12-06T{updated}Z"),
        "MediaStreams": [{"Type": "AUDIO"}],
        "NextContactId": null,
        "PreviousContactId": null,
        "Queue": {"ARN": format!("{INSTANCE_ARN}/queue/1"), "DequeueTimestamp": "2026-12-06T10:00:25Z",
                  "Duration": 18, "EnqueueTimestamp": "2026-12-06T10:00:07Z", "Name": "Support"},
        "Recording": {"Location": "connect-recordings/2026/12/06/5ca32fbd.wav", "Status": "AVAILABLE", "Type": "AUDIO"},
        "SystemEndpoint": {"Address": "+18005550199", "Type": "TELEPHONE_NUMBER"},
        "TransferCompletedTimestamp": null,
        "TransferredToEndpoint": null,
    })
}

/// The first leg's record, with the case the first leg answered.
pub fn first_leg_record(agent: Option<&str>, case_id: &str, updated: &str) -> Value {
    contact_record(FIRST_CONTACT, FIRST_CONTACT, "INBOUND", agent, json!({"SfdcCaseId": case_id}), updated)
}

/// The transfer leg's record.
pub fn transfer_leg_record(agent: Option<&str>, case_id: &str, updated: &str) -> Value {
    contact_record(SECOND_CONTACT, FIRST_CONTACT, "TRANSFER", agent, json!({"SfdcCaseId": case_id}), updated)
}
