//! What the org says about itself: the REST API versions it serves, an object's describe (access, and each
//! field's type and External ID / unique flags), and from the describes of Contact and Account the shape
//! the phone search needs ([`OrgShape`]), learned once per container.

use std::sync::Arc;

use serde::Deserialize;
use tokio::time::Instant;

use super::shape::OrgShape;
use super::{SalesforceClient, SalesforceError, is_field_api_name};

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
        let versions: Vec<Version> =
            self.get("/services/data/".to_owned(), &[], "the list of versions at /services/data/", deadline).await?;
        Ok(versions.into_iter().map(|v| v.version).collect())
    }

    /// `GET sobjects/{object}/describe`; `object` is a validated API name.
    pub async fn describe(&self, object: &str, deadline: Instant) -> Result<ObjectDescription, SalesforceError> {
        let path = self.data_path(&format!("/sobjects/{object}/describe"));
        self.get(path, &[], &format!("the describe of {object}"), deadline).await
    }
}

impl SalesforceClient {
    /// The org's shape: described once per container (both objects at once), then kept. A describe the
    /// org refuses leaves its object out; one that fails otherwise (an outage) is asked again next time.
    pub async fn org_shape(&self, deadline: Instant) -> Result<Arc<OrgShape>, SalesforceError> {
        self.shape
            .get_or_try_init(|| async {
                let (contact, account) =
                    tokio::join!(self.describe("Contact", deadline), self.describe("Account", deadline));
                let readable = |object: &str, described: Result<ObjectDescription, SalesforceError>| match described {
                    Ok(description) => Ok(Some(description)),
                    Err(error @ SalesforceError::Rejected { .. }) => {
                        tracing::warn!(object, error = %error, "the run-as user cannot describe {object}; it is not searched");
                        Ok(None)
                    }
                    Err(error) => Err(error),
                };
                let (contact, account) = (readable("Contact", contact)?, readable("Account", account)?);
                let shape = shape_from(contact.as_ref(), account.as_ref());
                tracing::info!(
                    contact_phones = shape.contact_phones.len(),
                    account_phones = shape.account_phones.len(),
                    person_accounts = shape.person_accounts,
                    "learned the org's phone fields"
                );
                Ok(Arc::new(shape))
            })
            .await
            .cloned()
    }
}

/// The shape two describes give. Field names are checked as API names before they can reach a query.
fn shape_from(contact: Option<&ObjectDescription>, account: Option<&ObjectDescription>) -> OrgShape {
    let phones = |object: Option<&ObjectDescription>| -> Vec<String> {
        object
            .map(|o| o.fields.iter().filter(|f| f.kind == "phone" && is_field_api_name(&f.name)))
            .into_iter()
            .flatten()
            .map(|f| f.name.clone())
            .collect()
    };
    let person_accounts =
        account.is_some_and(|a| a.field("IsPersonAccount").is_some() && a.field("PersonContactId").is_some());
    OrgShape { contact_phones: phones(contact), account_phones: phones(account), person_accounts }
}
