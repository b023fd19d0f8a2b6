//! One builder and one reader for `/composite` requests, whichever path sends them: subrequests named by
//! a [`CompositePart`] (never a string the reader must spell again), a write's `Sforce-Auto-Assign`
//! carried on the subrequest too, and each part's answer read as the org's error, a query's rows or a
//! record. With `allOrNone`, the failure is the part that failed, not the `PROCESSING_HALTED` of the
//! parts it halted.

use reqwest::StatusCode;
use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};
use tokio::time::Instant;

use super::client::{AUTO_ASSIGN_HEADER, ApiRequest, QueryAnswer, percent_encoded};
use super::codes::has_code;
use super::error::{CompositePart, record_is_gone, unexpected};
use super::{SalesforceClient, SalesforceError};

/// A `/composite` request being built.
pub(super) struct Composite {
    data_path: String,
    all_or_none: bool,
    resend_safe: bool,
    assignment_rules: bool,
    requests: Vec<Value>,
    asked: Vec<CompositePart>,
}

impl Composite {
    /// `/services/data/vXX.X` of the client that sends it.
    fn new(data_path: String, all_or_none: bool) -> Self {
        Self {
            data_path,
            all_or_none,
            resend_safe: false,
            assignment_rules: true,
            requests: Vec::new(),
            asked: Vec::new(),
        }
    }

    /// Whether a copy sent after a failure that may have reached the org is harmless (reads only, or a
    /// write a second copy of which the org refuses).
    pub(super) fn resend_safe(self, resend_safe: bool) -> Self {
        Self { resend_safe, ..self }
    }

    /// `false`: cases its writes make or change keep their owner (`Sforce-Auto-Assign: FALSE`, on the
    /// request and on each write, since Salesforce does not say whether a subrequest inherits it).
    pub(super) fn assignment_rules(self, assignment_rules: bool) -> Self {
        Self { assignment_rules, ..self }
    }

    /// A SOQL query; `soql` holds only escaped literals and validated names.
    pub(super) fn query(self, part: CompositePart, soql: &str) -> Self {
        let url = format!("{}/query?q={}", self.data_path, percent_encoded(soql));
        self.request(part, "GET", url, None)
    }

    /// `GET` of `rest` below the data path (`/sobjects/Case/@{writeCase.id}?fields=…`).
    pub(super) fn get(self, part: CompositePart, rest: &str) -> Self {
        let url = format!("{}{rest}", self.data_path);
        self.request(part, "GET", url, None)
    }

    /// `POST` of `body` to `rest` below the data path.
    pub(super) fn post(self, part: CompositePart, rest: &str, body: Value) -> Self {
        let url = format!("{}{rest}", self.data_path);
        self.request(part, "POST", url, Some(body))
    }

    /// `PATCH` of `body` to `rest` below the data path.
    pub(super) fn patch(self, part: CompositePart, rest: &str, body: Value) -> Self {
        let url = format!("{}{rest}", self.data_path);
        self.request(part, "PATCH", url, Some(body))
    }

    fn request(mut self, part: CompositePart, method: &str, url: String, body: Option<Value>) -> Self {
        let mut request = json!({"method": method, "url": url, "referenceId": part.reference_id()});
        if let Some(body) = body {
            request["body"] = body;
            if !self.assignment_rules {
                request["httpHeaders"] = json!({AUTO_ASSIGN_HEADER: "FALSE"});
            }
        }
        self.requests.push(request);
        self.asked.push(part);
        self
    }
}

/// One part's answer.
pub(super) struct PartAnswer {
    status: StatusCode,
    body: Value,
}

impl PartAnswer {
    /// The org's refusal of this part, named as `part`; `None` when it succeeded.
    pub(super) fn error(&self, part: CompositePart) -> Option<SalesforceError> {
        (!self.status.is_success()).then(|| unexpected(self.status, &self.body).in_part(part))
    }

    /// Whether the org did not run this part: another part of an all-or-none request failed, or (each
    /// part on its own) a part it refers to failed or found nothing.
    pub(super) fn halted(&self) -> bool {
        !self.status.is_success() && has_code(&self.body, &["PROCESSING_HALTED"])
    }

    /// Whether the part was a read or write by id of a record that does not exist (deleted, never there).
    pub(super) fn is_gone(&self) -> bool {
        record_is_gone(self.status, &self.body)
    }

    pub(super) fn succeeded(&self) -> bool {
        self.status.is_success()
    }

    /// A query part's rows, or the org's refusal.
    pub(super) fn records<T: DeserializeOwned>(&self, part: CompositePart) -> Result<Vec<T>, SalesforceError> {
        self.record::<QueryAnswer<T>>(part).map(|answer| answer.records)
    }

    /// A part's body read as `T`, or the org's refusal.
    pub(super) fn record<T: DeserializeOwned>(&self, part: CompositePart) -> Result<T, SalesforceError> {
        if let Some(error) = self.error(part) {
            return Err(error);
        }
        T::deserialize(&self.body)
            .map_err(|_| SalesforceError::Protocol(format!("the {} answer is not the documented JSON", part.name())))
    }
}

/// A `/composite` answer: each part asked, by its name.
pub(super) struct CompositeAnswer {
    parts: Vec<(CompositePart, PartAnswer)>,
}

#[derive(Deserialize)]
struct RawAnswer {
    #[serde(rename = "compositeResponse")]
    parts: Vec<RawPart>,
}

#[derive(Deserialize)]
struct RawPart {
    #[serde(rename = "referenceId", default)]
    reference_id: String,
    #[serde(rename = "httpStatusCode")]
    status: u16,
    #[serde(default)]
    body: Value,
}

impl CompositeAnswer {
    /// The answer to `part`, or `None` when it was not asked.
    pub(super) fn part(&self, part: CompositePart) -> Option<&PartAnswer> {
        self.parts.iter().find(|(asked, _)| *asked == part).map(|(_, answer)| answer)
    }

    /// A query part's rows, `None` when it was not asked, or the org's refusal.
    pub(super) fn rows<T: DeserializeOwned>(&self, part: CompositePart) -> Result<Option<Vec<T>>, SalesforceError> {
        self.part(part).map(|answer| answer.records(part)).transpose()
    }

    /// The failure among `parts`: the one that failed with its own error (not the `PROCESSING_HALTED`
    /// of a part halted because of another), when one did.
    pub(super) fn failure_among(&self, parts: &[CompositePart]) -> Option<SalesforceError> {
        let asked = || self.parts.iter().filter(|(part, _)| parts.contains(part));
        let failed = asked().find(|(_, answer)| !answer.status.is_success() && !answer.halted());
        match failed {
            Some((part, answer)) => answer.error(*part),
            None if asked().any(|(_, answer)| answer.halted()) => {
                Some(SalesforceError::Protocol("every part of the composite answered PROCESSING_HALTED".into()))
            }
            None => None,
        }
    }

    /// An all-or-none request's outcome: the part that failed, with its own error, when one did.
    #[cfg(test)]
    pub(super) fn all_or_none_failure(&self) -> Option<SalesforceError> {
        let every: Vec<CompositePart> = self.parts.iter().map(|(part, _)| *part).collect();
        self.failure_among(&every)
    }
}

impl SalesforceClient {
    /// A `/composite` request to build: `all_or_none` or each part on its own.
    pub(super) fn composite(&self, all_or_none: bool) -> Composite {
        Composite::new(self.data_path(""), all_or_none)
    }

    /// Sends `composite` as one request; every part it asked is answered, by name.
    pub(super) async fn send_composite(
        &self,
        composite: Composite,
        deadline: Instant,
    ) -> Result<CompositeAnswer, SalesforceError> {
        let asked = composite.asked;
        let body = json!({"allOrNone": composite.all_or_none, "compositeRequest": composite.requests});

        let request = ApiRequest::post(self.data_path("/composite"), &body)
            .resend_safe(composite.resend_safe)
            .assignment_rules(composite.assignment_rules);
        let response = self.send(request, deadline).await?;
        if !response.status.is_success() {
            return Err(unexpected(response.status, &response.body));
        }
        let raw = RawAnswer::deserialize(&response.body)
            .map_err(|_| SalesforceError::Protocol("the composite answer is not the documented JSON".into()))?;
        let mut parts = Vec::with_capacity(raw.parts.len());
        for raw in raw.parts {
            let Some(part) = asked.iter().find(|p| p.reference_id() == raw.reference_id) else { continue };
            let status = StatusCode::from_u16(raw.status)
                .map_err(|_| SalesforceError::Protocol("a composite part's httpStatusCode is not a status".into()))?;
            parts.push((*part, PartAnswer { status, body: raw.body }));
        }
        if let Some(missing) = asked.iter().find(|p| !parts.iter().any(|(answered, _)| answered == *p)) {
            return Err(SalesforceError::Protocol(format!("the composite answer has no {}", missing.name())));
        }
        Ok(CompositeAnswer { parts })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answer(parts: &[(CompositePart, u16, Value)]) -> CompositeAnswer {
        let parts = parts
            .iter()
            .map(|(part, status, body)| {
                let status = StatusCode::from_u16(*status).unwrap_or(StatusCode::BAD_GATEWAY);
                (*part, PartAnswer { status, body: body.clone() })
            })
            .collect();
        CompositeAnswer { parts }
    }

    #[test]
    fn the_failure_is_the_part_that_failed_not_the_ones_it_halted() {
        let halted = json!([{"errorCode": "PROCESSING_HALTED", "message": "rolled back"}]);
        let refused = json!([{"errorCode": "INVALID_FIELD", "message": "No such column 'Reason__c'"}]);
        let answer =
            answer(&[(CompositePart::CaseCreate, 400, halted.clone()), (CompositePart::CaseReadBack, 400, refused)]);
        let failure = answer.all_or_none_failure().expect("a failure");
        assert_eq!(failure.to_string(), "Salesforce rejected read back of the new case: HTTP 400 INVALID_FIELD");
        let every_part_halted = self::answer(&[(CompositePart::CaseCreate, 400, halted)]);
        assert!(matches!(every_part_halted.all_or_none_failure(), Some(SalesforceError::Protocol(_))));
        let fine = self::answer(&[(CompositePart::Tasks, 200, json!({"records": [{"Id": "00T"}]}))]);
        assert!(fine.all_or_none_failure().is_none());
        let rows: Option<Vec<Value>> = fine.rows(CompositePart::Tasks).expect("rows");
        assert_eq!(rows.map(|r| r.len()), Some(1));
        assert!(fine.rows::<Value>(CompositePart::Users).expect("not asked").is_none());
    }
}
