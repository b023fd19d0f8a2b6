//! Amazon Connect, as this function meets it. Nothing outside this folder sees Connect's wire format.
//!
//! - `ids`: the ids every event carries, and what is wrong with an event; `words`: Connect's words for a
//!   contact (its channel, how it began), read once;
//! - `flow_event` and `answer`: the event a flow invokes the function with, and the answer it gives;
//! - `contact_event`: the EventBridge events it is sent; `contact_record`: the contact records its data
//!   stream delivers;
//! - `client`: the Connect API it calls, and what its failures mean; the trait below is what the cores
//!   need from Connect.

mod answer;
mod client;
mod contact_event;
mod contact_record;
mod flow_event;
mod ids;
mod words;

pub use answer::{Answer, CASE_ID_ATTRIBUTE, CASE_OUTCOME_ATTRIBUTE, CONTACT_MATCHES_ATTRIBUTE, Outcome};
pub use client::{ConnectClient, ConnectError};
pub use contact_event::{ContactEvent, ContactEventType, EventBridgeEvent};
pub use contact_record::{ContactRecord, RecordBatch};
pub use flow_event::{CaseAttribute, FlowEvent, VoiceCallRef};
pub use ids::{EventError, instance_id_of};
pub use words::{Channel, InitiationMethod};

/// What the decision core asks Connect about a call and its agent.
pub trait ContactDirectory {
    /// The call's user-defined attributes (none for a contact Connect does not know). One request.
    fn contact_attributes(
        &self,
        instance_id: &str,
        initial_contact_id: &str,
    ) -> impl std::future::Future<Output = Result<std::collections::HashMap<String, String>, ConnectError>> + Send;

    /// The agent's Connect username, or `None` when the instance has no such user. One request.
    fn username(
        &self,
        instance_id: &str,
        user_id: &str,
    ) -> impl std::future::Future<Output = Result<Option<String>, ConnectError>> + Send;
}
