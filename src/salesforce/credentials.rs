//! The OAuth client credentials: as configured, or from a Secrets Manager secret read once per container
//! (on first use, so an unreadable secret fails invocations, never the container's init).

use aws_config::SdkConfig;
use aws_sdk_secretsmanager::error::ProvideErrorMetadata;
use serde::Deserialize;
use tokio::sync::OnceCell;

use super::SalesforceError;
use super::error::{AuthFailure, AuthStage};

/// Where the client credentials come from: configuration's choice.
#[derive(Clone, PartialEq)]
pub enum CredentialSource {
    Static(ClientCredentials),
    /// A Secrets Manager secret holding `{"client_id": "...", "client_secret": "..."}`.
    SecretsManager {
        secret_id: String,
    },
}

#[derive(Clone, PartialEq)]
pub struct ClientCredentials {
    pub client_id: String,
    pub client_secret: String,
}

/// The credentials as the client reads them at login.
pub(super) enum Credentials {
    Static(ClientCredentials),
    Secret { client: aws_sdk_secretsmanager::Client, secret_id: String, cached: OnceCell<ClientCredentials> },
}

#[derive(Deserialize)]
struct SecretValue {
    client_id: String,
    client_secret: String,
}

impl Credentials {
    /// Builds the Secrets Manager client only when the credentials live in a secret.
    pub(super) fn new(source: CredentialSource, sdk: &SdkConfig) -> Self {
        match source {
            CredentialSource::Static(credentials) => Self::Static(credentials),
            CredentialSource::SecretsManager { secret_id } => {
                Self::Secret { client: aws_sdk_secretsmanager::Client::new(sdk), secret_id, cached: OnceCell::new() }
            }
        }
    }

    pub(super) async fn get(&self) -> Result<ClientCredentials, SalesforceError> {
        match self {
            Self::Static(credentials) => Ok(credentials.clone()),
            Self::Secret { client, secret_id, cached } => {
                cached.get_or_try_init(|| read_secret(client, secret_id)).await.cloned()
            }
        }
    }
}

async fn read_secret(
    client: &aws_sdk_secretsmanager::Client,
    secret_id: &str,
) -> Result<ClientCredentials, SalesforceError> {
    // Boxed: the SDK's future is deep enough to overflow rustc's layout recursion limit once nested.
    let output = Box::pin(client.get_secret_value().secret_id(secret_id).send()).await.map_err(|error| {
        let code = error.code().unwrap_or("no error code").to_owned();
        SalesforceError::Authentication(AuthFailure::new(
            AuthStage::Credentials,
            None,
            format!("could not read the credentials secret ({code})"),
        ))
    })?;
    let value: SecretValue =
        output.secret_string().and_then(|json| serde_json::from_str(json).ok()).ok_or_else(|| {
            SalesforceError::Authentication(AuthFailure::new(
                AuthStage::Credentials,
                None,
                "the credentials secret is not JSON with client_id and client_secret",
            ))
        })?;
    tracing::info!("read the Salesforce client credentials from Secrets Manager");
    Ok(ClientCredentials { client_id: value.client_id, client_secret: value.client_secret })
}

impl std::fmt::Debug for CredentialSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Static(_) => f.write_str("Static(<redacted>)"),
            Self::SecretsManager { secret_id } => write!(f, "SecretsManager({secret_id})"),
        }
    }
}
