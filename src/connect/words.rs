//! Connect's words for a contact, read once at the edge: its channel (a chat's SMS and WhatsApp subtypes
//! apart, since their endpoint is a phone number) and how it began. Each has a variant for what Connect
//! adds later, so a new value never fails a record or a leg.

/// The contact's channel, with a chat's subtype.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Channel {
    Voice,
    /// `CHAT` with `connect:Subtype` `connect:SMS`: the customer's number is the endpoint.
    Sms,
    /// `CHAT` with `connect:Subtype` `connect:WhatsApp`: the customer's number is the endpoint.
    WhatsApp,
    /// Web chat (or a chat of another subtype): no phone number.
    Chat,
    Task,
    Email,
    /// A channel Connect added after this function was written.
    Other,
}

impl Channel {
    /// From Connect's `Channel` and `connect:Subtype`; a missing channel is a call, as on a flow's first
    /// Connect releases.
    pub fn from_wire(channel: Option<&str>, subtype: Option<&str>) -> Self {
        match channel.map(str::to_ascii_uppercase).as_deref() {
            None | Some("VOICE") => Self::Voice,
            Some("CHAT") => match subtype.map(str::to_ascii_lowercase).as_deref() {
                Some("connect:sms") => Self::Sms,
                Some("connect:whatsapp") => Self::WhatsApp,
                _ => Self::Chat,
            },
            Some("TASK") => Self::Task,
            Some("EMAIL") => Self::Email,
            Some(_) => Self::Other,
        }
    }

    /// `Case.Origin` for a contact on this channel.
    pub fn case_origin(self) -> &'static str {
        match self {
            Self::Voice | Self::Other => "Phone",
            Self::Sms => "SMS",
            Self::WhatsApp => "WhatsApp",
            Self::Chat => "Chat",
            Self::Task => "Task",
            Self::Email => "Email",
        }
    }
}

/// How a contact began (`InitiationMethod`), as the contact initiation methods page lists them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InitiationMethod {
    Inbound,
    Outbound,
    Transfer,
    QueueTransfer,
    Callback,
    Api,
    Disconnect,
    WebrtcApi,
    ExternalOutbound,
    /// A supervisor listening in or barging: not a leg of the customer's call.
    Monitor,
    AgentReply,
    Flow,
    /// A method Connect added after this function was written, as Connect spelled it.
    Other(String),
}

impl InitiationMethod {
    const NAMED: [(&'static str, Self); 12] = [
        ("INBOUND", Self::Inbound),
        ("OUTBOUND", Self::Outbound),
        ("TRANSFER", Self::Transfer),
        ("QUEUE_TRANSFER", Self::QueueTransfer),
        ("CALLBACK", Self::Callback),
        ("API", Self::Api),
        ("DISCONNECT", Self::Disconnect),
        ("WEBRTC_API", Self::WebrtcApi),
        ("EXTERNAL_OUTBOUND", Self::ExternalOutbound),
        ("MONITOR", Self::Monitor),
        ("AGENT_REPLY", Self::AgentReply),
        ("FLOW", Self::Flow),
    ];

    /// Connect's word; one it does not document yet is kept as it came, cut to a sane length.
    pub fn from_wire(word: &str) -> Self {
        let word = word.trim();
        Self::NAMED
            .iter()
            .find(|(name, _)| name.eq_ignore_ascii_case(word))
            .map_or_else(|| Self::Other(word.chars().take(64).collect()), |(_, method)| method.clone())
    }

    /// As Connect spells it (`QUEUE_TRANSFER`).
    pub fn as_str(&self) -> &str {
        match self {
            Self::Other(word) => word,
            known => Self::NAMED.iter().find(|(_, method)| method == known).map_or("", |(name, _)| name),
        }
    }
}

impl<'de> serde::Deserialize<'de> for InitiationMethod {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let word = std::borrow::Cow::<str>::deserialize(deserializer)?;
        Ok(Self::from_wire(&word))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_documented_method_reads_and_spells_itself_back() {
        for (name, method) in InitiationMethod::NAMED {
            assert_eq!(InitiationMethod::from_wire(name), method);
            assert_eq!(method.as_str(), name);
        }
        assert_eq!(InitiationMethod::from_wire("monitor"), InitiationMethod::Monitor);
        let later = InitiationMethod::from_wire("CAMPAIGN_PREVIEW");
        assert_eq!(later.as_str(), "CAMPAIGN_PREVIEW");
        assert_eq!(later, InitiationMethod::Other("CAMPAIGN_PREVIEW".into()));
    }

    #[test]
    fn a_chat_s_subtype_says_whether_its_endpoint_is_a_number() {
        assert_eq!(Channel::from_wire(Some("CHAT"), Some("connect:SMS")), Channel::Sms);
        assert_eq!(Channel::from_wire(Some("chat"), Some("connect:WhatsApp")), Channel::WhatsApp);
        assert_eq!(Channel::from_wire(Some("CHAT"), None), Channel::Chat);
        assert_eq!(Channel::from_wire(None, None), Channel::Voice);
        assert_eq!(Channel::from_wire(Some("VIDEO"), None), Channel::Other);
    }
}
