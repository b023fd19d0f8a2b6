//! Finding the customer's Contacts: one SOSL search over phone fields with every spelling of the number,
//! answering each candidate's phone fields so the caller's number can be checked against them; or, for
//! an email contact, one SOQL query on `Contact.Email`.

use serde_json::Value;
use tokio::time::Instant;

use super::soql::string_literal;
use super::{ContactSearch, SalesforceClient, SalesforceError, SalesforceId};

/// Most Contacts one search returns. More than one is already "several"; the cap keeps the answer small.
pub const MATCH_LIMIT: u32 = 200;

/// Characters SOSL reserves inside a `FIND {…}` clause; each is escaped with a backslash.
const RESERVED: &[char] =
    &['?', '&', '|', '!', '{', '}', '[', ']', '(', ')', '^', '~', '*', ':', '\\', '"', '\'', '+', '-'];

/// Contact phone fields a phone-field search looks in, and the search answers for checking.
const PHONE_FIELDS: [&str; 6] = ["Phone", "MobilePhone", "HomePhone", "OtherPhone", "AssistantPhone", "Fax"];

/// A Contact the search found, with what its searched fields hold (phone numbers as typed, or an email
/// address), so the decision core can count only the ones that really are the caller.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MatchedContact {
    pub id: SalesforceId,
    pub account_id: Option<SalesforceId>,
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

/// `FIND {"…" OR "…"} IN PHONE FIELDS RETURNING Contact(Id, AccountId, Phone, … LIMIT n) WITH
/// SPELL_CORRECTION = false`: spell correction could turn one number into a neighbour.
pub fn search_query(terms: &[String]) -> String {
    let phrases: Vec<String> = terms.iter().map(|s| format!("\"{}\"", escape_search_term(s))).collect();
    format!(
        "FIND {{{}}} IN PHONE FIELDS RETURNING Contact(Id, AccountId, {} LIMIT {MATCH_LIMIT}) WITH SPELL_CORRECTION = false",
        phrases.join(" OR "),
        PHONE_FIELDS.join(", ")
    )
}

impl ContactSearch for SalesforceClient {
    async fn search_contacts(
        &self,
        terms: &[String],
        deadline: Instant,
    ) -> Result<Vec<MatchedContact>, SalesforceError> {
        let records = self.records("/search", &search_query(terms), "searchRecords", deadline).await?;
        Ok(contacts(&records, &PHONE_FIELDS))
    }

    async fn contacts_with_email(
        &self,
        email: &str,
        deadline: Instant,
    ) -> Result<Vec<MatchedContact>, SalesforceError> {
        let records = self.records("/query", &email_query(email), "records", deadline).await?;
        Ok(contacts(&records, &["Email"]))
    }
}

impl SalesforceClient {
    /// `GET {resource}?q=…` (SOSL `/search` or SOQL `/query`), answering the array under `key`.
    pub(super) async fn records(
        &self,
        resource: &str,
        query: &str,
        key: &str,
        deadline: Instant,
    ) -> Result<Vec<Value>, SalesforceError> {
        let body = self.get_json(self.data_path(resource), &[("q", query)], deadline).await?;
        match body {
            Value::Object(mut answer) => match answer.remove(key) {
                Some(Value::Array(records)) => Ok(records),
                _ => Err(SalesforceError::Protocol(format!("{resource} answer has no {key}"))),
            },
            _ => Err(SalesforceError::Protocol(format!("{resource} answer is not an object"))),
        }
    }
}

/// `SELECT Id, AccountId, Email FROM Contact WHERE Email = '…' LIMIT n`, the address escaped.
fn email_query(email: &str) -> String {
    format!("SELECT Id, AccountId, Email FROM Contact WHERE Email = {} LIMIT {MATCH_LIMIT}", string_literal(email))
}

/// The Contact records among `records`, with `fields` as their stored values.
fn contacts(records: &[Value], fields: &[&str]) -> Vec<MatchedContact> {
    records
        .iter()
        .filter(|r| r.pointer("/attributes/type").and_then(Value::as_str) == Some("Contact"))
        .filter_map(|r| contact(r, fields))
        .collect()
}

/// A Contact record with `fields` as its stored values; `None` without a valid Id.
fn contact(record: &Value, fields: &[&str]) -> Option<MatchedContact> {
    Some(MatchedContact {
        id: SalesforceId::parse(record.get("Id")?.as_str()?)?,
        account_id: record.get("AccountId").and_then(Value::as_str).and_then(SalesforceId::parse),
        stored: fields.iter().filter_map(|f| record.get(*f).and_then(Value::as_str)).map(str::to_owned).collect(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

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
    fn query_ors_quoted_spellings() {
        let query = search_query(&["+14155550100".into(), "415 555 0100".into()]);
        assert_eq!(
            query,
            "FIND {\"\\+14155550100\" OR \"415 555 0100\"} IN PHONE FIELDS RETURNING Contact(Id, AccountId, Phone, \
             MobilePhone, HomePhone, OtherPhone, AssistantPhone, Fax LIMIT 200) WITH SPELL_CORRECTION = false"
        );
    }
}
