//! What a batch of contact records reads and writes: one `/composite` request of `IN (...)` queries (the
//! cases, this function's Tasks for the legs, the agents' users, the legs' VoiceCalls, and once per
//! container the org's closed Task status), then at most one sObject Collections create and one update.
//! Every value from a record reaches a query as an escaped string literal; field names are validated API
//! names.

use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};
use tokio::time::Instant;

use super::client::{ApiRequest, QueryAnswer, percent_encoded};
use super::error::unexpected;
use super::soql::string_literal;
use super::{CaseId, LegStore, Refused, SalesforceClient, SalesforceError, SalesforceId};

/// What the org holds for a batch's legs.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct LegFacts {
    pub cases: Vec<LegCase>,
    /// Tasks whose `CallObject` is one of the legs (this function's and anyone else's).
    pub tasks: Vec<LegTask>,
    /// Active users by the value of the owner field.
    pub users: Vec<(SalesforceId, String)>,
    /// `None`: the org has no `VoiceCall` object.
    pub voice_calls: Option<Vec<LegVoiceCall>>,
    /// The closed Task status new Tasks get.
    pub closed_status: String,
    /// The run-as user, who owns a case no agent has taken yet.
    pub run_as_user: Option<SalesforceId>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct LegCase {
    pub id: CaseId,
    pub contact_id: Option<SalesforceId>,
    pub owner_id: Option<String>,
    /// The external id field's value, when the deployment has one.
    pub key: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct LegTask {
    pub id: String,
    pub call_object: Option<String>,
    pub description: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct LegVoiceCall {
    pub id: String,
    pub vendor_call_key: Option<String>,
    pub related_record_id: Option<String>,
}

/// What to read for a batch: ids and values straight from the records (escaped here).
#[derive(Debug, Clone, Default)]
pub struct LegQuery<'a> {
    pub case_ids: Vec<CaseId>,
    /// Call ids to find cases by, in `external_id_field`.
    pub keys: Vec<&'a str>,
    pub external_id_field: Option<&'a str>,
    /// The legs' `ContactId`s.
    pub contact_ids: Vec<&'a str>,
    pub usernames: Vec<&'a str>,
    /// The `User` field holding agents' usernames (a validated API name).
    pub user_field: &'a str,
}

/// The org's closed Task statuses, in their order: the batches' first read and the setup check ask it.
const CLOSED_STATUSES: &str =
    "SELECT ApiName, MasterLabel, IsDefault, SortOrder FROM TaskStatus WHERE IsClosed = true ORDER BY SortOrder";

/// One record of a collection request: written (its id), or refused.
pub type Written = Result<String, Refused>;

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct CaseRow {
    id: String,
    contact_id: Option<String>,
    owner_id: Option<String>,
    #[serde(flatten)]
    org_fields: serde_json::Map<String, Value>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct StatusRow {
    api_name: Option<String>,
    master_label: Option<String>,
    #[serde(default)]
    is_default: bool,
}

#[derive(Deserialize)]
struct CollectionAnswer {
    id: Option<String>,
    #[serde(default)]
    success: bool,
    #[serde(default)]
    errors: Vec<CollectionError>,
}

#[derive(Deserialize)]
struct CollectionError {
    #[serde(rename = "statusCode", default)]
    status_code: String,
}

fn list(values: impl IntoIterator<Item = impl AsRef<str>>) -> String {
    values.into_iter().map(|v| string_literal(v.as_ref())).collect::<Vec<_>>().join(", ")
}

impl LegStore for SalesforceClient {
    async fn read_legs(&self, query: &LegQuery<'_>, deadline: Instant) -> Result<LegFacts, SalesforceError> {
        let mut parts: Vec<(&str, String)> = Vec::new();
        let key_field = query.external_id_field.map(|f| format!(", {f}")).unwrap_or_default();
        if !query.case_ids.is_empty() {
            let ids = list(query.case_ids.iter().map(CaseId::as_str));
            parts.push(("cases", format!("SELECT Id, ContactId, OwnerId{key_field} FROM Case WHERE Id IN ({ids})")));
        }
        if let (Some(field), false) = (query.external_id_field, query.keys.is_empty()) {
            let keys = list(&query.keys);
            parts.push((
                "keyed",
                format!("SELECT Id, ContactId, OwnerId{key_field} FROM Case WHERE {field} IN ({keys})"),
            ));
        }
        if !query.contact_ids.is_empty() {
            let legs = list(&query.contact_ids);
            parts.push(("tasks", format!("SELECT Id, CallObject, Description FROM Task WHERE CallObject IN ({legs})")));
            if self.legs.voice_calls.get() != Some(&false) {
                parts.push((
                    "calls",
                    format!("SELECT Id, VendorCallKey, RelatedRecordId FROM VoiceCall WHERE VendorCallKey IN ({legs})"),
                ));
            }
        }
        if !query.usernames.is_empty() {
            let field = query.user_field;
            let names = list(&query.usernames);
            parts.push((
                "users",
                format!("SELECT Id, {field} FROM User WHERE IsActive = true AND {field} IN ({names})"),
            ));
        }
        if self.legs.closed_status.get().is_none() {
            parts.push(("statuses", CLOSED_STATUSES.to_owned()));
        }
        let requests: Vec<Value> = parts
            .iter()
            .map(|(reference, soql)| {
                let url = format!("{}?q={}", self.data_path("/query"), percent_encoded(soql));
                json!({"method": "GET", "url": url, "referenceId": reference})
            })
            .collect();
        let body = json!({"allOrNone": false, "compositeRequest": requests});
        let response =
            self.send(ApiRequest::post(self.data_path("/composite"), &body).resend_safe(true), deadline).await?;
        if !response.status.is_success() {
            return Err(unexpected(response.status, &response.body));
        }
        let answers = response
            .body
            .get("compositeResponse")
            .and_then(Value::as_array)
            .ok_or_else(|| SalesforceError::Protocol("composite answer has no compositeResponse".into()))?;
        let part =
            |reference: &str| answers.iter().find(|a| a.get("referenceId").and_then(Value::as_str) == Some(reference));
        let mut facts = LegFacts { run_as_user: self.run_as_user(deadline).await?, ..LegFacts::default() };
        for reference in ["cases", "keyed"] {
            for row in records::<CaseRow>(part(reference), reference)?.unwrap_or_default() {
                let key = query.external_id_field.and_then(|f| row.org_fields.get(f)).and_then(Value::as_str);
                let Some(id) = CaseId::parse(&row.id) else { continue };
                if facts.cases.iter().any(|c| c.id == id) {
                    continue;
                }
                facts.cases.push(LegCase {
                    id,
                    contact_id: row.contact_id.as_deref().and_then(SalesforceId::parse),
                    owner_id: row.owner_id,
                    key: key.map(str::to_owned),
                });
            }
        }
        facts.tasks = records(part("tasks"), "tasks")?.unwrap_or_default();
        facts.voice_calls = match part("calls") {
            Some(answer) if part_error(answer).is_some_and(|error| error.is_unknown_object()) => {
                let _ = self.legs.voice_calls.set(false);
                None
            }
            Some(answer) => {
                let _ = self.legs.voice_calls.set(true);
                records(Some(answer), "calls")?
            }
            None => None,
        };
        let users: Vec<serde_json::Map<String, Value>> = records(part("users"), "users")?.unwrap_or_default();
        facts.users = users
            .iter()
            .filter_map(|row| {
                let id = row.get("Id").and_then(Value::as_str).and_then(SalesforceId::parse)?;
                let value = row.get(query.user_field).and_then(Value::as_str)?;
                Some((id, value.to_owned()))
            })
            .collect();
        if let Some(rows) = records::<StatusRow>(part("statuses"), "statuses")? {
            let name = chosen_status(&rows)
                .ok_or_else(|| SalesforceError::Protocol("the org has no closed Task status".into()))?;
            let _ = self.legs.closed_status.set(name);
        }
        facts.closed_status = self.legs.closed_status.get().cloned().unwrap_or_default();
        Ok(facts)
    }

    async fn create_records(&self, records: &[Value], deadline: Instant) -> Result<Vec<Written>, SalesforceError> {
        self.collection(true, records, deadline).await
    }

    async fn update_records(&self, records: &[Value], deadline: Instant) -> Result<Vec<Written>, SalesforceError> {
        self.collection(false, records, deadline).await
    }
}

impl SalesforceClient {
    /// The closed Task status new Tasks get (for the setup check). One request.
    pub async fn closed_task_status(&self, deadline: Instant) -> Result<Option<String>, SalesforceError> {
        let rows: Vec<StatusRow> = self.records(super::client::Language::Soql, CLOSED_STATUSES, deadline).await?;
        Ok(chosen_status(&rows))
    }

    /// One sObject Collections request (`allOrNone` false: each record answered on its own). An update
    /// keeps every case's owner as written (`Sforce-Auto-Assign: FALSE`) and may be sent again; a create
    /// may not (a lost answer is found by the next delivery's query instead).
    async fn collection(
        &self,
        create: bool,
        records: &[Value],
        deadline: Instant,
    ) -> Result<Vec<Written>, SalesforceError> {
        if records.is_empty() {
            return Ok(Vec::new());
        }
        let body = json!({"allOrNone": false, "records": records});
        let path = self.data_path("/composite/sobjects");
        let request = if create { ApiRequest::post(path, &body) } else { ApiRequest::patch(path, &body).keep_owner() };
        let response = self.send(request, deadline).await?;
        if !response.status.is_success() {
            return Err(unexpected(response.status, &response.body));
        }
        let answers: Vec<CollectionAnswer> = serde_json::from_value(response.body)
            .map_err(|_| SalesforceError::Protocol("a collection answer is not the documented JSON".into()))?;
        if answers.len() != records.len() {
            return Err(SalesforceError::Protocol("a collection answer does not answer every record".into()));
        }
        Ok(answers
            .into_iter()
            .map(|answer| match (answer.success, answer.id) {
                (true, Some(id)) => Ok(id),
                _ => Err(Refused::new(answer.errors.iter().map(|e| e.status_code.as_str()))),
            })
            .collect())
    }
}

/// The default status when a closed one is the default, else the first closed one by order.
fn chosen_status(closed: &[StatusRow]) -> Option<String> {
    let chosen = closed.iter().find(|r| r.is_default).or(closed.first())?;
    chosen.api_name.clone().or_else(|| chosen.master_label.clone())
}

/// A composite part's `records`, or `None` when the part was not asked; a failed part is the org's error.
fn records<T: DeserializeOwned>(answer: Option<&Value>, reference: &str) -> Result<Option<Vec<T>>, SalesforceError> {
    let Some(answer) = answer else { return Ok(None) };
    if let Some(error) = part_error(answer) {
        return Err(error);
    }
    let body = answer.get("body").cloned().unwrap_or(Value::Null);
    let answer: QueryAnswer<T> = serde_json::from_value(body)
        .map_err(|_| SalesforceError::Protocol(format!("the {reference} query answer is not the documented JSON")))?;
    Ok(Some(answer.records))
}

/// A failed composite part's error; `None` for a part that succeeded.
fn part_error(answer: &Value) -> Option<SalesforceError> {
    let status = answer.get("httpStatusCode").and_then(Value::as_u64).unwrap_or(0);
    let status =
        reqwest::StatusCode::from_u16(u16::try_from(status).unwrap_or(0)).unwrap_or(reqwest::StatusCode::BAD_GATEWAY);
    (!status.is_success()).then(|| unexpected(status, answer.get("body").unwrap_or(&Value::Null)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_values_are_percent_encoded_whole() {
        assert_eq!(
            percent_encoded("SELECT Id FROM Task WHERE CallObject IN ('a&b')"),
            "SELECT%20Id%20FROM%20Task%20WHERE%20CallObject%20IN%20%28%27a%26b%27%29"
        );
        assert_eq!(list(["o'brien", "x"]), r"'o\'brien', 'x'");
    }
}
