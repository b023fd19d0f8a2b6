//! Callers who are hard to match: national formats, several countries, several or no matches, numbers
//! that share digits with someone else's, hostile input. Every match runs under both readings of how the
//! search index holds phone fields (digit by digit, or split into tokens).

use standin_org::{Contact, PhoneIndex, Route, StandinOrg};

use testkit::*;

/// A US contact center's number, and a Japanese one's.
const US_CENTER: &str = "+18005550199";
const JP_CENTER: &str = "+81120123456";

fn add(org: &StandinOrg, first_name: &str, stored: &[(&'static str, &str)]) -> String {
    let account = org.add_account();
    org.add_contact(Contact {
        first_name: first_name.into(),
        last_name: "Caller".into(),
        phones: stored.iter().map(|(field, phone)| (*field, (*phone).to_owned())).collect(),
        account_id: Some(account),
        ..Contact::default()
    })
}

/// The first leg's answer for `caller` calling `center`, in an org holding one Contact with `stored`.
async fn matched(index: PhoneIndex, stored: &[(&'static str, &str)], caller: &str, center: &str) -> serde_json::Value {
    let (org, handoff) = setup(&[]).await;
    org.set_phone_index(index);
    add(&org, "Test", stored);
    invoke_ok(&handoff, first_leg_to(caller, center)).await
}

async fn assert_matches(stored: &'static str, field: &'static str, caller: &str, center: &str) {
    for index in PhoneIndex::ALL {
        let answer = matched(index, &[(field, stored)], caller, center).await;
        assert_eq!(answer["SfdcContactMatches"], "1", "{stored} for {caller} at {center}, {index:?}");
        assert_ne!(answer["SfdcContactId"], "", "{stored} for {caller} at {center}, {index:?}");
    }
}

#[tokio::test]
async fn us_numbers_as_people_type_them() {
    for stored in
        ["(415) 555-0100", "415-555-0100", "415.555.0100", "+1 415 555 0100", "1-415-555-0100", "+14155550100"]
    {
        assert_matches(stored, "Phone", "+14155550100", US_CENTER).await;
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
        assert_matches(stored, field, caller, US_CENTER).await;
        assert_matches(stored, field, caller, JP_CENTER).await;
    }
}

#[tokio::test]
async fn us_callers_are_found_in_a_japanese_contact_center_too() {
    for stored in ["(415) 555-0100", "+1 415 555 0100", "+1 (415) 555-0100"] {
        assert_matches(stored, "Phone", "+14155550100", JP_CENTER).await;
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
        assert_matches(stored, "Phone", caller, US_CENTER).await;
    }
}

#[tokio::test]
async fn a_caller_whose_digits_coincide_with_a_us_contact_is_not_that_contact() {
    for index in PhoneIndex::ALL {
        for (stored, caller) in [("(415) 555-0100", "+494155550100"), ("(207) 946-0958", "+442079460958")] {
            let answer = matched(index, &[("Phone", stored)], caller, US_CENTER).await;
            assert_eq!(answer["SfdcContactMatches"], "0", "{stored} for {caller}, {index:?}");
            assert_eq!(answer["SfdcContactId"], "", "{stored} for {caller}, {index:?}");
        }
    }
}

#[tokio::test]
async fn a_japanese_mobile_keeps_its_owner_when_a_us_contact_shares_its_ten_digits() {
    for index in PhoneIndex::ALL {
        let (org, handoff) = setup(&[]).await;
        org.set_phone_index(index);
        let owner = add(&org, "Hiro", &[("MobilePhone", "090-1234-5678")]);
        add(&org, "Dana", &[("Phone", "(901) 234-5678")]);
        let answer = invoke_ok(&handoff, first_leg_to("+819012345678", US_CENTER)).await;
        assert_eq!(answer["SfdcContactMatches"], "1", "{index:?}");
        assert_eq!(answer["SfdcContactId"], owner.as_str(), "{index:?}");
    }
}

#[tokio::test]
async fn home_country_overrides_the_number_the_customer_reached() {
    // With HOME_COUNTRY=JP, `03-1234-5678` is Japanese even for a call to a US number; `(415) 555-0100`
    // is not a valid Japanese number, so it is read in the caller's country.
    for index in PhoneIndex::ALL {
        let (org, handoff) = setup(&[("HOME_COUNTRY", "JP")]).await;
        org.set_phone_index(index);
        add(&org, "Ada", &[("Phone", "(415) 555-0100")]);
        let us = invoke_ok(&handoff, first_leg_to("+14155550100", US_CENTER)).await;
        assert_eq!(us["SfdcContactMatches"], "1", "{index:?}");
        let yuki = add(&org, "Yuki", &[("Phone", "03-1234-5678")]);
        let jp = invoke_ok(&handoff, first_leg_to("+81312345678", US_CENTER)).await;
        assert_eq!(jp["SfdcContactId"], yuki.as_str(), "{index:?}");
    }
}

#[tokio::test]
async fn one_search_asks_for_digit_runs_and_grouped_phrases_without_spell_correction() {
    let (org, handoff) = setup(&[]).await;
    invoke_ok(&handoff, first_leg_to("+81312345678", US_CENTER)).await;
    let searches: Vec<_> = org.recorded().into_iter().filter(|r| r.route == Route::Search).collect();
    assert_eq!(searches.len(), 1);
    let query = form_value(&searches[0].target, "q");
    for term in ["\"0312345678\"", "\"03 1234 5678\"", "\"81 3 1234 5678\"", "\"\\+81312345678\""] {
        assert!(query.contains(term), "{term} in {query}");
    }
    assert!(query.ends_with("WITH SPELL_CORRECTION = false"), "{query}");
    assert!(query.len() < 1000, "far below SOSL's 4,000 characters: {}", query.len());
    assert_eq!(org.spell_corrected_searches(), 0);
}

/// A query parameter of a recorded request target, decoded.
fn form_value(target: &str, name: &str) -> String {
    let url = reqwest::Url::parse(&format!("http://org{target}")).expect("a request target");
    url.query_pairs().find(|(k, _)| k == name).map(|(_, v)| v.into_owned()).unwrap_or_default()
}

#[tokio::test]
async fn several_matches_link_nobody_and_report_the_count() {
    for index in PhoneIndex::ALL {
        let (org, handoff) = setup(&[]).await;
        org.set_phone_index(index);
        org.add_caller("Sam", "Rivera", "+1 206.555.0199");
        org.add_caller("Alex", "Rivera", "(206) 555-0199");
        org.add_caller("Someone", "Else", "(206) 555-0100");
        let answer = invoke_ok(&handoff, first_leg("+12065550199")).await;
        assert_eq!(answer["SfdcContactMatches"], "2", "{index:?}");
        assert_eq!(answer["SfdcContactId"], "");
        assert_eq!(answer["SfdcAccountId"], "");
        let case = org.case(answer["SfdcCaseId"].as_str().expect("id")).expect("case");
        assert!(!case.contains_key("ContactId"));
        assert_eq!(case["SuppliedPhone"], "+12065550199");
    }
}

#[tokio::test]
async fn no_match_keeps_the_number_on_the_case() {
    for index in PhoneIndex::ALL {
        let (org, handoff) = setup(&[]).await;
        org.set_phone_index(index);
        org.add_caller("Ada", "Lovelace", "(415) 555-0100");
        let answer = invoke_ok(&handoff, first_leg("+14155550111")).await;
        assert_eq!(answer["SfdcContactMatches"], "0", "{index:?}");
        assert_eq!(answer["SfdcContactId"], "");
        let case = org.case(answer["SfdcCaseId"].as_str().expect("id")).expect("case");
        assert_eq!(case["SuppliedPhone"], "+14155550111");
        assert_eq!(org.count(Route::Search), 1);
    }
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
    assert!(org.recorded().iter().all(|r| matches!(
        r.route,
        Route::Search | Route::Composite | Route::Token | Route::Describe | Route::ConnectUpdateAttributes
    )));
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
