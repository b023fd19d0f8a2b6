//! Callers who are hard to match: national formats, several countries, several or no matches, hostile input.

use standin_org::{Contact, Route};

use testkit::*;

async fn matched(stored: &[(&'static str, &str)], caller: &str) -> serde_json::Value {
    let (org, handoff) = setup(&[]).await;
    let account = org.add_account();
    org.add_contact(Contact {
        first_name: "Test".into(),
        last_name: "Caller".into(),
        phones: stored.iter().map(|(field, phone)| (*field, (*phone).to_owned())).collect(),
        account_id: Some(account),
    });
    invoke_ok(&handoff, first_leg(caller)).await
}

#[tokio::test]
async fn us_numbers_as_people_type_them() {
    for stored in
        ["(415) 555-0100", "415-555-0100", "415.555.0100", "+1 415 555 0100", "1-415-555-0100", "+14155550100"]
    {
        let answer = matched(&[("Phone", stored)], "+14155550100").await;
        assert_eq!(answer["SfdcContactMatches"], "1", "{stored}");
        assert_ne!(answer["SfdcContactId"], "", "{stored}");
    }
}

#[tokio::test]
async fn japanese_landline_and_mobile_in_national_format() {
    for (field, stored, caller) in [
        ("Phone", "03-1234-5678", "+81312345678"),
        ("Phone", "+81 3-1234-5678", "+81312345678"),
        ("MobilePhone", "090-1234-5678", "+819012345678"),
        ("OtherPhone", "06 6123 4567", "+81661234567"),
    ] {
        let answer = matched(&[(field, stored)], caller).await;
        assert_eq!(answer["SfdcContactMatches"], "1", "{stored} for {caller}");
    }
}

#[tokio::test]
async fn other_countries_national_and_international_spellings() {
    for (stored, caller) in [
        ("020 7946 0958", "+442079460958"),
        ("+44 (0)20 7946 0958", "+442079460958"),
        ("06 1234 5678", "+390612345678"),
        ("030 123456", "+4930123456"),
        ("0041 44 668 18 00", "+41446681800"),
    ] {
        let answer = matched(&[("Phone", stored)], caller).await;
        assert_eq!(answer["SfdcContactMatches"], "1", "{stored} for {caller}");
    }
}

#[tokio::test]
async fn several_matches_link_nobody_and_report_the_count() {
    let (org, handoff) = setup(&[]).await;
    org.add_caller("Sam", "Rivera", "+1 206.555.0199");
    org.add_caller("Alex", "Rivera", "(206) 555-0199");
    org.add_caller("Someone", "Else", "(206) 555-0100");
    let answer = invoke_ok(&handoff, first_leg("+12065550199")).await;
    assert_eq!(answer["SfdcContactMatches"], "2");
    assert_eq!(answer["SfdcContactId"], "");
    assert_eq!(answer["SfdcAccountId"], "");
    let case = org.case(answer["SfdcCaseId"].as_str().expect("id")).expect("case");
    assert!(!case.contains_key("ContactId"));
    assert_eq!(case["SuppliedPhone"], "+12065550199");
}

#[tokio::test]
async fn no_match_keeps_the_number_on_the_case() {
    let (org, handoff) = setup(&[]).await;
    org.add_caller("Ada", "Lovelace", "(415) 555-0100");
    let answer = invoke_ok(&handoff, first_leg("+14155550111")).await;
    assert_eq!(answer["SfdcContactMatches"], "0");
    assert_eq!(answer["SfdcContactId"], "");
    let case = org.case(answer["SfdcCaseId"].as_str().expect("id")).expect("case");
    assert_eq!(case["SuppliedPhone"], "+14155550111");
    assert_eq!(org.count(Route::Search), 1);
}

#[tokio::test]
async fn hostile_phone_numbers_never_reach_the_search_unescaped() {
    let (org, handoff) = setup(&[]).await;
    org.add_caller("Ada", "Lovelace", "(415) 555-0100");
    for address in [
        "+14155550100\"} IN ALL FIELDS RETURNING User(Id)",
        "\"} OR {*",
        "+1415' OR '1'='1",
        "{!$Api.Session_ID}",
        "+1 (415) 555-0100 -- \\\"",
        "../../../services/oauth2/token",
        "+81\u{0000}312345678",
    ] {
        let answer = invoke(&handoff, first_leg(address)).await;
        assert!(answer.is_ok(), "{address}: {answer:?}");
    }
    for request in org.recorded().iter().filter(|r| r.route == Route::Search) {
        assert!(!request.target.contains("RETURNING%20User"), "{}", request.target);
        assert!(!request.target.contains("ALL%20FIELDS"), "{}", request.target);
    }
    // Every search the org saw parsed: a malformed one would have failed its invocation above.
    assert!(
        org.recorded().iter().all(|r| matches!(
            r.route,
            Route::Search | Route::Composite | Route::Token | Route::ConnectUpdateAttributes
        ))
    );
    let subjects: Vec<_> = org.cases().iter().map(|c| c["Subject"].clone()).collect();
    assert!(subjects.iter().all(|s| !s.as_str().unwrap_or_default().contains("Session_ID")), "{subjects:?}");
}

#[tokio::test]
async fn parameterized_search_serves_the_same_matches() {
    // The stand-in org answers /parameterizedSearch as the real API does; keep it honest with a direct call.
    let (org, _handoff) = setup(&[]).await;
    org.add_caller("Yuki", "Tanaka", "03-1234-5678");
    let http = reqwest::Client::new();
    let token: serde_json::Value = http
        .post(format!("{}/services/oauth2/token", org.url()))
        .form(&[
            ("grant_type", "client_credentials"),
            ("client_id", standin_org::CLIENT_ID),
            ("client_secret", standin_org::CLIENT_SECRET),
        ])
        .send()
        .await
        .expect("token")
        .json()
        .await
        .expect("json");
    let answer: serde_json::Value = http
        .get(format!("{}/services/data/v66.0/parameterizedSearch/", org.url()))
        .bearer_auth(token["access_token"].as_str().expect("token"))
        .query(&[
            ("q", "\"\\+81312345678\" OR \"0312345678\""),
            ("sobject", "Contact"),
            ("in", "PHONE"),
            ("Contact.fields", "Id,AccountId"),
        ])
        .send()
        .await
        .expect("search")
        .json()
        .await
        .expect("json");
    assert_eq!(answer["searchRecords"].as_array().map(Vec::len), Some(1), "{answer}");
}
