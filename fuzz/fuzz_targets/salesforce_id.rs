//! Any text as a Salesforce id: what parses is 18 alphanumerics that parse again to the same id, and
//! whose 15-character form gives it back.
#![no_main]

use connect_case_handoff::{CaseId, SalesforceId};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|raw: &str| {
    if let Some(id) = SalesforceId::parse(raw) {
        assert_eq!(id.as_str().len(), 18);
        assert!(id.as_str().bytes().all(|b| b.is_ascii_alphanumeric()));
        assert_eq!(SalesforceId::parse(id.as_str()).as_ref(), Some(&id));
        assert_eq!(SalesforceId::parse(id.short()).as_ref(), Some(&id));
    }
    if let Some(case) = CaseId::parse(raw) {
        assert!(case.as_str().starts_with("500"));
    }
});
