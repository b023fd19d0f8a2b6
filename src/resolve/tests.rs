//! The leg's decision over an in-memory org that records which calls a leg made.

use super::*;
use crate::salesforce::{Candidate, CaseId, CompositePart, KeyedCases, OpenCase, SalesforceId, VoiceCallId};
use serde_json::json;

pub(super) fn event(channel: &str, address: Value, parameters: Value) -> FlowEvent {
    FlowEvent::from_value(json!({"Details": {"ContactData": {
        "Channel": channel,
        "ContactId": "11111111-2222-3333-4444-555555555555",
        "CustomerEndpoint": {"Address": address},
    }, "Parameters": parameters}}))
    .expect("valid event")
}

pub(super) fn contact(id: &str, account: Option<&str>) -> Candidate {
    contact_at(id, account, "(415) 555-0100")
}

fn contact_at(id: &str, account: Option<&str>, phone: &str) -> Candidate {
    Candidate {
        contact: SalesforceId::parse(id),
        account: account.and_then(SalesforceId::parse),
        stored: vec![phone.to_owned()],
    }
}

/// An in-memory org that records which calls a leg made.
#[derive(Default)]
struct Memory {
    contacts: Vec<Candidate>,
    cases: Vec<CaseRecord>,
    refuse_parameters: bool,
    refuse_origin: bool,
    /// The call's case already exists: a create with the external id is refused with DUPLICATE_VALUE.
    existing_for_key: Option<CaseRecord>,
    /// The person's open case, for reuse.
    open: Option<OpenCase>,
    calls: std::sync::Mutex<Vec<&'static str>>,
}

impl Memory {
    fn call(&self, name: &'static str) {
        self.calls.lock().unwrap_or_else(|p| p.into_inner()).push(name);
    }
    fn calls(&self) -> Vec<&'static str> {
        self.calls.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }
    fn new_case(&self, fields: &Map<String, Value>) -> Result<CaseRecord, SalesforceError> {
        if self.refuse_parameters && fields.contains_key("Reason") {
            return Err(refused("INVALID_FIELD"));
        }
        if self.refuse_origin && fields.contains_key("Origin") {
            return Err(refused("INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST"));
        }
        Ok(case("500000000000042"))
    }
}

/// The org's refusal of a case's create, as the composite answers it.
fn refused(code: &str) -> SalesforceError {
    SalesforceError::Rejected { status: 400, codes: vec![code.into()], part: Some(CompositePart::CaseCreate) }
}

fn case(id: &str) -> CaseRecord {
    CaseRecord { id: CaseId::parse(id).expect("id"), number: "00001042".into(), contact_id: None, account_id: None }
}

impl ContactSearch for Memory {
    async fn search_callers(&self, _: &[String], _: Instant) -> Result<Vec<Candidate>, SalesforceError> {
        self.call("search");
        Ok(self.contacts.clone())
    }
    async fn contacts_with_email(&self, _: &str, _: Instant) -> Result<Vec<Candidate>, SalesforceError> {
        self.call("query");
        Ok(self.contacts.clone())
    }
}

impl KeyedCases for Memory {
    async fn read_case_by_key(&self, _: &str, _: &str, _: Instant) -> Result<Option<CaseRecord>, SalesforceError> {
        self.call("read by key");
        Ok(self.existing_for_key.clone())
    }
}

impl CaseStore for Memory {
    async fn read_case(
        &self,
        id: &CaseId,
        _: Option<&VoiceCallId>,
        _: Instant,
    ) -> Result<Linked<Option<CaseRecord>>, SalesforceError> {
        self.call("read");
        Ok(Linked::alone(self.cases.iter().find(|c| c.id == *id).cloned()))
    }
    async fn read_keyed_case(
        &self,
        _: &str,
        _: &str,
        _: Option<&VoiceCallId>,
        _: Instant,
    ) -> Result<Linked<Option<CaseRecord>>, SalesforceError> {
        self.call("read by key");
        Ok(Linked::alone(self.existing_for_key.clone()))
    }
    async fn open_case_of(
        &self,
        _: &SalesforceId,
        _: SystemTime,
        _: Option<&str>,
        _: Option<&VoiceCallId>,
        _: Instant,
    ) -> Result<Linked<Option<OpenCase>>, SalesforceError> {
        self.call("open cases");
        Ok(Linked::alone(self.open.clone()))
    }
    async fn create_case(
        &self,
        fields: &Map<String, Value>,
        key: Option<(&str, &str)>,
        _: Option<&VoiceCallId>,
        _: Instant,
    ) -> Result<Linked<CaseRecord>, SalesforceError> {
        self.call("create");
        if key.is_some() && self.existing_for_key.is_some() {
            return Err(refused("DUPLICATE_VALUE"));
        }
        self.new_case(fields).map(Linked::alone)
    }
}

fn transfer(case_id: &str) -> FlowEvent {
    let mut event = event("VOICE", json!("+14155550100"), json!({}));
    event.case_attribute = CaseId::parse(case_id).map_or(CaseAttribute::Malformed, CaseAttribute::Valid);
    event
}

async fn run(store: &Memory, event: &FlowEvent, external_id_field: Option<&str>) -> Resolution {
    let deadline = Instant::now() + std::time::Duration::from_secs(5);
    let rules = Rules { external_id_field: external_id_field.map(str::to_owned), ..Rules::default() };
    resolve(store, event, &rules, deadline).await.expect("resolved")
}

#[tokio::test]
async fn transfer_leg_only_reads_the_case() {
    let store = Memory { cases: vec![case("500000000000007")], ..Memory::default() };
    let resolution = run(&store, &transfer("500000000000007"), None).await;
    assert_eq!(store.calls(), ["read"]);
    assert_eq!(resolution.answer.outcome, Outcome::Found);
    assert!(!resolution.store_on_contact);
}

#[tokio::test]
async fn a_missing_case_is_replaced_by_a_first_leg() {
    let store = Memory::default();
    let resolution = run(&store, &transfer("500000000000007"), None).await;
    assert_eq!(store.calls(), ["read", "search", "create"]);
    assert_eq!(resolution.answer.outcome, Outcome::Replaced);
    assert!(resolution.store_on_contact);
}

#[tokio::test]
async fn a_malformed_attribute_is_never_read() {
    let store = Memory::default();
    let resolution = run(&store, &transfer("500'--"), None).await;
    assert_eq!(store.calls(), ["search", "create"]);
    assert_eq!(resolution.answer.outcome, Outcome::Replaced);
}

#[tokio::test]
async fn withheld_caller_is_not_searched() {
    let store = Memory::default();
    let resolution = run(&store, &event("VOICE", json!("anonymous"), json!({})), None).await;
    assert_eq!(store.calls(), ["create"]);
    assert_eq!(resolution.answer.contact_matches, 0);
}

#[tokio::test]
async fn an_email_contact_is_linked_by_its_address_and_kept_on_the_case() {
    let mut jane = contact("003000000000001", Some("001000000000001"));
    jane.stored = vec!["JANE@example.com".into()];
    let store = Memory { contacts: vec![jane, contact("003000000000002", None)], ..Memory::default() };
    let event = event("EMAIL", json!("jane@example.com"), json!({}));
    let resolution = run(&store, &event, None).await;
    assert_eq!(store.calls(), ["query", "create"]);
    assert_eq!(resolution.answer.contact_matches, 1, "only the Contact whose Email is the address");
    let fields = new_case_fields(&event, &Link::default(), None, Parameters::Apply);
    assert_eq!(fields["SuppliedEmail"], "jane@example.com");
    assert_eq!(fields["Subject"], "Email from jane@example.com");
    assert_eq!(fields["Origin"], "Email");
}

#[tokio::test]
async fn a_taken_external_id_answers_the_call_s_case_as_found() {
    let store = Memory { existing_for_key: Some(case("500000000000009")), ..Memory::default() };
    let resolution = run(&store, &event("VOICE", json!("+14155550100"), json!({})), Some("Ext__c")).await;
    assert_eq!(store.calls(), ["search", "create", "read by key"]);
    assert_eq!(resolution.answer.outcome, Outcome::Found);
    assert_eq!(resolution.answer.case_id.as_str(), "500000000000009AAA");
    assert!(resolution.store_on_contact, "a retried first leg may not have stored it yet");
}

#[tokio::test]
async fn without_the_external_id_a_duplicate_is_not_looked_for() {
    let store = Memory { existing_for_key: Some(case("500000000000009")), ..Memory::default() };
    let resolution = run(&store, &event("VOICE", json!("+14155550100"), json!({})), None).await;
    assert_eq!(store.calls(), ["search", "create"]);
    assert_eq!(resolution.answer.outcome, Outcome::Created);
}

#[tokio::test]
async fn a_refused_origin_is_left_out_of_the_retry() {
    let store = Memory { refuse_origin: true, ..Memory::default() };
    let resolution = run(&store, &event("VOICE", json!("+14155550100"), json!({})), None).await;
    assert_eq!(store.calls(), ["search", "create", "create"]);
    assert_eq!(resolution.answer.outcome, Outcome::Created);
}

#[tokio::test]
async fn refused_parameters_are_dropped_once() {
    let store = Memory { refuse_parameters: true, ..Memory::default() };
    let event = event("VOICE", json!("+14155550100"), json!({"Case.Reason": "Billing"}));
    let resolution = run(&store, &event, None).await;
    assert_eq!(store.calls(), ["search", "create", "create"]);
    assert_eq!(resolution.answer.outcome, Outcome::Created);
}

#[test]
fn only_candidates_holding_the_caller_s_number_count() {
    let CallerNumber::Known(german) = CallerNumber::from_address(Some("+494155550100")) else {
        panic!("a German number parses");
    };
    let candidates = vec![
        contact_at("003000000000001", None, "(415) 555-0100"),
        contact_at("003000000000002", Some("001000000000002"), "+49 4155 550100"),
    ];
    let us = Country::from_code("US");
    let link = Link::verified(&german, candidates.clone(), us);
    assert_eq!(link.matches, 1);
    assert_eq!(link.contact.map(|c| c.to_string()), Some("003000000000002AAA".to_owned()));
    let several = Link::verified(&german, candidates, Country::from_code("DE"));
    assert_eq!((several.matches, several.contact), (2, None), "read as German, both are the caller");
}

async fn with_reuse(store: &Memory, event: &FlowEvent, hours: u64) -> Resolution {
    let deadline = Instant::now() + std::time::Duration::from_secs(5);
    let rules = Rules {
        external_id_field: Some("Ext__c".into()),
        reuse_within: (hours > 0).then(|| Duration::from_secs(hours * 3600)),
        ..Rules::default()
    };
    resolve(store, event, &rules, deadline).await.expect("resolved")
}

fn open(key: Option<&str>) -> Option<OpenCase> {
    Some(OpenCase { case: case("500000000000077"), external_id: key.map(str::to_owned), description: None })
}

#[tokio::test]
async fn one_person_s_open_case_is_reused_and_nothing_is_written() {
    let store = Memory {
        contacts: vec![contact("003000000000001", None)],
        open: open(Some("an-earlier-call")),
        ..Memory::default()
    };
    let resolution = with_reuse(&store, &event("VOICE", json!("+14155550100"), json!({})), 24).await;
    assert_eq!(store.calls(), ["search", "open cases"]);
    assert_eq!(resolution.answer.outcome, Outcome::Reused);
    assert_eq!(resolution.answer.case_id.as_str(), "500000000000077AAA");
    assert!(resolution.store_on_contact, "transfer legs must carry it");
}

#[tokio::test]
async fn the_case_this_call_made_stays_found() {
    let call = event("VOICE", json!("+14155550100"), json!({}));
    let store = Memory {
        contacts: vec![contact("003000000000001", None)],
        open: open(Some(call.initial_contact_id.as_str())),
        ..Memory::default()
    };
    assert_eq!(with_reuse(&store, &call, 24).await.answer.outcome, Outcome::Found);
    // Without the external id field, the description this function wrote names the call.
    let mut open = open(None);
    if let Some(open) = open.as_mut() {
        open.description = Some(description_of(&call));
    }
    let store = Memory { contacts: vec![contact("003000000000001", None)], open, ..Memory::default() };
    assert_eq!(with_reuse(&store, &call, 24).await.answer.outcome, Outcome::Found);
}

#[tokio::test]
async fn open_cases_are_asked_for_only_with_reuse_on_and_one_person() {
    let call = event("VOICE", json!("+14155550100"), json!({}));
    let one = Memory { contacts: vec![contact("003000000000001", None)], open: open(None), ..Memory::default() };
    assert_eq!(with_reuse(&one, &call, 0).await.answer.outcome, Outcome::Created);
    assert_eq!(one.calls(), ["search", "create"], "off: no query at all");
    let two = Memory {
        contacts: vec![contact("003000000000001", None), contact("003000000000002", None)],
        open: open(None),
        ..Memory::default()
    };
    assert_eq!(with_reuse(&two, &call, 24).await.answer.outcome, Outcome::Created);
    assert_eq!(two.calls(), ["search", "create"], "several people: no query");
    let main_line = Candidate {
        contact: None,
        account: SalesforceId::parse("001000000000007"),
        stored: vec!["(415) 555-0100".into()],
    };
    let business = Memory { contacts: vec![main_line], open: open(None), ..Memory::default() };
    assert_eq!(with_reuse(&business, &call, 24).await.answer.outcome, Outcome::Created);
    assert_eq!(business.calls(), ["search", "create"], "a main line only: no query");
    let none = Memory { contacts: vec![contact("003000000000001", None)], ..Memory::default() };
    assert_eq!(with_reuse(&none, &call, 24).await.answer.outcome, Outcome::Created);
    assert_eq!(none.calls(), ["search", "open cases", "create"], "no open case: a new one");
}
