//! The case a call's first leg gave it, as the later parts of the call need it: the first agent's contact
//! event, and each leg's record. Read from the call's contact attributes (`SfdcCaseId` and
//! `SfdcCaseOutcome`, which the first leg stores), or from the case that holds the call's id in the
//! deployment's external id field. Plain data, no I/O.

use crate::connect::{CASE_ID_ATTRIBUTE, CASE_OUTCOME_ATTRIBUTE, Outcome};
use crate::salesforce::{CaseId, CaseRecord};

/// The case a call's first leg gave it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CallCase {
    /// A case made for this call: the call's first agent takes it.
    Made(CaseId),
    /// A repeat caller's open case: it keeps its owner.
    Reused,
    /// No case yet (the first leg has not stored one), or none this function made.
    None,
}

impl CallCase {
    /// From the call's contact attributes, as `attribute` gives them by name. A malformed `SfdcCaseId` is
    /// no case.
    pub fn from_attributes<'a>(attribute: impl Fn(&str) -> Option<&'a str>) -> Self {
        if attribute(CASE_OUTCOME_ATTRIBUTE) == Some(Outcome::Reused.as_str()) {
            return Self::Reused;
        }
        attribute(CASE_ID_ATTRIBUTE).and_then(CaseId::parse).map_or(Self::None, Self::Made)
    }

    /// From the case found by the call's external id: it was made for this call, since a reused case holds
    /// the id of the call that made it.
    pub fn from_keyed(case: Option<CaseRecord>) -> Self {
        case.map_or(Self::None, |case| Self::Made(case.id))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn of(pairs: &[(&str, &str)]) -> CallCase {
        let attributes: HashMap<String, String> =
            pairs.iter().map(|(name, value)| ((*name).to_owned(), (*value).to_owned())).collect();
        CallCase::from_attributes(|name| attributes.get(name).map(String::as_str))
    }

    #[test]
    fn the_attributes_name_the_call_s_case_unless_it_was_reused() {
        let id = CaseId::parse("500000000000042").expect("id");
        assert_eq!(of(&[("SfdcCaseId", "500000000000042"), ("SfdcCaseOutcome", "created")]), CallCase::Made(id));
        assert_eq!(of(&[("SfdcCaseId", "500000000000042"), ("SfdcCaseOutcome", "reused")]), CallCase::Reused);
        assert_eq!(of(&[("SfdcCaseId", "001000000000042")]), CallCase::None, "not a Case id");
        assert_eq!(of(&[("SfdcCaseId", "500'--")]), CallCase::None);
        assert_eq!(of(&[]), CallCase::None);
    }
}
