//! connect-case-handoff: one Salesforce Case for every leg of an Amazon Connect call.
//!
//! [`handler::Handoff`] answers Connect's invocations; [`resolve`] decides which case a leg gets;
//! the other modules each hide one outside system or one kind of value.

pub mod config;
pub mod connect;
pub mod event;
pub mod handler;
pub mod metrics;
pub mod phone;
pub mod resolve;
pub mod salesforce;
pub mod salesforce_id;
pub mod secrets;

pub use handler::{Handoff, HandoffError};

use tracing_subscriber::EnvFilter;
use tracing_subscriber::fmt::MakeWriter;

/// Log filter unless `RUST_LOG` says otherwise: our own lines, and only warnings from the libraries
/// (whose debug output can hold request bodies).
pub const DEFAULT_LOG_FILTER: &str = "info,aws_config=warn,aws_smithy_runtime=warn,hyper=warn,reqwest=warn";

/// JSON log lines, one object each, with the invocation's span fields (the contact id) flattened in.
pub fn json_log_subscriber<W>(writer: W, filter: &str) -> impl tracing::Subscriber + Send + Sync
where
    W: for<'w> MakeWriter<'w> + Send + Sync + 'static,
{
    tracing_subscriber::fmt()
        .json()
        .flatten_event(true)
        .with_current_span(true)
        .with_span_list(false)
        .with_target(false)
        .without_time()
        .with_env_filter(EnvFilter::try_new(filter).unwrap_or_else(|_| EnvFilter::new("info")))
        .with_writer(writer)
        .finish()
}
