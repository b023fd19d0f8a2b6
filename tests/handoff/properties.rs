//! Invariants the fuzz targets explore, kept as property tests in `cargo test`.

use connect_case_handoff::{CallerNumber, CaseId, OrgShape, SalesforceId, escape_search_term, search_query};

/// An org with person accounts and a custom phone field: the widest RETURNING clause.
fn person_account_org() -> OrgShape {
    let mut shape = OrgShape::standard();
    shape.person_accounts = true;
    shape.contact_phones.push("Work_Phone__c".into());
    shape
        .account_phones
        .extend(["PersonMobilePhone", "PersonHomePhone", "PersonOtherPhone", "PersonAssistantPhone"].map(String::from));
    shape
}
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use serde_json::{Value, json};

use testkit::*;

const RESERVED: &str = "?&|!{}[]()^~*:\\\"'+-";

/// Connect's limit on what a Lambda may answer a flow.
const CONNECT_ANSWER_LIMIT: usize = 32 * 1024;

fn unescaped_reserved(escaped: &str) -> Option<char> {
    let mut chars = escaped.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => match chars.next() {
                Some(next) if RESERVED.contains(next) => {}
                other => return Some(other.unwrap_or('\\')),
            },
            c if RESERVED.contains(c) => return Some(c),
            _ => {}
        }
    }
    None
}

proptest! {
    #[test]
    fn an_escaped_term_holds_no_unescaped_reserved_character(term in any::<String>()) {
        let escaped = escape_search_term(&term);
        prop_assert_eq!(unescaped_reserved(&escaped), None, "{:?} -> {:?}", term, escaped);
    }

    #[test]
    fn any_address_searches_only_digits_and_single_spaces(address in prop_oneof![
        "\\+[0-9]{1,16}",
        "\\+?[0-9 ().+-]{0,24}",
        any::<String>(),
    ]) {
        if let CallerNumber::Known(number) = CallerNumber::from_address(Some(&address)) {
            let terms = number.search_terms();
            prop_assert!(!terms.is_empty());
            for term in &terms {
                let digits = term.strip_prefix('+').unwrap_or(term);
                prop_assert!(!digits.is_empty() && digits.split(' ').all(|group| !group.is_empty() && group.bytes().all(|b| b.is_ascii_digit())), "{}", term);
            }
            let query = search_query(&terms, &person_account_org());
            let inside = &query["FIND {".len()..query.rfind("} IN PHONE FIELDS").unwrap_or(0)];
            // The caller's number decides only the FIND clause; the RETURNING clause is the org's fields.
            prop_assert!(inside.len() < 1000, "{}", inside.len());
            prop_assert_eq!(unescaped_reserved(&inside.replace("\" OR \"", "").replace('"', "")), None);
        }
    }

    #[test]
    fn a_fifteen_character_id_round_trips_through_eighteen(short in "[0-9A-Za-z]{15}") {
        let id = SalesforceId::parse(&short).expect("any 15 alphanumerics are an id");
        prop_assert_eq!(id.short(), short.as_str());
        prop_assert_eq!(SalesforceId::parse(id.as_str()), Some(id.clone()));
        let (base, suffix) = id.as_str().split_at(15);
        prop_assert_eq!(SalesforceId::parse(&format!("{base}{}", suffix.to_ascii_lowercase())), Some(id.clone()));
        // An 18-character id in any letter case names the same record.
        prop_assert_eq!(SalesforceId::parse(&id.as_str().to_ascii_lowercase()), Some(id.clone()));
        prop_assert_eq!(SalesforceId::parse(&id.as_str().to_ascii_uppercase()), Some(id.clone()));
    }

    #[test]
    fn whatever_parses_as_an_id_is_eighteen_alphanumerics(raw in prop_oneof![any::<String>(), "[0-9A-Za-z]{14,19}"]) {
        if let Some(id) = SalesforceId::parse(&raw) {
            prop_assert_eq!(id.as_str().len(), 18);
            prop_assert!(id.as_str().bytes().all(|b| b.is_ascii_alphanumeric()));
            let base = raw.trim().get(..15).unwrap_or_default();
            match raw.trim().len() {
                15 => prop_assert_eq!(id.short(), base),
                _ => prop_assert!(id.short().eq_ignore_ascii_case(base), "{} from {}", id, raw),
            }
        }
        if let Some(case) = CaseId::parse(&raw) {
            prop_assert!(case.as_str().starts_with("500"));
        }
    }
}

/// Events with hostile numbers, attributes and `Case.<Field>` parameters of any size, through the real
/// handler against the stand-in org: whatever it answers is a flat map of strings Connect accepts.
#[test]
fn every_answer_is_a_flat_string_map_under_32_kb() {
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
    let (org, handoff) = runtime.block_on(setup(&[("RESPONSE_BUDGET_MS", "2000")]));
    org.add_demo_data();
    let text = || prop_oneof![any::<String>(), "[ -~]{0,64}", "x{1000,40000}"];
    let value = || prop_oneof![text().prop_map(Value::from), any::<i64>().prop_map(Value::from), Just(Value::Null)];
    let strategy = (
        prop_oneof![
            Just("+14155550100".to_owned()),
            Just("+81312345678".to_owned()),
            Just("anonymous".to_owned()),
            text()
        ],
        proptest::option::of(text()),
        proptest::collection::btree_map(prop_oneof!["Case\\.[A-Za-z_]{1,12}", "Case\\.Subject", text()], value(), 0..4),
    );
    let mut runner = TestRunner::new(Config { cases: 48, ..Config::default() });
    runner
        .run(&strategy, |(address, case_attribute, parameters)| {
            let attributes = case_attribute.map_or(json!({}), |id| json!({"SfdcCaseId": id}));
            let event = voice_event(SECOND_CONTACT, FIRST_CONTACT, json!(address), attributes, json!(parameters));
            if let Ok(answer) = runtime.block_on(invoke(&handoff, event)) {
                let map = answer.as_object().expect("an object");
                prop_assert!(map.values().all(Value::is_string), "{answer}");
                prop_assert!(answer.to_string().len() < CONNECT_ANSWER_LIMIT);
                prop_assert_eq!(map["SfdcCaseId"].as_str().map(str::len), Some(18));
            }
            Ok(())
        })
        .expect("every answer is a flat string map under 32 KB");
    drop(org);
}
