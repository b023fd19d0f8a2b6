//! What the org says about itself: `GET /services/data/` (the API versions it serves) and
//! `GET sobjects/{object}/describe` for Case and User, in Salesforce's documented shape (as much of it as
//! a client reads), reporting the state's [`Setup`](crate::setup::Setup).

use axum::http::StatusCode;
use serde_json::{Value, json};

use crate::EXTERNAL_ID_FIELD;
use crate::state::State;
use crate::wire::sf_error;

/// `GET /services/data/`.
pub(crate) fn versions(state: &State) -> (StatusCode, Value) {
    let list: Vec<Value> = (31..=state.setup.newest_version)
        .map(|v| json!({"label": format!("v{v}.0"), "url": format!("/services/data/v{v}.0"), "version": format!("{v}.0")}))
        .collect();
    (StatusCode::OK, Value::Array(list))
}

fn field(name: &str, kind: &str, external_id: bool, unique: bool) -> Value {
    json!({"name": name, "type": kind, "externalId": external_id, "unique": unique, "length": 255, "nillable": true})
}

/// `GET sobjects/{object}/describe`.
pub(crate) fn describe(state: &State, object: &str) -> (StatusCode, Value) {
    let setup = &state.setup;
    match object {
        "Case" => {
            let mut fields = vec![
                field("Id", "id", false, false),
                field("CaseNumber", "string", false, false),
                field("Subject", "string", false, false),
                field("OwnerId", "reference", false, false),
            ];
            if let Some((external_id, unique)) = setup.external_id_field {
                fields.push(field(EXTERNAL_ID_FIELD, "string", external_id, unique));
            }
            (
                StatusCode::OK,
                json!({"name": "Case", "createable": setup.case_createable, "queryable": setup.case_readable,
                       "retrieveable": setup.case_readable, "fields": fields}),
            )
        }
        "User" if setup.user_describable => (
            StatusCode::OK,
            json!({"name": "User", "createable": false, "queryable": true, "retrieveable": true, "fields": [
                field("Id", "id", false, false), field("Username", "string", false, true),
                field("Email", "email", false, false), field("FederationIdentifier", "string", false, false),
                field("IsActive", "boolean", false, false),
            ]}),
        ),
        "User" => sf_error(StatusCode::FORBIDDEN, "INSUFFICIENT_ACCESS", "insufficient access rights on object id"),
        other => {
            sf_error(StatusCode::NOT_FOUND, "NOT_FOUND", &format!("The requested resource does not exist: {other}"))
        }
    }
}
