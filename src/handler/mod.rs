//! The Lambda handler. [`Handoff`] is one container (`container`: configuration and clients, built once,
//! and init). Each event goes through one invocation skeleton ([`Handoff::handle`]), here: the router
//! names its [`Kind`], and the skeleton gives every kind the same span, response budget, log line for a
//! failure and metrics line. A kind (one file each, beside this one) only parses its event, does its work
//! and says what it answered.
//!
//! Adding an event kind: a file here implementing [`Kind`], its `mod` line, a variant of [`Response`] for
//! its answer, and one arm in [`Handoff::handle`]'s router.

mod budget;
mod check;
mod contact;
mod container;
mod flow;
mod records;

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use lambda_runtime::{Diagnostic, LambdaEvent};
use serde::Serialize;
use serde_json::Value;
use tokio::time::Instant;
use tracing::Instrument;

use self::container::Configured;
pub use self::container::Handoff;
use crate::config::{ConfigError, DEFAULT_RESPONSE_BUDGET};
use crate::connect::{Answer, ConnectError, EventBridgeEvent, EventError, RecordBatch};
use crate::metrics::InvocationMetrics;
use crate::salesforce::SalesforceError;

#[derive(Debug, thiserror::Error)]
pub enum HandoffError {
    #[error("invalid event: {0}")]
    InvalidEvent(#[from] EventError),
    #[error("invalid configuration: {0}")]
    Configuration(#[from] ConfigError),
    #[error(transparent)]
    Salesforce(#[from] SalesforceError),
    #[error(transparent)]
    Connect(#[from] ConnectError),
    #[error("no case within the response budget of {} ms: Salesforce did not answer in time", .0.as_millis())]
    BudgetExceeded(Duration),
}

impl HandoffError {
    /// The stable name a flow's logs and an operator see; each outside system names its own failures.
    pub fn error_type(&self) -> &'static str {
        match self {
            Self::InvalidEvent(_) => "InvalidEvent",
            Self::Configuration(_) => "ConfigurationError",
            Self::Salesforce(error) => error.error_type(),
            Self::Connect(error) => error.error_type(),
            Self::BudgetExceeded(_) => "ResponseBudgetExceeded",
        }
    }

    /// Whether the same event may well succeed if sent again soon (a Lambda retry, Connect's re-invoke).
    pub fn is_retryable(&self) -> bool {
        match self {
            Self::InvalidEvent(_) | Self::Configuration(_) => false,
            Self::Salesforce(error) => error.is_retryable(),
            Self::Connect(error) => error.is_retryable(),
            Self::BudgetExceeded(_) => true,
        }
    }
}

impl From<HandoffError> for Diagnostic {
    fn from(error: HandoffError) -> Self {
        Diagnostic { error_type: error.error_type().to_owned(), error_message: error.to_string() }
    }
}

/// One kind of event, as the invocation skeleton drives it.
trait Kind: Sized + Sync {
    /// What this kind answers.
    type Answer: Into<Response>;

    /// Reads the event; an error is an `InvalidEvent` that names what is wrong, never a value from it.
    fn parse(payload: Value) -> Result<Self, EventError>;

    /// The invocation's span: the contact id and whatever else every line of the invocation carries.
    fn span(&self) -> tracing::Span;

    /// Does the work with the configured clients, within `deadline` (the skeleton stops it there). What a
    /// stopped invocation can still answer is kept in `self` as it goes, for [`Kind::timed_out`].
    fn run(
        &self,
        with: &Configured,
        deadline: Instant,
    ) -> impl Future<Output = Result<Self::Answer, HandoffError>> + Send;

    /// The answer when the configuration cannot be used: by default, the configuration error.
    fn misconfigured(&self, error: &ConfigError) -> Result<Self::Answer, HandoffError> {
        Err(HandoffError::Configuration(error.clone()))
    }

    /// The answer when the budget ran out mid-way: by default, that it ran out.
    fn timed_out(&self, budget: Duration) -> Result<Self::Answer, HandoffError> {
        Err(HandoffError::BudgetExceeded(budget))
    }

    /// The metrics line's outcome for an answer.
    fn outcome(answer: &Self::Answer) -> &str;

    /// Counts the metrics line carries for an answer besides the outcome.
    fn counts(_answer: &Self::Answer) -> Vec<(&'static str, u64)> {
        Vec::new()
    }

    /// Whether a flow waits on the answer: then `RESPONSE_BUDGET_MS` bounds the invocation, counted from
    /// when the flow began waiting; otherwise only Lambda's own deadline does.
    const FLOW_WAITS: bool = true;

    /// The invocation's log line for an answer (the skeleton writes a failure's).
    fn log(answer: &Self::Answer, line: &Line);
}

/// What every invocation's log line says besides the kind's own fields.
struct Line {
    salesforce_requests: u64,
    elapsed_ms: u64,
}

/// What the function answers, by event kind.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum Response {
    Flow(Answer),
    Contact(contact::OwnerReport),
    CheckSetup(check::SetupReport),
    Records(records::BatchAnswer),
}

/// One invocation's clock, the request counters as it began, and what its deadline is made from.
struct Invocation {
    started: Instant,
    /// When the flow began waiting (init's start for a cold start's first invocation).
    budget_start: Instant,
    lambda_deadline: Option<SystemTime>,
    salesforce_before: u64,
    connect_before: u64,
    /// Salesforce answers that had carried the org's API usage when the invocation began.
    usage_reports_before: u64,
}

impl Handoff {
    /// The `lambda_runtime` entry point.
    pub async fn invoke(&self, event: LambdaEvent<Value>) -> Result<Response, HandoffError> {
        let lambda_deadline =
            Some(event.context.deadline).filter(|ms| *ms > 0).map(|ms| UNIX_EPOCH + Duration::from_millis(ms));
        self.handle(event.payload, lambda_deadline).await
    }

    /// Answers one event within the response budget and before `lambda_deadline`.
    pub async fn handle(&self, payload: Value, lambda_deadline: Option<SystemTime>) -> Result<Response, HandoffError> {
        let invocation = self.begin(lambda_deadline);
        // The router: one arm per event kind.
        match payload {
            p if check::SetupRun::is_one(&p) => self.drive(check::SetupRun::parse(p), &invocation).await,
            p if EventBridgeEvent::is_one(&p) => self.drive(contact::OwnerChange::parse(p), &invocation).await,
            p if RecordBatch::is_one(&p) => self.drive(records::LegBatch::parse(p), &invocation).await,
            p => self.drive(flow::Leg::parse(p), &invocation).await,
        }
    }

    /// The invocation skeleton, the same for every kind: the span, the budget, the outcome, one log line
    /// and one metrics line.
    async fn drive<K: Kind>(
        &self,
        kind: Result<K, EventError>,
        invocation: &Invocation,
    ) -> Result<Response, HandoffError> {
        let kind = match kind {
            Ok(kind) => kind,
            Err(error) => {
                let error = HandoffError::from(error);
                tracing::error!(error_type = error.error_type(), error = %error, "rejected a malformed event");
                self.emit(&self.metrics(invocation, error.error_type(), Vec::new()));
                return Err(error);
            }
        };
        let span = kind.span();
        let deadline = if K::FLOW_WAITS {
            budget::deadline(invocation.budget_start, self.response_budget(), invocation.lambda_deadline)
        } else {
            budget::deadline(invocation.started, budget::NO_FLOW_WAITING, invocation.lambda_deadline)
        };
        async {
            let result = match &self.configured {
                Err(error) => kind.misconfigured(error),
                Ok(with) => match tokio::time::timeout_at(deadline, kind.run(with, deadline)).await {
                    Ok(result) => result,
                    Err(_) => kind.timed_out(deadline.saturating_duration_since(invocation.started)),
                },
            };
            let (outcome, counts) = match &result {
                Ok(answer) => (K::outcome(answer), K::counts(answer)),
                Err(error) => (error.error_type(), Vec::new()),
            };
            let metrics = self.metrics(invocation, outcome, counts);
            let line = Line {
                salesforce_requests: metrics.salesforce_requests,
                elapsed_ms: metrics.latency_ms.round() as u64,
            };
            match &result {
                Ok(answer) => K::log(answer, &line),
                Err(error) => tracing::error!(
                    error_type = error.error_type(),
                    retryable = error.is_retryable(),
                    error = %error,
                    salesforce_requests = line.salesforce_requests,
                    elapsed_ms = line.elapsed_ms,
                    "failed"
                ),
            }
            self.emit(&metrics);
            result.map(Into::into)
        }
        .instrument(span)
        .await
    }

    fn response_budget(&self) -> Duration {
        self.configured.as_ref().map_or(DEFAULT_RESPONSE_BUDGET, |c| c.config.response_budget)
    }

    fn begin(&self, lambda_deadline: Option<SystemTime>) -> Invocation {
        let started = Instant::now();
        Invocation {
            started,
            budget_start: self.init.budget_start(started),
            lambda_deadline,
            salesforce_before: self.salesforce_requests(),
            connect_before: self.connect_requests(),
            usage_reports_before: self.salesforce_api_usage().0,
        }
    }

    /// What the invocation did so far, with `outcome` as its result.
    fn metrics<'a>(
        &'a self,
        invocation: &Invocation,
        outcome: &'a str,
        counts: Vec<(&'static str, u64)>,
    ) -> InvocationMetrics<'a> {
        InvocationMetrics {
            function_name: &self.function_name,
            outcome,
            salesforce_requests: self.salesforce_requests() - invocation.salesforce_before,
            connect_requests: self.connect_requests() - invocation.connect_before,
            api_usage_percent: match self.salesforce_api_usage() {
                (reports, Some(usage)) if reports > invocation.usage_reports_before => Some(usage.percent()),
                _ => None,
            },
            latency_ms: invocation.started.elapsed().as_secs_f64() * 1000.0,
            counts,
        }
    }

    fn emit(&self, metrics: &InvocationMetrics) {
        (self.metrics_sink)(&metrics.to_emf(SystemTime::now()));
    }
}
