//! How the function logs in to Salesforce: the OAuth 2.0 client credentials flow (a client id and secret)
//! or the JWT bearer flow (a client id, the run-as username and a private key), with what they need from
//! configuration, or from a Secrets Manager secret read once per container (on first use, so an unreadable
//! secret fails invocations, never the container's init), and read again before the login that follows a
//! refusal, so a corrected secret is used without a redeploy.

use aws_config::SdkConfig;
use aws_sdk_secretsmanager::error::ProvideErrorMetadata;
use serde::Deserialize;
use tokio::sync::Mutex;

use super::SalesforceError;
use super::auth_failure::{AuthFailure, AuthStage};
use super::jwt::SigningKey;

/// What one login sends, whichever flow.
#[derive(Clone, PartialEq)]
pub enum Login {
    ClientCredentials { client_id: String, client_secret: String },
    JwtBearer { client_id: String, username: String, key: SigningKey, audience: String },
}

/// Which flow a secret's JSON is for.
#[derive(Debug, Clone, PartialEq)]
pub enum Flow {
    /// `{"client_id", "client_secret"}`.
    ClientCredentials,
    /// `{"client_id", "username", "private_key"}`; the audience comes from configuration.
    JwtBearer { audience: String },
}

/// Where the login comes from: configuration's choice.
#[derive(Clone, PartialEq)]
pub enum CredentialSource {
    Static(Login),
    SecretsManager { secret_id: String, flow: Flow },
}

/// The login as the client uses it.
pub(super) enum Credentials {
    Static(Login),
    Secret { client: aws_sdk_secretsmanager::Client, secret_id: String, flow: Flow, cached: Mutex<Option<Login>> },
}

#[derive(Deserialize)]
struct SecretValue {
    client_id: String,
    client_secret: Option<String>,
    username: Option<String>,
    private_key: Option<String>,
}

/// The flows' names, for messages.
const CLIENT_CREDENTIALS: &str = "client credentials";
const JWT_BEARER: &str = "JWT bearer assertion";

impl Login {
    /// The flow's name, for messages: `client credentials` or `JWT bearer assertion`.
    pub(super) fn describe(&self) -> &'static str {
        match self {
            Self::ClientCredentials { .. } => CLIENT_CREDENTIALS,
            Self::JwtBearer { .. } => JWT_BEARER,
        }
    }
}

impl Credentials {
    /// Builds the Secrets Manager client only when the credentials live in a secret.
    pub(super) fn new(source: CredentialSource, sdk: &SdkConfig) -> Self {
        match source {
            CredentialSource::Static(login) => Self::Static(login),
            CredentialSource::SecretsManager { secret_id, flow } => Self::Secret {
                client: aws_sdk_secretsmanager::Client::new(sdk),
                secret_id,
                flow,
                cached: Mutex::new(None),
            },
        }
    }

    /// The flow's name, for messages.
    pub(super) fn flow(&self) -> &'static str {
        match self {
            Self::Static(login) => login.describe(),
            Self::Secret { flow: Flow::ClientCredentials, .. } => CLIENT_CREDENTIALS,
            Self::Secret { flow: Flow::JwtBearer { .. }, .. } => JWT_BEARER,
        }
    }

    /// The login: a secret's as read once, or read again when `fresh` (after a refusal, the secret may
    /// have been corrected).
    pub(super) async fn get(&self, fresh: bool) -> Result<Login, SalesforceError> {
        match self {
            Self::Static(login) => Ok(login.clone()),
            Self::Secret { client, secret_id, flow, cached } => {
                let mut cached = cached.lock().await;
                match cached.as_ref() {
                    Some(login) if !fresh => Ok(login.clone()),
                    _ => {
                        let login = read_secret(client, secret_id, flow).await?;
                        *cached = Some(login.clone());
                        Ok(login)
                    }
                }
            }
        }
    }
}

/// The credentials of `flow` could not be had from the secret.
fn unusable(flow: &Flow, what: impl Into<String>) -> SalesforceError {
    let failure = AuthFailure::new(AuthStage::Credentials, None, what);
    SalesforceError::Authentication(failure.in_flow(matches!(flow, Flow::JwtBearer { .. })))
}

async fn read_secret(
    client: &aws_sdk_secretsmanager::Client,
    secret_id: &str,
    flow: &Flow,
) -> Result<Login, SalesforceError> {
    // Boxed: the SDK's future is deep enough to overflow rustc's layout recursion limit once nested.
    let output = Box::pin(client.get_secret_value().secret_id(secret_id).send()).await.map_err(|error| {
        let code = error.code().unwrap_or("no error code").to_owned();
        unusable(flow, format!("could not read the credentials secret ({code})"))
    })?;
    let value: Option<SecretValue> = output.secret_string().and_then(|json| serde_json::from_str(json).ok());
    let login = match (value, flow) {
        (Some(SecretValue { client_id, client_secret: Some(client_secret), .. }), Flow::ClientCredentials) => {
            Login::ClientCredentials { client_id, client_secret }
        }
        (
            Some(SecretValue { client_id, username: Some(username), private_key: Some(pem), .. }),
            Flow::JwtBearer { audience },
        ) => {
            let key = SigningKey::from_pem(&pem).map_err(|error| {
                SalesforceError::Configuration(format!("the credentials secret's private_key {error}"))
            })?;
            Login::JwtBearer { client_id, username, key, audience: audience.clone() }
        }
        (_, Flow::ClientCredentials) => {
            return Err(unusable(flow, "the credentials secret is not JSON with client_id and client_secret"));
        }
        (_, Flow::JwtBearer { .. }) => {
            return Err(unusable(flow, "the credentials secret is not JSON with client_id, username and private_key"));
        }
    };
    tracing::info!(flow = login.describe(), "read the Salesforce credentials from Secrets Manager");
    Ok(login)
}

impl std::fmt::Debug for CredentialSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Static(login) => write!(f, "Static({}, <redacted>)", login.describe()),
            Self::SecretsManager { secret_id, flow } => write!(f, "SecretsManager({secret_id}, {flow:?})"),
        }
    }
}
