//! SOQL literals: every value from outside is escaped into a string literal, never spliced into a query;
//! a moment is written as a datetime literal computed here, never taken from outside.

use std::time::SystemTime;

use crate::time::Moment;

/// `value` as a quoted SOQL string literal, escaped as Salesforce's SOQL reference lists: backslash,
/// both quotes, and the control characters with escapes of their own. Other control characters, which
/// no address or username holds, are dropped.
pub fn string_literal(value: &str) -> String {
    let mut literal = String::with_capacity(value.len() + 2);
    literal.push('\'');
    for c in value.chars() {
        match c {
            '\\' => literal.push_str("\\\\"),
            '\'' => literal.push_str("\\'"),
            '"' => literal.push_str("\\\""),
            '\n' => literal.push_str("\\n"),
            '\r' => literal.push_str("\\r"),
            '\t' => literal.push_str("\\t"),
            c if c.is_control() => {}
            c => literal.push(c),
        }
    }
    literal.push('\'');
    literal
}

/// `moment` as a SOQL datetime literal in UTC, to the second: `2026-11-30T19:05:00Z` (unquoted, as SOQL
/// writes dates). A moment before 1970 is written as 1970's first second.
pub fn datetime_literal(moment: SystemTime) -> String {
    Moment::from_system(moment).to_seconds_text()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::UNIX_EPOCH;

    #[test]
    fn quotes_and_backslashes_cannot_end_the_literal() {
        assert_eq!(string_literal("o'brien@example.ie"), "'o\\'brien@example.ie'");
        assert_eq!(string_literal("x\\' OR Id != '"), "'x\\\\\\' OR Id != \\''");
        assert_eq!(string_literal("a\"b\nc\u{0}"), "'a\\\"b\\nc'");
    }

    #[test]
    fn every_quote_inside_is_escaped() {
        let literal = string_literal("'''\\'\\\\'");
        let inside = &literal[1..literal.len() - 1];
        let mut chars = inside.chars();
        while let Some(c) = chars.next() {
            assert_ne!(c, '\'', "an unescaped quote in {literal}");
            if c == '\\' {
                assert!(chars.next().is_some(), "a dangling backslash in {literal}");
            }
        }
    }

    #[test]
    fn moments_are_written_as_utc_datetime_literals() {
        let at = |seconds: u64| datetime_literal(UNIX_EPOCH + std::time::Duration::from_secs(seconds));
        assert_eq!(at(0), "1970-01-01T00:00:00Z");
        assert_eq!(at(951_782_400), "2000-02-29T00:00:00Z", "a leap day");
        assert_eq!(at(1_798_657_200 + 65), "2026-12-30T19:01:05Z");
        assert_eq!(at(4_107_542_399), "2100-02-28T23:59:59Z", "2100 is no leap year");
        assert_eq!(datetime_literal(UNIX_EPOCH - std::time::Duration::from_secs(1)), "1970-01-01T00:00:00Z");
    }
}
