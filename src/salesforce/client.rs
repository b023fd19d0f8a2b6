//! The client: REST calls in the container's one session (`session`), renewed once on `401`, each sent
//! through the one exchange (`transport`: the retry policy, and a count).

use aws_config::SdkConfig;
use reqwest::{Method, StatusCode};
use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::Value;
use tokio::time::Instant;

use super::api_usage::{ApiUsage, Limits};
use super::auth_failure::{AuthFailure, AuthStage};
use super::credentials::{CredentialSource, Credentials};
use super::session::Sessions;
use super::transport::Transport;
use super::{SalesforceError, SalesforceId};

pub struct SalesforceClient {
    transport: Transport,
    sessions: Sessions,
    api_version: String,
    /// The org's phone fields and person accounts, once learned.
    pub(super) shape: super::shape::ShapeCache,
    /// Whether the org's assignment rules run on the cases the first leg creates (`CASE_OWNER=unchanged`).
    rules_on_create: bool,
    /// What contact-record batches learn once: the closed Task status, whether the org has VoiceCall.
    pub(super) legs: super::shape::LegCache,
}

/// One REST call, relative to the session's instance URL. Built with [`ApiRequest::get`], [`post`] or
/// [`patch`], each with the resend and assignment-rule defaults of its method.
///
/// [`post`]: ApiRequest::post
/// [`patch`]: ApiRequest::patch
pub(super) struct ApiRequest<'a> {
    method: Method,
    path: String,
    query: &'a [(&'a str, &'a str)],
    body: Option<&'a Value>,
    /// Safe to send again after a failure that may have reached the org (a reset mid-request).
    resend_safe: bool,
    /// `false` sends `Sforce-Auto-Assign: FALSE`: a case this request creates or updates is not moved by
    /// the org's assignment rules. `true` leaves the header out (the org's default: the rules run).
    assignment_rules: bool,
}

impl<'a> ApiRequest<'a> {
    fn new(method: Method, path: String, body: Option<&'a Value>, resend_safe: bool) -> Self {
        Self { method, path, query: &[], body, resend_safe, assignment_rules: true }
    }

    /// A read: safe to send again.
    pub(super) fn get(path: String) -> Self {
        Self::new(Method::GET, path, None, true)
    }

    /// A create (or a composite request): not sent again after a failure that may have reached the org,
    /// unless [`resend_safe`](Self::resend_safe) says a second copy would be refused.
    pub(super) fn post(path: String, body: &'a Value) -> Self {
        Self::new(Method::POST, path, Some(body), false)
    }

    /// An update of a record: the same fields written twice leave the same record, so it may go again.
    pub(super) fn patch(path: String, body: &'a Value) -> Self {
        Self::new(Method::PATCH, path, Some(body), true)
    }

    pub(super) fn query(self, query: &'a [(&'a str, &'a str)]) -> Self {
        Self { query, ..self }
    }

    pub(super) fn resend_safe(self, resend_safe: bool) -> Self {
        Self { resend_safe, ..self }
    }

    /// Whether the org's assignment rules run on the cases this request writes (their default).
    pub(super) fn assignment_rules(self, assignment_rules: bool) -> Self {
        Self { assignment_rules, ..self }
    }

    /// `Sforce-Auto-Assign: FALSE`: the case keeps the owner this request sets or leaves.
    pub(super) fn keep_owner(self) -> Self {
        self.assignment_rules(false)
    }
}

/// The query language of a [`SalesforceClient::records`] call.
pub(super) enum Language {
    /// `/query`, answering `records`.
    Soql,
    /// `/search`, answering `searchRecords`.
    Sosl,
}

/// A SOQL answer: its rows (`totalSize`, `done` and the rest skipped).
#[derive(Deserialize)]
pub(super) struct QueryAnswer<T> {
    pub(super) records: Vec<T>,
}

/// A SOSL answer: its rows (`searchRecords`; `metadata` skipped).
#[derive(Deserialize)]
struct SearchAnswer<T> {
    #[serde(rename = "searchRecords")]
    records: Vec<T>,
}

/// Salesforce's assignment-rule header, sent as `FALSE` when a write must keep the owner it sets.
pub(super) const AUTO_ASSIGN_HEADER: &str = "Sforce-Auto-Assign";

pub(super) struct ApiResponse {
    pub status: StatusCode,
    pub body: Value,
}

impl SalesforceClient {
    /// `login_url` is the org's My Domain URL; requests go through `http`, the container's one client; the
    /// Secrets Manager client, when the credentials need one, is built from `sdk`. Sends nothing.
    pub fn new(
        login_url: &str,
        api_version: &str,
        credentials: CredentialSource,
        http: reqwest::Client,
        sdk: &SdkConfig,
    ) -> Self {
        Self {
            transport: Transport::new(http),
            sessions: Sessions::new(login_url, Credentials::new(credentials, sdk)),
            api_version: api_version.to_owned(),
            shape: super::shape::ShapeCache::default(),
            rules_on_create: true,
            legs: super::shape::LegCache::default(),
        }
    }

    /// With `false`, cases are created with `Sforce-Auto-Assign: FALSE`, so they keep the run-as user as
    /// owner until the first agent takes them (`CASE_OWNER=first-agent`).
    pub fn with_assignment_rules_on_create(mut self, rules: bool) -> Self {
        self.rules_on_create = rules;
        self
    }

    pub(super) fn assignment_rules_on_create(&self) -> bool {
        self.rules_on_create
    }

    /// The login flow configured: `client credentials` or `JWT bearer assertion`.
    pub fn login_flow(&self) -> &'static str {
        self.sessions.flow()
    }

    /// HTTP requests sent to Salesforce by this client so far, token requests included.
    pub fn requests_sent(&self) -> u64 {
        self.transport.requests_sent()
    }

    /// The org's daily API usage: as the last answer's `Sforce-Limit-Info` said it, or, when no answer has
    /// carried the header, from `GET /limits`.
    pub async fn api_usage(&self, deadline: Instant) -> Result<ApiUsage, SalesforceError> {
        if let (_, Some(usage)) = self.transport.api_usage_seen() {
            return Ok(usage);
        }
        let limits: Limits = self.get(self.data_path("/limits"), &[], "the org's limits", deadline).await?;
        limits
            .usage()
            .ok_or_else(|| SalesforceError::Protocol("the org's limits have no DailyApiRequests allocation".into()))
    }

    /// What this client's answers have said of the org's API usage: (answers that carried
    /// `Sforce-Limit-Info`, the last one's usage).
    pub fn api_usage_seen(&self) -> (u64, Option<ApiUsage>) {
        self.transport.api_usage_seen()
    }

    pub(super) fn data_path(&self, rest: &str) -> String {
        format!("/services/data/v{}{rest}", self.api_version)
    }

    /// Makes sure a session is held (asking for a token only when none is), so a later request needs no
    /// token round trip.
    pub async fn start_session(&self, deadline: Instant) -> Result<(), SalesforceError> {
        self.sessions.current(&self.transport, deadline).await.map(|_| ())
    }

    /// Makes sure a session is held, asking the token endpoint now if none is, even while a refusal's pause
    /// lasts (the setup check, run after fixing the credentials); a success ends the pause.
    pub async fn start_session_now(&self, deadline: Instant) -> Result<(), SalesforceError> {
        self.sessions.current_now(&self.transport, deadline).await.map(|_| ())
    }

    /// The run-as user's id, as the token answer named it (no request once a session is held).
    pub(super) async fn run_as_user(&self, deadline: Instant) -> Result<Option<SalesforceId>, SalesforceError> {
        Ok(self.sessions.current(&self.transport, deadline).await?.user)
    }

    /// `GET path?query` in the current session: a success's body read straight into `T`, in one pass and
    /// without a `Value` tree (what `T` does not name is skipped unread); the org's refusal otherwise.
    /// `what` names the answer in the error when it is not the documented JSON.
    pub(super) async fn get<T: DeserializeOwned>(
        &self,
        path: String,
        query: &[(&str, &str)],
        what: &str,
        deadline: Instant,
    ) -> Result<T, SalesforceError> {
        read_json(&self.get_bytes(path, query, deadline).await?, what)
    }

    /// `GET path?query` in the current session: a success's body as it came, the org's refusal otherwise.
    pub(super) async fn get_bytes(
        &self,
        path: String,
        query: &[(&str, &str)],
        deadline: Instant,
    ) -> Result<Vec<u8>, SalesforceError> {
        let (status, body) = self.send_bytes(ApiRequest::get(path).query(query), deadline).await?;
        if !status.is_success() {
            return Err(super::error::unexpected(status, &json_body(status, &body)?));
        }
        Ok(body)
    }

    /// `GET query?q=…` (SOQL) or `GET search?q=…` (SOSL): the answer's records as `T`, one per row.
    pub(super) async fn records<T: DeserializeOwned>(
        &self,
        language: Language,
        query: &str,
        deadline: Instant,
    ) -> Result<Vec<T>, SalesforceError> {
        let (resource, key) = match language {
            Language::Soql => ("/query", "records"),
            Language::Sosl => ("/search", "searchRecords"),
        };
        let what = format!("the {resource} answer's {key}");
        let path = self.data_path(resource);
        match language {
            Language::Soql => {
                self.get::<QueryAnswer<T>>(path, &[("q", query)], &what, deadline).await.map(|a| a.records)
            }
            Language::Sosl => {
                self.get::<SearchAnswer<T>>(path, &[("q", query)], &what, deadline).await.map(|a| a.records)
            }
        }
    }

    /// Sends one REST call in the current session, renewing it once on `401`. Answers every status the
    /// retry policy does not retry, for the caller to interpret.
    pub(super) async fn send(
        &self,
        request: ApiRequest<'_>,
        deadline: Instant,
    ) -> Result<ApiResponse, SalesforceError> {
        let (status, body) = self.send_bytes(request, deadline).await?;
        Ok(ApiResponse { status, body: json_body(status, &body)? })
    }

    /// [`send`](Self::send), answering the body as it came, for the caller to read.
    async fn send_bytes(
        &self,
        request: ApiRequest<'_>,
        deadline: Instant,
    ) -> Result<(StatusCode, Vec<u8>), SalesforceError> {
        let mut renewed = false;
        loop {
            let session = self.sessions.current(&self.transport, deadline).await?;
            let build = || {
                let builder = self
                    .transport
                    .http()
                    .request(request.method.clone(), format!("{}{}", session.instance_url, request.path))
                    .bearer_auth(&session.access_token)
                    .query(request.query);
                let builder =
                    if request.assignment_rules { builder } else { builder.header(AUTO_ASSIGN_HEADER, "FALSE") };
                match request.body {
                    Some(body) => builder.json(body),
                    None => builder,
                }
            };
            let (status, body) = self.transport.exchange(build, request.resend_safe, "REST API", deadline).await?;
            if status != StatusCode::UNAUTHORIZED {
                return Ok((status, body));
            }
            if renewed {
                return Err(SalesforceError::Authentication(AuthFailure::new(
                    AuthStage::Session,
                    None,
                    "a new session was refused as invalid (INVALID_SESSION_ID)",
                )));
            }
            tracing::info!("Salesforce session expired; logging in again");
            self.sessions.invalidate(&session).await;
            renewed = true;
        }
    }
}

/// Percent-encodes everything but letters, digits, `-` and `_`: safe as a path segment (it can never be
/// `..`) and as a query value in a URL written out whole (a composite subrequest's).
pub(super) fn percent_encoded(text: &str) -> String {
    let mut encoded = String::with_capacity(text.len());
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'_') {
            encoded.push(char::from(byte));
        } else {
            encoded.push_str(&format!("%{byte:02X}"));
        }
    }
    encoded
}

/// A success's body read straight into `T`; `what` names it in the error when it is not the documented JSON.
pub(super) fn read_json<'a, T: Deserialize<'a>>(body: &'a [u8], what: &str) -> Result<T, SalesforceError> {
    serde_json::from_slice(body).map_err(|_| SalesforceError::Protocol(format!("{what} is not the documented JSON")))
}

fn json_body(status: StatusCode, bytes: &[u8]) -> Result<Value, SalesforceError> {
    if bytes.is_empty() {
        return Ok(Value::Null);
    }
    serde_json::from_slice(bytes)
        .map_err(|_| SalesforceError::Protocol(format!("HTTP {} answer is not JSON", status.as_u16())))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn path_segments_cannot_climb() {
        assert_eq!(percent_encoded("../x/y?z#"), "%2E%2E%2Fx%2Fy%3Fz%23");
        assert_eq!(percent_encoded("5ca32fbd-8f92"), "5ca32fbd-8f92");
    }
}
