//! The Lambda handler: one Connect invocation in, one flat answer (or one clear error) out, always within
//! the response budget.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use aws_config::{BehaviorVersion, SdkConfig};
use aws_sdk_connect::config::retry::RetryConfig;
use lambda_runtime::{Diagnostic, LambdaEvent};
use serde_json::Value;
use tokio::time::Instant;
use tracing::Instrument;

use crate::config::{Config, ConfigError, CredentialSource};
use crate::connect::ContactAttributes;
use crate::event::{Answer, CASE_ID_ATTRIBUTE, CONTACT_MATCHES_ATTRIBUTE, ContactEvent, EventError};
use crate::metrics::InvocationMetrics;
use crate::resolve::{Resolution, resolve};
use crate::salesforce::{SalesforceClient, SalesforceError};
use crate::secrets::Credentials;

/// Kept back from the Lambda deadline for writing the answer.
const DEADLINE_MARGIN: Duration = Duration::from_millis(100);

#[derive(Debug, thiserror::Error)]
pub enum HandoffError {
    #[error("invalid event: {0}")]
    InvalidEvent(#[from] EventError),
    #[error("invalid configuration: {0}")]
    Configuration(#[from] ConfigError),
    #[error(transparent)]
    Salesforce(#[from] SalesforceError),
    #[error("no case within the response budget of {} ms: Salesforce did not answer in time", .0.as_millis())]
    BudgetExceeded(Duration),
}

impl HandoffError {
    /// The stable name a flow's logs and an operator see.
    pub fn error_type(&self) -> &'static str {
        match self {
            Self::InvalidEvent(_) => "InvalidEvent",
            Self::Configuration(_) => "ConfigurationError",
            Self::Salesforce(SalesforceError::Authentication(_)) => "SalesforceAuthenticationFailed",
            Self::Salesforce(SalesforceError::Unavailable(_)) => "SalesforceUnavailable",
            Self::Salesforce(SalesforceError::Rejected { .. }) => "SalesforceRequestRejected",
            Self::Salesforce(SalesforceError::Protocol(_)) => "SalesforceProtocolError",
            Self::BudgetExceeded(_) => "ResponseBudgetExceeded",
        }
    }
}

impl From<HandoffError> for Diagnostic {
    fn from(error: HandoffError) -> Self {
        Diagnostic { error_type: error.error_type().to_owned(), error_message: error.to_string() }
    }
}

/// Where the per-invocation metrics line goes: standard output, which CloudWatch Logs reads, by default.
pub type MetricsSink = Box<dyn Fn(&str) + Send + Sync>;

/// Everything an invocation needs, built once per container.
pub struct Handoff {
    config: Config,
    salesforce: SalesforceClient,
    connect: ContactAttributes,
    metrics_sink: MetricsSink,
}

impl Handoff {
    /// Reads the environment (AWS SDK variables included). Never calls Salesforce or AWS.
    pub async fn from_env() -> Result<Self, ConfigError> {
        let config = Config::from_env()?;
        let sdk = aws_config::load_defaults(BehaviorVersion::latest()).await;
        Ok(Self::new(config, &sdk))
    }

    pub fn new(config: Config, sdk: &SdkConfig) -> Self {
        let credentials = match &config.credentials {
            CredentialSource::Static(credentials) => Credentials::Static(credentials.clone()),
            CredentialSource::SecretsManager { secret_id } => {
                Credentials::from_secret(aws_sdk_secretsmanager::Client::new(sdk), secret_id.clone())
            }
        };
        // Connect's throttling is retried once, quickly; the response budget bounds the rest.
        let connect_config = aws_sdk_connect::config::Builder::from(sdk)
            .retry_config(RetryConfig::standard().with_max_attempts(2).with_initial_backoff(Duration::from_millis(50)))
            .build();
        Self {
            salesforce: SalesforceClient::new(&config.salesforce_url, &config.api_version, credentials),
            connect: ContactAttributes::new(aws_sdk_connect::Client::from_conf(connect_config)),
            config,
            metrics_sink: Box::new(|line| println!("{line}")),
        }
    }

    /// Sends the metrics lines elsewhere (the local demo and tests keep standard output for themselves).
    pub fn with_metrics_sink(mut self, sink: impl Fn(&str) + Send + Sync + 'static) -> Self {
        self.metrics_sink = Box::new(sink);
        self
    }

    /// Container init: reads the credentials and logs in to Salesforce now, so the first invocation after a
    /// cold start makes no more round trips than a warm one, and meanwhile loads libphonenumber's metadata
    /// (tens of ms of CPU) on another thread. Never fails: a refusal or a slow org is logged, and the first
    /// invocation tries again (and fails clearly if it must).
    pub async fn prepare(&self, within: Duration) {
        let deadline = Instant::now() + within;
        let metadata = tokio::task::spawn_blocking(crate::phone::warm_up);
        let login = tokio::time::timeout_at(deadline, self.salesforce.log_in(deadline));
        let (metadata, login) = tokio::join!(metadata, login);
        if metadata.is_err() {
            tracing::warn!("could not load libphonenumber's metadata during init; the first call will");
        }
        match login {
            Ok(Ok(())) => tracing::info!("logged in to Salesforce during init"),
            Ok(Err(error)) => {
                tracing::warn!(error = %error, "could not log in to Salesforce during init; invocations will retry")
            }
            Err(_) => tracing::warn!("Salesforce did not answer during init; invocations will retry"),
        }
    }

    /// Requests this container has sent to Salesforce, token requests included.
    pub fn salesforce_requests(&self) -> u64 {
        self.salesforce.requests_sent()
    }

    /// `UpdateContactAttributes` calls this container has made.
    pub fn connect_requests(&self) -> u64 {
        self.connect.requests_sent()
    }

    /// The `lambda_runtime` entry point.
    pub async fn invoke(&self, event: LambdaEvent<Value>) -> Result<Answer, HandoffError> {
        let lambda_deadline =
            Some(event.context.deadline).filter(|ms| *ms > 0).map(|ms| UNIX_EPOCH + Duration::from_millis(ms));
        self.handle(event.payload, lambda_deadline).await
    }

    /// Answers one Connect event within the response budget and before `lambda_deadline`, then logs one
    /// line and emits one metrics line saying how it went.
    pub async fn handle(&self, payload: Value, lambda_deadline: Option<SystemTime>) -> Result<Answer, HandoffError> {
        let started = Instant::now();
        let before = (self.salesforce.requests_sent(), self.connect.requests_sent());
        let event = ContactEvent::from_value(payload);
        let span = match &event {
            Ok(event) => tracing::info_span!("invocation", contact_id = %event.contact_id),
            Err(_) => tracing::Span::none(),
        };
        let result = match &event {
            Ok(event) => {
                let deadline = self.deadline(started, lambda_deadline);
                self.answer(event, started, deadline).instrument(span.clone()).await
            }
            Err(error) => Err(error.clone().into()),
        };
        let metrics = InvocationMetrics {
            function_name: &self.config.function_name,
            outcome: match &result {
                Ok(answer) => answer.outcome.as_str(),
                Err(error) => error.error_type(),
            },
            salesforce_requests: self.salesforce.requests_sent() - before.0,
            connect_requests: self.connect.requests_sent() - before.1,
            latency_ms: started.elapsed().as_secs_f64() * 1000.0,
        };
        span.in_scope(|| log_outcome(event.as_ref().ok(), &result, &metrics));
        (self.metrics_sink)(&metrics.to_emf(SystemTime::now()));
        result
    }

    fn deadline(&self, started: Instant, lambda_deadline: Option<SystemTime>) -> Instant {
        let budget = started + self.config.response_budget;
        let Some(lambda_deadline) = lambda_deadline else { return budget };
        match lambda_deadline.duration_since(SystemTime::now()) {
            Ok(left) => budget.min(started + left.saturating_sub(DEADLINE_MARGIN)),
            // Lambda's deadline is always ahead; one behind is an emulator's (cargo lambda sends 600000 ms
            // since the epoch). Such a runtime ends nothing at it, so the budget alone applies.
            Err(_) => {
                tracing::debug!(?lambda_deadline, "the runtime's deadline has passed already; using the budget alone");
                budget
            }
        }
    }

    async fn answer(&self, event: &ContactEvent, started: Instant, deadline: Instant) -> Result<Answer, HandoffError> {
        let external_id_field = self.config.case_external_id_field.as_deref();
        let resolution = resolve(&self.salesforce, event, external_id_field, deadline);
        let Resolution { answer, store_on_contact } = tokio::time::timeout_at(deadline, resolution)
            .await
            .map_err(|_| HandoffError::BudgetExceeded(deadline - started))??;
        if store_on_contact && self.config.update_contact_attributes {
            self.store_on_contact(event, &answer, deadline).await;
        }
        Ok(answer)
    }

    /// Best effort: the answer carries the case whatever Connect says.
    async fn store_on_contact(&self, event: &ContactEvent, answer: &Answer, deadline: Instant) {
        let Some(instance_id) = &event.instance_id else {
            tracing::warn!("the event has no InstanceARN; the case is not stored on the contact");
            return;
        };
        let case_id = answer.case_id.to_string();
        let matches = answer.contact_matches.to_string();
        let attributes = [(CASE_ID_ATTRIBUTE, case_id.as_str()), (CONTACT_MATCHES_ATTRIBUTE, matches.as_str())];
        let update = self.connect.update(instance_id, &event.initial_contact_id, &attributes);
        match tokio::time::timeout_at(deadline, update).await {
            Ok(Ok(())) => {}
            Ok(Err(error)) => tracing::warn!(error = %error, "the case is answered but not stored on the contact"),
            Err(_) => tracing::warn!(
                "UpdateContactAttributes did not finish within the budget; the case is answered but not stored on the contact"
            ),
        }
    }
}

/// One line per invocation; the caller's number only masked.
fn log_outcome(event: Option<&ContactEvent>, result: &Result<Answer, HandoffError>, metrics: &InvocationMetrics) {
    let elapsed_ms = metrics.latency_ms.round() as u64;
    let salesforce_requests = metrics.salesforce_requests;
    match (event, result) {
        (Some(event), Ok(answer)) => tracing::info!(
            outcome = answer.outcome.as_str(),
            case_id = %answer.case_id,
            contact_matches = answer.contact_matches,
            caller = %event.caller.masked(),
            salesforce_requests,
            elapsed_ms,
            "answered"
        ),
        (Some(event), Err(error)) => tracing::error!(
            error_type = error.error_type(),
            error = %error,
            caller = %event.caller.masked(),
            salesforce_requests,
            elapsed_ms,
            "failed"
        ),
        (None, Err(error)) => {
            tracing::error!(error_type = error.error_type(), error = %error, "rejected a malformed event")
        }
        (None, Ok(_)) => {}
    }
}
