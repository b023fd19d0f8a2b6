//! Any text: once escaped, no SOSL reserved character stands unescaped.
#![no_main]

use connect_case_handoff::escape_search_term;
use libfuzzer_sys::fuzz_target;

const RESERVED: &str = "?&|!{}[]()^~*:\\\"'+-";

fuzz_target!(|term: &str| {
    let escaped = escape_search_term(term);
    let mut chars = escaped.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            let next = chars.next().expect("a backslash escapes something");
            assert!(RESERVED.contains(next), "{term:?} -> {escaped:?}");
        } else {
            assert!(!RESERVED.contains(c) && !c.is_control(), "{term:?} -> {escaped:?}");
        }
    }
});
