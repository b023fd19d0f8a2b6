//! Misbehaving on purpose: the faults to come for each route, injected by a test, and random chaos for
//! soak runs. Only which fault comes next is decided here; the server plays it (`server::play`).

use std::collections::VecDeque;
use std::time::Duration;

use crate::route::{Route, Service};

/// A misbehaviour to inject into the next request(s) of a route.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Fault {
    /// Answer with this HTTP status and the service's usual error body.
    Status(u16),
    /// Every session expires just before this request (which then gets `401 INVALID_SESSION_ID`).
    ExpireSessions,
    /// Connect: `429 ThrottlingException`. Salesforce: `403 REQUEST_LIMIT_EXCEEDED`.
    Throttle,
    /// Wait this long before answering normally.
    Delay(Duration),
    /// Never answer.
    Hang,
    /// Start a `200` answer, then drop the connection mid-body, as a reset in the network would.
    Reset,
}

/// Random misbehaviour, each a chance per request from 0.0 to 1.0, for soak runs.
#[derive(Debug, Clone, Copy, Default, PartialEq, serde::Deserialize)]
#[serde(default)]
pub struct Chaos {
    /// A Salesforce REST request finds every session expired (`401 INVALID_SESSION_ID`).
    pub expire_sessions: f64,
    /// A Salesforce request (token endpoint included) answers `503`.
    pub unavailable: f64,
    /// A request of any kind waits `delay_ms` first.
    pub delay: f64,
    pub delay_ms: u64,
    /// A Connect request answers `429 ThrottlingException`.
    pub throttle_connect: f64,
    /// A Salesforce REST request answers `403 REQUEST_LIMIT_EXCEEDED`.
    pub throttle_salesforce: f64,
    /// A Salesforce REST request's answer is cut mid-body (the org did the work).
    pub reset: f64,
    pub seed: u64,
}

/// The faults to come.
#[derive(Default)]
pub(crate) struct Faults {
    injected: VecDeque<(Route, Fault)>,
    chaos: Chaos,
    rng: u64,
}

impl Faults {
    pub(crate) fn inject(&mut self, route: Route, fault: Fault, times: usize) {
        self.injected.extend(std::iter::repeat_n((route, fault), times));
    }

    pub(crate) fn set_chaos(&mut self, chaos: Chaos) {
        self.rng = chaos.seed.max(1);
        self.chaos = chaos;
    }

    /// The fault for this request of `route`: the first injected for it, else whatever chaos rolls.
    pub(crate) fn next(&mut self, route: Route) -> Option<Fault> {
        let injected = self.injected.iter().position(|(r, _)| *r == route).and_then(|i| self.injected.remove(i));
        injected.map(|(_, fault)| fault).or_else(|| self.chaos_fault(route))
    }

    fn chaos_fault(&mut self, route: Route) -> Option<Fault> {
        let chaos = self.chaos;
        match route.service() {
            Service::Standin | Service::SecretsManager => None,
            Service::Connect => self.roll(chaos.throttle_connect).then_some(Fault::Throttle),
            Service::Salesforce if self.roll(chaos.unavailable) => Some(Fault::Status(503)),
            Service::Salesforce if route == Route::Token => None,
            Service::Salesforce if self.roll(chaos.throttle_salesforce) => Some(Fault::Throttle),
            Service::Salesforce if self.roll(chaos.reset) => Some(Fault::Reset),
            Service::Salesforce => self.roll(chaos.expire_sessions).then_some(Fault::ExpireSessions),
        }
        .or_else(|| self.roll(chaos.delay).then_some(Fault::Delay(Duration::from_millis(chaos.delay_ms))))
    }

    /// xorshift64*: reproducible from the seed, and no dependency for a test double.
    fn roll(&mut self, chance: f64) -> bool {
        if chance <= 0.0 {
            return false;
        }
        self.rng ^= self.rng >> 12;
        self.rng ^= self.rng << 25;
        self.rng ^= self.rng >> 27;
        let sample = (self.rng.wrapping_mul(0x2545_F491_4F6C_DD1D) >> 11) as f64 / (1u64 << 53) as f64;
        sample < chance
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn injected_faults_come_first_in_order_and_only_for_their_route() {
        let mut faults = Faults::default();
        faults.inject(Route::Search, Fault::Status(503), 1);
        faults.inject(Route::Token, Fault::Hang, 1);
        faults.inject(Route::Search, Fault::Reset, 1);
        assert_eq!(faults.next(Route::Composite), None);
        assert_eq!(faults.next(Route::Search), Some(Fault::Status(503)));
        assert_eq!(faults.next(Route::Search), Some(Fault::Reset));
        assert_eq!(faults.next(Route::Search), None);
        assert_eq!(faults.next(Route::Token), Some(Fault::Hang));
    }

    #[test]
    fn chaos_is_reproducible_from_its_seed() {
        let chaos = Chaos { unavailable: 0.5, seed: 7, ..Chaos::default() };
        let draws = |faults: &mut Faults| (0..64).map(|_| faults.next(Route::Search)).collect::<Vec<_>>();
        let (mut a, mut b) = (Faults::default(), Faults::default());
        a.set_chaos(chaos);
        b.set_chaos(chaos);
        let first = draws(&mut a);
        assert_eq!(first, draws(&mut b));
        assert!(first.contains(&Some(Fault::Status(503))) && first.contains(&None));
    }
}
