//! Salesforce record ids: validated, always held in the 18-character, case-insensitive-safe form.

use std::fmt;

/// Alphabet of the three checksum characters that turn a 15-character id into an 18-character one.
const CHECKSUM_ALPHABET: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ012345";

/// Key prefix of the Case object.
const CASE_KEY_PREFIX: &str = "500";
/// Key prefix of Salesforce Voice's VoiceCall object.
const VOICE_CALL_KEY_PREFIX: &str = "0LQ";

/// Any Salesforce record id, in 18-character form.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SalesforceId(String);

/// The id of a Case record (key prefix `500`), in 18-character form.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct CaseId(SalesforceId);

impl SalesforceId {
    /// Accepts a 15-character id, or an 18-character id in any letter case: its last three characters say
    /// which of the first fifteen are upper case, so a lower-cased or upper-cased copy names the same record.
    /// Anything else (wrong length, characters outside `[0-9A-Za-z]`, a checksum that marks a digit as upper
    /// case) is `None`.
    pub fn parse(raw: &str) -> Option<Self> {
        let raw = raw.trim();
        if !raw.bytes().all(|b| b.is_ascii_alphanumeric()) {
            return None;
        }
        match raw.len() {
            15 => Some(Self(format!("{raw}{}", checksum(raw)))),
            18 => {
                let (base, suffix) = raw.split_at(15);
                let base = restore_case(base, suffix)?;
                let suffix = checksum(&base);
                Some(Self(base + &suffix))
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

/// The id of a VoiceCall record (key prefix `0LQ`), in 18-character form: what a Salesforce Voice flow
/// keeps in `voiceCallId`.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct VoiceCallId(SalesforceId);

impl VoiceCallId {
    /// A VoiceCall id from an untrusted string: `None` unless it is a well-formed id with the VoiceCall key
    /// prefix.
    pub fn parse(raw: &str) -> Option<Self> {
        SalesforceId::parse(raw).filter(|id| id.key_prefix() == VOICE_CALL_KEY_PREFIX).map(Self)
    }

    pub fn as_str(&self) -> &str {
        self.0.as_str()
    }
}

impl fmt::Display for VoiceCallId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.0, f)
    }
}

impl fmt::Debug for VoiceCallId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "VoiceCallId({})", self.0.0)
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

/// The first fifteen characters in the letter case `suffix` records; `None` when `suffix` is not a
/// checksum or marks a digit as upper case.
fn restore_case(base: &str, suffix: &str) -> Option<String> {
    let mut restored = String::with_capacity(15);
    for (chunk, code) in base.as_bytes().chunks(5).zip(suffix.bytes()) {
        let bits = CHECKSUM_ALPHABET.iter().position(|c| *c == code.to_ascii_uppercase())?;
        for (i, byte) in chunk.iter().enumerate() {
            let upper = bits & (1 << i) != 0;
            match (byte.is_ascii_alphabetic(), upper) {
                (true, true) => restored.push(char::from(byte.to_ascii_uppercase())),
                (true, false) => restored.push(char::from(byte.to_ascii_lowercase())),
                (false, false) => restored.push(char::from(*byte)),
                (false, true) => return None,
            }
        }
    }
    Some(restored)
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
    fn only_a_voice_call_id_is_a_voice_call_id() {
        let id = VoiceCallId::parse("0LQDn0000000001").expect("a VoiceCall id");
        assert_eq!(id.as_str(), "0LQDn0000000001OAA");
        assert_eq!(VoiceCallId::parse("0lqdn0000000001oaa").map(|id| id.to_string()), Some(id.to_string()));
        for not_one in ["500Dn0000000001IAA", "0LQDn0000000001IA", "0LQ'--", "", "../0LQDn0000000001OAA"] {
            assert!(VoiceCallId::parse(not_one).is_none(), "{not_one:?}");
        }
    }

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
    fn a_checksum_that_marks_a_digit_upper_case_is_rejected() {
        // `D` marks the 11th and 12th characters, `6` and `V`, as upper case: `6` has no case.
        assert_eq!(SalesforceId::parse("001A0000006Vm9rIAD"), None);
        assert_eq!(SalesforceId::parse("001A0000006Vm9r!AC"), None);
    }

    #[test]
    fn an_eighteen_character_id_in_another_letter_case_names_the_same_record() {
        let id = SalesforceId::parse("001A0000006Vm9rIAC").expect("valid");
        for copy in ["001a0000006vm9riac", "001A0000006VM9RIAC", "001a0000006vm9rIAC"] {
            assert_eq!(SalesforceId::parse(copy), Some(id.clone()), "{copy}");
        }
        let case = CaseId::parse("500hq0000000008iaa").expect("a lower-cased case id");
        assert_eq!(case.as_str(), "500Hq0000000008IAA");
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
