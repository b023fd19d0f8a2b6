//! Finding who the customer may be: one SOSL search over the phone fields of Contact and Account with every
//! spelling of the number, answering each candidate's phone fields so the caller's number can be checked
//! against them; or, for an email contact, one SOQL query on `Contact.Email`.

use serde::Deserialize;
use serde_json::{Map, Value};
use tokio::time::Instant;

use super::client::Language;
use super::shape::OrgShape;
use super::soql::string_literal;
use super::{ContactSearch, SalesforceClient, SalesforceError, SalesforceId};

/// Most records of each object one search returns. More than one person is already "several"; the cap
/// keeps the answer small.
pub const MATCH_LIMIT: u32 = 200;

/// Characters SOSL reserves inside a `FIND {…}` clause; each is escaped with a backslash.
const RESERVED: &[char] =
    &['?', '&', '|', '!', '{', '}', '[', ']', '(', ')', '^', '~', '*', ':', '\\', '"', '\'', '+', '-'];

/// A record a search found that may be the customer, with what its searched fields hold (phone numbers as
/// typed, or an email address), so the decision core can count only the ones that really are the caller.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Candidate {
    /// The person: a Contact row's id, or a person account's `PersonContactId`. `None` for a business
    /// Account, whose phone is its main line.
    pub contact: Option<SalesforceId>,
    /// The Contact's Account, the person account, or the business.
    pub account: Option<SalesforceId>,
    pub stored: Vec<String>,
}

/// A search term with every SOSL reserved character escaped. Control characters are dropped.
pub fn escape_search_term(term: &str) -> String {
    let mut escaped = String::with_capacity(term.len() + 4);
    for c in term.chars().filter(|c| !c.is_control()) {
        if RESERVED.contains(&c) {
            escaped.push('\\');
        }
        escaped.push(c);
    }
    escaped
}

/// `FIND {"…" OR "…"} IN PHONE FIELDS RETURNING Contact(Id, AccountId, <phones> LIMIT n), Account(Id,
/// [IsPersonAccount, PersonContactId,] <phones> LIMIT n) WITH SPELL_CORRECTION = false`: both objects in
/// one search, each with the phone fields the org has (an object with none is left out), and the
/// person-account fields only in an org that has them. Spell correction could turn one number into a
/// neighbour.
pub fn search_query(terms: &[String], shape: &OrgShape) -> String {
    let phrases: Vec<String> = terms.iter().map(|s| format!("\"{}\"", escape_search_term(s))).collect();
    let mut returning = Vec::new();
    if !shape.contact_phones.is_empty() {
        returning.push(format!("Contact(Id, AccountId, {} LIMIT {MATCH_LIMIT})", shape.contact_phones.join(", ")));
    }
    if !shape.account_phones.is_empty() {
        let person = if shape.person_accounts { "IsPersonAccount, PersonContactId, " } else { "" };
        returning.push(format!("Account(Id, {person}{} LIMIT {MATCH_LIMIT})", shape.account_phones.join(", ")));
    }
    format!(
        "FIND {{{}}} IN PHONE FIELDS RETURNING {} WITH SPELL_CORRECTION = false",
        phrases.join(" OR "),
        returning.join(", ")
    )
}

impl ContactSearch for SalesforceClient {
    async fn search_callers(&self, terms: &[String], deadline: Instant) -> Result<Vec<Candidate>, SalesforceError> {
        let shape = self.org_shape(deadline).await?;
        if shape.contact_phones.is_empty() && shape.account_phones.is_empty() {
            return Ok(Vec::new());
        }
        let rows: Vec<SearchRow> = self.records(Language::Sosl, &search_query(terms, &shape), deadline).await?;
        Ok(rows.into_iter().filter_map(|row| candidate(row, &shape)).collect())
    }

    async fn contacts_with_email(&self, email: &str, deadline: Instant) -> Result<Vec<Candidate>, SalesforceError> {
        let rows: Vec<EmailRow> = self.records(Language::Soql, &email_query(email), deadline).await?;
        Ok(rows
            .into_iter()
            .filter_map(|row| {
                Some(Candidate {
                    contact: Some(SalesforceId::parse(row.id.as_deref()?)?),
                    account: row.account_id.as_deref().and_then(SalesforceId::parse),
                    stored: row.email.into_iter().collect(),
                })
            })
            .collect())
    }
}

/// `SELECT Id, AccountId, Email FROM Contact WHERE Email = '…' LIMIT n`, the address escaped.
fn email_query(email: &str) -> String {
    format!("SELECT Id, AccountId, Email FROM Contact WHERE Email = {} LIMIT {MATCH_LIMIT}", string_literal(email))
}

/// A row of the phone search: Salesforce's own fields by name, the org's phone fields as they come.
#[derive(Debug, Deserialize)]
struct SearchRow {
    attributes: RowAttributes,
    #[serde(rename = "Id")]
    id: Option<String>,
    #[serde(rename = "AccountId")]
    account_id: Option<String>,
    #[serde(rename = "IsPersonAccount")]
    is_person_account: Option<bool>,
    #[serde(rename = "PersonContactId")]
    person_contact_id: Option<String>,
    /// The phone fields, named by the org's describe.
    #[serde(flatten)]
    phones: Map<String, Value>,
}

#[derive(Debug, Deserialize)]
struct RowAttributes {
    #[serde(rename = "type")]
    object: String,
}

/// A row of the email query.
#[derive(Debug, Deserialize)]
struct EmailRow {
    #[serde(rename = "Id")]
    id: Option<String>,
    #[serde(rename = "AccountId")]
    account_id: Option<String>,
    #[serde(rename = "Email")]
    email: Option<String>,
}

/// A search row as a candidate, by its type: a Contact row is a person; an Account row is a person when
/// it is a person account (`IsPersonAccount`), else a business. `None` without a valid Id.
fn candidate(row: SearchRow, shape: &OrgShape) -> Option<Candidate> {
    let id = SalesforceId::parse(row.id.as_deref()?)?;
    match row.attributes.object.as_str() {
        "Contact" => Some(Candidate {
            contact: Some(id),
            account: row.account_id.as_deref().and_then(SalesforceId::parse),
            stored: stored(&row.phones, &shape.contact_phones),
        }),
        "Account" => Some(Candidate {
            contact: match row.is_person_account {
                Some(true) => row.person_contact_id.as_deref().and_then(SalesforceId::parse),
                _ => None,
            },
            account: Some(id),
            stored: stored(&row.phones, &shape.account_phones),
        }),
        _ => None,
    }
}

fn stored(phones: &Map<String, Value>, fields: &[String]) -> Vec<String> {
    fields.iter().filter_map(|f| phones.get(f).and_then(Value::as_str)).map(str::to_owned).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn reserved_characters_are_escaped() {
        assert_eq!(escape_search_term("+81312345678"), "\\+81312345678");
        assert_eq!(escape_search_term("a\"} OR {b"), "a\\\"\\} OR \\{b");
        assert_eq!(escape_search_term("x\\y"), "x\\\\y");
        assert_eq!(escape_search_term("line\nbreak"), "linebreak");
    }

    #[test]
    fn every_reserved_character_is_preceded_by_a_backslash() {
        let hostile: String = RESERVED.iter().collect::<String>() + "plain";
        let escaped = escape_search_term(&hostile);
        let mut chars = escaped.chars();
        while let Some(c) = chars.next() {
            if c == '\\' {
                let next = chars.next().expect("a backslash always escapes something");
                assert!(RESERVED.contains(&next));
            } else {
                assert!(!RESERVED.contains(&c), "unescaped {c}");
            }
        }
    }

    #[test]
    fn the_email_query_escapes_the_address() {
        assert_eq!(
            email_query("o'brien@example.ie"),
            "SELECT Id, AccountId, Email FROM Contact WHERE Email = 'o\\'brien@example.ie' LIMIT 200"
        );
    }

    #[test]
    fn query_ors_quoted_spellings_over_both_objects() {
        let query = search_query(&["+14155550100".into(), "415 555 0100".into()], &OrgShape::standard());
        assert_eq!(
            query,
            "FIND {\"\\+14155550100\" OR \"415 555 0100\"} IN PHONE FIELDS RETURNING Contact(Id, AccountId, Phone, \
             MobilePhone, HomePhone, OtherPhone, AssistantPhone, Fax LIMIT 200), Account(Id, Phone, Fax LIMIT 200) \
             WITH SPELL_CORRECTION = false"
        );
    }

    #[test]
    fn person_account_fields_are_named_only_in_an_org_that_has_them() {
        let terms = ["4155550100".to_owned()];
        let mut shape = OrgShape::standard();
        shape.contact_phones.push("Work_Phone__c".into());
        let query = search_query(&terms, &shape);
        assert!(!query.contains("Person") && query.contains("Fax, Work_Phone__c LIMIT"), "{query}");
        shape.person_accounts = true;
        shape.account_phones.push("PersonMobilePhone".into());
        let query = search_query(&terms, &shape);
        assert!(
            query.contains("Account(Id, IsPersonAccount, PersonContactId, Phone, Fax, PersonMobilePhone LIMIT"),
            "{query}"
        );
        shape.account_phones.clear();
        assert!(!search_query(&terms, &shape).contains("Account("), "no readable Account phone: no Account search");
    }

    #[test]
    fn records_become_people_or_businesses_by_their_type() {
        let mut shape = OrgShape::standard();
        shape.person_accounts = true;
        let contact = json!({"attributes": {"type": "Contact"}, "Id": "003000000000001", "AccountId": "001000000000001", "Phone": "(415) 555-0100"});
        let person = json!({"attributes": {"type": "Account"}, "Id": "001000000000002", "IsPersonAccount": true,
            "PersonContactId": "003000000000002", "Phone": "(415) 555-0100"});
        let business = json!({"attributes": {"type": "Account"}, "Id": "001000000000003", "IsPersonAccount": false,
            "PersonContactId": null, "Phone": "(415) 555-0100", "Fax": "(415) 555-0199"});
        let id = |text: &str| SalesforceId::parse(text);
        let found: Vec<_> =
            [contact, person, business, json!({"attributes": {"type": "Lead"}, "Id": "00Q000000000001"})]
                .into_iter()
                .filter_map(|r| candidate(serde_json::from_value(r).expect("a search row"), &shape))
                .collect();
        assert_eq!(found.len(), 3, "a Lead is nobody here");
        assert_eq!(
            (found[0].contact.clone(), found[0].account.clone()),
            (id("003000000000001"), id("001000000000001"))
        );
        assert_eq!(
            (found[1].contact.clone(), found[1].account.clone()),
            (id("003000000000002"), id("001000000000002"))
        );
        assert_eq!((found[2].contact.clone(), found[2].account.clone()), (None, id("001000000000003")));
        assert_eq!(found[2].stored, ["(415) 555-0100", "(415) 555-0199"]);
    }
}
