//! What the phone search needs to know of the org: which phone fields Contact and Account have for the
//! run-as user, and whether the org has person accounts. Learned from the describes (`describe.rs`) once
//! per container and held by the client.

/// What the org's describes tell the phone search, learned once per container: the phone fields of
/// Contact and Account the run-as user can read (custom ones included), and whether the org has person
/// accounts. An object whose describe is refused (no Read on Account, say) is not searched.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OrgShape {
    /// Contact's phone fields; empty: Contact is not searched.
    pub contact_phones: Vec<String>,
    /// Account's phone fields (`Phone`, `Fax`, the `Person…Phone` fields, custom ones); empty: Account is
    /// not searched.
    pub account_phones: Vec<String>,
    /// Whether Account has `IsPersonAccount` and `PersonContactId`: only then are they named.
    pub person_accounts: bool,
}

impl OrgShape {
    /// Every org's standard phone fields, without person accounts (for tests and fuzzing of the query).
    pub fn standard() -> Self {
        let fields = |names: &[&str]| names.iter().map(|n| (*n).to_owned()).collect();
        Self {
            contact_phones: fields(&["Phone", "MobilePhone", "HomePhone", "OtherPhone", "AssistantPhone", "Fax"]),
            account_phones: fields(&["Phone", "Fax"]),
            person_accounts: false,
        }
    }
}
