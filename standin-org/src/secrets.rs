//! AWS Secrets Manager's JSON protocol, as far as `GetSecretValue`.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use crate::state::State;
use crate::wire::aws_error;

/// `POST /` with `X-Amz-Target: secretsmanager.<Operation>`.
pub(crate) fn serve(state: &State, target: &str, request: &Value) -> Response {
    if target != "secretsmanager.GetSecretValue" {
        return aws_error(StatusCode::BAD_REQUEST, "UnknownOperationException", "unsupported operation");
    }
    let secret_id = request.get("SecretId").and_then(Value::as_str).unwrap_or_default();
    match state.secrets.get(secret_id) {
        Some(secret) => (
            StatusCode::OK,
            [("content-type", "application/x-amz-json-1.1")],
            json!({
                "ARN": secret_id,
                "Name": "connect-case-handoff/salesforce",
                "SecretString": secret,
                "VersionId": "a1b2c3d4-5678-90ab-cdef-EXAMPLE11111",
                "VersionStages": ["AWSCURRENT"],
                "CreatedDate": 1764000000.0,
            })
            .to_string(),
        )
            .into_response(),
        None => aws_error(
            StatusCode::BAD_REQUEST,
            "ResourceNotFoundException",
            "Secrets Manager can't find the specified secret.",
        ),
    }
}
