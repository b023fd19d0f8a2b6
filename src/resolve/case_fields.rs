//! What a new case holds: our defaults by channel, the flow's `Case.<Field>` parameters, and the link
//! to the customer's Contact (or the number or address the customer used).

use serde_json::{Map, Value};

use super::Link;
use crate::connect::{Channel, FlowEvent};
use crate::phone::CallerNumber;

/// Fields the flow may not set through `Case.<Field>` parameters: the link is ours to decide.
const PROTECTED_FIELDS: [&str; 3] = ["Id", "ContactId", "AccountId"];

/// Whether a new case takes the flow's `Case.<Field>` parameters and our `Origin`, or only what no org
/// refuses (the fallback after a refusal: an org whose `Origin` picklist lacks "Phone" or "Chat").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Parameters {
    Apply,
    Ignore,
}

/// The fields of a new case: our defaults, then the flow's `Case.<Field>` parameters, then the link.
pub fn new_case_fields(
    event: &FlowEvent,
    link: &Link,
    external_id_field: Option<&str>,
    parameters: Parameters,
) -> Map<String, Value> {
    let mut fields = Map::new();
    fields.insert("Subject".into(), default_subject(event).into());
    if parameters == Parameters::Apply {
        fields.insert("Origin".into(), event.channel.case_origin().into());
    }
    // Status is left to the org's default (New in a standard org), which is a value its picklist has.
    fields.insert("Description".into(), description_of(event).into());
    let parameters = match parameters {
        Parameters::Apply => event.case_fields.iter(),
        Parameters::Ignore => Default::default(),
    };
    for (name, value) in parameters {
        let protected = PROTECTED_FIELDS.contains(&name.as_str())
            || external_id_field.is_some_and(|field| field.eq_ignore_ascii_case(name));
        if !protected {
            fields.insert(name.clone(), value.clone());
        }
    }
    if let Some(email) = &event.email {
        fields.insert("SuppliedEmail".into(), email.as_str().into());
    }
    if let Some(contact) = &link.contact {
        fields.insert("ContactId".into(), contact.to_string().into());
    } else if let Some(phone) = event.caller.supplied_phone() {
        // No person: the number is kept on the case, beside a business's main line when one is linked.
        fields.insert("SuppliedPhone".into(), phone.into());
    }
    if let Some(account) = &link.account {
        fields.insert("AccountId".into(), account.to_string().into());
    }
    fields
}

/// The description a new case gets: it names the call, so that a repeated first leg knows its own case.
pub fn description_of(event: &FlowEvent) -> String {
    format!("Amazon Connect contact {}", event.initial_contact_id)
}

fn default_subject(event: &FlowEvent) -> String {
    let from = match (&event.channel, &event.caller) {
        (Channel::Chat, _) => return "Chat".into(),
        (Channel::Task, _) => return "Task".into(),
        (Channel::Email, _) => {
            return event.email.as_ref().map_or("Email".into(), |e| format!("Email from {}", e.as_str()));
        }
        (Channel::Sms, _) => "SMS",
        (Channel::WhatsApp, _) => "WhatsApp",
        (Channel::Voice | Channel::Other, _) => "Call",
    };
    match &event.caller {
        CallerNumber::Known(number) => format!("{from} from {}", number.international()),
        CallerNumber::Unrecognised { .. } => format!("{from} from an unrecognised number"),
        CallerNumber::Withheld => format!("{from} from a withheld number"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::resolve::tests::{contact, event};
    use serde_json::json;

    #[test]
    fn one_match_links_contact_and_account() {
        let link = Link::from_matches(vec![contact("003000000000001", Some("001000000000001"))]);
        let fields = new_case_fields(&event("VOICE", json!("+14155550100"), json!({})), &link, None, Parameters::Apply);
        assert_eq!(fields["ContactId"], "003000000000001AAA");
        assert_eq!(fields["AccountId"], "001000000000001AAA");
        assert!(!fields.contains_key("SuppliedPhone"));
        assert_eq!(fields["Origin"], "Phone");
        assert!(!fields.contains_key("Status"), "the org's default Status applies");
        assert_eq!(fields["Subject"], "Call from +1 415-555-0100");
    }

    #[test]
    fn a_main_line_links_the_account_alone_and_keeps_the_number() {
        let business = crate::salesforce::Candidate {
            contact: None,
            account: crate::salesforce::SalesforceId::parse("001000000000007"),
            stored: vec![],
        };
        let link = Link::from_matches([business]);
        let fields = new_case_fields(&event("VOICE", json!("+14155550100"), json!({})), &link, None, Parameters::Apply);
        assert_eq!(fields["AccountId"], "001000000000007AAA");
        assert!(!fields.contains_key("ContactId"));
        assert_eq!(fields["SuppliedPhone"], "+14155550100");
    }

    #[test]
    fn several_matches_link_nobody_and_keep_the_number() {
        let link = Link::from_matches(vec![contact("003000000000001", None), contact("003000000000002", None)]);
        assert_eq!(link.matches, 2);
        assert_eq!(link.contact, None);
        let fields = new_case_fields(&event("VOICE", json!("+14155550100"), json!({})), &link, None, Parameters::Apply);
        assert!(!fields.contains_key("ContactId"));
        assert_eq!(fields["SuppliedPhone"], "+14155550100");
    }

    #[test]
    fn withheld_and_chat_have_no_supplied_phone() {
        for event in [event("VOICE", json!("anonymous"), json!({})), event("CHAT", json!("+14155550100"), json!({}))] {
            let fields = new_case_fields(&event, &Link::default(), None, Parameters::Apply);
            assert!(!fields.contains_key("SuppliedPhone"), "{fields:?}");
        }
    }

    #[test]
    fn parameters_override_defaults_but_not_the_link() {
        let parameters = json!({
            "Case.Subject": "Billing", "Case.Priority": "High", "Case.ContactId": "003000000000009",
            "Case.Connect_Contact_Id__c": "spoof"
        });
        let link = Link::from_matches(vec![contact("003000000000001", None)]);
        let fields = new_case_fields(
            &event("VOICE", json!("+14155550100"), parameters),
            &link,
            Some("Connect_Contact_Id__c"),
            Parameters::Apply,
        );
        assert_eq!(fields["Subject"], "Billing");
        assert_eq!(fields["Priority"], "High");
        assert!(!fields.contains_key("Status"), "the org's default Status applies");
        assert_eq!(fields["ContactId"], "003000000000001AAA");
        assert!(!fields.contains_key("Connect_Contact_Id__c"));
    }
}
