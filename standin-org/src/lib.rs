//! A stand-in Salesforce org, Amazon Connect endpoint and Secrets Manager endpoint, served over real HTTP on
//! loopback. It speaks the wire formats the function meets in production (the OAuth token endpoint, SOSL
//! `/search` with phone fields indexed digit by digit or as tokens, `/parameterizedSearch`, SOQL `/query`,
//! `/sobjects/Case` and its describes, upsert by external id, `/composite`, Tasks, Task statuses and
//! VoiceCalls written through sObject Collections, REST error arrays, Connect's
//! contact attributes and `DescribeUser`, Secrets Manager's `GetSecretValue`), counts every request, and
//! injects faults on demand: expired sessions, 503s, throttling, delays, hangs and resets.
//!
//! Laid out as tokio's mini-redis, from the leaves up:
//! - leaves, knowing nothing of requests or handlers: `route` (a name per operation), `clock` (record
//!   timestamps and datetime literals), `setup` (what the
//!   describes report), `phone_index` (the two readings of the phone index), `faults` (which fault comes
//!   next), `wire` (the shared formats: Salesforce and AWS error bodies, form and percent decoding), `ids`;
//! - `state`: the one lock over records, sessions, faults and what was asked (mini-redis's `db.rs`); every
//!   write to a case goes through its journal, so an all-or-none composite can undo it;
//! - one file per operation family, each a function of the state: `oauth`, `cases`, `activities`, `search`, `query`,
//!   `describe`, `composite` (which runs subrequests through the function it is given), `connect`,
//!   `secrets`, `control`;
//! - `rest` parses a REST call once into a `RestOp` (the same for a direct call and a composite
//!   subrequest), `request` parses every request once into a `Request`, `server` counts it, plays its fault
//!   and applies it;
//! - [`StandinOrg`] (`org`) is what tests hold; [`RemoteOrg`] (`remote`) runs one in a child process.

mod activities;
mod cases;
mod clock;
mod composite;
mod connect;
mod control;
mod describe;
mod faults;
mod ids;
mod oauth;
mod org;
mod phone_index;
mod query;
mod remote;
mod request;
mod rest;
mod route;
mod schema;
mod search;
mod secrets;
mod server;
mod setup;
mod state;
mod wire;

pub use faults::{Chaos, Fault};
pub use ids::salesforce_id;
pub use org::StandinOrg;
pub use phone_index::{PersonRows, PhoneIndex};
pub use remote::{RemoteOrg, SERVE_FLAG, serve_if_asked};
pub use route::Route;
pub use setup::{REAL_ORG_PADDING, Setup};
pub use state::{CaseWrite, Contact, Recorded, User};

/// Client credentials the stand-in org accepts unless told otherwise.
pub const CLIENT_ID: &str = "standin-client-id";
pub const CLIENT_SECRET: &str = "standin-client-secret";
/// The run-as user a JWT bearer login names, pre-authorized by [`StandinOrg::trust_jwt_key`].
pub const JWT_USERNAME: &str = "integration@standin.example.com";
/// A Secrets Manager secret holding [`CLIENT_ID`] and [`CLIENT_SECRET`].
pub const SECRET_ARN: &str =
    "arn:aws:secretsmanager:us-east-1:123456789012:secret:connect-case-handoff/salesforce-AbCdEf";
/// The demo's Connect agents (user ids, the last segment of their ARNs) and their usernames, which are
/// also their Salesforce users' emails.
pub const FIRST_AGENT: &str = "0b2ae5b7-3f2c-4a9e-9d1e-7c6b5a4f3e2d";
pub const FIRST_AGENT_USERNAME: &str = "alex.agent@example.com";
pub const SECOND_AGENT: &str = "1c3bf6c8-4a3d-4b0f-8e2f-8d7c6b5a4f3e";
pub const SECOND_AGENT_USERNAME: &str = "sam.agent@example.com";
/// The Case External ID field the stand-in org has.
pub const EXTERNAL_ID_FIELD: &str = "Connect_Contact_Id__c";
