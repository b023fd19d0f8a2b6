//! Who a case is for: from the candidates a search found, the ones that really are the customer, and of
//! those the one to link. A person (a Contact, or a person account found by its Contact row, its Account
//! row or both) counts once; exactly one person is linked with their Account; a business's main line is
//! linked (Account only) when no person matched and exactly one business did. Never a guess.

use std::collections::BTreeMap;

use crate::email::EmailAddress;
use crate::phone::{Country, KnownNumber};
use crate::salesforce::{Candidate, SalesforceId};

/// The Contact and Account a case is linked to, and how many people matched.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Link {
    pub contact: Option<SalesforceId>,
    pub account: Option<SalesforceId>,
    /// People who matched, each once (business Accounts are not people).
    pub matches: u32,
}

impl Link {
    /// The candidates a phone search found that really hold the caller's number, read as `home`'s
    /// numbers where they have no country code.
    pub fn verified(number: &KnownNumber, candidates: Vec<Candidate>, home: Option<Country>) -> Self {
        Self::from_matches(candidates.into_iter().filter(|c| c.stored.iter().any(|s| number.is_stored_as(s, home))))
    }

    /// The candidates whose `Email` is the customer's address.
    pub fn with_email(email: &EmailAddress, candidates: Vec<Candidate>) -> Self {
        Self::from_matches(candidates.into_iter().filter(|c| c.stored.iter().any(|s| email.is_stored_as(s))))
    }

    /// From candidates that are the customer: the only person, else the only business, else nobody.
    pub fn from_matches(matches: impl IntoIterator<Item = Candidate>) -> Self {
        // A person's rows (Contact and person account) share the Contact id; their Account may come from
        // either row.
        let mut people: BTreeMap<SalesforceId, Option<SalesforceId>> = BTreeMap::new();
        let mut businesses: Vec<SalesforceId> = Vec::new();
        for candidate in matches {
            match (candidate.contact, candidate.account) {
                (Some(contact), account) => {
                    let known = people.entry(contact).or_default();
                    if known.is_none() {
                        *known = account;
                    }
                }
                (None, Some(account)) if !businesses.contains(&account) => businesses.push(account),
                (None, _) => {}
            }
        }
        let count = u32::try_from(people.len()).unwrap_or(u32::MAX);
        match (people.len(), businesses.as_slice()) {
            (1, _) => {
                let (contact, account) = people.into_iter().next().unzip();
                Self { contact, account: account.flatten(), matches: 1 }
            }
            (0, [business]) => Self { contact: None, account: Some(business.clone()), matches: 0 },
            _ => Self { contact: None, account: None, matches: count },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(text: &str) -> SalesforceId {
        SalesforceId::parse(text).expect("id")
    }

    fn person(contact: &str, account: Option<&str>) -> Candidate {
        Candidate { contact: Some(id(contact)), account: account.map(id), stored: vec![] }
    }

    fn business(account: &str) -> Candidate {
        Candidate { contact: None, account: Some(id(account)), stored: vec![] }
    }

    const ADA: &str = "003000000000001";
    const ADA_ACCOUNT: &str = "001000000000001";
    const ACME: &str = "001000000000007";

    #[test]
    fn a_person_found_by_both_rows_counts_once_with_their_account() {
        for rows in [
            vec![person(ADA, Some(ADA_ACCOUNT))],
            vec![person(ADA, None), person(ADA, Some(ADA_ACCOUNT))],
            vec![person(ADA, Some(ADA_ACCOUNT)), person(ADA, Some(ADA_ACCOUNT))],
        ] {
            let link = Link::from_matches(rows.clone());
            assert_eq!(link, Link { contact: Some(id(ADA)), account: Some(id(ADA_ACCOUNT)), matches: 1 }, "{rows:?}");
        }
    }

    #[test]
    fn a_person_wins_over_a_main_line_and_one_main_line_is_linked_alone() {
        let link = Link::from_matches([business(ACME), person(ADA, Some(ADA_ACCOUNT))]);
        assert_eq!((link.contact, link.matches), (Some(id(ADA)), 1));
        let link = Link::from_matches([business(ACME), business(ACME)]);
        assert_eq!(link, Link { contact: None, account: Some(id(ACME)), matches: 0 });
    }

    #[test]
    fn several_people_or_several_main_lines_link_nobody() {
        let link = Link::from_matches([person(ADA, None), person("003000000000002", None), business(ACME)]);
        assert_eq!(link, Link { contact: None, account: None, matches: 2 });
        let link = Link::from_matches([business(ACME), business("001000000000008")]);
        assert_eq!(link, Link::default());
    }
}
