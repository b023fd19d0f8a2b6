//! The container's one Salesforce session: held for every invocation, renewed when the org says it
//! expired, and asked for at the token endpoint at most once at a time, not while a refusal's pause lasts
//! (`refusal`), and with the credentials read again after a refusal.

use std::time::SystemTime;

use serde::Deserialize;
use tokio::sync::Mutex;
use tokio::time::Instant;

use super::auth_failure::{AuthFailure, Refusal};
use super::codes::printable;
use super::credentials::{Credentials, Login};
use super::jwt;
use super::refusal::Refusals;
use super::transport::Transport;
use super::{SalesforceError, SalesforceId};

/// A session the token endpoint gave.
#[derive(Clone)]
pub(super) struct Session {
    pub(super) access_token: String,
    pub(super) instance_url: String,
    /// The run-as user: the last segment of the token answer's identity URL (`…/id/<org>/<user>`).
    pub(super) user: Option<SalesforceId>,
}

#[derive(Deserialize)]
struct TokenAnswer {
    access_token: String,
    instance_url: String,
    #[serde(default)]
    id: Option<String>,
}

#[derive(Deserialize)]
struct OAuthError {
    error: String,
    #[serde(default)]
    error_description: Option<String>,
}

/// The JWT bearer flow's `grant_type`.
const JWT_BEARER_GRANT: &str = "urn:ietf:params:oauth:grant-type:jwt-bearer";

/// The session slot, the credentials it is made from, and the refusals that pause asking.
pub(super) struct Sessions {
    token_url: String,
    credentials: Credentials,
    held: Mutex<Option<Session>>,
    refusals: Refusals,
}

impl Sessions {
    /// `login_url` is the org's My Domain URL. Asks nothing.
    pub(super) fn new(login_url: &str, credentials: Credentials) -> Self {
        Self {
            token_url: format!("{}/services/oauth2/token", login_url.trim_end_matches('/')),
            credentials,
            held: Mutex::new(None),
            refusals: Refusals::default(),
        }
    }

    /// The login flow configured: `client credentials` or `JWT bearer assertion`.
    pub(super) fn flow(&self) -> &'static str {
        self.credentials.flow()
    }

    /// The current session, logging in first if there is none. Logs in at most once at a time, and not
    /// at all while a refusal's pause lasts.
    pub(super) async fn current(&self, transport: &Transport, deadline: Instant) -> Result<Session, SalesforceError> {
        self.session(transport, true, deadline).await
    }

    /// The current session, logging in now if there is none, whatever a refusal's pause says: the setup
    /// check's login, which an admin runs after fixing the credentials. Its success ends the pause.
    pub(super) async fn current_now(
        &self,
        transport: &Transport,
        deadline: Instant,
    ) -> Result<Session, SalesforceError> {
        self.session(transport, false, deadline).await
    }

    async fn session(
        &self,
        transport: &Transport,
        wait_out_refusals: bool,
        deadline: Instant,
    ) -> Result<Session, SalesforceError> {
        let mut held = self.held.lock().await;
        if let Some(session) = held.as_ref() {
            return Ok(session.clone());
        }
        if wait_out_refusals {
            self.refusals.check()?;
        }
        // After a refusal the secret may have been corrected: read it again before asking. A secret that
        // cannot be read is no login Salesforce counts, so it starts no pause.
        let credentials = self.credentials.get(self.refusals.refused()).await?;
        let login = request_token(transport, &self.token_url, &credentials, deadline).await;
        self.refusals.record(&login);
        let session = login?;
        *held = Some(session.clone());
        Ok(session)
    }

    /// Forgets `stale` unless another request already replaced it.
    pub(super) async fn invalidate(&self, stale: &Session) {
        let mut held = self.held.lock().await;
        if held.as_ref().is_some_and(|s| s.access_token == stale.access_token) {
            *held = None;
        }
    }
}

/// One round trip to the token endpoint, whatever session is held.
async fn request_token(
    transport: &Transport,
    url: &str,
    login: &Login,
    deadline: Instant,
) -> Result<Session, SalesforceError> {
    let form: Vec<(&str, String)> = match login {
        Login::ClientCredentials { client_id, client_secret } => vec![
            ("grant_type", "client_credentials".to_owned()),
            ("client_id", client_id.clone()),
            ("client_secret", client_secret.clone()),
        ],
        Login::JwtBearer { client_id, username, key, audience } => {
            let assertion = jwt::assertion(key, client_id, username, audience, SystemTime::now())
                .map_err(|error| SalesforceError::Configuration(format!("the private key {error}")))?;
            vec![("grant_type", JWT_BEARER_GRANT.to_owned()), ("assertion", assertion)]
        }
    };
    // Asking for a token again is harmless: the login is idempotent.
    let (status, body) =
        transport.exchange(|| transport.http().post(url).form(&form), true, "token endpoint", deadline).await?;
    if status.is_success() {
        let token: TokenAnswer = serde_json::from_slice(&body)
            .map_err(|_| SalesforceError::Protocol("token answer is not the documented JSON".into()))?;
        let user = token.id.as_deref().and_then(|id| id.rsplit('/').next()).and_then(SalesforceId::parse);
        return Ok(Session {
            access_token: token.access_token,
            instance_url: token.instance_url.trim_end_matches('/').to_owned(),
            user,
        });
    }
    if status.is_server_error() {
        return Err(SalesforceError::Unavailable(format!("token endpoint HTTP {}", status.as_u16())));
    }
    let answer = serde_json::from_slice::<OAuthError>(&body).ok();
    let code = answer.as_ref().map(|a| a.error.as_str());
    let refusal = answer.as_ref().and_then(|a| a.error_description.as_deref()).and_then(Refusal::read);
    let shown = code.map_or_else(|| "no OAuth error code".to_owned(), printable);
    let said = refusal.map(|r| format!(": {}", r.phrase())).unwrap_or_default();
    let what = format!("the token endpoint refused the {} (HTTP {} {shown}{said})", login.describe(), status.as_u16());
    let jwt = matches!(login, Login::JwtBearer { .. });
    Err(SalesforceError::Authentication(AuthFailure::refused(code, refusal, jwt, what)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn token_answers_are_read_in_every_recorded_shape() {
        // As restforce recorded one from a real org (no token_type, no scope), and as today's client
        // credentials and JWT answers come (with api_instance_url).
        let recorded = r#"{"id":"https://login.salesforce.com/id/00Dx0000000BV7z/005x00000012Q9P","issued_at":"1278448832702",
            "instance_url":"https://na1.salesforce.com","signature":"0CmxinZir53Yex7nE0TD+zMpvIWYGb/bdJh6XfOH6EQ=",
            "access_token":"00Dx0000000BV7z!AR8AQAxo9UfVkh8AlV0Gomt9Czx9LjHnSSpwBMmbRcgKFmxOtvxjTrKW19ye6PE3Ds1eQz3z8jr3W7_VbWmEu4Q8TVGSTHxs"}"#;
        let today = r#"{"access_token":"00D!AQ","signature":"c2ln","scope":"api","instance_url":"https://acme.my.salesforce.com",
            "id":"https://login.salesforce.com/id/00D/005","token_type":"Bearer","issued_at":"1764000000000",
            "api_instance_url":"https://api.salesforce.com"}"#;
        for body in [recorded, today] {
            let token: TokenAnswer = serde_json::from_str(body).expect("read");
            assert!(token.instance_url.starts_with("https://") && !token.access_token.is_empty());
            assert!(token.id.is_some_and(|id| id.contains("/id/")));
        }
        let refusal: OAuthError = serde_json::from_str(
            r#"{"error":"invalid_grant","error_description":"authentication failure - Invalid Password"}"#,
        )
        .expect("read");
        assert_eq!(refusal.error, "invalid_grant");
        let bare: OAuthError = serde_json::from_str(r#"{"error":"invalid_client"}"#).expect("no description");
        assert_eq!(bare.error_description, None);
    }
}
