//! Every caller a real org holds: a person account (found by its Contact row, its Account row or both, as
//! the org's search answers), a business's main line, a custom phone field; an org with and without person
//! accounts. Every match runs under each reading of the person rows and both readings of the phone index.

use std::time::Duration;

use serde_json::Value;
use standin_org::{Contact, PersonRows, PhoneIndex, Route, Setup, StandinOrg};

use testkit::*;

const US_CENTER: &str = "+18005550199";

/// Every reading of what Salesforce leaves undocumented.
fn readings() -> impl Iterator<Item = (PhoneIndex, PersonRows)> {
    PhoneIndex::ALL.into_iter().flat_map(|index| PersonRows::ALL.into_iter().map(move |rows| (index, rows)))
}

/// A stand-in org playing `reading`, filled by `fill`, and the answer to `caller` calling the US center.
async fn first_leg_in(
    (index, rows): (PhoneIndex, PersonRows),
    fill: impl FnOnce(&StandinOrg),
    caller: &str,
) -> (StandinOrg, Value) {
    let (org, handoff) = setup(&[]).await;
    org.set_phone_index(index);
    org.set_person_rows(rows);
    fill(&org);
    let answer = invoke_ok(&handoff, first_leg_to(caller, US_CENTER)).await;
    (org, answer)
}

/// (SfdcContactId, SfdcAccountId, SfdcContactMatches) of an answer.
fn linked(answer: &Value) -> (String, String, String) {
    let text = |key: &str| answer[key].as_str().unwrap_or_default().to_owned();
    (text("SfdcContactId"), text("SfdcAccountId"), text("SfdcContactMatches"))
}

#[tokio::test]
async fn a_person_account_is_linked_by_any_of_its_numbers_under_every_reading() {
    for (field, stored, caller) in [
        ("Phone", "(415) 555-0100", "+14155550100"),
        ("PersonMobilePhone", "07700 900123", "+447700900123"),
        ("PersonHomePhone", "+81 3-1234-5678", "+81312345678"),
        ("PersonOtherPhone", "415.555.0100", "+14155550100"),
        ("PersonAssistantPhone", "1-415-555-0100", "+14155550100"),
    ] {
        for reading in readings() {
            let mut person = (String::new(), String::new());
            let (_, answer) = first_leg_in(
                reading,
                |org| person = org.add_person_account("Grace", "Hopper", &[(field, stored)]),
                caller,
            )
            .await;
            assert_eq!(linked(&answer), (person.0, person.1, "1".into()), "{field} {stored}, {reading:?}");
        }
    }
}

#[tokio::test]
async fn a_business_s_main_line_links_the_account_alone() {
    for reading in readings() {
        let mut acme = String::new();
        let (org, answer) = first_leg_in(
            reading,
            |org| acme = org.add_business("Acme Corp", &[("Phone", "(206) 555-0143")]),
            "+12065550143",
        )
        .await;
        assert_eq!(linked(&answer), (String::new(), acme.clone(), "0".into()), "{reading:?}");
        let case = org.case(answer["SfdcCaseId"].as_str().unwrap_or_default()).expect("the case");
        assert_eq!(case["AccountId"], acme.as_str());
        assert_eq!(case["SuppliedPhone"], "+12065550143", "no person: the number stays on the case");
    }
}

#[tokio::test]
async fn several_main_lines_link_none() {
    for reading in readings() {
        let (_, answer) = first_leg_in(
            reading,
            |org| {
                org.add_business("Acme Corp", &[("Phone", "(206) 555-0143")]);
                org.add_business("Acme Holdings", &[("Fax", "206-555-0143")]);
            },
            "+12065550143",
        )
        .await;
        assert_eq!(linked(&answer), (String::new(), String::new(), "0".into()), "{reading:?}");
    }
}

#[tokio::test]
async fn a_person_always_wins_over_a_main_line() {
    for reading in readings() {
        let mut grace = (String::new(), String::new());
        let (_, answer) = first_leg_in(
            reading,
            |org| {
                org.add_business("Hopper Consulting", &[("Phone", "(415) 555-0100")]);
                grace = org.add_person_account("Grace", "Hopper", &[("Phone", "(415) 555-0100")]);
            },
            "+14155550100",
        )
        .await;
        assert_eq!(linked(&answer), (grace.0, grace.1, "1".into()), "{reading:?}");

        let mut ada = (String::new(), String::new());
        let (_, answer) = first_leg_in(
            reading,
            |org| {
                org.add_business("Analytical Engines", &[("Phone", "(415) 555-0100")]);
                ada = org.add_caller("Ada", "Lovelace", "(415) 555-0100");
            },
            "+14155550100",
        )
        .await;
        assert_eq!(linked(&answer), (ada.0, ada.1, "1".into()), "a business Contact too, {reading:?}");
    }
}

#[tokio::test]
async fn a_person_account_and_a_contact_are_two_people() {
    for reading in readings() {
        let (_, answer) = first_leg_in(
            reading,
            |org| {
                org.add_person_account("Grace", "Hopper", &[("PersonMobilePhone", "(415) 555-0100")]);
                org.add_caller("Ada", "Lovelace", "415-555-0100");
            },
            "+14155550100",
        )
        .await;
        assert_eq!(linked(&answer), (String::new(), String::new(), "2".into()), "never guess, {reading:?}");
    }
}

#[tokio::test]
async fn a_custom_phone_field_is_searched_and_verified() {
    for reading in readings() {
        let mut linus = String::new();
        let (_, answer) = first_leg_in(
            reading,
            |org| {
                let account = org.add_account();
                linus = org.add_contact(Contact {
                    first_name: "Linus".into(),
                    phones: vec![("Work_Phone__c", "030 901820".into())],
                    account_id: Some(account),
                    ..Contact::default()
                });
            },
            "+4930901820",
        )
        .await;
        assert_eq!((linked(&answer).0, linked(&answer).2), (linus, "1".into()), "{reading:?}");
    }
}

#[tokio::test]
async fn an_account_holding_the_same_digits_in_another_country_is_not_the_caller() {
    // A German caller whose digits coincide with a US number stored without a country code.
    for reading in readings() {
        let (_, answer) = first_leg_in(
            reading,
            |org| {
                org.add_person_account("Grace", "Hopper", &[("Phone", "(415) 555-0100")]);
                org.add_business("Acme Corp", &[("Phone", "415 555 0100")]);
            },
            "+494155550100",
        )
        .await;
        assert_eq!(linked(&answer), (String::new(), String::new(), "0".into()), "{reading:?}");
    }
}

#[tokio::test]
async fn person_account_fields_are_named_only_in_an_org_that_has_them() {
    let (org, handoff) = setup(&[]).await;
    org.add_caller("Ada", "Lovelace", "(415) 555-0100");
    let answer = invoke_ok(&handoff, first_leg("+14155550100")).await;
    assert_eq!(answer["SfdcContactMatches"], "1", "no INVALID_FIELD in an org without person accounts");
    let searches: Vec<_> = org.recorded().into_iter().filter(|r| r.route == Route::Search).collect();
    assert_eq!(searches.len(), 1);
    assert!(!searches[0].target.contains("Person"), "{}", searches[0].target);
    assert!(searches[0].target.contains("Account%28Id"), "business main lines are searched: {}", searches[0].target);

    let (org, handoff) = setup(&[]).await;
    org.add_person_account("Grace", "Hopper", &[("PersonMobilePhone", "(415) 555-0100")]);
    invoke_ok(&handoff, first_leg("+14155550100")).await;
    let search = org.recorded().into_iter().find(|r| r.route == Route::Search).expect("searched");
    assert!(
        search.target.contains("PersonContactId") && search.target.contains("PersonMobilePhone"),
        "{}",
        search.target
    );
}

#[tokio::test]
async fn an_account_the_run_as_user_cannot_read_is_left_out_not_failed() {
    let (org, handoff) = setup(&[]).await;
    org.set_setup(Setup { account_readable: false, ..Setup::default() });
    let (ada, _) = org.add_caller("Ada", "Lovelace", "(415) 555-0100");
    let answer = invoke_ok(&handoff, first_leg("+14155550100")).await;
    assert_eq!(answer["SfdcContactId"], ada.as_str());
    let search = org.recorded().into_iter().find(|r| r.route == Route::Search).expect("searched");
    assert!(!search.target.contains("Account%28"), "{}", search.target);
}

#[tokio::test]
async fn a_refused_describe_is_asked_again_after_the_pause_not_on_every_leg() {
    let (org, handoff) = setup(&[]).await;
    org.set_setup(Setup { account_readable: false, ..Setup::default() });
    let acme = org.add_business("Acme Corp", &[("Phone", "(206) 555-0143")]);
    let answer = invoke_ok(&handoff, first_leg("+12065550143")).await;
    assert_eq!(linked(&answer).1, "", "Account cannot be read: the main line is not searched");

    // The admin grants Read on Account. Within the pause, no leg asks again.
    org.set_setup(Setup::default());
    org.reset_counts();
    let answer = invoke_ok(&handoff, first_leg("+12065550143")).await;
    assert_eq!(linked(&answer).1, "");
    assert_eq!(org.count(Route::Describe), 0, "a refused describe is not asked on every leg");

    tokio::time::pause();
    tokio::time::advance(connect_case_handoff::REFUSED_DESCRIBE_PAUSE).await;
    tokio::time::resume();
    org.reset_counts();
    let answer = invoke_ok(&handoff, first_leg("+12065550143")).await;
    assert_eq!(linked(&answer), (String::new(), acme, "0".into()), "asked again after the pause, Account is searched");
    assert_eq!(org.count(Route::Describe), 1, "only the refused Account is described again");
    assert_eq!(org.salesforce_requests(), 3, "the describe, the search, the composite");

    org.reset_counts();
    invoke_ok(&handoff, first_leg("+12065550143")).await;
    assert_eq!(org.count(Route::Describe), 0, "learned: not asked again");
}

#[tokio::test]
async fn the_setup_check_asks_a_refused_describe_again_at_once() {
    let (org, handoff) = setup(&[]).await;
    org.set_setup(Setup { account_readable: false, ..Setup::default() });
    invoke_ok(&handoff, first_leg("+14155550100")).await;
    org.set_setup(Setup::default());
    let report = invoke_ok(&handoff, serde_json::json!({"CheckSetup": {}})).await;
    let (_, detail) = named_check(&report, "phone_search");
    assert!(detail.contains("Account.Phone"), "the admin who just granted Read sees it: {detail}");
    org.reset_counts();
    invoke_ok(&handoff, first_leg("+14155550100")).await;
    assert_eq!(org.count(Route::Describe), 0, "and the legs after it use what the check learned");
}

#[tokio::test]
async fn round_trips_do_not_grow_the_org_is_learned_at_init() {
    let (org, handoff) = setup(&[]).await;
    org.add_person_account("Grace", "Hopper", &[("PersonMobilePhone", "(415) 555-0100")]);
    handoff.prepare(Duration::from_secs(1)).await;
    assert_eq!(org.count(Route::Token), 1);
    assert_eq!(org.count(Route::Describe), 2, "Contact and Account, once, at init");

    for _ in 0..2 {
        org.reset_counts();
        let answer = invoke_ok(&handoff, first_leg("+14155550100")).await;
        assert_eq!(answer["SfdcContactMatches"], "1");
        assert_eq!(org.salesforce_requests(), 2, "one search and one composite");
        assert_eq!((org.count(Route::Search), org.count(Route::Composite)), (1, 1));
        assert_eq!(org.count(Route::ConnectUpdateAttributes), 1);
    }
}
