//! What the org says about itself, for the setup check: the REST API versions it serves, and an object's
//! describe (access, and each field's type and External ID / unique flags).

use serde::Deserialize;
use tokio::time::Instant;

use super::{SalesforceClient, SalesforceError};

/// An object's describe, as much of it as the setup check reads.
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct ObjectDescription {
    #[serde(default)]
    pub createable: bool,
    #[serde(default)]
    pub queryable: bool,
    #[serde(default)]
    pub retrieveable: bool,
    #[serde(default)]
    pub fields: Vec<FieldDescription>,
}

#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct FieldDescription {
    pub name: String,
    #[serde(rename = "type", default)]
    pub kind: String,
    #[serde(default)]
    pub external_id: bool,
    #[serde(default)]
    pub unique: bool,
}

impl ObjectDescription {
    /// The field `name`, compared as Salesforce compares API names (without regard to letter case).
    pub fn field(&self, name: &str) -> Option<&FieldDescription> {
        self.fields.iter().find(|f| f.name.eq_ignore_ascii_case(name))
    }
}

#[derive(Deserialize)]
struct Version {
    version: String,
}

impl SalesforceClient {
    /// `GET /services/data/`: the API versions the org serves, oldest first (`"66.0"`).
    pub async fn served_versions(&self, deadline: Instant) -> Result<Vec<String>, SalesforceError> {
        let body = self.get_json("/services/data/".to_owned(), &[], deadline).await?;
        let versions: Vec<Version> = serde_json::from_value(body)
            .map_err(|_| SalesforceError::Protocol("/services/data/ is not a list of versions".into()))?;
        Ok(versions.into_iter().map(|v| v.version).collect())
    }

    /// `GET sobjects/{object}/describe`; `object` is a validated API name.
    pub async fn describe(&self, object: &str, deadline: Instant) -> Result<ObjectDescription, SalesforceError> {
        let body = self.get_json(self.data_path(&format!("/sobjects/{object}/describe")), &[], deadline).await?;
        serde_json::from_value(body)
            .map_err(|_| SalesforceError::Protocol(format!("the describe of {object} is not the documented JSON")))
    }
}
