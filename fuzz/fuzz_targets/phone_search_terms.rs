//! Any caller address: the search is made of digit runs and digit groups separated by single spaces, its
//! FIND clause stays far below SOSL's 4,000 characters, and its query escapes every reserved character.
#![no_main]

use connect_case_handoff::{CallerNumber, OrgShape, search_query};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|address: &str| {
    let CallerNumber::Known(number) = CallerNumber::from_address(Some(address)) else { return };
    let terms = number.search_terms();
    for term in &terms {
        let digits = term.strip_prefix('+').unwrap_or(term);
        let grouped = digits.split(' ').all(|group| !group.is_empty() && group.bytes().all(|b| b.is_ascii_digit()));
        assert!(grouped, "{address:?} gave {term:?}");
    }
    let query = search_query(&terms, &OrgShape::standard());
    let find = query.split("} IN PHONE FIELDS").next().unwrap_or_default();
    assert!(find.len() < 1000);
    assert!(query.starts_with("FIND {\"") && query.matches('{').count() == 1 && query.matches('}').count() == 1);
});
