//! A stand-in Salesforce org, Amazon Connect endpoint and Secrets Manager endpoint, served over real HTTP on
//! loopback. It speaks the wire formats the function meets in production (OAuth token endpoint, SOSL
//! `/search`, `/parameterizedSearch`, `/sobjects/Case`, upsert by external id, `/composite`, REST error
//! arrays, Connect's `POST /contact/attributes`, Secrets Manager's `GetSecretValue`), counts every request,
//! and injects faults on demand: expired sessions, 503s, throttling, delays and hangs.

mod ids;
mod remote;
mod search;

use std::collections::{BTreeMap, HashSet, VecDeque};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::extract::State as AxumState;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value, json};
use tokio::net::TcpListener;
use tokio::task::JoinHandle;

pub use ids::salesforce_id;
pub use remote::{RemoteOrg, SERVE_FLAG, serve_if_asked};

/// Client credentials the stand-in org accepts unless told otherwise.
pub const CLIENT_ID: &str = "standin-client-id";
pub const CLIENT_SECRET: &str = "standin-client-secret";
/// A Secrets Manager secret holding [`CLIENT_ID`] and [`CLIENT_SECRET`].
pub const SECRET_ARN: &str =
    "arn:aws:secretsmanager:us-east-1:123456789012:secret:connect-case-handoff/salesforce-AbCdEf";
/// The Case External ID field the stand-in org has.
pub const EXTERNAL_ID_FIELD: &str = "Connect_Contact_Id__c";

/// Case fields the stand-in org knows, besides [`EXTERNAL_ID_FIELD`].
const CASE_FIELDS: &[&str] = &[
    "Id",
    "CaseNumber",
    "Subject",
    "Origin",
    "Status",
    "Description",
    "SuppliedPhone",
    "SuppliedName",
    "SuppliedEmail",
    "ContactId",
    "AccountId",
    "Reason",
    "Priority",
    "Type",
    "IsEscalated",
    "Call_Reason__c",
];
const PHONE_FIELDS: &[&str] = &["Phone", "MobilePhone", "HomePhone", "OtherPhone", "AssistantPhone", "Fax"];

/// What a request is, for counting and for aiming faults.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Route {
    Token,
    Search,
    ParameterizedSearch,
    CaseRead,
    CaseCreate,
    CaseUpsert,
    Composite,
    OtherSalesforce,
    ConnectUpdateAttributes,
    SecretsGetValue,
    /// `/_standin/…`: the stand-in's own control endpoints, for a benchmark in another process.
    Control,
}

impl Route {
    pub fn is_salesforce(self) -> bool {
        !matches!(self, Self::ConnectUpdateAttributes | Self::SecretsGetValue | Self::Control)
    }
}

/// Random misbehaviour, each a chance per request from 0.0 to 1.0, for soak runs.
#[derive(Debug, Clone, Copy, Default, PartialEq, serde::Deserialize)]
pub struct Chaos {
    /// A Salesforce REST request finds every session expired (`401 INVALID_SESSION_ID`).
    pub expire_sessions: f64,
    /// A Salesforce request (token endpoint included) answers `503`.
    pub unavailable: f64,
    /// A request of any kind waits `delay_ms` first.
    pub delay: f64,
    pub delay_ms: u64,
    /// A Connect request answers `429 ThrottlingException`.
    pub throttle_connect: f64,
    pub seed: u64,
}

/// A misbehaviour to inject into the next request(s) of a route.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Fault {
    /// Answer with this HTTP status and the service's usual error body.
    Status(u16),
    /// Every session expires just before this request (which then gets `401 INVALID_SESSION_ID`).
    ExpireSessions,
    /// Connect: `429 ThrottlingException`. Salesforce: `403 REQUEST_LIMIT_EXCEEDED`.
    Throttle,
    /// Wait this long before answering normally.
    Delay(Duration),
    /// Never answer.
    Hang,
    /// Start a `200` answer, then drop the connection mid-body, as a reset in the network would.
    Reset,
}

#[derive(Debug, Clone, Default)]
pub struct Contact {
    pub first_name: String,
    pub last_name: String,
    /// Phone fields (`Phone`, `MobilePhone`, …) as people typed them.
    pub phones: Vec<(&'static str, String)>,
    pub account_id: Option<String>,
}

#[derive(Debug, Clone)]
struct ContactRow {
    id: String,
    contact: Contact,
}

/// One request as it arrived, for tests that check what reached the wire.
#[derive(Debug, Clone)]
pub struct Recorded {
    pub route: Route,
    pub method: String,
    /// Path and query, exactly as sent (still percent-encoded).
    pub target: String,
    pub body: String,
}

#[derive(Default)]
struct State {
    /// Where this org is served; the token answer's `instance_url`.
    url: String,
    client_id: String,
    client_secret: String,
    tokens: HashSet<String>,
    tokens_issued: u64,
    contacts: Vec<ContactRow>,
    accounts: u64,
    cases: BTreeMap<String, Map<String, Value>>,
    deleted_cases: HashSet<String>,
    cases_created: u64,
    /// While an allOrNone composite runs: how to undo each write it made.
    journal: Option<Vec<Undo>>,
    faults: VecDeque<(Route, Fault)>,
    chaos: Chaos,
    rng: u64,
    latency: Duration,
    counts: BTreeMap<Route, usize>,
    /// The first [`RECORDED_MAX`] requests since the counts were reset.
    recorded: Vec<Recorded>,
    contact_attributes: BTreeMap<String, BTreeMap<String, String>>,
    secrets: BTreeMap<String, String>,
}

type Shared = Arc<Mutex<State>>;

/// Undoes one write of a composite request that is rolled back.
enum Undo {
    Remove(String),
    Restore(String, Map<String, Value>),
}

/// Requests kept whole for inspection; a soak run's tens of thousands are only counted.
const RECORDED_MAX: usize = 10_000;

impl State {
    fn set_chaos(&mut self, chaos: Chaos) {
        self.rng = chaos.seed.max(1);
        self.chaos = chaos;
    }

    /// xorshift64*: reproducible from the seed, and no dependency for a test double.
    fn roll(&mut self, chance: f64) -> bool {
        if chance <= 0.0 {
            return false;
        }
        self.rng ^= self.rng >> 12;
        self.rng ^= self.rng << 25;
        self.rng ^= self.rng >> 27;
        let sample = (self.rng.wrapping_mul(0x2545_F491_4F6C_DD1D) >> 11) as f64 / (1u64 << 53) as f64;
        sample < chance
    }

    fn chaos_fault(&mut self, route: Route) -> Option<Fault> {
        let chaos = self.chaos;
        match route {
            Route::Control | Route::SecretsGetValue => None,
            Route::ConnectUpdateAttributes if self.roll(chaos.throttle_connect) => Some(Fault::Throttle),
            Route::ConnectUpdateAttributes => None,
            _ if self.roll(chaos.unavailable) => Some(Fault::Status(503)),
            Route::Token => None,
            _ if self.roll(chaos.expire_sessions) => Some(Fault::ExpireSessions),
            _ => None,
        }
        .or_else(|| self.roll(chaos.delay).then_some(Fault::Delay(Duration::from_millis(chaos.delay_ms))))
    }
}

/// A running stand-in org. Stops when dropped.
pub struct StandinOrg {
    state: Shared,
    addr: SocketAddr,
    server: JoinHandle<()>,
}

impl Drop for StandinOrg {
    fn drop(&mut self) {
        self.server.abort();
    }
}

impl StandinOrg {
    /// Starts on an ephemeral loopback port.
    pub async fn start() -> std::io::Result<Self> {
        Self::start_on(SocketAddr::from(([127, 0, 0, 1], 0))).await
    }

    pub async fn start_on(addr: SocketAddr) -> std::io::Result<Self> {
        let listener = TcpListener::bind(addr).await?;
        let addr = listener.local_addr()?;
        let state: Shared = Arc::new(Mutex::new(State {
            url: format!("http://{addr}"),
            client_id: CLIENT_ID.into(),
            client_secret: CLIENT_SECRET.into(),
            secrets: BTreeMap::from([(
                SECRET_ARN.to_owned(),
                json!({"client_id": CLIENT_ID, "client_secret": CLIENT_SECRET}).to_string(),
            )]),
            ..State::default()
        }));
        let app = Router::new().fallback(dispatch).with_state(state.clone());
        let server = tokio::spawn(async move {
            // Ends only when the task is aborted.
            let _ = axum::serve(listener, app).await;
        });
        Ok(Self { state, addr, server })
    }

    /// `http://127.0.0.1:<port>`: the My Domain URL, instance URL, and AWS endpoint URL alike.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    fn state(&self) -> MutexGuard<'_, State> {
        lock(&self.state)
    }

    pub fn set_credentials(&self, client_id: &str, client_secret: &str) {
        let mut state = self.state();
        state.client_id = client_id.into();
        state.client_secret = client_secret.into();
    }

    pub fn set_secret(&self, secret_id: &str, secret_string: &str) {
        self.state().secrets.insert(secret_id.into(), secret_string.into());
    }

    /// Adds an Account and answers its 18-character id.
    pub fn add_account(&self) -> String {
        let mut state = self.state();
        state.accounts += 1;
        salesforce_id("001", state.accounts)
    }

    /// Adds a Contact and answers its 18-character id.
    pub fn add_contact(&self, contact: Contact) -> String {
        let mut state = self.state();
        let id = salesforce_id("003", state.contacts.len() as u64 + 1);
        state.contacts.push(ContactRow { id: id.clone(), contact });
        id
    }

    /// A Contact with one `Phone`, in a new Account; answers (contact id, account id).
    pub fn add_caller(&self, first_name: &str, last_name: &str, phone: &str) -> (String, String) {
        let account_id = self.add_account();
        let contact_id = self.add_contact(Contact {
            first_name: first_name.into(),
            last_name: last_name.into(),
            phones: vec![("Phone", phone.into())],
            account_id: Some(account_id.clone()),
        });
        (contact_id, account_id)
    }

    /// Moves a case to the recycle bin.
    pub fn delete_case(&self, id: &str) -> bool {
        let mut state = self.state();
        let key = id.get(..15).unwrap_or(id).to_owned();
        let removed = state.cases.remove(&key).is_some();
        if removed {
            state.deleted_cases.insert(key);
        }
        removed
    }

    /// Every live case, with all its fields.
    pub fn cases(&self) -> Vec<Map<String, Value>> {
        self.state().cases.values().cloned().collect()
    }

    pub fn case(&self, id: &str) -> Option<Map<String, Value>> {
        self.state().cases.get(id.get(..15).unwrap_or(id)).cloned()
    }

    /// Changes a case as an agent would in the Salesforce UI.
    pub fn set_case_field(&self, id: &str, field: &str, value: Value) -> bool {
        let mut state = self.state();
        let Some(case) = state.cases.get_mut(id.get(..15).unwrap_or(id)) else { return false };
        case.insert(field.to_owned(), value);
        true
    }

    /// Injects `fault` into the next `times` requests of `route`, in order with earlier injections.
    pub fn inject(&self, route: Route, fault: Fault, times: usize) {
        let mut state = self.state();
        for _ in 0..times {
            state.faults.push_back((route, fault));
        }
    }

    /// Adds `latency` to every request from now on, as a network round trip to a real org would.
    pub fn set_latency(&self, latency: Duration) {
        self.state().latency = latency;
    }

    /// Every session ends, as when an admin revokes them or they time out.
    pub fn expire_sessions(&self) {
        self.state().tokens.clear();
    }

    pub fn count(&self, route: Route) -> usize {
        self.state().counts.get(&route).copied().unwrap_or_default()
    }

    /// HTTP requests that reached Salesforce (a composite request counts once).
    pub fn salesforce_requests(&self) -> usize {
        self.state().counts.iter().filter(|(route, _)| route.is_salesforce()).map(|(_, n)| n).sum()
    }

    /// The requests since the counts were last reset, whole (the first ten thousand).
    pub fn recorded(&self) -> Vec<Recorded> {
        self.state().recorded.clone()
    }

    pub fn reset_counts(&self) {
        let mut state = self.state();
        state.recorded.clear();
        state.counts.clear();
    }

    /// Misbehaves at random from now on, as [`Chaos`] says; `Chaos::default()` stops it.
    pub fn set_chaos(&self, chaos: Chaos) {
        self.state().set_chaos(chaos);
    }

    /// Attributes Connect holds for a call, by its `InitialContactId`.
    pub fn contact_attributes(&self, initial_contact_id: &str) -> BTreeMap<String, String> {
        self.state().contact_attributes.get(initial_contact_id).cloned().unwrap_or_default()
    }

    /// The sample callers the local demo and `standin-org` serve.
    pub fn add_demo_data(&self) {
        self.add_caller("Ada", "Lovelace", "(415) 555-0100");
        self.add_caller("Yuki", "Tanaka", "03-1234-5678");
        let account = self.add_account();
        self.add_contact(Contact {
            first_name: "Hiro".into(),
            last_name: "Sato".into(),
            phones: vec![("Phone", "06-6123-4567".into()), ("MobilePhone", "090-1234-5678".into())],
            account_id: Some(account.clone()),
        });
        for first_name in ["Sam", "Alex"] {
            self.add_contact(Contact {
                first_name: first_name.into(),
                last_name: "Rivera".into(),
                phones: vec![("HomePhone", "+1 206.555.0199".into())],
                account_id: Some(account.clone()),
            });
        }
    }
}

fn lock(state: &Shared) -> MutexGuard<'_, State> {
    // A test that panicked while holding the lock must not take the other tests' org down with it.
    state.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

fn json_response(status: StatusCode, body: Value) -> Response {
    (status, [("content-type", "application/json;charset=UTF-8")], body.to_string()).into_response()
}

fn sf_error(status: StatusCode, code: &str, message: &str) -> (StatusCode, Value) {
    (status, json!([{"message": message, "errorCode": code}]))
}

fn classify(method: &Method, path: &str, headers: &HeaderMap) -> Route {
    if path.starts_with("/_standin/") {
        return Route::Control;
    }
    if path == "/services/oauth2/token" {
        return Route::Token;
    }
    if path == "/contact/attributes" {
        return Route::ConnectUpdateAttributes;
    }
    if path == "/" && headers.get("x-amz-target").is_some() {
        return Route::SecretsGetValue;
    }
    let rest: Vec<&str> = match path.strip_prefix("/services/data/") {
        Some(rest) => rest.trim_end_matches('/').split('/').skip(1).collect(),
        None => return Route::OtherSalesforce,
    };
    match (method.as_str(), rest.as_slice()) {
        ("GET", ["search"]) => Route::Search,
        ("GET", ["parameterizedSearch"]) => Route::ParameterizedSearch,
        ("POST", ["composite"]) => Route::Composite,
        ("POST", ["sobjects", "Case"]) => Route::CaseCreate,
        ("GET", ["sobjects", "Case", _]) => Route::CaseRead,
        ("PATCH", ["sobjects", "Case", _, _]) => Route::CaseUpsert,
        _ => Route::OtherSalesforce,
    }
}

async fn dispatch(
    AxumState(state): AxumState<Shared>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let path = uri.path().to_owned();
    let route = classify(&method, &path, &headers);
    if route == Route::Control {
        return control(&state, &method, &path, uri.query().unwrap_or(""), &body);
    }
    let (fault, latency) = {
        let mut state = lock(&state);
        *state.counts.entry(route).or_default() += 1;
        if state.recorded.len() < RECORDED_MAX {
            state.recorded.push(Recorded {
                route,
                method: method.to_string(),
                target: uri.path_and_query().map(ToString::to_string).unwrap_or_default(),
                body: String::from_utf8_lossy(&body).into_owned(),
            });
        }
        let injected = state.faults.iter().position(|(r, _)| *r == route).and_then(|i| state.faults.remove(i));
        let fault = injected.map(|(_, f)| f).or_else(|| state.chaos_fault(route));
        (fault, state.latency)
    };
    if !latency.is_zero() {
        tokio::time::sleep(latency).await;
    }
    match fault {
        Some(Fault::Hang) => std::future::pending().await,
        Some(Fault::Reset) => {
            let broken = futures_util::stream::iter([
                Ok(Bytes::from_static(b"[{\"Id\"")),
                Err(std::io::Error::new(std::io::ErrorKind::ConnectionReset, "injected reset")),
            ]);
            return (StatusCode::OK, [("content-type", "application/json")], axum::body::Body::from_stream(broken))
                .into_response();
        }
        Some(Fault::Delay(delay)) => tokio::time::sleep(delay).await,
        Some(Fault::ExpireSessions) => lock(&state).tokens.clear(),
        Some(Fault::Status(status)) => {
            return fault_response(route, StatusCode::from_u16(status).unwrap_or(StatusCode::SERVICE_UNAVAILABLE));
        }
        Some(Fault::Throttle) if route == Route::ConnectUpdateAttributes => {
            return aws_error(StatusCode::TOO_MANY_REQUESTS, "ThrottlingException", "Rate exceeded");
        }
        Some(Fault::Throttle) => {
            let (status, body) =
                sf_error(StatusCode::FORBIDDEN, "REQUEST_LIMIT_EXCEEDED", "TotalRequests Limit exceeded.");
            return json_response(status, body);
        }
        None => {}
    }
    let mut state = lock(&state);
    match route {
        Route::Token => token(&mut state, &body),
        Route::ConnectUpdateAttributes => connect_update(&mut state, &body),
        Route::SecretsGetValue => get_secret(&state, &headers, &body),
        _ => {
            let authorized = headers
                .get("authorization")
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.strip_prefix("Bearer "))
                .is_some_and(|token| state.tokens.contains(token));
            if !authorized {
                let (status, body) =
                    sf_error(StatusCode::UNAUTHORIZED, "INVALID_SESSION_ID", "Session expired or invalid");
                return json_response(status, body);
            }
            let body: Value =
                if body.is_empty() { Value::Null } else { serde_json::from_slice(&body).unwrap_or(Value::Null) };
            let (status, body) = rest_api(&mut state, &method, &path, uri.query().unwrap_or(""), &body);
            json_response(status, body)
        }
    }
}

/// `GET /_standin/counts`, `GET /_standin/cases`, `POST /_standin/reset-counts`, `POST /_standin/latency?ms=N`,
/// `POST /_standin/chaos` (a [`Chaos`] as JSON): the org seen from another process.
fn control(state: &Shared, method: &Method, path: &str, query: &str, body: &[u8]) -> Response {
    let mut state = lock(state);
    match (method.as_str(), path) {
        ("GET", "/_standin/counts") => {
            let counts: Map<String, Value> =
                state.counts.iter().map(|(route, n)| (format!("{route:?}"), json!(n))).collect();
            let salesforce: usize = state.counts.iter().filter(|(r, _)| r.is_salesforce()).map(|(_, n)| n).sum();
            json_response(
                StatusCode::OK,
                json!({"routes": counts, "salesforce": salesforce, "cases": state.cases.len()}),
            )
        }
        ("GET", "/_standin/cases") => {
            json_response(StatusCode::OK, Value::Array(state.cases.values().cloned().map(Value::Object).collect()))
        }
        ("POST", "/_standin/reset-counts") => {
            state.counts.clear();
            state.recorded.clear();
            json_response(StatusCode::OK, json!({}))
        }
        ("POST", "/_standin/latency") => match query_params(query).get("ms").and_then(|ms| ms.parse().ok()) {
            Some(ms) => {
                state.latency = Duration::from_millis(ms);
                json_response(StatusCode::OK, json!({"latency_ms": ms}))
            }
            None => json_response(StatusCode::BAD_REQUEST, json!({"error": "latency?ms=<milliseconds>"})),
        },
        ("POST", "/_standin/chaos") => match serde_json::from_slice::<Chaos>(body) {
            Ok(chaos) => {
                state.set_chaos(chaos);
                json_response(StatusCode::OK, json!({}))
            }
            Err(error) => json_response(StatusCode::BAD_REQUEST, json!({"error": error.to_string()})),
        },
        _ => json_response(StatusCode::NOT_FOUND, json!({"error": "unknown control endpoint"})),
    }
}

fn fault_response(route: Route, status: StatusCode) -> Response {
    match route {
        Route::ConnectUpdateAttributes | Route::SecretsGetValue => {
            aws_error(status, "InternalServiceException", "injected fault")
        }
        _ => {
            let code = match status.as_u16() {
                500 => "UNKNOWN_EXCEPTION",
                502..=504 => "SERVER_UNAVAILABLE",
                _ => "INVALID_OPERATION",
            };
            let (status, body) = sf_error(status, code, "injected fault");
            json_response(status, body)
        }
    }
}

fn aws_error(status: StatusCode, error_type: &str, message: &str) -> Response {
    (
        status,
        [("content-type", "application/x-amz-json-1.1"), ("x-amzn-errortype", error_type)],
        json!({"__type": error_type, "message": message}).to_string(),
    )
        .into_response()
}

fn token(state: &mut State, body: &[u8]) -> Response {
    let form: BTreeMap<String, String> = form_urlencoded(body);
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

fn form_urlencoded(body: &[u8]) -> BTreeMap<String, String> {
    String::from_utf8_lossy(body)
        .split('&')
        .filter_map(|pair| pair.split_once('='))
        .map(|(k, v)| (percent_decode(k), percent_decode(v)))
        .collect()
}

/// Decodes `%XX` escapes and `+` (as a space), as form and query strings use them.
pub(crate) fn percent_decode(raw: &str) -> String {
    let bytes = raw.as_bytes();
    let hex = |b: u8| char::from(b).to_digit(16);
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let escaped = match bytes.get(i..i + 3) {
            Some([b'%', high, low]) => hex(*high).zip(hex(*low)).map(|(h, l)| (h * 16 + l) as u8),
            _ => None,
        };
        match (escaped, bytes[i]) {
            (Some(byte), _) => {
                out.push(byte);
                i += 3;
            }
            (None, b'+') => {
                out.push(b' ');
                i += 1;
            }
            (None, other) => {
                out.push(other);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn query_params(query: &str) -> BTreeMap<String, String> {
    form_urlencoded(query.as_bytes())
}

fn connect_update(state: &mut State, body: &[u8]) -> Response {
    let request: Value = serde_json::from_slice(body).unwrap_or(Value::Null);
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

fn get_secret(state: &State, headers: &HeaderMap, body: &[u8]) -> Response {
    let target = headers.get("x-amz-target").and_then(|v| v.to_str().ok()).unwrap_or_default();
    if target != "secretsmanager.GetSecretValue" {
        return aws_error(StatusCode::BAD_REQUEST, "UnknownOperationException", "unsupported operation");
    }
    let request: Value = serde_json::from_slice(body).unwrap_or(Value::Null);
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

/// The REST API under `/services/data/vXX.X/`, shared by direct requests and composite subrequests.
fn rest_api(state: &mut State, method: &Method, path: &str, query: &str, body: &Value) -> (StatusCode, Value) {
    let Some(rest) = path.strip_prefix("/services/data/") else {
        return sf_error(StatusCode::NOT_FOUND, "NOT_FOUND", "The requested resource does not exist");
    };
    let mut segments: Vec<String> = rest.trim_end_matches('/').split('/').map(percent_decode).collect();
    let version = segments.remove(0);
    if !is_version(&version) {
        return sf_error(StatusCode::NOT_FOUND, "NOT_FOUND", "The requested resource does not exist");
    }
    let segments: Vec<&str> = segments.iter().map(String::as_str).collect();
    let params = query_params(query);
    match (method.as_str(), segments.as_slice()) {
        ("GET", ["search"]) => search::sosl(state, &version, params.get("q").map(String::as_str).unwrap_or_default()),
        ("GET", ["parameterizedSearch"]) => search::parameterized(state, &version, &params),
        ("POST", ["composite"]) => composite(state, body),
        ("POST", ["sobjects", "Case"]) => create_case(state, &version, body, None),
        ("GET", ["sobjects", "Case", id]) => read_case(state, &version, id, params.get("fields").map(String::as_str)),
        ("PATCH", ["sobjects", "Case", field, value]) => upsert_case(state, &version, field, value, body),
        _ => sf_error(StatusCode::NOT_FOUND, "NOT_FOUND", "The requested resource does not exist"),
    }
}

fn is_version(version: &str) -> bool {
    version.strip_prefix('v').and_then(|v| v.split_once('.')).is_some_and(|(major, minor)| {
        !major.is_empty() && !minor.is_empty() && major.bytes().chain(minor.bytes()).all(|b| b.is_ascii_digit())
    })
}

fn case_url(version: &str, id: &str) -> String {
    format!("/services/data/{version}/sobjects/Case/{id}")
}

/// Checks a write's fields the way the org would: known fields, lengths, and no writing the Id.
fn check_case_fields(body: &Value) -> Result<Map<String, Value>, (StatusCode, Value)> {
    let Some(fields) = body.as_object() else {
        return Err(sf_error(StatusCode::BAD_REQUEST, "JSON_PARSER_ERROR", "The request body is not a JSON object"));
    };
    for (name, value) in fields {
        if name == "Id" || name == "CaseNumber" {
            return Err(sf_error(
                StatusCode::BAD_REQUEST,
                "INVALID_FIELD_FOR_INSERT_UPDATE",
                &format!("Unable to create/update fields: {name}"),
            ));
        }
        if !CASE_FIELDS.contains(&name.as_str()) && name != EXTERNAL_ID_FIELD {
            return Err(sf_error(
                StatusCode::BAD_REQUEST,
                "INVALID_FIELD",
                &format!("No such column '{name}' on sobject of type Case"),
            ));
        }
        let limit = match name.as_str() {
            "SuppliedPhone" => 40,
            "Subject" => 255,
            _ => 32000,
        };
        if value.as_str().is_some_and(|s| s.chars().count() > limit) {
            return Err((
                StatusCode::BAD_REQUEST,
                json!([{"message": format!("{name}: data value too large"), "errorCode": "STRING_TOO_LONG", "fields": [name]}]),
            ));
        }
    }
    Ok(fields.clone())
}

fn create_case(state: &mut State, version: &str, body: &Value, external: Option<(&str, &str)>) -> (StatusCode, Value) {
    let mut fields = match check_case_fields(body) {
        Ok(fields) => fields,
        Err(error) => return error,
    };
    state.cases_created += 1;
    let id = salesforce_id("500", state.cases_created);
    fields.insert("Id".into(), id.clone().into());
    fields.insert("CaseNumber".into(), format!("{:08}", 1000 + state.cases_created).into());
    fields.entry("Status").or_insert("New".into());
    if let Some((field, value)) = external {
        fields.insert(field.into(), value.into());
    }
    let key = id[..15].to_owned();
    if let Some(journal) = state.journal.as_mut() {
        journal.push(Undo::Remove(key.clone()));
    }
    state.cases.insert(key, fields);
    let _ = version;
    (StatusCode::CREATED, json!({"id": id, "success": true, "errors": []}))
}

fn read_case(state: &State, version: &str, id: &str, fields: Option<&str>) -> (StatusCode, Value) {
    let key = if id.len() == 15 || id.len() == 18 { id.get(..15).unwrap_or(id) } else { id };
    let Some(case) = state.cases.get(key) else {
        if state.deleted_cases.contains(key) {
            return sf_error(StatusCode::NOT_FOUND, "ENTITY_IS_DELETED", "entity is deleted");
        }
        return sf_error(StatusCode::NOT_FOUND, "NOT_FOUND", "The requested resource does not exist");
    };
    let case_id = case.get("Id").and_then(Value::as_str).unwrap_or_default();
    let mut record = Map::new();
    record.insert("attributes".into(), json!({"type": "Case", "url": case_url(version, case_id)}));
    let wanted: Vec<&str> = match fields {
        Some(list) => list.split(',').map(str::trim).collect(),
        None => CASE_FIELDS.to_vec(),
    };
    for field in wanted {
        if !CASE_FIELDS.contains(&field) && field != EXTERNAL_ID_FIELD {
            return sf_error(
                StatusCode::BAD_REQUEST,
                "INVALID_FIELD",
                &format!("No such column '{field}' on entity 'Case'"),
            );
        }
        record.insert(field.into(), case.get(field).cloned().unwrap_or(Value::Null));
    }
    (StatusCode::OK, Value::Object(record))
}

fn upsert_case(state: &mut State, version: &str, field: &str, value: &str, body: &Value) -> (StatusCode, Value) {
    if field != EXTERNAL_ID_FIELD {
        return sf_error(
            StatusCode::NOT_FOUND,
            "NOT_FOUND",
            &format!("Provided external ID field does not exist or is not accessible: {field}"),
        );
    }
    let existing = state
        .cases
        .iter()
        .filter(|(_, case)| case.get(field).and_then(Value::as_str) == Some(value))
        .map(|(key, _)| key.clone())
        .collect::<Vec<_>>();
    match existing.as_slice() {
        [] => {
            let (status, mut answer) = create_case(state, version, body, Some((field, value)));
            if status == StatusCode::CREATED {
                answer["created"] = true.into();
            }
            (status, answer)
        }
        [key] => {
            let fields = match check_case_fields(body) {
                Ok(fields) => fields,
                Err(error) => return error,
            };
            let Some(case) = state.cases.get_mut(key) else {
                return sf_error(StatusCode::NOT_FOUND, "NOT_FOUND", "The requested resource does not exist");
            };
            let before = case.clone();
            case.extend(fields);
            let id = case.get("Id").cloned().unwrap_or(Value::Null);
            if let Some(journal) = state.journal.as_mut() {
                journal.push(Undo::Restore(key.clone(), before));
            }
            (StatusCode::OK, json!({"id": id, "success": true, "errors": [], "created": false}))
        }
        _ => sf_error(StatusCode::MULTIPLE_CHOICES, "MULTIPLE_CHOICES", "more than one record matched the external id"),
    }
}

/// `POST /composite`: runs subrequests in order, resolving `@{ref.field}` from earlier answers.
fn composite(state: &mut State, body: &Value) -> (StatusCode, Value) {
    let Some(requests) = body.get("compositeRequest").and_then(Value::as_array) else {
        return sf_error(StatusCode::BAD_REQUEST, "JSON_PARSER_ERROR", "compositeRequest is required");
    };
    let all_or_none = body.get("allOrNone").and_then(Value::as_bool).unwrap_or(false);
    let cases_created = state.cases_created;
    state.journal = all_or_none.then(Vec::new);
    let mut answers: Vec<(String, Value)> = Vec::new();
    let mut parts = Vec::new();
    let mut halted = false;
    for request in requests {
        let reference = request.get("referenceId").and_then(Value::as_str).unwrap_or_default().to_owned();
        if halted {
            parts.push(json!({
                "body": [{"errorCode": "PROCESSING_HALTED", "message": "The transaction was rolled back since another operation in the same transaction failed."}],
                "httpHeaders": {}, "httpStatusCode": 400, "referenceId": reference,
            }));
            continue;
        }
        let resolve = |text: &str| {
            let mut text = text.to_owned();
            for (reference, answer) in &answers {
                for key in ["id", "Id"] {
                    if let Some(value) = answer.get(key).and_then(Value::as_str) {
                        text = text.replace(&format!("@{{{reference}.{key}}}"), value);
                    }
                }
            }
            text
        };
        let method = request.get("method").and_then(Value::as_str).unwrap_or_default();
        let url = resolve(request.get("url").and_then(Value::as_str).unwrap_or_default());
        let sub_body = request
            .get("body")
            .map(|b| resolve(&b.to_string()))
            .and_then(|b| serde_json::from_str(&b).ok())
            .unwrap_or(Value::Null);
        let (path, query) = url.split_once('?').unwrap_or((&url, ""));
        let (status, answer) = match Method::from_bytes(method.as_bytes()) {
            Ok(method) if path.starts_with("/services/data/") && !path.ends_with("/composite") => {
                rest_api(state, &method, path, query, &sub_body)
            }
            _ => sf_error(StatusCode::BAD_REQUEST, "INVALID_URL", "the subrequest's method or url is not supported"),
        };
        if !status.is_success() && all_or_none {
            halted = true;
        }
        parts.push(
            json!({"body": answer, "httpHeaders": {}, "httpStatusCode": status.as_u16(), "referenceId": reference}),
        );
        answers.push((reference, answer));
    }
    let journal = state.journal.take().unwrap_or_default();
    if halted {
        for undo in journal.into_iter().rev() {
            match undo {
                Undo::Remove(key) => drop(state.cases.remove(&key)),
                Undo::Restore(key, fields) => drop(state.cases.insert(key, fields)),
            }
        }
        state.cases_created = cases_created;
    }
    (StatusCode::OK, json!({"compositeResponse": parts}))
}

/// Digits of a phone number as the search index keeps them.
pub(crate) fn digits(phone: &str) -> String {
    phone.chars().filter(char::is_ascii_digit).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_all_or_none_composite_that_fails_late_leaves_no_case() {
        let mut state = State::default();
        let body = json!({"allOrNone": true, "compositeRequest": [
            {"method": "POST", "url": "/services/data/v66.0/sobjects/Case", "referenceId": "w", "body": {"Subject": "x"}},
            {"method": "GET", "url": "/services/data/v66.0/sobjects/Case/@{w.id}?fields=NoSuchField", "referenceId": "r"},
        ]});
        let (status, answer) = composite(&mut state, &body);
        assert_eq!(status, StatusCode::OK);
        assert_eq!(answer["compositeResponse"][0]["httpStatusCode"], 201);
        assert_eq!(answer["compositeResponse"][1]["httpStatusCode"], 400);
        assert!(state.cases.is_empty());
        assert_eq!(state.cases_created, 0);
    }

    #[test]
    fn a_rolled_back_upsert_restores_the_case() {
        let mut state = State::default();
        let (_, created) = upsert_case(&mut state, "v66.0", EXTERNAL_ID_FIELD, "call-1", &json!({"Subject": "first"}));
        let id = created["id"].as_str().unwrap_or_default().to_owned();
        let body = json!({"allOrNone": true, "compositeRequest": [
            {"method": "PATCH", "url": format!("/services/data/v66.0/sobjects/Case/{EXTERNAL_ID_FIELD}/call-1"), "referenceId": "w", "body": {"Subject": "second"}},
            {"method": "GET", "url": "/services/data/v66.0/sobjects/Case/@{w.id}?fields=NoSuchField", "referenceId": "r"},
        ]});
        composite(&mut state, &body);
        assert_eq!(state.cases[&id[..15]]["Subject"], "first");
    }
}
