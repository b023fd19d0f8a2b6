//! The client: one OAuth session per container, renewed once on `401`, every request sent through one
//! retry policy and counted.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime};

use aws_config::SdkConfig;
use reqwest::{Method, RequestBuilder, StatusCode};
use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::Value;
use tokio::sync::Mutex;
use tokio::time::Instant;

use super::credentials::{CredentialSource, Credentials, Login};
use super::error::{AuthFailure, AuthStage, Refusal, printable};
use super::jwt;
use super::refusal::Refusals;
use super::retry::{Retry, is_transient, may_resend, transport_failure};
use super::{SalesforceError, SalesforceId};

pub struct SalesforceClient {
    http: reqwest::Client,
    login_url: String,
    api_version: String,
    credentials: Credentials,
    session: Mutex<Option<Session>>,
    refusals: Refusals,
    /// The org's phone fields and person accounts, once learned.
    pub(super) shape: super::shape::ShapeCache,
    /// Whether the org's assignment rules run on the cases the first leg creates (`CASE_OWNER=unchanged`).
    rules_on_create: bool,
    /// What contact-record batches learn once: the closed Task status, whether the org has VoiceCall.
    pub(super) legs: super::shape::LegCache,
    requests: AtomicU64,
}

#[derive(Clone)]
struct Session {
    access_token: String,
    instance_url: String,
    /// The run-as user: the last segment of the token answer's identity URL (`…/id/<org>/<user>`).
    user: Option<SalesforceId>,
}

#[derive(Deserialize)]
struct TokenAnswer {
    access_token: String,
    instance_url: String,
    #[serde(default)]
    id: Option<String>,
}

#[derive(Deserialize)]
struct OAuthError {
    error: String,
    #[serde(default)]
    error_description: Option<String>,
}

/// The JWT bearer flow's `grant_type`.
const JWT_BEARER_GRANT: &str = "urn:ietf:params:oauth:grant-type:jwt-bearer";

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
    /// `login_url` is the org's My Domain URL; the Secrets Manager client, when the credentials need one,
    /// is built from `sdk`. Sends nothing.
    pub fn new(login_url: &str, api_version: &str, credentials: CredentialSource, sdk: &SdkConfig) -> Self {
        let http = reqwest::Client::builder()
            .tcp_nodelay(true)
            .pool_idle_timeout(Duration::from_secs(50))
            .user_agent(concat!("connect-case-handoff/", env!("CARGO_PKG_VERSION")))
            .build()
            .unwrap_or_else(|error| {
                // Only the TLS setup can fail here; say so, and go on with reqwest's own settings (without
                // TCP_NODELAY and the idle timeout that matches Salesforce's, each request may be slower).
                tracing::error!(error = %error, "could not build the HTTP client as configured; using reqwest's defaults");
                reqwest::Client::new()
            });
        Self {
            http,
            login_url: login_url.trim_end_matches('/').to_owned(),
            api_version: api_version.to_owned(),
            credentials: Credentials::new(credentials, sdk),
            session: Mutex::new(None),
            refusals: Refusals::default(),
            shape: super::shape::ShapeCache::default(),
            rules_on_create: true,
            legs: super::shape::LegCache::default(),
            requests: AtomicU64::new(0),
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
        self.credentials.flow()
    }

    /// HTTP requests sent to Salesforce by this client so far, token requests included.
    pub fn requests_sent(&self) -> u64 {
        self.requests.load(Ordering::Relaxed)
    }

    pub(super) fn data_path(&self, rest: &str) -> String {
        format!("/services/data/v{}{rest}", self.api_version)
    }

    /// Makes sure a session is held (asking for a token only when none is), so a later request needs no
    /// token round trip.
    pub async fn start_session(&self, deadline: Instant) -> Result<(), SalesforceError> {
        self.session(deadline).await.map(|_| ())
    }

    /// The run-as user's id, as the token answer named it (no request once a session is held).
    pub(super) async fn run_as_user(&self, deadline: Instant) -> Result<Option<SalesforceId>, SalesforceError> {
        Ok(self.session(deadline).await?.user)
    }

    /// The current session, logging in first if there is none. Logs in at most once at a time, and not
    /// at all for 30 s after the token endpoint refused the credentials.
    async fn session(&self, deadline: Instant) -> Result<Session, SalesforceError> {
        let mut slot = self.session.lock().await;
        if let Some(session) = slot.as_ref() {
            return Ok(session.clone());
        }
        self.refusals.check()?;
        let credentials = self.credentials.get().await?;
        let login = self.request_token(&credentials, deadline).await;
        self.refusals.record(&login);
        let session = login?;
        *slot = Some(session.clone());
        Ok(session)
    }

    /// Forgets `stale` unless another request already replaced it.
    async fn invalidate(&self, stale: &Session) {
        let mut slot = self.session.lock().await;
        if slot.as_ref().is_some_and(|s| s.access_token == stale.access_token) {
            *slot = None;
        }
    }

    /// One round trip to the token endpoint, whatever session is held.
    async fn request_token(&self, login: &Login, deadline: Instant) -> Result<Session, SalesforceError> {
        let url = format!("{}/services/oauth2/token", self.login_url);
        let form: Vec<(&str, String)> = match login {
            Login::ClientCredentials { client_id, client_secret } => vec![
                ("grant_type", "client_credentials".to_owned()),
                ("client_id", client_id.clone()),
                ("client_secret", client_secret.clone()),
            ],
            Login::JwtBearer { client_id, username, key, audience } => {
                let assertion = jwt::assertion(key, client_id, username, audience, SystemTime::now())
                    .map_err(|error| SalesforceError::Configuration(format!("the private key {error}")))?;
                vec![("grant_type", JWT_BEARER_GRANT.to_owned()), ("assertion", assertion)]
            }
        };
        // Asking for a token again is harmless: the login is idempotent.
        let (status, body) =
            self.exchange(|| self.http.post(&url).form(&form), true, "token endpoint", deadline).await?;
        if status.is_success() {
            let token: TokenAnswer = serde_json::from_slice(&body)
                .map_err(|_| SalesforceError::Protocol("token answer is not the documented JSON".into()))?;
            let user = token.id.as_deref().and_then(|id| id.rsplit('/').next()).and_then(SalesforceId::parse);
            return Ok(Session {
                access_token: token.access_token,
                instance_url: token.instance_url.trim_end_matches('/').to_owned(),
                user,
            });
        }
        if status.is_server_error() {
            return Err(SalesforceError::Unavailable(format!("token endpoint HTTP {}", status.as_u16())));
        }
        let answer = serde_json::from_slice::<OAuthError>(&body).ok();
        let code = answer.as_ref().map(|a| a.error.as_str());
        let refusal = answer.as_ref().and_then(|a| a.error_description.as_deref()).and_then(Refusal::read);
        let shown = code.map_or_else(|| "no OAuth error code".to_owned(), printable);
        let said = refusal.map(|r| format!(": {}", r.phrase())).unwrap_or_default();
        let what =
            format!("the token endpoint refused the {} (HTTP {} {shown}{said})", login.describe(), status.as_u16());
        let jwt = matches!(login, Login::JwtBearer { .. });
        Err(SalesforceError::Authentication(AuthFailure::refused(code, refusal, jwt, what)))
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
            let session = self.session(deadline).await?;
            let build = || {
                let builder = self
                    .http
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
            let (status, body) = self.exchange(build, request.resend_safe, "REST API", deadline).await?;
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
            self.invalidate(&session).await;
            renewed = true;
        }
    }

    /// One HTTP exchange under the retry policy: transient statuses and failed connections are sent again
    /// while `deadline` allows, and a request cut mid-way only when it is `idempotent`. Answers the status
    /// and body of the first answer that is not retried.
    async fn exchange(
        &self,
        request: impl Fn() -> RequestBuilder,
        idempotent: bool,
        peer: &str,
        deadline: Instant,
    ) -> Result<(StatusCode, Vec<u8>), SalesforceError> {
        let mut retry = Retry::until(deadline);
        loop {
            self.requests.fetch_add(1, Ordering::Relaxed);
            let failure = match request().send().await {
                Ok(response) if is_transient(response.status()) => {
                    format!("{peer} HTTP {}", response.status().as_u16())
                }
                Ok(response) => {
                    let status = response.status();
                    match response.bytes().await {
                        Ok(body) => return Ok((status, body.into())),
                        Err(error) if idempotent => transport_failure(peer, &error),
                        Err(error) => return Err(SalesforceError::Unavailable(transport_failure(peer, &error))),
                    }
                }
                Err(error) if may_resend(&error, idempotent) => transport_failure(peer, &error),
                Err(error) => return Err(SalesforceError::Unavailable(transport_failure(peer, &error))),
            };
            retry.pause(failure).await?;
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
    #[test]
    fn token_answers_are_read_in_every_recorded_shape() {
        // As restforce recorded one from a real org (no token_type, no scope), and as today's client
        // credentials and JWT answers come (with api_instance_url).
        let recorded = r#"{"id":"https://login.salesforce.com/id/00Dx0000000BV7z/005x00000012Q9P","issued_at":"1278448832702",
            "instance_url":"https://na1.salesforce.com","signature":"0CmxinZir53Yex7nE0TD+zMpvIWYGb/bdJh6XfOH6EQ=",
            "access_token":"00Dx0000000BV7z!AR8AQAxo9UfVkh8AlV0Gomt9Czx9LjHnSSpwBMmbRcgKFmxOtvxjTrKW19ye6PE3Ds1eQz3z8jr3W7_VbWmEu4Q8TVGSTHxs"}"#;
        let today = r#"{"access_token":"00D!AQ","signature":"c2ln","scope":"api","instance_url":"https://acme.my.salesforce.com",
            "id":"https://login.salesforce.com/id/00D/005","token_type":"Bearer","issued_at":"1764000000000",
            "api_instance_url":"https://api.salesforce.com"}"#;
        for body in [recorded, today] {
            let token: TokenAnswer = serde_json::from_str(body).expect("read");
            assert!(token.instance_url.starts_with("https://") && !token.access_token.is_empty());
            assert!(token.id.is_some_and(|id| id.contains("/id/")));
        }
        let refusal: OAuthError = serde_json::from_str(
            r#"{"error":"invalid_grant","error_description":"authentication failure - Invalid Password"}"#,
        )
        .expect("read");
        assert_eq!(refusal.error, "invalid_grant");
        let bare: OAuthError = serde_json::from_str(r#"{"error":"invalid_client"}"#).expect("no description");
        assert_eq!(bare.error_description, None);
    }
}
