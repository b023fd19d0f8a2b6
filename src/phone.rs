//! The caller's number: parsed once from Connect's `CustomerEndpoint.Address`, turned into the spellings
//! people type into Salesforce, and masked for logs.

use std::fmt;

use phonenumber::{Mode, PhoneNumber};

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

#[derive(Clone, PartialEq)]
pub struct KnownNumber {
    number: PhoneNumber,
}

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
            && let Ok(number) = phonenumber::parse(None, address)
            && plausible(&number)
        {
            return Self::Known(KnownNumber { number });
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
                let e164 = known.e164();
                let tail = &e164[e164.len().saturating_sub(2)..];
                format!("+{}…{tail}", known.number.code().value())
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
        let _ = (known.search_spellings(), known.international());
    }
}

/// Valid by libphonenumber's metadata, or at least shaped like an E.164 number (new number ranges reach
/// callers before they reach the metadata).
fn plausible(number: &PhoneNumber) -> bool {
    let digits = number.code().value().to_string().len() + number.national().to_string().len();
    number.is_valid() || (8..=15).contains(&digits)
}

impl KnownNumber {
    pub fn e164(&self) -> String {
        self.number.format().mode(Mode::E164).to_string()
    }

    pub fn international(&self) -> String {
        self.number.format().mode(Mode::International).to_string()
    }

    /// Every usual spelling of the number, as the digit strings a phone-field search compares, plus the
    /// E.164 form with its `+`. Distinct, most specific first.
    ///
    /// For `+81312345678`: `+81312345678`, `81312345678`, `0081312345678`, `810312345678`, `0312345678`
    /// (national, trunk prefix kept) and `312345678` (national significant number).
    pub fn search_spellings(&self) -> Vec<String> {
        let code = self.number.code().value();
        let significant = self.number.national().to_string();
        let national: String =
            self.number.format().mode(Mode::National).to_string().chars().filter(char::is_ascii_digit).collect();
        let candidates = [
            self.e164(),
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

    #[test]
    fn withheld_markers_and_absent_numbers() {
        for address in [None, Some(""), Some("  "), Some("anonymous"), Some("Anonymous"), Some("+Restricted")] {
            assert_eq!(CallerNumber::from_address(address), CallerNumber::Withheld, "{address:?}");
        }
    }

    #[test]
    fn hostile_addresses_yield_only_digit_spellings() {
        for address in
            ["\"} OR {*", "+1415\"}) RETURNING User(Id", "+14155550100\" OR \"*", "{!$Api.Session_ID}", "x' OR '1'='1"]
        {
            if let CallerNumber::Known(known) = CallerNumber::from_address(Some(address)) {
                for spelling in known.search_spellings() {
                    assert!(
                        spelling.trim_start_matches('+').bytes().all(|b| b.is_ascii_digit()),
                        "{address} gave {spelling}"
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
