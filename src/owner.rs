//! Which owner a case gets: the first agent who answers the call, as the CTI Adapter's CTI Flow design
//! made the case in that agent's own session. Decision logic over small traits (`ContactDirectory` for
//! Connect, `CaseStore` and `CaseOwners` for Salesforce), with the per-container caches that keep a warm
//! container at one Connect and two Salesforce requests per event.

use std::collections::HashMap;
use std::sync::Mutex;

use tokio::time::Instant;

use crate::connect::{CASE_ID_ATTRIBUTE, CONNECTED_TO_AGENT, ConnectError, ContactDirectory, ContactEvent};
use crate::salesforce::{CaseId, CaseOwners, CaseStore, SalesforceError, SalesforceId};

/// How this deployment decides ownership: set once from configuration.
#[derive(Debug, Clone, PartialEq)]
pub struct OwnerRules {
    /// `CASE_OWNER=first-agent`.
    pub first_agent_owns: bool,
    /// `OWNER_USER_FIELD`: the `User` field holding the agent's Connect username.
    pub user_field: String,
    /// `CASE_EXTERNAL_ID_FIELD`: when set, the call's case is found in Salesforce, not asked of Connect.
    pub external_id_field: Option<String>,
}

/// What a contact event came to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OwnerOutcome {
    /// The case now belongs to the agent's Salesforce user.
    Assigned { case_id: CaseId, owner: SalesforceId },
    /// Nothing to do, and retrying would not help: a warning names why.
    NothingToDo(&'static str),
    /// An event this function does not act on (another type, a later leg's agent).
    Ignored(&'static str),
}

#[derive(Debug, Clone, thiserror::Error, PartialEq)]
pub enum OwnerError {
    #[error(transparent)]
    Salesforce(#[from] SalesforceError),
    #[error(transparent)]
    Connect(#[from] ConnectError),
}

/// Per-container answers that do not change during a shift: Connect usernames by user id, and the
/// Salesforce user behind each username. Only found answers are kept.
#[derive(Default)]
pub struct OwnerCache {
    usernames: Mutex<HashMap<String, String>>,
    users: Mutex<HashMap<String, SalesforceId>>,
}

impl OwnerCache {
    fn username(&self, user_id: &str) -> Option<String> {
        self.usernames.lock().unwrap_or_else(|p| p.into_inner()).get(user_id).cloned()
    }
    fn keep_username(&self, user_id: &str, username: &str) {
        self.usernames.lock().unwrap_or_else(|p| p.into_inner()).insert(user_id.to_owned(), username.to_owned());
    }
    fn user(&self, username: &str) -> Option<SalesforceId> {
        self.users.lock().unwrap_or_else(|p| p.into_inner()).get(username).cloned()
    }
    fn keep_user(&self, username: &str, user: &SalesforceId) {
        self.users.lock().unwrap_or_else(|p| p.into_inner()).insert(username.to_owned(), user.clone());
    }
}

/// Makes the first agent who answers the call the owner of its case. Sending the same event twice leaves
/// the same owner; nothing depends on having seen another event first.
pub async fn assign_first_agent(
    salesforce: &(impl CaseStore + CaseOwners),
    connect: &impl ContactDirectory,
    cache: &OwnerCache,
    event: &ContactEvent,
    rules: &OwnerRules,
    deadline: Instant,
) -> Result<OwnerOutcome, OwnerError> {
    if event.event_type != CONNECTED_TO_AGENT {
        return Ok(OwnerOutcome::Ignored("not a CONNECTED_TO_AGENT event"));
    }
    if !event.is_first_contact() {
        return Ok(OwnerOutcome::Ignored("a later leg's agent: the first agent keeps the case"));
    }
    if !rules.first_agent_owns {
        return Ok(OwnerOutcome::NothingToDo("CASE_OWNER is unchanged: the org's rules decide the owner"));
    }
    let Some(user_id) = &event.agent_user_id else {
        return Ok(OwnerOutcome::NothingToDo("the event names no agent"));
    };
    let Some(case_id) = call_case(salesforce, connect, event, rules, deadline).await? else {
        return Ok(OwnerOutcome::NothingToDo("the call has no case (no SfdcCaseId)"));
    };
    let username = match cache.username(user_id) {
        Some(username) => username,
        None => match connect.username(&event.instance_id, user_id).await? {
            Some(username) => {
                cache.keep_username(user_id, &username);
                username
            }
            None => return Ok(OwnerOutcome::NothingToDo("Connect does not know the agent")),
        },
    };
    let owner = match cache.user(&username) {
        Some(owner) => owner,
        None => match salesforce.active_users_with(&rules.user_field, &username, deadline).await?.as_slice() {
            [owner] => {
                cache.keep_user(&username, owner);
                owner.clone()
            }
            [] => return Ok(OwnerOutcome::NothingToDo("no active Salesforce user has the agent's username")),
            _ => return Ok(OwnerOutcome::NothingToDo("several active Salesforce users have the agent's username")),
        },
    };
    if salesforce.set_case_owner(&case_id, &owner, deadline).await? {
        Ok(OwnerOutcome::Assigned { case_id, owner })
    } else {
        Ok(OwnerOutcome::NothingToDo("the case is gone"))
    }
}

/// The call's case: by its external id in Salesforce when the deployment has one (sparing Connect's low
/// API quota), else from the call's `SfdcCaseId` attribute in Connect.
async fn call_case(
    salesforce: &impl CaseStore,
    connect: &impl ContactDirectory,
    event: &ContactEvent,
    rules: &OwnerRules,
    deadline: Instant,
) -> Result<Option<CaseId>, OwnerError> {
    if let Some(field) = &rules.external_id_field {
        let case = salesforce.read_case_by_key(field, &event.initial_contact_id, deadline).await?;
        return Ok(case.map(|case| case.id));
    }
    let attribute = connect.contact_attribute(&event.instance_id, &event.initial_contact_id, CASE_ID_ATTRIBUTE).await?;
    Ok(attribute.as_deref().and_then(CaseId::parse))
}
