//! Finding the caller's Contacts: one SOSL search over phone fields with every spelling of the number.

use reqwest::Method;
use serde_json::Value;
use tokio::time::Instant;

use super::client::ApiRequest;
use super::error::unexpected;
use super::{ContactSearch, SalesforceClient, SalesforceError, SalesforceId};

/// Most Contacts one search returns. More than one is already "several"; the cap keeps the answer small.
pub const MATCH_LIMIT: u32 = 200;

/// Characters SOSL reserves inside a `FIND {…}` clause; each is escaped with a backslash.
const RESERVED: &[char] =
    &['?', '&', '|', '!', '{', '}', '[', ']', '(', ')', '^', '~', '*', ':', '\\', '"', '\'', '+', '-'];

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MatchedContact {
    pub id: SalesforceId,
    pub account_id: Option<SalesforceId>,
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

/// `FIND {"…" OR "…"} IN PHONE FIELDS RETURNING Contact(Id, AccountId LIMIT n)`.
pub fn search_query(spellings: &[String]) -> String {
    let phrases: Vec<String> = spellings.iter().map(|s| format!("\"{}\"", escape_search_term(s))).collect();
    format!("FIND {{{}}} IN PHONE FIELDS RETURNING Contact(Id, AccountId LIMIT {MATCH_LIMIT})", phrases.join(" OR "))
}

impl ContactSearch for SalesforceClient {
    async fn search_contacts(
        &self,
        spellings: &[String],
        deadline: Instant,
    ) -> Result<Vec<MatchedContact>, SalesforceError> {
        let query = search_query(spellings);
        let request = ApiRequest {
            method: Method::GET,
            path: self.data_path("/search"),
            query: &[("q", &query)],
            body: None,
            idempotent: true,
        };
        let response = self.send(request, deadline).await?;
        if !response.status.is_success() {
            return Err(unexpected(response.status, &response.body));
        }
        let records = response
            .body
            .get("searchRecords")
            .and_then(Value::as_array)
            .ok_or_else(|| SalesforceError::Protocol("search answer has no searchRecords".into()))?;
        Ok(records
            .iter()
            .filter(|r| r.pointer("/attributes/type").and_then(Value::as_str) == Some("Contact"))
            .filter_map(|r| {
                Some(MatchedContact {
                    id: SalesforceId::parse(r.get("Id")?.as_str()?)?,
                    account_id: r.get("AccountId").and_then(Value::as_str).and_then(SalesforceId::parse),
                })
            })
            .collect())
    }
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
    fn query_ors_quoted_spellings() {
        let query = search_query(&["+14155550100".into(), "4155550100".into()]);
        assert_eq!(
            query,
            "FIND {\"\\+14155550100\" OR \"4155550100\"} IN PHONE FIELDS RETURNING Contact(Id, AccountId LIMIT 200)"
        );
    }
}
