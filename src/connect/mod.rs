//! Amazon Connect, as this function meets it: the flow event it is invoked with and the answer it gives
//! (`flow_event`, `answer`), and the Connect API it calls (`client`). Nothing outside this folder sees
//! Connect's wire format.

mod answer;
mod client;
mod flow_event;

pub use answer::{Answer, CASE_ID_ATTRIBUTE, CONTACT_MATCHES_ATTRIBUTE, Outcome};
pub use client::ConnectClient;
pub use flow_event::{CaseAttribute, Channel, EventError, FlowEvent};
