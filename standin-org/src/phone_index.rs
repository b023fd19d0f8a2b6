//! What Salesforce does not document about phone search, so the stand-in plays every reading: how the index
//! holds a phone field ([`PhoneIndex`]: digit by digit, or split into tokens as the search documentation
//! says it splits text), and which rows a search answers for a person account ([`PersonRows`]). A leaf:
//! the search (`search.rs`) and the state use it.

/// How the org's search index holds a phone field, and so which search terms find it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum PhoneIndex {
    /// A term matches when its digits equal the field's digits: `4155550100` and `415 555 0100` both
    /// find `(415) 555-0100`.
    #[default]
    Digits,
    /// The documented tokenizer: stored text and search phrases split into tokens at spaces and
    /// punctuation, and a phrase matches when its tokens occur contiguously among the field's:
    /// `415 555 0100` finds `(415) 555-0100`, `4155550100` does not.
    Tokens,
}

impl PhoneIndex {
    pub const ALL: [Self; 2] = [Self::Digits, Self::Tokens];

    pub(crate) fn matches(self, term: &str, stored: &str) -> bool {
        match self {
            Self::Digits => {
                let wanted = digits(term);
                wanted.len() >= 2 && wanted == digits(stored)
            }
            Self::Tokens => {
                let (wanted, held) = (tokens(term), tokens(stored));
                !wanted.is_empty() && held.windows(wanted.len()).any(|window| window == wanted.as_slice())
            }
        }
    }
}

/// Which rows a phone search answers for a person account whose number matches: its Contact row, its
/// Account row, or both. Public sources disagree (an old tips sheet says person accounts show only in
/// account results; Open CTI answers them as an Account with a `contactId`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum PersonRows {
    /// The person's Contact row only.
    Contact,
    /// The person account's Account row only.
    Account,
    #[default]
    Both,
}

impl PersonRows {
    pub const ALL: [Self; 3] = [Self::Contact, Self::Account, Self::Both];

    pub(crate) fn contact_row(self) -> bool {
        matches!(self, Self::Contact | Self::Both)
    }

    pub(crate) fn account_row(self) -> bool {
        matches!(self, Self::Account | Self::Both)
    }
}

/// Digits of a phone number, as a digit-by-digit index keeps them.
fn digits(phone: &str) -> String {
    phone.chars().filter(char::is_ascii_digit).collect()
}

/// Text split at spaces and punctuation, as the search documentation says the index splits it.
fn tokens(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_alphanumeric()).filter(|t| !t.is_empty()).map(str::to_lowercase).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_two_phone_indexes_find_different_spellings() {
        let stored = "(415) 555-0100";
        for (term, digits, tokens) in [
            ("4155550100", true, false),
            ("415 555 0100", true, true),
            ("1 415 555 0100", false, false),
            ("555 0100", false, true),
            ("+14155550100", false, false),
        ] {
            assert_eq!(PhoneIndex::Digits.matches(term, stored), digits, "{term}");
            assert_eq!(PhoneIndex::Tokens.matches(term, stored), tokens, "{term}");
        }
        assert!(!PhoneIndex::Tokens.matches("+14155550100", "+1 4155550100"));
        assert!(PhoneIndex::Tokens.matches("+14155550100", "+14155550100"));
        assert!(PhoneIndex::Tokens.matches("20 7946 0958", "+44 (0)20 7946 0958"));
    }
}
