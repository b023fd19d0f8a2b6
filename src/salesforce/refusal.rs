//! Remembering that the token endpoint refused our credentials, so a container asks it again at most
//! once every [`REFUSAL_PAUSE`]: Salesforce blocks a user for an hour after 3,600 logins in an hour, and a
//! busy contact center with a wrong secret would get there in minutes.

use std::sync::Mutex;
use std::time::Duration;

use tokio::time::Instant;

use super::SalesforceError;

/// How long after a refusal the token endpoint is not asked again.
pub const REFUSAL_PAUSE: Duration = Duration::from_secs(30);

#[derive(Default)]
pub(super) struct Refusals {
    last: Mutex<Option<(Instant, SalesforceError)>>,
}

impl Refusals {
    /// The last refusal's error while it is recent; `Ok` when the token endpoint may be asked.
    pub(super) fn check(&self) -> Result<(), SalesforceError> {
        let last = self.last.lock().unwrap_or_else(|p| p.into_inner());
        match last.as_ref() {
            Some((at, SalesforceError::Authentication(failure))) if at.elapsed() < REFUSAL_PAUSE => {
                let wait = (REFUSAL_PAUSE - at.elapsed()).as_secs() + 1;
                Err(SalesforceError::Authentication(failure.with_note(&format!("; not asking again for {wait} s"))))
            }
            _ => Ok(()),
        }
    }

    /// Remembers a login's outcome: a refusal starts the pause, anything else ends it.
    pub(super) fn record<T>(&self, outcome: &Result<T, SalesforceError>) {
        let mut last = self.last.lock().unwrap_or_else(|p| p.into_inner());
        *last = match outcome {
            Err(error @ SalesforceError::Authentication(_)) => Some((Instant::now(), error.clone())),
            _ => None,
        };
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::salesforce::auth_failure::{AuthFailure, AuthStage};

    fn refused() -> Result<(), SalesforceError> {
        Err(SalesforceError::Authentication(AuthFailure::new(
            AuthStage::TokenEndpoint,
            Some("invalid_client"),
            "the token endpoint refused the client credentials (invalid_client)",
        )))
    }

    #[tokio::test(start_paused = true)]
    async fn a_refusal_keeps_the_token_endpoint_unasked_for_thirty_seconds() {
        let refusals = Refusals::default();
        assert!(refusals.check().is_ok());
        refusals.record(&refused());
        let error = refusals.check().expect_err("paused");
        assert!(error.to_string().contains("invalid_client"), "{error}");
        tokio::time::advance(REFUSAL_PAUSE - Duration::from_millis(1)).await;
        assert!(refusals.check().is_err());
        tokio::time::advance(Duration::from_millis(1)).await;
        assert!(refusals.check().is_ok(), "asked again once the pause is over");
    }

    #[tokio::test(start_paused = true)]
    async fn only_a_refusal_starts_the_pause_and_a_login_ends_it() {
        let refusals = Refusals::default();
        refusals.record::<()>(&Err(SalesforceError::Unavailable("token endpoint HTTP 503".into())));
        assert!(refusals.check().is_ok(), "an outage is not a refusal");
        refusals.record(&refused());
        refusals.record(&Ok(()));
        assert!(refusals.check().is_ok());
    }
}
