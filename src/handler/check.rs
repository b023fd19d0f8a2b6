//! `{"CheckSetup": {}}`: checks a deployment before the first call and answers a report, making no case.
//! Each failing check's detail says what to fix and names the field, variable or permission; none holds
//! a secret.

use serde::Serialize;
use tokio::time::Instant;

use super::{Handoff, Invocation};
use crate::config::CaseOwner;
use crate::connect::{CASE_ID_ATTRIBUTE, ContactDirectory, instance_id_of};
use crate::salesforce::{ContactSearch, SalesforceError};

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SetupReport {
    pub ok: bool,
    pub checks: Vec<SetupCheck>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SetupCheck {
    pub name: &'static str,
    pub ok: bool,
    pub detail: String,
}

fn pass(name: &'static str, detail: impl Into<String>) -> SetupCheck {
    SetupCheck { name, ok: true, detail: detail.into() }
}

fn fail(name: &'static str, detail: impl Into<String>) -> SetupCheck {
    SetupCheck { name, ok: false, detail: detail.into() }
}

/// A contact id no call has: asking Connect for its attributes tests access without touching a call.
const PROBE_CONTACT: &str = "00000000-0000-4000-8000-000000000000";

impl Handoff {
    pub(super) async fn check_setup(&self, invocation: &Invocation) -> SetupReport {
        let deadline = invocation.deadline;
        let mut checks = Vec::new();
        let salesforce_ok = match self.salesforce.log_in(deadline).await {
            Ok(()) => {
                checks.push(pass("login", "the token endpoint gave a session for the client credentials"));
                true
            }
            Err(error) => {
                checks.push(fail("login", login_advice(&error)));
                false
            }
        };
        if salesforce_ok {
            checks.push(self.check_api_version(deadline).await);
            checks.extend(self.check_case(deadline).await);
            checks.push(self.check_owner_field(deadline).await);
            checks.push(self.check_phone_search(deadline).await);
        } else {
            for name in ["api_version", "case_access", "external_id_field", "owner_user_field", "phone_search"] {
                checks.push(fail(name, "not run: the login failed"));
            }
        }
        checks.push(self.check_connect().await);
        let ok = checks.iter().all(|c| c.ok);
        tracing::info!(ok, failed = checks.iter().filter(|c| !c.ok).count(), "setup checked");
        self.emit(&self.metrics(invocation, if ok { "setup-ok" } else { "setup-failed" }));
        SetupReport { ok, checks }
    }

    async fn check_api_version(&self, deadline: Instant) -> SetupCheck {
        let wanted = &self.config.api_version;
        match self.salesforce.served_versions(deadline).await {
            Ok(versions) if versions.iter().any(|v| v == wanted) => {
                pass("api_version", format!("the org serves REST API v{wanted}"))
            }
            Ok(versions) => fail(
                "api_version",
                format!(
                    "the org does not serve v{wanted}; set SALESFORCE_API_VERSION to one it serves (newest: {})",
                    versions.last().map(String::as_str).unwrap_or("none")
                ),
            ),
            Err(error) => fail("api_version", format!("could not list the org's API versions: {error}")),
        }
    }

    /// Case access, and the external id field, from one describe of Case.
    async fn check_case(&self, deadline: Instant) -> [SetupCheck; 2] {
        let case = match self.salesforce.describe("Case", deadline).await {
            Ok(case) => case,
            Err(error) => {
                let why = format!("the run-as user cannot describe Case ({error}): give it Read and Create on Case");
                return [fail("case_access", why), fail("external_id_field", "not run: Case could not be described")];
            }
        };
        let access = if case.createable && case.queryable && case.retrieveable {
            pass("case_access", "the run-as user can create and read Cases")
        } else {
            fail(
                "case_access",
                "the run-as user cannot both create and read Cases: give its permission set Read and Create on \
                 Case (and View All, so it keeps seeing cases assigned to others)",
            )
        };
        let external = match &self.config.case_external_id_field {
            None => pass(
                "external_id_field",
                "CASE_EXTERNAL_ID_FIELD is not set: a retried first leg can make a second case (recommended: set it)",
            ),
            Some(name) => match case.field(name) {
                None => fail(
                    "external_id_field",
                    format!("Case has no field {name} the run-as user can see: create it, or grant field access"),
                ),
                Some(field) if !field.external_id || !field.unique => fail(
                    "external_id_field",
                    format!(
                        "Case.{name} must be marked External ID and Unique (it is {}{})",
                        if field.external_id { "External ID" } else { "not External ID" },
                        if field.unique { ", Unique" } else { ", not Unique" }
                    ),
                ),
                Some(_) => pass("external_id_field", format!("Case.{name} is a unique External ID")),
            },
        };
        [access, external]
    }

    async fn check_owner_field(&self, deadline: Instant) -> SetupCheck {
        if self.config.case_owner == CaseOwner::Unchanged {
            return pass("owner_user_field", "CASE_OWNER is unchanged: no owner lookup");
        }
        let name = &self.config.owner_user_field;
        match self.salesforce.describe("User", deadline).await {
            Ok(user) => match user.field(name) {
                Some(field) if matches!(field.kind.as_str(), "string" | "email") => pass(
                    "owner_user_field",
                    format!("User.{name} ({}) is compared with agents' Connect usernames", field.kind),
                ),
                Some(field) => fail(
                    "owner_user_field",
                    format!("User.{name} is a {} field; OWNER_USER_FIELD must name a text or email field", field.kind),
                ),
                None => fail(
                    "owner_user_field",
                    format!(
                        "User has no field {name} the run-as user can see: fix OWNER_USER_FIELD (Email, Username, FederationIdentifier or a custom text field)"
                    ),
                ),
            },
            Err(error) => fail(
                "owner_user_field",
                format!("the run-as user cannot describe User ({error}): give it Read on User"),
            ),
        }
    }

    async fn check_phone_search(&self, deadline: Instant) -> SetupCheck {
        match self.salesforce.search_contacts(&["+10000000000".to_owned()], deadline).await {
            Ok(_) => pass("phone_search", "a search of Contact phone fields runs"),
            Err(error) => fail(
                "phone_search",
                format!(
                    "a search of Contact phone fields failed ({error}): give the run-as user Read on Contact and its phone fields"
                ),
            ),
        }
    }

    /// Connect access on `CONNECT_INSTANCE_ARN` with the function's own permissions: asking for the
    /// attributes of a contact that does not exist is answered "not found" only when access is granted.
    async fn check_connect(&self) -> SetupCheck {
        let Some(arn) = &self.config.connect_instance_arn else {
            return fail(
                "connect_access",
                "CONNECT_INSTANCE_ARN is not set: set it to the instance's ARN (the template does)",
            );
        };
        let Some(instance_id) = instance_id_of(arn) else {
            return fail(
                "connect_access",
                "CONNECT_INSTANCE_ARN is not an instance ARN (arn:aws:connect:<region>:<account>:instance/<id>)",
            );
        };
        match self.connect.contact_attribute(&instance_id, PROBE_CONTACT, CASE_ID_ATTRIBUTE).await {
            Ok(_) => pass("connect_access", "the function's role may read contact attributes on the instance"),
            Err(error) if error.code == "AccessDeniedException" => fail(
                "connect_access",
                "the function's role may not call connect:GetContactAttributes on <instance>/contact/*: add it (and connect:UpdateContactAttributes, connect:DescribeUser on <instance>/agent/*)",
            ),
            Err(error) => fail("connect_access", format!("Connect did not answer the probe: {error}")),
        }
    }
}

/// What to fix when the login fails, by what the token endpoint said.
fn login_advice(error: &SalesforceError) -> String {
    let text = error.to_string();
    let hint = if text.contains("invalid_client") {
        "check SALESFORCE_CLIENT_ID and SALESFORCE_CLIENT_SECRET (or the secret's client_id and client_secret)"
    } else if text.contains("invalid_grant") || text.contains("unsupported_grant_type") {
        "enable the client credentials flow on the External Client App and set its run-as user"
    } else if matches!(error, SalesforceError::Unavailable(_)) {
        "check SALESFORCE_URL (the org's My Domain URL) and the function's network route to it"
    } else {
        "check the External Client App and the credentials"
    };
    format!("{text}: {hint}")
}
