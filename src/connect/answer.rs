//! What the function answers a flow: a flat map of strings, which Connect exposes as `$.External.<key>`.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::salesforce::{CaseId, SalesforceId};

/// The contact attribute (and answer key) that carries the case from leg to leg.
pub const CASE_ID_ATTRIBUTE: &str = "SfdcCaseId";
/// The contact attribute (and answer key) that carries the first leg's match count to later legs.
pub const CONTACT_MATCHES_ATTRIBUTE: &str = "SfdcContactMatches";
/// The contact attribute that tells a later event how the first leg got its case (`reused`: the case
/// keeps its owner).
pub const CASE_OUTCOME_ATTRIBUTE: &str = "SfdcCaseOutcome";

/// What the function answers; Connect exposes it as `$.External.<key>`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Answer {
    pub case_id: CaseId,
    pub case_number: String,
    pub outcome: Outcome,
    pub contact_id: Option<SalesforceId>,
    pub account_id: Option<SalesforceId>,
    pub contact_matches: u32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// The attribute's case, or the case already made for this call.
    Found,
    Created,
    /// The attribute named a missing, deleted or malformed case, so a new one was made.
    Replaced,
    /// A repeat caller's open case, given back instead of a new one.
    Reused,
}

impl Outcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Found => "found",
            Self::Created => "created",
            Self::Replaced => "replaced",
            Self::Reused => "reused",
        }
    }
}

impl Answer {
    /// The flat map of strings Connect requires.
    pub fn to_map(&self) -> BTreeMap<&'static str, String> {
        let id = |id: &Option<SalesforceId>| id.as_ref().map(ToString::to_string).unwrap_or_default();
        BTreeMap::from([
            (CASE_ID_ATTRIBUTE, self.case_id.to_string()),
            ("SfdcCaseNumber", self.case_number.clone()),
            ("SfdcCaseOutcome", self.outcome.as_str().to_owned()),
            ("SfdcContactId", id(&self.contact_id)),
            ("SfdcAccountId", id(&self.account_id)),
            (CONTACT_MATCHES_ATTRIBUTE, self.contact_matches.to_string()),
        ])
    }
}

impl Serialize for Answer {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.to_map().serialize(serializer)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::Value;

    #[test]
    fn answer_is_a_flat_string_map() {
        let answer = Answer {
            case_id: CaseId::parse("5005g00000AbCdE").expect("id"),
            case_number: "00001001".into(),
            outcome: Outcome::Created,
            contact_id: None,
            account_id: None,
            contact_matches: 2,
        };
        let value = serde_json::to_value(&answer).expect("serializes");
        let map = value.as_object().expect("object");
        assert_eq!(map.len(), 6);
        assert!(map.values().all(Value::is_string));
        assert_eq!(map["SfdcContactMatches"], "2");
        assert_eq!(map["SfdcContactId"], "");
    }
}
