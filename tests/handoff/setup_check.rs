//! `{"CheckSetup": {}}`: a sound setup passes every check and makes no case; each setup mistake is named,
//! with what to fix, and no secret.

use serde_json::{Value, json};
use standin_org::{CLIENT_SECRET, Contact, EXTERNAL_ID_FIELD, Fault, Route, Setup, StandinOrg, VoiceCallAccess};

use testkit::*;

const SOUND: [(&str, &str); 2] =
    [("CASE_EXTERNAL_ID_FIELD", EXTERNAL_ID_FIELD), ("CONNECT_INSTANCE_ARN", INSTANCE_ARN)];

async fn check(org: &StandinOrg, vars: &[(&str, &str)]) -> Value {
    let mut all = SOUND.to_vec();
    all.extend_from_slice(vars);
    let handoff = handoff_for(org, &all).await;
    let report = invoke_ok(&handoff, json!({"CheckSetup": {}})).await;
    assert!(!report.to_string().contains(CLIENT_SECRET), "{report}");
    report
}

#[tokio::test]
async fn a_sound_setup_passes_every_check_and_makes_no_case() {
    let org = StandinOrg::start().await.expect("org");
    let report = check(&org, &[]).await;
    assert_eq!(report["ok"], true, "{report:#}");
    let names: Vec<_> = report["checks"].as_array().expect("checks").iter().map(|c| c["name"].clone()).collect();
    assert_eq!(
        names,
        [
            "login",
            "api_version",
            "case_access",
            "external_id_field",
            "owner_user_field",
            "phone_search",
            "person_accounts",
            "connect_access",
            "leg_records",
            "voice_call",
            "api_usage"
        ]
    );
    assert!(org.cases().is_empty());
    assert_eq!(org.count(Route::Composite) + org.count(Route::CaseUpdate), 0);
}

#[tokio::test]
async fn refused_credentials_are_named_with_the_oauth_error_and_stop_the_salesforce_checks() {
    let org = StandinOrg::start().await.expect("org");
    org.set_credentials("standin-client-id", "rotated");
    let report = check(&org, &[]).await;
    assert_eq!(report["ok"], false);
    let (ok, detail) = named_check(&report, "login");
    assert!(!ok && detail.contains("invalid_client") && detail.contains("SALESFORCE_CLIENT_SECRET"), "{detail}");
    assert!(named_check(&report, "case_access").1.contains("not run"));
    assert!(named_check(&report, "connect_access").0, "Connect is checked all the same");
}

#[tokio::test]
async fn an_api_version_the_org_does_not_serve_is_named() {
    let org = StandinOrg::start().await.expect("org");
    let (ok, detail) = named_check(&check(&org, &[("SALESFORCE_API_VERSION", "99.0")]).await, "api_version");
    assert!(!ok && detail.contains("SALESFORCE_API_VERSION") && detail.contains("66.0"), "{detail}");
}

#[tokio::test]
async fn case_access_and_the_external_id_field_are_read_from_the_describe_of_case() {
    let org = StandinOrg::start().await.expect("org");
    org.set_setup(Setup { case_createable: false, ..Setup::default() });
    let (ok, detail) = named_check(&check(&org, &[]).await, "case_access");
    assert!(!ok && detail.contains("Create on Case"), "{detail}");

    for (field, expected) in
        [(Some((true, false)), "not Unique"), (Some((false, true)), "not External ID"), (None, "has no field")]
    {
        org.set_setup(Setup { external_id_field: field, ..Setup::default() });
        let (ok, detail) = named_check(&check(&org, &[]).await, "external_id_field");
        assert!(!ok && detail.contains(expected) && detail.contains(EXTERNAL_ID_FIELD), "{field:?}: {detail}");
    }
    org.set_setup(Setup::default());
    let report = check(&org, &[("CASE_EXTERNAL_ID_FIELD", "")]).await;
    let (ok, detail) = named_check(&report, "external_id_field");
    assert!(ok && detail.contains("recommended"), "{detail}");
}

#[tokio::test]
async fn the_owner_user_field_must_exist_on_user_and_hold_text() {
    let org = StandinOrg::start().await.expect("org");
    for (field, expected) in [("Nickname__c", "has no field Nickname__c"), ("IsActive", "boolean")] {
        let (ok, detail) = named_check(&check(&org, &[("OWNER_USER_FIELD", field)]).await, "owner_user_field");
        assert!(!ok && detail.contains(expected) && detail.contains("OWNER_USER_FIELD"), "{field}: {detail}");
    }
    org.set_setup(Setup { user_describable: false, ..Setup::default() });
    let (ok, detail) = named_check(&check(&org, &[]).await, "owner_user_field");
    assert!(!ok && detail.contains("Read on User"), "{detail}");
    let (ok, _) = named_check(&check(&org, &[("CASE_OWNER", "unchanged")]).await, "owner_user_field");
    assert!(ok, "no owner lookup, nothing to check");
}

#[tokio::test]
async fn a_phone_search_that_does_not_run_is_named() {
    let org = StandinOrg::start().await.expect("org");
    org.inject(Route::Search, Fault::Status(400), 1);
    let (ok, detail) = named_check(&check(&org, &[]).await, "phone_search");
    assert!(!ok && detail.contains("Read on Contact"), "{detail}");
}

#[tokio::test]
async fn connect_access_names_the_variable_or_the_permission() {
    let org = StandinOrg::start().await.expect("org");
    let (ok, detail) = named_check(&check(&org, &[("CONNECT_INSTANCE_ARN", "")]).await, "connect_access");
    assert!(!ok && detail.contains("CONNECT_INSTANCE_ARN is not set"), "{detail}");
    let (ok, detail) = named_check(&check(&org, &[("CONNECT_INSTANCE_ARN", "my-instance")]).await, "connect_access");
    assert!(!ok && detail.contains("not an instance ARN"), "{detail}");
    org.set_setup(Setup { connect_denied: true, ..Setup::default() });
    let (ok, detail) = named_check(&check(&org, &[]).await, "connect_access");
    assert!(!ok && detail.contains("connect:GetContactAttributes"), "{detail}");
}

#[tokio::test]
async fn a_hung_token_endpoint_still_gets_a_report_within_the_budget() {
    let org = StandinOrg::start().await.expect("org");
    org.inject(Route::Token, Fault::Hang, 1);
    let checked = check(&org, &[("RESPONSE_BUDGET_MS", "400")]);
    let report = tokio::time::timeout(HANG_GUARD, checked).await.expect("answered at the budget, not Lambda's limit");
    assert_eq!(report["ok"], false, "{report:#}");
    for name in ["login", "api_version", "case_access", "external_id_field", "owner_user_field", "phone_search"] {
        let (ok, detail) = named_check(&report, name);
        assert!(!ok && detail.starts_with("timed out") && detail.contains("400 ms"), "{name}: {detail}");
    }
    let (ok, detail) = named_check(&report, "connect_access");
    assert!(ok, "Connect is checked beside Salesforce, not after it: {detail}");
}

#[tokio::test]
async fn the_checks_finished_before_the_budget_ran_out_stand() {
    let org = StandinOrg::start().await.expect("org");
    org.inject(Route::Search, Fault::Hang, 1);
    let report =
        tokio::time::timeout(HANG_GUARD, check(&org, &[("RESPONSE_BUDGET_MS", "400")])).await.expect("answered");
    let failed: Vec<_> = report["checks"].as_array().expect("checks").iter().filter(|c| c["ok"] == false).collect();
    assert_eq!(failed.len(), 1, "{report:#}");
    assert_eq!(failed[0]["name"], "phone_search");
    assert!(failed[0]["detail"].as_str().is_some_and(|d| d.starts_with("timed out")), "{report:#}");
}

#[tokio::test]
async fn the_report_says_whether_the_org_has_person_accounts_and_which_fields_are_verified() {
    let org = StandinOrg::start().await.expect("org");
    let (ok, detail) = named_check(&check(&org, &[]).await, "person_accounts");
    assert!(ok && detail.contains("no person accounts"), "{detail}");
    let (_, detail) = named_check(&check(&org, &[]).await, "phone_search");
    assert!(
        detail.contains("Contact.Phone") && detail.contains("Account.Fax") && !detail.contains("Person"),
        "{detail}"
    );

    org.add_person_account("Grace", "Hopper", &[("PersonMobilePhone", "07700 900123")]);
    org.add_contact(Contact { phones: vec![("Work_Phone__c", "030 901820".into())], ..Contact::default() });
    let report = check(&org, &[]).await;
    assert_eq!(report["ok"], true, "a passing, informative check: {report:#}");
    let (_, detail) = named_check(&report, "person_accounts");
    assert!(detail.contains("has person accounts"), "{detail}");
    let (_, detail) = named_check(&report, "phone_search");
    assert!(detail.contains("Contact.Work_Phone__c") && detail.contains("Account.PersonMobilePhone"), "{detail}");

    org.set_setup(Setup { account_readable: false, person_accounts: true, ..Setup::default() });
    let report = check(&org, &[]).await;
    let (ok, detail) = named_check(&report, "phone_search");
    assert!(ok && detail.contains("Account: none (not searched"), "Contacts are still searched: {detail}");
}

#[tokio::test]
async fn leg_records_need_tasks_the_closed_status_and_in_a_voice_org_voice_calls() {
    let org = StandinOrg::start().await.expect("org");
    let (ok, detail) = named_check(&check(&org, &[]).await, "leg_records");
    assert!(ok && detail.contains("LEG_RECORDS is off"), "{detail}");

    let on = [("LEG_RECORDS", "true")];
    org.rename_closed_task_status("Done");
    let (ok, detail) = named_check(&check(&org, &on).await, "leg_records");
    assert!(ok && detail.contains("status Done") && detail.contains("no VoiceCall"), "{detail}");
    assert!(detail.contains("can create Tasks with CallObject"), "a pass names what it verified: {detail}");

    org.add_voice_call(FIRST_CONTACT, None);
    let (ok, detail) = named_check(&check(&org, &on).await, "leg_records");
    assert!(ok && detail.contains("VoiceCalls are linked"), "{detail}");

    // A Voice org whose run-as user may read VoiceCalls but not update RelatedRecordId: the links would
    // all fail, so the check does.
    org.set_setup(Setup { voice_calls: true, voice_call_access: VoiceCallAccess::ReadOnly, ..Setup::default() });
    let report = check(&org, &on).await;
    let (ok, detail) = named_check(&report, "leg_records");
    assert!(!ok && detail.contains("RelatedRecordId") && detail.contains("Contact Center Admin"), "{detail}");

    org.set_setup(Setup { tasks_writable: false, voice_calls: true, ..Setup::default() });
    let report = check(&org, &on).await;
    let (ok, detail) = named_check(&report, "leg_records");
    assert!(!ok && detail.contains("Task.CallObject"), "{detail}");
    assert_eq!(report["ok"], false);
}

#[tokio::test]
async fn the_voice_call_check_says_whether_legs_can_link_their_voice_calls_whatever_leg_records_is() {
    let org = StandinOrg::start().await.expect("org");
    let (ok, detail) = named_check(&check(&org, &[]).await, "voice_call");
    assert!(ok && detail.contains("not a Salesforce Voice org"), "{detail}");

    org.add_voice_call(FIRST_CONTACT, None);
    let (ok, detail) = named_check(&check(&org, &[]).await, "voice_call");
    assert!(ok && detail.contains("update RelatedRecordId"), "{detail}");

    let voice = |access| Setup { voice_calls: true, voice_call_access: access, ..Setup::default() };
    org.set_setup(voice(VoiceCallAccess::ReadOnly));
    let report = check(&org, &[]).await;
    let (ok, detail) = named_check(&report, "voice_call");
    assert!(!ok && detail.contains("cannot update VoiceCall.RelatedRecordId"), "{detail}");
    assert!(detail.contains("Contact Center Admin permission set"), "names the permission set: {detail}");
    assert_eq!(report["ok"], false);

    // No access at all looks, to the run-as user, like an org without VoiceCall: the pass says what to do
    // if this is a Voice org.
    org.set_setup(voice(VoiceCallAccess::None));
    let (ok, detail) = named_check(&check(&org, &[]).await, "voice_call");
    assert!(ok && detail.contains("if it is one") && detail.contains("Contact Center Admin"), "{detail}");
}

#[tokio::test]
async fn api_usage_reports_used_and_allowed_and_fails_from_ninety_percent() {
    let org = StandinOrg::start().await.expect("org");
    org.set_api_usage(10_000, 100_000);
    let report = check(&org, &[]).await;
    let (ok, detail) = named_check(&report, "api_usage");
    assert!(ok && detail.contains(" of 100,000 daily API requests (10.0%)"), "{detail}");
    assert_eq!(report["ok"], true);

    org.set_api_usage(95_000, 100_000);
    let report = check(&org, &[]).await;
    let (ok, detail) = named_check(&report, "api_usage");
    assert!(!ok && detail.starts_with("the org has used 95,0") && detail.contains("(95.0%)"), "{detail}");
    assert!(detail.contains("REQUEST_LIMIT_EXCEEDED") && detail.contains("API Usage Last 7 Days"), "{detail}");
    assert_eq!(report["ok"], false);

    org.set_api_usage(90_000, 100_000);
    let (ok, detail) = named_check(&check(&org, &[]).await, "api_usage");
    assert!(!ok && detail.contains("(90.0%)"), "90% fails: {detail}");
}

#[tokio::test]
async fn api_usage_is_read_from_the_limits_resource_when_no_answer_carries_the_header() {
    let org = StandinOrg::start().await.expect("org");
    org.set_limit_info_header(false);
    org.set_api_usage(1_500, 15_000);
    let report = check(&org, &[]).await;
    let (ok, detail) = named_check(&report, "api_usage");
    assert!(ok && detail.contains(" of 15,000 daily API requests (10.0%)"), "{detail}");
    let limits = org.recorded().iter().filter(|r| r.target.ends_with("/limits")).count();
    assert_eq!(limits, 1, "one GET /limits");

    org.set_limit_info_header(true);
    check(&org, &[]).await;
    assert_eq!(org.recorded().iter().filter(|r| r.target.ends_with("/limits")).count(), 1, "the header suffices");
}
