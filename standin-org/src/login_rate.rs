//! Salesforce's login rate limit: the run-as user's logins in the last hour, and the block that the one
//! past [`LOGINS_PER_HOUR`] starts. A leaf.

use std::collections::VecDeque;
use std::time::Duration;

use tokio::time::Instant;

/// Logins a user may make in an hour (Salesforce Help 000381578), wrong credentials included.
pub const LOGINS_PER_HOUR: usize = 3_600;
const HOUR: Duration = Duration::from_secs(3_600);

/// The run-as user's logins in the last hour and the block that the one past [`LOGINS_PER_HOUR`] starts.
/// Salesforce says the logins past the limit are blocked and to wait an hour; the stand-in plays the
/// kinder reading: one hour from the first login past the limit, with the logins tried during the block
/// not counted. Tokio's clock, so that a test or the soak run can play the hour on a paused clock.
#[derive(Default)]
pub(crate) struct LoginRate {
    within_the_hour: VecDeque<Instant>,
    blocked_until: Option<Instant>,
}

impl LoginRate {
    /// Counts a login, and says whether it is blocked.
    pub(crate) fn blocked(&mut self) -> bool {
        let now = Instant::now();
        if self.blocked_until.is_some_and(|until| now < until) {
            return true;
        }
        while self.within_the_hour.front().is_some_and(|at| now.duration_since(*at) >= HOUR) {
            self.within_the_hour.pop_front();
        }
        if self.within_the_hour.len() >= LOGINS_PER_HOUR {
            self.within_the_hour.clear();
            self.blocked_until = Some(now + HOUR);
            return true;
        }
        self.within_the_hour.push_back(now);
        false
    }

    /// Whether the logins of the last hour have blocked the user now.
    pub(crate) fn is_blocked(&self) -> bool {
        self.blocked_until.is_some_and(|until| Instant::now() < until)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn the_login_past_the_limit_blocks_every_login_for_an_hour() {
        let mut rate = LoginRate::default();
        for _ in 0..LOGINS_PER_HOUR {
            assert!(!rate.blocked());
            tokio::time::advance(Duration::from_millis(500)).await;
        }
        assert!(rate.blocked() && rate.is_blocked(), "the 3,601st login in the hour");
        tokio::time::advance(HOUR - Duration::from_secs(1)).await;
        assert!(rate.blocked(), "still blocked, and the blocked tries do not count");
        tokio::time::advance(Duration::from_secs(1)).await;
        assert!(!rate.is_blocked() && !rate.blocked(), "an hour after the block began");
    }

    #[tokio::test(start_paused = true)]
    async fn logins_older_than_an_hour_no_longer_count() {
        let mut rate = LoginRate::default();
        for _ in 0..LOGINS_PER_HOUR {
            assert!(!rate.blocked());
            tokio::time::advance(Duration::from_secs(1)).await;
        }
        // The first login is now an hour old: one more fits.
        assert!(!rate.blocked());
        assert!(rate.blocked(), "the hour's 3,601st");
    }
}
