//! What the stand-in org is set up with, for its own modules and for tests alike: the credentials it
//! accepts, the run-as user a JWT login names, the secret holding the credentials, the demo's agents, and
//! its Case External ID field. A leaf: it knows nothing else of the org.

/// Client credentials the stand-in org accepts unless told otherwise.
pub const CLIENT_ID: &str = "standin-client-id";
pub const CLIENT_SECRET: &str = "standin-client-secret";
/// The run-as user a JWT bearer login names, pre-authorized by `StandinOrg::trust_jwt_key`.
pub const JWT_USERNAME: &str = "integration@standin.example.com";
/// A Secrets Manager secret holding [`CLIENT_ID`] and [`CLIENT_SECRET`].
pub const SECRET_ARN: &str =
    "arn:aws:secretsmanager:us-east-1:123456789012:secret:connect-case-handoff/salesforce-AbCdEf";
/// The demo's Connect agents (user ids, the last segment of their ARNs) and their usernames, which are
/// also their Salesforce users' emails.
pub const FIRST_AGENT: &str = "0b2ae5b7-3f2c-4a9e-9d1e-7c6b5a4f3e2d";
pub const FIRST_AGENT_USERNAME: &str = "alex.agent@example.com";
pub const SECOND_AGENT: &str = "1c3bf6c8-4a3d-4b0f-8e2f-8d7c6b5a4f3e";
pub const SECOND_AGENT_USERNAME: &str = "sam.agent@example.com";
/// The Case External ID field the stand-in org has.
pub const EXTERNAL_ID_FIELD: &str = "Connect_Contact_Id__c";
