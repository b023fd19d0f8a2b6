//! What a batch of contact records reads and writes: one `/composite` request of `IN (...)` queries (the
//! cases, this function's Tasks for the legs, the agents' users, the legs' VoiceCalls, and once per
//! container the org's closed Task status); the writes are `leg_writes`'.
//! Every value from a record reaches a query as an escaped string literal; field names are validated API
//! names.

use serde::Deserialize;
use serde_json::Value;
use tokio::time::Instant;

use super::cases::CaseRow;
use super::error::CompositePart as Part;
use super::soql::string_literal;
use super::{CaseId, LegStore, LegWrite, SalesforceClient, SalesforceError, SalesforceId, WriteOutcome};

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
    /// Who created it: this function's Tasks are the run-as user's.
    #[serde(default)]
    pub created_by_id: Option<String>,
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

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct StatusRow {
    api_name: Option<String>,
    master_label: Option<String>,
    #[serde(default)]
    is_default: bool,
}

fn list(values: impl IntoIterator<Item = impl AsRef<str>>) -> String {
    values.into_iter().map(|v| string_literal(v.as_ref())).collect::<Vec<_>>().join(", ")
}

impl LegStore for SalesforceClient {
    async fn read_legs(&self, query: &LegQuery<'_>, deadline: Instant) -> Result<LegFacts, SalesforceError> {
        let key_field = query.external_id_field.map(|f| format!(", {f}")).unwrap_or_default();
        let case_fields = format!("Id, ContactId, OwnerId{key_field}");
        let mut reads = self.composite(false).resend_safe(true);
        if !query.case_ids.is_empty() {
            let ids = list(query.case_ids.iter().map(CaseId::as_str));
            reads = reads.query(Part::Cases, &format!("SELECT {case_fields} FROM Case WHERE Id IN ({ids})"));
        }
        if let (Some(field), false) = (query.external_id_field, query.keys.is_empty()) {
            let keys = list(&query.keys);
            reads = reads.query(Part::KeyedCases, &format!("SELECT {case_fields} FROM Case WHERE {field} IN ({keys})"));
        }
        if !query.contact_ids.is_empty() {
            let legs = list(&query.contact_ids);
            reads = reads.query(
                Part::Tasks,
                &format!("SELECT Id, CallObject, CreatedById, Description FROM Task WHERE CallObject IN ({legs})"),
            );
            if self.legs.voice_calls.get() != Some(&false) {
                reads = reads.query(
                    Part::VoiceCalls,
                    &format!(
                        "SELECT Id, VendorCallKey, RelatedRecordId FROM VoiceCall WHERE VendorCallKey IN ({legs})"
                    ),
                );
            }
        }
        if !query.usernames.is_empty() {
            let field = query.user_field;
            let names = list(&query.usernames);
            reads = reads.query(
                Part::Users,
                &format!("SELECT Id, {field} FROM User WHERE IsActive = true AND {field} IN ({names})"),
            );
        }
        if self.legs.closed_status.get().is_none() {
            reads = reads.query(Part::TaskStatuses, CLOSED_STATUSES);
        }
        let answer = self.send_composite(reads, deadline).await?;

        let mut facts = LegFacts { run_as_user: self.run_as_user(deadline).await?, ..LegFacts::default() };
        for part in [Part::Cases, Part::KeyedCases] {
            for row in answer.rows::<CaseRow>(part)?.unwrap_or_default() {
                let key = query.external_id_field.and_then(|f| row.org_fields.get(f)).and_then(Value::as_str);
                let Some(id) = row.id.as_deref().and_then(CaseId::parse) else { continue };
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
        facts.tasks = answer.rows(Part::Tasks)?.unwrap_or_default();
        facts.voice_calls = match answer.part(Part::VoiceCalls) {
            Some(calls) if calls.error(Part::VoiceCalls).is_some_and(|error| error.is_unknown_object()) => {
                let _ = self.legs.voice_calls.set(false);
                None
            }
            Some(calls) => {
                let _ = self.legs.voice_calls.set(true);
                Some(calls.records(Part::VoiceCalls)?)
            }
            None => None,
        };
        let users: Vec<serde_json::Map<String, Value>> = answer.rows(Part::Users)?.unwrap_or_default();
        facts.users = users
            .iter()
            .filter_map(|row| {
                let id = row.get("Id").and_then(Value::as_str).and_then(SalesforceId::parse)?;
                let value = row.get(query.user_field).and_then(Value::as_str)?;
                Some((id, value.to_owned()))
            })
            .collect();
        if let Some(rows) = answer.rows::<StatusRow>(Part::TaskStatuses)? {
            let name = chosen_status(&rows)
                .ok_or_else(|| SalesforceError::Protocol("the org has no closed Task status".into()))?;
            let _ = self.legs.closed_status.set(name);
        }
        facts.closed_status = self.legs.closed_status.get().cloned().unwrap_or_default();
        Ok(facts)
    }

    async fn write_legs(&self, writes: &[LegWrite], deadline: Instant) -> Vec<WriteOutcome> {
        self.write_planned(writes, deadline).await
    }
}

impl SalesforceClient {
    /// The closed Task status new Tasks get (for the setup check). One request.
    pub async fn closed_task_status(&self, deadline: Instant) -> Result<Option<String>, SalesforceError> {
        let rows: Vec<StatusRow> = self.records(super::client::Language::Soql, CLOSED_STATUSES, deadline).await?;
        Ok(chosen_status(&rows))
    }
}

/// The default status when a closed one is the default, else the first closed one by order.
fn chosen_status(closed: &[StatusRow]) -> Option<String> {
    let chosen = closed.iter().find(|r| r.is_default).or(closed.first())?;
    chosen.api_name.clone().or_else(|| chosen.master_label.clone())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::salesforce::client::percent_encoded;

    #[test]
    fn query_values_are_percent_encoded_whole() {
        assert_eq!(
            percent_encoded("SELECT Id FROM Task WHERE CallObject IN ('a&b')"),
            "SELECT%20Id%20FROM%20Task%20WHERE%20CallObject%20IN%20%28%27a%26b%27%29"
        );
        assert_eq!(list(["o'brien", "x"]), r"'o\'brien', 'x'");
    }
}
