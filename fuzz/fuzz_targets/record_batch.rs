//! Any bytes as a Lambda Kinesis event of contact records, and any bytes as one record's data: reading
//! never panics, a record is read or rejected on its own, and what is read is safe to use.
#![no_main]

use connect_case_handoff::RecordBatch;
use libfuzzer_sys::fuzz_target;
use serde_json::{Value, json};

fuzz_target!(|data: &[u8]| {
    // The bytes as the whole event, and as the base64 data of one record beside a good one.
    let whole = serde_json::from_slice::<Value>(data).ok();
    let data = base64_of(data);
    let wrapped = json!({"Records": [
        {"eventSource": "aws:kinesis", "kinesis": {"sequenceNumber": "1", "data": data}},
        {"eventSource": "aws:kinesis", "kinesis": {"sequenceNumber": "2",
            "data": "eyJDb250YWN0SWQiOiI1Y2EzMmZiZC04ZjkyLTQ2YWYtOTJhNS02YjBmOTcwZjBlZmUifQ=="}},
    ]});
    for event in whole.into_iter().chain([wrapped]) {
        let Ok(batch) = RecordBatch::from_value(&event) else { continue };
        for record in &batch.records {
            let Ok(contact) = &record.contact else { continue };
            let id = &contact.contact_id;
            assert!(id.len() == 36 && id.bytes().all(|b| b.is_ascii_hexdigit() || b == b'-'), "{id:?}");
            assert!(contact.call_id().bytes().all(|b| b.is_ascii_hexdigit() || b == b'-'));
            if let Some(method) = &contact.initiation_method {
                assert!(method.as_str().chars().count() <= 64);
            }
            let _ = (contact.is_first_leg(), contact.is_monitoring(), contact.last_update().map(|m| m.to_text()));
        }
    }
});

/// Standard base64, written here so the target needs no crate beyond the function's.
fn base64_of(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut text = String::new();
    for chunk in bytes.chunks(3) {
        let n = chunk.iter().enumerate().fold(0u32, |n, (i, b)| n | u32::from(*b) << (16 - 8 * i));
        for i in 0..4 {
            if i <= chunk.len() {
                text.push(char::from(ALPHABET[(n >> (18 - 6 * i) & 63) as usize]));
            } else {
                text.push('=');
            }
        }
    }
    text
}
