//! [`StandinOrg`]: the running org, and everything a test does to it or asks of it.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard};

use serde_json::{Map, Value, json};
use tokio::net::TcpListener;
use tokio::task::JoinHandle;

use crate::faults::{Chaos, Fault};
use crate::ids::salesforce_id;
use crate::known::{
    CLIENT_ID, CLIENT_SECRET, FIRST_AGENT, FIRST_AGENT_USERNAME, JWT_USERNAME, SECOND_AGENT, SECOND_AGENT_USERNAME,
    SECRET_ARN,
};
use crate::phone_index::{PersonRows, PhoneIndex};
use crate::route::Route;
use crate::schema::PERSON_PHONES;
use crate::server;
use crate::setup::Setup;
use crate::state::{AccountRow, CaseWrite, Contact, ContactRow, JwtApp, Recorded, Shared, State, User, lock};

/// The sample events' call: its first leg and its transfer leg (`events/first-leg-us.json`,
/// `events/transfer-leg.json`).
const DEMO_FIRST_LEG: &str = "5ca32fbd-8f92-46af-92a5-6b0f970f0efe";
const DEMO_TRANSFER_LEG: &str = "7f9e2c1a-3b4d-4e5f-8a6b-9c0d1e2f3a4b";

/// A running stand-in org. Stops when dropped.
pub struct StandinOrg {
    state: Shared,
    addr: SocketAddr,
    server: JoinHandle<()>,
}

impl Drop for StandinOrg {
    fn drop(&mut self) {
        self.server.abort();
    }
}

impl StandinOrg {
    /// Starts on an ephemeral loopback port.
    pub async fn start() -> std::io::Result<Self> {
        Self::start_on(SocketAddr::from(([127, 0, 0, 1], 0))).await
    }

    pub async fn start_on(addr: SocketAddr) -> std::io::Result<Self> {
        let listener = TcpListener::bind(addr).await?;
        let addr = listener.local_addr()?;
        let state: Shared = Arc::new(Mutex::new(State {
            url: format!("http://{addr}"),
            client_id: CLIENT_ID.into(),
            client_secret: CLIENT_SECRET.into(),
            run_as_user: salesforce_id("005", 1),
            task_statuses: crate::setup::task_statuses("Completed"),
            secrets: BTreeMap::from([(
                SECRET_ARN.to_owned(),
                json!({"client_id": CLIENT_ID, "client_secret": CLIENT_SECRET}).to_string(),
            )]),
            ..State::default()
        }));
        let server = server::spawn(listener, state.clone());
        Ok(Self { state, addr, server })
    }

    /// `http://127.0.0.1:<port>`: the My Domain URL, instance URL, and AWS endpoint URL alike.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    fn state(&self) -> MutexGuard<'_, State> {
        lock(&self.state)
    }

    pub fn set_credentials(&self, client_id: &str, client_secret: &str) {
        let mut state = self.state();
        state.client_id = client_id.into();
        state.client_secret = client_secret.into();
    }

    /// Sets the External Client App up for the JWT bearer flow: `public_key` (DER `RSAPublicKey`, from the
    /// certificate uploaded to it) verifies assertions, which must name `audience`; `users` are the
    /// usernames that may log in, each pre-authorized or not.
    pub fn set_jwt_app(&self, public_key: Vec<u8>, audience: &str, users: &[(&str, bool)]) {
        let users = users.iter().map(|(user, approved)| ((*user).to_owned(), *approved)).collect();
        self.state().jwt = Some(JwtApp { public_key, audience: audience.into(), users });
    }

    /// [`set_jwt_app`](Self::set_jwt_app) with the public half of a PEM private key, for
    /// [`JWT_USERNAME`], pre-authorized; `false` when the PEM is not an RSA key.
    pub fn trust_jwt_key(&self, private_key_pem: &str) -> bool {
        let Some(public_key) = crate::oauth::public_key_of_pem(private_key_pem) else { return false };
        self.set_jwt_app(public_key, "https://login.salesforce.com", &[(JWT_USERNAME, true)]);
        true
    }

    pub fn set_secret(&self, secret_id: &str, secret_string: &str) {
        self.state().secrets.insert(secret_id.into(), secret_string.into());
    }

    /// Adds a business Account with no phone and answers its 18-character id.
    pub fn add_account(&self) -> String {
        self.add_business("Account", &[])
    }

    /// Adds a business Account with `phones` (`Phone` is its main line) and answers its id.
    pub fn add_business(&self, name: &str, phones: &[(&'static str, &str)]) -> String {
        let mut state = self.state();
        let id = salesforce_id("001", state.accounts.len() as u64 + 1);
        let phones = phones.iter().map(|(field, phone)| (*field, (*phone).to_owned())).collect();
        state.accounts.push(AccountRow { id: id.clone(), name: name.into(), phones, person_contact_id: None });
        id
    }

    /// Adds a person account with `phones` on Account (`Phone`, `PersonMobilePhone`, `PersonHomePhone`,
    /// `PersonOtherPhone`, `PersonAssistantPhone`, `Fax`), mirrored on its Contact row as Salesforce
    /// keeps them, and turns person accounts on. Answers (contact id, account id).
    pub fn add_person_account(
        &self,
        first_name: &str,
        last_name: &str,
        phones: &[(&'static str, &str)],
    ) -> (String, String) {
        let mut state = self.state();
        state.setup.person_accounts = true;
        let account_id = salesforce_id("001", state.accounts.len() as u64 + 1);
        let contact_id = salesforce_id("003", state.contacts.len() as u64 + 1);
        let on_account: Vec<(&'static str, String)> =
            phones.iter().map(|(field, phone)| (*field, (*phone).to_owned())).collect();
        let on_contact = on_account
            .iter()
            .map(|(field, phone)| {
                let mirrored = PERSON_PHONES.iter().find(|(person, _)| person == field).map_or(*field, |(_, c)| *c);
                (mirrored, phone.clone())
            })
            .collect();
        state.accounts.push(AccountRow {
            id: account_id.clone(),
            name: format!("{first_name} {last_name}"),
            phones: on_account,
            person_contact_id: Some(contact_id.clone()),
        });
        let contact = Contact {
            first_name: first_name.into(),
            last_name: last_name.into(),
            phones: on_contact,
            email: None,
            account_id: Some(account_id.clone()),
        };
        state.contacts.push(ContactRow { id: contact_id.clone(), contact, person: true });
        (contact_id, account_id)
    }

    /// Which rows a phone search answers for a person account: its Contact row, its Account row, or both.
    pub fn set_person_rows(&self, rows: PersonRows) {
        self.state().person_rows = rows;
    }

    /// Adds a Contact and answers its 18-character id. A phone field ending in `__c` is a custom phone
    /// field the org then has.
    pub fn add_contact(&self, contact: Contact) -> String {
        let mut state = self.state();
        let id = salesforce_id("003", state.contacts.len() as u64 + 1);
        state.contacts.push(ContactRow { id: id.clone(), contact, person: false });
        id
    }

    /// A Contact with one `Phone`, in a new Account; answers (contact id, account id).
    pub fn add_caller(&self, first_name: &str, last_name: &str, phone: &str) -> (String, String) {
        let account_id = self.add_account();
        let contact_id = self.add_contact(Contact {
            first_name: first_name.into(),
            last_name: last_name.into(),
            phones: vec![("Phone", phone.into())],
            email: None,
            account_id: Some(account_id.clone()),
        });
        (contact_id, account_id)
    }

    /// Restricts `Case.Origin` to `values`, as an org whose picklist lacks "Phone" or "Chat" does.
    pub fn restrict_origin(&self, values: &[&str]) {
        self.state().origin_picklist = Some(values.iter().map(|v| (*v).to_owned()).collect());
    }

    /// An active Salesforce user with `email` (also its username); answers its id.
    pub fn add_user(&self, email: &str) -> String {
        self.add_user_record(User { email: email.into(), username: email.into(), active: true, ..User::default() })
    }

    /// A Salesforce user as given (its id is assigned); answers its id.
    pub fn add_user_record(&self, mut user: User) -> String {
        let mut state = self.state();
        user.id = salesforce_id("005", state.users.len() as u64 + 2);
        state.users.push(user.clone());
        user.id
    }

    /// The username of the Salesforce user `id` (the run-as user's is `integration user`).
    pub fn username_of(&self, id: &str) -> Option<String> {
        let state = self.state();
        if id == state.run_as_user {
            return Some("integration user".to_owned());
        }
        state.users.iter().find(|user| user.id == id).map(|user| user.username.clone())
    }

    /// The Connect run-as user's Salesforce id, which owns the cases it creates.
    pub fn run_as_user(&self) -> String {
        self.state().run_as_user.clone()
    }

    /// A Connect agent: user id and username, as `DescribeUser` answers them.
    pub fn add_agent(&self, user_id: &str, username: &str) {
        self.state().agents.insert(user_id.into(), username.into());
    }

    /// An active assignment rule that gives cases to `queue` on every write without
    /// `Sforce-Auto-Assign: FALSE`; `None` removes it.
    pub fn set_assignment_queue(&self, queue: Option<&str>) {
        self.state().assignment_queue = queue.map(str::to_owned);
    }

    /// Every Case write with its `Sforce-Auto-Assign` header, in order.
    pub fn case_writes(&self) -> Vec<CaseWrite> {
        self.state().case_writes.clone()
    }

    /// Sets the org (and Connect) up as `setup` says, wrong on purpose if it likes.
    /// The org's setup as it is now (person accounts turn on when one is added).
    pub fn setup(&self) -> Setup {
        self.state().setup.clone()
    }

    pub fn set_setup(&self, setup: Setup) {
        self.state().setup = setup;
    }

    /// How the search index holds phone fields from now on.
    pub fn set_phone_index(&self, index: PhoneIndex) {
        self.state().phone_index = index;
    }

    /// SOSL searches that left spell correction on.
    pub fn spell_corrected_searches(&self) -> u64 {
        self.state().spell_corrected_searches
    }

    /// A Contact with an `Email`, in a new Account; answers its id.
    pub fn add_emailer(&self, first_name: &str, email: &str) -> String {
        let account_id = self.add_account();
        self.add_contact(Contact {
            first_name: first_name.into(),
            last_name: "Emailer".into(),
            email: Some(email.into()),
            account_id: Some(account_id),
            ..Contact::default()
        })
    }

    /// Moves a case to the recycle bin.
    pub fn delete_case(&self, id: &str) -> bool {
        let mut state = self.state();
        let key = State::case_key(id).to_owned();
        let removed = state.cases.remove(&key).is_some();
        if removed {
            state.deleted_cases.insert(key);
        }
        removed
    }

    /// Every live case, with all its fields.
    pub fn cases(&self) -> Vec<Map<String, Value>> {
        self.state().cases.values().cloned().collect()
    }

    pub fn case(&self, id: &str) -> Option<Map<String, Value>> {
        self.state().cases.get(State::case_key(id)).cloned()
    }

    /// Every Task, with all its fields.
    pub fn tasks(&self) -> Vec<Map<String, Value>> {
        self.state().tasks.values().cloned().collect()
    }

    /// Changes a Task as an agent does in the Salesforce UI (its Comments are its `Description`); `false`
    /// when there is no such Task. Who created it stays as it was.
    pub fn edit_task(&self, id: &str, field: &str, value: Value) -> bool {
        let mut state = self.state();
        let Some(task) = state.tasks.get_mut(id) else { return false };
        task.insert(field.to_owned(), value);
        true
    }

    /// A Task someone else logged (an agent, or another tool in an agent's session): `fields` as given,
    /// created by `user`. Answers its id.
    pub fn add_task_by(&self, user: &str, fields: Value) -> String {
        let mut state = self.state();
        state.tasks_created += 1;
        let id = salesforce_id("00T", state.tasks_created);
        let mut task = fields.as_object().cloned().unwrap_or_default();
        task.insert("Id".into(), id.clone().into());
        task.insert("CreatedById".into(), user.into());
        task.entry("OwnerId").or_insert(user.into());
        state.tasks.insert(id.clone(), task);
        id
    }

    /// Renames the org's closed Task status (`Completed` in a new org), as an admin may.
    pub fn rename_closed_task_status(&self, name: &str) {
        self.state().task_statuses = crate::setup::task_statuses(name);
    }

    /// Salesforce Voice made a VoiceCall for the leg `contact_id` (its `VendorCallKey`), related to
    /// `related` (a record id) or to nothing; turns the org into a Voice org.
    pub fn add_voice_call(&self, contact_id: &str, related: Option<&str>) -> String {
        let mut state = self.state();
        state.setup.voice_calls = true;
        let id = salesforce_id("0LQ", state.voice_calls.len() as u64 + 1);
        let mut call = Map::new();
        call.insert("Id".into(), id.clone().into());
        call.insert("VendorCallKey".into(), contact_id.into());
        call.insert("RelatedRecordId".into(), related.map_or(Value::Null, Into::into));
        state.voice_calls.insert(id.clone(), call);
        id
    }

    /// The demo call's two VoiceCalls, as Salesforce Voice makes them for its legs (`0LQDn0000000001OAA`
    /// for the first leg, `…2OAA` for the transfer): a Voice org, for `events/voice-*.json`.
    pub fn add_demo_voice_calls(&self) -> [String; 2] {
        [self.add_voice_call(DEMO_FIRST_LEG, None), self.add_voice_call(DEMO_TRANSFER_LEG, None)]
    }

    /// Every VoiceCall, with its fields.
    pub fn voice_calls(&self) -> Vec<Map<String, Value>> {
        self.state().voice_calls.values().cloned().collect()
    }

    /// Changes a case as an agent would in the Salesforce UI.
    /// Makes a case last modified `minutes` ago (both `LastModifiedDate` and `SystemModstamp`), as if
    /// nobody had touched it since; `false` when there is no such case.
    pub fn age_case(&self, id: &str, minutes: u64) -> bool {
        let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs());
        let then = crate::clock::timestamp(i64::try_from(now.saturating_sub(minutes * 60)).unwrap_or(0));
        let mut state = self.state();
        let Some(case) = state.cases.get_mut(State::case_key(id)) else { return false };
        case.insert("LastModifiedDate".into(), then.clone().into());
        case.insert("SystemModstamp".into(), then.into());
        true
    }

    pub fn set_case_field(&self, id: &str, field: &str, value: Value) -> bool {
        let mut state = self.state();
        let Some(case) = state.cases.get_mut(State::case_key(id)) else { return false };
        case.insert(field.to_owned(), value);
        true
    }

    /// Injects `fault` into the next `times` requests of `route`, in order with earlier injections.
    pub fn inject(&self, route: Route, fault: Fault, times: usize) {
        self.state().faults.inject(route, fault, times);
    }

    /// Every session ends, as when an admin revokes them or they time out.
    pub fn expire_sessions(&self) {
        self.state().tokens.clear();
    }

    pub fn count(&self, route: Route) -> usize {
        self.state().counts.get(&route).copied().unwrap_or_default()
    }

    /// Sets the org's daily API requests used and allowed; requests from now on add to `used`.
    pub fn set_api_usage(&self, used: u64, allowed: u64) {
        let mut state = self.state();
        state.api_usage.used = used;
        state.api_usage.allowed = allowed;
    }

    /// Whether answers carry `Sforce-Limit-Info` (on by default).
    pub fn set_limit_info_header(&self, on: bool) {
        self.state().api_usage.header = on;
    }

    /// The org's daily API requests (used, allowed).
    pub fn api_usage(&self) -> (u64, u64) {
        let usage = self.state().api_usage;
        (usage.used, usage.allowed)
    }

    /// Whether too many logins in the last hour (3,600) have the run-as user blocked now: every login,
    /// with good credentials or not, is refused until an hour after the first one past the limit.
    pub fn login_blocked(&self) -> bool {
        self.state().logins.is_blocked()
    }

    /// HTTP requests that reached Salesforce (a composite request counts once).
    pub fn salesforce_requests(&self) -> usize {
        self.state().salesforce_requests()
    }

    /// The requests since the counts were last reset, whole (the first ten thousand).
    pub fn recorded(&self) -> Vec<Recorded> {
        self.state().recorded.clone()
    }

    pub fn reset_counts(&self) {
        let mut state = self.state();
        state.recorded.clear();
        state.counts.clear();
    }

    /// Misbehaves at random from now on, as [`Chaos`] says; `Chaos::default()` stops it.
    pub fn set_chaos(&self, chaos: Chaos) {
        self.state().faults.set_chaos(chaos);
    }

    /// Attributes Connect holds for a call, by its `InitialContactId`.
    pub fn contact_attributes(&self, initial_contact_id: &str) -> BTreeMap<String, String> {
        self.state().contact_attributes.get(initial_contact_id).cloned().unwrap_or_default()
    }

    /// The sample callers the local demo and `standin-org` serve.
    pub fn add_demo_data(&self) {
        let (ada, _) = self.add_caller("Ada", "Lovelace", "(415) 555-0100");
        if let Some(row) = self.state().contacts.iter_mut().find(|row| row.id == ada) {
            row.contact.email = Some("Ada.Lovelace@example.com".into());
        }
        self.add_caller("Yuki", "Tanaka", "03-1234-5678");
        let account = self.add_account();
        self.add_contact(Contact {
            first_name: "Hiro".into(),
            last_name: "Sato".into(),
            phones: vec![("Phone", "06-6123-4567".into()), ("MobilePhone", "090-1234-5678".into())],
            email: None,
            account_id: Some(account.clone()),
        });
        // A person account (B2C), a business's main line, and a custom phone field.
        self.add_person_account("Grace", "Hopper", &[("PersonMobilePhone", "07700 900123")]);
        self.add_business("Acme Corp", &[("Phone", "(206) 555-0143")]);
        let berg = self.add_account();
        self.add_contact(Contact {
            first_name: "Linus".into(),
            last_name: "Berg".into(),
            phones: vec![("Work_Phone__c", "030 901820".into())],
            email: None,
            account_id: Some(berg),
        });
        for (agent, username) in [(FIRST_AGENT, FIRST_AGENT_USERNAME), (SECOND_AGENT, SECOND_AGENT_USERNAME)] {
            self.add_agent(agent, username);
            self.add_user(username);
        }
        for first_name in ["Sam", "Alex"] {
            self.add_contact(Contact {
                first_name: first_name.into(),
                last_name: "Rivera".into(),
                phones: vec![("HomePhone", "+1 206.555.0199".into())],
                email: None,
                account_id: Some(account.clone()),
            });
        }
    }
}
