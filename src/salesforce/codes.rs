//! The org's error bodies read down to their codes: never the messages, which can echo the values a
//! request carried (a phone number, say), and never more than a short run of code-like characters.

use serde_json::Value;

/// Error codes as a message shows them: joined, or a note that the org gave none.
pub(super) fn shown_codes(codes: &[String]) -> String {
    if codes.is_empty() { "(no error code)".to_owned() } else { codes.join(", ") }
}

/// The error codes of a REST error body (`[{"message": …, "errorCode": …}]`), never the messages.
pub(super) fn error_codes(body: &Value) -> Vec<String> {
    body.as_array()
        .map(|errors| errors.iter().filter_map(|e| e.get("errorCode").and_then(Value::as_str)).map(printable).collect())
        .unwrap_or_default()
}

/// Whether a REST error body carries one of `codes`.
pub(super) fn has_code(body: &Value, codes: &[&str]) -> bool {
    let found = error_codes(body);
    codes.iter().any(|code| found.iter().any(|f| f == code))
}

/// Keeps what the org says to a short run of code-like characters, so nothing it echoes leaks out.
pub(super) fn printable(code: &str) -> String {
    code.chars().filter(|c| c.is_ascii_alphanumeric() || *c == '_').take(64).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn only_error_codes_leave_an_error_body() {
        let body = json!([
            {"message": "Phone: bad value for +14155550100", "errorCode": "INVALID_FIELD"},
            {"message": "x", "errorCode": "DUPLICATE_VALUE\"}; rm -rf"},
        ]);
        assert_eq!(error_codes(&body), ["INVALID_FIELD", "DUPLICATE_VALUErmrf"]);
        assert!(has_code(&body, &["INVALID_FIELD"]));
        assert!(!has_code(&body, &["NOT_FOUND"]));
        assert!(error_codes(&json!({"unexpected": true})).is_empty());
        assert_eq!(shown_codes(&[]), "(no error code)");
    }
}
