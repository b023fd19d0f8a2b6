//! What a request is, for counting and for aiming faults: a name for each operation the stand-in serves.
//! A leaf: it knows nothing of how a request is parsed or served.

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
    ConnectUpdateAttributes,
    ConnectGetAttributes,
    ConnectDescribeUser,
    SecretsGetValue,
    /// `/_standin/…`: the stand-in's own control endpoints, for a benchmark in another process.
    Control,
}

impl Route {
    pub fn is_salesforce(self) -> bool {
        !matches!(
            self,
            Self::ConnectUpdateAttributes
                | Self::ConnectGetAttributes
                | Self::ConnectDescribeUser
                | Self::SecretsGetValue
                | Self::Control
        )
    }
}
