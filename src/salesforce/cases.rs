//! Cases: read one by id or by external id; create one and read its `CaseNumber` in the same composite
//! request.

use std::time::SystemTime;

use serde::Deserialize;
use serde_json::{Map, Value};
use tokio::time::Instant;

use super::client::{ApiRequest, Language, percent_encoded};
use super::error::{CompositePart as Part, record_is_gone, unexpected};
use super::soql::{datetime_literal, string_literal};
use super::voice_calls::{LinkOutcome, Linked, link_outcome, with_link};
use super::{CaseId, CaseStore, KeyedCases, SalesforceClient, SalesforceError, SalesforceId, VoiceCallId};

const CASE_FIELDS: &str = "Id,CaseNumber,ContactId,AccountId";
const CASE_FIELDS_SOQL: &str = "Id, CaseNumber, ContactId, AccountId";
/// Longer than any Auto Number display format (its literal text and a number of up to 10 digits).
const MAX_CASE_NUMBER: usize = 80;

/// A person's open case, with what tells whether this very call made it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpenCase {
    pub case: CaseRecord,
    /// The case's external id (the `InitialContactId` of the call that made it), when the deployment has
    /// the field.
    pub external_id: Option<String>,
    pub description: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseRecord {
    pub id: CaseId,
    pub number: String,
    pub contact_id: Option<SalesforceId>,
    pub account_id: Option<SalesforceId>,
}

impl KeyedCases for SalesforceClient {
    /// `field` is a validated API name; `key` is a Connect contact id, percent-encoded all the same.
    async fn read_case_by_key(
        &self,
        field: &str,
        key: &str,
        deadline: Instant,
    ) -> Result<Option<CaseRecord>, SalesforceError> {
        let path = self.data_path(&format!("/sobjects/Case/{}/{}", percent_encoded(field), percent_encoded(key)));
        self.read_one(ApiRequest::get(path).query(&[("fields", CASE_FIELDS)]), deadline).await
    }
}

impl CaseStore for SalesforceClient {
    async fn read_case(
        &self,
        id: &CaseId,
        link: Option<&VoiceCallId>,
        deadline: Instant,
    ) -> Result<Linked<Option<CaseRecord>>, SalesforceError> {
        let path = format!("/sobjects/Case/{}", id.as_str());
        self.read_linked(Part::CaseRead, path, link, deadline).await
    }

    async fn read_keyed_case(
        &self,
        field: &str,
        key: &str,
        link: Option<&VoiceCallId>,
        deadline: Instant,
    ) -> Result<Linked<Option<CaseRecord>>, SalesforceError> {
        let path = format!("/sobjects/Case/{}/{}", percent_encoded(field), percent_encoded(key));
        self.read_linked(Part::KeyedCase, path, link, deadline).await
    }

    async fn open_case_of(
        &self,
        contact: &SalesforceId,
        since: SystemTime,
        external_id_field: Option<&str>,
        link: Option<&VoiceCallId>,
        deadline: Instant,
    ) -> Result<Linked<Option<OpenCase>>, SalesforceError> {
        let query = open_case_query(contact, since, external_id_field);
        let (rows, outcome): (Vec<CaseRow>, _) = match link {
            None => (self.records(Language::Soql, &query, deadline).await?, LinkOutcome::NotAsked),
            Some(call) => {
                let reads = self.composite(false).resend_safe(true).query(Part::OpenCase, &query);
                let answer = self
                    .send_composite(with_link(reads, call, Part::OpenCase.reference("records[0].Id")), deadline)
                    .await?;
                let rows = answer.rows(Part::OpenCase)?.unwrap_or_default();
                (rows, link_outcome(&answer))
            }
        };
        let Some(mut row) = rows.into_iter().next() else { return Ok(Linked { value: None, link: outcome }) };
        let external_id = external_id_field
            .and_then(|field| row.org_fields.remove(field))
            .and_then(|value| value.as_str().map(str::to_owned));
        let description = row.description.take();
        let open = OpenCase { case: row.into_record()?, external_id, description };
        Ok(Linked { value: Some(open), link: outcome })
    }

    /// In one composite request: all or none without a VoiceCall (a read back the org refuses rolls the
    /// case back), each part on its own with one (a refused link must not cost the case).
    async fn create_case(
        &self,
        fields: &Map<String, Value>,
        key: Option<(&str, &str)>,
        link: Option<&VoiceCallId>,
        deadline: Instant,
    ) -> Result<Linked<CaseRecord>, SalesforceError> {
        let mut body = fields.clone();
        if let Some((field, value)) = key {
            body.insert(field.to_owned(), value.into());
        }
        let read_back = format!("/sobjects/Case/{}?fields={CASE_FIELDS}", Part::CaseCreate.reference("id"));
        // A create that may have reached the org is sent again only when it carries the call's external
        // id: a second copy is then refused with DUPLICATE_VALUE instead of making a second case.
        let mut composite = self
            .composite(link.is_none())
            .resend_safe(key.is_some())
            .assignment_rules(self.assignment_rules_on_create())
            .post(Part::CaseCreate, "/sobjects/Case", Value::Object(body))
            .get(Part::CaseReadBack, &read_back);
        if let Some(call) = link {
            composite = with_link(composite, call, Part::CaseCreate.reference("id"));
        }
        let answer = self.send_composite(composite, deadline).await?;
        if let Some(failure) = answer.failure_among(&[Part::CaseCreate, Part::CaseReadBack]) {
            let created = answer.part(Part::CaseCreate).filter(|part| part.succeeded());
            let created = created.and_then(|part| part.record::<Created>(Part::CaseCreate).ok());
            if let Some(created) = created.and_then(|created| CaseId::parse(&created.id)) {
                // Each part on its own (a VoiceCall rode along): the org made the case and keeps it.
                tracing::error!(case_id = %created, error = %failure, "the case was made but could not be read back; it stays in the org");
            }
            return Err(failure);
        }
        let case = answer
            .part(Part::CaseReadBack)
            .ok_or_else(|| SalesforceError::Protocol("the composite answer has no read back".into()))?
            .record::<CaseRow>(Part::CaseReadBack)?
            .into_record()?;
        Ok(Linked { value: case, link: link_outcome(&answer) })
    }
}

/// A created record's answer: its id.
#[derive(Deserialize)]
struct Created {
    id: String,
}

impl SalesforceClient {
    /// The case at `path` (below the data path), or `None` when the org has no such case; with `link`,
    /// in one composite request with the VoiceCall's link to it.
    async fn read_linked(
        &self,
        part: Part,
        path: String,
        link: Option<&VoiceCallId>,
        deadline: Instant,
    ) -> Result<Linked<Option<CaseRecord>>, SalesforceError> {
        let Some(call) = link else {
            let request = ApiRequest::get(self.data_path(&path)).query(&[("fields", CASE_FIELDS)]);
            return Ok(Linked::alone(self.read_one(request, deadline).await?));
        };
        let reads = self.composite(false).resend_safe(true).get(part, &format!("{path}?fields={CASE_FIELDS}"));
        let answer = self.send_composite(with_link(reads, call, part.reference("Id")), deadline).await?;
        let read =
            answer.part(part).ok_or_else(|| SalesforceError::Protocol(format!("no answer to the {}", part.name())))?;
        let case = match read {
            read if read.is_gone() => None,
            read => Some(read.record::<CaseRow>(part)?.into_record()?),
        };
        Ok(Linked { value: case, link: link_outcome(&answer) })
    }

    /// One case record, or `None` when the org has no such case.
    async fn read_one(
        &self,
        request: ApiRequest<'_>,
        deadline: Instant,
    ) -> Result<Option<CaseRecord>, SalesforceError> {
        let response = self.send(request, deadline).await?;
        match response.status {
            status if status.is_success() => case_record(&response.body).map(Some),
            status if record_is_gone(status, &response.body) => Ok(None),
            _ => Err(unexpected(response.status, &response.body)),
        }
    }
}

/// The person's open case last modified since `since`, the most recent first. Built on what Salesforce
/// indexes for every object: `ContactId` (a lookup) narrows it to one person's cases, and `SystemModstamp`
/// (the index that serves `LastModifiedDate`; never earlier than it, so no wanted case is dropped) to the
/// window; `LastModifiedDate` then says exactly "last modified by someone within the window", and orders.
/// Only a validated id and a datetime computed here reach the query.
fn open_case_query(contact: &SalesforceId, since: SystemTime, external_id_field: Option<&str>) -> String {
    let since = datetime_literal(since);
    let key = external_id_field.map(|field| format!(", {field}")).unwrap_or_default();
    format!(
        "SELECT {CASE_FIELDS_SOQL}, Description{key} FROM Case WHERE ContactId = {} AND IsClosed = false \
         AND SystemModstamp >= {since} AND LastModifiedDate >= {since} ORDER BY LastModifiedDate DESC LIMIT 1",
        string_literal(contact.as_str())
    )
}

/// A Case row as Salesforce names its fields, whichever of them a read asked for; the org's own (the
/// external id field) as they come. The one row type of every read of cases.
#[derive(Debug, Deserialize)]
pub(super) struct CaseRow {
    #[serde(rename = "Id")]
    pub(super) id: Option<String>,
    #[serde(rename = "CaseNumber", default)]
    number: Option<String>,
    #[serde(rename = "ContactId", default)]
    pub(super) contact_id: Option<String>,
    #[serde(rename = "AccountId", default)]
    account_id: Option<String>,
    #[serde(rename = "OwnerId", default)]
    pub(super) owner_id: Option<String>,
    #[serde(rename = "Description", default)]
    description: Option<String>,
    #[serde(flatten)]
    pub(super) org_fields: Map<String, Value>,
}

impl CaseRow {
    fn into_record(self) -> Result<CaseRecord, SalesforceError> {
        let id = self
            .id
            .as_deref()
            .and_then(CaseId::parse)
            .ok_or_else(|| SalesforceError::Protocol("case record has no valid Id".into()))?;
        // An Auto Number display format is the org's to choose (`CS/2026-000123`, `CASE 00001001`): any
        // printable text of a sane length is answered as given. Checked on the read back, after the create,
        // so a refusal here would cost a case: only what no org could have set is refused.
        let number = self
            .number
            .as_deref()
            .map(str::trim)
            .filter(|n| !n.is_empty() && n.chars().count() <= MAX_CASE_NUMBER && !n.chars().any(char::is_control))
            .ok_or_else(|| SalesforceError::Protocol("case record has no CaseNumber".into()))?;
        Ok(CaseRecord {
            id,
            number: number.to_owned(),
            contact_id: self.contact_id.as_deref().and_then(SalesforceId::parse),
            account_id: self.account_id.as_deref().and_then(SalesforceId::parse),
        })
    }
}

/// A case record as the REST API answers one.
fn case_record(body: &Value) -> Result<CaseRecord, SalesforceError> {
    CaseRow::deserialize(body)
        .map_err(|_| SalesforceError::Protocol("case record is not the documented JSON".into()))?
        .into_record()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_open_case_query_filters_on_indexed_fields_and_takes_the_newest() {
        let ada = SalesforceId::parse("003000000000001").expect("id");
        let since = std::time::UNIX_EPOCH + std::time::Duration::from_secs(1_798_657_200);
        assert_eq!(
            open_case_query(&ada, since, Some("Connect_Contact_Id__c")),
            "SELECT Id, CaseNumber, ContactId, AccountId, Description, Connect_Contact_Id__c FROM Case WHERE \
             ContactId = '003000000000001AAA' AND IsClosed = false AND SystemModstamp >= 2026-12-30T19:00:00Z AND \
             LastModifiedDate >= 2026-12-30T19:00:00Z ORDER BY LastModifiedDate DESC LIMIT 1"
        );
    }

    #[test]
    fn case_record_needs_a_case_id_and_a_number() {
        let good = json!({"Id": "5005g00000AbCdEAAV", "CaseNumber": "00001001", "ContactId": null});
        let record = case_record(&good).expect("valid");
        assert_eq!(record.number, "00001001");
        assert_eq!(record.contact_id, None);
        assert!(case_record(&json!({"Id": "001A0000006Vm9rIAC", "CaseNumber": "1"})).is_err());
        assert!(case_record(&json!({"Id": "5005g00000AbCdEAAV"})).is_err());
        for format in ["CS/2026-000123", "CASE 00001001", "Dossier n°42"] {
            let record = json!({"Id": "5005g00000AbCdEAAV", "CaseNumber": format});
            assert_eq!(case_record(&record).expect("any display format").number, format);
        }
        for bad in ["", "   ", "00001\n001", &"9".repeat(81)] {
            assert!(case_record(&json!({"Id": "5005g00000AbCdEAAV", "CaseNumber": bad})).is_err(), "{bad:?}");
        }
    }
}
