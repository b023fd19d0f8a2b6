//! Salesforce record ids: validated, always held in the 18-character, case-insensitive-safe form.

use std::fmt;

/// Alphabet of the three checksum characters that turn a 15-character id into an 18-character one.
const CHECKSUM_ALPHABET: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ012345";

/// Key prefix of the Case object.
const CASE_KEY_PREFIX: &str = "500";

/// Any Salesforce record id, in 18-character form.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct SalesforceId(String);

/// The id of a Case record (key prefix `500`), in 18-character form.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct CaseId(SalesforceId);

impl SalesforceId {
    /// Accepts a 15-character id, or an 18-character id whose checksum matches its first 15 characters.
    /// Anything else (wrong length, characters outside `[0-9A-Za-z]`, bad checksum) is `None`.
    pub fn parse(raw: &str) -> Option<Self> {
        let raw = raw.trim();
        if !raw.bytes().all(|b| b.is_ascii_alphanumeric()) {
            return None;
        }
        match raw.len() {
            15 => Some(Self(format!("{raw}{}", checksum(raw)))),
            18 => {
                let (base, suffix) = raw.split_at(15);
                (suffix.eq_ignore_ascii_case(&checksum(base))).then(|| Self(format!("{base}{}", checksum(base))))
            }
            _ => None,
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The 15-character, case-sensitive form.
    pub fn short(&self) -> &str {
        &self.0[..15]
    }

    pub fn key_prefix(&self) -> &str {
        &self.0[..3]
    }
}

impl CaseId {
    /// A Case id from an untrusted string: `None` unless it is a well-formed id with the Case key prefix.
    pub fn parse(raw: &str) -> Option<Self> {
        SalesforceId::parse(raw).filter(|id| id.key_prefix() == CASE_KEY_PREFIX).map(Self)
    }

    pub fn as_str(&self) -> &str {
        self.0.as_str()
    }
}

/// The three characters that encode, five characters at a time, which of the first 15 are upper case.
fn checksum(base: &str) -> String {
    base.as_bytes()
        .chunks(5)
        .map(|chunk| {
            let bits = chunk
                .iter()
                .enumerate()
                .filter(|(_, b)| b.is_ascii_uppercase())
                .fold(0usize, |acc, (i, _)| acc | (1 << i));
            char::from(CHECKSUM_ALPHABET[bits])
        })
        .collect()
}

impl fmt::Display for SalesforceId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for SalesforceId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SalesforceId({})", self.0)
    }
}

impl fmt::Display for CaseId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.0, f)
    }
}

impl fmt::Debug for CaseId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "CaseId({})", self.0.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fifteen_characters_gain_their_checksum() {
        // Known pair from Salesforce's documentation of the 18-character form.
        let id = SalesforceId::parse("001A0000006Vm9r").expect("valid 15-character id");
        assert_eq!(id.as_str(), "001A0000006Vm9rIAC");
        assert_eq!(id.short(), "001A0000006Vm9r");
    }

    #[test]
    fn eighteen_characters_round_trip_and_checksum_case_is_ignored() {
        let id = SalesforceId::parse("001A0000006Vm9rIAC").expect("valid");
        assert_eq!(id.as_str(), "001A0000006Vm9rIAC");
        let lower_suffix = SalesforceId::parse("001A0000006Vm9riac").expect("suffix case is free");
        assert_eq!(lower_suffix, id);
        assert_eq!(SalesforceId::parse(id.short()), Some(id));
    }

    #[test]
    fn wrong_checksum_is_rejected() {
        assert_eq!(SalesforceId::parse("001A0000006Vm9rIAD"), None);
        // Lower-casing the case-sensitive part changes which checksum is right.
        assert_eq!(SalesforceId::parse("001a0000006vm9rIAC"), None);
    }

    #[test]
    fn malformed_ids_are_rejected() {
        for raw in [
            "",
            "500",
            "5000000000000001",
            "500000000000000AAAA",
            "500000000'00000",
            "500{00000000000",
            "../../sobjects/x",
            "500000000000000%2F",
            "50000000000000é",
        ] {
            assert_eq!(SalesforceId::parse(raw), None, "{raw:?}");
        }
    }

    #[test]
    fn case_ids_need_the_case_key_prefix() {
        let case = CaseId::parse("5005g00000AbCdE").expect("case id");
        assert_eq!(case.as_str().len(), 18);
        assert!(case.as_str().starts_with("5005g00000AbCdE"));
        assert_eq!(CaseId::parse("001A0000006Vm9r"), None);
        assert_eq!(CaseId::parse(case.as_str()), Some(case));
    }
}
