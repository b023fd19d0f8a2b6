//! The container's one HTTPS client, built once and handed to each client that sends requests. A leaf.

use std::time::Duration;

/// How long an idle connection is kept: just under Salesforce's own keep-alive.
const POOL_IDLE: Duration = Duration::from_secs(50);

/// The one client. Cloning it shares its pool.
#[derive(Clone, Debug)]
pub struct Https {
    client: reqwest::Client,
}

impl Default for Https {
    fn default() -> Self {
        Self::new()
    }
}

impl Https {
    /// Builds the client: HTTP/1.1 with TCP_NODELAY (a request is one small write; Nagle would hold its
    /// tail for an ACK). Sends nothing.
    pub fn new() -> Self {
        let client = reqwest::Client::builder()
            .tcp_nodelay(true)
            .pool_idle_timeout(POOL_IDLE)
            .user_agent(concat!("connect-case-handoff/", env!("CARGO_PKG_VERSION")))
            .build()
            .unwrap_or_else(|error| {
                // Only the TLS setup can fail here; say so, and go on with reqwest's own settings (without
                // TCP_NODELAY and the idle timeout that matches Salesforce's, each request may be slower).
                tracing::error!(error = %error, "could not build the HTTP client as configured; using reqwest's defaults");
                reqwest::Client::new()
            });
        Self { client }
    }

    /// The client, for requests of our own (Salesforce's).
    pub fn client(&self) -> reqwest::Client {
        self.client.clone()
    }
}
