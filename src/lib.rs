//! connect-case-handoff: one Salesforce Case for every leg of an Amazon Connect call.
//!
//! - `handler`: the Lambda handler; routes each event by kind (`handler/flow.rs`: a flow's Invoke block).
//! - `resolve`: which case a leg gets; the decision logic over small traits, no I/O of its own.
//! - `owner`: which owner a case gets (the first agent who answers), over small traits, with its caches.
//! - `connect/`: Amazon Connect: the flow event, the answer, the Connect API client.
//! - `salesforce/`: Salesforce: the REST client, its session, credentials and retries, ids, errors.
//! - `phone`: the caller's number (libphonenumber): search terms, checking stored numbers, masking for logs.
//! - `email`: the customer's address on an email contact: validation, comparison, masking.
//! - `config`: configuration, read once; `metrics`: the per-invocation metrics line; `logging`: JSON logs.

mod config;
mod connect;
mod email;
mod handler;
mod logging;
mod metrics;
mod owner;
mod phone;
mod resolve;
mod salesforce;

pub use config::{Config, ConfigError};
pub use connect::{Answer, CaseAttribute, FlowEvent};
pub use handler::{Handoff, HandoffError, Response};
pub use logging::{DEFAULT_LOG_FILTER, json_log_subscriber};
pub use phone::{CallerNumber, KnownNumber, load_metadata as load_phone_metadata};
pub use salesforce::{CaseId, SalesforceId, escape_search_term, search_query};
