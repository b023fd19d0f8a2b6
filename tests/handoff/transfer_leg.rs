use serde_json::json;
use standin_org::Route;

use testkit::*;

#[tokio::test]
async fn transfer_leg_pops_the_same_case_with_one_salesforce_request() {
    let (org, handoff) = setup(&[]).await;
    let (contact_id, _) = org.add_caller("Ada", "Lovelace", "(415) 555-0100");
    let first = invoke_ok(&handoff, first_leg("+14155550100")).await;
    let case_id = first["SfdcCaseId"].as_str().expect("case id").to_owned();

    org.reset_counts();
    let transfer = invoke_ok(&handoff, transfer_leg("+14155550100", &case_id)).await;

    assert_eq!(transfer["SfdcCaseId"], case_id.as_str());
    assert_eq!(transfer["SfdcCaseNumber"], first["SfdcCaseNumber"]);
    assert_eq!(transfer["SfdcCaseOutcome"], "found");
    assert_eq!(transfer["SfdcContactId"], contact_id.as_str());
    assert_eq!(transfer["SfdcAccountId"], first["SfdcAccountId"]);
    assert_eq!(transfer["SfdcContactMatches"], "1");
    assert_eq!(org.salesforce_requests(), 1);
    assert_eq!(org.count(Route::CaseRead), 1);
    assert_eq!(org.count(Route::ConnectUpdateAttributes), 0, "the contact already carries the case");
    assert_eq!(org.cases().len(), 1);
}

#[tokio::test]
async fn fifteen_character_attribute_is_answered_in_eighteen_characters() {
    let (_org, handoff) = setup(&[]).await;
    let first = invoke_ok(&handoff, first_leg("+14155550100")).await;
    let case_id = first["SfdcCaseId"].as_str().expect("id");
    let transfer = invoke_ok(&handoff, transfer_leg("+14155550100", &case_id[..15])).await;
    assert_eq!(transfer["SfdcCaseId"], case_id);
    assert_eq!(transfer["SfdcCaseOutcome"], "found");
}

#[tokio::test]
async fn several_matches_carried_from_the_first_leg_stay_several() {
    let (org, handoff) = setup(&[]).await;
    org.add_caller("Sam", "Rivera", "(206) 555-0199");
    org.add_caller("Alex", "Rivera", "(206) 555-0199");
    let first = invoke_ok(&handoff, first_leg("+12065550199")).await;
    let stored = org.contact_attributes(FIRST_CONTACT);
    let event = voice_event(
        SECOND_CONTACT,
        FIRST_CONTACT,
        json!("+12065550199"),
        json!({"SfdcCaseId": first["SfdcCaseId"], "SfdcContactMatches": stored["SfdcContactMatches"]}),
        json!({}),
    );
    let transfer = invoke_ok(&handoff, event).await;
    assert_eq!(transfer["SfdcContactMatches"], "2");
    assert_eq!(transfer["SfdcContactId"], "");
}

#[tokio::test]
async fn deleted_case_is_replaced_and_the_new_one_stored() {
    let (org, handoff) = setup(&[]).await;
    let first = invoke_ok(&handoff, first_leg("+14155550100")).await;
    let old_id = first["SfdcCaseId"].as_str().expect("id").to_owned();
    assert!(org.delete_case(&old_id));

    let transfer = invoke_ok(&handoff, transfer_leg("+14155550100", &old_id)).await;

    assert_eq!(transfer["SfdcCaseOutcome"], "replaced");
    let new_id = transfer["SfdcCaseId"].as_str().expect("id");
    assert_ne!(new_id, old_id);
    assert!(org.case(new_id).is_some());
    assert_eq!(org.contact_attributes(FIRST_CONTACT)["SfdcCaseId"], new_id);
}

#[tokio::test]
async fn case_that_never_existed_is_replaced() {
    let (org, handoff) = setup(&[]).await;
    let missing = standin_org::salesforce_id("500", 999);
    let transfer = invoke_ok(&handoff, transfer_leg("+14155550100", &missing)).await;
    assert_eq!(transfer["SfdcCaseOutcome"], "replaced");
    assert_eq!(org.count(Route::CaseRead), 1);
}

#[tokio::test]
async fn hostile_or_malformed_case_ids_are_treated_as_absent() {
    let (org, handoff) = setup(&[]).await;
    let real = invoke_ok(&handoff, first_leg("+14155550100")).await;
    let real_id = real["SfdcCaseId"].as_str().expect("id").to_owned();
    let wrong_checksum = format!("{}ZZZ", &real_id[..15]);
    let hostile = [
        "500' OR Id != '",
        "{!Case.Id}",
        "500Dn0000000001IAA\"}",
        "../../sobjects/User/005000000000001",
        "500Dn0000000001IAA/../../../oauth2/token",
        "500Dn00000%2F001IAA",
        "003Dn0000000001IAA",
        wrong_checksum.as_str(),
        "5".repeat(5000).leak(),
    ];
    org.reset_counts();
    for attribute in hostile {
        let answer = invoke_ok(&handoff, transfer_leg("+14155550100", attribute)).await;
        assert_eq!(answer["SfdcCaseOutcome"], "replaced", "{attribute}");
        assert_ne!(answer["SfdcCaseId"], real_id.as_str(), "{attribute}");
    }
    assert_eq!(org.count(Route::CaseRead), 0, "a malformed id is never read");
    assert!(org.recorded().iter().all(|r| !r.target.contains("User") && !r.target.contains("..")));
}

#[tokio::test]
async fn a_non_string_case_attribute_is_replaced_and_an_empty_one_is_absent() {
    let (org, handoff) = setup(&[]).await;
    for (attribute, outcome) in
        [(json!({"x": 1}), "replaced"), (json!(500), "replaced"), (json!(""), "created"), (json!(null), "created")]
    {
        let event = voice_event(
            SECOND_CONTACT,
            FIRST_CONTACT,
            json!("+14155550100"),
            json!({"SfdcCaseId": attribute}),
            json!({}),
        );
        let answer = invoke_ok(&handoff, event).await;
        assert_eq!(answer["SfdcCaseOutcome"], outcome, "{attribute}");
    }
    assert_eq!(org.count(Route::CaseRead), 0, "nothing malformed is read");
}

#[tokio::test]
async fn an_eighteen_character_attribute_in_another_letter_case_pops_the_same_case() {
    let (org, handoff) = setup(&[]).await;
    let first = invoke_ok(&handoff, first_leg("+14155550100")).await;
    let id = first["SfdcCaseId"].as_str().expect("id").to_owned();
    for copy in [id.to_ascii_lowercase(), id.to_ascii_uppercase()] {
        let answer = invoke_ok(&handoff, transfer_leg("+14155550100", &copy)).await;
        assert_eq!(answer["SfdcCaseOutcome"], "found", "{copy}");
        assert_eq!(answer["SfdcCaseId"], id.as_str(), "{copy}");
    }
    assert_eq!(org.cases().len(), 1);
}
