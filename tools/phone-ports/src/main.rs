//! Compares the `phonenumber` crate (the one connect-case-handoff used first) with `rlibphonenumber` on
//! what the function uses a libphonenumber port for, and times both.
//!
//! - The corpus: every example number in libphonenumber's metadata (`PhoneNumberMetadata.xml` as the
//!   `phonenumber` crate ships it), for every region and number type, parsed in international form; and
//!   the stored spellings of the project's own matching tests, read in a home region.
//! - For each, both ports' verdicts: parsed or not, valid or not, and the E.164, national and
//!   international formats, from which the function derives every search term. A difference is printed,
//!   with which port agrees with the number's own metadata (an example number is valid by definition).
//! - Timing: loading each port's metadata (first parse and format), then parses and formats per number.
//!
//! `cargo run --release` (in this folder).

use std::str::FromStr;
use std::time::{Duration, Instant};

use rlibphonenumber::PhoneNumberFormat;

#[derive(Debug, PartialEq)]
struct Verdict {
    valid: bool,
    e164: String,
    national: String,
    international: String,
}

fn old(text: &str, region: Option<&str>) -> Option<Verdict> {
    let region = region.and_then(|r| phonenumber::country::Id::from_str(r).ok());
    let number = phonenumber::parse(region, text).ok()?;
    let format = |mode| number.format().mode(mode).to_string();
    Some(Verdict {
        valid: number.is_valid(),
        e164: format(phonenumber::Mode::E164),
        national: format(phonenumber::Mode::National),
        international: format(phonenumber::Mode::International),
    })
}

fn new(text: &str, region: Option<&str>) -> Option<Verdict> {
    let region = region.and_then(|r| rlibphonenumber::Region::from_str(r).ok());
    let number = rlibphonenumber::PhoneNumber::parse(text, region).ok()?;
    Some(Verdict {
        valid: number.is_valid(),
        e164: number.format_as(PhoneNumberFormat::E164).into_owned(),
        national: number.format_as(PhoneNumberFormat::National).into_owned(),
        international: number.format_as(PhoneNumberFormat::International).into_owned(),
    })
}

/// `(region, "+<code><example>")` for every example number in the metadata.
fn example_numbers(xml: &str) -> Vec<(String, String)> {
    let mut corpus = Vec::new();
    for territory in xml.split("<territory ").skip(1) {
        let territory = format!(" {territory}");
        let attribute = |name: &str| {
            let start = territory.find(&format!(" {name}=\""))? + name.len() + 3;
            territory[start..].split('"').next().map(str::to_owned)
        };
        let (Some(id), Some(code)) = (attribute("id"), attribute("countryCode")) else { continue };
        let body = territory.split("</territory>").next().unwrap_or_default();
        for example in body.split("<exampleNumber>").skip(1) {
            if let Some(digits) = example.split("</exampleNumber>").next() {
                corpus.push((id.clone(), format!("+{code}{digits}")));
            }
        }
    }
    corpus
}

/// The project's matching tests: stored spellings read in a home region, and callers.
const PROJECT_CASES: &[(&str, &str)] = &[
    ("(415) 555-0100", "US"), ("415-555-0100", "US"), ("415.555.0100", "US"), ("+1 415 555 0100", "US"),
    ("1-415-555-0100", "US"), ("+14155550100", "US"), ("03-1234-5678", "JP"), ("+81 3-1234-5678", "US"),
    ("090-1234-5678", "JP"), ("06 6123 4567", "JP"), ("020 7946 0958", "GB"), ("+44 (0)20 7946 0958", "US"),
    ("+44 20 7946 0958", "US"), ("06 1234 5678", "IT"), ("030 123456", "DE"), ("0041 44 668 18 00", "CH"),
    ("04155 550100", "DE"), ("(207) 946-0958", "US"), ("(901) 234-5678", "US"), ("090-1234-5678", "US"),
    ("(415) 555-0100", "JP"), ("+1 206.555.0199", "US"), ("(206) 555-0199", "US"), ("+494155550100", "US"),
    ("+442079460958", "US"), ("+819012345678", "US"), ("+41446681800", "US"), ("+4930123456", "US"),
    ("+390612345678", "US"), ("+18005550199", "US"), ("+81120123456", "US"), ("0312345678", "JP"),
];

/// The metadata file the `phonenumber` crate ships, in cargo's registry sources (it was fetched to build this).
fn metadata_xml() -> std::path::PathBuf {
    let cargo_home = std::env::var("CARGO_HOME")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|_| std::path::PathBuf::from(std::env::var("HOME").unwrap_or_default()).join(".cargo"));
    let sources = std::fs::read_dir(cargo_home.join("registry/src")).expect("cargo's registry sources");
    sources
        .flatten()
        .flat_map(|index| std::fs::read_dir(index.path()).into_iter().flatten().flatten())
        .map(|package| package.path())
        .find(|path| path.file_name().and_then(|n| n.to_str()).is_some_and(|n| n.starts_with("phonenumber-0.3.10")))
        .map(|path| path.join("assets/PhoneNumberMetadata.xml"))
        .expect("phonenumber 0.3.10's sources")
}

fn time<T>(f: impl FnOnce() -> T) -> (T, Duration) {
    let started = Instant::now();
    let value = f();
    (value, started.elapsed())
}

fn main() {
    // Metadata load: the first parse and format of each, before anything else touched it.
    let ((), old_load) = time(|| drop(old("+81312345678", None)));
    let ((), new_load) = time(|| drop(new("+81312345678", None)));

    let xml = std::fs::read_to_string(metadata_xml()).expect("PhoneNumberMetadata.xml of the phonenumber crate");
    let corpus = example_numbers(&xml);
    let (mut same, mut differ, mut old_only_right, mut new_only_right) = (0, 0, 0, 0);
    for (region, number) in &corpus {
        let (a, b) = (old(number, None), new(number, None));
        if a == b {
            same += 1;
            continue;
        }
        differ += 1;
        let right = |v: &Option<Verdict>| v.as_ref().is_some_and(|v| v.valid && v.e164 == *number);
        match (right(&a), right(&b)) {
            (true, false) => old_only_right += 1,
            (false, true) => new_only_right += 1,
            _ => {}
        }
        if differ <= 40 {
            println!("{region} {number}\n    phonenumber:     {a:?}\n    rlibphonenumber: {b:?}");
        }
    }
    println!(
        "\nexample numbers: {} from {} regions; same verdict and formats: {same}; different: {differ} \
         (only phonenumber right: {old_only_right}; only rlibphonenumber right: {new_only_right})",
        corpus.len(),
        corpus.iter().map(|(r, _)| r).collect::<std::collections::BTreeSet<_>>().len()
    );

    let mut project_differ = 0;
    for (text, region) in PROJECT_CASES {
        let (a, b) = (old(text, Some(region)), new(text, Some(region)));
        if a != b {
            project_differ += 1;
            println!("project case {text:?} in {region}\n    phonenumber:     {a:?}\n    rlibphonenumber: {b:?}");
        }
    }
    println!("project cases: {}; different: {project_differ}", PROJECT_CASES.len());

    let numbers: Vec<&str> = corpus.iter().map(|(_, n)| n.as_str()).collect();
    let (_, old_each) = time(|| numbers.iter().filter_map(|n| old(n, None)).count());
    let (_, new_each) = time(|| numbers.iter().filter_map(|n| new(n, None)).count());
    let per = |d: Duration| d / numbers.len().max(1) as u32;
    println!(
        "metadata load (first parse + format): phonenumber {old_load:?}, rlibphonenumber {new_load:?}\n\
         per number (parse + 3 formats + validity): phonenumber {:?}, rlibphonenumber {:?}",
        per(old_each),
        per(new_each)
    );
}
