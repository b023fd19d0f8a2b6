//! What a batch of contact records writes, as data the legs core plans ([`LegWrite`]: create or update a
//! leg's Task from a [`TaskDraft`], link a VoiceCall, set a case's owner), and how the adapter turns a
//! plan into requests: one sObject Collections create and one update, each record answered on its own.
//! Salesforce's own rules stay here: the API names, and `TaskSubtype` sent only on create (the org
//! refuses an update that sends it).

use serde::Deserialize;
use serde_json::{Map, Value, json};
use tokio::time::Instant;

use super::client::ApiRequest;
use super::error::unexpected;
use super::{CaseId, Refused, SalesforceClient, SalesforceError, SalesforceId};
use crate::time::Moment;

/// A leg's Task as the function writes it, in plain types; the adapter names the fields.
#[derive(Debug, Clone, PartialEq)]
pub struct TaskDraft {
    /// `WhatId`.
    pub case: CaseId,
    /// `WhoId`: the case's Contact.
    pub who: Option<SalesforceId>,
    /// `CallObject`: the leg's `ContactId`.
    pub call_object: String,
    /// `Status`: the org's closed status.
    pub status: String,
    pub subject: String,
    pub description: String,
    /// `OwnerId`; `None` leaves the org's default (the run-as user on create).
    pub owner: Option<SalesforceId>,
    /// `ActivityDate`: the day the leg ended.
    pub ended: Option<Moment>,
    /// `CallType` and `CallDurationInSeconds`, for a call.
    pub call: Option<CallFields>,
    /// `TaskSubtype`, which Salesforce takes on create only.
    pub subtype: TaskSubtype,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CallFields {
    pub call_type: Option<CallType>,
    pub duration_seconds: Option<u64>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CallType {
    Inbound,
    Outbound,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TaskSubtype {
    Call,
    Email,
    Task,
}

/// One write of a batch.
#[derive(Debug, Clone, PartialEq)]
pub enum LegWrite {
    CreateTask(TaskDraft),
    UpdateTask {
        id: SalesforceId,
        draft: TaskDraft,
    },
    /// `RelatedRecordId` of the VoiceCall `id` becomes `case`.
    LinkVoiceCall {
        id: SalesforceId,
        case: CaseId,
    },
    /// The case's owner becomes `owner`, with assignment rules kept off.
    SetOwner {
        case: CaseId,
        owner: SalesforceId,
    },
}

/// How one planned write ended: written, refused on its own, or not sent (its request failed).
#[derive(Debug, Clone, PartialEq)]
pub enum WriteOutcome {
    Written,
    Refused(Refused),
    NotSent(SalesforceError),
}

impl TaskDraft {
    /// The Task's fields by API name; `create` adds those Salesforce takes only on create.
    fn fields(&self, create: bool) -> Map<String, Value> {
        let mut task = Map::new();
        let mut put = |name: &str, value: Value| drop(task.insert(name.to_owned(), value));
        put("WhatId", self.case.as_str().into());
        if let Some(who) = &self.who {
            put("WhoId", who.as_str().into());
        }
        put("CallObject", self.call_object.clone().into());
        put("Status", self.status.clone().into());
        put("Subject", self.subject.clone().into());
        put("Description", self.description.clone().into());
        if let Some(owner) = &self.owner {
            put("OwnerId", owner.as_str().into());
        }
        if let Some(ended) = self.ended {
            put("ActivityDate", ended.date().into());
        }
        if let Some(call) = self.call {
            if let Some(call_type) = call.call_type {
                let word = match call_type {
                    CallType::Inbound => "Inbound",
                    CallType::Outbound => "Outbound",
                };
                put("CallType", word.into());
            }
            if let Some(seconds) = call.duration_seconds {
                put("CallDurationInSeconds", seconds.into());
            }
        }
        if create {
            let subtype = match self.subtype {
                TaskSubtype::Call => "Call",
                TaskSubtype::Email => "Email",
                TaskSubtype::Task => "Task",
            };
            put("TaskSubtype", subtype.into());
        }
        task
    }
}

/// A record of a collection request: its type, its fields, and its `Id` for an update.
fn record(object: &str, id: Option<&str>, mut fields: Map<String, Value>) -> Value {
    fields.insert("attributes".into(), json!({"type": object}));
    if let Some(id) = id {
        fields.insert("Id".into(), id.into());
    }
    Value::Object(fields)
}

impl LegWrite {
    /// Whether it creates a record (a POST), rather than changing one (a PATCH).
    fn creates(&self) -> bool {
        matches!(self, Self::CreateTask(_))
    }

    fn body(&self) -> Value {
        match self {
            Self::CreateTask(draft) => record("Task", None, draft.fields(true)),
            Self::UpdateTask { id, draft } => record("Task", Some(id.as_str()), draft.fields(false)),
            Self::LinkVoiceCall { id, case } => {
                let fields = Map::from_iter([("RelatedRecordId".to_owned(), case.as_str().into())]);
                record("VoiceCall", Some(id.as_str()), fields)
            }
            Self::SetOwner { case, owner } => {
                let fields = Map::from_iter([("OwnerId".to_owned(), owner.as_str().into())]);
                record("Case", Some(case.as_str()), fields)
            }
        }
    }
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

impl SalesforceClient {
    /// Carries out `writes`: the creates in one collection request, then the updates in another. Each
    /// write's outcome, in order.
    pub(super) async fn write_planned(&self, writes: &[LegWrite], deadline: Instant) -> Vec<WriteOutcome> {
        let mut outcomes = vec![WriteOutcome::Written; writes.len()];
        for create in [true, false] {
            let (indexes, bodies): (Vec<usize>, Vec<Value>) =
                writes.iter().enumerate().filter(|(_, w)| w.creates() == create).map(|(n, w)| (n, w.body())).unzip();
            if bodies.is_empty() {
                continue;
            }
            match self.collection(create, &bodies, deadline).await {
                Ok(answers) => {
                    for (index, answer) in indexes.into_iter().zip(answers) {
                        outcomes[index] = answer;
                    }
                }
                Err(error) => {
                    for index in indexes {
                        outcomes[index] = WriteOutcome::NotSent(error.clone());
                    }
                }
            }
        }
        outcomes
    }

    /// One sObject Collections request (`allOrNone` false: each record answered on its own). An update
    /// keeps every case's owner as written (`Sforce-Auto-Assign: FALSE`) and may be sent again; a create
    /// may not (a lost answer is found by the next delivery's query instead).
    async fn collection(
        &self,
        create: bool,
        records: &[Value],
        deadline: Instant,
    ) -> Result<Vec<WriteOutcome>, SalesforceError> {
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
                (true, Some(_)) => WriteOutcome::Written,
                _ => WriteOutcome::Refused(Refused::new(answer.errors.iter().map(|e| e.status_code.as_str()))),
            })
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn draft() -> TaskDraft {
        TaskDraft {
            case: CaseId::parse("500Dn0000000001IAA").expect("id"),
            who: None,
            call_object: "7f9e2c1a-3b4d-4e5f-8a6b-9c0d1e2f3a4b".into(),
            status: "Completed".into(),
            subject: "Call: Support".into(),
            description: "Started: TRANSFER".into(),
            owner: None,
            ended: Moment::parse("2026-12-06T10:02:00.900Z"),
            call: Some(CallFields { call_type: Some(CallType::Inbound), duration_seconds: Some(115) }),
            subtype: TaskSubtype::Call,
        }
    }

    #[test]
    fn a_task_is_written_in_salesforce_s_names_and_its_subtype_only_on_create() {
        let created = LegWrite::CreateTask(draft()).body();
        assert_eq!(created["attributes"]["type"], "Task");
        assert_eq!(created["CallType"], "Inbound");
        assert_eq!(created["CallDurationInSeconds"], 115);
        assert_eq!(created["ActivityDate"], "2026-12-06");
        assert_eq!(created["TaskSubtype"], "Call");
        assert!(created.get("Id").is_none() && created.get("WhoId").is_none() && created.get("OwnerId").is_none());
        let id = SalesforceId::parse("00TDn0000000001IAA").expect("id");
        let updated = LegWrite::UpdateTask { id: id.clone(), draft: draft() }.body();
        assert_eq!(updated["Id"], id.as_str());
        assert!(updated.get("TaskSubtype").is_none(), "Salesforce refuses TaskSubtype on update");
        let chat = TaskDraft { call: None, subtype: TaskSubtype::Task, ..draft() };
        let chat = LegWrite::CreateTask(chat).body();
        assert_eq!((chat.get("CallType"), chat["TaskSubtype"].as_str()), (None, Some("Task")));
    }
}
