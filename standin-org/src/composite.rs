//! `POST /composite`: subrequests run in order, references (`@{ref.id}`, `@{ref.records[0].Id}`) resolved
//! from earlier answers, and with `allOrNone` every write rolled back when one subrequest fails. A
//! subrequest whose reference names nothing (the part it refers to failed, or its query found no row) is
//! not run: it answers `400 PROCESSING_HALTED` "Invalid reference specified", as the org does.

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
        let mut unresolved = None;
        let mut resolve = |text: &str| {
            resolve_references(text, &answers).unwrap_or_else(|reference| {
                unresolved.get_or_insert(reference);
                text.to_owned()
            })
        };
        let method = request.get("method").and_then(Value::as_str).unwrap_or_default();
        let url = resolve(request.get("url").and_then(Value::as_str).unwrap_or_default());
        let sub_body = request
            .get("body")
            .map(|b| resolve(&b.to_string()))
            .and_then(|b| serde_json::from_str(&b).ok())
            .unwrap_or(Value::Null);
        let (path, query) = url.split_once('?').unwrap_or((&url, ""));
        let (status, answer) = match (unresolved, Method::from_bytes(method.as_bytes())) {
            (Some(reference), _) => invalid_reference(&reference),
            (None, Err(_)) => {
                sf_error(StatusCode::BAD_REQUEST, "INVALID_URL", "the subrequest's method or url is not supported")
            }
            (None, Ok(method)) => {
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

/// Every `@{reference.path}` of `text` replaced by the value it names in an earlier answer (`.field` and
/// `[n]` steps); `Err` with the first one that names nothing.
fn resolve_references(text: &str, answers: &[(String, Value)]) -> Result<String, String> {
    let mut resolved = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find("@{") {
        let Some(end) = rest[start..].find('}') else { break };
        let reference = &rest[start + 2..start + end];
        resolved.push_str(&rest[..start]);
        resolved.push_str(&value_at(reference, answers).ok_or_else(|| reference.to_owned())?);
        rest = &rest[start + end + 1..];
    }
    resolved.push_str(rest);
    Ok(resolved)
}

/// The text of the value `reference` (`name.field[0].Id`) names, if it names a string or a number.
fn value_at(reference: &str, answers: &[(String, Value)]) -> Option<String> {
    let name_end = reference.find(['.', '[']).unwrap_or(reference.len());
    let (name, mut path) = reference.split_at(name_end);
    let mut value = &answers.iter().rev().find(|(reference, _)| reference == name)?.1;
    while !path.is_empty() {
        if let Some(after) = path.strip_prefix('.') {
            let end = after.find(['.', '[']).unwrap_or(after.len());
            value = value.get(&after[..end])?;
            path = &after[end..];
        } else {
            let after = path.strip_prefix('[')?;
            let (index, after) = after.split_once(']')?;
            value = value.get(index.parse::<usize>().ok()?)?;
            path = after;
        }
    }
    match value {
        Value::String(text) => Some(text.clone()),
        Value::Number(number) => Some(number.to_string()),
        _ => None,
    }
}

/// A subrequest whose reference names nothing, answered as the org answers it.
fn invalid_reference(reference: &str) -> (StatusCode, Value) {
    let name = reference.split(['.', '[']).next().unwrap_or_default();
    let message = format!(
        "Invalid reference specified. No value for {reference} found in {name}. Provided referenceId ('{reference}') must \
         start with a letter or a number, and it can contain only letters, numbers and underscores ('_')."
    );
    sf_error(StatusCode::BAD_REQUEST, "PROCESSING_HALTED", &message)
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

    fn voice_org() -> (State, String) {
        let mut state =
            State { setup: crate::setup::Setup { voice_calls: true, ..Default::default() }, ..State::default() };
        let call = crate::ids::salesforce_id("0LQ", 1);
        state.voice_calls.insert(
            call.clone(),
            serde_json::from_value(json!({"Id": call, "VendorCallKey": "k"})).unwrap_or_default(),
        );
        (state, call)
    }

    fn create_and_link(all_or_none: bool, call: &str) -> Value {
        json!({"allOrNone": all_or_none, "compositeRequest": [
            {"method": "POST", "url": "/services/data/v66.0/sobjects/Case", "referenceId": "writeCase", "body": {"Subject": "x"}},
            {"method": "GET", "url": "/services/data/v66.0/sobjects/Case/@{writeCase.id}?fields=Id,CaseNumber", "referenceId": "readCase"},
            {"method": "PATCH", "url": format!("/services/data/v66.0/sobjects/VoiceCall/{call}"), "referenceId": "linkCall",
             "body": {"RelatedRecordId": "@{writeCase.id}"}},
        ]})
    }

    #[test]
    fn a_refused_link_rolls_the_case_back_all_or_none_and_not_part_by_part() {
        let (mut state, _) = voice_org();
        let gone = crate::ids::salesforce_id("0LQ", 9);
        let (_, answer) = run(&mut state, &create_and_link(true, &gone), None, serve_subrequest);
        assert_eq!(answer["compositeResponse"][2]["httpStatusCode"], 404);
        assert_eq!(answer["compositeResponse"][0]["body"][0]["errorCode"], "PROCESSING_HALTED");
        assert!(state.cases.is_empty(), "all or none: the case went with the link");

        let (_, answer) = run(&mut state, &create_and_link(false, &gone), None, serve_subrequest);
        assert_eq!(answer["compositeResponse"][0]["httpStatusCode"], 201);
        assert_eq!(answer["compositeResponse"][1]["httpStatusCode"], 200);
        assert_eq!(answer["compositeResponse"][2]["body"][0]["errorCode"], "NOT_FOUND");
        assert_eq!(state.cases.len(), 1, "part by part: the case stays");
    }

    #[test]
    fn a_part_whose_reference_names_nothing_is_halted_with_the_org_s_words() {
        let (mut state, call) = voice_org();
        let body = json!({"allOrNone": false, "compositeRequest": [
            {"method": "GET", "url": "/services/data/v66.0/query?q=SELECT%20Id%20FROM%20Case%20WHERE%20Status%20%3D%20%27Open%27",
             "referenceId": "openCase"},
            {"method": "PATCH", "url": format!("/services/data/v66.0/sobjects/VoiceCall/{call}"), "referenceId": "linkCall",
             "body": {"RelatedRecordId": "@{openCase.records[0].Id}"}},
        ]});
        let (_, answer) = run(&mut state, &body, None, serve_subrequest);
        let halted = &answer["compositeResponse"][1];
        assert_eq!(halted["httpStatusCode"], 400);
        assert_eq!(halted["body"][0]["errorCode"], "PROCESSING_HALTED");
        let message = halted["body"][0]["message"].as_str().unwrap_or_default();
        assert!(
            message.starts_with("Invalid reference specified. No value for openCase.records[0].Id found in openCase."),
            "{message}"
        );

        let (_, created) = cases::create(&mut state, "v66.0", &json!({"Subject": "x", "Status": "Open"}), None, None);
        let case = created["id"].as_str().unwrap_or_default().to_owned();
        let (_, answer) = run(&mut state, &body, None, serve_subrequest);
        assert_eq!(answer["compositeResponse"][1]["httpStatusCode"], 204, "{answer}");
        assert_eq!(state.voice_calls[&call]["RelatedRecordId"], case.as_str(), "a query row's Id resolves");
    }
}
