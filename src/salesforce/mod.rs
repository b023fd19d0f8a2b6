//! Salesforce, as this function uses it: a thin REST client of our own. Nothing outside this folder sees a
//! URL, a SOSL or SOQL string or a REST body, and what a failure means (its error type, whether to retry,
//! what to fix, when a record is gone) is said here, in `error`.
//!
//! From the leaves up:
//! - the wire: `transport` (every HTTP exchange, under `retry`'s one policy, counted, with the org's API
//!   usage its answers report, read by `api_usage`), `credentials`
//!   (client credentials or the JWT bearer login, `jwt` its RS256 assertion; or a Secrets Manager secret),
//!   `refusal` (after a refused login, a pause of 30 s that doubles with each further refusal, up to 15 minutes), `session` (the container's one session,
//!   and asking the token endpoint for it), `client` (REST calls in the session, renewed once on `401`),
//!   `composite` (`/composite` requests built and read by named part);
//! - the rules: `id` (validated record ids), `fields` (API-name rules), `soql` (string and datetime
//!   literals), `codes` (the org's error bodies read down to their codes), `auth_failure` (why a login
//!   failed and what to fix), `error` (the error type, and what each failure means);
//! - the calls: `describe` and `shape` (the org's versions and describes; its phone fields and person
//!   accounts, learned once per container), `search` (the phone search, the email query), `cases`
//!   (reading and creating cases, one Case row type), `owners` (the agent's user, the case's owner),
//!   `legs` (a batch of contact records' one read) and `leg_writes` (its writes, as the core plans them),
//!   `voice_calls` (a leg's VoiceCall linked to its case in the case's own request; what the run-as user
//!   may do with VoiceCalls, and the permission set that gives it).
//!
//! The small traits below are what the decision cores need from the org; [`SalesforceClient`] implements
//! each of them directly, and the cores' unit tests implement them in memory.

mod api_usage;
mod auth_failure;
mod cases;
mod client;
mod codes;
mod composite;
mod credentials;
mod describe;
mod error;
mod fields;
mod id;
mod jwt;
mod leg_writes;
mod legs;
mod owners;
mod refusal;
mod retry;
mod search;
mod session;
mod shape;
mod soql;
mod transport;
mod voice_calls;

use std::future::Future;
use std::time::SystemTime;

use serde_json::{Map, Value};
use tokio::time::Instant;

pub use api_usage::ApiUsage;
pub use cases::{CaseRecord, OpenCase};
pub use client::SalesforceClient;
pub use credentials::{CredentialSource, Flow, Login};
pub use describe::ObjectDescription;
/// Only the cores' tests build a refusal by hand; the function reads it through `is_refused_create`.
#[cfg(test)]
pub use error::CompositePart;
pub use error::{Refused, SalesforceError};
pub use fields::is_field_api_name;
pub use id::{CaseId, SalesforceId, VoiceCallId};
pub use jwt::{DEFAULT_AUDIENCE, SigningKey};
pub use leg_writes::{CallFields, CallType, LegWrite, TaskDraft, TaskSubtype, WriteOutcome};
#[cfg(test)]
pub use legs::LegVoiceCall;
pub use legs::{LegCase, LegFacts, LegQuery, LegTask};
pub use search::{Candidate, escape_search_term, search_query};
pub use shape::{OrgShape, REFUSED_DESCRIBE_PAUSE};
pub use voice_calls::{LinkOutcome, Linked, VOICE_CALL_PERMISSION, VoiceCallAccess};

/// Finding who a caller may be.
pub trait ContactSearch {
    /// Contacts, person accounts and business Accounts with any of `terms` (digit runs or phrases) in a
    /// phone field, with their phone fields. One request once the org's shape is known (two describes,
    /// once per container).
    fn search_callers(
        &self,
        terms: &[String],
        deadline: Instant,
    ) -> impl Future<Output = Result<Vec<Candidate>, SalesforceError>> + Send;

    /// Contacts whose `Email` is `email` (Salesforce compares without regard to letter case), with their
    /// `Email`. One request.
    fn contacts_with_email(
        &self,
        email: &str,
        deadline: Instant,
    ) -> impl Future<Output = Result<Vec<Candidate>, SalesforceError>> + Send;
}

/// Writing a batch of legs onto their cases: one read of everything the batch needs, then the writes
/// the core planned, in at most two requests (the creates, then the updates) whatever their number.
pub trait LegStore {
    /// The cases, Tasks, users, VoiceCalls and closed Task status the batch needs. One request.
    fn read_legs(
        &self,
        query: &LegQuery<'_>,
        deadline: Instant,
    ) -> impl Future<Output = Result<LegFacts, SalesforceError>> + Send;

    /// Carries out `writes` (case owners kept as written); each write's outcome, in order.
    fn write_legs(&self, writes: &[LegWrite], deadline: Instant) -> impl Future<Output = Vec<WriteOutcome>> + Send;
}

/// Who owns a case: the Salesforce user behind an agent, and moving a case to them.
pub trait CaseOwners {
    /// Active users whose `field` equals `value` (at most two: one is an answer, two are too many).
    /// One request.
    fn active_users_with(
        &self,
        field: &str,
        value: &str,
        deadline: Instant,
    ) -> impl Future<Output = Result<Vec<SalesforceId>, SalesforceError>> + Send;

    /// Makes `owner` the case's owner without re-running assignment rules; `false` when the case is gone.
    /// One request.
    fn set_case_owner(
        &self,
        case: &CaseId,
        owner: &SalesforceId,
        deadline: Instant,
    ) -> impl Future<Output = Result<bool, SalesforceError>> + Send;
}

/// Finding a call's case by the id the first leg wrote into its external id field: all the owner core
/// (and anything else that starts from a contact id) needs of Cases.
pub trait KeyedCases {
    /// The case whose external id `field` holds `key`, or `None`. One request.
    fn read_case_by_key(
        &self,
        field: &str,
        key: &str,
        deadline: Instant,
    ) -> impl Future<Output = Result<Option<CaseRecord>, SalesforceError>> + Send;
}

/// Reading and writing Cases: what a flow leg needs. Each call may carry the leg's VoiceCall (`link`), to
/// be linked to the case it reads or makes within the same request; without one it is the request it was.
pub trait CaseStore: KeyedCases {
    /// The case, or `None` when it does not exist or was deleted. One request.
    fn read_case(
        &self,
        id: &CaseId,
        link: Option<&VoiceCallId>,
        deadline: Instant,
    ) -> impl Future<Output = Result<Linked<Option<CaseRecord>>, SalesforceError>> + Send;

    /// The case whose external id `field` holds `key` (the call's case), or `None`. One request.
    fn read_keyed_case(
        &self,
        field: &str,
        key: &str,
        link: Option<&VoiceCallId>,
        deadline: Instant,
    ) -> impl Future<Output = Result<Linked<Option<CaseRecord>>, SalesforceError>> + Send;

    /// The person's open case (`IsClosed` false) last modified since `since`, the most recently modified
    /// one, with its `external_id_field` when given. One request.
    fn open_case_of(
        &self,
        contact: &SalesforceId,
        since: SystemTime,
        external_id_field: Option<&str>,
        link: Option<&VoiceCallId>,
        deadline: Instant,
    ) -> impl Future<Output = Result<Linked<Option<OpenCase>>, SalesforceError>> + Send;

    /// Creates a case and reads it back, in one request. With `key` (`(external id field, value)`) the
    /// value goes in the body, so the org refuses a second case for it with `DUPLICATE_VALUE`, and the
    /// request may be sent again after a connection reset.
    fn create_case(
        &self,
        fields: &Map<String, Value>,
        key: Option<(&str, &str)>,
        link: Option<&VoiceCallId>,
        deadline: Instant,
    ) -> impl Future<Output = Result<Linked<CaseRecord>, SalesforceError>> + Send;
}
