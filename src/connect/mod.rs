//! Amazon Connect, as this function meets it: the flow event it is invoked with and the answer it gives
//! (`flow_event`, `answer`), the EventBridge events it is sent (`contact_event`), the contact records its data stream delivers
//! (`contact_record`), the ids every event
//! carries and what is wrong with an event (`ids`), Connect's words for a contact (`words`: its channel and
//! how it began), and the Connect API it calls (`client`). Nothing
//! outside this folder sees Connect's wire format.

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
pub use flow_event::{CaseAttribute, FlowEvent};
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
