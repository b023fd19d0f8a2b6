//! `{"CheckSetup": {}}`: checks a deployment before the first call and answers a report, making no case.
//! Each failing check's detail says what to fix and names the field, variable or permission; none holds
//! a secret.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde::Serialize;
use serde_json::Value;
use tokio::time::Instant;

use super::{Configured, HandoffError, Kind, Line, Response};
use crate::config::{CaseOwner, ConfigError};
use crate::connect::{ContactDirectory, EventError, instance_id_of};
use crate::salesforce::{
    ContactSearch, ObjectDescription, OrgShape, SalesforceError, VOICE_CALL_PERMISSION, VoiceCallAccess,
};

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SetupReport {
    pub ok: bool,
    pub checks: Vec<SetupCheck>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SetupCheck {
    pub name: Check,
    pub ok: bool,
    pub detail: String,
}

impl From<SetupReport> for Response {
    fn from(report: SetupReport) -> Self {
        Self::CheckSetup(report)
    }
}

fn pass(name: Check, detail: impl Into<String>) -> SetupCheck {
    SetupCheck { name, ok: true, detail: detail.into() }
}

fn fail(name: Check, detail: impl Into<String>) -> SetupCheck {
    SetupCheck { name, ok: false, detail: detail.into() }
}

/// The checks, in the order the report lists them; each is named in the report in snake case
/// (`api_version`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Check {
    Login,
    ApiVersion,
    CaseAccess,
    ExternalIdField,
    OwnerUserField,
    PhoneSearch,
    PersonAccounts,
    ConnectAccess,
    LegRecords,
    VoiceCall,
    ApiUsage,
}

impl Check {
    const ALL: [Self; 11] = [
        Self::Login,
        Self::ApiVersion,
        Self::CaseAccess,
        Self::ExternalIdField,
        Self::OwnerUserField,
        Self::PhoneSearch,
        Self::PersonAccounts,
        Self::ConnectAccess,
        Self::LegRecords,
        Self::VoiceCall,
        Self::ApiUsage,
    ];

    /// Whether it is a Salesforce check that needs a session (every one but the login itself).
    fn needs_session(self) -> bool {
        !matches!(self, Self::Login | Self::ConnectAccess)
    }

    /// The check that fails when `variable` is the one the configuration got wrong; the login's
    /// variables and those no check reads fail the login.
    fn of_variable(variable: &str) -> Self {
        match variable {
            "SALESFORCE_API_VERSION" => Self::ApiVersion,
            "CASE_EXTERNAL_ID_FIELD" => Self::ExternalIdField,
            "CASE_OWNER" | "OWNER_USER_FIELD" => Self::OwnerUserField,
            "LEG_RECORDS" => Self::LegRecords,
            _ => Self::Login,
        }
    }
}

/// In an org with VoiceCall, whether the run-as user can read VoiceCalls and update `RelatedRecordId`,
/// whatever `LEG_RECORDS` is: a Voice flow's legs link their VoiceCalls at flow time.
fn check_voice_call(describe: &Result<ObjectDescription, SalesforceError>) -> SetupCheck {
    match VoiceCallAccess::of(describe) {
        VoiceCallAccess::NoObject => pass(
            Check::VoiceCall,
            format!(
                "the org has no VoiceCall the run-as user can see: not a Salesforce Voice org (if it is one, \
                 {VOICE_CALL_PERMISSION})"
            ),
        ),
        VoiceCallAccess::Links => pass(
            Check::VoiceCall,
            "the run-as user can read VoiceCalls and update RelatedRecordId: each leg's VoiceCall is linked to its case",
        ),
        access => fail(Check::VoiceCall, access.problem()),
    }
}

/// The share of the org's daily API allocation, in percent, from which the `api_usage` check fails.
const API_USAGE_FAILS_AT: f64 = 90.0;

/// A contact id no call has: asking Connect for its attributes tests access without touching a call.
const PROBE_CONTACT: &str = "00000000-0000-4000-8000-000000000000";

/// One `{"CheckSetup": {}}`: the checks finished so far, so that a report can be answered when the
/// budget runs out before the rest.
pub(super) struct SetupRun {
    done: Mutex<Vec<SetupCheck>>,
}

impl SetupRun {
    pub(super) fn is_one(payload: &Value) -> bool {
        payload.get("CheckSetup").is_some_and(Value::is_object)
    }

    fn record(&self, checks: impl IntoIterator<Item = SetupCheck>) {
        self.done.lock().unwrap_or_else(|p| p.into_inner()).extend(checks);
    }

    /// The finished checks in [`Check::ALL`] order, and `unfinished` for the others.
    fn report(&self, unfinished: impl Fn(Check) -> SetupCheck) -> SetupReport {
        let done = self.done.lock().unwrap_or_else(|p| p.into_inner());
        let checks: Vec<SetupCheck> = Check::ALL
            .into_iter()
            .map(|name| done.iter().find(|c| c.name == name).cloned().unwrap_or_else(|| unfinished(name)))
            .collect();
        SetupReport { ok: checks.iter().all(|c| c.ok), checks }
    }
}

impl Kind for SetupRun {
    type Answer = SetupReport;

    fn parse(_: Value) -> Result<Self, EventError> {
        Ok(Self { done: Mutex::new(Vec::new()) })
    }

    fn span(&self) -> tracing::Span {
        tracing::info_span!("invocation", event = "CheckSetup")
    }

    /// Connect is checked beside Salesforce, so that one that does not answer cannot hide the other.
    async fn run(&self, with: &Configured, deadline: Instant) -> Result<SetupReport, HandoffError> {
        let salesforce = async {
            match with.salesforce.start_session_now(deadline).await {
                Ok(()) => self.record([pass(
                    Check::Login,
                    format!("the token endpoint gave a session for the {}", with.salesforce.login_flow()),
                )]),
                Err(error) => {
                    self.record([fail(Check::Login, error.with_advice())]);
                    self.record(
                        Check::ALL
                            .into_iter()
                            .filter(|c| c.needs_session())
                            .map(|name| fail(name, "not run: the login failed")),
                    );
                    return;
                }
            }
            self.record([with.check_api_version(deadline).await]);
            self.record(with.check_case(deadline).await);
            self.record([with.check_owner_field(deadline).await]);
            let voice_call = with.salesforce.describe("VoiceCall", deadline).await;
            self.record([check_voice_call(&voice_call)]);
            self.record([with.check_leg_records(&voice_call, deadline).await]);
            let (person_accounts, shape) = with.check_person_accounts(deadline).await;
            self.record([person_accounts]);
            // After the describes, whose answers have reported the usage.
            self.record([with.check_api_usage(deadline).await]);
            match shape {
                Some(shape) => self.record([with.check_phone_search(&shape, deadline).await]),
                None => self.record([fail(Check::PhoneSearch, "not run: Contact and Account could not be described")]),
            }
        };
        let connect = async { self.record([with.check_connect().await]) };
        tokio::join!(salesforce, connect);
        Ok(self.report(|name| fail(name, "not run")))
    }

    /// A check that could not finish in time fails as "timed out"; the finished ones stand.
    fn timed_out(&self, budget: Duration) -> Result<SetupReport, HandoffError> {
        let ms = budget.as_millis();
        Ok(self.report(|name| {
            fail(name, format!("timed out: no answer within the response budget of {ms} ms (RESPONSE_BUDGET_MS)"))
        }))
    }

    /// A report, not a failure: the check the variable belongs to fails with the error, and the others
    /// were not run.
    fn misconfigured(&self, error: &ConfigError) -> Result<SetupReport, HandoffError> {
        let failing = Check::of_variable(error.variable());
        let not_run = format!("not run: the configuration is invalid ({} needs fixing)", error.variable());
        Ok(self
            .report(|name| if name == failing { fail(name, error.to_string()) } else { fail(name, not_run.clone()) }))
    }

    fn outcome(report: &SetupReport) -> &str {
        if report.ok { "setup-ok" } else { "setup-failed" }
    }

    fn log(report: &SetupReport, line: &Line) {
        let failed = report.checks.iter().filter(|c| !c.ok).count();
        let (salesforce_requests, elapsed_ms) = (line.salesforce_requests, line.elapsed_ms);
        tracing::info!(ok = report.ok, failed, salesforce_requests, elapsed_ms, "setup checked");
    }
}

impl Configured {
    /// With `LEG_RECORDS=true`: the run-as user can create Tasks with `CallObject`, read the closed Task
    /// statuses, and, where the org has VoiceCall, update `VoiceCall.RelatedRecordId`. A pass names each.
    async fn check_leg_records(
        &self,
        voice_call: &Result<ObjectDescription, SalesforceError>,
        deadline: Instant,
    ) -> SetupCheck {
        if !self.config.leg_records {
            return pass(Check::LegRecords, "LEG_RECORDS is off: legs are not written onto cases");
        }
        let fix = "give the run-as user's permission set Create and Edit on Task (Task.CallObject comes with Salesforce \
                   CRM Call Center and is not subject to field-level security)";
        match self.salesforce.describe("Task", deadline).await {
            Ok(task) if task.createable && task.field("CallObject").is_some() => {}
            Ok(_) => {
                return fail(Check::LegRecords, format!("the run-as user cannot create Tasks with CallObject: {fix}"));
            }
            Err(error) => {
                return fail(Check::LegRecords, format!("the run-as user cannot describe Task ({error}): {fix}"));
            }
        }
        let status = match self.salesforce.closed_task_status(deadline).await {
            Ok(Some(status)) => status,
            Ok(None) => {
                return fail(Check::LegRecords, "the org has no closed Task status: add one in Setup, Task Status");
            }
            Err(error) => {
                return fail(Check::LegRecords, format!("could not read TaskStatus ({error}): give Read on Task"));
            }
        };
        let voice = match VoiceCallAccess::of(voice_call) {
            VoiceCallAccess::NoObject => {
                "the org has no VoiceCall the run-as user can see, so every leg gets a Task".to_owned()
            }
            VoiceCallAccess::Links => {
                "VoiceCall.RelatedRecordId can be updated, so a Voice leg's VoiceCalls are linked".to_owned()
            }
            access => {
                return fail(
                    Check::LegRecords,
                    format!("a Voice leg's VoiceCalls cannot be linked: {}", access.problem()),
                );
            }
        };
        pass(
            Check::LegRecords,
            format!("the run-as user can create Tasks with CallObject; closed Tasks get status {status}; {voice}"),
        )
    }

    /// The org's daily API usage: passes under [`API_USAGE_FAILS_AT`] percent of the allocation.
    async fn check_api_usage(&self, deadline: Instant) -> SetupCheck {
        match self.salesforce.api_usage(deadline).await {
            Ok(usage) if usage.percent() < API_USAGE_FAILS_AT => {
                pass(Check::ApiUsage, format!("the org has used {usage} in the last 24 hours"))
            }
            Ok(usage) => fail(
                Check::ApiUsage,
                format!(
                    "the org has used {usage} in the last 24 hours: past its allocation, Salesforce refuses \
                     requests (REQUEST_LIMIT_EXCEEDED) and calls take the flow's Error branch. The allocation is \
                     shared by every integration: see which use it (Setup, System Overview, and the API Usage \
                     Last 7 Days report), and raise it (more licences, or an add-on allocation from Salesforce)"
                ),
            ),
            Err(error) => fail(
                Check::ApiUsage,
                format!(
                    "could not read the org's API usage ({error}): give the run-as user View Setup and Configuration"
                ),
            ),
        }
    }

    async fn check_api_version(&self, deadline: Instant) -> SetupCheck {
        let wanted = &self.config.api_version;
        match self.salesforce.served_versions(deadline).await {
            Ok(versions) if versions.iter().any(|v| v == wanted) => {
                pass(Check::ApiVersion, format!("the org serves REST API v{wanted}"))
            }
            Ok(versions) => fail(
                Check::ApiVersion,
                format!(
                    "the org does not serve v{wanted}; set SALESFORCE_API_VERSION to one it serves (newest: {})",
                    versions.last().map(String::as_str).unwrap_or("none")
                ),
            ),
            Err(error) => fail(Check::ApiVersion, format!("could not list the org's API versions: {error}")),
        }
    }

    /// Case access, and the external id field, from one describe of Case.
    async fn check_case(&self, deadline: Instant) -> [SetupCheck; 2] {
        let case = match self.salesforce.describe("Case", deadline).await {
            Ok(case) => case,
            Err(error) => {
                let why = format!("the run-as user cannot describe Case ({error}): give it Read and Create on Case");
                return [
                    fail(Check::CaseAccess, why),
                    fail(Check::ExternalIdField, "not run: Case could not be described"),
                ];
            }
        };
        let access = if case.createable && case.queryable && case.retrieveable {
            pass(Check::CaseAccess, "the run-as user can create and read Cases")
        } else {
            fail(
                Check::CaseAccess,
                "the run-as user cannot both create and read Cases: give its permission set Read and Create on \
                 Case (and View All, so it keeps seeing cases assigned to others)",
            )
        };
        let external = match &self.config.case_external_id_field {
            None => pass(
                Check::ExternalIdField,
                "CASE_EXTERNAL_ID_FIELD is not set: a retried first leg can make a second case (recommended: set it)",
            ),
            Some(name) => match case.field(name) {
                None => fail(
                    Check::ExternalIdField,
                    format!("Case has no field {name} the run-as user can see: create it, or grant field access"),
                ),
                Some(field) if !field.external_id || !field.unique => fail(
                    Check::ExternalIdField,
                    format!(
                        "Case.{name} must be marked External ID and Unique (it is {}{})",
                        if field.external_id { "External ID" } else { "not External ID" },
                        if field.unique { ", Unique" } else { ", not Unique" }
                    ),
                ),
                Some(_) => pass(Check::ExternalIdField, format!("Case.{name} is a unique External ID")),
            },
        };
        [access, external]
    }

    async fn check_owner_field(&self, deadline: Instant) -> SetupCheck {
        if self.config.case_owner == CaseOwner::Unchanged {
            return pass(Check::OwnerUserField, "CASE_OWNER is unchanged: no owner lookup");
        }
        let name = &self.config.owner_user_field;
        match self.salesforce.describe("User", deadline).await {
            Ok(user) => match user.field(name) {
                Some(field) if matches!(field.kind.as_str(), "string" | "email") => pass(
                    Check::OwnerUserField,
                    format!("User.{name} ({}) is compared with agents' Connect usernames", field.kind),
                ),
                Some(field) => fail(
                    Check::OwnerUserField,
                    format!("User.{name} is a {} field; OWNER_USER_FIELD must name a text or email field", field.kind),
                ),
                None => fail(
                    Check::OwnerUserField,
                    format!(
                        "User has no field {name} the run-as user can see: fix OWNER_USER_FIELD (Email, Username, FederationIdentifier or a custom text field)"
                    ),
                ),
            },
            Err(error) => fail(
                Check::OwnerUserField,
                format!("the run-as user cannot describe User ({error}): give it Read on User"),
            ),
        }
    }

    /// What the describes tell the search: whether the org has person accounts (reported, never a
    /// failure), and the phone fields it verifies, for the search check.
    async fn check_person_accounts(&self, deadline: Instant) -> (SetupCheck, Option<Arc<OrgShape>>) {
        match self.salesforce.org_shape_rechecked(deadline).await {
            Ok(shape) if shape.person_accounts => (
                pass(
                    Check::PersonAccounts,
                    "the org has person accounts: they are searched on Account and linked to their Contact (PersonContactId)",
                ),
                Some(shape),
            ),
            Ok(shape) => (
                pass(
                    Check::PersonAccounts,
                    "the org has no person accounts: Contacts and business Accounts are searched",
                ),
                Some(shape),
            ),
            Err(error) => (
                fail(
                    Check::PersonAccounts,
                    format!("could not describe Contact and Account ({error}): give the run-as user Read on both"),
                ),
                None,
            ),
        }
    }

    async fn check_phone_search(&self, shape: &OrgShape, deadline: Instant) -> SetupCheck {
        let listed = |object: &str, fields: &[String]| match fields {
            [] => format!("{object}: none (not searched: give the run-as user Read on {object} and its phone fields)"),
            fields => format!("{object}.{}", fields.join(&format!(", {object}."))),
        };
        let fields =
            format!("{}; {}", listed("Contact", &shape.contact_phones), listed("Account", &shape.account_phones));
        match self.salesforce.search_callers(&["+10000000000".to_owned()], deadline).await {
            Ok(_) if shape.contact_phones.is_empty() => {
                fail(Check::PhoneSearch, format!("no Contact phone field is readable: {fields}"))
            }
            Ok(_) => pass(Check::PhoneSearch, format!("a phone search runs and verifies {fields}")),
            Err(error) => fail(
                Check::PhoneSearch,
                format!(
                    "a phone search failed ({error}): give the run-as user Read on Contact, Account and their phone fields"
                ),
            ),
        }
    }

    /// Connect access on `CONNECT_INSTANCE_ARN` with the function's own permissions: asking for the
    /// attributes of a contact that does not exist is answered "not found" only when access is granted.
    async fn check_connect(&self) -> SetupCheck {
        let Some(arn) = &self.config.connect_instance_arn else {
            return fail(
                Check::ConnectAccess,
                "CONNECT_INSTANCE_ARN is not set: set it to the instance's ARN (the template does)",
            );
        };
        let Some(instance_id) = instance_id_of(arn) else {
            return fail(
                Check::ConnectAccess,
                "CONNECT_INSTANCE_ARN is not an instance ARN (arn:aws:connect:<region>:<account>:instance/<id>)",
            );
        };
        match self.connect.contact_attributes(&instance_id, PROBE_CONTACT).await {
            Ok(_) => pass(Check::ConnectAccess, "the function's role may read contact attributes on the instance"),
            Err(error) if error.is_access_denied() => fail(
                Check::ConnectAccess,
                "the function's role may not call connect:GetContactAttributes on <instance>/contact/*: add it (and connect:UpdateContactAttributes, connect:DescribeUser on <instance>/agent/*)",
            ),
            Err(error) => fail(Check::ConnectAccess, format!("Connect did not answer the probe: {error}")),
        }
    }
}
