//! Phone search as the org does it: SOSL `FIND {…} IN PHONE FIELDS RETURNING Contact(…), Account(…)` and
//! `/parameterizedSearch`. Salesforce does not document how phone fields are indexed, nor which rows a
//! person account answers as, so the stand-in plays each reading (`phone_index`): a row is found when one
//! of its own phone fields matches a term under the org's [`PhoneIndex`](crate::phone_index::PhoneIndex),
//! and a person account's rows are answered as its [`PersonRows`](crate::phone_index::PersonRows) says.

use std::collections::BTreeMap;

use axum::http::StatusCode;
use serde_json::{Value, json};

use crate::schema;
use crate::state::{AccountRow, ContactRow, State};
use crate::wire::sf_error;

/// Characters SOSL reserves; unescaped inside `FIND {…}` they make the search malformed.
const RESERVED: &[char] =
    &['?', '&', '|', '!', '{', '}', '[', ']', '(', ')', '^', '~', '*', ':', '\\', '"', '\'', '+', '-'];

/// `GET /search?q=…`
pub(crate) fn sosl(state: &mut State, version: &str, query: &str) -> (StatusCode, Value) {
    let malformed = |why: &str| sf_error(StatusCode::BAD_REQUEST, "MALFORMED_SEARCH", why);
    let Some(rest) = query.trim_start().strip_prefix("FIND {") else {
        return malformed("line 1:0 expected FIND {");
    };
    let (terms, rest) = match search_terms(rest) {
        Ok(parsed) => parsed,
        Err(why) => return malformed(why),
    };
    let rest = rest.trim();
    let (rest, spell_correction) = match rest.rsplit_once(" WITH SPELL_CORRECTION = ") {
        Some((rest, "false")) => (rest, false),
        Some((rest, "true")) => (rest, true),
        Some(_) => return malformed("expected WITH SPELL_CORRECTION = true or false"),
        None => (rest, true),
    };
    let Some(returning) = rest.strip_prefix("IN PHONE FIELDS RETURNING ") else {
        return malformed("expected IN PHONE FIELDS RETURNING …");
    };
    let Some(objects) = returning_objects(returning) else {
        return malformed("expected RETURNING Object(fields [LIMIT n]), …");
    };
    // Spell correction only ever widens a search; the stand-in does not play it, but it counts it.
    if spell_correction {
        state.spell_corrected_searches += 1;
    }
    let mut records = Vec::new();
    for (object, fields, limit) in &objects {
        match rows(state, version, &terms, object, fields, *limit) {
            Ok(found) => records.extend(found),
            Err(refusal) => return refusal,
        }
    }
    // Up to v36.0 a search answered a bare array; the searchRecords wrapper came with v37.0 (Summer '16).
    if version_before(version, 37) {
        return (StatusCode::OK, Value::Array(records));
    }
    (StatusCode::OK, json!({"searchRecords": records}))
}

/// Whether `version` (`v36.0`) is older than `major`.0.
fn version_before(version: &str, major: u32) -> bool {
    version.trim_start_matches('v').split('.').next().and_then(|m| m.parse::<u32>().ok()).is_some_and(|m| m < major)
}

/// One object of a `RETURNING` clause: its name, fields and `LIMIT`.
type Returning = (String, Vec<String>, Option<usize>);

/// `Contact(Id, Phone LIMIT 200), Account(Id)` into each object's name, fields and limit.
fn returning_objects(text: &str) -> Option<Vec<Returning>> {
    let mut objects = Vec::new();
    let mut rest = text.trim();
    while !rest.is_empty() {
        let (object, after) = rest.split_once('(')?;
        let (inside, after) = after.split_once(')')?;
        let (fields, limit) = match inside.split_once(" LIMIT ") {
            Some((fields, limit)) => (fields, Some(limit.trim().parse().ok()?)),
            None => (inside, None),
        };
        let fields = fields.split(',').map(|f| f.trim().to_owned()).collect();
        objects.push((object.trim().to_owned(), fields, limit));
        rest = after.trim_start().strip_prefix(',').unwrap_or(after).trim();
    }
    (!objects.is_empty()).then_some(objects)
}

/// `GET /parameterizedSearch?q=…&sobject=Contact&in=PHONE&Contact.fields=…&Contact.limit=…`
pub(crate) fn parameterized(state: &State, version: &str, params: &BTreeMap<String, String>) -> (StatusCode, Value) {
    let get = |name: &str| params.get(name).map(String::as_str).unwrap_or_default();
    if get("sobject") != "Contact" || get("in") != "PHONE" {
        return sf_error(StatusCode::BAD_REQUEST, "INVALID_SEARCH", "only sobject=Contact in=PHONE is served here");
    }
    let query = format!("{}}}", get("q"));
    let (terms, rest) = match search_terms(&query) {
        Ok(parsed) => parsed,
        Err(why) => return sf_error(StatusCode::BAD_REQUEST, "MALFORMED_SEARCH", why),
    };
    if !rest.is_empty() {
        return sf_error(StatusCode::BAD_REQUEST, "MALFORMED_SEARCH", "unexpected text after the search");
    }
    let fields: Vec<String> = match get("Contact.fields") {
        "" => vec!["Id".to_owned()],
        list => list.split(',').map(|f| f.trim().to_owned()).collect(),
    };
    match rows(state, version, &terms, "Contact", &fields, get("Contact.limit").parse().ok()) {
        Ok(records) => (StatusCode::OK, json!({"searchRecords": records})),
        Err(refusal) => refusal,
    }
}

/// Reads `"term" OR "term" … }` and answers the unescaped terms and what follows the brace.
fn search_terms(text: &str) -> Result<(Vec<String>, &str), &'static str> {
    let mut terms = Vec::new();
    let mut chars = text.char_indices().peekable();
    let mut expect_term = true;
    while let Some((at, c)) = chars.next() {
        match c {
            ' ' => {}
            '}' if !expect_term => return Ok((terms, &text[at + 1..])),
            '"' if expect_term => {
                let mut term = String::new();
                loop {
                    match chars.next() {
                        Some((_, '\\')) => match chars.next() {
                            Some((_, escaped)) if RESERVED.contains(&escaped) => term.push(escaped),
                            _ => return Err("invalid escape sequence"),
                        },
                        Some((_, '"')) => break,
                        Some((_, c)) if RESERVED.contains(&c) => {
                            return Err("unescaped reserved character in a phrase");
                        }
                        Some((_, c)) => term.push(c),
                        None => return Err("unterminated phrase"),
                    }
                }
                terms.push(term);
                expect_term = false;
            }
            'O' if !expect_term && text[at..].starts_with("OR ") => {
                chars.next();
                expect_term = true;
            }
            _ => return Err("unexpected character in the search"),
        }
    }
    Err("missing closing brace")
}

/// The rows of `object` one of whose own phone fields matches a term, with `fields`; a person account's
/// rows only as the org's reading answers them. A field the org lacks is `INVALID_FIELD`.
fn rows(
    state: &State,
    version: &str,
    terms: &[String],
    object: &str,
    fields: &[String],
    limit: Option<usize>,
) -> Result<Vec<Value>, (StatusCode, Value)> {
    let Some(known) = schema::fields(state, object) else {
        return Err(sf_error(
            StatusCode::BAD_REQUEST,
            "INVALID_TYPE",
            &format!("sObject type '{object}' is not supported."),
        ));
    };
    if let Some(field) = fields.iter().find(|f| !known.iter().any(|(k, _)| k == *f)) {
        return Err(sf_error(
            StatusCode::BAD_REQUEST,
            "INVALID_FIELD",
            &format!("No such column '{field}' on entity '{object}'."),
        ));
    }
    let phone_fields = schema::phone_fields(state, object);
    let index = state.phone_index;
    let found = |phones: &[(&'static str, String)]| {
        phones
            .iter()
            .filter(|(field, _)| phone_fields.iter().any(|f| f == field))
            .any(|(_, phone)| terms.iter().any(|term| index.matches(term, phone)))
    };
    let url = |id: &str| format!("/services/data/{version}/sobjects/{object}/{id}");
    let records: Vec<Value> = match object {
        "Contact" => state
            .contacts
            .iter()
            .filter(|row| (!row.person || state.person_rows.contact_row()) && found(&row.contact.phones))
            .map(|row| record("Contact", &url(&row.id), fields, |field| contact_value(row, field)))
            .collect(),
        _ => state
            .accounts
            .iter()
            .filter(|row| (row.person_contact_id.is_none() || state.person_rows.account_row()) && found(&row.phones))
            .map(|row| record("Account", &url(&row.id), fields, |field| account_value(row, field)))
            .collect(),
    };
    Ok(records.into_iter().take(limit.unwrap_or(2000)).collect())
}

fn record(object: &str, url: &str, fields: &[String], value: impl Fn(&str) -> Value) -> Value {
    let mut record = serde_json::Map::new();
    record.insert("attributes".into(), json!({"type": object, "url": url}));
    for field in fields {
        record.insert(field.clone(), value(field));
    }
    Value::Object(record)
}

fn phone(phones: &[(&'static str, String)], name: &str) -> Value {
    phones.iter().find(|(f, _)| *f == name).map_or(Value::Null, |(_, p)| Value::String(p.clone()))
}

fn contact_value(row: &ContactRow, field: &str) -> Value {
    let text = |value: &str| Value::String(value.to_owned());
    match field {
        "Id" => text(&row.id),
        "AccountId" => row.contact.account_id.as_deref().map_or(Value::Null, text),
        "FirstName" => text(&row.contact.first_name),
        "LastName" => text(&row.contact.last_name),
        "Name" => Value::String(format!("{} {}", row.contact.first_name, row.contact.last_name)),
        "Email" => row.contact.email.as_deref().map_or(Value::Null, text),
        "IsPersonAccount" => Value::Bool(row.person),
        other => phone(&row.contact.phones, other),
    }
}

fn account_value(row: &AccountRow, field: &str) -> Value {
    match field {
        "Id" => Value::String(row.id.clone()),
        "Name" => Value::String(row.name.clone()),
        "IsPersonAccount" => Value::Bool(row.person_contact_id.is_some()),
        "PersonContactId" => row.person_contact_id.clone().map_or(Value::Null, Value::String),
        other => phone(&row.phones, other),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn terms_are_unescaped() {
        let (terms, rest) = search_terms("\"\\+14155550100\" OR \"4155550100\"} IN").expect("valid");
        assert_eq!(terms, ["+14155550100", "4155550100"]);
        assert_eq!(rest, " IN");
    }

    #[test]
    fn before_v37_a_search_answers_a_bare_array() {
        let mut state = State::default();
        state.contacts.push(crate::state::ContactRow {
            id: "003000000000001AAA".into(),
            contact: crate::state::Contact { phones: vec![("Phone", "(415) 555-0100".into())], ..Default::default() },
            person: false,
        });
        let query = "FIND {\"4155550100\"} IN PHONE FIELDS RETURNING Contact(Id, Phone)";
        let (_, old) = sosl(&mut state, "v36.0", query);
        assert!(old.as_array().is_some_and(|records| records.len() == 1), "{old}");
        let (_, new) = sosl(&mut state, "v37.0", query);
        assert_eq!(new["searchRecords"].as_array().map(Vec::len), Some(1), "{new}");
    }

    #[test]
    fn unescaped_reserved_characters_are_malformed() {
        for bad in ["\"+1415\"}", "\"a\" OR {b}", "\"a\"\"b\"}", "\"a}", "*}", "\"a\\x\"}"] {
            assert!(search_terms(bad).is_err(), "{bad}");
        }
    }
}
