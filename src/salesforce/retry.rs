//! The one retry policy of every Salesforce request, the token request and REST calls alike: what is
//! worth sending again, and how long to wait before it while the caller's deadline allows.

use std::time::Duration;

use reqwest::StatusCode;
use tokio::time::Instant;

use super::SalesforceError;

/// First pause before retrying a transient failure; doubled on each retry.
const FIRST_BACKOFF: Duration = Duration::from_millis(25);
const MAX_BACKOFF: Duration = Duration::from_millis(400);

/// Backoff state for one request's attempts.
pub(super) struct Retry {
    backoff: Duration,
    deadline: Instant,
}

impl Retry {
    pub(super) fn until(deadline: Instant) -> Self {
        Self { backoff: FIRST_BACKOFF, deadline }
    }

    /// Waits before the next attempt, or gives up with `failure` when the pause would not end before the
    /// deadline.
    pub(super) async fn pause(&mut self, failure: String) -> Result<(), SalesforceError> {
        if Instant::now() + self.backoff >= self.deadline {
            return Err(SalesforceError::Unavailable(failure));
        }
        tokio::time::sleep(self.backoff).await;
        self.backoff = (self.backoff * 2).min(MAX_BACKOFF);
        Ok(())
    }
}

/// Statuses a load balancer or a busy org answers for a moment: sent again.
pub(super) fn is_transient(status: StatusCode) -> bool {
    matches!(status.as_u16(), 502..=504)
}

/// A transport failure, once: whether the request may be sent again. A request that could not connect
/// never reached the org; one cut later may have, so only an idempotent one goes again.
pub(super) fn may_resend(error: &reqwest::Error, idempotent: bool) -> bool {
    error.is_connect() || idempotent
}

/// What a transport failure was, without the URL reqwest's own message carries.
pub(super) fn transport_failure(peer: &str, error: &reqwest::Error) -> String {
    let kind = if error.is_connect() {
        "could not connect"
    } else if error.is_timeout() {
        "timed out"
    } else {
        "connection failed"
    };
    format!("{peer}: {kind}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn pauses_double_until_the_deadline_would_pass() {
        let started = Instant::now();
        let mut retry = Retry::until(started + Duration::from_millis(200));
        let mut pauses = 0;
        while retry.pause("HTTP 503".into()).await.is_ok() {
            pauses += 1;
        }
        // 25 + 50 + 100 ms fit in 200 ms; the next 200 ms pause would not. (Tokio's paused clock.)
        assert_eq!(pauses, 3);
        assert_eq!(started.elapsed(), Duration::from_millis(175));
    }

    #[tokio::test]
    async fn giving_up_says_what_failed() {
        let mut retry = Retry::until(Instant::now());
        assert_eq!(retry.pause("HTTP 503".into()).await, Err(SalesforceError::Unavailable("HTTP 503".into())));
    }

    #[test]
    fn only_gateway_statuses_are_transient() {
        for status in [502, 503, 504] {
            assert!(is_transient(StatusCode::from_u16(status).unwrap_or(StatusCode::OK)), "{status}");
        }
        for status in [200, 400, 401, 404, 500, 501] {
            assert!(!is_transient(StatusCode::from_u16(status).unwrap_or(StatusCode::OK)), "{status}");
        }
    }
}
