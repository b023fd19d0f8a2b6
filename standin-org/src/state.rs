//! The org's state behind one lock, in the manner of mini-redis's `db.rs`: records, sessions, what
//! Connect and Secrets Manager hold, faults to come, and what was asked of it.

use std::collections::{BTreeMap, HashSet};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use axum::http::{Method, Uri};
use serde_json::{Map, Value};

use crate::faults::Faults;
use crate::login_rate::LoginRate;
use crate::phone_index::{PersonRows, PhoneIndex};
use crate::route::Route;
use crate::setup::Setup;

#[derive(Debug, Clone, Default)]
pub struct Contact {
    pub first_name: String,
    pub last_name: String,
    /// Phone fields (`Phone`, `MobilePhone`, …) as people typed them.
    pub phones: Vec<(&'static str, String)>,
    pub email: Option<String>,
    pub account_id: Option<String>,
}

/// A Salesforce `User`, as the owner lookup queries it.
#[derive(Debug, Clone, Default)]
pub struct User {
    pub id: String,
    pub username: String,
    pub email: String,
    pub federation_identifier: Option<String>,
    pub active: bool,
}

/// One write to a Case, with the `Sforce-Auto-Assign` header it came with.
#[derive(Debug, Clone, PartialEq)]
pub struct CaseWrite {
    pub case_id: String,
    /// `create`, `update` or `upsert`.
    pub operation: &'static str,
    pub auto_assign: Option<String>,
}

#[derive(Debug, Clone)]
pub(crate) struct ContactRow {
    pub id: String,
    pub contact: Contact,
    /// The Contact row of a person account (its `AccountId` is the person account).
    pub person: bool,
}

/// An Account: a business, whose `Phone` is its main line, or in an org with person accounts a person,
/// whose numbers are on the Account (`Phone`, `PersonMobilePhone`, …) and mirrored on its Contact row.
#[derive(Debug, Clone)]
pub(crate) struct AccountRow {
    pub id: String,
    pub name: String,
    /// Phone fields as people typed them.
    pub phones: Vec<(&'static str, String)>,
    /// The person's Contact, for a person account.
    pub person_contact_id: Option<String>,
}

/// An External Client App set up for the JWT bearer flow: the certificate's public key (DER
/// `RSAPublicKey`), the audience it takes, and the users, each pre-authorized or not.
#[derive(Debug, Clone)]
pub(crate) struct JwtApp {
    pub public_key: Vec<u8>,
    pub audience: String,
    pub users: Vec<(String, bool)>,
}

/// One request as it arrived, for tests that check what reached the wire.
#[derive(Debug, Clone)]
pub struct Recorded {
    pub route: Route,
    pub method: String,
    /// Path and query, exactly as sent (still percent-encoded).
    pub target: String,
    pub body: String,
}

/// Undoes one write of a composite request that is rolled back.
pub(crate) enum Undo {
    Remove(String),
    Restore(String, Map<String, Value>),
}

/// A describe's JSON text, and the fields and padding it was made from.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct ServedDescribe {
    pub fields: Vec<(String, &'static str)>,
    pub padding: usize,
    pub body: String,
}

/// Requests kept whole for inspection; a soak run's tens of thousands are only counted.
const RECORDED_MAX: usize = 10_000;

#[derive(Default)]
pub(crate) struct State {
    /// Where this org is served; the token answer's `instance_url`.
    pub url: String,
    pub client_id: String,
    pub client_secret: String,
    /// The External Client App's JWT bearer settings, when it has them.
    pub jwt: Option<JwtApp>,
    pub tokens: HashSet<String>,
    pub tokens_issued: u64,
    /// The run-as user's logins in the last hour, and the block that too many of them start.
    pub logins: LoginRate,
    pub contacts: Vec<ContactRow>,
    pub phone_index: PhoneIndex,
    /// SOSL searches that left spell correction on (Salesforce's default).
    pub spell_corrected_searches: u64,
    pub accounts: Vec<AccountRow>,
    /// Which rows a phone search answers for a person account (Salesforce does not document it).
    pub person_rows: PersonRows,
    /// Live cases by their 15-character id.
    pub cases: BTreeMap<String, Map<String, Value>>,
    pub deleted_cases: HashSet<String>,
    /// The Connect run-as user's Salesforce id: the owner of the cases it creates.
    pub run_as_user: String,
    pub users: Vec<User>,
    /// The queue the org's assignment rule gives new cases; `None`: no active rule.
    pub assignment_queue: Option<String>,
    pub case_writes: Vec<CaseWrite>,
    /// Connect users: user id to username.
    pub agents: BTreeMap<String, String>,
    /// How the org is set up, as the setup check sees it (and can be set up wrong).
    pub setup: Setup,
    /// The values a restricted `Case.Origin` picklist allows; `None`: unrestricted.
    pub origin_picklist: Option<Vec<String>>,
    pub cases_created: u64,
    /// Tasks by their 18-character id.
    pub tasks: BTreeMap<String, Map<String, Value>>,
    pub tasks_created: u64,
    /// The org's Task statuses (a new org's, unless a test renames the closed one).
    pub task_statuses: Vec<crate::setup::TaskStatus>,
    /// VoiceCalls by their 18-character id, in an org with Salesforce Voice ([`Setup::voice_calls`]).
    pub voice_calls: BTreeMap<String, Map<String, Value>>,
    /// While an allOrNone composite runs: how to undo each write it made.
    pub journal: Option<Vec<Undo>>,
    /// Contact's and Account's describes as last served, with what they were made from: a real-sized
    /// describe takes milliseconds to build, which a benchmark would count as the function's.
    pub describes: std::collections::HashMap<String, ServedDescribe>,
    pub faults: Faults,
    /// Added to every request, as a network round trip to a real org would.
    pub latency: Duration,
    pub counts: BTreeMap<Route, usize>,
    /// The first [`RECORDED_MAX`] requests since the counts were reset.
    pub recorded: Vec<Recorded>,
    /// What Connect holds for each call, by `InitialContactId`.
    pub contact_attributes: BTreeMap<String, BTreeMap<String, String>>,
    pub secrets: BTreeMap<String, String>,
    /// The org's daily API allocation, and what has been used of it.
    pub api_usage: ApiUsage,
}

/// The org's daily API requests: used in the last 24 hours, allowed, and whether answers say so in
/// `Sforce-Limit-Info` (a proxy in the way might take the header off; `/limits` still tells).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ApiUsage {
    pub used: u64,
    pub allowed: u64,
    pub header: bool,
}

impl Default for ApiUsage {
    /// A Developer Edition org's allocation, nothing used yet.
    fn default() -> Self {
        Self { used: 0, allowed: 15_000, header: true }
    }
}

impl ApiUsage {
    /// Counts one API request, and answers the `Sforce-Limit-Info` value its answer carries, if any: as the
    /// REST API documents it, with `api-bursts` after it once an org runs past its allocation.
    pub(crate) fn count(&mut self) -> Option<String> {
        self.used += 1;
        let bursts = if self.used > self.allowed { "; api-bursts=1/750" } else { "" };
        self.header.then(|| format!("api-usage={}/{}{bursts}", self.used, self.allowed))
    }
}

pub(crate) type Shared = Arc<Mutex<State>>;

pub(crate) fn lock(state: &Shared) -> MutexGuard<'_, State> {
    // A test that panicked while holding the lock must not take the other tests' org down with it.
    state.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

impl State {
    /// Counts a request of `route`, and keeps it whole while there is room.
    pub(crate) fn record(&mut self, route: Route, method: &Method, uri: &Uri, body: &[u8]) {
        *self.counts.entry(route).or_default() += 1;
        if self.recorded.len() < RECORDED_MAX {
            self.recorded.push(Recorded {
                route,
                method: method.to_string(),
                target: uri.path_and_query().map(ToString::to_string).unwrap_or_default(),
                body: String::from_utf8_lossy(body).into_owned(),
            });
        }
    }

    /// HTTP requests that reached Salesforce (a composite request counts once).
    pub(crate) fn salesforce_requests(&self) -> usize {
        self.counts.iter().filter(|(route, _)| route.is_salesforce()).map(|(_, n)| n).sum()
    }

    pub(crate) fn record_write(&mut self, case_id: &str, operation: &'static str, auto_assign: Option<&str>) {
        self.case_writes.push(CaseWrite {
            case_id: case_id.to_owned(),
            operation,
            auto_assign: auto_assign.map(str::to_owned),
        });
    }

    /// Stores a case under its 15-character key. Every write to a case goes through here, so that an
    /// all-or-none composite request can undo it.
    pub(crate) fn put_case(&mut self, key: String, fields: Map<String, Value>) {
        let before = self.cases.insert(key.clone(), fields);
        if let Some(journal) = self.journal.as_mut() {
            journal.push(match before {
                Some(before) => Undo::Restore(key, before),
                None => Undo::Remove(key),
            });
        }
    }

    /// Undoes the writes of `journal`, the newest first.
    pub(crate) fn roll_back(&mut self, journal: Vec<Undo>) {
        for undo in journal.into_iter().rev() {
            match undo {
                Undo::Remove(key) => drop(self.cases.remove(&key)),
                Undo::Restore(key, fields) => drop(self.cases.insert(key, fields)),
            }
        }
    }

    /// Whether the run-as user sees a `VoiceCall` object: the org has one, and the user some access.
    pub(crate) fn voice_calls_visible(&self) -> bool {
        self.setup.voice_calls && self.setup.voice_call_access != crate::setup::VoiceCallAccess::None
    }

    /// The stored case an id of 15 or 18 characters names.
    pub(crate) fn case_key(id: &str) -> &str {
        if id.len() == 15 || id.len() == 18 { id.get(..15).unwrap_or(id) } else { id }
    }
}
