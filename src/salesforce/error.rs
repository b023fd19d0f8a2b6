//! What can go wrong talking to Salesforce, and what each failure means to the rest of the function: the
//! stable error type an operator sees, whether trying again soon can help, what to fix after a refused
//! login (chosen by the OAuth `error` code, never by reading text), and the one rule for "that record is
//! gone". The org's own error bodies are read without letting anything it echoes (field values such as
//! phone numbers) out.

use reqwest::StatusCode;
use serde_json::Value;

pub use super::auth_failure::AuthFailure;
use super::codes::{error_codes, has_code, printable, shown_codes};

#[derive(Debug, thiserror::Error, Clone, PartialEq)]
pub enum SalesforceError {
    /// The org would not give us a session: bad or missing credentials.
    #[error("Salesforce authentication failed: {0}")]
    Authentication(AuthFailure),
    /// The org did not answer usefully (5xx, connection failures) and retrying ran out of time.
    #[error("Salesforce is unavailable: {0}")]
    Unavailable(String),
    /// The org answered with a client error; holds status and error codes, never Salesforce's message text
    /// (which can echo field values such as phone numbers), and which part of a composite request failed.
    #[error(
        "Salesforce rejected {}: HTTP {status} {}",
        part.map_or("the request", CompositePart::name),
        shown_codes(codes)
    )]
    Rejected { status: u16, codes: Vec<String>, part: Option<CompositePart> },
    /// The answer was not what the REST API documents.
    #[error("Salesforce answered unexpectedly: {0}")]
    Protocol(String),
    /// The credentials as configured cannot be used (a private key that is not one); names where it is.
    #[error("invalid configuration: {0}")]
    Configuration(String),
}

/// The parts of the `/composite` requests this function sends: each request's `referenceId`, and which
/// one the org refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CompositePart {
    /// A first leg's: create the case, read it back.
    CaseCreate,
    CaseReadBack,
    /// A leg's read of the case it names, of the call's case by external id, or of a repeat caller's open
    /// case, when a VoiceCall link rides with it.
    CaseRead,
    KeyedCase,
    OpenCase,
    /// A Salesforce Voice leg's VoiceCall, linked to the case the leg answers.
    VoiceCallLink,
    /// A batch of contact records' reads.
    Cases,
    KeyedCases,
    Tasks,
    VoiceCalls,
    Users,
    TaskStatuses,
}

impl CompositePart {
    /// How an error message names it.
    pub fn name(self) -> &'static str {
        match self {
            Self::CaseCreate => "case create",
            Self::CaseReadBack => "read back of the new case",
            Self::CaseRead => "read of the case",
            Self::KeyedCase => "read of the call's case by external id",
            Self::OpenCase => "query of the caller's open case",
            Self::VoiceCallLink => "link of the VoiceCall to the case",
            Self::Cases => "query of the legs' cases",
            Self::KeyedCases => "query of the legs' cases by external id",
            Self::Tasks => "query of the legs' Tasks",
            Self::VoiceCalls => "query of the legs' VoiceCalls",
            Self::Users => "query of the agents' users",
            Self::TaskStatuses => "query of the closed Task statuses",
        }
    }

    /// A reference to `path` in this part's answer, for a later part (`@{writeCase.id}`,
    /// `@{openCase.records[0].Id}`).
    pub(super) fn reference(self, path: &str) -> String {
        format!("@{{{}.{path}}}", self.reference_id())
    }

    /// Its `referenceId` in the request (letters only, as `@{reference.id}` needs).
    pub(super) fn reference_id(self) -> &'static str {
        match self {
            Self::CaseCreate => "writeCase",
            Self::CaseReadBack => "readCase",
            Self::CaseRead => "case",
            Self::KeyedCase => "keyedCase",
            Self::OpenCase => "openCase",
            Self::VoiceCallLink => "linkCall",
            Self::Cases => "cases",
            Self::KeyedCases => "keyed",
            Self::Tasks => "tasks",
            Self::VoiceCalls => "calls",
            Self::Users => "users",
            Self::TaskStatuses => "statuses",
        }
    }
}

/// One record Salesforce refused to write (a part of a collection request), as data: its error codes,
/// never its message (which can echo the values written).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refused {
    pub codes: Vec<String>,
}

impl Refused {
    pub(super) fn new(codes: impl IntoIterator<Item = impl AsRef<str>>) -> Self {
        Self { codes: codes.into_iter().map(|code| printable(code.as_ref())).collect() }
    }

    /// Whether writing the record again later may well succeed: another write held its row, or the org
    /// was over a limit.
    pub fn is_transient(&self) -> bool {
        self.codes.iter().any(|code| TRANSIENT_CODES.contains(&code.as_str()))
    }
}

impl std::fmt::Display for Refused {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&shown_codes(&self.codes))
    }
}

/// Codes with which the org says "not now": the same write may pass later.
const TRANSIENT_CODES: [&str; 2] = ["UNABLE_TO_LOCK_ROW", "REQUEST_LIMIT_EXCEEDED"];
/// The code of a query, write or describe naming an object the org does not have.
const UNKNOWN_OBJECT_CODE: &str = "INVALID_TYPE";

impl SalesforceError {
    /// The same refusal, named as the `part` of a composite request that failed.
    pub(super) fn in_part(self, part: CompositePart) -> Self {
        match self {
            Self::Rejected { status, codes, .. } => Self::Rejected { status, codes, part: Some(part) },
            other => other,
        }
    }

    /// Whether the org refused the case's create itself (its fields), not something around it.
    pub fn is_refused_create(&self) -> bool {
        matches!(self, Self::Rejected { status: 400, part: Some(CompositePart::CaseCreate), .. })
    }

    /// The stable name a flow's logs and an operator see (Lambda's `errorType`).
    pub fn error_type(&self) -> &'static str {
        match self {
            Self::Authentication(_) => "SalesforceAuthenticationFailed",
            Self::Unavailable(_) => "SalesforceUnavailable",
            Self::Rejected { .. } => "SalesforceRequestRejected",
            Self::Protocol(_) => "SalesforceProtocolError",
            Self::Configuration(_) => "ConfigurationError",
        }
    }

    /// Whether the same request may well succeed if sent again soon (a flow's re-invoke): an outage, an
    /// org over its request limit, a row another write held; not a refusal or an answer we cannot read.
    pub fn is_retryable(&self) -> bool {
        match self {
            Self::Unavailable(_) => true,
            Self::Rejected { codes, .. } => Refused { codes: codes.clone() }.is_transient(),
            Self::Authentication(_) | Self::Protocol(_) | Self::Configuration(_) => false,
        }
    }

    /// Whether the same work may pass if it comes again later (a stream's record delivered again): what
    /// [`is_retryable`](Self::is_retryable) says, and a login that fails now, which a fixed secret or the
    /// end of a refusal's pause can mend before the stream's retries run out.
    pub fn may_pass_later(&self) -> bool {
        self.is_retryable() || matches!(self, Self::Authentication(_))
    }

    /// Whether the org has no such object: a describe answered `404 NOT_FOUND`, or a query or write
    /// `INVALID_TYPE` (a `VoiceCall` outside a Salesforce Voice org, say).
    pub fn is_unknown_object(&self) -> bool {
        match self {
            Self::Rejected { status: 404, codes, .. } => codes.iter().any(|c| c == "NOT_FOUND"),
            Self::Rejected { status: 400, codes, .. } => codes.iter().any(|c| c == UNKNOWN_OBJECT_CODE),
            _ => false,
        }
    }

    /// Whether the org refused a record because a unique field's value is taken (`DUPLICATE_VALUE`): with
    /// the call's external id, the call's case exists already.
    pub fn is_taken_key(&self) -> bool {
        self.has_code("DUPLICATE_VALUE")
    }

    /// Whether the org refused the request with `code` among its error codes.
    pub(super) fn has_code(&self, code: &str) -> bool {
        matches!(self, Self::Rejected { codes, .. } if codes.iter().any(|c| c == code))
    }

    /// What an operator should fix: for a login, by where it failed, the OAuth code and what the
    /// description said (never by searching the text); for the other failures the setup check reports,
    /// where to look.
    pub fn what_to_fix(&self) -> &'static str {
        match self {
            Self::Authentication(failure) => failure.what_to_fix(),
            Self::Unavailable(_) => {
                "check SALESFORCE_URL (the org's My Domain URL) and the function's network route to it"
            }
            Self::Configuration(_) => "fix the variable or secret value named",
            Self::Rejected { .. } | Self::Protocol(_) => "check the External Client App and the credentials",
        }
    }

    /// The error with what to fix, said once: an authentication error's message already says it.
    pub fn with_advice(&self) -> String {
        match self {
            Self::Authentication(_) => self.to_string(),
            other => format!("{other}. To fix: {}", other.what_to_fix()),
        }
    }
}

/// Codes with which the org says an id names no live record: deleted, never there, or not of that object.
const GONE_CODES: [&str; 4] = ["NOT_FOUND", "ENTITY_IS_DELETED", "MALFORMED_ID", "INVALID_ID_FIELD"];

/// The one rule for "that record is gone", for reads and writes by id alike: `404`, or `400` with a code
/// saying the id names no live record.
pub(super) fn record_is_gone(status: StatusCode, body: &Value) -> bool {
    status == StatusCode::NOT_FOUND || (status == StatusCode::BAD_REQUEST && has_code(body, &GONE_CODES))
}

/// A status the caller did not expect: the org's fault (5xx) or a refusal (4xx).
pub(super) fn unexpected(status: StatusCode, body: &Value) -> SalesforceError {
    let codes = error_codes(body);
    if status.is_server_error() {
        SalesforceError::Unavailable(format!("HTTP {} {}", status.as_u16(), shown_codes(&codes)))
    } else {
        SalesforceError::Rejected { status: status.as_u16(), codes, part: None }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::salesforce::auth_failure::{AuthStage, Refusal};
    use serde_json::json;

    #[test]
    fn a_refusal_without_codes_says_so() {
        let none = unexpected(StatusCode::BAD_REQUEST, &json!({"unexpected": true}));
        assert_eq!(none.to_string(), "Salesforce rejected the request: HTTP 400 (no error code)");
    }

    #[test]
    fn server_errors_are_unavailability_and_client_errors_refusals() {
        let body = json!([{"message": "m", "errorCode": "UNKNOWN_EXCEPTION"}]);
        assert_eq!(
            unexpected(StatusCode::INTERNAL_SERVER_ERROR, &body),
            SalesforceError::Unavailable("HTTP 500 UNKNOWN_EXCEPTION".into())
        );
        assert_eq!(
            unexpected(StatusCode::FORBIDDEN, &body),
            SalesforceError::Rejected { status: 403, codes: vec!["UNKNOWN_EXCEPTION".into()], part: None }
        );
    }

    #[test]
    fn a_refusal_says_whether_it_may_pass_later_and_whether_its_object_exists() {
        assert!(Refused::new(["UNABLE_TO_LOCK_ROW"]).is_transient());
        assert!(Refused::new(["FIELD_CUSTOM_VALIDATION_EXCEPTION", "REQUEST_LIMIT_EXCEEDED"]).is_transient());
        assert!(!Refused::new(["INVALID_CROSS_REFERENCE_KEY"]).is_transient());
        assert_eq!(Refused::new(["BAD\"}CODE"]).to_string(), "BADCODE");
        assert_eq!(Refused::new(Vec::<String>::new()).to_string(), "(no error code)");
        let rejected =
            |status: u16, code: &str| SalesforceError::Rejected { status, codes: vec![code.into()], part: None };
        // A describe of an object the org lacks, and a query of one: the batch and the setup check agree.
        assert!(rejected(404, "NOT_FOUND").is_unknown_object());
        assert!(rejected(400, "INVALID_TYPE").is_unknown_object());
        assert!(!rejected(400, "INVALID_FIELD").is_unknown_object());
        assert!(!rejected(403, "INSUFFICIENT_ACCESS").is_unknown_object());
        assert!(
            rejected(400, "UNABLE_TO_LOCK_ROW").is_retryable() && rejected(400, "UNABLE_TO_LOCK_ROW").may_pass_later()
        );
        assert!(rejected(400, "DUPLICATE_VALUE").is_taken_key());
    }

    #[test]
    fn one_rule_says_a_record_is_gone() {
        let body = |code: &str| json!([{"message": "m", "errorCode": code}]);
        assert!(record_is_gone(StatusCode::NOT_FOUND, &body("NOT_FOUND")));
        assert!(record_is_gone(StatusCode::NOT_FOUND, &body("ENTITY_IS_DELETED")));
        for code in ["MALFORMED_ID", "INVALID_ID_FIELD", "ENTITY_IS_DELETED", "NOT_FOUND"] {
            assert!(record_is_gone(StatusCode::BAD_REQUEST, &body(code)), "{code}");
        }
        assert!(!record_is_gone(StatusCode::BAD_REQUEST, &body("INVALID_CROSS_REFERENCE_KEY")));
        assert!(!record_is_gone(StatusCode::FORBIDDEN, &body("INSUFFICIENT_ACCESS")));
    }

    #[test]
    fn each_failure_says_its_type_whether_to_retry_and_what_to_fix() {
        let refused = |code: Option<&str>| {
            SalesforceError::Authentication(AuthFailure::new(AuthStage::TokenEndpoint, code, "refused"))
        };
        assert_eq!(refused(None).error_type(), "SalesforceAuthenticationFailed");
        assert!(!refused(None).is_retryable());
        assert!(refused(Some("invalid_client")).what_to_fix().contains("SALESFORCE_CLIENT_SECRET"));
        assert!(refused(Some("invalid_grant")).what_to_fix().contains("client credentials flow"));
        // By the code alone: a description that mentions another code changes nothing.
        let misleading = AuthFailure::new(AuthStage::TokenEndpoint, Some("invalid_grant"), "invalid_client_id?");
        assert!(SalesforceError::Authentication(misleading).what_to_fix().contains("client credentials flow"));
        let secret = SalesforceError::Authentication(AuthFailure::new(AuthStage::Credentials, None, "no secret"));
        let jwt = |description: &str| {
            SalesforceError::Authentication(AuthFailure::refused(
                Some("invalid_grant"),
                Refusal::read(description),
                true,
                "",
            ))
        };
        assert!(jwt("user hasn't approved this consumer").what_to_fix().contains("pre-authorize"));
        assert!(jwt("audience is invalid").what_to_fix().contains("SALESFORCE_AUDIENCE"));
        assert!(jwt("invalid assertion").what_to_fix().contains("certificate"));
        assert!(jwt("expired authorization code").what_to_fix().contains("clock"));
        assert!(jwt("user does not exist").what_to_fix().contains("SALESFORCE_USERNAME"));
        assert!(jwt("something new").what_to_fix().contains("JWT bearer flow"));
        assert!(jwt("login rate exceeded").what_to_fix().contains("3,600 logins in an hour"));
        assert!(secret.what_to_fix().contains("SALESFORCE_SECRET_ARN"));
        let down = SalesforceError::Unavailable("HTTP 503".into());
        assert_eq!((down.error_type(), down.is_retryable()), ("SalesforceUnavailable", true));
        assert!(down.what_to_fix().contains("SALESFORCE_URL"));
        let limit = SalesforceError::Rejected { status: 403, codes: vec!["REQUEST_LIMIT_EXCEEDED".into()], part: None };
        assert!(limit.is_retryable());
        let refusal = SalesforceError::Rejected { status: 400, codes: vec!["INVALID_FIELD".into()], part: None };
        assert_eq!((refusal.error_type(), refusal.is_retryable()), ("SalesforceRequestRejected", false));
        assert!(!refusal.may_pass_later());
        assert!(refused(None).may_pass_later() && !refused(None).is_retryable(), "a stream waits out a login");
        assert_eq!(
            AuthFailure::new(AuthStage::TokenEndpoint, Some("bad\"}code"), "").oauth_error.as_deref(),
            Some("badcode")
        );
    }
}
