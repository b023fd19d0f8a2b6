//! How the org is set up, as its describes and Connect's answers report it; tests set it up wrong on
//! purpose. A leaf: the describes (`describe.rs`) and Connect (`connect.rs`) read it from the state.

/// Padding fields that make the describes of Contact and Account about the size of a real org's (a few
/// hundred KB each: every field with its fifty-odd attributes).
pub const REAL_ORG_PADDING: usize = 250;

/// The org's setup as describes report it. `Setup::default()` is a sound one.
#[derive(Debug, Clone, PartialEq)]
pub struct Setup {
    /// The newest API version served (versions from 31.0 up are listed).
    pub newest_version: u32,
    pub case_createable: bool,
    pub case_readable: bool,
    /// Whether the org's Case External ID field is marked External ID, and Unique; `None`: no such field.
    pub external_id_field: Option<(bool, bool)>,
    /// Whether the run-as user may describe User.
    pub user_describable: bool,
    /// Connect answers `AccessDeniedException` to `GetContactAttributes` (a role without the permission).
    pub connect_denied: bool,
    /// Whether the run-as user may read Account (describe it, search it).
    pub account_readable: bool,
    /// Case fields the run-as user cannot read (field-level security): naming one in a read is
    /// `INVALID_FIELD`.
    pub unreadable_case_fields: Vec<&'static str>,
    /// The Case Number's Auto Number display format: its literal prefix (`CS/2026-`) before a six-digit
    /// number; `None`: eight digits, as a new org numbers cases.
    pub case_number_prefix: Option<String>,
    /// Whether the org has person accounts: `IsPersonAccount`, `PersonContactId` and the `Person…Phone`
    /// fields exist. Adding a person account turns it on.
    pub person_accounts: bool,
    /// Fields of no interest added to every Contact and Account describe, each with the forty-odd
    /// attributes a real describe gives a field: [`REAL_ORG_PADDING`] make a describe as large as a real org's.
    pub describe_padding: usize,
    /// Whether the org has Salesforce Voice's `VoiceCall` object.
    pub voice_calls: bool,
    /// What the run-as user may do with VoiceCalls, in an org that has them.
    pub voice_call_access: VoiceCallAccess,
    /// Whether the run-as user may create and update Tasks and see `Task.CallObject`.
    pub tasks_writable: bool,
}

impl Default for Setup {
    fn default() -> Self {
        Self {
            newest_version: 66,
            case_createable: true,
            case_readable: true,
            external_id_field: Some((true, true)),
            user_describable: true,
            connect_denied: false,
            account_readable: true,
            unreadable_case_fields: Vec::new(),
            case_number_prefix: None,
            person_accounts: false,
            describe_padding: 0,
            voice_calls: false,
            voice_call_access: VoiceCallAccess::Edit,
            tasks_writable: true,
        }
    }
}

/// What the run-as user may do with VoiceCalls: the Salesforce Voice permission set an admin assigns, or
/// not.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VoiceCallAccess {
    /// Read VoiceCalls and edit `RelatedRecordId`.
    Edit,
    /// Read them; `RelatedRecordId` is read-only (field-level security).
    ReadOnly,
    /// No access: to this user the org has no VoiceCall object.
    None,
}

/// A Task status: its API name, whether it closes the task, whether it is the default, its order.
#[derive(Debug, Clone, PartialEq)]
pub struct TaskStatus {
    pub api_name: String,
    pub closed: bool,
    pub default: bool,
    pub sort_order: u32,
}

/// A new org's Task statuses, the closed one named `closed`.
pub(crate) fn task_statuses(closed: &str) -> Vec<TaskStatus> {
    let status = |name: &str, closed: bool, default: bool, sort_order: u32| TaskStatus {
        api_name: name.to_owned(),
        closed,
        default,
        sort_order,
    };
    vec![
        status("Not Started", false, true, 1),
        status("In Progress", false, false, 2),
        status(closed, true, false, 3),
        status("Waiting on someone else", false, false, 4),
        status("Deferred", false, false, 5),
    ]
}
