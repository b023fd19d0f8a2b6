//! The customer's email address on an email contact: validated once from `CustomerEndpoint.Address`,
//! compared with a Contact's `Email` as Salesforce compares it (without regard to letter case), and masked
//! for logs.

use std::fmt;

/// Longest address Salesforce's `Email` and `Case.SuppliedEmail` fields hold.
const EMAIL_MAX: usize = 80;

#[derive(Clone, PartialEq, Eq)]
pub struct EmailAddress(String);

impl EmailAddress {
    /// `local@domain`, at most 80 characters, no spaces or control characters; anything else is `None`.
    pub fn parse(raw: &str) -> Option<Self> {
        let address = raw.trim();
        let (local, domain) = address.split_once('@')?;
        let well_formed = address.len() <= EMAIL_MAX
            && !local.is_empty()
            && domain.contains('.')
            && !domain.starts_with('.')
            && !domain.ends_with('.')
            && !domain.contains('@')
            && address
                .chars()
                .all(|c| c.is_ascii_graphic() || (!c.is_ascii() && !c.is_control() && !c.is_whitespace()));
        well_formed.then(|| Self(address.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Whether a Contact's stored `Email` is this address.
    pub fn is_stored_as(&self, stored: &str) -> bool {
        stored.trim().to_lowercase() == self.0.to_lowercase()
    }

    /// A form safe for logs: the top-level domain only.
    pub fn masked(&self) -> String {
        let tld =
            self.0.rsplit('.').next().filter(|tld| tld.len() <= 6 && tld.bytes().all(|b| b.is_ascii_alphabetic()));
        format!("…@….{}", tld.unwrap_or("…"))
    }
}

impl fmt::Debug for EmailAddress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "EmailAddress({})", self.masked())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_are_validated() {
        assert_eq!(EmailAddress::parse(" Jane.Doe@Example.com ").map(|e| e.0), Some("Jane.Doe@Example.com".into()));
        assert!(EmailAddress::parse("o'brien@example.ie").is_some());
        for bad in
            ["", "jane", "@example.com", "jane@", "jane@localhost", "a b@example.com", "a@b@example.com", "a@.com"]
        {
            assert_eq!(EmailAddress::parse(bad), None, "{bad}");
        }
        assert_eq!(EmailAddress::parse(&format!("{}@example.com", "a".repeat(80))), None);
    }

    #[test]
    fn stored_addresses_compare_without_letter_case() {
        let address = EmailAddress::parse("Jane.Doe@Example.com").expect("valid");
        assert!(address.is_stored_as("jane.doe@example.COM"));
        assert!(!address.is_stored_as("jane.doe@example.co"));
    }

    #[test]
    fn masked_form_shows_only_the_top_level_domain() {
        let address = EmailAddress::parse("jane.doe@example.com").expect("valid");
        assert_eq!(address.masked(), "…@….com");
        assert!(!format!("{address:?}").contains("jane"));
    }
}
