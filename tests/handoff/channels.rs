//! Contacts that are not calls: SMS and WhatsApp (matched by number like calls), email (matched by
//! address), web chat and tasks (no search).

use serde_json::{Value, json};
use standin_org::{PhoneIndex, Route};

use testkit::*;

/// A first leg on `channel` (with `subtype` in `SegmentAttributes`) from `address`.
fn contact_on(channel: &str, subtype: Option<&str>, address: &str) -> Value {
    let mut event = first_leg(address);
    let data = &mut event["Details"]["ContactData"];
    data["Channel"] = json!(channel);
    if let Some(subtype) = subtype {
        data["SegmentAttributes"] = json!({"connect:Subtype": {"ValueString": subtype}});
    }
    if channel == "EMAIL" {
        data["CustomerEndpoint"]["Type"] = json!("EMAIL_ADDRESS");
    }
    event
}

#[tokio::test]
async fn sms_and_whatsapp_are_matched_like_calls_and_say_their_channel() {
    for index in PhoneIndex::ALL {
        for (subtype, origin) in [("connect:SMS", "SMS"), ("connect:WhatsApp", "WhatsApp")] {
            let (org, handoff) = setup(&[]).await;
            org.set_phone_index(index);
            let (contact, _) = org.add_caller("Ada", "Lovelace", "(415) 555-0100");
            let answer = invoke_ok(&handoff, contact_on("CHAT", Some(subtype), "+14155550100")).await;
            assert_eq!(answer["SfdcContactId"], contact.as_str(), "{subtype} {index:?}");
            let case = org.case(answer["SfdcCaseId"].as_str().expect("id")).expect("case");
            assert_eq!(case["Origin"], origin);
            assert_eq!(case["Subject"], format!("{origin} from +1 415-555-0100"));
            assert_eq!(org.count(Route::Search), 1);
        }
    }
}

#[tokio::test]
async fn an_unmatched_sms_keeps_the_number_on_the_case() {
    let (org, handoff) = setup(&[]).await;
    let answer = invoke_ok(&handoff, contact_on("CHAT", Some("connect:SMS"), "+819012345678")).await;
    assert_eq!(answer["SfdcContactMatches"], "0");
    let case = org.case(answer["SfdcCaseId"].as_str().expect("id")).expect("case");
    assert_eq!(case["SuppliedPhone"], "+819012345678");
}

#[tokio::test]
async fn web_chat_and_tasks_make_no_search() {
    let (org, handoff) = setup(&[]).await;
    org.add_caller("Ada", "Lovelace", "(415) 555-0100");
    for (channel, subtype) in [("CHAT", None), ("CHAT", Some("connect:Chat")), ("TASK", None)] {
        let answer = invoke_ok(&handoff, contact_on(channel, subtype, "+14155550100")).await;
        assert_eq!(answer["SfdcContactMatches"], "0", "{channel} {subtype:?}");
    }
    assert_eq!(org.count(Route::Search) + org.count(Route::Query), 0);
}

#[tokio::test]
async fn an_email_contact_links_the_contact_with_that_address_in_any_letter_case() {
    let (org, handoff) = setup(&[]).await;
    let ada = org.add_emailer("Ada", "Ada.Lovelace@Example.com");
    org.add_emailer("Grace", "grace@example.com");
    let answer = invoke_ok(&handoff, contact_on("EMAIL", None, "ada.lovelace@example.COM")).await;
    assert_eq!(answer["SfdcContactId"], ada.as_str());
    assert_eq!(answer["SfdcContactMatches"], "1");
    let case = org.case(answer["SfdcCaseId"].as_str().expect("id")).expect("case");
    assert_eq!(case["SuppliedEmail"], "ada.lovelace@example.COM");
    assert_eq!(case["Origin"], "Email");
    assert_eq!((org.count(Route::Query), org.count(Route::Search)), (1, 0));
    assert_eq!(org.salesforce_requests(), 2 + 1, "the init login, the query and the composite");
}

#[tokio::test]
async fn several_contacts_with_the_address_link_nobody() {
    let (org, handoff) = setup(&[]).await;
    org.add_emailer("Sam", "rivera@example.com");
    org.add_emailer("Alex", "Rivera@example.com");
    let answer = invoke_ok(&handoff, contact_on("EMAIL", None, "rivera@example.com")).await;
    assert_eq!(answer["SfdcContactMatches"], "2");
    assert_eq!(answer["SfdcContactId"], "");
    let case = org.case(answer["SfdcCaseId"].as_str().expect("id")).expect("case");
    assert_eq!(case["SuppliedEmail"], "rivera@example.com");
}

#[tokio::test]
async fn a_hostile_address_is_escaped_never_spliced() {
    let (org, handoff) = setup(&[]).await;
    org.add_emailer("Ada", "ada@example.com");
    for address in ["x'OR'Email!=''@example.com", "ada@example.com' OR Id != '", "a\\'@example.com"] {
        let answer = invoke_ok(&handoff, contact_on("EMAIL", None, address)).await;
        assert_eq!(answer["SfdcContactMatches"], "0", "{address}");
    }
    // Every query parsed (a malformed one fails its invocation) and matched nobody.
    assert!(org.count(Route::Query) >= 1);
}

#[tokio::test]
async fn an_email_contact_without_a_usable_address_makes_no_query() {
    let (org, handoff) = setup(&[]).await;
    let answer = invoke_ok(&handoff, contact_on("EMAIL", None, "not an address")).await;
    assert_eq!(answer["SfdcContactMatches"], "0");
    assert_eq!(org.count(Route::Query), 0);
    let case = org.case(answer["SfdcCaseId"].as_str().expect("id")).expect("case");
    assert!(!case.contains_key("SuppliedEmail"));
}
