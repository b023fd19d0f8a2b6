//! `POST /composite`: subrequests run in order, `@{ref.id}` resolved from earlier answers, and with
//! `allOrNone` every write rolled back when one subrequest fails.

use axum::http::{Method, StatusCode};
use serde_json::{Value, json};

use crate::state::State;
use crate::wire::sf_error;

/// Serves one subrequest: its method, path, query, body and `Sforce-Auto-Assign` header.
pub(crate) type Serve = fn(&mut State, &Method, &str, &str, Value, Option<&str>) -> (StatusCode, Value);

/// `POST /composite`: runs subrequests in order through `serve`, resolving `@{ref.field}` from earlier
/// answers. A subrequest's own `Sforce-Auto-Assign` (in its `httpHeaders`) wins over the composite
/// request's.
pub(crate) fn run(state: &mut State, body: &Value, auto_assign: Option<&str>, serve: Serve) -> (StatusCode, Value) {
    let Some(requests) = body.get("compositeRequest").and_then(Value::as_array) else {
        return sf_error(StatusCode::BAD_REQUEST, "JSON_PARSER_ERROR", "compositeRequest is required");
    };
    let all_or_none = body.get("allOrNone").and_then(Value::as_bool).unwrap_or(false);
    let cases_created = state.cases_created;
    state.journal = all_or_none.then(Vec::new);
    let mut answers: Vec<(String, Value)> = Vec::new();
    let mut parts = Vec::new();
    let mut halted = false;
    for request in requests {
        let reference = request.get("referenceId").and_then(Value::as_str).unwrap_or_default().to_owned();
        if halted {
            parts.push(halted_part(&json!(reference)));
            continue;
        }
        let resolve = |text: &str| {
            let mut text = text.to_owned();
            for (reference, answer) in &answers {
                for key in ["id", "Id"] {
                    if let Some(value) = answer.get(key).and_then(Value::as_str) {
                        text = text.replace(&format!("@{{{reference}.{key}}}"), value);
                    }
                }
            }
            text
        };
        let method = request.get("method").and_then(Value::as_str).unwrap_or_default();
        let url = resolve(request.get("url").and_then(Value::as_str).unwrap_or_default());
        let sub_body = request
            .get("body")
            .map(|b| resolve(&b.to_string()))
            .and_then(|b| serde_json::from_str(&b).ok())
            .unwrap_or(Value::Null);
        let (path, query) = url.split_once('?').unwrap_or((&url, ""));
        let (status, answer) = match Method::from_bytes(method.as_bytes()) {
            Err(_) => {
                sf_error(StatusCode::BAD_REQUEST, "INVALID_URL", "the subrequest's method or url is not supported")
            }
            Ok(method) => {
                let own = request
                    .get("httpHeaders")
                    .and_then(Value::as_object)
                    .and_then(|headers| headers.iter().find(|(k, _)| k.eq_ignore_ascii_case("sforce-auto-assign")))
                    .and_then(|(_, v)| v.as_str());
                serve(state, &method, path, query, sub_body, own.or(auto_assign))
            }
        };
        if !status.is_success() && all_or_none {
            halted = true;
        }
        parts.push(
            json!({"body": answer, "httpHeaders": {}, "httpStatusCode": status.as_u16(), "referenceId": reference}),
        );
        answers.push((reference, answer));
    }
    let journal = state.journal.take().unwrap_or_default();
    if halted {
        state.roll_back(journal);
        state.cases_created = cases_created;
        // As the org answers: every part but the one that failed says PROCESSING_HALTED, the ones that had
        // succeeded too, since their work was rolled back.
        for part in &mut parts {
            if part["httpStatusCode"].as_u64().is_some_and(|status| status < 400) {
                let reference = part["referenceId"].clone();
                *part = halted_part(&reference);
            }
        }
    }
    (StatusCode::OK, json!({"compositeResponse": parts}))
}

/// A part of an all-or-none request that did not fail, answered after another did.
fn halted_part(reference: &Value) -> Value {
    json!({
        "body": [{"errorCode": "PROCESSING_HALTED",
                  "message": "The transaction was rolled back since another operation in the same transaction failed."}],
        "httpHeaders": {}, "httpStatusCode": 400, "referenceId": reference,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cases;
    use crate::known::EXTERNAL_ID_FIELD;
    use crate::rest::serve_subrequest;

    #[test]
    fn an_all_or_none_composite_that_fails_late_leaves_no_case() {
        let mut state = State::default();
        let body = json!({"allOrNone": true, "compositeRequest": [
            {"method": "POST", "url": "/services/data/v66.0/sobjects/Case", "referenceId": "w", "body": {"Subject": "x"}},
            {"method": "GET", "url": "/services/data/v66.0/sobjects/Case/@{w.id}?fields=NoSuchField", "referenceId": "r"},
        ]});
        let (status, answer) = run(&mut state, &body, None, serve_subrequest);
        assert_eq!(status, StatusCode::OK);
        assert_eq!(answer["compositeResponse"][0]["httpStatusCode"], 400, "rolled back, so halted");
        assert_eq!(answer["compositeResponse"][0]["body"][0]["errorCode"], "PROCESSING_HALTED");
        assert_eq!(answer["compositeResponse"][1]["httpStatusCode"], 400);
        assert_eq!(answer["compositeResponse"][1]["body"][0]["errorCode"], "INVALID_FIELD");
        assert!(state.cases.is_empty());
        assert_eq!(state.cases_created, 0);
    }

    #[test]
    fn a_rolled_back_upsert_restores_the_case() {
        let mut state = State::default();
        let (_, created) =
            cases::upsert(&mut state, "v66.0", EXTERNAL_ID_FIELD, "call-1", &json!({"Subject": "first"}), None);
        let id = created["id"].as_str().unwrap_or_default().to_owned();
        let body = json!({"allOrNone": true, "compositeRequest": [
            {"method": "PATCH", "url": format!("/services/data/v66.0/sobjects/Case/{EXTERNAL_ID_FIELD}/call-1"), "referenceId": "w", "body": {"Subject": "second"}},
            {"method": "GET", "url": "/services/data/v66.0/sobjects/Case/@{w.id}?fields=NoSuchField", "referenceId": "r"},
        ]});
        run(&mut state, &body, None, serve_subrequest);
        assert_eq!(state.cases[&id[..15]]["Subject"], "first");
    }

    #[test]
    fn a_rolled_back_update_restores_the_case() {
        let mut state = State::default();
        let (_, created) = cases::create(&mut state, "v66.0", &json!({"Subject": "first"}), None, None);
        let id = created["id"].as_str().unwrap_or_default().to_owned();
        let body = json!({"allOrNone": true, "compositeRequest": [
            {"method": "PATCH", "url": format!("/services/data/v66.0/sobjects/Case/{id}"), "referenceId": "w", "body": {"Subject": "second"}},
            {"method": "GET", "url": format!("/services/data/v66.0/sobjects/Case/{id}?fields=NoSuchField"), "referenceId": "r"},
        ]});
        let (_, answer) = run(&mut state, &body, None, serve_subrequest);
        assert_eq!(answer["compositeResponse"][0]["body"][0]["errorCode"], "PROCESSING_HALTED");
        assert_eq!(state.cases[&id[..15]]["Subject"], "first", "and was rolled back with it");
    }
}
