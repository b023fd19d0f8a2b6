//! Log lines: one JSON object each, with the invocation's span fields (the contact id) flattened in.

use tracing::Metadata;
use tracing_subscriber::EnvFilter;
use tracing_subscriber::filter::filter_fn;
use tracing_subscriber::fmt::MakeWriter;
use tracing_subscriber::prelude::*;

/// Log filter unless `RUST_LOG` says otherwise: our own lines, and only warnings from the libraries
/// (whose debug output can hold request bodies).
pub const DEFAULT_LOG_FILTER: &str = "info,aws_config=warn,aws_smithy_runtime=warn,hyper=warn,reqwest=warn";

/// JSON log lines written to `writer`, filtered by `filter` (`RUST_LOG` syntax).
pub fn json_log_subscriber<W>(writer: W, filter: &str) -> impl tracing::Subscriber + Send + Sync
where
    W: for<'w> MakeWriter<'w> + Send + Sync + 'static,
{
    let lines = tracing_subscriber::fmt::layer()
        .json()
        .flatten_event(true)
        .with_current_span(true)
        .with_span_list(false)
        .with_target(false)
        .without_time()
        .with_writer(writer);
    let filter = EnvFilter::try_new(filter).unwrap_or_else(|_| EnvFilter::new("info"));
    tracing_subscriber::registry().with(lines.with_filter(filter).with_filter(filter_fn(not_a_second_failure_line)))
}

/// `lambda_runtime` logs every error a handler returns once more, as its bare Debug form (no error type,
/// no contact id). The handler has logged the failure already, so that line is dropped; the runtime's
/// line for a panic (which carries an `error` field) is kept.
fn not_a_second_failure_line(metadata: &Metadata<'_>) -> bool {
    !(metadata.target() == "lambda_runtime::layers::panic"
        && metadata.is_event()
        && metadata.fields().field("error").is_none())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::{Arc, Mutex};

    #[derive(Clone, Default)]
    struct Buffer(Arc<Mutex<Vec<u8>>>);

    impl std::io::Write for Buffer {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap_or_else(|p| p.into_inner()).extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn the_runtime_s_copy_of_a_handler_error_is_dropped_but_a_panic_is_kept() {
        let buffer = Buffer::default();
        let writer = buffer.clone();
        let subscriber = json_log_subscriber(move || writer.clone(), DEFAULT_LOG_FILTER);
        tracing::subscriber::with_default(subscriber, || {
            // The two lines lambda_runtime 1.x writes from `layers::panic`, as it writes them.
            let error = "Salesforce(Unavailable(\"HTTP 503\"))";
            tracing::error!(target: "lambda_runtime::layers::panic", "{error:?}");
            tracing::error!(target: "lambda_runtime::layers::panic", ?error, "user handler panicked");
            tracing::error!(error_type = "SalesforceUnavailable", "failed");
        });
        let text = String::from_utf8_lossy(&buffer.0.lock().unwrap_or_else(|p| p.into_inner())).into_owned();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 2, "{text}");
        assert!(lines[0].contains("user handler panicked"), "{text}");
        assert!(lines[1].contains("SalesforceUnavailable"), "{text}");
    }
}
