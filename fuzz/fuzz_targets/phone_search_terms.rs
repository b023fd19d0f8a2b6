//! Any caller address: the search is made of digit spellings only, and its query escapes every
//! reserved character.
#![no_main]

use connect_case_handoff::{CallerNumber, search_query};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|address: &str| {
    let CallerNumber::Known(number) = CallerNumber::from_address(Some(address)) else { return };
    let spellings = number.search_spellings();
    for spelling in &spellings {
        let digits = spelling.strip_prefix('+').unwrap_or(spelling);
        assert!(!digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()), "{address:?} gave {spelling:?}");
    }
    let query = search_query(&spellings);
    assert!(query.starts_with("FIND {\"") && query.matches('{').count() == 1 && query.matches('}').count() == 1);
});
