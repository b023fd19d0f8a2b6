//! The Salesforce client credentials: from the environment, or from a Secrets Manager secret read once
//! per container (on first use, so an unreadable secret fails invocations, never the container's init).

use aws_sdk_secretsmanager::error::ProvideErrorMetadata;
use serde::Deserialize;
use tokio::sync::OnceCell;

use crate::config::ClientCredentials;
use crate::salesforce::SalesforceError;

pub enum Credentials {
    Static(ClientCredentials),
    Secret(SecretCredentials),
}

pub struct SecretCredentials {
    client: aws_sdk_secretsmanager::Client,
    secret_id: String,
    cached: OnceCell<ClientCredentials>,
}

#[derive(Deserialize)]
struct SecretValue {
    client_id: String,
    client_secret: String,
}

impl Credentials {
    pub fn from_secret(client: aws_sdk_secretsmanager::Client, secret_id: String) -> Self {
        Self::Secret(SecretCredentials { client, secret_id, cached: OnceCell::new() })
    }

    pub async fn get(&self) -> Result<ClientCredentials, SalesforceError> {
        match self {
            Self::Static(credentials) => Ok(credentials.clone()),
            Self::Secret(secret) => secret.cached.get_or_try_init(|| secret.read()).await.cloned(),
        }
    }
}

impl SecretCredentials {
    async fn read(&self) -> Result<ClientCredentials, SalesforceError> {
        // Boxed: the SDK's future is deep enough to overflow rustc's layout recursion limit once nested.
        let output =
            Box::pin(self.client.get_secret_value().secret_id(&self.secret_id).send()).await.map_err(|error| {
                let code = error.code().unwrap_or("no error code").to_owned();
                SalesforceError::Authentication(format!("could not read the credentials secret ({code})"))
            })?;
        let value: SecretValue =
            output.secret_string().and_then(|json| serde_json::from_str(json).ok()).ok_or_else(|| {
                SalesforceError::Authentication(
                    "the credentials secret is not JSON with client_id and client_secret".into(),
                )
            })?;
        tracing::info!("read the Salesforce client credentials from Secrets Manager");
        Ok(ClientCredentials { client_id: value.client_id, client_secret: value.client_secret })
    }
}
