//! SOQL literals: every value from outside is escaped into a string literal, never spliced into a query;
//! a moment is written as a datetime literal computed here, never taken from outside.

use std::time::{SystemTime, UNIX_EPOCH};

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
    let seconds = moment.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs());
    let (days, time) = (seconds / 86_400, seconds % 86_400);
    let (year, month, day) = civil_from_days(days);
    format!("{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z", time / 3600, time % 3600 / 60, time % 60)
}

/// The Gregorian date `days` after 1970-01-01 (Howard Hinnant's `civil_from_days`, for days from 1970).
fn civil_from_days(days: u64) -> (u64, u64, u64) {
    let z = days + 719_468;
    let era = z / 146_097;
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + u64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use super::*;

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
