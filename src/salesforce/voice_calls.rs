//! Salesforce Voice at flow time: a leg's VoiceCall linked to the case the leg answers, in the same
//! `/composite` request that reads or makes the case, so the link costs no round trip. The link part
//! refers to the case part (`@{writeCase.id}`, `@{case.Id}`, `@{openCase.records[0].Id}`), and the
//! request runs each part on its own (`allOrNone` false): a refused link never rolls back the case, and a
//! case part that finds nothing leaves the link unrun.

use serde_json::json;

use super::composite::{Composite, CompositeAnswer};
use super::error::CompositePart;
use super::id::VoiceCallId;
use super::{ObjectDescription, SalesforceError};

/// What became of a flow-time VoiceCall link.
#[derive(Debug, Clone, PartialEq)]
pub enum LinkOutcome {
    /// No VoiceCall was named: nothing was asked.
    NotAsked,
    /// The VoiceCall's `RelatedRecordId` is the case.
    Linked,
    /// Not run: the case part it depends on failed or found no case.
    NotRun,
    /// The org refused it (the VoiceCall gone, no VoiceCall object, no access): the case stands.
    Failed(SalesforceError),
}

/// A read or write of a case, and what became of the VoiceCall link that rode with it.
#[derive(Debug, Clone, PartialEq)]
pub struct Linked<T> {
    pub value: T,
    pub link: LinkOutcome,
}

impl<T> Linked<T> {
    /// A value no link rode with.
    pub fn alone(value: T) -> Self {
        Self { value, link: LinkOutcome::NotAsked }
    }
}

/// `composite`, with `call`'s `RelatedRecordId` set to the case at `case` (a reference to an earlier part).
pub(super) fn with_link(composite: Composite, call: &VoiceCallId, case: String) -> Composite {
    let path = format!("/sobjects/VoiceCall/{}", call.as_str());
    composite.patch(CompositePart::VoiceCallLink, &path, json!({"RelatedRecordId": case}))
}

/// What the link part of `answer` says.
pub(super) fn link_outcome(answer: &CompositeAnswer) -> LinkOutcome {
    let part = CompositePart::VoiceCallLink;
    match answer.part(part) {
        None => LinkOutcome::NotAsked,
        Some(link) if link.succeeded() => LinkOutcome::Linked,
        Some(link) if link.halted() => LinkOutcome::NotRun,
        Some(link) => link.error(part).map_or(LinkOutcome::Linked, LinkOutcome::Failed),
    }
}

/// What the run-as user may do with VoiceCalls, as VoiceCall's describe says: what the flow-time link and
/// the after-call links need, and which permission set gives it.
pub enum VoiceCallAccess {
    /// No VoiceCall object the user can see: not a Salesforce Voice org, or no access at all.
    NoObject,
    /// Read VoiceCalls and update `RelatedRecordId`.
    Links,
    /// VoiceCalls cannot be read.
    Unreadable,
    /// VoiceCalls can be read but `RelatedRecordId` not updated.
    ReadOnly,
    /// The describe failed for another reason.
    Unknown(String),
}

/// The Salesforce Voice permission sets that give an integration user what the links need.
pub const VOICE_CALL_PERMISSION: &str = "assign the run-as user Salesforce Voice's Contact Center Admin permission set \
    (Contact Center Admin (Partner Telephony) with partner telephony), or a permission set of your own with Read and Edit \
    on Voice Calls and Edit on the Voice Call field Related Record";

impl VoiceCallAccess {
    pub fn of(describe: &Result<ObjectDescription, SalesforceError>) -> Self {
        match describe {
            Err(error) if error.is_unknown_object() => Self::NoObject,
            Err(error) => Self::Unknown(error.to_string()),
            Ok(call) if !(call.queryable && call.retrieveable) => Self::Unreadable,
            Ok(call) if call.field("RelatedRecordId").is_some_and(|field| field.updateable) => Self::Links,
            Ok(_) => Self::ReadOnly,
        }
    }

    /// What is wrong, and what to fix.
    pub fn problem(&self) -> String {
        match self {
            Self::Unreadable => format!("the run-as user cannot read VoiceCalls: {VOICE_CALL_PERMISSION}"),
            Self::ReadOnly => {
                format!(
                    "the run-as user cannot update VoiceCall.RelatedRecordId (read-only to it): {VOICE_CALL_PERMISSION}"
                )
            }
            Self::Unknown(error) => format!("could not describe VoiceCall ({error})"),
            Self::NoObject | Self::Links => String::new(),
        }
    }
}
