//! What a batch writes, decided as plain data over what the org holds ([`LegFacts`]): for each leg, its
//! VoiceCall linked (in a Salesforce Voice org) or its Task created or brought up to date, and the first
//! agent made the case's owner when the contact event was lost. No I/O: the adapter carries the plan out.

use std::collections::HashSet;

use super::task::{draft, held_update, merged_description};
use super::{Leg, LegRules};
use crate::call_case::CallCase;
use crate::connect::{CASE_ID_ATTRIBUTE, ContactRecord};
use crate::salesforce::{CaseId, LegCase, LegFacts, LegQuery, LegTask, LegWrite, SalesforceId};
use crate::time::Moment;

/// A batch's writes, each with the index of the leg it belongs to, and what needed none.
#[derive(Debug, Default)]
pub(super) struct Plan {
    pub writes: Vec<(usize, LegWrite)>,
    /// Legs whose record changes nothing: the same or an older record, a VoiceCall already linked.
    pub unchanged: u64,
    /// Legs with no case this function made.
    pub skipped: u64,
}

/// A leg's Task, as far as this function is concerned.
#[derive(Debug, PartialEq)]
enum OurTask<'f> {
    /// The leg has no Task of this function's.
    Missing,
    /// This function's Task, holding the record last written there (`None`: not readable from it) and
    /// its description as it is now (an agent's notes included).
    Holds { id: SalesforceId, updated: Option<Moment>, description: &'f str },
}

/// What to read for `legs`: their cases (by the case attribute, or by the call's id in the external id
/// field), their Tasks and VoiceCalls, and their agents' users; each value once.
pub(super) fn reads<'a>(legs: &[Leg<'a>], rules: &'a LegRules) -> LegQuery<'a> {
    let mut query = LegQuery {
        user_field: &rules.user_field,
        external_id_field: rules.external_id_field.as_deref(),
        ..LegQuery::default()
    };
    let mut seen = HashSet::new();
    for leg in legs {
        match case_attribute(leg.record) {
            Some(id) if seen.insert(id.clone()) => query.case_ids.push(id),
            Some(_) => {}
            None if rules.external_id_field.is_some() => query.keys.push(leg.record.call_id()),
            None => {}
        }
        query.contact_ids.push(&leg.record.contact_id);
        if let Some(username) = leg.record.agent.as_ref().and_then(|a| a.username.as_deref()) {
            query.usernames.push(username);
        }
    }
    query.keys.sort_unstable();
    query.keys.dedup();
    query.usernames.sort_unstable();
    query.usernames.dedup();
    query
}

/// The writes that bring `legs` onto their cases, given what the org holds.
pub(super) fn plan(legs: &[Leg<'_>], facts: &LegFacts, rules: &LegRules) -> Plan {
    let mut plan = Plan::default();
    for (index, leg) in legs.iter().enumerate() {
        let record = leg.record;
        let Some(case) = case_of(record, facts, rules) else {
            tracing::info!(contact_id = %record.contact_id, "a contact record with no case this function made: skipped");
            plan.skipped += 1;
            continue;
        };
        let owner = user_of(record, facts);
        // Salesforce documents that one key can belong to several VoiceCalls (a re-offered transfer):
        // each is the leg's record, and each empty link gets the case.
        let voice_calls: Vec<_> = facts
            .voice_calls
            .iter()
            .flatten()
            .filter(|call| call.vendor_call_key.as_deref() == Some(record.contact_id.as_str()))
            .collect();
        if !voice_calls.is_empty() {
            for call in voice_calls {
                match call.related_record_id.as_deref().and_then(SalesforceId::parse) {
                    None => match SalesforceId::parse(&call.id) {
                        Some(id) => plan.writes.push((index, LegWrite::LinkVoiceCall { id, case: case.id.clone() })),
                        None => plan.unchanged += 1,
                    },
                    Some(related) if related.as_str() == case.id.as_str() => plan.unchanged += 1,
                    Some(_) => {
                        tracing::warn!(contact_id = %record.contact_id, "a VoiceCall of the leg is related to another record; left as it is");
                        plan.unchanged += 1;
                    }
                }
            }
        } else {
            match our_task(&facts.tasks, record, facts.run_as_user.as_ref()) {
                OurTask::Holds { updated: Some(held), .. } if Some(held) >= record.last_update() => {
                    plan.unchanged += 1;
                }
                OurTask::Holds { id, description, .. } => {
                    let mut draft = draft(record, case, owner.clone(), &facts.closed_status);
                    draft.description = merged_description(description, &draft.description);
                    plan.writes.push((index, LegWrite::UpdateTask { id, draft }));
                }
                OurTask::Missing => {
                    let draft = draft(record, case, owner.clone(), &facts.closed_status);
                    plan.writes.push((index, LegWrite::CreateTask(draft)));
                }
            }
        }
        if let Some(owner) = owner
            && takes_owner(record, case, facts, rules)
        {
            plan.writes.push((index, LegWrite::SetOwner { case: case.id.clone(), owner }));
        }
    }
    plan
}

/// The case the record's `SfdcCaseId` attribute names, when it is a Case id.
fn case_attribute(record: &ContactRecord) -> Option<CaseId> {
    record.attributes.get(CASE_ID_ATTRIBUTE).and_then(|id| CaseId::parse(id))
}

/// The leg's case: the one its `SfdcCaseId` names, else the one holding its call's id.
fn case_of<'f>(record: &ContactRecord, facts: &'f LegFacts, rules: &LegRules) -> Option<&'f LegCase> {
    match case_attribute(record) {
        Some(id) => facts.cases.iter().find(|c| c.id == id),
        None if rules.external_id_field.is_some() => {
            facts.cases.iter().find(|c| c.key.as_deref() == Some(record.call_id()))
        }
        None => None,
    }
}

/// The leg's Task of this function's: the one with the leg's `CallObject` that the run-as user created
/// (the first, should there be several), decided by what Salesforce keeps and no agent can edit. Another
/// tool's Task for the leg, or one an agent logged, is never this function's. Only when the token answer
/// did not name the run-as user does the line this function writes decide.
fn our_task<'f>(tasks: &'f [LegTask], record: &ContactRecord, run_as: Option<&SalesforceId>) -> OurTask<'f> {
    let of_leg = tasks.iter().filter(|task| task.call_object.as_deref() == Some(record.contact_id.as_str()));
    let ours = match run_as {
        Some(run_as) => of_leg
            .filter(|task| task.created_by_id.as_deref().and_then(SalesforceId::parse).as_ref() == Some(run_as))
            .min_by(|a, b| a.id.cmp(&b.id)),
        None => of_leg.into_iter().find(|task| held_update(task.description.as_deref()).is_some()),
    };
    let Some(task) = ours else { return OurTask::Missing };
    let Some(id) = SalesforceId::parse(&task.id) else { return OurTask::Missing };
    let description = task.description.as_deref().unwrap_or_default();
    OurTask::Holds { id, updated: held_update(Some(description)).flatten(), description }
}

/// The one active user whose owner field is the leg's agent's username.
fn user_of(record: &ContactRecord, facts: &LegFacts) -> Option<SalesforceId> {
    let username = record.agent.as_ref()?.username.as_deref()?;
    let mut users = facts.users.iter().filter(|(_, value)| value.eq_ignore_ascii_case(username));
    match (users.next(), users.next()) {
        (Some((id, _)), None) => Some(id.clone()),
        _ => None,
    }
}

/// Whether the first leg's record makes its agent the case's owner: the contact event was lost (the
/// run-as user still owns the case), the case was made for this call (not a repeat caller's reused one),
/// and the deployment gives cases to the first agent.
fn takes_owner(record: &ContactRecord, case: &LegCase, facts: &LegFacts, rules: &LegRules) -> bool {
    let still_the_run_as_users = match (&facts.run_as_user, case.owner_id.as_deref().and_then(SalesforceId::parse)) {
        (Some(run_as), Some(owner)) => run_as.as_str() == owner.as_str(),
        _ => false,
    };
    let reused = CallCase::from_attributes(|name| record.attributes.get(name).map(String::as_str)) == CallCase::Reused;
    rules.first_agent_owns && record.is_first_leg() && still_the_run_as_users && !reused
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::salesforce::LegVoiceCall;
    use serde_json::json;

    const CASE: &str = "500Dn0000000001IAA";
    const RUN_AS: &str = "005Dn0000000001IAA";
    const ADA: &str = "005Dn0000000002IAA";
    const LEG: &str = "5ca32fbd-8f92-46af-92a5-6b0f970f0efe";

    fn record(updated: &str, attributes: serde_json::Value) -> ContactRecord {
        serde_json::from_value(json!({
            "ContactId": LEG, "InitialContactId": LEG, "Channel": "VOICE", "InitiationMethod": "INBOUND",
            "LastUpdateTimestamp": format!("2026-12-06T{updated}Z"), "Attributes": attributes,
            "Agent": {"Username": "ada@example.com"},
        }))
        .expect("a record")
    }

    fn facts() -> LegFacts {
        let id = |text: &str| SalesforceId::parse(text).expect("id");
        LegFacts {
            cases: vec![LegCase {
                id: CaseId::parse(CASE).expect("id"),
                contact_id: None,
                owner_id: Some(RUN_AS.into()),
                key: Some(LEG.into()),
            }],
            users: vec![(id(ADA), "ada@example.com".into())],
            closed_status: "Completed".into(),
            run_as_user: Some(id(RUN_AS)),
            ..LegFacts::default()
        }
    }

    fn rules() -> LegRules {
        LegRules { enabled: true, external_id_field: None, user_field: "Email".into(), first_agent_owns: true }
    }

    fn planned(record: &ContactRecord, facts: &LegFacts, rules: &LegRules) -> (Vec<&'static str>, u64, u64) {
        let legs = [Leg { record, sequence_numbers: vec!["1"] }];
        let plan = plan(&legs, facts, rules);
        let kinds = plan
            .writes
            .iter()
            .map(|(_, write)| match write {
                LegWrite::CreateTask(_) => "create",
                LegWrite::UpdateTask { .. } => "update",
                LegWrite::LinkVoiceCall { .. } => "link",
                LegWrite::SetOwner { .. } => "owner",
            })
            .collect();
        (kinds, plan.unchanged, plan.skipped)
    }

    fn task(description: &str) -> LegTask {
        LegTask {
            id: "00TDn0000000001IAA".into(),
            call_object: Some(LEG.into()),
            created_by_id: Some(RUN_AS.into()),
            description: Some(description.into()),
        }
    }

    #[test]
    fn a_new_leg_gets_a_task_and_the_first_agent_the_case() {
        let record = record("10:02:30", json!({"SfdcCaseId": CASE}));
        assert_eq!(planned(&record, &facts(), &rules()), (vec!["create", "owner"], 0, 0));
        let reused = self::record("10:02:30", json!({"SfdcCaseId": CASE, "SfdcCaseOutcome": "reused"}));
        assert_eq!(planned(&reused, &facts(), &rules()).0, ["create"], "a reused case keeps its owner");
        let rules = LegRules { first_agent_owns: false, ..rules() };
        assert_eq!(planned(&record, &facts(), &rules).0, ["create"], "CASE_OWNER=unchanged");
        let mut taken = facts();
        taken.cases[0].owner_id = Some(ADA.into());
        assert_eq!(planned(&record, &taken, &self::rules()).0, ["create"], "an owner someone set stays");
    }

    #[test]
    fn the_task_held_decides_between_nothing_and_an_update() {
        let record = record("10:02:30", json!({"SfdcCaseId": CASE}));
        let mut facts = facts();
        facts.cases[0].owner_id = Some(ADA.into());
        facts.tasks = vec![task("Started: INBOUND\nContact record updated: 2026-12-06T10:02:30Z")];
        assert_eq!(planned(&record, &facts, &rules()), (vec![], 1, 0), "the same record");
        facts.tasks = vec![task("Contact record updated: 2026-12-06T10:05:00Z")];
        assert_eq!(planned(&record, &facts, &rules()), (vec![], 1, 0), "an older record");
        facts.tasks = vec![task("Contact record updated: 2026-12-06T10:01:00Z")];
        assert_eq!(planned(&record, &facts, &rules()).0, ["update"], "a newer record");
        facts.tasks = vec![task("Notes: the agent rewrote it all")];
        assert_eq!(planned(&record, &facts, &rules()).0, ["update"], "still the leg's Task, not a second one");
        facts.tasks =
            vec![LegTask { created_by_id: Some(ADA.into()), ..task("Contact record updated: 2026-12-06T10:05:00Z") }];
        assert_eq!(planned(&record, &facts, &rules()).0, ["create"], "an agent's own Task for the leg is not ours");
        facts.run_as_user = None;
        assert_eq!(planned(&record, &facts, &rules()), (vec![], 1, 0), "without the run-as user, the line decides");
    }

    #[test]
    fn a_voice_org_links_an_unlinked_voice_call_instead_of_a_task() {
        let record = record("10:02:30", json!({"SfdcCaseId": CASE}));
        let call = |related: Option<&str>| LegVoiceCall {
            id: "0LQDn0000000001OAA".into(),
            vendor_call_key: Some(LEG.into()),
            related_record_id: related.map(str::to_owned),
        };
        let mut facts = facts();
        facts.cases[0].owner_id = Some(ADA.into());
        facts.voice_calls = Some(vec![call(None)]);
        assert_eq!(planned(&record, &facts, &rules()).0, ["link"]);
        facts.voice_calls = Some(vec![call(Some(CASE))]);
        assert_eq!(planned(&record, &facts, &rules()), (vec![], 1, 0), "already linked");
        facts.voice_calls = Some(vec![call(Some("001Dn0000000001IAA"))]);
        assert_eq!(planned(&record, &facts, &rules()), (vec![], 1, 0), "linked elsewhere: never overwritten");
        let other = |id: &str, related: Option<&str>| LegVoiceCall { id: id.into(), ..call(related) };
        facts.voice_calls = Some(vec![
            call(None),
            other("0LQDn0000000002OAA", None),
            other("0LQDn0000000003OAA", Some("001Dn0000000001IAA")),
            other("0LQDn0000000004OAA", Some(CASE)),
        ]);
        assert_eq!(planned(&record, &facts, &rules()), (vec!["link", "link"], 2, 0), "each VoiceCall of the key");
    }

    #[test]
    fn a_leg_finds_its_case_by_attribute_or_by_the_call_s_external_id() {
        let without = record("10:02:30", json!({}));
        assert_eq!(planned(&without, &facts(), &rules()), (vec![], 0, 1), "no case: skipped");
        let keyed = LegRules { external_id_field: Some("Connect_Contact_Id__c".into()), ..rules() };
        assert_eq!(planned(&without, &facts(), &keyed).0, ["create", "owner"]);
        let query = reads(&[Leg { record: &without, sequence_numbers: vec![] }], &keyed);
        assert_eq!((query.keys, query.case_ids.len(), query.usernames), (vec![LEG], 0, vec!["ada@example.com"]));
    }
}
