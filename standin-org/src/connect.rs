//! Amazon Connect's API as the function calls it: `UpdateContactAttributes` stores attributes per call,
//! `GetContactAttributes` reads them back, `DescribeUser` names an agent.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use crate::state::State;
use crate::wire::aws_error;

/// `POST /contact/attributes`.
pub(crate) fn update_contact_attributes(state: &mut State, request: &Value) -> Response {
    let (Some(instance), Some(contact), Some(attributes)) = (
        request.get("InstanceId").and_then(Value::as_str),
        request.get("InitialContactId").and_then(Value::as_str),
        request.get("Attributes").and_then(Value::as_object),
    ) else {
        return aws_error(
            StatusCode::BAD_REQUEST,
            "InvalidParameterException",
            "InstanceId, InitialContactId and Attributes are required",
        );
    };
    if instance.is_empty() || contact.is_empty() {
        return aws_error(StatusCode::BAD_REQUEST, "InvalidParameterException", "empty id");
    }
    let stored = state.contact_attributes.entry(contact.to_owned()).or_default();
    for (name, value) in attributes {
        stored.insert(name.clone(), value.as_str().unwrap_or_default().to_owned());
    }
    (StatusCode::OK, [("content-type", "application/json")], "{}").into_response()
}

/// `GET /contact/attributes/{InstanceId}/{InitialContactId}`: what `UpdateContactAttributes` stored.
pub(crate) fn get_contact_attributes(state: &State, initial_contact_id: &str) -> Response {
    if state.setup.connect_denied {
        return aws_error(
            StatusCode::FORBIDDEN,
            "AccessDeniedException",
            "not authorized to perform connect:GetContactAttributes",
        );
    }
    match state.contact_attributes.get(initial_contact_id) {
        Some(attributes) => json_ok(json!({"Attributes": attributes})),
        None => aws_error(StatusCode::NOT_FOUND, "ResourceNotFoundException", "Contact not found"),
    }
}

/// `GET /users/{InstanceId}/{UserId}`: the Connect user, with its `Username`.
pub(crate) fn describe_user(state: &State, user_id: &str) -> Response {
    match state.agents.get(user_id) {
        Some(username) => json_ok(json!({"User": {
            "Id": user_id,
            "Arn": format!("arn:aws:connect:us-east-1:123456789012:instance/standin/agent/{user_id}"),
            "Username": username,
        }})),
        None => aws_error(StatusCode::NOT_FOUND, "ResourceNotFoundException", "User not found"),
    }
}

fn json_ok(body: Value) -> Response {
    (StatusCode::OK, [("content-type", "application/json")], body.to_string()).into_response()
}
