//! Cases: create, read by id or by external id, and upsert by external id, checking fields as the org
//! does: known fields, lengths, a restricted `Origin` picklist when one is set, and a unique external id.

use axum::http::StatusCode;
use serde_json::{Map, Value, json};

use crate::clock;
use crate::ids::salesforce_id;
use crate::known::EXTERNAL_ID_FIELD;
use crate::schema::{self, Write};
use crate::state::State;
use crate::wire::{not_found, sf_error};

/// Whether a write runs the org's assignment rules: unless `Sforce-Auto-Assign: FALSE` came with it.
fn rules_run(auto_assign: Option<&str>) -> bool {
    !auto_assign.is_some_and(|value| value.eq_ignore_ascii_case("false"))
}

/// Who owns a case after a write: the assignment rule's queue when the rules run and the org has one.
fn assign(state: &State, fields: &mut Map<String, Value>, auto_assign: Option<&str>) {
    if rules_run(auto_assign)
        && let Some(queue) = &state.assignment_queue
    {
        fields.insert("OwnerId".into(), queue.clone().into());
    }
}
fn case_url(version: &str, id: &str) -> String {
    format!("/services/data/{version}/sobjects/Case/{id}")
}

/// Checks a write's fields the way the org would: known fields, lengths, picklists, and no writing the Id.
fn check_case_fields(state: &State, body: &Value) -> Result<Map<String, Value>, (StatusCode, Value)> {
    let Some(fields) = body.as_object() else {
        return Err(sf_error(StatusCode::BAD_REQUEST, "JSON_PARSER_ERROR", "The request body is not a JSON object"));
    };
    for (name, value) in fields {
        let Some(field) = schema::CASE.field(name) else {
            return Err(sf_error(
                StatusCode::BAD_REQUEST,
                "INVALID_FIELD",
                &format!("No such column '{name}' on sobject of type Case"),
            ));
        };
        if field.write == Write::Never {
            return Err(sf_error(
                StatusCode::BAD_REQUEST,
                "INVALID_FIELD_FOR_INSERT_UPDATE",
                &format!("Unable to create/update fields: {name}"),
            ));
        }
        let limit = field.max_length;
        if name == "Origin"
            && let Some(allowed) = &state.origin_picklist
            && !value.as_str().is_some_and(|origin| allowed.iter().any(|a| a == origin))
        {
            return Err((
                StatusCode::BAD_REQUEST,
                json!([{"message": format!("Case Origin: bad value for restricted picklist field: {}", value.as_str().unwrap_or_default()),
                    "errorCode": "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST", "fields": ["Origin"]}]),
            ));
        }
        if value.as_str().is_some_and(|s| s.chars().count() > limit) {
            return Err((
                StatusCode::BAD_REQUEST,
                json!([{"message": format!("{name}: data value too large"), "errorCode": "STRING_TOO_LONG", "fields": [name]}]),
            ));
        }
    }
    Ok(fields.clone())
}

pub(crate) fn create(
    state: &mut State,
    _version: &str,
    body: &Value,
    external: Option<(&str, &str)>,
    auto_assign: Option<&str>,
) -> (StatusCode, Value) {
    let mut fields = match check_case_fields(state, body) {
        Ok(fields) => fields,
        Err(error) => return error,
    };
    if let Some(value) = fields.get(EXTERNAL_ID_FIELD).and_then(Value::as_str)
        && let Some(taken) = holder(state, EXTERNAL_ID_FIELD, value).first()
    {
        let id = state.cases.get(taken).and_then(|case| case.get("Id")).and_then(Value::as_str).unwrap_or_default();
        return (
            StatusCode::BAD_REQUEST,
            json!([{"message": format!("duplicate value found: {EXTERNAL_ID_FIELD} duplicates value on record with id: {id}"),
                "errorCode": "DUPLICATE_VALUE", "fields": []}]),
        );
    }
    state.cases_created += 1;
    let id = salesforce_id("500", state.cases_created);
    fields.insert("Id".into(), id.clone().into());
    let number = match &state.setup.case_number_prefix {
        Some(prefix) => format!("{prefix}{:06}", 1000 + state.cases_created),
        None => format!("{:08}", 1000 + state.cases_created),
    };
    fields.insert("CaseNumber".into(), number.into());
    fields.entry("Status").or_insert("New".into());
    let now = clock::now();
    for stamp in ["CreatedDate", "LastModifiedDate", "SystemModstamp"] {
        fields.insert(stamp.into(), now.clone().into());
    }
    fields.entry("OwnerId").or_insert(state.run_as_user.clone().into());
    if let Some((field, value)) = external {
        fields.insert(field.into(), value.into());
    }
    assign(state, &mut fields, auto_assign);
    state.record_write(&id, "create", auto_assign);
    state.put_case(id[..15].to_owned(), fields);
    (StatusCode::CREATED, json!({"id": id, "success": true, "errors": []}))
}

/// A write's modification times, as the org sets them.
fn touch(case: &mut Map<String, Value>) {
    let now = clock::now();
    case.insert("LastModifiedDate".into(), now.clone().into());
    case.insert("SystemModstamp".into(), now.into());
}

/// The keys of live cases whose `field` holds `value`.
fn holder(state: &State, field: &str, value: &str) -> Vec<String> {
    state
        .cases
        .iter()
        .filter(|(_, case)| case.get(field).and_then(Value::as_str) == Some(value))
        .map(|(key, _)| key.clone())
        .collect()
}

fn unknown_external_id_field(field: &str) -> (StatusCode, Value) {
    sf_error(
        StatusCode::NOT_FOUND,
        "NOT_FOUND",
        &format!("Provided external ID field does not exist or is not accessible: {field}"),
    )
}

/// What the org answers for a case key it does not hold: deleted (in the recycle bin) or never there.
fn missing(state: &State, key: &str) -> (StatusCode, Value) {
    if state.deleted_cases.contains(key) {
        return sf_error(StatusCode::NOT_FOUND, "ENTITY_IS_DELETED", "entity is deleted");
    }
    not_found()
}

/// An external id value that more than one case holds.
fn several_match() -> (StatusCode, Value) {
    sf_error(StatusCode::MULTIPLE_CHOICES, "MULTIPLE_CHOICES", "more than one record matched the external id")
}

/// `GET sobjects/Case/{external id field}/{value}`.
pub(crate) fn read_by_key(
    state: &State,
    version: &str,
    field: &str,
    value: &str,
    fields: Option<&str>,
) -> (StatusCode, Value) {
    if field != EXTERNAL_ID_FIELD {
        return unknown_external_id_field(field);
    }
    match holder(state, field, value).as_slice() {
        [] => not_found(),
        [key] => read(state, version, key, fields),
        _ => several_match(),
    }
}

pub(crate) fn read(state: &State, version: &str, id: &str, fields: Option<&str>) -> (StatusCode, Value) {
    let key = State::case_key(id);
    let Some(case) = state.cases.get(key) else { return missing(state, key) };
    let case_id = case.get("Id").and_then(Value::as_str).unwrap_or_default();
    let mut record = Map::new();
    record.insert("attributes".into(), json!({"type": "Case", "url": case_url(version, case_id)}));
    let wanted: Vec<&str> = match fields {
        Some(list) => list.split(',').map(str::trim).collect(),
        None => schema::CASE.names().collect(),
    };
    for field in wanted {
        if schema::CASE.field(field).is_none() || state.setup.unreadable_case_fields.contains(&field) {
            return sf_error(
                StatusCode::BAD_REQUEST,
                "INVALID_FIELD",
                &format!("No such column '{field}' on entity 'Case'"),
            );
        }
        record.insert(field.into(), case.get(field).cloned().unwrap_or(Value::Null));
    }
    (StatusCode::OK, Value::Object(record))
}

/// `PATCH sobjects/Case/{id}`: `204` with no body, as the org answers an update.
pub(crate) fn update(state: &mut State, id: &str, body: &Value, auto_assign: Option<&str>) -> (StatusCode, Value) {
    let key = State::case_key(id).to_owned();
    if !state.cases.contains_key(&key) {
        return missing(state, &key);
    }
    let mut fields = match check_case_fields(state, body) {
        Ok(fields) => fields,
        Err(error) => return error,
    };
    if let Some(owner) = fields.get("OwnerId").and_then(Value::as_str)
        && !state.users.iter().any(|user| user.active && user.id == owner)
        && owner != state.run_as_user
    {
        return sf_error(StatusCode::BAD_REQUEST, "INVALID_CROSS_REFERENCE_KEY", "invalid cross reference id");
    }
    assign(state, &mut fields, auto_assign);
    state.record_write(id, "update", auto_assign);
    let Some(mut case) = state.cases.get(&key).cloned() else { return not_found() };
    case.extend(fields);
    touch(&mut case);
    state.put_case(key, case);
    (StatusCode::NO_CONTENT, Value::Null)
}

pub(crate) fn upsert(
    state: &mut State,
    version: &str,
    field: &str,
    value: &str,
    body: &Value,
    auto_assign: Option<&str>,
) -> (StatusCode, Value) {
    if field != EXTERNAL_ID_FIELD {
        return unknown_external_id_field(field);
    }
    match holder(state, field, value).as_slice() {
        [] => {
            let (status, mut answer) = create(state, version, body, Some((field, value)), auto_assign);
            if status == StatusCode::CREATED {
                answer["created"] = true.into();
            }
            (status, answer)
        }
        [key] => {
            let mut fields = match check_case_fields(state, body) {
                Ok(fields) => fields,
                Err(error) => return error,
            };
            assign(state, &mut fields, auto_assign);
            let id =
                state.cases.get(key).and_then(|c| c.get("Id")).and_then(Value::as_str).unwrap_or_default().to_owned();
            state.record_write(&id, "upsert", auto_assign);
            let Some(mut case) = state.cases.get(key).cloned() else {
                return not_found();
            };
            case.extend(fields);
            touch(&mut case);
            let id = case.get("Id").cloned().unwrap_or(Value::Null);
            state.put_case(key.clone(), case);
            (StatusCode::OK, json!({"id": id, "success": true, "errors": [], "created": false}))
        }
        _ => several_match(),
    }
}
