//! The Salesforce REST API under `/services/data/vXX.X/`: each call parsed once into a [`RestOp`], the
//! same for a direct request and a composite subrequest, and served only in a live session.

use std::collections::BTreeMap;

use axum::http::{HeaderValue, Method, StatusCode};
use axum::response::Response;
use serde_json::Value;

use crate::route::Route;
use crate::state::State;
use crate::wire::{
    form_urlencoded, json_response, json_text_response, not_found, percent_decode, sf_error, sf_error_response,
};
use crate::{activities, cases, composite, describe, query, search};

pub(crate) enum RestOp {
    /// `GET /services/data/`: the versions the org serves.
    Versions,
    /// `GET sobjects/{object}/describe`.
    Describe { object: String },
    /// `GET search?q=…` (SOSL).
    Search { version: String, query: String },
    /// `GET query?q=…` (SOQL).
    Query { version: String, soql: String },
    /// `GET parameterizedSearch?q=…&sobject=…&in=…`.
    ParameterizedSearch { version: String, params: BTreeMap<String, String> },
    /// `POST sobjects/Case`.
    CreateCase { version: String, body: Value },
    /// `GET sobjects/Case/{id}?fields=…`.
    ReadCase { version: String, id: String, fields: Option<String> },
    /// `GET sobjects/Case/{external id field}/{value}?fields=…`.
    ReadCaseByKey { version: String, field: String, value: String, fields: Option<String> },
    /// `PATCH sobjects/Case/{id}`: update.
    UpdateCase { id: String, body: Value },
    /// `PATCH sobjects/Case/{external id field}/{value}`: upsert.
    UpsertCase { version: String, field: String, value: String, body: Value },
    /// `GET sobjects/VoiceCall/{id}?fields=…`.
    ReadVoiceCall { version: String, id: String, fields: Option<String> },
    /// `PATCH sobjects/VoiceCall/{id}`.
    UpdateVoiceCall { id: String, body: Value },
    /// `GET limits`: the org's allocations.
    Limits,
    /// `POST composite`.
    Composite { body: Value },
    /// `POST composite/sobjects` (create) or `PATCH composite/sobjects` (update).
    Collection { create: bool, body: Value },
    /// Anything else: `404 NOT_FOUND`, as the org answers it.
    NotFound,
}

impl RestOp {
    pub(crate) fn parse(method: &Method, path: &str, query: &str, body: Value) -> Self {
        let Some(rest) = path.strip_prefix("/services/data/") else { return Self::NotFound };
        if rest.is_empty() && method == Method::GET {
            return Self::Versions;
        }
        let mut segments: Vec<String> = rest.trim_end_matches('/').split('/').map(percent_decode).collect();
        let version = segments.remove(0);
        if !is_version(&version) {
            return Self::NotFound;
        }
        let mut params = form_urlencoded(query.as_bytes());
        let segments: Vec<&str> = segments.iter().map(String::as_str).collect();
        match (method.as_str(), segments.as_slice()) {
            ("GET", ["search"]) => Self::Search { version, query: params.remove("q").unwrap_or_default() },
            ("GET", ["sobjects", object, "describe"]) => Self::Describe { object: (*object).to_owned() },
            ("GET", ["limits"]) => Self::Limits,
            ("GET", ["query"]) => Self::Query { version, soql: params.remove("q").unwrap_or_default() },
            ("GET", ["parameterizedSearch"]) => Self::ParameterizedSearch { version, params },
            ("POST", ["composite"]) => Self::Composite { body },
            ("POST", ["composite", "sobjects"]) => Self::Collection { create: true, body },
            ("PATCH", ["composite", "sobjects"]) => Self::Collection { create: false, body },
            ("POST", ["sobjects", "Case"]) => Self::CreateCase { version, body },
            ("GET", ["sobjects", "Case", id]) => {
                Self::ReadCase { version, id: (*id).to_owned(), fields: params.remove("fields") }
            }
            ("GET", ["sobjects", "Case", field, value]) => Self::ReadCaseByKey {
                version,
                field: (*field).to_owned(),
                value: (*value).to_owned(),
                fields: params.remove("fields"),
            },
            ("PATCH", ["sobjects", "Case", id]) => Self::UpdateCase { id: (*id).to_owned(), body },
            ("GET", ["sobjects", "VoiceCall", id]) => {
                Self::ReadVoiceCall { version, id: (*id).to_owned(), fields: params.remove("fields") }
            }
            ("PATCH", ["sobjects", "VoiceCall", id]) => Self::UpdateVoiceCall { id: (*id).to_owned(), body },
            ("PATCH", ["sobjects", "Case", field, value]) => {
                Self::UpsertCase { version, field: (*field).to_owned(), value: (*value).to_owned(), body }
            }
            _ => Self::NotFound,
        }
    }

    pub(crate) fn route(&self) -> Route {
        match self {
            Self::Versions | Self::Describe { .. } => Route::Describe,
            Self::Search { .. } => Route::Search,
            Self::Query { .. } => Route::Query,
            Self::ParameterizedSearch { .. } => Route::ParameterizedSearch,
            Self::CreateCase { .. } => Route::CaseCreate,
            Self::ReadCase { .. } | Self::ReadCaseByKey { .. } => Route::CaseRead,
            Self::UpsertCase { .. } => Route::CaseUpsert,
            Self::UpdateCase { .. } => Route::CaseUpdate,
            Self::Composite { .. } => Route::Composite,
            Self::Collection { .. } => Route::Collections,
            Self::ReadVoiceCall { .. } | Self::UpdateVoiceCall { .. } => Route::VoiceCall,
            Self::Limits | Self::NotFound => Route::OtherSalesforce,
        }
    }

    /// Applies the operation; `auto_assign` is the `Sforce-Auto-Assign` header that came with it.
    pub(crate) fn apply(self, state: &mut State, auto_assign: Option<&str>) -> (StatusCode, Value) {
        match self {
            Self::Versions => describe::versions(state),
            Self::Describe { object } => describe::describe(state, &object),
            Self::Search { version, query } => search::sosl(state, &version, &query),
            Self::Query { version, soql } => query::soql(state, &version, &soql),
            Self::ParameterizedSearch { version, params } => search::parameterized(state, &version, &params),
            Self::CreateCase { version, body } => cases::create(state, &version, &body, None, auto_assign),
            Self::UpdateCase { id, body } => cases::update(state, &id, &body, auto_assign),
            Self::ReadCase { version, id, fields } => cases::read(state, &version, &id, fields.as_deref()),
            Self::ReadCaseByKey { version, field, value, fields } => {
                cases::read_by_key(state, &version, &field, &value, fields.as_deref())
            }
            Self::UpsertCase { version, field, value, body } => {
                cases::upsert(state, &version, &field, &value, &body, auto_assign)
            }
            Self::Composite { body } => composite::run(state, &body, auto_assign, serve_subrequest),
            Self::Collection { create, body } => activities::collection(state, create, &body, auto_assign),
            Self::ReadVoiceCall { version, id, fields } => {
                activities::read_voice_call(state, &version, &id, fields.as_deref())
            }
            Self::UpdateVoiceCall { id, body } => activities::patch_voice_call(state, &id, &body),
            Self::Limits => describe::limits(state),
            Self::NotFound => not_found(),
        }
    }
}

/// One composite subrequest: any REST operation but another composite.
pub(crate) fn serve_subrequest(
    state: &mut State,
    method: &Method,
    path: &str,
    query: &str,
    body: Value,
    auto_assign: Option<&str>,
) -> (StatusCode, Value) {
    match RestOp::parse(method, path, query, body) {
        RestOp::Composite { .. } => {
            sf_error(StatusCode::BAD_REQUEST, "INVALID_URL", "the subrequest's method or url is not supported")
        }
        op => op.apply(state, auto_assign),
    }
}

/// Serves `op` when `bearer` is a live session; `401 INVALID_SESSION_ID` otherwise.
pub(crate) fn serve(state: &mut State, bearer: Option<&str>, auto_assign: Option<&str>, op: RestOp) -> Response {
    if !bearer.is_some_and(|token| state.tokens.contains(token)) {
        return sf_error_response(StatusCode::UNAUTHORIZED, "INVALID_SESSION_ID", "Session expired or invalid");
    }
    // Every request counts against the org's allocation, and its answer says so, but for the versions
    // list (`/services/data/`), which the REST API documents as neither.
    let limit_info = if matches!(op, RestOp::Versions) { None } else { state.api_usage.count() };
    let mut response = match &op {
        RestOp::Describe { object } if let Some(body) = describe::served(state, object) => {
            json_text_response(StatusCode::OK, body)
        }
        _ => {
            let (status, body) = op.apply(state, auto_assign);
            json_response(status, body)
        }
    };
    if let Some(value) = limit_info.and_then(|v| HeaderValue::from_str(&v).ok()) {
        response.headers_mut().insert("sforce-limit-info", value);
    }
    response
}

fn is_version(version: &str) -> bool {
    version.strip_prefix('v').and_then(|v| v.split_once('.')).is_some_and(|(major, minor)| {
        !major.is_empty() && !minor.is_empty() && major.bytes().chain(minor.bytes()).all(|b| b.is_ascii_digit())
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn calls_are_recognised_once_whatever_their_encoding() {
        let parse = |method: Method, path: &str, query: &str| RestOp::parse(&method, path, query, Value::Null).route();
        assert_eq!(parse(Method::GET, "/services/data/v66.0/search", "q=x"), Route::Search);
        assert_eq!(parse(Method::GET, "/services/data/v66.0/parameterizedSearch/", "q=x"), Route::ParameterizedSearch);
        assert_eq!(parse(Method::GET, "/services/data/v66.0/sobjects/Case/500Dn0000000001IAA", ""), Route::CaseRead);
        assert_eq!(parse(Method::PATCH, "/services/data/v66.0/sobjects/Case/Ext__c/a%2Fb", ""), Route::CaseUpsert);
        assert_eq!(parse(Method::GET, "/services/data/66.0/search", "q=x"), Route::OtherSalesforce);
        assert_eq!(parse(Method::DELETE, "/services/data/v66.0/sobjects/Case/x", ""), Route::OtherSalesforce);
        let upsert = RestOp::parse(&Method::PATCH, "/services/data/v66.0/sobjects/Case/Ext__c/a%2Fb", "", json!({}));
        assert!(matches!(upsert, RestOp::UpsertCase { value, .. } if value == "a/b"));
    }
}
