//! Why a login failed, and what to fix: chosen by where it failed, the OAuth `error` code and what the
//! token endpoint's `error_description` says (read into a [`Refusal`], never searched for text later).

use super::codes::printable;

/// Why there is no session: what happened (no secret, no token in it) and, when the token endpoint
/// refused, its OAuth `error` code and what its `error_description` said, read into a [`Refusal`].
#[derive(Debug, Clone, PartialEq)]
pub struct AuthFailure {
    pub stage: AuthStage,
    /// The token endpoint's OAuth `error` (`invalid_client`, `invalid_grant`, …), reduced to code
    /// characters; `None` when it gave none or was not asked.
    pub oauth_error: Option<String>,
    /// What the refusal's description says (its text is not kept: only what it means).
    pub refusal: Option<Refusal>,
    /// Whether the login was the JWT bearer flow's.
    pub jwt: bool,
    what: String,
}

/// What a token endpoint's `error_description` says, as far as it tells what to fix.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// "user hasn't approved this consumer", "user is not admin approved to access this app".
    NotApproved,
    /// "audience is invalid".
    Audience,
    /// "invalid assertion": the signature does not match the app's certificate.
    Assertion,
    /// "expired authorization code", "expired …": the assertion's `exp` (or the clock).
    Expired,
    /// "no client credentials user enabled": the client credentials flow has no run-as user.
    NoRunAsUser,
    /// Any other description naming the user ("user does not exist", "invalid user").
    User,
    /// "login rate exceeded": more than 3,600 logins in an hour, and Salesforce blocks the user for up to an
    /// hour (its Login History says "Login Rate Exceeded").
    RateExceeded,
}

impl Refusal {
    /// Reads a description Salesforce gave; `None` for one that says nothing this function knows.
    pub(super) fn read(description: &str) -> Option<Self> {
        let text = description.to_ascii_lowercase();
        let has = |words: &str| text.contains(words);
        Some(if has("rate exceeded") {
            Self::RateExceeded
        } else if has("approved") || has("app access") {
            Self::NotApproved
        } else if has("audience") {
            Self::Audience
        } else if has("assertion") || has("signature") || has("certificate") {
            Self::Assertion
        } else if has("expired") {
            Self::Expired
        } else if has("client credentials user") {
            Self::NoRunAsUser
        } else if has("user") {
            Self::User
        } else {
            return None;
        })
    }

    /// What the description said, in Salesforce's words.
    pub fn phrase(self) -> &'static str {
        match self {
            Self::NotApproved => "user hasn't approved this consumer",
            Self::Audience => "audience is invalid",
            Self::Assertion => "invalid assertion",
            Self::Expired => "expired authorization code",
            Self::NoRunAsUser => "no client credentials user enabled",
            Self::User => "invalid user",
            Self::RateExceeded => "login rate exceeded",
        }
    }
}

/// Where the login failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuthStage {
    /// The credentials could not be read (the Secrets Manager secret).
    Credentials,
    /// The token endpoint refused them.
    TokenEndpoint,
    /// A new session was refused at once as invalid.
    Session,
}

impl AuthFailure {
    pub(super) fn new(stage: AuthStage, oauth_error: Option<&str>, what: impl Into<String>) -> Self {
        Self { stage, oauth_error: oauth_error.map(printable), refusal: None, jwt: false, what: what.into() }
    }

    /// A token endpoint's refusal of a login: its code, what its description means, and which flow.
    pub(super) fn refused(
        oauth_error: Option<&str>,
        refusal: Option<Refusal>,
        jwt: bool,
        what: impl Into<String>,
    ) -> Self {
        Self { refusal, ..Self::new(AuthStage::TokenEndpoint, oauth_error, what).in_flow(jwt) }
    }

    /// The same failure, of the JWT bearer flow's login when `jwt`: what to fix depends on the flow.
    pub(super) fn in_flow(self, jwt: bool) -> Self {
        Self { jwt, ..self }
    }

    /// The same failure, said again with more (`; not asking again for 12 s`).
    pub(super) fn with_note(&self, note: &str) -> Self {
        Self { what: format!("{}{note}", self.what), ..self.clone() }
    }
}

impl AuthFailure {
    /// What an operator should fix: by where the login failed, the OAuth code and what the description
    /// said, never by searching the text.
    pub fn what_to_fix(&self) -> &'static str {
        match (self.stage, self.oauth_error.as_deref(), self.refusal, self.jwt) {
            (AuthStage::Credentials, _, _, false) => {
                "check SALESFORCE_SECRET_ARN, that the secret is JSON with client_id and client_secret, and \
                 that the function's role may call secretsmanager:GetSecretValue on it"
            }
            (AuthStage::Credentials, _, _, true) => {
                "check SALESFORCE_SECRET_ARN, that the secret is JSON with client_id, username and private_key, \
                 and that the function's role may call secretsmanager:GetSecretValue on it"
            }
            (_, _, Some(Refusal::RateExceeded), _) => {
                "Salesforce blocks a user for up to an hour after 3,600 logins in an hour: find in the run-as \
                 user's Login History what else logs in as it, and give this function an integration user of \
                 its own; the block lifts by itself"
            }
            (_, _, Some(Refusal::NotApproved), _) => {
                "pre-authorize the External Client App for the run-as user: in its policies choose \
                 \"Admin approved users are pre-authorized\" and add the user's profile or a permission set \
                 assigned to the user"
            }
            (_, _, Some(Refusal::Audience), _) => {
                "set SALESFORCE_AUDIENCE to https://login.salesforce.com for production or a Developer \
                 Edition org, https://test.salesforce.com for a sandbox"
            }
            (_, _, Some(Refusal::Assertion), _) => {
                "upload to the External Client App the certificate made from SALESFORCE_PRIVATE_KEY (the \
                 certificate it has does not match the key), and check SALESFORCE_CLIENT_ID"
            }
            (_, _, Some(Refusal::Expired), _) => {
                "the assertion arrived expired: check the clock where the function runs (it signs for 150 s)"
            }
            (_, _, Some(Refusal::User), true) => {
                "check SALESFORCE_USERNAME (the run-as user's Salesforce username, for example \
                 integration@example.com) and that the user is active"
            }
            (_, Some("invalid_client" | "invalid_client_id"), _, true) => {
                "check SALESFORCE_CLIENT_ID (the External Client App's consumer key)"
            }
            (_, Some("invalid_client" | "invalid_client_id"), _, false) => {
                "check SALESFORCE_CLIENT_ID and SALESFORCE_CLIENT_SECRET (or the secret's client_id and client_secret)"
            }
            (_, Some("invalid_grant" | "unsupported_grant_type"), _, true) => {
                "enable the JWT bearer flow on the External Client App, upload the certificate of \
                 SALESFORCE_PRIVATE_KEY, and pre-authorize the run-as user"
            }
            (_, Some("invalid_grant" | "unsupported_grant_type"), _, false) => {
                "enable the client credentials flow on the External Client App and set its run-as user"
            }
            _ => "check the External Client App and the credentials",
        }
    }
}

/// What happened, then what to fix: every failing invocation says both, as the setup check does.
impl std::fmt::Display for AuthFailure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}. To fix: {}", self.what, self.what_to_fix())
    }
}
