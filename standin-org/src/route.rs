//! What a request is, for counting and for aiming faults: a name for each operation the stand-in serves,
//! and the one list of which service each belongs to. A leaf: it knows nothing of how a request is parsed
//! or served.

/// What a request is, for counting and for aiming faults.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Route {
    Token,
    Search,
    Query,
    Describe,
    ParameterizedSearch,
    CaseRead,
    CaseCreate,
    CaseUpsert,
    Composite,
    OtherSalesforce,
    CaseUpdate,
    /// `POST` or `PATCH composite/sobjects`: sObject Collections.
    Collections,
    /// `GET` or `PATCH sobjects/VoiceCall/{id}`.
    VoiceCall,
    ConnectUpdateAttributes,
    ConnectGetAttributes,
    ConnectDescribeUser,
    SecretsGetValue,
    /// `/_standin/…`: the stand-in's own control endpoints, for a benchmark in another process.
    Control,
}

/// The service a route belongs to: which wire format its faults take, and what the counts add up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Service {
    Salesforce,
    Connect,
    SecretsManager,
    /// The stand-in's own control endpoints: never counted, never faulted.
    Standin,
}

impl Route {
    /// The one place that says which service each route belongs to.
    pub fn service(self) -> Service {
        match self {
            Self::Token
            | Self::Search
            | Self::Query
            | Self::Describe
            | Self::ParameterizedSearch
            | Self::CaseRead
            | Self::CaseCreate
            | Self::CaseUpsert
            | Self::Composite
            | Self::OtherSalesforce
            | Self::CaseUpdate
            | Self::Collections
            | Self::VoiceCall => Service::Salesforce,
            Self::ConnectUpdateAttributes | Self::ConnectGetAttributes | Self::ConnectDescribeUser => Service::Connect,
            Self::SecretsGetValue => Service::SecretsManager,
            Self::Control => Service::Standin,
        }
    }

    pub fn is_salesforce(self) -> bool {
        self.service() == Service::Salesforce
    }
}
