//! Amazon Connect's API as the function calls it: `UpdateContactAttributes` stores attributes per call.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::Value;

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
