//! Phone search as the org does it: SOSL `FIND {…} IN PHONE FIELDS RETURNING Contact(…)` and
//! `/parameterizedSearch`. Salesforce does not document how phone fields are indexed, so the stand-in
//! plays both readings ([`PhoneIndex`]): digit by digit, or split into tokens as the search documentation
//! says it splits text.

use std::collections::BTreeMap;

use axum::http::StatusCode;
use serde_json::{Value, json};

use crate::state::State;
use crate::wire::sf_error;

const PHONE_FIELDS: &[&str] = &["Phone", "MobilePhone", "HomePhone", "OtherPhone", "AssistantPhone", "Fax"];

/// Characters SOSL reserves; unescaped inside `FIND {…}` they make the search malformed.
const RESERVED: &[char] =
    &['?', '&', '|', '!', '{', '}', '[', ']', '(', ')', '^', '~', '*', ':', '\\', '"', '\'', '+', '-'];

const CONTACT_FIELDS: &[&str] = &[
    "Id",
    "AccountId",
    "FirstName",
    "LastName",
    "Name",
    "Email",
    "Phone",
    "MobilePhone",
    "HomePhone",
    "OtherPhone",
    "AssistantPhone",
    "Fax",
];

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
    let Some(returning) = rest.strip_prefix("IN PHONE FIELDS RETURNING Contact(").and_then(|r| r.strip_suffix(')'))
    else {
        return malformed("expected IN PHONE FIELDS RETURNING Contact(...)");
    };
    // Spell correction only ever widens a search; the stand-in does not play it, but it counts it.
    if spell_correction {
        state.spell_corrected_searches += 1;
    }
    let (fields, limit) = match returning.split_once(" LIMIT ") {
        Some((fields, limit)) => (fields, limit.trim().parse().ok()),
        None => (returning, None),
    };
    let fields: Vec<&str> = fields.split(',').map(str::trim).collect();
    matches(state, version, &terms, &fields, limit)
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
    let fields: Vec<&str> = match get("Contact.fields") {
        "" => vec!["Id"],
        list => list.split(',').map(str::trim).collect(),
    };
    matches(state, version, &terms, &fields, get("Contact.limit").parse().ok())
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

fn matches(
    state: &State,
    version: &str,
    terms: &[String],
    fields: &[&str],
    limit: Option<usize>,
) -> (StatusCode, Value) {
    if let Some(field) = fields.iter().find(|f| !CONTACT_FIELDS.contains(f)) {
        return sf_error(
            StatusCode::BAD_REQUEST,
            "INVALID_FIELD",
            &format!("No such column '{field}' on entity 'Contact'"),
        );
    }
    let index = state.phone_index;
    let records: Vec<Value> = state
        .contacts
        .iter()
        .filter(|row| {
            row.contact
                .phones
                .iter()
                .filter(|(field, _)| PHONE_FIELDS.contains(field))
                .any(|(_, phone)| terms.iter().any(|term| index.matches(term, phone)))
        })
        .take(limit.unwrap_or(2000))
        .map(|row| {
            let mut record = serde_json::Map::new();
            record.insert(
                "attributes".into(),
                json!({"type": "Contact", "url": format!("/services/data/{version}/sobjects/Contact/{}", row.id)}),
            );
            for field in fields {
                let phone = |name: &str| row.contact.phones.iter().find(|(f, _)| *f == name).map(|(_, p)| p.clone());
                let value = match *field {
                    "Id" => Some(row.id.clone()),
                    "AccountId" => row.contact.account_id.clone(),
                    "FirstName" => Some(row.contact.first_name.clone()),
                    "LastName" => Some(row.contact.last_name.clone()),
                    "Name" => Some(format!("{} {}", row.contact.first_name, row.contact.last_name)),
                    "Email" => row.contact.email.clone(),
                    other => phone(other),
                };
                record.insert((*field).into(), value.map_or(Value::Null, Value::String));
            }
            Value::Object(record)
        })
        .collect();
    (StatusCode::OK, json!({"searchRecords": records}))
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
    fn unescaped_reserved_characters_are_malformed() {
        for bad in ["\"+1415\"}", "\"a\" OR {b}", "\"a\"\"b\"}", "\"a}", "*}", "\"a\\x\"}"] {
            assert!(search_terms(bad).is_err(), "{bad}");
        }
    }
}
