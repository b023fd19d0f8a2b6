//! Case ownership: the one active `User` whose owner field holds an agent's Connect username, and moving
//! a case to that user with `Sforce-Auto-Assign: FALSE`, so assignment rules do not move it again.

use serde_json::json;
use tokio::time::Instant;

use super::client::{ApiRequest, Language};
use super::error::{record_is_gone, unexpected};
use super::soql::string_literal;
use super::{CaseId, CaseOwners, SalesforceClient, SalesforceError, SalesforceId};

#[derive(serde::Deserialize)]
struct UserRow {
    #[serde(rename = "Id")]
    id: String,
}

/// `SELECT Id FROM User WHERE IsActive = true AND <field> = '…' LIMIT 2`: two are enough to know there
/// is more than one. `field` is a validated API name; `value` is escaped.
fn user_query(field: &str, value: &str) -> String {
    format!("SELECT Id FROM User WHERE IsActive = true AND {field} = {} LIMIT 2", string_literal(value))
}

impl CaseOwners for SalesforceClient {
    async fn active_users_with(
        &self,
        field: &str,
        value: &str,
        deadline: Instant,
    ) -> Result<Vec<SalesforceId>, SalesforceError> {
        let rows: Vec<UserRow> = self.records(Language::Soql, &user_query(field, value), deadline).await?;
        Ok(rows.iter().filter_map(|row| SalesforceId::parse(&row.id)).collect())
    }

    async fn set_case_owner(
        &self,
        case: &CaseId,
        owner: &SalesforceId,
        deadline: Instant,
    ) -> Result<bool, SalesforceError> {
        let body = json!({"OwnerId": owner.as_str()});
        // Setting the same owner twice leaves the same owner: a patch may be sent again.
        let request =
            ApiRequest::patch(self.data_path(&format!("/sobjects/Case/{}", case.as_str())), &body).keep_owner();
        let response = self.send(request, deadline).await?;
        match response.status {
            status if status.is_success() => Ok(true),
            status if record_is_gone(status, &response.body) => Ok(false),
            _ => Err(unexpected(response.status, &response.body)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_username_is_escaped_into_the_user_query() {
        assert_eq!(
            user_query("Email", "o'brien@example.com"),
            "SELECT Id FROM User WHERE IsActive = true AND Email = 'o\\'brien@example.com' LIMIT 2"
        );
    }
}
