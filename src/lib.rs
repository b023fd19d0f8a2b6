//! connect-case-handoff: one Salesforce Case for every leg of an Amazon Connect call.
//!
//! From the leaves up:
//! - `time`: moments and the calendar (Connect's timestamps, SOQL datetimes); `phone`: the caller's number
//!   (libphonenumber): search terms, checking stored numbers, masking for logs; `email`: the customer's
//!   address on an email contact; `metrics`: the per-invocation metrics line; `logging`: JSON logs;
//!   `https`: the container's one HTTPS client.
//! - `salesforce/`: Salesforce: the REST client, its session, credentials and retries, `/composite`
//!   requests, ids, and what its failures mean; the traits the decision cores need from the org.
//! - `connect/`: Amazon Connect: the flow event, the contact event, the contact records of its data
//!   stream, Connect's words for a contact, the answer, the Connect API client and what its failures mean;
//!   the trait the cores need from Connect.
//! - `config`: configuration, read once.
//! - `resolve/`: which case a leg gets; `call_case`: the case a call's first leg gave it, as later events
//!   read it; `owner`: which owner a case gets (the first agent who answers); `legs/`: every leg onto its
//!   case from the contact records (read, a pure plan, write, settle). Decision logic over the small
//!   traits, no I/O of its own.
//! - `handler/`: the Lambda handler: one container (`container`), a router from event kind to handler
//!   (`flow`, `contact`, `check`, `records`, one file each), and the invocation skeleton they share.

mod call_case;
mod config;
mod connect;
mod email;
mod handler;
mod https;
mod legs;
mod logging;
mod metrics;
mod owner;
mod phone;
mod resolve;
mod salesforce;
mod time;

pub use config::{Config, ConfigError};
pub use connect::{Answer, CaseAttribute, ContactRecord, EventBridgeEvent, FlowEvent, RecordBatch};
pub use handler::{Handoff, HandoffError, Response};
pub use https::Https;
pub use logging::{DEFAULT_LOG_FILTER, json_log_subscriber};
pub use phone::{CallerNumber, KnownNumber, load_metadata as load_phone_metadata};
pub use salesforce::{
    CaseId, OrgShape, REFUSED_DESCRIBE_PAUSE, SalesforceId, SigningKey, escape_search_term, search_query,
};
