//! The caller's number: parsed once from Connect's `CustomerEndpoint.Address`, turned into the spellings
//! people type into Salesforce, compared with what a Contact's phone field holds, and masked for logs.

use std::fmt;
use std::str::FromStr;

use rlibphonenumber::{PHONE_NUMBER_UTIL, PhoneNumber, PhoneNumberFormat, Region};

/// Longest value Salesforce's `Case.SuppliedPhone` holds.
const SUPPLIED_PHONE_MAX: usize = 40;

/// What the contact tells us about who is calling.
#[derive(Clone, PartialEq)]
pub enum CallerNumber {
    /// No number to search for: withheld, absent, or a channel without one (chat, task).
    Withheld,
    /// A number libphonenumber understands.
    Known(KnownNumber),
    /// Something that is not a phone number we can spell reliably. Never searched.
    Unrecognised { digits: String },
}

/// A parsed number and its three formats, each formatted once: libphonenumber's formatting runs
/// regular expressions, and a first leg needs each form several times.
#[derive(Clone, PartialEq)]
pub struct KnownNumber {
    /// The country calling code (`81`).
    code: i32,
    /// The national significant number (`312345678`; Italy's keeps its leading zero).
    significant: String,
    e164: String,
    /// `03-1234-5678`
    national: String,
    /// `+81 3-1234-5678`
    international: String,
}

/// A country by its ISO 3166 code: whose numbers a phone field without a country code is read as.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Country(Region);

impl Country {
    /// `JP`, `us`, `GB`: any region libphonenumber knows. `None` for anything else.
    pub fn from_code(code: &str) -> Option<Self> {
        let code = code.trim().to_ascii_uppercase();
        if code.len() != 2 {
            return None;
        }
        let region = Region::from_str(&code).ok()?;
        // Only regions the metadata has a country calling code for (not `ZZ` or an unassigned pair).
        PHONE_NUMBER_UTIL.get_country_code_for_region(region).map(|_| Self(region))
    }

    /// The country of a number in international form (Connect's `SystemEndpoint.Address`).
    pub fn of_number(address: &str) -> Option<Self> {
        let address = address.trim();
        if address.len() > 32 {
            return None;
        }
        let number = PhoneNumber::parse(address, None).ok().filter(plausible)?;
        main_country(number.country_code)
    }
}

/// Longest phone field value worth reading; Salesforce's phone fields hold 40 characters.
const STORED_MAX: usize = 64;

impl CallerNumber {
    /// Reads an endpoint address. `None` and the usual withheld markers are [`CallerNumber::Withheld`].
    pub fn from_address(address: Option<&str>) -> Self {
        let Some(address) = address.map(str::trim).filter(|a| !a.is_empty()) else {
            return Self::Withheld;
        };
        let lowered = address.to_ascii_lowercase();
        if ["anonymous", "private", "restricted", "unknown", "unavailable", "withheld"]
            .iter()
            .any(|marker| lowered.contains(marker))
        {
            return Self::Withheld;
        }
        // Connect gives E.164; anything longer than a phone number is not one, and not worth parsing.
        if address.len() <= 32
            && let Ok(number) = PhoneNumber::parse(address, None)
            && plausible(&number)
        {
            return Self::Known(KnownNumber::new(number));
        }
        let digits: String = address.chars().filter(char::is_ascii_digit).take(SUPPLIED_PHONE_MAX).collect();
        if digits.is_empty() { Self::Withheld } else { Self::Unrecognised { digits } }
    }

    /// The value for `Case.SuppliedPhone` when no Contact is linked.
    pub fn supplied_phone(&self) -> Option<String> {
        match self {
            Self::Withheld => None,
            Self::Known(known) => Some(known.e164()),
            Self::Unrecognised { digits } => Some(digits.clone()),
        }
    }

    /// A form safe for logs: country code and last two digits only.
    pub fn masked(&self) -> String {
        match self {
            Self::Withheld => "withheld".to_owned(),
            Self::Known(known) => {
                let e164 = &known.e164;
                let tail = &e164[e164.len().saturating_sub(2)..];
                format!("+{}…{tail}", known.code)
            }
            Self::Unrecognised { digits } => format!("unrecognised({} digits)", digits.len()),
        }
    }
}

/// Loads libphonenumber's metadata and compiles the patterns a parse and a format use, which the library
/// otherwise does on the first call: done at container init, so no caller waits for it.
pub fn load_metadata() {
    let _ = CallerNumber::from_address(Some("+14155550100"));
    if let CallerNumber::Known(known) = CallerNumber::from_address(Some("+81312345678")) {
        let _ = (known.search_terms(), known.international(), known.is_stored_as("03-1234-5678", known.country()));
    }
}

/// Valid by libphonenumber's metadata, or at least shaped like an E.164 number (new number ranges reach
/// callers before they reach the metadata).
fn plausible(number: &PhoneNumber) -> bool {
    let digits = number.country_code.to_string().len() + number.get_national_significant_number().len();
    number.is_valid() || (8..=15).contains(&digits)
}

/// The main country of a country calling code (`US` for `1`, `IT` for `39`).
fn main_country(code: i32) -> Option<Country> {
    PHONE_NUMBER_UTIL.get_region_for_country_code(code).map(Country)
}

/// A phone field's text read as a number, in `region` when it has no country code of its own.
fn read(text: &str, region: Option<Region>) -> Option<PhoneNumber> {
    PhoneNumber::parse(text, region).ok()
}

impl KnownNumber {
    fn new(number: PhoneNumber) -> Self {
        let format = |format| number.format_as(format).into_owned();
        Self {
            code: number.country_code,
            significant: number.get_national_significant_number(),
            e164: format(PhoneNumberFormat::E164),
            national: format(PhoneNumberFormat::National),
            international: format(PhoneNumberFormat::International),
        }
    }

    pub fn e164(&self) -> String {
        self.e164.clone()
    }

    pub fn international(&self) -> String {
        self.international.clone()
    }

    /// The number's main country (`US` for `+1`, `IT` for `+39`); `None` for non-geographic numbers.
    pub fn country(&self) -> Option<Country> {
        main_country(self.code)
    }

    /// Whether a phone field holding `stored` (as someone typed it) is this number. A value without a
    /// country code is read as a number of `home` when it is valid there, else of this number's country,
    /// so `(415) 555-0100` in a US contact center is +1 415 555 0100 and never +49 4155 550100. The
    /// `(0)` people write after a country code (`+44 (0)20 7946 0958`) is read both ways.
    pub fn is_stored_as(&self, stored: &str, home: Option<Country>) -> bool {
        if stored.len() > STORED_MAX {
            return false;
        }
        let own = self.country().map(|c| c.0);
        let reading = |text: &str| {
            let at_home = home.and_then(|home| read(text, Some(home.0))).filter(PhoneNumber::is_valid);
            at_home.or_else(|| read(text, own))
        };
        let mut readings = vec![reading(stored)];
        if stored.contains("(0)") {
            readings.push(reading(&stored.replacen("(0)", " ", 1)));
        }
        readings.into_iter().flatten().any(|number| {
            number.country_code == self.code && number.get_national_significant_number() == self.significant
        })
    }

    /// Every usual spelling of the number, as the digit strings a phone-field search compares, plus the
    /// E.164 form with its `+`. Distinct, most specific first.
    ///
    /// For `+81312345678`: `+81312345678`, `81312345678`, `0081312345678`, `810312345678`, `0312345678`
    /// (national, trunk prefix kept) and `312345678` (national significant number).
    pub fn search_spellings(&self) -> Vec<String> {
        let (code, significant) = (self.code, self.significant.clone());
        let national: String = self.national.chars().filter(char::is_ascii_digit).collect();
        let candidates = [
            self.e164.clone(),
            format!("{code}{significant}"),
            format!("00{code}{significant}"),
            // `+44 (0)20 7946 0958`: the trunk prefix kept after the country code, common in Europe.
            format!("{code}{national}"),
            national,
            significant,
        ];
        let mut spellings: Vec<String> = Vec::with_capacity(candidates.len());
        for candidate in candidates {
            // Very short forms match unrelated numbers; libphonenumber's shortest real ones have 4 digits.
            if candidate.trim_start_matches('+').len() >= 4 && !spellings.contains(&candidate) {
                spellings.push(candidate);
            }
        }
        spellings
    }

    /// The number grouped as libphonenumber writes it, with spaces for separators: national
    /// (`03 1234 5678`), international without the `+` (`81 3 1234 5678`) and international without
    /// the country code (`3 1234 5678`, which `+44 (0)20 7946 0958` ends with as `20 7946 0958`). For a
    /// search index that splits stored values into tokens at spaces and punctuation, where one digit
    /// run never matches `03-1234-5678`. Only phrases of two tokens or more; distinct.
    pub fn search_phrases(&self) -> Vec<String> {
        let grouped = |formatted: &str| -> Vec<String> {
            formatted
                .split(|c: char| !c.is_ascii_digit())
                .filter(|group| !group.is_empty())
                .map(str::to_owned)
                .collect()
        };
        let international = grouped(&self.international);
        let candidates =
            [grouped(&self.national), international.clone(), international.get(1..).unwrap_or_default().to_vec()];
        let mut phrases: Vec<String> = Vec::with_capacity(candidates.len());
        for groups in candidates {
            let phrase = groups.join(" ");
            if groups.len() >= 2 && !phrases.contains(&phrase) {
                phrases.push(phrase);
            }
        }
        phrases
    }

    /// What one search looks for: every digit spelling, then every grouped phrase.
    pub fn search_terms(&self) -> Vec<String> {
        let mut terms = self.search_spellings();
        terms.extend(self.search_phrases());
        terms
    }
}

impl fmt::Debug for CallerNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "CallerNumber({})", self.masked())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spellings(address: &str) -> Vec<String> {
        match CallerNumber::from_address(Some(address)) {
            CallerNumber::Known(known) => known.search_spellings(),
            other => panic!("{address} should parse, got {other:?}"),
        }
    }

    #[test]
    fn us_number_has_international_and_national_spellings() {
        assert_eq!(spellings("+14155550100"), ["+14155550100", "14155550100", "0014155550100", "4155550100"]);
    }

    #[test]
    fn japanese_landline_keeps_the_trunk_prefix_in_national_form() {
        assert_eq!(
            spellings("+81312345678"),
            ["+81312345678", "81312345678", "0081312345678", "810312345678", "0312345678", "312345678"]
        );
    }

    #[test]
    fn japanese_mobile() {
        assert!(spellings("+819012345678").contains(&"09012345678".to_owned()));
    }

    #[test]
    fn italian_leading_zero_is_part_of_the_number() {
        let forms = spellings("+390612345678");
        assert!(forms.contains(&"390612345678".to_owned()), "{forms:?}");
        assert!(forms.contains(&"0612345678".to_owned()), "{forms:?}");
    }

    #[test]
    fn uk_number() {
        let forms = spellings("+442079460958");
        assert!(forms.contains(&"02079460958".to_owned()), "{forms:?}");
    }

    fn known(address: &str) -> KnownNumber {
        match CallerNumber::from_address(Some(address)) {
            CallerNumber::Known(known) => known,
            other => panic!("{address} should parse, got {other:?}"),
        }
    }

    #[test]
    fn phrases_group_the_national_and_international_forms() {
        assert_eq!(known("+14155550100").search_phrases(), ["415 555 0100", "1 415 555 0100"]);
        assert_eq!(known("+81312345678").search_phrases(), ["03 1234 5678", "81 3 1234 5678", "3 1234 5678"]);
        assert_eq!(known("+442079460958").search_phrases(), ["020 7946 0958", "44 20 7946 0958", "20 7946 0958"]);
    }

    #[test]
    fn stored_values_without_a_country_code_are_read_as_the_home_country_s() {
        let us = Country::from_code("us");
        let jp = Country::from_code("JP");
        assert!(us.is_some() && jp.is_some());
        // The German caller whose digits coincide with a US number is not that US contact.
        assert!(!known("+494155550100").is_stored_as("(415) 555-0100", us));
        assert!(known("+494155550100").is_stored_as("04155 550100", us), "not valid in the US: the caller's country");
        assert!(!known("+442079460958").is_stored_as("(207) 946-0958", us));
        assert!(!known("+819012345678").is_stored_as("(901) 234-5678", us));
        assert!(known("+819012345678").is_stored_as("090-1234-5678", us));
        assert!(known("+14155550100").is_stored_as("(415) 555-0100", us));
        assert!(known("+14155550100").is_stored_as("(415) 555-0100", jp), "not valid in Japan: the caller's country");
        assert!(known("+81312345678").is_stored_as("03-1234-5678", jp));
        assert!(known("+81312345678").is_stored_as("+81 3-1234-5678", us));
        assert!(known("+442079460958").is_stored_as("+44 (0)20 7946 0958", us));
        assert!(known("+41446681800").is_stored_as("0041 44 668 18 00", us));
        assert!(!known("+14155550100").is_stored_as("(415) 555-0101", us));
        assert!(!known("+14155550100").is_stored_as(&"4".repeat(100), us));
    }

    #[test]
    fn countries_by_code_and_by_number() {
        assert_eq!(Country::from_code("XX"), None);
        assert_eq!(Country::from_code("USA"), None);
        assert_eq!(Country::of_number("+18005550199"), Country::from_code("US"));
        assert_eq!(Country::of_number("+390612345678"), Country::from_code("IT"));
        assert_eq!(Country::of_number("anonymous"), None);
    }

    #[test]
    fn withheld_markers_and_absent_numbers() {
        for address in [None, Some(""), Some("  "), Some("anonymous"), Some("Anonymous"), Some("+Restricted")] {
            assert_eq!(CallerNumber::from_address(address), CallerNumber::Withheld, "{address:?}");
        }
    }

    #[test]
    fn hostile_addresses_yield_only_digits_and_spaces() {
        for address in
            ["\"} OR {*", "+1415\"}) RETURNING User(Id", "+14155550100\" OR \"*", "{!$Api.Session_ID}", "x' OR '1'='1"]
        {
            if let CallerNumber::Known(known) = CallerNumber::from_address(Some(address)) {
                for term in known.search_terms() {
                    assert!(
                        term.trim_start_matches('+').bytes().all(|b| b.is_ascii_digit() || b == b' '),
                        "{address} gave {term}"
                    );
                }
            }
        }
    }

    #[test]
    fn masked_form_shows_no_full_number() {
        let caller = CallerNumber::from_address(Some("+81312345678"));
        assert_eq!(caller.masked(), "+81…78");
        assert!(!format!("{caller:?}").contains("312345678"));
    }

    #[test]
    fn supplied_phone_is_e164_or_bounded_digits() {
        assert_eq!(CallerNumber::from_address(Some("+14155550100")).supplied_phone().as_deref(), Some("+14155550100"));
        let long = "1".repeat(200);
        let supplied = CallerNumber::from_address(Some(&long)).supplied_phone().unwrap_or_default();
        assert_eq!(supplied.len(), SUPPLIED_PHONE_MAX);
    }
}
