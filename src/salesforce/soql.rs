//! SOQL string literals: every value from outside is escaped into one, never spliced into a query.

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
}
