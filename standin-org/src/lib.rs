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
//!   timestamps and datetime literals), `setup` (what the describes report), `phone_index` (the two
//!   readings of the phone index), `faults` (which fault comes next), `wire` (the shared formats: Salesforce and AWS error bodies, form and percent decoding), `ids`,
//!   `known` (the credentials, agents and external id field the org is set up with), `login_rate` (the
//!   logins of the last hour and the block too many start);
//! - `state`: the one lock over records, sessions, faults and what was asked (mini-redis's `db.rs`); every
//!   write to a case goes through its journal, so an all-or-none composite can undo it;
//! - `schema`: one entry per object (its fields, their types, when a client may write them), which
//!   queries, writes, the search and the describes all read;
//! - one file per operation family, each a function of the state: `oauth`, `cases`, `activities`, `search`,
//!   `query`, `describe`, `composite` (which runs subrequests through the function it is given), `connect`,
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
mod known;
mod login_rate;
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
pub use known::{
    CLIENT_ID, CLIENT_SECRET, EXTERNAL_ID_FIELD, FIRST_AGENT, FIRST_AGENT_USERNAME, JWT_USERNAME, SECOND_AGENT,
    SECOND_AGENT_USERNAME, SECRET_ARN,
};
pub use login_rate::LOGINS_PER_HOUR;
pub use org::StandinOrg;
pub use phone_index::{PersonRows, PhoneIndex};
pub use remote::{RemoteOrg, SERVE_FLAG, serve_if_asked};
pub use route::Route;
pub use setup::{REAL_ORG_PADDING, Setup, VoiceCallAccess};
pub use state::{CaseWrite, Contact, Recorded, User};
