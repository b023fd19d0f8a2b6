//! A stand-in Salesforce org, Amazon Connect endpoint and Secrets Manager endpoint, served over real HTTP on
//! loopback. It speaks the wire formats the function meets in production (OAuth token endpoint, SOSL
//! `/search` with phone fields indexed digit by digit or as tokens, `/parameterizedSearch`, SOQL `/query`,
//! `/sobjects/Case`, upsert by external id, `/composite`, REST error arrays, Connect's `POST /contact/attributes`, Secrets Manager's `GetSecretValue`), counts every request,
//! and injects faults on demand: expired sessions, 503s, throttling, delays, hangs and resets.
//!
//! Laid out as tokio's mini-redis: `server` parses each request once into a `request::Request` and applies
//! it to `state` (the one lock); each surface serves its operations in a file of its own (`oauth`, `rest`
//! with `cases`, `composite`, `search` and `query`, `connect`, `secrets`, `control`); `faults` misbehaves on purpose;
//! `wire` holds the shared formats. [`StandinOrg`] is what tests hold; [`RemoteOrg`] runs one in a child
//! process.

mod cases;
mod composite;
mod connect;
mod control;
mod describe;
mod faults;
mod ids;
mod oauth;
mod org;
mod query;
mod remote;
mod request;
mod rest;
mod search;
mod secrets;
mod server;
mod state;
mod wire;

pub use describe::Setup;
pub use faults::{Chaos, Fault};
pub use ids::salesforce_id;
pub use org::StandinOrg;
pub use remote::{RemoteOrg, SERVE_FLAG, serve_if_asked};
pub use request::Route;
pub use search::PhoneIndex;
pub use state::{CaseWrite, Contact, Recorded, User};

/// Client credentials the stand-in org accepts unless told otherwise.
pub const CLIENT_ID: &str = "standin-client-id";
pub const CLIENT_SECRET: &str = "standin-client-secret";
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
