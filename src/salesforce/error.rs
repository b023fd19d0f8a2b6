//! What can go wrong talking to Salesforce, and how the org's own error bodies are read without letting
//! anything it echoes (field values such as phone numbers) out.

use reqwest::StatusCode;
use serde_json::Value;

#[derive(Debug, thiserror::Error, Clone, PartialEq)]
pub enum SalesforceError {
    /// The org would not give us a session: bad or missing client credentials.
    #[error("Salesforce authentication failed: {0}")]
    Authentication(String),
    /// The org did not answer usefully (5xx, connection failures) and retrying ran out of time.
    #[error("Salesforce is unavailable: {0}")]
    Unavailable(String),
    /// The org answered with a client error; holds status and error codes, never Salesforce's message text
    /// (which can echo field values such as phone numbers).
    #[error("Salesforce rejected the request: HTTP {status} {codes}")]
    Rejected { status: u16, codes: String },
    /// The answer was not what the REST API documents.
    #[error("Salesforce answered unexpectedly: {0}")]
    Protocol(String),
}

impl SalesforceError {
    /// Whether the org refused the request with `code` among its error codes.
    pub fn has_code(&self, code: &str) -> bool {
        matches!(self, Self::Rejected { codes, .. } if codes.split(", ").any(|c| c == code))
    }
}

/// The error codes of a REST error body (`[{"message": …, "errorCode": …}]`), never the messages.
fn error_codes(body: &Value) -> String {
    let codes: Vec<String> = body
        .as_array()
        .map(|errors| errors.iter().filter_map(|e| e.get("errorCode").and_then(Value::as_str)).map(printable).collect())
        .unwrap_or_default();
    if codes.is_empty() { "(no error code)".to_owned() } else { codes.join(", ") }
}

/// Whether a REST error body carries one of `codes`.
pub(super) fn has_code(body: &Value, codes: &[&str]) -> bool {
    let found = error_codes(body);
    codes.iter().any(|code| found.split(", ").any(|f| f == *code))
}

/// Keeps what the org says to a short run of code-like characters, so nothing it echoes leaks out.
pub(super) fn printable(code: &str) -> String {
    code.chars().filter(|c| c.is_ascii_alphanumeric() || *c == '_').take(64).collect()
}

/// A status the caller did not expect: the org's fault (5xx) or a refusal (4xx).
pub(super) fn unexpected(status: StatusCode, body: &Value) -> SalesforceError {
    let codes = error_codes(body);
    if status.is_server_error() {
        SalesforceError::Unavailable(format!("HTTP {} {codes}", status.as_u16()))
    } else {
        SalesforceError::Rejected { status: status.as_u16(), codes }
    }
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
        assert_eq!(error_codes(&body), "INVALID_FIELD, DUPLICATE_VALUErmrf");
        assert!(has_code(&body, &["INVALID_FIELD"]));
        assert!(!has_code(&body, &["NOT_FOUND"]));
        assert_eq!(error_codes(&json!({"unexpected": true})), "(no error code)");
    }

    #[test]
    fn server_errors_are_unavailability_and_client_errors_refusals() {
        let body = json!([{"message": "m", "errorCode": "UNKNOWN_EXCEPTION"}]);
        assert_eq!(
            unexpected(StatusCode::INTERNAL_SERVER_ERROR, &body),
            SalesforceError::Unavailable("HTTP 500 UNKNOWN_EXCEPTION".into())
        );
        assert_eq!(
            unexpected(StatusCode::FORBIDDEN, &body),
            SalesforceError::Rejected { status: 403, codes: "UNKNOWN_EXCEPTION".into() }
        );
    }
}
