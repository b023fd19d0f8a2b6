//! What the function learns of the org once per container and the client holds: for the phone search,
//! which phone fields Contact and Account have for the run-as user and whether the org has person
//! accounts (from the describes, `describe.rs`); for contact-record batches, the closed Task status and
//! whether the org has VoiceCall (from the batch's first read, `legs.rs`).

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

    /// The shape two describes give; `None` for an object whose describe the org refused.
    pub(super) fn from_describes(contact: Option<&PhoneFields>, account: Option<&PhoneFields>) -> Self {
        Self {
            contact_phones: contact.map(|c| c.phones.clone()).unwrap_or_default(),
            account_phones: account.map(|a| a.phones.clone()).unwrap_or_default(),
            person_accounts: account.is_some_and(|a| a.person_accounts),
        }
    }
}

/// What the phone search takes from one object's describe: the names of its phone-type fields and
/// whether it has `IsPersonAccount` and `PersonContactId` (read by `describe.rs`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(super) struct PhoneFields {
    pub(super) phones: Vec<String>,
    pub(super) person_accounts: bool,
}

/// What contact-record batches learn of the org once per container: the closed Task status new Tasks
/// get, and whether the org has Salesforce Voice's `VoiceCall`.
#[derive(Debug, Default)]
pub(super) struct LegCache {
    pub(super) closed_status: std::sync::OnceLock<String>,
    /// Whether the org has `VoiceCall`, once a query said.
    pub(super) voice_calls: std::sync::OnceLock<bool>,
}
