//! The HTTP exchange every Salesforce request goes through, the token request included: the container's
//! one HTTPS client (`crate::https`), the one retry policy (`retry`), a count of every request sent, and the org's API
//! usage as the answers' `Sforce-Limit-Info` header says it (`api_usage`).

use std::sync::atomic::{AtomicU64, Ordering};

use reqwest::{RequestBuilder, StatusCode};
use tokio::time::Instant;

use super::SalesforceError;
use super::api_usage::{LIMIT_INFO_HEADER, UsageSeen};
use super::retry::{Retry, is_transient, may_resend, transport_failure};

pub(super) struct Transport {
    http: reqwest::Client,
    requests: AtomicU64,
    usage: UsageSeen,
}

impl Transport {
    /// Sends through `http`, the container's one client. Sends nothing yet.
    pub(super) fn new(http: reqwest::Client) -> Self {
        Self { http, requests: AtomicU64::new(0), usage: UsageSeen::default() }
    }

    pub(super) fn http(&self) -> &reqwest::Client {
        &self.http
    }

    /// HTTP requests sent so far, token requests and retries included.
    pub(super) fn requests_sent(&self) -> u64 {
        self.requests.load(Ordering::Relaxed)
    }

    /// What the answers' `Sforce-Limit-Info` said: (answers that carried it, the last one's usage).
    pub(super) fn api_usage_seen(&self) -> (u64, Option<super::ApiUsage>) {
        self.usage.get()
    }

    /// One HTTP exchange under the retry policy: transient statuses and failed connections are sent again
    /// while `deadline` allows, and a request cut mid-way only when it is `idempotent`. Answers the status
    /// and body of the first answer that is not retried.
    pub(super) async fn exchange(
        &self,
        request: impl Fn() -> RequestBuilder,
        idempotent: bool,
        peer: &str,
        deadline: Instant,
    ) -> Result<(StatusCode, Vec<u8>), SalesforceError> {
        let mut retry = Retry::until(deadline);
        loop {
            self.requests.fetch_add(1, Ordering::Relaxed);
            let sent = request().send().await;
            if let Ok(response) = &sent {
                self.usage.record(response.headers().get(LIMIT_INFO_HEADER).and_then(|v| v.to_str().ok()));
            }
            let failure = match sent {
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
