//! The Lambda handler. [`Handoff`] is one container: configuration and clients, built once. Each event goes
//! through one invocation skeleton ([`Handoff::handle`]): the router names its [`Kind`], and the skeleton
//! gives every kind the same span, response budget, log line for a failure and metrics line. A kind (one
//! file each, beside this one) only parses its event, does its work and says what it answered.
//!
//! Adding an event kind: a file here implementing [`Kind`], its `mod` line, a variant of [`Response`] for
//! its answer, and one arm in [`Handoff::handle`]'s router.

mod budget;
mod check;
mod contact;
mod flow;
mod records;

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use aws_config::{BehaviorVersion, SdkConfig};
use lambda_runtime::{Diagnostic, LambdaEvent};
use serde::Serialize;
use serde_json::Value;
use tokio::time::Instant;
use tracing::Instrument;

use self::budget::InitClock;
use crate::config::{CaseOwner, Config, ConfigError, DEFAULT_RESPONSE_BUDGET};
use crate::connect::{Answer, ConnectClient, ConnectError, EventBridgeEvent, EventError, RecordBatch};
use crate::legs::LegRules;
use crate::metrics::InvocationMetrics;
use crate::owner::{OwnerCache, OwnerRules};
use crate::resolve::Rules;
use crate::salesforce::{SalesforceClient, SalesforceError};

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

/// Where the per-invocation metrics line goes: standard output, which CloudWatch Logs reads, by default.
type MetricsSink = Box<dyn Fn(&str) + Send + Sync>;

/// One container: what every invocation needs, built once. A configuration that cannot be used does not
/// stop the container: each invocation goes through the same skeleton and answers the error (the setup
/// check, a report naming the variable).
pub struct Handoff {
    configured: Result<Configured, ConfigError>,
    /// `AWS_LAMBDA_FUNCTION_NAME`, the metrics' `FunctionName` dimension, whatever the configuration.
    function_name: String,
    metrics_sink: MetricsSink,
    init: InitClock,
}

/// The configuration and the clients and rules built from it: what a kind runs with.
struct Configured {
    config: Config,
    rules: Rules,
    owner_rules: OwnerRules,
    leg_rules: LegRules,
    owners: OwnerCache,
    salesforce: SalesforceClient,
    connect: ConnectClient,
}

impl Configured {
    /// Builds the clients. Sends nothing.
    fn new(config: Config, sdk: &SdkConfig) -> Self {
        Self {
            salesforce: SalesforceClient::new(
                &config.salesforce_url,
                &config.api_version,
                config.credentials.clone(),
                sdk,
            )
            .with_assignment_rules_on_create(config.case_owner == CaseOwner::Unchanged),
            connect: ConnectClient::new(sdk),
            owner_rules: OwnerRules {
                first_agent_owns: config.case_owner == CaseOwner::FirstAgent,
                user_field: config.owner_user_field.clone(),
                external_id_field: config.case_external_id_field.clone(),
            },
            leg_rules: LegRules {
                enabled: config.leg_records,
                external_id_field: config.case_external_id_field.clone(),
                user_field: config.owner_user_field.clone(),
                first_agent_owns: config.case_owner == CaseOwner::FirstAgent,
            },
            owners: OwnerCache::default(),
            rules: Rules {
                external_id_field: config.case_external_id_field.clone(),
                home_country: config.home_country,
                reuse_within: config.reuse_open_case_within,
            },
            config,
        }
    }
}

/// Why init could not log in ahead of the first call.
enum Unprepared<'a> {
    Configuration(&'a ConfigError),
    Salesforce(SalesforceError),
}

impl From<SalesforceError> for Unprepared<'_> {
    fn from(error: SalesforceError) -> Self {
        Self::Salesforce(error)
    }
}

/// One invocation's clock, the request counters as it began, and what its deadline is made from.
struct Invocation {
    started: Instant,
    /// When the flow began waiting (init's start for a cold start's first invocation).
    budget_start: Instant,
    lambda_deadline: Option<SystemTime>,
    salesforce_before: u64,
    connect_before: u64,
}

impl Handoff {
    /// Reads the environment (AWS SDK variables included). Never calls Salesforce or AWS, and never fails:
    /// a configuration error is every invocation's answer. Call it first thing in `main`: init's clock
    /// starts here.
    pub async fn from_env() -> Self {
        let began = Instant::now();
        // libphonenumber's metadata (about 13 ms of CPU) loads on a thread of its own while the
        // configuration, the AWS SDK and the TLS client (about as long) are built here; `prepare` then
        // finds it loaded, or waits for it. With a core to spare this halves init; with a fraction of one
        // (small Lambda memory sizes) it changes nothing, and costs nothing.
        std::thread::spawn(crate::phone::load_metadata);
        let sdk = aws_config::load_defaults(BehaviorVersion::latest()).await;
        let mut handoff = Self::from_lookup(|name| std::env::var(name).ok(), &sdk);
        handoff.init = InitClock::began_at(began);
        handoff
    }

    /// Reads the configuration through `lookup` (as [`Config::from_lookup`] does) and builds the clients,
    /// or keeps the configuration error for every invocation to answer. Sends nothing.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>, sdk: &SdkConfig) -> Self {
        let function_name = lookup("AWS_LAMBDA_FUNCTION_NAME")
            .map(|name| name.trim().to_owned())
            .filter(|name| !name.is_empty())
            .unwrap_or_else(|| env!("CARGO_PKG_NAME").to_owned());
        let configured = Config::from_lookup(lookup).map(|config| Configured::new(config, sdk));
        Self::with(configured, function_name)
    }

    /// Builds the clients for a configuration already read. Sends nothing.
    pub fn new(config: Config, sdk: &SdkConfig) -> Self {
        Self::with(Ok(Configured::new(config, sdk)), env!("CARGO_PKG_NAME").to_owned())
    }

    fn with(configured: Result<Configured, ConfigError>, function_name: String) -> Self {
        Self { configured, function_name, metrics_sink: Box::new(|line| println!("{line}")), init: InitClock::new() }
    }

    /// The configuration error every invocation answers, if the configuration cannot be used.
    pub fn configuration_error(&self) -> Option<&ConfigError> {
        self.configured.as_ref().err()
    }

    /// Sends the metrics lines elsewhere (the local demo and tests keep standard output for themselves).
    pub fn with_metrics_sink(mut self, sink: impl Fn(&str) + Send + Sync + 'static) -> Self {
        self.metrics_sink = Box::new(sink);
        self
    }

    /// Container init: reads the credentials and logs in to Salesforce now, so the first invocation after a
    /// cold start makes no more round trips than a warm one, and meanwhile loads libphonenumber's metadata
    /// (tens of ms of CPU) on another thread. Never fails: a refusal or a slow org is logged, and the first
    /// invocation tries again (and fails clearly if it must). When the first invocation follows at once,
    /// its budget counts from when init began.
    pub async fn prepare(&self, within: Duration) {
        let began = Instant::now();
        let deadline = began + within;
        let metadata = async {
            let loaded = tokio::task::spawn_blocking(crate::phone::load_metadata).await;
            (loaded, began.elapsed())
        };
        // The org's phone fields and person accounts are learned now too (two describes, after the login),
        // so that no call pays for them.
        let login = tokio::time::timeout_at(deadline, async {
            let salesforce = match &self.configured {
                Ok(configured) => &configured.salesforce,
                Err(error) => return Err(Unprepared::Configuration(error)),
            };
            salesforce.start_session(deadline).await?;
            let logged_in = began.elapsed();
            salesforce.org_shape(deadline).await?;
            Ok((logged_in, began.elapsed() - logged_in))
        });
        let ((metadata, metadata_time), login) = tokio::join!(metadata, login);
        if metadata.is_err() {
            tracing::warn!("could not load libphonenumber's metadata during init; the first call will");
        }
        let ms = |time: Duration| (time.as_secs_f64() * 100_000.0).round() / 100.0;
        match login {
            // Init's parts, for whoever looks at a cold start: before this (configuration, the AWS SDK and
            // the TLS client), the login, the describes, and libphonenumber's metadata (alongside both).
            Ok(Ok((login, describes))) => tracing::info!(
                clients_ms = ms(began.saturating_duration_since(self.init.began())),
                login_ms = ms(login),
                describes_ms = ms(describes),
                metadata_ms = ms(metadata_time),
                init_ms = ms(self.init.began().elapsed()),
                "logged in to Salesforce and learned its phone fields during init"
            ),
            Ok(Err(Unprepared::Configuration(error))) => tracing::error!(
                error_type = "ConfigurationError",
                error = %error,
                "the configuration is invalid; every invocation fails until it is fixed"
            ),
            Ok(Err(Unprepared::Salesforce(error))) => {
                tracing::warn!(error = %error, "could not log in to Salesforce or learn its phone fields during init; invocations will retry")
            }
            Err(_) => tracing::warn!("Salesforce did not answer in time during init; invocations will retry"),
        }
        self.init.end();
    }

    /// Requests this container has sent to Salesforce, token requests included.
    pub fn salesforce_requests(&self) -> u64 {
        self.configured.as_ref().map_or(0, |c| c.salesforce.requests_sent())
    }

    /// Connect API calls this container has made.
    pub fn connect_requests(&self) -> u64 {
        self.configured.as_ref().map_or(0, |c| c.connect.requests_sent())
    }

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
            latency_ms: invocation.started.elapsed().as_secs_f64() * 1000.0,
            counts,
        }
    }

    fn emit(&self, metrics: &InvocationMetrics) {
        (self.metrics_sink)(&metrics.to_emf(SystemTime::now()));
    }
}
