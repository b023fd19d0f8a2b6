//! The OAuth 2.0 token endpoint, client credentials flow: a session for the right client id and secret,
//! and the documented error object otherwise.

use std::collections::BTreeMap;

use axum::http::StatusCode;
use axum::response::Response;
use serde_json::json;

use crate::state::State;
use crate::wire::json_response;

/// `POST /services/oauth2/token`.
pub(crate) fn token(state: &mut State, form: &BTreeMap<String, String>) -> Response {
    let field = |name: &str| form.get(name).map(String::as_str).unwrap_or_default();
    if field("grant_type") != "client_credentials" {
        return json_response(
            StatusCode::BAD_REQUEST,
            json!({"error": "unsupported_grant_type", "error_description": "grant type not supported"}),
        );
    }
    if field("client_id") != state.client_id || field("client_secret") != state.client_secret {
        return json_response(
            StatusCode::BAD_REQUEST,
            json!({"error": "invalid_client", "error_description": "invalid client credentials"}),
        );
    }
    state.tokens_issued += 1;
    let access_token =
        format!("00DSTANDIN0000001!AQ{}.standin-session-{}", state.tokens_issued, state.tokens_issued * 7919);
    state.tokens.insert(access_token.clone());
    json_response(
        StatusCode::OK,
        json!({
            "access_token": access_token,
            "signature": "c3RhbmRpbg==",
            "scope": "api",
            "instance_url": state.url,
            "id": "https://login.salesforce.com/id/00DSTANDIN0000001/005STANDIN00001",
            "token_type": "Bearer",
            "issued_at": "1764000000000",
        }),
    )
}
