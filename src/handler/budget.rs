//! The response budget's clock: when the flow began waiting for an invocation (init's start, for the
//! first invocation of an on-demand cold start) and the deadline it gives, never after Lambda's own.

use std::sync::Mutex;
use std::time::{Duration, SystemTime};

use tokio::time::Instant;

/// Kept back from the Lambda deadline for writing the answer.
const DEADLINE_MARGIN: Duration = Duration::from_millis(100);
/// An invocation this soon after init ends is an on-demand cold start: Connect has been waiting since
/// init began. (Provisioned or pre-warmed containers wait seconds or more for their first event.)
const RIGHT_AFTER_INIT: Duration = Duration::from_millis(100);

/// The bound of an invocation no flow waits on (a batch of contact records) where Lambda gives no
/// deadline (a local emulator): Lambda's own deadline, when there is one, comes first.
pub(super) const NO_FLOW_WAITING: Duration = Duration::from_secs(10);

/// When this container's init began and ended, until the first invocation has looked.
pub(super) struct InitClock {
    began: Instant,
    ended: Mutex<Option<Instant>>,
}

impl InitClock {
    /// Init begins now.
    pub(super) fn new() -> Self {
        Self::began_at(Instant::now())
    }

    pub(super) fn began_at(began: Instant) -> Self {
        Self { began, ended: Mutex::new(None) }
    }

    /// When init began.
    pub(super) fn began(&self) -> Instant {
        self.began
    }

    /// Init has ended: the next invocation, if it follows at once, counts init in its budget.
    pub(super) fn end(&self) {
        *self.ended.lock().unwrap_or_else(|p| p.into_inner()) = Some(Instant::now());
    }

    /// When the flow began waiting for an invocation that `started`: when init began for the first
    /// invocation of an on-demand cold start, else `started`. Only the first invocation after init looks.
    pub(super) fn budget_start(&self, started: Instant) -> Instant {
        let ended = self.ended.lock().unwrap_or_else(|p| p.into_inner()).take();
        match ended {
            Some(ended) if started.saturating_duration_since(ended) <= RIGHT_AFTER_INIT => {
                tracing::debug!(
                    init_ms = (ended - self.began).as_millis() as u64,
                    "cold start: the budget counts init"
                );
                self.began
            }
            _ => started,
        }
    }
}

/// `budget` from `budget_start`, and never after Lambda's deadline (less a margin to write the answer).
pub(super) fn deadline(budget_start: Instant, budget: Duration, lambda_deadline: Option<SystemTime>) -> Instant {
    let budget = budget_start + budget;
    let Some(lambda_deadline) = lambda_deadline else { return budget };
    match lambda_deadline.duration_since(SystemTime::now()) {
        Ok(left) => budget.min(Instant::now() + left.saturating_sub(DEADLINE_MARGIN)),
        // Lambda's deadline is always ahead; one behind is an emulator's (cargo lambda sends 600000 ms
        // since the epoch). Such a runtime ends nothing at it, so the budget alone applies.
        Err(_) => {
            tracing::debug!(?lambda_deadline, "the runtime's deadline has passed already; using the budget alone");
            budget
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const BUDGET: Duration = Duration::from_millis(2500);

    #[test]
    fn the_first_invocation_right_after_init_counts_init_and_only_it() {
        let began = Instant::now();
        let clock = InitClock::began_at(began);
        clock.end();
        let started = Instant::now();
        assert_eq!(clock.budget_start(started), began);
        assert_eq!(clock.budget_start(started), started, "only the first invocation looks");
        let late = InitClock::began_at(began);
        *late.ended.lock().unwrap_or_else(|p| p.into_inner()) = Some(started);
        let much_later = started + RIGHT_AFTER_INIT + Duration::from_millis(1);
        assert_eq!(late.budget_start(much_later), much_later, "a pre-warmed container waited for its event");
    }

    #[test]
    fn lambdas_deadline_shortens_the_budget_and_a_past_one_is_an_emulators() {
        let start = Instant::now();
        assert_eq!(deadline(start, BUDGET, None), start + BUDGET);
        let soon = SystemTime::now() + Duration::from_millis(1000);
        let cut = deadline(start, BUDGET, Some(soon));
        assert!(cut < start + BUDGET, "Lambda's deadline comes first");
        let past = SystemTime::UNIX_EPOCH + Duration::from_millis(600_000);
        assert_eq!(deadline(start, BUDGET, Some(past)), start + BUDGET);
    }
}
