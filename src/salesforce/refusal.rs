//! Remembering that the token endpoint refused our credentials, so a container asks it again only after a
//! pause that grows: [`FIRST_PAUSE`] after a refusal, twice as long after each further one, up to
//! [`LONGEST_PAUSE`], each within 20% either way so that containers refused together do not ask together.
//! Salesforce blocks a user for up to an hour after 3,600 logins in an hour, wrong credentials included: a
//! fixed 30 s lets about 30 warm containers with a wrong secret lock the run-as user out of every
//! integration. A login that succeeds ends the pause.

use std::collections::hash_map::RandomState;
use std::hash::{BuildHasher, Hasher};
use std::sync::Mutex;
use std::time::Duration;

use tokio::time::Instant;

use super::SalesforceError;

/// The pause after a first refusal.
pub const FIRST_PAUSE: Duration = Duration::from_secs(30);
/// The longest pause, however many refusals came before.
pub const LONGEST_PAUSE: Duration = Duration::from_secs(15 * 60);

/// The refusals in a row, and the pause the last one started.
#[derive(Clone)]
struct Refused {
    at: Instant,
    pause: Duration,
    in_a_row: u32,
    error: SalesforceError,
}

pub(super) struct Refusals {
    last: Mutex<Option<Refused>>,
    /// The factor a pause is multiplied by, from 0.8 to 1.2.
    jitter: fn() -> f64,
}

impl Default for Refusals {
    fn default() -> Self {
        Self { last: Mutex::new(None), jitter: random_jitter }
    }
}

/// A factor from 0.8 to 1.2, from the standard library's per-process random keys.
fn random_jitter() -> f64 {
    let mut hasher = RandomState::new().build_hasher();
    hasher.write_u64(0);
    let unit = (hasher.finish() >> 11) as f64 / (1u64 << 53) as f64;
    0.8 + 0.4 * unit
}

/// The pause after `in_a_row` refusals, before jitter: 30 s, 60 s, 120 s, … up to 15 minutes.
fn pause_after(in_a_row: u32) -> Duration {
    let doublings = in_a_row.saturating_sub(1).min(16);
    FIRST_PAUSE.saturating_mul(1 << doublings).min(LONGEST_PAUSE)
}

impl Refusals {
    /// The last refusal's error while its pause lasts; `Ok` when the token endpoint may be asked.
    pub(super) fn check(&self) -> Result<(), SalesforceError> {
        let last = self.last.lock().unwrap_or_else(|p| p.into_inner());
        match last.as_ref() {
            Some(Refused { at, pause, error: SalesforceError::Authentication(failure), .. })
                if at.elapsed() < *pause =>
            {
                let wait = (*pause - at.elapsed()).as_secs() + 1;
                Err(SalesforceError::Authentication(failure.with_note(&format!("; not asking again for {wait} s"))))
            }
            _ => Ok(()),
        }
    }

    /// Whether the last login was refused: the credentials should be read again before the next.
    pub(super) fn refused(&self) -> bool {
        self.last.lock().unwrap_or_else(|p| p.into_inner()).is_some()
    }

    /// Remembers a login's outcome: a refusal starts a pause twice as long as the last one's (up to
    /// [`LONGEST_PAUSE`]); a login that succeeds ends it; an outage leaves it as it was.
    pub(super) fn record<T>(&self, outcome: &Result<T, SalesforceError>) {
        let mut last = self.last.lock().unwrap_or_else(|p| p.into_inner());
        match outcome {
            Err(error @ SalesforceError::Authentication(_)) => {
                let in_a_row = last.as_ref().map_or(0, |r| r.in_a_row).saturating_add(1);
                let pause = pause_after(in_a_row).mul_f64((self.jitter)().clamp(0.8, 1.2));
                if in_a_row > 1 {
                    tracing::warn!(
                        in_a_row,
                        pause_s = pause.as_secs(),
                        "the token endpoint refused the credentials again; asking less often"
                    );
                }
                *last = Some(Refused { at: Instant::now(), pause, in_a_row, error: error.clone() });
            }
            Err(_) => {}
            Ok(_) => *last = None,
        }
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

    fn exact() -> Refusals {
        Refusals { jitter: || 1.0, ..Refusals::default() }
    }

    /// How long, after the last refusal, the token endpoint stays unasked.
    async fn paused_for(refusals: &Refusals) -> Duration {
        let began = Instant::now();
        while refusals.check().is_err() {
            tokio::time::advance(Duration::from_secs(1)).await;
        }
        began.elapsed()
    }

    #[tokio::test(start_paused = true)]
    async fn each_refusal_doubles_the_pause_up_to_fifteen_minutes() {
        let refusals = exact();
        assert!(refusals.check().is_ok());
        let mut pauses = Vec::new();
        for _ in 0..8 {
            refusals.record(&refused());
            let error = refusals.check().expect_err("paused");
            assert!(error.to_string().contains("invalid_client") && error.to_string().contains("not asking again"));
            pauses.push(paused_for(&refusals).await.as_secs());
        }
        assert_eq!(pauses, [30, 60, 120, 240, 480, 900, 900, 900]);
    }

    #[tokio::test(start_paused = true)]
    async fn a_pause_ends_to_the_millisecond_and_varies_by_a_fifth_either_way() {
        let refusals = exact();
        refusals.record(&refused());
        tokio::time::advance(FIRST_PAUSE - Duration::from_millis(1)).await;
        assert!(refusals.check().is_err());
        tokio::time::advance(Duration::from_millis(1)).await;
        assert!(refusals.check().is_ok(), "asked again once the pause is over");

        let mut seen = Vec::new();
        for _ in 0..50 {
            let refusals = Refusals::default();
            refusals.record(&refused());
            let pause = paused_for(&refusals).await.as_secs();
            assert!((24..=37).contains(&pause), "{pause} s is not 30 s within 20%");
            seen.push(pause);
        }
        seen.sort_unstable();
        seen.dedup();
        assert!(seen.len() > 3, "containers refused together do not all ask again together: {seen:?}");
    }

    #[tokio::test(start_paused = true)]
    async fn only_a_refusal_starts_the_pause_and_a_login_ends_it() {
        let refusals = exact();
        refusals.record::<()>(&Err(SalesforceError::Unavailable("token endpoint HTTP 503".into())));
        assert!(refusals.check().is_ok() && !refusals.refused(), "an outage is not a refusal");
        refusals.record(&refused());
        refusals.record(&refused());
        assert!(refusals.refused());
        refusals.record::<()>(&Err(SalesforceError::Unavailable("token endpoint HTTP 503".into())));
        assert!(refusals.check().is_err(), "an outage does not end the pause");
        refusals.record(&Ok(()));
        assert!(refusals.check().is_ok() && !refusals.refused());
        refusals.record(&refused());
        assert_eq!(paused_for(&refusals).await, FIRST_PAUSE, "a success starts the doubling over");
    }
}
