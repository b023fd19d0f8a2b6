//! Each object's fields as this org has them, in one place that queries, writes, the search and the
//! describes all read, so a client that names a field the org lacks gets `INVALID_FIELD`, one that writes
//! a field the org sets itself `INVALID_FIELD_FOR_INSERT_UPDATE`, as from a real org:
//! - Case, User, Task, TaskStatus and VoiceCall: one [`Object`] entry each;
//! - Contact and Account: their standard fields, the person-account fields when the org has person
//!   accounts, and the custom phone fields its records use (`Work_Phone__c`).
//!
//! A new object is one entry here.

use crate::known::EXTERNAL_ID_FIELD;
use crate::state::State;

/// Whether and when a client may write a field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Write {
    /// The org sets it (an id, a formula, an audit field).
    Never,
    /// On create only (`Task.TaskSubtype`).
    OnCreate,
    Always,
}

/// One field: its name, its describe type, when it may be written, and its length limit.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Field {
    pub name: &'static str,
    pub kind: &'static str,
    pub write: Write,
    pub max_length: usize,
}

const fn field(name: &'static str, kind: &'static str, write: Write) -> Field {
    Field { name, kind, write, max_length: 255 }
}

const fn sized(name: &'static str, kind: &'static str, max_length: usize) -> Field {
    Field { name, kind, write: Write::Always, max_length }
}

/// An object the org serves, with every field a client may name.
#[derive(Debug)]
pub(crate) struct Object {
    pub name: &'static str,
    pub fields: &'static [Field],
}

impl Object {
    /// The field `name`, compared as Salesforce compares API names.
    pub(crate) fn field(&self, name: &str) -> Option<&'static Field> {
        self.fields.iter().find(|f| f.name.eq_ignore_ascii_case(name))
    }

    pub(crate) fn names(&self) -> impl Iterator<Item = &'static str> {
        self.fields.iter().map(|f| f.name)
    }
}

use Write::{Always, Never, OnCreate};

pub(crate) const CASE: Object = Object {
    name: "Case",
    fields: &[
        field("Id", "id", Never),
        field("CaseNumber", "string", Never),
        field("Subject", "string", Always),
        field("Origin", "picklist", Always),
        field("Status", "picklist", Always),
        field("IsClosed", "boolean", Never),
        sized("Description", "textarea", 32_000),
        sized("SuppliedPhone", "string", 40),
        field("SuppliedName", "string", Always),
        field("SuppliedEmail", "email", Always),
        field("ContactId", "reference", Always),
        field("AccountId", "reference", Always),
        field("Reason", "picklist", Always),
        field("Priority", "picklist", Always),
        field("Type", "picklist", Always),
        field("IsEscalated", "boolean", Always),
        sized("Call_Reason__c", "textarea", 32_000),
        field("OwnerId", "reference", Always),
        field("CreatedDate", "datetime", Never),
        field("LastModifiedDate", "datetime", Never),
        field("SystemModstamp", "datetime", Never),
        field(EXTERNAL_ID_FIELD, "string", Always),
    ],
};

pub(crate) const USER: Object = Object {
    name: "User",
    fields: &[
        field("Id", "id", Never),
        field("Username", "string", Never),
        field("Email", "email", Never),
        field("FederationIdentifier", "string", Never),
        field("IsActive", "boolean", Never),
    ],
};

pub(crate) const TASK: Object = Object {
    name: "Task",
    fields: &[
        field("Id", "id", Never),
        field("WhatId", "reference", Always),
        field("WhoId", "reference", Always),
        field("Subject", "combobox", Always),
        field("Status", "picklist", Always),
        field("IsClosed", "boolean", Never),
        field("ActivityDate", "date", Always),
        field("OwnerId", "reference", Always),
        field("CallObject", "string", Always),
        field("TaskSubtype", "picklist", OnCreate),
        field("CallType", "picklist", Always),
        field("CallDurationInSeconds", "int", Always),
        sized("Description", "textarea", 32_000),
        field("Priority", "picklist", Always),
        field("CreatedById", "reference", Never),
    ],
};

pub(crate) const TASK_STATUS: Object = Object {
    name: "TaskStatus",
    fields: &[
        field("Id", "id", Never),
        field("ApiName", "string", Never),
        field("MasterLabel", "string", Never),
        field("IsClosed", "boolean", Never),
        field("IsDefault", "boolean", Never),
        field("SortOrder", "int", Never),
    ],
};

pub(crate) const VOICE_CALL: Object = Object {
    name: "VoiceCall",
    fields: &[
        field("Id", "id", Never),
        field("VendorCallKey", "string", Never),
        field("RelatedRecordId", "reference", Always),
    ],
};

/// Contact's fields other than its phone fields.
const CONTACT_BASE: [(&str, &str); 6] = [
    ("Id", "id"),
    ("AccountId", "reference"),
    ("FirstName", "string"),
    ("LastName", "string"),
    ("Name", "string"),
    ("Email", "email"),
];

/// Contact's standard phone fields.
const CONTACT_PHONES: [&str; 6] = ["Phone", "MobilePhone", "HomePhone", "OtherPhone", "AssistantPhone", "Fax"];
/// Account's standard phone fields.
const ACCOUNT_PHONES: [&str; 2] = ["Phone", "Fax"];
/// A person account's own phone fields on Account, each mirrored on its Contact row.
pub(crate) const PERSON_PHONES: [(&str, &str); 4] = [
    ("PersonMobilePhone", "MobilePhone"),
    ("PersonHomePhone", "HomePhone"),
    ("PersonOtherPhone", "OtherPhone"),
    ("PersonAssistantPhone", "AssistantPhone"),
];

/// A field's name and describe type, for the objects whose fields the org's records decide.
pub(crate) type Named = (String, &'static str);

/// The phone fields of `object` (`Contact` or `Account`) in this org.
pub(crate) fn phone_fields(state: &State, object: &str) -> Vec<String> {
    let (standard, custom): (&[&str], Vec<&str>) = match object {
        "Contact" => {
            (&CONTACT_PHONES, state.contacts.iter().flat_map(|r| r.contact.phones.iter().map(|(f, _)| *f)).collect())
        }
        "Account" => (&ACCOUNT_PHONES, state.accounts.iter().flat_map(|r| r.phones.iter().map(|(f, _)| *f)).collect()),
        _ => (&[], Vec::new()),
    };
    let mut fields: Vec<String> = standard.iter().map(|f| (*f).to_owned()).collect();
    if object == "Account" && state.setup.person_accounts {
        fields.extend(PERSON_PHONES.iter().map(|(f, _)| (*f).to_owned()));
    }
    for field in custom.into_iter().filter(|f| f.ends_with("__c")) {
        if !fields.iter().any(|f| f == field) {
            fields.push(field.to_owned());
        }
    }
    fields
}

/// Every field of `object` a client may name, with its describe type; `None` for an object the org does
/// not serve here.
pub(crate) fn fields(state: &State, object: &str) -> Option<Vec<Named>> {
    let person = state.setup.person_accounts;
    let mut fields: Vec<Named> = match object {
        "Contact" => CONTACT_BASE.iter().map(|(name, kind)| ((*name).to_owned(), *kind)).collect(),
        "Account" if state.setup.account_readable => vec![("Id".into(), "id"), ("Name".into(), "string")],
        _ => return None,
    };
    if person {
        fields.push(("IsPersonAccount".into(), "boolean"));
        if object == "Account" {
            fields.push(("PersonContactId".into(), "reference"));
        }
    }
    fields.extend(phone_fields(state, object).into_iter().map(|f| (f, "phone")));
    Some(fields)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn queries_and_writes_both_read_the_one_entry() {
        for object in [&CASE, &USER, &TASK, &TASK_STATUS, &VOICE_CALL] {
            let mut names: Vec<&str> = object.names().collect();
            names.sort_unstable();
            names.dedup();
            assert_eq!(names.len(), object.fields.len(), "{} names a field twice", object.name);
        }
        let state = State::default();
        let (status, _) =
            crate::query::soql(&state, "v66.0", "SELECT Id, CreatedById FROM Task WHERE CallObject IN ('x')");
        assert!(status.is_success(), "a field of the entry is queryable");
        let (_, refused) = crate::query::soql(&state, "v66.0", "SELECT Id, Mood__c FROM Task");
        assert_eq!(refused[0]["errorCode"], "INVALID_FIELD");
        let mut state = State { task_statuses: crate::setup::task_statuses("Completed"), ..State::default() };
        let body = json!({"allOrNone": false, "records": [
            {"attributes": {"type": "Task"}, "Status": "Completed", "CreatedById": "005000000000001AAA"},
        ]});
        let (_, answer) = crate::activities::collection(&mut state, true, &body, None);
        assert_eq!(answer[0]["errors"][0]["statusCode"], "INVALID_FIELD_FOR_INSERT_UPDATE", "the org sets it");
    }
}
