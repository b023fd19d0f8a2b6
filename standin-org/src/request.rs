//! Every request the stand-in serves, parsed once into one [`Request`], then applied to the state. Adding
//! an operation is one arm here (how it is recognised, which [`Route`] counts it, which function serves
//! it) and that one function in its surface's file; Salesforce REST operations are arms of
//! [`RestOp`](crate::rest::RestOp) the same way.

use std::collections::BTreeMap;

use axum::http::{HeaderMap, Method, Uri};
use axum::response::Response;
use serde_json::Value;

use crate::control::Control;
use crate::rest::RestOp;
use crate::route::Route;
use crate::state::State;
use crate::wire::form_urlencoded;
use crate::{connect, oauth, rest, secrets};

pub(crate) enum Request {
    /// `POST /services/oauth2/token` with a form body.
    Token(BTreeMap<String, String>),
    /// A Salesforce REST call under `/services/data/`, with the bearer token it presents.
    Rest {
        bearer: Option<String>,
        /// The request's `Sforce-Auto-Assign` header.
        auto_assign: Option<String>,
        op: RestOp,
    },
    /// Connect's `POST /contact/attributes`.
    UpdateContactAttributes(Value),
    /// Connect's `GET /contact/attributes/{InstanceId}/{InitialContactId}`.
    GetContactAttributes {
        initial_contact_id: String,
    },
    /// Connect's `GET /users/{InstanceId}/{UserId}`.
    DescribeUser {
        user_id: String,
    },
    /// Secrets Manager's JSON protocol: `POST /` with an `X-Amz-Target`.
    SecretsManager {
        target: String,
        body: Value,
    },
    Control(Control),
}

impl Request {
    pub(crate) fn parse(method: &Method, uri: &Uri, headers: &HeaderMap, body: &[u8]) -> Self {
        let path = uri.path();
        let query = uri.query().unwrap_or_default();
        let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok()).map(str::to_owned);
        let json = || if body.is_empty() { Value::Null } else { serde_json::from_slice(body).unwrap_or(Value::Null) };
        if let Some(control) = path.strip_prefix("/_standin/") {
            return Self::Control(Control::parse(method, control, query, body));
        }
        match path {
            "/services/oauth2/token" => Self::Token(form_urlencoded(body)),
            "/contact/attributes" => Self::UpdateContactAttributes(json()),
            _ if path.starts_with("/contact/attributes/") => Self::GetContactAttributes {
                initial_contact_id: path.rsplit('/').next().unwrap_or_default().to_owned(),
            },
            _ if path.starts_with("/users/") => {
                Self::DescribeUser { user_id: path.rsplit('/').next().unwrap_or_default().to_owned() }
            }
            "/" if headers.contains_key("x-amz-target") => {
                Self::SecretsManager { target: header("x-amz-target").unwrap_or_default(), body: json() }
            }
            _ => Self::Rest {
                bearer: header("authorization").and_then(|v| v.strip_prefix("Bearer ").map(str::to_owned)),
                auto_assign: header("sforce-auto-assign"),
                op: RestOp::parse(method, path, query, json()),
            },
        }
    }

    pub(crate) fn route(&self) -> Route {
        match self {
            Self::Token(_) => Route::Token,
            Self::Rest { op, .. } => op.route(),
            Self::UpdateContactAttributes(_) => Route::ConnectUpdateAttributes,
            Self::GetContactAttributes { .. } => Route::ConnectGetAttributes,
            Self::DescribeUser { .. } => Route::ConnectDescribeUser,
            Self::SecretsManager { .. } => Route::SecretsGetValue,
            Self::Control(_) => Route::Control,
        }
    }

    pub(crate) fn apply(self, state: &mut State) -> Response {
        match self {
            Self::Token(form) => oauth::token(state, &form),
            Self::Rest { bearer, auto_assign, op } => rest::serve(state, bearer.as_deref(), auto_assign.as_deref(), op),
            Self::UpdateContactAttributes(body) => connect::update_contact_attributes(state, &body),
            Self::GetContactAttributes { initial_contact_id } => {
                connect::get_contact_attributes(state, &initial_contact_id)
            }
            Self::DescribeUser { user_id } => connect::describe_user(state, &user_id),
            Self::SecretsManager { target, body } => secrets::serve(state, &target, &body),
            Self::Control(control) => control.apply(state),
        }
    }
}
