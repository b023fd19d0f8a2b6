//! Tasks, Task statuses and (in a Salesforce Voice org) VoiceCalls, and the sObject Collections requests
//! that write them: `POST composite/sobjects` creates, `PATCH composite/sobjects` updates records of any
//! of the types here (Case included), each record answered on its own (`allOrNone` false), in the shape
//! Salesforce answers: `[{"id": …, "success": true, "errors": []}, {"success": false, "errors":
//! [{"statusCode": …, "message": …, "fields": […]}]}]`. Fields are checked as the org checks them:
//! restricted picklists (`Status` against the org's Task statuses, `TaskSubtype`, `CallType`), references
//! that must exist (`WhatId`, `WhoId`, `OwnerId`), lengths, and `TaskSubtype` only on create.

use axum::http::StatusCode;
use serde_json::{Map, Value, json};

use crate::cases;
use crate::ids::salesforce_id;
use crate::schema::{self, Field, Object, Write};
use crate::setup::VoiceCallAccess;
use crate::state::State;
use crate::wire::sf_error;

/// At most this many records per collection request, as the org allows.
const COLLECTION_MAX: usize = 200;

/// `POST composite/sobjects` (create) or `PATCH composite/sobjects` (update).
pub(crate) fn collection(
    state: &mut State,
    create: bool,
    body: &Value,
    auto_assign: Option<&str>,
) -> (StatusCode, Value) {
    let Some(records) = body.get("records").and_then(Value::as_array) else {
        return sf_error(StatusCode::BAD_REQUEST, "JSON_PARSER_ERROR", "records is required");
    };
    if records.len() > COLLECTION_MAX {
        return sf_error(StatusCode::BAD_REQUEST, "EXCEEDED_ID_LIMIT", "record limit exceeded: 200");
    }
    if body.get("allOrNone").and_then(Value::as_bool).unwrap_or(false) {
        return sf_error(StatusCode::BAD_REQUEST, "INVALID_FIELD", "the stand-in serves allOrNone false only");
    }
    let answers: Vec<Value> = records
        .iter()
        .map(|record| {
            let object = record.pointer("/attributes/type").and_then(Value::as_str).unwrap_or_default();
            let mut fields = record.as_object().cloned().unwrap_or_default();
            fields.remove("attributes");
            let written = match (object, create) {
                ("Task", _) if !state.setup.tasks_writable => {
                    Err(refusal("INSUFFICIENT_ACCESS_OR_READONLY", "insufficient access rights on object id", &[]))
                }
                ("Task", true) => create_task(state, fields),
                ("Task", false) => update_task(state, fields),
                ("VoiceCall", false) if state.voice_calls_visible() => update_voice_call(state, fields),
                ("Case", false) => update_case(state, fields, auto_assign),
                _ => Err(refusal("INVALID_TYPE", &format!("sObject type '{object}' is not supported here"), &[])),
            };
            match written {
                Ok(id) => json!({"id": id, "success": true, "errors": []}),
                Err(error) => json!({"success": false, "errors": [error]}),
            }
        })
        .collect();
    (StatusCode::OK, Value::Array(answers))
}

fn refusal(code: &str, message: &str, fields: &[&str]) -> Value {
    json!({"statusCode": code, "message": message, "fields": fields})
}

fn create_task(state: &mut State, fields: Map<String, Value>) -> Result<String, Value> {
    check_task(state, &fields, true)?;
    if !fields.get("Status").is_some_and(Value::is_string) {
        return Err(refusal("REQUIRED_FIELD_MISSING", "Required fields are missing: [Status]", &["Status"]));
    }
    state.tasks_created += 1;
    let id = salesforce_id("00T", state.tasks_created);
    let mut task = fields;
    task.insert("Id".into(), id.clone().into());
    task.entry("OwnerId").or_insert(state.run_as_user.clone().into());
    task.entry("TaskSubtype").or_insert("Task".into());
    // Every session is the run-as user's: it created what the API creates.
    task.insert("CreatedById".into(), state.run_as_user.clone().into());
    state.tasks.insert(id.clone(), task);
    Ok(id)
}

fn update_task(state: &mut State, mut fields: Map<String, Value>) -> Result<String, Value> {
    let id = take_id(&mut fields)?;
    if !state.tasks.contains_key(&id) {
        return Err(refusal("ENTITY_IS_DELETED", "entity is deleted", &[]));
    }
    check_task(state, &fields, false)?;
    if let Some(task) = state.tasks.get_mut(&id) {
        task.extend(fields);
    }
    Ok(id)
}

fn update_voice_call(state: &mut State, mut fields: Map<String, Value>) -> Result<String, Value> {
    let id = take_id(&mut fields)?;
    if !state.voice_calls.contains_key(&id) {
        return Err(refusal("ENTITY_IS_DELETED", "entity is deleted", &[]));
    }
    for name in fields.keys() {
        writable(&schema::VOICE_CALL, name, false)?;
        if state.setup.voice_call_access == VoiceCallAccess::ReadOnly {
            return Err(refusal(
                "INVALID_FIELD_FOR_INSERT_UPDATE",
                &format!(
                    "Unable to create/update fields: {name}. Please check the security settings of this field and verify that it is read/write for your profile or permission set."
                ),
                &[name],
            ));
        }
    }
    if let Some(related) = fields.get("RelatedRecordId").and_then(Value::as_str)
        && !state.cases.contains_key(State::case_key(related))
    {
        return Err(refusal("INVALID_CROSS_REFERENCE_KEY", "invalid cross reference id", &["RelatedRecordId"]));
    }
    if let Some(call) = state.voice_calls.get_mut(&id) {
        call.extend(fields);
    }
    Ok(id)
}

/// `GET sobjects/VoiceCall/{id}?fields=…`.
pub(crate) fn read_voice_call(state: &State, version: &str, id: &str, fields: Option<&str>) -> (StatusCode, Value) {
    let Some(call) = state.voice_calls.get(id).filter(|_| state.voice_calls_visible()) else {
        return not_found();
    };
    let mut record = Map::new();
    record.insert(
        "attributes".into(),
        json!({"type": "VoiceCall", "url": format!("/services/data/{version}/sobjects/VoiceCall/{id}")}),
    );
    let wanted: Vec<&str> =
        fields.map_or_else(|| schema::VOICE_CALL.names().collect(), |f| f.split(',').map(str::trim).collect());
    for field in wanted {
        if schema::VOICE_CALL.field(field).is_none() {
            return sf_error(
                StatusCode::BAD_REQUEST,
                "INVALID_FIELD",
                &format!("No such column '{field}' on entity 'VoiceCall'"),
            );
        }
        record.insert(field.into(), call.get(field).cloned().unwrap_or(Value::Null));
    }
    (StatusCode::OK, Value::Object(record))
}

/// `PATCH sobjects/VoiceCall/{id}`: `204` with no body, or the refusal as a REST error array.
pub(crate) fn patch_voice_call(state: &mut State, id: &str, body: &Value) -> (StatusCode, Value) {
    if !state.voice_calls_visible() || !state.voice_calls.contains_key(id) {
        return not_found();
    }
    let mut fields = body.as_object().cloned().unwrap_or_default();
    fields.insert("Id".into(), id.into());
    match update_voice_call(state, fields) {
        Ok(_) => (StatusCode::NO_CONTENT, Value::Null),
        Err(refused) => {
            let code = refused["statusCode"].as_str().unwrap_or("UNKNOWN_EXCEPTION");
            let message = refused["message"].as_str().unwrap_or_default();
            (StatusCode::BAD_REQUEST, json!([{"errorCode": code, "message": message, "fields": refused["fields"]}]))
        }
    }
}

/// `404 NOT_FOUND`, as the org answers an id it has no record for, or an object the user cannot see.
fn not_found() -> (StatusCode, Value) {
    sf_error(StatusCode::NOT_FOUND, "NOT_FOUND", "The requested resource does not exist")
}

fn update_case(state: &mut State, mut fields: Map<String, Value>, auto_assign: Option<&str>) -> Result<String, Value> {
    let id = take_id(&mut fields)?;
    let (status, answer) = cases::update(state, &id, &Value::Object(fields), auto_assign);
    if status.is_success() {
        return Ok(id);
    }
    let code = answer.pointer("/0/errorCode").and_then(Value::as_str).unwrap_or("UNKNOWN_EXCEPTION");
    let message = answer.pointer("/0/message").and_then(Value::as_str).unwrap_or_default();
    Err(refusal(code, message, &[]))
}

fn take_id(fields: &mut Map<String, Value>) -> Result<String, Value> {
    match fields.remove("Id") {
        Some(Value::String(id)) if id.len() == 18 => Ok(id),
        _ => Err(refusal("MALFORMED_ID", "id value of incorrect type", &["Id"])),
    }
}

/// The field `name` of `object`, when a client may write it now (`create`: in a create); the org's refusal
/// otherwise, as it words them.
fn writable(object: &Object, name: &str, create: bool) -> Result<&'static Field, Value> {
    let Some(field) = object.field(name) else {
        let message = format!("No such column '{name}' on sobject of type {}", object.name);
        return Err(refusal("INVALID_FIELD", &message, &[]));
    };
    match field.write {
        Write::Always => Ok(field),
        Write::OnCreate if create => Ok(field),
        Write::OnCreate | Write::Never => Err(refusal(
            "INVALID_FIELD_FOR_INSERT_UPDATE",
            &format!("Unable to create/update fields: {name}. Please check the security settings of this field."),
            &[name],
        )),
    }
}

/// The org's field rules for a Task write.
fn check_task(state: &State, fields: &Map<String, Value>, create: bool) -> Result<(), Value> {
    for (name, value) in fields {
        let field = writable(&schema::TASK, name, create)?;
        let text = value.as_str();
        let restricted = |allowed: &[&str]| text.is_none_or(|t| !allowed.contains(&t));
        let bad = match name.as_str() {
            "TaskSubtype" => restricted(&["Task", "Email", "Call", "ListEmail", "Cadence", "LinkedIn"]),
            "CallType" => restricted(&["Inbound", "Outbound", "Internal"]),
            "Status" => text.is_none_or(|t| !state.task_statuses.iter().any(|s| s.api_name == t)),
            _ => false,
        };
        if bad {
            return Err(refusal(
                "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST",
                &format!("{name}: bad value for restricted picklist field: {}", text.unwrap_or_default()),
                &[name],
            ));
        }
        let reference_ok = match (name.as_str(), text) {
            ("WhatId", Some(id)) => state.cases.contains_key(State::case_key(id)),
            ("WhoId", Some(id)) => state.contacts.iter().any(|c| c.id == id),
            ("OwnerId", Some(id)) => id == state.run_as_user || state.users.iter().any(|u| u.active && u.id == id),
            ("WhatId" | "WhoId" | "OwnerId", None) => value.is_null() && name != "OwnerId",
            _ => true,
        };
        if !reference_ok {
            return Err(refusal("INVALID_CROSS_REFERENCE_KEY", "invalid cross reference id", &[name]));
        }
        if text.is_some_and(|t| t.chars().count() > field.max_length) {
            return Err(refusal("STRING_TOO_LONG", &format!("{name}: data value too large"), &[name]));
        }
        if name == "ActivityDate" && text.is_none_or(|t| t.len() != 10) {
            return Err(refusal(
                "INVALID_TYPE_ON_FIELD_IN_RECORD",
                "ActivityDate: value not of required type",
                &[name],
            ));
        }
    }
    Ok(())
}

/// Task rows as a query reads them (`IsClosed` from the status).
pub(crate) fn task_rows(state: &State) -> Vec<Map<String, Value>> {
    state
        .tasks
        .values()
        .map(|task| {
            let mut row = task.clone();
            let closed = task
                .get("Status")
                .and_then(Value::as_str)
                .is_some_and(|status| state.task_statuses.iter().any(|s| s.api_name == status && s.closed));
            row.insert("IsClosed".into(), closed.into());
            row
        })
        .collect()
}

pub(crate) fn status_rows(state: &State) -> Vec<Map<String, Value>> {
    state
        .task_statuses
        .iter()
        .enumerate()
        .map(|(n, status)| {
            let mut row = Map::new();
            row.insert("Id".into(), salesforce_id("01J", n as u64 + 1).into());
            row.insert("ApiName".into(), status.api_name.clone().into());
            row.insert("MasterLabel".into(), status.api_name.clone().into());
            row.insert("IsClosed".into(), status.closed.into());
            row.insert("IsDefault".into(), status.default.into());
            row.insert("SortOrder".into(), status.sort_order.into());
            row
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn org_with_case() -> (State, String) {
        let mut state = State { task_statuses: crate::setup::task_statuses("Completed"), ..State::default() };
        let (_, created) = cases::create(&mut state, "v66.0", &json!({"Subject": "x"}), None, None);
        (state, created["id"].as_str().unwrap_or_default().to_owned())
    }

    #[test]
    fn each_record_of_a_collection_is_answered_on_its_own() {
        let (mut state, case) = org_with_case();
        let body = json!({"allOrNone": false, "records": [
            {"attributes": {"type": "Task"}, "WhatId": case, "Status": "Completed", "TaskSubtype": "Call", "CallType": "Inbound"},
            {"attributes": {"type": "Task"}, "WhatId": case, "Status": "Done"},
            {"attributes": {"type": "Task"}, "WhatId": "500Dn0000000099IAA", "Status": "Completed"},
        ]});
        let (status, answer) = collection(&mut state, true, &body, None);
        assert_eq!(status, StatusCode::OK);
        assert_eq!(answer[0]["success"], true);
        assert_eq!(answer[1]["errors"][0]["statusCode"], "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST");
        assert_eq!(answer[2]["errors"][0]["statusCode"], "INVALID_CROSS_REFERENCE_KEY");
        assert_eq!(state.tasks.len(), 1);

        let id = answer[0]["id"].clone();
        let update = json!({"allOrNone": false, "records": [
            {"attributes": {"type": "Task"}, "Id": id, "TaskSubtype": "Call"},
            {"attributes": {"type": "Task"}, "Id": id, "Description": "later"},
        ]});
        let (_, answer) = collection(&mut state, false, &update, None);
        assert_eq!(answer[0]["errors"][0]["statusCode"], "INVALID_FIELD_FOR_INSERT_UPDATE", "TaskSubtype: create only");
        assert_eq!(answer[1]["success"], true);
    }
}
