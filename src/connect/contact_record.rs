//! Connect's contact records (contact trace records) as the instance's data stream delivers them: a Lambda
//! Kinesis event whose `Records[].kinesis.data` is a base64 JSON record, one per leg, sent at least once and
//! again when Connect learns more. Each record is read on its own: one that is not a contact record is
//! rejected with its sequence number, never blocking the others.

use std::collections::HashMap;

use base64::Engine;
use serde::Deserialize;
use serde_json::Value;

use super::ids::is_uuid;
use super::words::{Channel, InitiationMethod};
use crate::time::Moment;

/// One Lambda Kinesis event: each record with its sequence number, read or rejected.
#[derive(Debug)]
pub struct RecordBatch {
    pub records: Vec<StreamRecord>,
}

/// One Kinesis record: its sequence number (the `itemIdentifier` a retry names) and what it held.
#[derive(Debug)]
pub struct StreamRecord {
    pub sequence_number: String,
    pub contact: Result<ContactRecord, RecordError>,
}

/// Why a Kinesis record is not a contact record; never a value from it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RecordError {
    #[error("its data is not base64")]
    NotBase64,
    #[error("its data is not a JSON contact record ({0})")]
    NotAContactRecord(String),
    #[error("its ContactId is not an Amazon Connect contact id")]
    BadContactId,
}

impl RecordBatch {
    /// Whether `payload` is a Lambda Kinesis event (`Records[].eventSource` `aws:kinesis`).
    pub fn is_one(payload: &Value) -> bool {
        payload.get("Records").and_then(Value::as_array).is_some_and(|records| {
            records.first().and_then(|r| r.get("eventSource")).and_then(Value::as_str) == Some("aws:kinesis")
        })
    }

    /// Reads every record; a Kinesis record without a sequence number cannot be named for a retry, so it
    /// is left out (and said so by the count).
    pub fn from_value(payload: &Value) -> Result<Self, super::EventError> {
        let records = payload
            .get("Records")
            .and_then(Value::as_array)
            .ok_or_else(|| super::EventError::Shape("a Kinesis event needs Records".into()))?;
        let records = records
            .iter()
            .filter_map(|record| {
                let kinesis = record.get("kinesis")?;
                let sequence_number = kinesis.get("sequenceNumber")?.as_str()?.to_owned();
                let data = kinesis.get("data").and_then(Value::as_str).unwrap_or_default();
                Some(StreamRecord { sequence_number, contact: ContactRecord::from_base64(data) })
            })
            .collect();
        Ok(Self { records })
    }
}

/// One leg's contact record: the fields the function writes onto the case, in Connect's words read once
/// (the channel and how the leg began as enums, timestamps as moments; one that is not a UTC timestamp is
/// no moment at all).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ContactRecord {
    pub contact_id: String,
    #[serde(default)]
    pub initial_contact_id: Option<String>,
    #[serde(default)]
    pub next_contact_id: Option<String>,
    #[serde(default, rename = "Channel", deserialize_with = "channel")]
    pub channel: Option<Channel>,
    #[serde(default)]
    pub initiation_method: Option<InitiationMethod>,
    #[serde(default, deserialize_with = "moment")]
    pub initiation_timestamp: Option<Moment>,
    #[serde(default, deserialize_with = "moment")]
    pub disconnect_timestamp: Option<Moment>,
    #[serde(default, deserialize_with = "moment")]
    pub last_update_timestamp: Option<Moment>,
    #[serde(default)]
    pub disconnect_reason: Option<String>,
    /// User-defined attributes; only string values are kept.
    #[serde(default, deserialize_with = "string_map")]
    pub attributes: HashMap<String, String>,
    #[serde(default)]
    pub agent: Option<RecordAgent>,
    #[serde(default)]
    pub queue: Option<RecordQueue>,
    #[serde(default)]
    pub recording: Option<RecordRecording>,
    #[serde(default)]
    pub customer_endpoint: Option<RecordEndpoint>,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct RecordAgent {
    #[serde(default)]
    pub username: Option<String>,
    #[serde(default)]
    pub agent_interaction_duration: Option<f64>,
    #[serde(default)]
    pub customer_hold_duration: Option<f64>,
    #[serde(default)]
    pub after_contact_work_duration: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct RecordQueue {
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub duration: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct RecordRecording {
    #[serde(default)]
    pub location: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct RecordEndpoint {
    #[serde(default)]
    pub address: Option<String>,
}

fn moment<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<Option<Moment>, D::Error> {
    let text: Option<std::borrow::Cow<'de, str>> = Option::deserialize(deserializer)?;
    Ok(text.as_deref().and_then(Moment::parse))
}

fn channel<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<Option<Channel>, D::Error> {
    let text: Option<std::borrow::Cow<'de, str>> = Option::deserialize(deserializer)?;
    Ok(text.map(|channel| Channel::from_wire(Some(&channel), None)))
}

fn string_map<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<HashMap<String, String>, D::Error> {
    let map: Option<HashMap<String, Value>> = Option::deserialize(deserializer)?;
    Ok(map
        .unwrap_or_default()
        .into_iter()
        .filter_map(|(name, value)| match value {
            Value::String(text) => Some((name, text)),
            _ => None,
        })
        .collect())
}

impl ContactRecord {
    fn from_base64(data: &str) -> Result<Self, RecordError> {
        let bytes =
            base64::engine::general_purpose::STANDARD.decode(data.trim()).map_err(|_| RecordError::NotBase64)?;
        let record: Self = serde_json::from_slice(&bytes).map_err(|error| {
            // serde's message names the field and the line, never the value.
            let what = match error.classify() {
                serde_json::error::Category::Data => "a field is missing or of another type",
                _ => "not JSON",
            };
            RecordError::NotAContactRecord(what.into())
        })?;
        if !is_uuid(&record.contact_id) {
            return Err(RecordError::BadContactId);
        }
        Ok(record)
    }

    /// The call's first contact: `InitialContactId`, or this leg's own id on the first leg.
    pub fn call_id(&self) -> &str {
        self.initial_contact_id.as_deref().filter(|id| is_uuid(id)).unwrap_or(&self.contact_id)
    }

    /// Whether this is the call's first leg.
    pub fn is_first_leg(&self) -> bool {
        self.call_id() == self.contact_id
    }

    /// `LastUpdateTimestamp`: which of two records of a leg is newer.
    pub fn last_update(&self) -> Option<Moment> {
        self.last_update_timestamp
    }

    /// Whether the contact is a supervisor monitoring a call (listening in or barging), not a leg of the
    /// customer's call.
    pub fn is_monitoring(&self) -> bool {
        self.initiation_method == Some(InitiationMethod::Monitor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn encoded(record: &Value) -> String {
        base64::engine::general_purpose::STANDARD.encode(record.to_string())
    }

    #[test]
    fn each_record_is_read_or_rejected_on_its_own() {
        let good = json!({
            "ContactId": "7f9e2c1a-3b4d-4e5f-8a6b-9c0d1e2f3a4b",
            "InitialContactId": "5ca32fbd-8f92-46af-92a5-6b0f970f0efe",
            "Channel": "VOICE",
            "Attributes": {"SfdcCaseId": "500Dn0000000001IAA", "Score": 3},
            "Agent": {"Username": "alex.agent@example.com", "AgentInteractionDuration": 95},
            "LastUpdateTimestamp": "2026-12-06T10:03:05.250Z",
        });
        let event = json!({"Records": [
            {"eventSource": "aws:kinesis", "kinesis": {"sequenceNumber": "1", "data": encoded(&good)}},
            {"eventSource": "aws:kinesis", "kinesis": {"sequenceNumber": "2", "data": "%%%"}},
            {"eventSource": "aws:kinesis", "kinesis": {"sequenceNumber": "3", "data": encoded(&json!({"Phone": "+14155550100"}))}},
            {"eventSource": "aws:kinesis", "kinesis": {"sequenceNumber": "4", "data": encoded(&json!({"ContactId": "x"}))}},
        ]});
        assert!(RecordBatch::is_one(&event));
        assert!(!RecordBatch::is_one(&json!({"Details": {}})));
        let batch = RecordBatch::from_value(&event).expect("a batch");
        let record = batch.records[0].contact.as_ref().expect("a record");
        assert_eq!(record.attributes.get("SfdcCaseId").map(String::as_str), Some("500Dn0000000001IAA"));
        assert!(!record.attributes.contains_key("Score"));
        assert!(!record.is_first_leg());
        assert_eq!(record.call_id(), "5ca32fbd-8f92-46af-92a5-6b0f970f0efe");
        assert_eq!(batch.records[1].contact, Err(RecordError::NotBase64));
        let rejected = batch.records[2].contact.as_ref().expect_err("no ContactId");
        assert!(!rejected.to_string().contains("555"), "{rejected}");
        assert_eq!(batch.records[3].contact, Err(RecordError::BadContactId));
    }
}
