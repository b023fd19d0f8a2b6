//! Cases: read one by id or by external id; create one and read its `CaseNumber` in the same composite
//! request.

use reqwest::{Method, StatusCode};
use serde_json::{Map, Value, json};
use tokio::time::Instant;

use super::client::{AUTO_ASSIGN_HEADER, ApiRequest, ApiResponse};
use super::error::{record_is_gone, unexpected};
use super::{CaseId, CaseStore, SalesforceClient, SalesforceError, SalesforceId};

const CASE_FIELDS: &str = "Id,CaseNumber,ContactId,AccountId";

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseRecord {
    pub id: CaseId,
    pub number: String,
    pub contact_id: Option<SalesforceId>,
    pub account_id: Option<SalesforceId>,
}

impl CaseStore for SalesforceClient {
    async fn read_case(&self, id: &CaseId, deadline: Instant) -> Result<Option<CaseRecord>, SalesforceError> {
        let request = ApiRequest {
            method: Method::GET,
            path: self.data_path(&format!("/sobjects/Case/{}", id.as_str())),
            query: &[("fields", CASE_FIELDS)],
            body: None,
            idempotent: true,
            assignment_rules: true,
        };
        self.read_one(request, deadline).await
    }

    /// `field` is a validated API name; `key` is a Connect contact id, percent-encoded all the same.
    async fn read_case_by_key(
        &self,
        field: &str,
        key: &str,
        deadline: Instant,
    ) -> Result<Option<CaseRecord>, SalesforceError> {
        let request = ApiRequest {
            method: Method::GET,
            path: self.data_path(&format!(
                "/sobjects/Case/{}/{}",
                encode_path_segment(field),
                encode_path_segment(key)
            )),
            query: &[("fields", CASE_FIELDS)],
            body: None,
            idempotent: true,
            assignment_rules: true,
        };
        self.read_one(request, deadline).await
    }

    /// In one composite request.
    async fn create_case(
        &self,
        fields: &Map<String, Value>,
        key: Option<(&str, &str)>,
        deadline: Instant,
    ) -> Result<CaseRecord, SalesforceError> {
        let mut body = fields.clone();
        if let Some((field, value)) = key {
            body.insert(field.to_owned(), value.into());
        }
        let mut write = json!({
            "method": "POST",
            "url": self.data_path("/sobjects/Case"),
            "referenceId": "writeCase",
            "body": body,
        });
        // Salesforce does not say whether a composite request's header reaches its subrequests: the
        // subrequest carries it too.
        if !self.assignment_rules_on_create() {
            write["httpHeaders"] = json!({AUTO_ASSIGN_HEADER: "FALSE"});
        }
        // A create that may have reached the org is sent again only when it carries the call's external
        // id: a second copy is then refused with DUPLICATE_VALUE instead of making a second case.
        self.write_and_read(write, key.is_some(), deadline).await
    }
}

impl SalesforceClient {
    /// One case record, or `None` when the org has no such case.
    async fn read_one(
        &self,
        request: ApiRequest<'_>,
        deadline: Instant,
    ) -> Result<Option<CaseRecord>, SalesforceError> {
        let response = self.send(request, deadline).await?;
        match response.status {
            status if status.is_success() => case_record(&response.body).map(Some),
            status if record_is_gone(status, &response.body) => Ok(None),
            _ => Err(unexpected(response.status, &response.body)),
        }
    }

    /// `[write, read @{writeCase.id}]` with allOrNone; answers the case read back.
    async fn write_and_read(
        &self,
        write: Value,
        idempotent: bool,
        deadline: Instant,
    ) -> Result<CaseRecord, SalesforceError> {
        let read = json!({
            "method": "GET",
            "url": format!("{}?fields={CASE_FIELDS}", self.data_path("/sobjects/Case/@{writeCase.id}")),
            "referenceId": "readCase",
        });
        let body = json!({"allOrNone": true, "compositeRequest": [write, read]});
        let request = ApiRequest {
            method: Method::POST,
            path: self.data_path("/composite"),
            query: &[],
            body: Some(&body),
            idempotent,
            assignment_rules: self.assignment_rules_on_create(),
        };
        let response = self.send(request, deadline).await?;
        if !response.status.is_success() {
            return Err(unexpected(response.status, &response.body));
        }
        let parts = response
            .body
            .get("compositeResponse")
            .and_then(Value::as_array)
            .filter(|parts| parts.len() == 2)
            .ok_or_else(|| SalesforceError::Protocol("composite answer does not hold two parts".into()))?;
        let (write_part, read_part) = (sub_response(&parts[0])?, sub_response(&parts[1])?);
        for part in [&write_part, &read_part] {
            if !part.status.is_success() {
                return Err(unexpected(part.status, &part.body));
            }
        }
        case_record(&read_part.body)
    }
}

fn sub_response(part: &Value) -> Result<ApiResponse, SalesforceError> {
    let status = part
        .get("httpStatusCode")
        .and_then(Value::as_u64)
        .and_then(|code| u16::try_from(code).ok())
        .and_then(|code| StatusCode::from_u16(code).ok())
        .ok_or_else(|| SalesforceError::Protocol("composite part has no httpStatusCode".into()))?;
    Ok(ApiResponse { status, body: part.get("body").cloned().unwrap_or(Value::Null) })
}

fn case_record(body: &Value) -> Result<CaseRecord, SalesforceError> {
    let field = |name: &str| body.get(name).and_then(Value::as_str);
    let id = field("Id")
        .and_then(CaseId::parse)
        .ok_or_else(|| SalesforceError::Protocol("case record has no valid Id".into()))?;
    let number = field("CaseNumber")
        .filter(|n| n.len() <= 30 && n.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-'))
        .ok_or_else(|| SalesforceError::Protocol("case record has no CaseNumber".into()))?;
    Ok(CaseRecord {
        id,
        number: number.to_owned(),
        contact_id: field("ContactId").and_then(SalesforceId::parse),
        account_id: field("AccountId").and_then(SalesforceId::parse),
    })
}

/// Percent-encodes everything but letters, digits, `-` and `_`, so a segment can never be `..`.
fn encode_path_segment(segment: &str) -> String {
    let mut encoded = String::with_capacity(segment.len());
    for byte in segment.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'_') {
            encoded.push(char::from(byte));
        } else {
            encoded.push_str(&format!("%{byte:02X}"));
        }
    }
    encoded
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn path_segments_cannot_climb() {
        assert_eq!(encode_path_segment("../x/y?z#"), "%2E%2E%2Fx%2Fy%3Fz%23");
        assert_eq!(encode_path_segment("5ca32fbd-8f92"), "5ca32fbd-8f92");
    }

    #[test]
    fn case_record_needs_a_case_id_and_a_number() {
        let good = json!({"Id": "5005g00000AbCdEAAV", "CaseNumber": "00001001", "ContactId": null});
        let record = case_record(&good).expect("valid");
        assert_eq!(record.number, "00001001");
        assert_eq!(record.contact_id, None);
        assert!(case_record(&json!({"Id": "001A0000006Vm9rIAC", "CaseNumber": "1"})).is_err());
        assert!(case_record(&json!({"Id": "5005g00000AbCdEAAV"})).is_err());
    }
}
