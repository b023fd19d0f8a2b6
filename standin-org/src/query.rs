//! `GET /query?q=…`: the little SOQL the function sends, parsed as the org would parse it:
//! `SELECT f, … FROM Object WHERE Field = 'text' [AND Field = true|false] [AND Field >= 2026-11-30T19:05:00Z]
//! … [ORDER BY Field [ASC|DESC]] [LIMIT n]`, over Contact, User and Case. String literals are unescaped by
//! SOQL's rules and compared without regard to letter case, as Salesforce compares text; a quote left
//! unescaped ends the literal and makes the rest of the query malformed. Datetimes compare as moments.

use std::borrow::Cow;

use axum::http::StatusCode;
use serde_json::{Map, Value, json};

use crate::clock;
use crate::schema::{self, Object};
use crate::state::State;
use crate::wire::sf_error;

/// A record as a query reads it: laid out for it, or as it lies in the state.
type Row<'a> = Cow<'a, Map<String, Value>>;

#[derive(Debug, PartialEq)]
enum Literal {
    Text(String),
    Bool(bool),
    /// A datetime literal, as seconds since 1970.
    DateTime(i64),
    /// `('a', 'b')`, after `IN`.
    List(Vec<String>),
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Op {
    Equals,
    AtLeast,
    In,
}

#[derive(Debug, PartialEq)]
struct Query {
    fields: Vec<String>,
    object: String,
    conditions: Vec<(String, Op, Literal)>,
    /// The field, and whether descending.
    order_by: Option<(String, bool)>,
    limit: Option<usize>,
}

pub(crate) fn soql(state: &State, version: &str, text: &str) -> (StatusCode, Value) {
    let query = match parse(text) {
        Ok(query) => query,
        Err(why) => return sf_error(StatusCode::BAD_REQUEST, "MALFORMED_QUERY", why),
    };
    // Cases are read where they lie (a benchmark's org holds thousands); the few Contacts and Users are
    // laid out as rows first.
    let static_names = |object: &Object| object.names().map(str::to_owned).collect();
    let (rows, known): (Vec<Row<'_>>, Vec<String>) = match query.object.as_str() {
        "Contact" => (
            state.contacts.iter().map(|c| Cow::Owned(contact_fields(c))).collect(),
            schema::fields(state, "Contact").unwrap_or_default().into_iter().map(|(name, _)| name).collect(),
        ),
        "User" => (state.users.iter().map(|u| Cow::Owned(user_fields(u))).collect(), static_names(&schema::USER)),
        "Case" => (state.cases.values().map(Cow::Borrowed).collect(), static_names(&schema::CASE)),
        "Task" => {
            (crate::activities::task_rows(state).into_iter().map(Cow::Owned).collect(), static_names(&schema::TASK))
        }
        "TaskStatus" => (
            crate::activities::status_rows(state).into_iter().map(Cow::Owned).collect(),
            static_names(&schema::TASK_STATUS),
        ),
        "VoiceCall" if state.voice_calls_visible() => {
            (state.voice_calls.values().map(Cow::Borrowed).collect(), static_names(&schema::VOICE_CALL))
        }
        other => {
            return sf_error(
                StatusCode::BAD_REQUEST,
                "INVALID_TYPE",
                &format!("sObject type '{other}' is not supported."),
            );
        }
    };
    let order_field = query.order_by.iter().map(|(f, _)| f);
    if let Some(field) = query
        .fields
        .iter()
        .chain(query.conditions.iter().map(|(f, _, _)| f))
        .chain(order_field)
        .find(|f| !known.iter().any(|k| k.eq_ignore_ascii_case(f)))
    {
        return sf_error(
            StatusCode::BAD_REQUEST,
            "INVALID_FIELD",
            &format!("No such column '{field}' on entity '{}'", query.object),
        );
    }
    let mut rows: Vec<&Map<String, Value>> = rows
        .iter()
        .map(AsRef::as_ref)
        .filter(|row| {
            query.conditions.iter().all(|(field, op, literal)| holds(value(row, field).as_deref(), *op, literal))
        })
        .collect();
    if let Some((field, descending)) = &query.order_by {
        rows.sort_by(|a, b| match (a.get(field), b.get(field)) {
            (Some(Value::Number(x)), Some(Value::Number(y))) => {
                x.as_f64().unwrap_or(0.0).total_cmp(&y.as_f64().unwrap_or(0.0))
            }
            (x, y) => x.and_then(Value::as_str).cmp(&y.and_then(Value::as_str)),
        });
        if *descending {
            rows.reverse();
        }
    }
    let records: Vec<Value> = rows
        .into_iter()
        .take(query.limit.unwrap_or(2000))
        .map(|row| {
            let mut record = Map::new();
            let id = row.get("Id").and_then(Value::as_str).unwrap_or_default();
            record.insert(
                "attributes".into(),
                json!({"type": query.object, "url": format!("/services/data/{version}/sobjects/{}/{id}", query.object)}),
            );
            for field in &query.fields {
                record.insert(field.clone(), value(row, field).map_or(Value::Null, Cow::into_owned));
            }
            Value::Object(record)
        })
        .collect();
    (StatusCode::OK, json!({"totalSize": records.len(), "done": true, "records": records}))
}

fn contact_fields(row: &crate::state::ContactRow) -> Map<String, Value> {
    let contact = &row.contact;
    let mut fields = Map::new();
    fields.insert("Id".into(), row.id.clone().into());
    fields.insert("AccountId".into(), contact.account_id.clone().map_or(Value::Null, Value::String));
    fields.insert("Email".into(), contact.email.clone().map_or(Value::Null, Value::String));
    fields.insert("FirstName".into(), contact.first_name.clone().into());
    fields.insert("LastName".into(), contact.last_name.clone().into());
    let phone = contact.phones.iter().find(|(f, _)| *f == "Phone").map(|(_, p)| p.clone());
    fields.insert("Phone".into(), phone.map_or(Value::Null, Value::String));
    fields
}

fn user_fields(user: &crate::state::User) -> Map<String, Value> {
    let mut fields = Map::new();
    fields.insert("Id".into(), user.id.clone().into());
    fields.insert("Username".into(), user.username.clone().into());
    fields.insert("Email".into(), user.email.clone().into());
    fields.insert("FederationIdentifier".into(), user.federation_identifier.clone().map_or(Value::Null, Value::String));
    fields.insert("IsActive".into(), user.active.into());
    fields
}

/// A row's field as SOQL sees it: as stored, but a Case's `IsClosed`, which its `Status` decides.
fn value<'r>(row: &'r Map<String, Value>, field: &str) -> Option<Cow<'r, Value>> {
    if field == "IsClosed" && row.contains_key("CaseNumber") {
        let closed = row.get("Status").and_then(Value::as_str).is_some_and(|status| status == "Closed");
        return Some(Cow::Owned(closed.into()));
    }
    row.get(field).map(Cow::Borrowed)
}

/// Text compared as SOQL compares it, without regard to case (without allocating, for ASCII text: a
/// benchmark's org holds thousands of rows).
fn same_text(held: &str, wanted: &str) -> bool {
    held.eq_ignore_ascii_case(wanted)
        || !(held.is_ascii() && wanted.is_ascii()) && held.to_lowercase() == wanted.to_lowercase()
}

fn holds(value: Option<&Value>, op: Op, literal: &Literal) -> bool {
    match (value, op, literal) {
        (Some(Value::String(held)), Op::Equals, Literal::Text(wanted)) => same_text(held, wanted),
        (Some(Value::String(held)), Op::In, Literal::List(wanted)) => {
            wanted.iter().any(|wanted| same_text(held, wanted))
        }
        (Some(Value::Bool(held)), Op::Equals, Literal::Bool(wanted)) => held == wanted,
        (Some(Value::String(held)), op, Literal::DateTime(wanted)) => {
            clock::seconds(held).is_some_and(|held| match op {
                Op::Equals => held == *wanted,
                Op::AtLeast => held >= *wanted,
                Op::In => false,
            })
        }
        _ => false,
    }
}

fn parse(text: &str) -> Result<Query, &'static str> {
    let rest = text.trim().strip_prefix("SELECT ").ok_or("expected SELECT")?;
    let (fields, rest) = rest.split_once(" FROM ").ok_or("expected FROM")?;
    let fields: Vec<String> = fields.split(',').map(|f| f.trim().to_owned()).collect();
    if fields.iter().any(|f| f.is_empty() || !f.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')) {
        return Err("unexpected token in the field list");
    }
    let (object, mut rest) = rest.split_once(' ').unwrap_or((rest, ""));
    let mut query = Query { fields, object: object.to_owned(), conditions: Vec::new(), order_by: None, limit: None };
    if let Some(after) = rest.strip_prefix("WHERE ") {
        rest = after;
        loop {
            let (field, after) = rest.split_once(' ').ok_or("expected Field = value")?;
            let (op, after) = match after.split_once(' ') {
                Some(("=", after)) => (Op::Equals, after),
                Some((">=", after)) => (Op::AtLeast, after),
                Some(("IN", after)) => (Op::In, after),
                _ => return Err("expected =, >= or IN"),
            };
            let (literal, after) = if op == Op::In { list(after)? } else { literal(after)? };
            query.conditions.push((field.trim().to_owned(), op, literal));
            rest = after.trim_start();
            match rest.strip_prefix("AND ") {
                Some(after) => rest = after,
                None => break,
            }
        }
    }
    if let Some(after) = rest.strip_prefix("ORDER BY ") {
        let (field, after) = after.split_once(' ').unwrap_or((after, ""));
        let (descending, after) = match after.split_once(' ').unwrap_or((after, "")) {
            ("DESC", after) => (true, after),
            ("ASC", after) => (false, after),
            _ => (false, after),
        };
        query.order_by = Some((field.to_owned(), descending));
        rest = after.trim_start();
    }
    if let Some(limit) = rest.strip_prefix("LIMIT ") {
        query.limit = Some(limit.trim().parse().map_err(|_| "LIMIT expects a number")?);
        rest = "";
    }
    if rest.trim().is_empty() { Ok(query) } else { Err("unexpected token after the query") }
}

/// `('a', 'b', …)` at the start of `text`, and what follows it.
fn list(text: &str) -> Result<(Literal, &str), &'static str> {
    let mut rest = text.strip_prefix('(').ok_or("expected ( after IN")?;
    let mut values = Vec::new();
    loop {
        let (value, after) = literal(rest.trim_start())?;
        let Literal::Text(value) = value else { return Err("IN takes quoted strings") };
        values.push(value);
        let after = after.trim_start();
        if let Some(after) = after.strip_prefix(',') {
            rest = after;
        } else if let Some(after) = after.strip_prefix(')') {
            return Ok((Literal::List(values), after));
        } else {
            return Err("expected , or ) in an IN list");
        }
    }
}

/// A literal at the start of `text`, and what follows it.
fn literal(text: &str) -> Result<(Literal, &str), &'static str> {
    for (word, value) in [("true", true), ("false", false)] {
        if let Some(rest) = text.strip_prefix(word) {
            return Ok((Literal::Bool(value), rest));
        }
    }
    if text.starts_with(|c: char| c.is_ascii_digit()) {
        let (word, rest) = text.split_once(' ').unwrap_or((text, ""));
        let seconds = clock::seconds(word).ok_or("expected a datetime like 2026-11-30T19:05:00Z")?;
        return Ok((Literal::DateTime(seconds), rest));
    }
    let body = text.strip_prefix('\'').ok_or("expected a quoted string")?;
    let mut value = String::new();
    let mut chars = body.char_indices();
    while let Some((at, c)) = chars.next() {
        match c {
            '\\' => match chars.next() {
                Some((_, 'n')) => value.push('\n'),
                Some((_, 'r')) => value.push('\r'),
                Some((_, 't')) => value.push('\t'),
                Some((_, escaped @ ('\\' | '\'' | '"' | '%' | '_'))) => value.push(escaped),
                _ => return Err("invalid escape sequence in a string literal"),
            },
            '\'' => return Ok((Literal::Text(value), &body[at + 1..])),
            c => value.push(c),
        }
    }
    Err("unterminated string literal")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_compared_without_regard_to_case_ascii_or_not() {
        assert!(same_text("Ada@Example.com", "ada@example.COM"));
        assert!(same_text("Öberg@Example.com", "öberg@example.com"));
        assert!(!same_text("ada@example.com", "bo@example.com"));
        assert!(!same_text("Öberg", "Oberg"));
    }

    #[test]
    fn literals_are_unescaped_and_an_unescaped_quote_ends_them() {
        let query = parse("SELECT Id FROM Contact WHERE Email = 'o\\'brien@example.ie' LIMIT 200").expect("valid");
        assert_eq!(query.conditions, [("Email".to_owned(), Op::Equals, Literal::Text("o'brien@example.ie".into()))]);
        assert_eq!(query.limit, Some(200));
        assert!(parse("SELECT Id FROM Contact WHERE Email = 'x' OR Id != '' LIMIT 1").is_err());
        assert!(parse("SELECT Id FROM Contact WHERE Email = 'x\\'").is_err());
    }

    #[test]
    fn several_conditions_and_booleans() {
        let query = parse("SELECT Id FROM User WHERE IsActive = true AND Email = 'a@b.c' LIMIT 2").expect("valid");
        assert_eq!(query.object, "User");
        assert_eq!(query.conditions[0], ("IsActive".to_owned(), Op::Equals, Literal::Bool(true)));
    }

    #[test]
    fn in_lists_take_escaped_strings_only() {
        let query = parse("SELECT Id FROM Task WHERE CallObject IN ('a', 'b\\'c') AND IsClosed = true").expect("valid");
        assert_eq!(
            query.conditions[0],
            ("CallObject".to_owned(), Op::In, Literal::List(vec!["a".into(), "b'c".into()]))
        );
        assert!(parse("SELECT Id FROM Task WHERE CallObject IN ('a', b)").is_err());
        assert!(parse("SELECT Id FROM Task WHERE CallObject IN ('a') OR Id != ''").is_err());
    }

    #[test]
    fn datetimes_and_order() {
        let query = parse(
            "SELECT Id FROM Case WHERE ContactId = '003' AND LastModifiedDate >= 2026-12-30T19:01:05Z \
             ORDER BY LastModifiedDate DESC LIMIT 1",
        )
        .expect("valid");
        assert_eq!(query.conditions[1], ("LastModifiedDate".to_owned(), Op::AtLeast, Literal::DateTime(1_798_657_265)));
        assert_eq!(query.order_by, Some(("LastModifiedDate".to_owned(), true)));
        assert_eq!(query.limit, Some(1));
        assert!(parse("SELECT Id FROM Case WHERE LastModifiedDate >= yesterday").is_err());
    }
}
