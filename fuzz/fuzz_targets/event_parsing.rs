//! Any bytes as a Connect event: parsing never panics, and what it accepts is safe to use.
#![no_main]

use connect_case_handoff::{CaseAttribute, FlowEvent};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(value) = serde_json::from_slice::<serde_json::Value>(data) else { return };
    let Ok(event) = FlowEvent::from_value(value) else { return };
    for id in [&event.contact_id, &event.initial_contact_id] {
        assert!(!id.is_empty() && id.bytes().all(|b| b.is_ascii_hexdigit() || b == b'-'), "{id:?}");
    }
    if let CaseAttribute::Valid(case) = &event.case_attribute {
        assert!(case.as_str().starts_with("500") && case.as_str().len() == 18);
    }
    for name in event.case_fields.keys() {
        assert!(name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_'), "{name:?}");
    }
    let masked = event.caller.masked();
    assert!(masked.chars().filter(char::is_ascii_digit).count() <= 6, "{masked}");
});
