//! A stand-in for Lambda's Runtime API on loopback, so the real bootstrap binary can be run as Lambda
//! runs it: it polls `/runtime/invocation/next`, gets one event at a time and posts a response or an
//! error for each.

use std::collections::VecDeque;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde_json::Value;
use tokio::sync::Notify;

const FUNCTION_ARN: &str = "arn:aws:lambda:us-east-1:123456789012:function:connect-case-handoff";

/// What the function posted for one invocation.
#[derive(Clone, Debug, PartialEq)]
pub enum Posted {
    Response(Value),
    /// The `Lambda-Runtime-Function-Error-Type` header and the body (`errorType`, `errorMessage`).
    Error {
        error_type: String,
        body: Value,
    },
    /// `/runtime/init/error`: the container failed before its first poll.
    InitError(Value),
}

#[derive(Default)]
struct Queue {
    events: VecDeque<Value>,
    next_id: u64,
    posted: Vec<(String, Posted)>,
    /// When the function first asked for an event (it has finished init).
    first_poll: Option<SystemTime>,
    /// When the function first posted an answer (a response or an error) to an event.
    first_answer: Option<SystemTime>,
}

#[derive(Clone, Default)]
struct Shared {
    queue: Arc<Mutex<Queue>>,
    changed: Arc<Notify>,
}

/// The Runtime API of one container. Events are answered in order; a poll with none queued waits.
pub struct RuntimeApi {
    addr: SocketAddr,
    shared: Shared,
    task: tokio::task::JoinHandle<()>,
}

impl RuntimeApi {
    pub async fn start(events: Vec<Value>) -> std::io::Result<Self> {
        let shared = Shared::default();
        shared.queue.lock().expect("queue").events.extend(events);
        let app = Router::new()
            .route("/2018-06-01/runtime/invocation/next", get(next))
            .route("/2018-06-01/runtime/invocation/{id}/response", post(response))
            .route("/2018-06-01/runtime/invocation/{id}/error", post(error))
            .route("/2018-06-01/runtime/init/error", post(init_error))
            .with_state(shared.clone());
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", 0)).await?;
        let addr = listener.local_addr()?;
        let task = tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Ok(Self { addr, shared, task })
    }

    /// The value of `AWS_LAMBDA_RUNTIME_API`.
    pub fn address(&self) -> String {
        self.addr.to_string()
    }

    /// Waits until `count` invocations have been answered (or init failed), at most `limit`.
    pub async fn posted(&self, count: usize, limit: Duration) -> Vec<(String, Posted)> {
        let _ = tokio::time::timeout(limit, async {
            loop {
                let changed = self.shared.changed.notified();
                {
                    let queue = self.shared.queue.lock().expect("queue");
                    let init_failed = queue.posted.iter().any(|(_, p)| matches!(p, Posted::InitError(_)));
                    if queue.posted.len() >= count || init_failed {
                        return;
                    }
                }
                changed.await;
            }
        })
        .await;
        self.shared.queue.lock().expect("queue").posted.clone()
    }

    /// When the function first posted an answer to an event.
    pub fn first_answer(&self) -> Option<SystemTime> {
        self.shared.queue.lock().expect("queue").first_answer
    }

    /// When the function first polled for an event.
    pub fn first_poll(&self) -> Option<SystemTime> {
        self.shared.queue.lock().expect("queue").first_poll
    }

    /// Waits until the function first polls for an event (its init is over), at most `limit`.
    pub async fn wait_for_first_poll(&self, limit: Duration) -> Option<SystemTime> {
        let _ = tokio::time::timeout(limit, async {
            loop {
                let changed = self.shared.changed.notified();
                if self.first_poll().is_some() {
                    return;
                }
                changed.await;
            }
        })
        .await;
        self.first_poll()
    }
}

impl Drop for RuntimeApi {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn next(State(shared): State<Shared>) -> Response {
    loop {
        let changed = shared.changed.notified();
        {
            let mut queue = shared.queue.lock().expect("queue");
            if queue.first_poll.is_none() {
                queue.first_poll = Some(SystemTime::now());
                shared.changed.notify_waiters();
            }
            if let Some(event) = queue.events.pop_front() {
                queue.next_id += 1;
                let id = format!("standin-request-{}", queue.next_id);
                let deadline = SystemTime::now() + Duration::from_secs(3);
                let deadline_ms = deadline.duration_since(UNIX_EPOCH).unwrap_or_default().as_millis();
                return (
                    [
                        ("lambda-runtime-aws-request-id", id),
                        ("lambda-runtime-deadline-ms", deadline_ms.to_string()),
                        ("lambda-runtime-invoked-function-arn", FUNCTION_ARN.to_owned()),
                        ("lambda-runtime-trace-id", "Root=1-00000000-000000000000000000000000".to_owned()),
                        ("content-type", "application/json".to_owned()),
                    ],
                    event.to_string(),
                )
                    .into_response();
            }
        }
        changed.await;
    }
}

/// Starts the bootstrap `binary` as Lambda would in a container polling `runtime`, configured for the
/// stand-in org at `org_url` by `vars` on top of working defaults. Its log lines go to the child's stdout.
pub fn spawn_bootstrap(
    binary: &str,
    runtime: &RuntimeApi,
    org_url: &str,
    vars: &[(&str, &str)],
) -> std::io::Result<std::process::Child> {
    let mut command = std::process::Command::new(binary);
    command
        .env_clear()
        .env("AWS_LAMBDA_RUNTIME_API", runtime.address())
        .env("AWS_LAMBDA_FUNCTION_NAME", "connect-case-handoff")
        .env("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST")
        .env("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "256")
        .env("AWS_LAMBDA_LOG_GROUP_NAME", "/aws/lambda/connect-case-handoff")
        .env("AWS_LAMBDA_LOG_STREAM_NAME", "standin")
        .env("AWS_REGION", "us-east-1")
        .env("AWS_ACCESS_KEY_ID", "AKIDSTANDIN")
        .env("AWS_SECRET_ACCESS_KEY", "standin-secret-key")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("AWS_ENDPOINT_URL_CONNECT", org_url)
        .env("AWS_ENDPOINT_URL_SECRETS_MANAGER", org_url)
        .env("SALESFORCE_URL", org_url)
        .env("SALESFORCE_CLIENT_ID", standin_org::CLIENT_ID)
        .env("SALESFORCE_CLIENT_SECRET", standin_org::CLIENT_SECRET)
        .envs(vars.iter().copied())
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
    command.spawn()
}

fn record(shared: &Shared, id: String, posted: Posted) -> StatusCode {
    let mut queue = shared.queue.lock().expect("queue");
    if !matches!(posted, Posted::InitError(_)) && queue.first_answer.is_none() {
        queue.first_answer = Some(SystemTime::now());
    }
    queue.posted.push((id, posted));
    drop(queue);
    shared.changed.notify_waiters();
    StatusCode::ACCEPTED
}

fn json(body: &Bytes) -> Value {
    serde_json::from_slice(body).unwrap_or_else(|_| Value::String(String::from_utf8_lossy(body).into_owned()))
}

async fn response(State(shared): State<Shared>, Path(id): Path<String>, body: Bytes) -> StatusCode {
    record(&shared, id, Posted::Response(json(&body)))
}

async fn error(State(shared): State<Shared>, Path(id): Path<String>, headers: HeaderMap, body: Bytes) -> StatusCode {
    let error_type =
        headers.get("lambda-runtime-function-error-type").and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned();
    record(&shared, id, Posted::Error { error_type, body: json(&body) })
}

async fn init_error(State(shared): State<Shared>, body: Bytes) -> StatusCode {
    record(&shared, String::new(), Posted::InitError(json(&body)))
}
