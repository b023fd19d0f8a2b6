use connect_case_handoff::{DEFAULT_LOG_FILTER, Handoff, json_log_subscriber};
use lambda_runtime::{LambdaEvent, service_fn};
use serde_json::Value;
use std::time::Duration;

/// How long container init may wait for the Salesforce login. On an on-demand cold start the flow is
/// already waiting, and the first invocation's budget counts init's time.
const INIT_LOGIN_TIME: Duration = Duration::from_secs(1);

#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    let filter = std::env::var("RUST_LOG").unwrap_or_else(|_| DEFAULT_LOG_FILTER.to_owned());
    tracing::subscriber::set_global_default(json_log_subscriber(std::io::stdout, &filter))?;

    // A configuration mistake does not stop the container: every invocation answers it.
    let handoff = Handoff::from_env().await;
    handoff.prepare(INIT_LOGIN_TIME).await;
    let handoff = &handoff;
    lambda_runtime::run(service_fn(move |event: LambdaEvent<Value>| handoff.invoke(event))).await
}
