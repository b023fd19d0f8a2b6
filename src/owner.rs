//! Which owner a case gets: the first agent who answers the call, as the CTI Adapter's CTI Flow design
//! made the case in that agent's own session. Decision logic over small traits (`ContactDirectory` for
//! Connect, `CaseStore` and `CaseOwners` for Salesforce), with the per-container caches that keep a warm
//! container at one Connect and two Salesforce requests per event.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;

use tokio::time::Instant;

use crate::call_case::CallCase;
use crate::connect::{ConnectError, ContactDirectory, ContactEvent};
use crate::salesforce::{CaseId, CaseOwners, KeyedCases, SalesforceError, SalesforceId};

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
    /// An event this function does not act on (another type, another kind, a later leg's agent).
    Ignored(&'static str),
}

#[derive(Debug, Clone, thiserror::Error, PartialEq)]
pub enum OwnerError {
    #[error(transparent)]
    Salesforce(#[from] SalesforceError),
    #[error(transparent)]
    Connect(#[from] ConnectError),
}

/// How long a container trusts what it learned of an agent: an agent renamed in Connect, or a Salesforce
/// user deactivated or changed mid-shift, is seen within this time, at one more request per agent.
pub const AGENT_CACHE_LIFETIME: Duration = Duration::from_secs(15 * 60);

/// Per-container answers that rarely change during a shift, each kept for [`AGENT_CACHE_LIFETIME`]:
/// Connect usernames by user id, and the Salesforce user behind each username. Only found answers are
/// kept.
#[derive(Default)]
pub struct OwnerCache {
    usernames: Expiring<String>,
    users: Expiring<SalesforceId>,
}

/// A map whose entries are forgotten [`AGENT_CACHE_LIFETIME`] after they were kept.
struct Expiring<V>(Mutex<HashMap<String, (Instant, V)>>);

impl<V> Default for Expiring<V> {
    fn default() -> Self {
        Self(Mutex::new(HashMap::new()))
    }
}

impl<V: Clone> Expiring<V> {
    fn get(&self, key: &str) -> Option<V> {
        let mut map = self.0.lock().unwrap_or_else(|p| p.into_inner());
        match map.get(key) {
            Some((kept, value)) if kept.elapsed() < AGENT_CACHE_LIFETIME => Some(value.clone()),
            Some(_) => {
                map.remove(key);
                None
            }
            None => None,
        }
    }

    fn keep(&self, key: &str, value: V) {
        self.0.lock().unwrap_or_else(|p| p.into_inner()).insert(key.to_owned(), (Instant::now(), value));
    }
}

impl OwnerCache {
    fn username(&self, user_id: &str) -> Option<String> {
        self.usernames.get(user_id)
    }
    fn keep_username(&self, user_id: &str, username: &str) {
        self.usernames.keep(user_id, username.to_owned());
    }
    fn user(&self, username: &str) -> Option<SalesforceId> {
        self.users.get(username)
    }
    fn keep_user(&self, username: &str, user: &SalesforceId) {
        self.users.keep(username, user.clone());
    }
}

/// Makes the first agent who answers the call the owner of its case, on a `CONNECTED_TO_AGENT` event.
/// Sending the same event twice leaves the same owner; nothing depends on having seen another event first.
pub async fn assign_first_agent(
    salesforce: &(impl KeyedCases + CaseOwners),
    connect: &impl ContactDirectory,
    cache: &OwnerCache,
    event: &ContactEvent,
    rules: &OwnerRules,
    deadline: Instant,
) -> Result<OwnerOutcome, OwnerError> {
    let Some(case_contact) = event.case_contact() else {
        return Ok(OwnerOutcome::Ignored("a later leg's agent: the first agent keeps the case"));
    };
    if !rules.first_agent_owns {
        return Ok(OwnerOutcome::NothingToDo("CASE_OWNER is unchanged: the org's rules decide the owner"));
    }
    let Some(user_id) = &event.agent_user_id else {
        return Ok(OwnerOutcome::NothingToDo("the event names no agent"));
    };
    let case_id = match call_case(salesforce, connect, event, case_contact, rules, deadline).await? {
        CallCase::Made(case_id) => case_id,
        CallCase::Reused => return Ok(OwnerOutcome::Ignored("a repeat caller's reused case keeps its owner")),
        CallCase::None if rules.external_id_field.is_some() => {
            return Ok(OwnerOutcome::NothingToDo(
                "no case holds the call's id: the first leg has not made one yet, or it reused an open case (which keeps its owner)",
            ));
        }
        CallCase::None => return Ok(OwnerOutcome::NothingToDo("the call has no case (no SfdcCaseId)")),
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

/// The case made on `case_contact` (the call's first contact): by its external id in Salesforce when the
/// deployment has one (sparing Connect's low API quota; a reused case holds another call's id, so it is
/// not found, and keeps its owner), else from that contact's `SfdcCaseId` and `SfdcCaseOutcome` attributes
/// in Connect (one request for both).
async fn call_case(
    salesforce: &impl KeyedCases,
    connect: &impl ContactDirectory,
    event: &ContactEvent,
    case_contact: &str,
    rules: &OwnerRules,
    deadline: Instant,
) -> Result<CallCase, OwnerError> {
    if let Some(field) = &rules.external_id_field {
        return Ok(CallCase::from_keyed(salesforce.read_case_by_key(field, case_contact, deadline).await?));
    }
    let attributes = connect.contact_attributes(&event.instance_id, case_contact).await?;
    Ok(CallCase::from_attributes(|name| attributes.get(name).map(String::as_str)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::connect::{CASE_ID_ATTRIBUTE, CASE_OUTCOME_ATTRIBUTE, EventBridgeEvent};
    use crate::salesforce::CaseRecord;
    use serde_json::json;

    /// An in-memory org and Connect instance that record which calls an event made.
    #[derive(Default)]
    struct Memory {
        attribute: Option<String>,
        /// The first leg answered `reused`.
        reused: bool,
        users: Vec<SalesforceId>,
        calls: Mutex<Vec<&'static str>>,
    }

    impl Memory {
        fn call(&self, name: &'static str) {
            self.calls.lock().unwrap_or_else(|p| p.into_inner()).push(name);
        }
        fn take_calls(&self) -> Vec<&'static str> {
            std::mem::take(&mut *self.calls.lock().unwrap_or_else(|p| p.into_inner()))
        }
    }

    fn case_id() -> CaseId {
        CaseId::parse("500000000000042").expect("id")
    }

    impl KeyedCases for Memory {
        async fn read_case_by_key(&self, _: &str, _: &str, _: Instant) -> Result<Option<CaseRecord>, SalesforceError> {
            self.call("read by key");
            Ok(Some(CaseRecord { id: case_id(), number: "1".into(), contact_id: None, account_id: None }))
        }
    }

    impl CaseOwners for Memory {
        async fn active_users_with(&self, _: &str, _: &str, _: Instant) -> Result<Vec<SalesforceId>, SalesforceError> {
            self.call("users");
            Ok(self.users.clone())
        }
        async fn set_case_owner(&self, _: &CaseId, _: &SalesforceId, _: Instant) -> Result<bool, SalesforceError> {
            self.call("set owner");
            Ok(true)
        }
    }

    impl ContactDirectory for Memory {
        async fn contact_attributes(&self, _: &str, _: &str) -> Result<HashMap<String, String>, ConnectError> {
            self.call("attribute");
            let mut attributes: HashMap<String, String> =
                self.attribute.iter().map(|id| (CASE_ID_ATTRIBUTE.to_owned(), id.clone())).collect();
            if self.reused {
                attributes.insert(CASE_OUTCOME_ATTRIBUTE.to_owned(), "reused".to_owned());
            }
            Ok(attributes)
        }
        async fn username(&self, _: &str, _: &str) -> Result<Option<String>, ConnectError> {
            self.call("username");
            Ok(Some("ada@example.com".into()))
        }
    }

    fn connected(contact: &str, initial: Option<&str>) -> ContactEvent {
        let mut detail = json!({
            "eventType": "CONNECTED_TO_AGENT", "contactId": contact,
            "instanceArn": "arn:aws:connect:us-east-1:123456789012:instance/9308c2a1-9bc6-4cea-8290-6c0b4a6d38fa",
            "agentInfo": {"agentArn": "arn:aws:connect:us-east-1:123456789012:instance/9308c2a1-9bc6-4cea-8290-6c0b4a6d38fa/agent/0b2ae5b7-3f2c-4a9e-9d1e-7c6b5a4f3e2d"},
        });
        if let Some(initial) = initial {
            detail["initialContactId"] = json!(initial);
        }
        let payload = json!({"source": "aws.connect", "detail-type": "Amazon Connect Contact Event", "detail": detail});
        match EventBridgeEvent::from_value(&payload) {
            Ok(EventBridgeEvent::Contact(event)) => event,
            other => panic!("a contact event: {other:?}"),
        }
    }

    const CALL: &str = "5ca32fbd-8f92-46af-92a5-6b0f970f0efe";

    fn rules(external_id_field: Option<&str>) -> OwnerRules {
        OwnerRules {
            first_agent_owns: true,
            user_field: "Email".into(),
            external_id_field: external_id_field.map(str::to_owned),
        }
    }

    async fn run(memory: &Memory, cache: &OwnerCache, event: &ContactEvent, rules: &OwnerRules) -> OwnerOutcome {
        let deadline = Instant::now() + std::time::Duration::from_secs(5);
        assign_first_agent(memory, memory, cache, event, rules, deadline).await.expect("no failure")
    }

    #[tokio::test]
    async fn an_agent_seen_before_costs_one_connect_and_one_salesforce_request() {
        let user = SalesforceId::parse("005000000000007").expect("id");
        let memory = Memory { attribute: Some(case_id().to_string()), users: vec![user.clone()], ..Memory::default() };
        let cache = OwnerCache::default();
        let outcome = run(&memory, &cache, &connected(CALL, None), &rules(None)).await;
        assert_eq!(outcome, OwnerOutcome::Assigned { case_id: case_id(), owner: user });
        assert_eq!(memory.take_calls(), ["attribute", "username", "users", "set owner"]);
        run(&memory, &cache, &connected(CALL, None), &rules(None)).await;
        assert_eq!(memory.take_calls(), ["attribute", "set owner"]);
        run(&memory, &cache, &connected(CALL, None), &rules(Some("Ext__c"))).await;
        assert_eq!(memory.take_calls(), ["read by key", "set owner"], "the external id spares Connect");
    }

    #[tokio::test]
    async fn a_later_leg_s_agent_makes_no_request() {
        let memory = Memory::default();
        let later = connected("7f9e2c1a-3b4d-4e5f-8a6b-9c0d1e2f3a4b", Some(CALL));
        assert!(matches!(run(&memory, &OwnerCache::default(), &later, &rules(None)).await, OwnerOutcome::Ignored(_)));
        assert!(memory.take_calls().is_empty());
    }

    #[tokio::test]
    async fn several_users_or_none_leave_the_owner_and_are_not_cached() {
        let two = vec![
            SalesforceId::parse("005000000000001").expect("id"),
            SalesforceId::parse("005000000000002").expect("id"),
        ];
        for users in [vec![], two] {
            let memory = Memory { attribute: Some(case_id().to_string()), users, ..Memory::default() };
            let cache = OwnerCache::default();
            assert!(matches!(
                run(&memory, &cache, &connected(CALL, None), &rules(None)).await,
                OwnerOutcome::NothingToDo(_)
            ));
            run(&memory, &cache, &connected(CALL, None), &rules(None)).await;
            assert!(!memory.take_calls().contains(&"set owner"));
        }
        let memory = Memory::default();
        assert_eq!(
            run(&memory, &OwnerCache::default(), &connected(CALL, None), &rules(None)).await,
            OwnerOutcome::NothingToDo("the call has no case (no SfdcCaseId)")
        );
    }

    #[tokio::test]
    async fn a_reused_case_keeps_its_owner_without_another_request() {
        let user = SalesforceId::parse("005000000000007").expect("id");
        let memory =
            Memory { attribute: Some(case_id().to_string()), reused: true, users: vec![user], ..Memory::default() };
        let outcome = run(&memory, &OwnerCache::default(), &connected(CALL, None), &rules(None)).await;
        assert!(matches!(outcome, OwnerOutcome::Ignored(_)), "{outcome:?}");
        assert_eq!(memory.take_calls(), ["attribute"], "the attributes a non-reused call reads anyway");
    }

    #[tokio::test(start_paused = true)]
    async fn what_a_container_learned_of_an_agent_is_asked_again_after_fifteen_minutes() {
        let user = SalesforceId::parse("005000000000007").expect("id");
        let memory = Memory { attribute: Some(case_id().to_string()), users: vec![user], ..Memory::default() };
        let cache = OwnerCache::default();
        run(&memory, &cache, &connected(CALL, None), &rules(None)).await;
        assert_eq!(memory.take_calls(), ["attribute", "username", "users", "set owner"]);
        tokio::time::advance(AGENT_CACHE_LIFETIME - Duration::from_secs(1)).await;
        run(&memory, &cache, &connected(CALL, None), &rules(None)).await;
        assert_eq!(memory.take_calls(), ["attribute", "set owner"], "still known");
        tokio::time::advance(Duration::from_secs(1)).await;
        run(&memory, &cache, &connected(CALL, None), &rules(None)).await;
        assert_eq!(memory.take_calls(), ["attribute", "username", "users", "set owner"], "asked again");
    }
}
