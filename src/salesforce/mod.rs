//! A thin Salesforce REST client: one OAuth session per container, renewed once on `401`, transient
//! failures retried while the caller's deadline allows, and every request counted.

mod cases;
mod search;

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use reqwest::{Method, StatusCode};
use serde::Deserialize;
use serde_json::Value;
use tokio::sync::Mutex;
use tokio::time::Instant;

pub use cases::{CaseRecord, UpsertedCase};
pub use search::{MatchedContact, escape_search_term, search_query};

use crate::config::ClientCredentials;
use crate::secrets::Credentials;

/// First pause before retrying a transient failure; doubled on each retry.
const FIRST_BACKOFF: Duration = Duration::from_millis(25);
const MAX_BACKOFF: Duration = Duration::from_millis(400);

#[derive(Debug, thiserror::Error, Clone, PartialEq)]
pub enum SalesforceError {
    /// The org would not give us a session: bad or missing client credentials.
    #[error("Salesforce authentication failed: {0}")]
    Authentication(String),
    /// The org did not answer usefully (5xx, connection failures) and retrying ran out of time.
    #[error("Salesforce is unavailable: {0}")]
    Unavailable(String),
    /// The org answered with a client error; holds status and error codes, never Salesforce's message text
    /// (which can echo field values such as phone numbers).
    #[error("Salesforce rejected the request: HTTP {status} {codes}")]
    Rejected { status: u16, codes: String },
    /// The answer was not what the REST API documents.
    #[error("Salesforce answered unexpectedly: {0}")]
    Protocol(String),
}

pub struct SalesforceClient {
    http: reqwest::Client,
    login_url: String,
    api_version: String,
    credentials: Credentials,
    session: Mutex<Option<Session>>,
    requests: AtomicU64,
}

#[derive(Clone)]
struct Session {
    access_token: String,
    instance_url: String,
}

#[derive(Deserialize)]
struct TokenAnswer {
    access_token: String,
    instance_url: String,
}

#[derive(Deserialize)]
struct OAuthError {
    error: String,
}

/// One REST call, relative to the session's instance URL.
struct ApiRequest<'a> {
    method: Method,
    path: String,
    query: &'a [(&'a str, &'a str)],
    body: Option<&'a Value>,
    /// Safe to send again after a failure that may have reached the org (a reset mid-request).
    idempotent: bool,
}

struct ApiResponse {
    status: StatusCode,
    body: Value,
}

impl SalesforceClient {
    pub fn new(login_url: &str, api_version: &str, credentials: Credentials) -> Self {
        let http = reqwest::Client::builder()
            .tcp_nodelay(true)
            .pool_idle_timeout(Duration::from_secs(50))
            .user_agent(concat!("connect-case-handoff/", env!("CARGO_PKG_VERSION")))
            .build()
            .unwrap_or_else(|_| reqwest::Client::new());
        Self {
            http,
            login_url: login_url.trim_end_matches('/').to_owned(),
            api_version: api_version.to_owned(),
            credentials,
            session: Mutex::new(None),
            requests: AtomicU64::new(0),
        }
    }

    /// HTTP requests sent to Salesforce by this client so far, token requests included.
    pub fn requests_sent(&self) -> u64 {
        self.requests.load(Ordering::Relaxed)
    }

    fn data_path(&self, rest: &str) -> String {
        format!("/services/data/v{}{rest}", self.api_version)
    }

    /// Logs in now unless a session is already held, so a later request needs no token round trip.
    pub async fn log_in(&self, deadline: Instant) -> Result<(), SalesforceError> {
        self.session(deadline).await.map(|_| ())
    }

    /// The current session, logging in first if there is none. Logs in at most once at a time.
    async fn session(&self, deadline: Instant) -> Result<Session, SalesforceError> {
        let mut slot = self.session.lock().await;
        if let Some(session) = slot.as_ref() {
            return Ok(session.clone());
        }
        let credentials = self.credentials.get().await?;
        let session = self.login(&credentials, deadline).await?;
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

    async fn login(&self, credentials: &ClientCredentials, deadline: Instant) -> Result<Session, SalesforceError> {
        let url = format!("{}/services/oauth2/token", self.login_url);
        let form = [
            ("grant_type", "client_credentials"),
            ("client_id", credentials.client_id.as_str()),
            ("client_secret", credentials.client_secret.as_str()),
        ];
        let mut backoff = FIRST_BACKOFF;
        loop {
            self.requests.fetch_add(1, Ordering::Relaxed);
            let sent = self.http.post(&url).form(&form).send().await;
            let failure = match sent {
                Ok(response) if response.status().is_success() => {
                    let token: TokenAnswer = response
                        .json()
                        .await
                        .map_err(|_| SalesforceError::Protocol("token answer is not the documented JSON".into()))?;
                    return Ok(Session {
                        access_token: token.access_token,
                        instance_url: token.instance_url.trim_end_matches('/').to_owned(),
                    });
                }
                Ok(response) if is_transient(response.status()) => {
                    format!("token endpoint HTTP {}", response.status().as_u16())
                }
                Ok(response) if response.status().is_server_error() => {
                    return Err(SalesforceError::Unavailable(format!(
                        "token endpoint HTTP {}",
                        response.status().as_u16()
                    )));
                }
                Ok(response) => {
                    let status = response.status().as_u16();
                    let code = response
                        .json::<OAuthError>()
                        .await
                        .map(|e| e.error)
                        .unwrap_or_else(|_| "no OAuth error code".into());
                    return Err(SalesforceError::Authentication(format!(
                        "the token endpoint refused the client credentials (HTTP {status} {})",
                        printable(&code)
                    )));
                }
                Err(error) => transport_failure("token endpoint", &error),
            };
            backoff = pause_before_retry(backoff, deadline).await.ok_or(SalesforceError::Unavailable(failure))?;
        }
    }

    /// Sends one REST call: renews the session once on `401`, retries transient failures while the
    /// deadline allows. Answers every status it does not retry, for the caller to interpret.
    async fn send(&self, request: ApiRequest<'_>, deadline: Instant) -> Result<ApiResponse, SalesforceError> {
        let mut renewed = false;
        let mut backoff = FIRST_BACKOFF;
        loop {
            let session = self.session(deadline).await?;
            let mut builder = self
                .http
                .request(request.method.clone(), format!("{}{}", session.instance_url, request.path))
                .bearer_auth(&session.access_token)
                .query(request.query);
            if let Some(body) = request.body {
                builder = builder.json(body);
            }
            self.requests.fetch_add(1, Ordering::Relaxed);
            let failure = match builder.send().await {
                Ok(response) if response.status() == StatusCode::UNAUTHORIZED && !renewed => {
                    tracing::info!("Salesforce session expired; logging in again");
                    self.invalidate(&session).await;
                    renewed = true;
                    continue;
                }
                Ok(response) if response.status() == StatusCode::UNAUTHORIZED => {
                    return Err(SalesforceError::Authentication(
                        "a new session was refused as invalid (INVALID_SESSION_ID)".into(),
                    ));
                }
                Ok(response) if is_transient(response.status()) => format!("HTTP {}", response.status().as_u16()),
                Ok(response) => {
                    let status = response.status();
                    match response.bytes().await {
                        Ok(bytes) => return Ok(ApiResponse { status, body: json_body(status, &bytes)? }),
                        // The org may have acted on a request whose answer was cut: only an
                        // idempotent one is sent again.
                        Err(error) if request.idempotent => transport_failure("Salesforce", &error),
                        Err(error) => return Err(transport_error(&error)),
                    }
                }
                Err(error) if error.is_connect() || request.idempotent => transport_failure("Salesforce", &error),
                Err(error) => return Err(transport_error(&error)),
            };
            backoff = pause_before_retry(backoff, deadline).await.ok_or(SalesforceError::Unavailable(failure))?;
        }
    }
}

fn json_body(status: StatusCode, bytes: &[u8]) -> Result<Value, SalesforceError> {
    if bytes.is_empty() {
        return Ok(Value::Null);
    }
    serde_json::from_slice(bytes)
        .map_err(|_| SalesforceError::Protocol(format!("HTTP {} answer is not JSON", status.as_u16())))
}

fn is_transient(status: StatusCode) -> bool {
    matches!(status.as_u16(), 502..=504)
}

fn transport_failure(peer: &str, error: &reqwest::Error) -> String {
    let kind = if error.is_connect() {
        "could not connect"
    } else if error.is_timeout() {
        "timed out"
    } else {
        "connection failed"
    };
    format!("{peer}: {kind}")
}

fn transport_error(error: &reqwest::Error) -> SalesforceError {
    SalesforceError::Unavailable(transport_failure("Salesforce", error))
}

/// Sleeps `backoff` and answers the next one, or `None` when the pause would not end before `deadline`.
async fn pause_before_retry(backoff: Duration, deadline: Instant) -> Option<Duration> {
    if Instant::now() + backoff >= deadline {
        return None;
    }
    tokio::time::sleep(backoff).await;
    Some((backoff * 2).min(MAX_BACKOFF))
}

/// The error codes of a REST error body (`[{"message": …, "errorCode": …}]`), never the messages.
fn error_codes(body: &Value) -> String {
    let codes: Vec<String> = body
        .as_array()
        .map(|errors| errors.iter().filter_map(|e| e.get("errorCode").and_then(Value::as_str)).map(printable).collect())
        .unwrap_or_default();
    if codes.is_empty() { "(no error code)".to_owned() } else { codes.join(", ") }
}

/// Keeps what the org says to a short run of code-like characters, so nothing it echoes leaks out.
fn printable(code: &str) -> String {
    code.chars().filter(|c| c.is_ascii_alphanumeric() || *c == '_').take(64).collect()
}

/// A status the caller did not expect: the org's fault (5xx) or a refusal (4xx).
fn rejected(response: &ApiResponse) -> SalesforceError {
    let (status, codes) = (response.status.as_u16(), error_codes(&response.body));
    if response.status.is_server_error() {
        SalesforceError::Unavailable(format!("HTTP {status} {codes}"))
    } else {
        SalesforceError::Rejected { status, codes }
    }
}
