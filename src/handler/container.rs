//! One container: the configuration and the clients built from it, once, and its init (the login and the
//! org's describes ahead of the first call). A configuration that cannot be used does not stop the
//! container: every invocation answers it, through the same skeleton.

use std::time::Duration;

use aws_config::{BehaviorVersion, SdkConfig};
use tokio::time::Instant;

use super::budget::InitClock;
use crate::config::{CaseOwner, Config, ConfigError};
use crate::connect::ConnectClient;
use crate::https::Https;
use crate::legs::LegRules;
use crate::owner::{OwnerCache, OwnerRules};
use crate::resolve::Rules;
use crate::salesforce::{SalesforceClient, SalesforceError};

/// Where the per-invocation metrics line goes: standard output, which CloudWatch Logs reads, by default.
type MetricsSink = Box<dyn Fn(&str) + Send + Sync>;

/// One container: what every invocation needs, built once. A configuration that cannot be used does not
/// stop the container: each invocation goes through the same skeleton and answers the error (the setup
/// check, a report naming the variable).
pub struct Handoff {
    pub(super) configured: Result<Configured, ConfigError>,
    /// `AWS_LAMBDA_FUNCTION_NAME`, the metrics' `FunctionName` dimension, whatever the configuration.
    pub(super) function_name: String,
    pub(super) metrics_sink: MetricsSink,
    pub(super) init: InitClock,
}

/// The configuration and the clients and rules built from it: what a kind runs with.
pub(super) struct Configured {
    pub(super) config: Config,
    pub(super) rules: Rules,
    pub(super) owner_rules: OwnerRules,
    pub(super) leg_rules: LegRules,
    pub(super) owners: OwnerCache,
    pub(super) salesforce: SalesforceClient,
    pub(super) connect: ConnectClient,
}

impl Configured {
    /// Builds the clients. Sends nothing.
    fn new(config: Config, https: &Https, sdk: &SdkConfig) -> Self {
        Self {
            salesforce: SalesforceClient::new(
                &config.salesforce_url,
                &config.api_version,
                config.credentials.clone(),
                https.client(),
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
        let https = Https::new();
        let sdk = aws_config::defaults(BehaviorVersion::latest()).http_client(https.for_aws_sdk()).load().await;
        let mut handoff = Self::from_lookup(|name| std::env::var(name).ok(), &https, &sdk);
        handoff.init = InitClock::began_at(began);
        handoff
    }

    /// Reads the configuration through `lookup` (as [`Config::from_lookup`] does) and builds the clients
    /// on `https` and `sdk`, or keeps the configuration error for every invocation to answer. Sends nothing.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>, https: &Https, sdk: &SdkConfig) -> Self {
        let function_name = lookup("AWS_LAMBDA_FUNCTION_NAME")
            .map(|name| name.trim().to_owned())
            .filter(|name| !name.is_empty())
            .unwrap_or_else(|| env!("CARGO_PKG_NAME").to_owned());
        let configured = Config::from_lookup(lookup).map(|config| Configured::new(config, https, sdk));
        Self::with(configured, function_name)
    }

    /// Builds the clients for a configuration already read. Sends nothing.
    pub fn new(config: Config, https: &Https, sdk: &SdkConfig) -> Self {
        Self::with(Ok(Configured::new(config, https, sdk)), env!("CARGO_PKG_NAME").to_owned())
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

    /// What this container's Salesforce answers said of the org's daily API usage: (answers that carried
    /// it, the last one's).
    pub fn salesforce_api_usage(&self) -> (u64, Option<crate::salesforce::ApiUsage>) {
        self.configured.as_ref().map_or((0, None), |c| c.salesforce.api_usage_seen())
    }

    /// Connect API calls this container has made.
    pub fn connect_requests(&self) -> u64 {
        self.configured.as_ref().map_or(0, |c| c.connect.requests_sent())
    }
}
