//! Which case a leg gets: the decision logic, as plain functions over plain data, and the one sequence of
//! Salesforce calls that carries it out over the small [`ContactSearch`] and [`CaseStore`] traits.

mod case_fields;
mod link;

pub use case_fields::{Parameters, description_of, new_case_fields};
pub use link::Link;

use crate::connect::{Answer, CaseAttribute, FlowEvent, Outcome};
use crate::phone::{CallerNumber, Country};
use crate::salesforce::{CaseRecord, CaseStore, ContactSearch, LinkOutcome, Linked, SalesforceError};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde_json::{Map, Value};
use tokio::time::Instant;

/// How this deployment makes cases and reads numbers: set once from configuration.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Rules {
    /// `CASE_EXTERNAL_ID_FIELD`: the Case field that holds the call's `InitialContactId`.
    pub external_id_field: Option<String>,
    /// `HOME_COUNTRY`; unset, the country of the number the customer reached.
    pub home_country: Option<Country>,
    /// `REUSE_OPEN_CASE_HOURS`: how recently a repeat caller's open case must have been modified to be
    /// given back; `None`: never.
    pub reuse_within: Option<Duration>,
}

impl Rules {
    /// Whose numbers a phone field without a country code holds, for this contact.
    fn home_for(&self, event: &FlowEvent) -> Option<Country> {
        self.home_country.or(event.system_country)
    }
}

impl Answer {
    /// The answer for `case`, as the leg came to it.
    fn of(case: CaseRecord, outcome: Outcome, contact_matches: u32) -> Self {
        Self {
            case_id: case.id,
            case_number: case.number,
            outcome,
            contact_id: case.contact_id,
            account_id: case.account_id,
            contact_matches,
        }
    }
}

/// The answer, whether the case still has to be stored on the contact, and what became of the leg's
/// VoiceCall link (in the request that read or made the answered case).
#[derive(Debug, Clone, PartialEq)]
pub struct Resolution {
    pub answer: Answer,
    pub store_on_contact: bool,
    pub voice_call: LinkOutcome,
}

/// A case the first leg wrote, or found already made for this call.
#[derive(Debug, Clone, PartialEq)]
pub struct WrittenCase {
    pub case: CaseRecord,
    /// `false` when the call's external id already named a case (a retried or repeated first leg).
    pub created: bool,
    pub voice_call: LinkOutcome,
}

impl WrittenCase {
    fn created(linked: Linked<CaseRecord>) -> Self {
        Self { case: linked.value, created: true, voice_call: linked.link }
    }
}

/// Creates the case. With `CASE_EXTERNAL_ID_FIELD` the call's `InitialContactId` goes in the body; when
/// the org answers that the value is taken (`DUPLICATE_VALUE`), the case already made for this call is
/// read by it and answered as it is: a found case is never written to. The leg's VoiceCall rides with
/// whichever request gives the case.
async fn write_case(
    store: &impl CaseStore,
    event: &FlowEvent,
    external_id_field: Option<&str>,
    fields: &Map<String, Value>,
    deadline: Instant,
) -> Result<WrittenCase, SalesforceError> {
    let link = event.voice_call.id();
    let Some(field) = external_id_field else {
        return Ok(WrittenCase::created(store.create_case(fields, None, link, deadline).await?));
    };
    let key = event.initial_contact_id.as_str();
    match store.create_case(fields, Some((field, key)), link, deadline).await {
        Ok(created) => Ok(WrittenCase::created(created)),
        Err(error) if error.is_taken_key() => match store.read_keyed_case(field, key, link, deadline).await? {
            Linked { value: Some(case), link } => Ok(WrittenCase { case, created: false, voice_call: link }),
            // Taken by a case this user cannot read back (in the recycle bin, say): the agent still gets one.
            Linked { value: None, .. } => {
                tracing::warn!(
                    field,
                    "the call's external id is taken by a case that cannot be read; creating one without it"
                );
                Ok(WrittenCase::created(store.create_case(fields, None, link, deadline).await?))
            }
        },
        Err(error) => Err(error),
    }
}

/// Answer for a case the attribute named: no search was made, so the count is what an earlier leg
/// stored, or else whether the case has a Contact.
fn confirmed(case: CaseRecord, event: &FlowEvent, voice_call: LinkOutcome) -> Resolution {
    let contact_matches = event.carried_contact_matches.unwrap_or(u32::from(case.contact_id.is_some()));
    Resolution { answer: Answer::of(case, Outcome::Found, contact_matches), store_on_contact: false, voice_call }
}

/// A repeat caller's open case, when reuse is on and exactly one person matched: answered as it is, and
/// stored on the contact. The case this very call made already (a repeated first leg) stays `found`.
async fn open_case(
    store: &impl CaseStore,
    event: &FlowEvent,
    link: &Link,
    rules: &Rules,
    deadline: Instant,
) -> Result<Option<Resolution>, SalesforceError> {
    let (Some(window), Some(contact), 1) = (rules.reuse_within, &link.contact, link.matches) else {
        return Ok(None);
    };
    let since = SystemTime::now().checked_sub(window).unwrap_or(UNIX_EPOCH);
    let field = rules.external_id_field.as_deref();
    let found = store.open_case_of(contact, since, field, event.voice_call.id(), deadline).await?;
    let Some(open) = found.value else { return Ok(None) };
    let this_call = open.external_id.as_deref() == Some(event.initial_contact_id.as_str())
        || open.description.as_deref() == Some(description_of(event).as_str());
    let outcome = if this_call { Outcome::Found } else { Outcome::Reused };
    let answer = Answer::of(open.case, outcome, link.matches);
    Ok(Some(Resolution { answer, store_on_contact: true, voice_call: found.link }))
}

/// Carries out one leg: at most one read on a transfer leg; a search (skipped for withheld numbers) and
/// one composite write on a first leg, plus one read when the call's case exists already, or with reuse
/// on and one person matched the open-case query (and no write when it finds one); all of these when the
/// attribute names a case that is gone. A leg that names its VoiceCall links it to the answered case
/// within those same requests.
pub async fn resolve(
    store: &(impl ContactSearch + CaseStore),
    event: &FlowEvent,
    rules: &Rules,
    deadline: Instant,
) -> Result<Resolution, SalesforceError> {
    let external_id_field = rules.external_id_field.as_deref();
    let replacing = match &event.case_attribute {
        CaseAttribute::Absent => false,
        CaseAttribute::Valid(id) => match store.read_case(id, event.voice_call.id(), deadline).await? {
            Linked { value: Some(case), link } => return Ok(confirmed(case, event, link)),
            Linked { value: None, .. } => {
                tracing::warn!(case_id = %id, "SfdcCaseId names no case (deleted or never existed); making a new one");
                true
            }
        },
        CaseAttribute::Malformed => {
            tracing::warn!("SfdcCaseId is not a Case id; treating it as absent and making a new case");
            true
        }
    };

    let link = match (&event.caller, &event.email) {
        (CallerNumber::Known(number), _) => {
            let candidates = store.search_callers(&number.search_terms(), deadline).await?;
            Link::verified(number, candidates, rules.home_for(event))
        }
        (_, Some(email)) => Link::with_email(email, store.contacts_with_email(email.as_str(), deadline).await?),
        (CallerNumber::Withheld | CallerNumber::Unrecognised { .. }, None) => Link::default(),
    };
    if let Some(open) = open_case(store, event, &link, rules, deadline).await? {
        return Ok(open);
    }
    let fields = new_case_fields(event, &link, external_id_field, Parameters::Apply);
    let written = match write_case(store, event, external_id_field, &fields, deadline).await {
        // A flow's Case.<Field> parameter the org refuses (a field that does not exist, a value too long),
        // or our Origin on an org whose picklist lacks it, must not cost the agent the case: make it with
        // the fields no org refuses.
        Err(error) if error.is_refused_create() => {
            tracing::warn!(error = %error, "Salesforce refused the case's parameters or Origin; creating it without them");
            let fields = new_case_fields(event, &link, external_id_field, Parameters::Ignore);
            write_case(store, event, external_id_field, &fields, deadline).await?
        }
        written => written?,
    };
    let outcome = match (written.created, replacing) {
        (false, _) => Outcome::Found,
        (true, true) => Outcome::Replaced,
        (true, false) => Outcome::Created,
    };
    let answer = Answer::of(written.case, outcome, link.matches);
    Ok(Resolution { answer, store_on_contact: true, voice_call: written.voice_call })
}

#[cfg(test)]
mod tests;
