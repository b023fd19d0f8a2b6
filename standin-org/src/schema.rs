//! The fields of Contact and Account as this org has them: the standard ones, the person-account fields
//! when the org has person accounts, and the custom phone fields its records use (`Work_Phone__c`). The
//! describes list them and the search accepts and matches only them, so a client that names a field the
//! org lacks gets `INVALID_FIELD`, as from a real org.

use crate::state::State;

/// Contact's standard phone fields.
const CONTACT_PHONES: [&str; 6] = ["Phone", "MobilePhone", "HomePhone", "OtherPhone", "AssistantPhone", "Fax"];
/// Account's standard phone fields.
const ACCOUNT_PHONES: [&str; 2] = ["Phone", "Fax"];
/// A person account's own phone fields on Account, each mirrored on its Contact row.
pub(crate) const PERSON_PHONES: [(&str, &str); 4] = [
    ("PersonMobilePhone", "MobilePhone"),
    ("PersonHomePhone", "HomePhone"),
    ("PersonOtherPhone", "OtherPhone"),
    ("PersonAssistantPhone", "AssistantPhone"),
];

/// A field's name and describe type.
pub(crate) type Field = (String, &'static str);

/// The phone fields of `object` (`Contact` or `Account`) in this org.
pub(crate) fn phone_fields(state: &State, object: &str) -> Vec<String> {
    let (standard, custom): (&[&str], Vec<&str>) = match object {
        "Contact" => {
            (&CONTACT_PHONES, state.contacts.iter().flat_map(|r| r.contact.phones.iter().map(|(f, _)| *f)).collect())
        }
        "Account" => (&ACCOUNT_PHONES, state.accounts.iter().flat_map(|r| r.phones.iter().map(|(f, _)| *f)).collect()),
        _ => (&[], Vec::new()),
    };
    let mut fields: Vec<String> = standard.iter().map(|f| (*f).to_owned()).collect();
    if object == "Account" && state.setup.person_accounts {
        fields.extend(PERSON_PHONES.iter().map(|(f, _)| (*f).to_owned()));
    }
    for field in custom.into_iter().filter(|f| f.ends_with("__c")) {
        if !fields.iter().any(|f| f == field) {
            fields.push(field.to_owned());
        }
    }
    fields
}

/// Every field of `object` a client may name, with its describe type; `None` for an object the org does
/// not serve here.
pub(crate) fn fields(state: &State, object: &str) -> Option<Vec<Field>> {
    let person = state.setup.person_accounts;
    let mut fields: Vec<Field> = match object {
        "Contact" => vec![
            ("Id".into(), "id"),
            ("AccountId".into(), "reference"),
            ("FirstName".into(), "string"),
            ("LastName".into(), "string"),
            ("Name".into(), "string"),
            ("Email".into(), "email"),
        ],
        "Account" if state.setup.account_readable => vec![("Id".into(), "id"), ("Name".into(), "string")],
        _ => return None,
    };
    if person {
        fields.push(("IsPersonAccount".into(), "boolean"));
        if object == "Account" {
            fields.push(("PersonContactId".into(), "reference"));
        }
    }
    fields.extend(phone_fields(state, object).into_iter().map(|f| (f, "phone")));
    Some(fields)
}
