//! Amazon Connect's API as this function calls it: `UpdateContactAttributes`, which stores the case on the
//! contact so later legs carry it; `GetContactAttributes` and `DescribeUser`, which tell a contact event's
//! handler which case and which agent.

use std::collections::HashMap;
use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use aws_config::SdkConfig;
use aws_sdk_connect::config::retry::RetryConfig;
use aws_sdk_connect::error::{ProvideErrorMetadata, SdkError};

use super::ContactDirectory;

#[derive(Debug, Clone, thiserror::Error, PartialEq)]
#[error("{operation} failed: {failure}")]
pub struct ConnectError {
    pub operation: &'static str,
    pub failure: ConnectFailure,
}

/// How a Connect request failed: the error code Connect sent, or that no answer came. Never a message
/// (one could echo data).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConnectFailure {
    /// Connect answered with this error code (`AccessDeniedException`, `ThrottlingException`, …), kept to
    /// code characters.
    Code(String),
    /// Connect answered with an error that carried no code.
    NoCode,
    /// The request never reached Connect.
    CouldNotConnect,
    /// Connect did not answer in time.
    TimedOut,
}

impl fmt::Display for ConnectFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Code(code) => f.write_str(code),
            Self::NoCode => f.write_str("no error code"),
            Self::CouldNotConnect => f.write_str("could not connect"),
            Self::TimedOut => f.write_str("timed out"),
        }
    }
}

impl ConnectError {
    fn from_sdk<E: ProvideErrorMetadata>(operation: &'static str, error: &SdkError<E>) -> Self {
        let failure = match error {
            SdkError::DispatchFailure(_) => ConnectFailure::CouldNotConnect,
            SdkError::TimeoutError(_) => ConnectFailure::TimedOut,
            _ => error.code().map_or(ConnectFailure::NoCode, |code| {
                ConnectFailure::Code(code.chars().filter(char::is_ascii_alphanumeric).take(64).collect())
            }),
        };
        Self { operation, failure }
    }

    /// The error code Connect sent, if it answered with one.
    pub fn code(&self) -> Option<&str> {
        match &self.failure {
            ConnectFailure::Code(code) => Some(code),
            _ => None,
        }
    }

    /// The stable name a flow's logs and an operator see (Lambda's `errorType`).
    pub fn error_type(&self) -> &'static str {
        "ConnectRequestFailed"
    }

    /// Whether the same request may well succeed if sent again soon: throttling, Connect's own failures,
    /// and requests that never got an answer; not a refusal.
    pub fn is_retryable(&self) -> bool {
        match &self.failure {
            ConnectFailure::CouldNotConnect | ConnectFailure::TimedOut => true,
            ConnectFailure::Code(code) => {
                matches!(code.as_str(), "ThrottlingException" | "TooManyRequestsException" | "InternalServiceException")
            }
            ConnectFailure::NoCode => false,
        }
    }

    /// The one rule for "Connect refused access": the function's role lacks the permission.
    pub fn is_access_denied(&self) -> bool {
        self.code() == Some("AccessDeniedException")
    }

    fn is_not_found(&self) -> bool {
        self.code() == Some("ResourceNotFoundException")
    }
}

pub struct ConnectClient {
    client: aws_sdk_connect::Client,
    requests: AtomicU64,
}

impl ConnectClient {
    /// Sends nothing. Connect's throttling is retried once, quickly; the response budget bounds the rest.
    pub fn new(sdk: &SdkConfig) -> Self {
        let config = aws_sdk_connect::config::Builder::from(sdk)
            .retry_config(RetryConfig::standard().with_max_attempts(2).with_initial_backoff(Duration::from_millis(50)))
            .build();
        Self { client: aws_sdk_connect::Client::from_conf(config), requests: AtomicU64::new(0) }
    }

    /// Connect API calls made so far (each may be retried once by the SDK on throttling).
    pub fn requests_sent(&self) -> u64 {
        self.requests.load(Ordering::Relaxed)
    }

    /// Sets `attributes` on the call's first contact; Connect copies them to every later leg.
    pub async fn update_contact_attributes(
        &self,
        instance_id: &str,
        initial_contact_id: &str,
        attributes: &[(&str, &str)],
    ) -> Result<(), ConnectError> {
        let mut request =
            self.client.update_contact_attributes().instance_id(instance_id).initial_contact_id(initial_contact_id);
        for (name, value) in attributes {
            request = request.attributes(*name, *value);
        }
        self.requests.fetch_add(1, Ordering::Relaxed);
        // Boxed: the SDK's future is deep enough to overflow rustc's layout recursion limit once nested.
        Box::pin(request.send())
            .await
            .map(|_| ())
            .map_err(|error| ConnectError::from_sdk("UpdateContactAttributes", &error))
    }
}

impl ContactDirectory for ConnectClient {
    async fn contact_attributes(
        &self,
        instance_id: &str,
        initial_contact_id: &str,
    ) -> Result<HashMap<String, String>, ConnectError> {
        let request =
            self.client.get_contact_attributes().instance_id(instance_id).initial_contact_id(initial_contact_id);
        self.requests.fetch_add(1, Ordering::Relaxed);
        match Box::pin(request.send()).await {
            Ok(answer) => Ok(answer.attributes().cloned().unwrap_or_default()),
            Err(error) => match ConnectError::from_sdk("GetContactAttributes", &error) {
                error if error.is_not_found() => Ok(HashMap::new()),
                error => Err(error),
            },
        }
    }

    async fn username(&self, instance_id: &str, user_id: &str) -> Result<Option<String>, ConnectError> {
        let request = self.client.describe_user().instance_id(instance_id).user_id(user_id);
        self.requests.fetch_add(1, Ordering::Relaxed);
        match Box::pin(request.send()).await {
            Ok(answer) => Ok(answer.user().and_then(|user| user.username()).map(str::to_owned)),
            Err(error) => match ConnectError::from_sdk("DescribeUser", &error) {
                error if error.is_not_found() => Ok(None),
                error => Err(error),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn connect_failures_say_whether_to_retry_and_whether_access_was_refused() {
        let error = |failure: ConnectFailure| ConnectError { operation: "GetContactAttributes", failure };
        let code = |code: &str| error(ConnectFailure::Code(code.to_owned()));
        assert_eq!(code("AccessDeniedException").error_type(), "ConnectRequestFailed");
        assert!(code("AccessDeniedException").is_access_denied());
        assert!(!code("AccessDeniedException").is_retryable());
        for failure in [
            ConnectFailure::Code("ThrottlingException".into()),
            ConnectFailure::Code("InternalServiceException".into()),
            ConnectFailure::CouldNotConnect,
            ConnectFailure::TimedOut,
        ] {
            let error = error(failure);
            assert!(error.is_retryable(), "{error}");
            assert!(!error.is_access_denied(), "{error}");
        }
        assert!(!code("InvalidParameterException").is_retryable());
        // A code that spells a transport failure is still Connect's code, not one.
        assert!(!code("timed out").is_retryable());
        assert_eq!(error(ConnectFailure::TimedOut).to_string(), "GetContactAttributes failed: timed out");
    }
}
