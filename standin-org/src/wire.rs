//! The wire formats every surface shares: JSON answers, Salesforce's REST error arrays, AWS's JSON
//! errors, and form and query strings.

use std::collections::BTreeMap;

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

pub(crate) fn json_response(status: StatusCode, body: Value) -> Response {
    json_text_response(status, body.to_string())
}

/// A JSON answer already written out.
pub(crate) fn json_text_response(status: StatusCode, body: String) -> Response {
    (status, [("content-type", "application/json;charset=UTF-8")], body).into_response()
}

/// A Salesforce REST error: `[{"message": …, "errorCode": …}]`.
pub(crate) fn sf_error(status: StatusCode, code: &str, message: &str) -> (StatusCode, Value) {
    (status, json!([{"message": message, "errorCode": code}]))
}

pub(crate) fn sf_error_response(status: StatusCode, code: &str, message: &str) -> Response {
    let (status, body) = sf_error(status, code, message);
    json_response(status, body)
}

/// An AWS JSON-protocol error, as Connect and Secrets Manager answer them.
pub(crate) fn aws_error(status: StatusCode, error_type: &str, message: &str) -> Response {
    (
        status,
        [("content-type", "application/x-amz-json-1.1"), ("x-amzn-errortype", error_type)],
        json!({"__type": error_type, "message": message}).to_string(),
    )
        .into_response()
}

/// `a=1&b=2` (a form body or a query string), decoded.
pub(crate) fn form_urlencoded(body: &[u8]) -> BTreeMap<String, String> {
    String::from_utf8_lossy(body)
        .split('&')
        .filter_map(|pair| pair.split_once('='))
        .map(|(k, v)| (percent_decode(k), percent_decode(v)))
        .collect()
}

/// Decodes `%XX` escapes and `+` (as a space), as form and query strings use them.
pub(crate) fn percent_decode(raw: &str) -> String {
    let bytes = raw.as_bytes();
    let hex = |b: u8| char::from(b).to_digit(16);
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let escaped = match bytes.get(i..i + 3) {
            Some([b'%', high, low]) => hex(*high).zip(hex(*low)).map(|(h, l)| (h * 16 + l) as u8),
            _ => None,
        };
        match (escaped, bytes[i]) {
            (Some(byte), _) => {
                out.push(byte);
                i += 3;
            }
            (None, b'+') => {
                out.push(b' ');
                i += 1;
            }
            (None, other) => {
                out.push(other);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// `404 NOT_FOUND`, as the org answers a resource or record it does not hold.
pub(crate) fn not_found() -> (StatusCode, Value) {
    sf_error(StatusCode::NOT_FOUND, "NOT_FOUND", "The requested resource does not exist")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forms_and_queries_are_decoded() {
        let form = form_urlencoded(b"grant_type=client_credentials&q=%22%5C%2B1415%22+OR&bad");
        assert_eq!(form["grant_type"], "client_credentials");
        assert_eq!(form["q"], "\"\\+1415\" OR");
        assert_eq!(form.len(), 2);
        assert_eq!(percent_decode("%zz%4"), "%zz%4");
    }
}
