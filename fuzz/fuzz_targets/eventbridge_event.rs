//! Any bytes as an EventBridge event: reading never panics, and a contact event it accepts holds only
//! Connect ids and printable words.
#![no_main]

use connect_case_handoff::EventBridgeEvent;
use libfuzzer_sys::fuzz_target;

fn is_contact_id(id: &str) -> bool {
    id.len() == 36 && id.bytes().all(|b| b.is_ascii_hexdigit() || b == b'-')
}

fuzz_target!(|data: &[u8]| {
    let Ok(value) = serde_json::from_slice::<serde_json::Value>(data) else { return };
    match EventBridgeEvent::from_value(&value) {
        Ok(EventBridgeEvent::Contact(event)) => {
            assert!(is_contact_id(&event.contact_id) && is_contact_id(&event.initial_contact_id));
            assert!(event.previous_contact_id.as_deref().is_none_or(is_contact_id));
            assert!(event.agent_user_id.as_deref().is_none_or(is_contact_id));
            assert!(!event.instance_id.is_empty() && !event.instance_id.contains('/'));
            assert!(event.case_contact().is_none_or(is_contact_id));
            assert!(event.event_type.to_string().chars().all(|c| !c.is_control()));
        }
        Ok(EventBridgeEvent::Elsewhere(what)) => assert!(what.chars().all(|c| !c.is_control()), "{what:?}"),
        Err(_) => {}
    }
});
