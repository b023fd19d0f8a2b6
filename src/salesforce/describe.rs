//! What the org says about itself: the REST API versions it serves, an object's describe (access, and each
//! field's type and External ID / unique flags), and from the describes of Contact and Account the shape
//! the phone search needs ([`OrgShape`]), learned once per container.

use std::borrow::Cow;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};

use serde::Deserialize;
use serde::de::{Deserializer, SeqAccess, Visitor};
use tokio::time::Instant;

use super::client::read_json;
use super::shape::{Learned, OrgShape, PhoneFields};
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
    /// Whether the run-as user may write the field on an update (field-level security included).
    #[serde(default)]
    pub updateable: bool,
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
    /// org refuses leaves its object out, and is asked again after
    /// [`REFUSED_DESCRIBE_PAUSE`](super::REFUSED_DESCRIBE_PAUSE); one that
    /// fails otherwise (an outage) is asked again next time.
    pub async fn org_shape(&self, deadline: Instant) -> Result<Arc<OrgShape>, SalesforceError> {
        self.learn_shape(false, deadline).await
    }

    /// The org's shape, with a refused describe asked again now (the setup check: an admin who has just
    /// granted Read sees it at once).
    pub async fn org_shape_rechecked(&self, deadline: Instant) -> Result<Arc<OrgShape>, SalesforceError> {
        self.learn_shape(true, deadline).await
    }

    async fn learn_shape(&self, recheck: bool, deadline: Instant) -> Result<Arc<OrgShape>, SalesforceError> {
        if let Some(shape) = self.shape.current(recheck) {
            return Ok(shape);
        }
        let _learning = self.shape.learning.lock().await;
        if let Some(shape) = self.shape.current(recheck) {
            return Ok(shape);
        }
        let previous = self.shape.learned();
        let known = |object: fn(&Learned) -> &Option<PhoneFields>| previous.as_ref().and_then(|p| object(p).clone());
        let cost = ReadCost::default();
        let (contact, account) = tokio::join!(
            self.phone_fields("Contact", known(|p| &p.contact), &cost, deadline),
            self.phone_fields("Account", known(|p| &p.account), &cost, deadline)
        );
        let learned = match (contact, account, previous) {
            (Ok(contact), Ok(account), _) => Learned::new(contact, account),
            (Err(error), _, None) | (_, Err(error), None) => return Err(error),
            (Err(error), _, Some(previous)) | (_, Err(error), Some(previous)) => {
                tracing::warn!(error = %error, "could not describe Contact or Account again; the search goes on as before");
                previous.paused_again()
            }
        };
        let shape = &learned.shape;
        tracing::info!(
            contact_phones = shape.contact_phones.len(),
            account_phones = shape.account_phones.len(),
            person_accounts = shape.person_accounts,
            describe_kb = cost.bytes.load(Ordering::Relaxed) / 1024,
            parse_ms = cost.parse_micros.load(Ordering::Relaxed) as f64 / 1000.0,
            "learned the org's phone fields"
        );
        Ok(self.shape.keep(learned))
    }

    /// What `object`'s describe tells the search, unless it is already `known`; `None` when the org refuses
    /// the describe (the run-as user cannot read the object).
    async fn phone_fields(
        &self,
        object: &str,
        known: Option<PhoneFields>,
        cost: &ReadCost,
        deadline: Instant,
    ) -> Result<Option<PhoneFields>, SalesforceError> {
        if known.is_some() {
            return Ok(known);
        }
        let path = self.data_path(&format!("/sobjects/{object}/describe"));
        match self.get_bytes(path, &[], deadline).await {
            Ok(body) => {
                let started = std::time::Instant::now();
                let described: PhoneDescribe = read_json(&body, &format!("the describe of {object}"))?;
                cost.parse_micros.fetch_add(started.elapsed().as_micros() as u64, Ordering::Relaxed);
                cost.bytes.fetch_add(body.len(), Ordering::Relaxed);
                Ok(Some(described.fields))
            }
            Err(error @ SalesforceError::Rejected { .. }) => {
                tracing::warn!(object, error = %error, "the run-as user cannot describe {object}; it is not searched");
                Ok(None)
            }
            Err(error) => Err(error),
        }
    }
}

/// What reading the describes cost, for the log line that says what was learned: their size, and the CPU
/// their reading took (measured as the time it took, on a thread that does nothing else meanwhile).
#[derive(Default)]
struct ReadCost {
    bytes: AtomicUsize,
    parse_micros: AtomicU64,
}

/// A describe as the search reads it: only its `fields`, every other key skipped unread.
#[derive(Deserialize)]
struct PhoneDescribe {
    #[serde(default, deserialize_with = "phone_fields")]
    fields: PhoneFields,
}

/// A field's name and type, borrowed from the answer when they hold no escape; its fifty-odd other
/// attributes are skipped unread.
#[derive(Deserialize)]
struct FieldHead<'a> {
    #[serde(borrow)]
    name: Cow<'a, str>,
    #[serde(borrow, rename = "type", default)]
    kind: Cow<'a, str>,
}

/// Reads a describe's `fields` one at a time, keeping the names of phone-type fields (valid API names
/// only, so they can reach a query) and whether `IsPersonAccount` and `PersonContactId` are among them.
fn phone_fields<'de, D: Deserializer<'de>>(deserializer: D) -> Result<PhoneFields, D::Error> {
    struct Fields;
    impl<'de> Visitor<'de> for Fields {
        type Value = PhoneFields;

        fn expecting(&self, formatter: &mut std::fmt::Formatter) -> std::fmt::Result {
            formatter.write_str("a describe's list of fields")
        }

        fn visit_seq<A: SeqAccess<'de>>(self, mut fields: A) -> Result<PhoneFields, A::Error> {
            let (mut phones, mut is_person_account, mut person_contact_id) = (Vec::new(), false, false);
            while let Some(field) = fields.next_element::<FieldHead<'de>>()? {
                if field.kind == "phone" && is_field_api_name(&field.name) {
                    phones.push(field.name.into_owned());
                } else if field.name.eq_ignore_ascii_case("IsPersonAccount") {
                    is_person_account = true;
                } else if field.name.eq_ignore_ascii_case("PersonContactId") {
                    person_contact_id = true;
                }
            }
            Ok(PhoneFields { phones, person_accounts: is_person_account && person_contact_id })
        }
    }
    deserializer.deserialize_seq(Fields)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(describe: &str) -> PhoneFields {
        serde_json::from_str::<PhoneDescribe>(describe).expect("a describe").fields
    }

    #[test]
    fn a_describe_gives_its_phone_fields_and_whether_the_org_has_person_accounts() {
        let account = r#"{"name": "Account", "childRelationships": [{"field": "AccountId", "childSObject": "Case"}],
            "fields": [
                {"name": "Id", "type": "id", "picklistValues": []},
                {"name": "Phone", "type": "phone", "length": 40},
                {"name": "IsPersonAccount", "type": "boolean"},
                {"name": "PersonMobilePhone", "type": "phone"},
                {"name": "PersonContactId", "type": "reference", "referenceTo": ["Contact"]},
                {"name": "Work\u005fPhone__c", "type": "phone"},
                {"name": "Bad Name; DELETE", "type": "phone"},
                {"name": "Untyped"}
            ],
            "recordTypeInfos": [{"name": "Master", "urls": {"layout": "/x"}}]}"#;
        assert_eq!(
            read(account),
            PhoneFields {
                phones: vec!["Phone".into(), "PersonMobilePhone".into(), "Work_Phone__c".into()],
                person_accounts: true,
            },
            "escaped names are read too; a name that is not an API name never reaches a query"
        );
        let contact =
            r#"{"fields": [{"name": "Phone", "type": "phone"}, {"name": "IsPersonAccount", "type": "boolean"}]}"#;
        assert_eq!(read(contact), PhoneFields { phones: vec!["Phone".into()], person_accounts: false });
        assert_eq!(read("{}"), PhoneFields::default());
    }

    #[test]
    fn the_describe_read_takes_only_each_field_s_name_and_type() {
        // Attributes in shapes no typed read would take: the read skips them without looking.
        let describe = r#"{"createable": "sometimes", "urls": 7, "fields": [
            {"name": "Phone", "type": "phone", "length": "forty", "externalId": "no", "unique": {"x": [1]},
             "picklistValues": [{"active": "maybe"}], "referenceTo": null}
        ]}"#;
        assert_eq!(read(describe).phones, vec!["Phone".to_owned()]);
        assert!(
            serde_json::from_str::<ObjectDescription>(describe).is_err(),
            "the setup check's own read of the same describe types those attributes"
        );
        assert!(
            serde_json::from_str::<PhoneDescribe>(r#"{"fields": [{"type": "phone"}]}"#).is_err(),
            "a field has a name"
        );
        assert!(serde_json::from_str::<PhoneDescribe>(r#"{"fields": {"Phone": "phone"}}"#).is_err());
    }
}
