//! Configuration, read once per container from the environment into a typed struct.

use std::time::Duration;

use crate::phone::Country;
use crate::salesforce::{CredentialSource, DEFAULT_AUDIENCE, Flow, Login, SigningKey, is_field_api_name};

/// REST API version used when `SALESFORCE_API_VERSION` is unset.
pub const DEFAULT_API_VERSION: &str = "66.0";
/// The oldest REST API version whose answers the function reads: SOSL's `WITH SPELL_CORRECTION` clause
/// came with 40.0 (Summer '17), after the `searchRecords` answer (37.0) and `/composite` (38.0).
pub const MIN_API_VERSION: (u32, u32) = (40, 0);
/// Connect's "Invoke AWS Lambda function" block waits 3 s by default; answer well inside that.
pub const DEFAULT_RESPONSE_BUDGET: Duration = Duration::from_millis(2500);
/// The longest reuse window: a case open and untouched for a month is no longer "the same problem".
const MAX_REUSE_HOURS: u64 = 720;
/// Connect never waits longer than 8 s.
const MAX_RESPONSE_BUDGET: Duration = Duration::from_millis(8000);

#[derive(Clone, Debug, PartialEq)]
pub struct Config {
    /// The org's My Domain URL, without a trailing slash.
    pub salesforce_url: String,
    pub credentials: CredentialSource,
    /// `66.0`, not `v66.0`.
    pub api_version: String,
    pub case_external_id_field: Option<String>,
    pub update_contact_attributes: bool,
    pub response_budget: Duration,
    /// `HOME_COUNTRY`: whose numbers the org stores without a country code. Unset: the country of the
    /// number the customer reached (`SystemEndpoint.Address`), contact by contact.
    pub home_country: Option<Country>,
    /// `CASE_OWNER`: who owns a case once an agent answers.
    pub case_owner: CaseOwner,
    /// `OWNER_USER_FIELD`: the `User` field that holds an agent's Connect username.
    pub owner_user_field: String,
    /// `REUSE_OPEN_CASE_HOURS`: a repeat caller gets back their open case last modified within this window;
    /// `None`: off.
    pub reuse_open_case_within: Option<Duration>,
    /// `CONNECT_INSTANCE_ARN`, as given: the setup check probes Connect access on it (and says when it is
    /// not an instance ARN); nothing else reads it.
    pub connect_instance_arn: Option<String>,
    /// `LEG_RECORDS`: write every leg onto its case from the contact record stream.
    pub leg_records: bool,
}

/// `CASE_OWNER`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CaseOwner {
    /// The first agent who answers the call becomes the owner; cases are created without assignment rules.
    FirstAgent,
    /// The org's own rules decide, on create; contact events change nothing.
    Unchanged,
}

/// The `User` field compared with the Connect username unless `OWNER_USER_FIELD` says otherwise: the CTI
/// Adapter's single sign-on convention.
pub const DEFAULT_OWNER_USER_FIELD: &str = "Email";

#[derive(Debug, Clone, thiserror::Error, PartialEq)]
pub enum ConfigError {
    #[error("{0} is required")]
    Missing(&'static str),
    #[error("{name} is invalid: {why}")]
    Invalid { name: &'static str, why: &'static str },
}

impl ConfigError {
    /// The variable to fix (`SALESFORCE_CLIENT_ID`, not `SALESFORCE_CLIENT_ID (or SALESFORCE_SECRET_ARN)`).
    pub fn variable(&self) -> &'static str {
        let (Self::Missing(name) | Self::Invalid { name, .. }) = self;
        name.split(' ').next().unwrap_or(name)
    }
}

impl Config {
    /// Reads the process environment.
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    /// Reads configuration through `lookup`, so tests and the local demo need not touch the process
    /// environment. Empty values count as unset.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let get = |name: &str| lookup(name).map(|v| v.trim().to_owned()).filter(|v| !v.is_empty());

        let salesforce_url = get("SALESFORCE_URL").ok_or(ConfigError::Missing("SALESFORCE_URL"))?;
        let salesforce_url = salesforce_url.trim_end_matches('/').to_owned();
        if !(salesforce_url.starts_with("https://") || salesforce_url.starts_with("http://")) {
            return Err(ConfigError::Invalid { name: "SALESFORCE_URL", why: "must be an https:// URL" });
        }

        let credentials = credentials(&get)?;

        let api_version = get("SALESFORCE_API_VERSION").unwrap_or_else(|| DEFAULT_API_VERSION.to_owned());
        let api_version = api_version.trim_start_matches(['v', 'V']).to_owned();
        if !is_api_version(&api_version) {
            return Err(ConfigError::Invalid { name: "SALESFORCE_API_VERSION", why: "expected a version like 66.0" });
        }
        if !is_at_least(&api_version, MIN_API_VERSION) {
            return Err(ConfigError::Invalid {
                name: "SALESFORCE_API_VERSION",
                why: "must be 40.0 or later, the oldest version whose search and composite answers the function reads",
            });
        }

        let case_external_id_field = get("CASE_EXTERNAL_ID_FIELD");
        if case_external_id_field.as_deref().is_some_and(|field| !is_field_api_name(field)) {
            return Err(ConfigError::Invalid { name: "CASE_EXTERNAL_ID_FIELD", why: "expected a field API name" });
        }

        let update_contact_attributes = match get("UPDATE_CONTACT_ATTRIBUTES").map(|v| v.to_ascii_lowercase()) {
            None => true,
            Some(v) if v == "true" => true,
            Some(v) if v == "false" => false,
            Some(_) => {
                return Err(ConfigError::Invalid { name: "UPDATE_CONTACT_ATTRIBUTES", why: "expected true or false" });
            }
        };

        let response_budget = match get("RESPONSE_BUDGET_MS") {
            None => DEFAULT_RESPONSE_BUDGET,
            Some(ms) => ms
                .parse::<u64>()
                .ok()
                .map(Duration::from_millis)
                .filter(|budget| !budget.is_zero() && *budget <= MAX_RESPONSE_BUDGET)
                .ok_or(ConfigError::Invalid {
                    name: "RESPONSE_BUDGET_MS",
                    why: "expected milliseconds from 1 to 8000",
                })?,
        };

        let home_country = match get("HOME_COUNTRY") {
            None => None,
            Some(code) => Some(Country::from_code(&code).ok_or(ConfigError::Invalid {
                name: "HOME_COUNTRY",
                why: "expected an ISO 3166 country code such as US, GB or JP",
            })?),
        };

        let case_owner = match get("CASE_OWNER").map(|v| v.to_ascii_lowercase()).as_deref() {
            None | Some("first-agent") => CaseOwner::FirstAgent,
            Some("unchanged") => CaseOwner::Unchanged,
            Some(_) => {
                return Err(ConfigError::Invalid { name: "CASE_OWNER", why: "expected first-agent or unchanged" });
            }
        };
        let owner_user_field = get("OWNER_USER_FIELD").unwrap_or_else(|| DEFAULT_OWNER_USER_FIELD.to_owned());
        if !is_field_api_name(&owner_user_field) {
            return Err(ConfigError::Invalid { name: "OWNER_USER_FIELD", why: "expected a User field API name" });
        }

        let reuse_open_case_within = match get("REUSE_OPEN_CASE_HOURS") {
            None => None,
            Some(hours) => match hours.parse::<u64>() {
                Ok(0) => None,
                Ok(hours) if hours <= MAX_REUSE_HOURS => Some(Duration::from_secs(hours * 3600)),
                _ => {
                    return Err(ConfigError::Invalid {
                        name: "REUSE_OPEN_CASE_HOURS",
                        why: "expected whole hours from 0 (off) to 720 (30 days)",
                    });
                }
            },
        };

        let connect_instance_arn = get("CONNECT_INSTANCE_ARN");

        let leg_records = match get("LEG_RECORDS").map(|v| v.to_ascii_lowercase()).as_deref() {
            None | Some("false") => false,
            Some("true") => true,
            Some(_) => return Err(ConfigError::Invalid { name: "LEG_RECORDS", why: "expected true or false" }),
        };

        Ok(Self {
            salesforce_url,
            credentials,
            api_version,
            case_external_id_field,
            update_contact_attributes,
            response_budget,
            home_country,
            case_owner,
            owner_user_field,
            reuse_open_case_within,
            connect_instance_arn,
            leg_records,
        })
    }
}

/// The login: `SALESFORCE_AUTH`'s flow, with what it needs from the environment, or from the secret.
fn credentials(get: &impl Fn(&str) -> Option<String>) -> Result<CredentialSource, ConfigError> {
    let jwt = match get("SALESFORCE_AUTH").map(|v| v.to_ascii_lowercase()).as_deref() {
        None | Some("client-credentials") => false,
        Some("jwt-bearer") => true,
        Some(_) => {
            return Err(ConfigError::Invalid {
                name: "SALESFORCE_AUTH",
                why: "expected client-credentials or jwt-bearer",
            });
        }
    };
    let audience = get("SALESFORCE_AUDIENCE").unwrap_or_else(|| DEFAULT_AUDIENCE.to_owned());
    if !audience.starts_with("https://") {
        return Err(ConfigError::Invalid {
            name: "SALESFORCE_AUDIENCE",
            why: "expected https://login.salesforce.com or https://test.salesforce.com",
        });
    }
    if let Some(secret_id) = get("SALESFORCE_SECRET_ARN") {
        let flow = if jwt { Flow::JwtBearer { audience } } else { Flow::ClientCredentials };
        return Ok(CredentialSource::SecretsManager { secret_id, flow });
    }
    let client_id =
        get("SALESFORCE_CLIENT_ID").ok_or(ConfigError::Missing("SALESFORCE_CLIENT_ID (or SALESFORCE_SECRET_ARN)"))?;
    if !jwt {
        let client_secret = get("SALESFORCE_CLIENT_SECRET")
            .ok_or(ConfigError::Missing("SALESFORCE_CLIENT_SECRET (or SALESFORCE_SECRET_ARN)"))?;
        return Ok(CredentialSource::Static(Login::ClientCredentials { client_id, client_secret }));
    }
    let username =
        get("SALESFORCE_USERNAME").ok_or(ConfigError::Missing("SALESFORCE_USERNAME (or SALESFORCE_SECRET_ARN)"))?;
    let pem = get("SALESFORCE_PRIVATE_KEY")
        .ok_or(ConfigError::Missing("SALESFORCE_PRIVATE_KEY (or SALESFORCE_SECRET_ARN)"))?;
    let key = SigningKey::from_pem(&pem)
        .map_err(|error| ConfigError::Invalid { name: "SALESFORCE_PRIVATE_KEY", why: error.why() })?;
    Ok(CredentialSource::Static(Login::JwtBearer { client_id, username, key, audience }))
}

/// Whether `version` (already [`is_api_version`]) is `floor` or later.
fn is_at_least(version: &str, floor: (u32, u32)) -> bool {
    let (major, minor) = version.split_once('.').unwrap_or_default();
    (major.parse::<u32>().unwrap_or(0), minor.parse::<u32>().unwrap_or(0)) >= floor
}

fn is_api_version(version: &str) -> bool {
    matches!(version.split_once('.'), Some((major, minor))
        if !major.is_empty() && !minor.is_empty()
            && major.len() <= 3 && minor.len() <= 2
            && major.bytes().chain(minor.bytes()).all(|b| b.is_ascii_digit()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn config(vars: &[(&str, &str)]) -> Result<Config, ConfigError> {
        let vars: HashMap<String, String> = vars.iter().map(|(k, v)| ((*k).into(), (*v).into())).collect();
        Config::from_lookup(|name| vars.get(name).cloned())
    }

    const BASE: [(&str, &str); 3] = [
        ("SALESFORCE_URL", "https://example.my.salesforce.com/"),
        ("SALESFORCE_CLIENT_ID", "id"),
        ("SALESFORCE_CLIENT_SECRET", "shh"),
    ];

    #[test]
    fn defaults() {
        let config = config(&BASE).expect("valid");
        assert_eq!(config.salesforce_url, "https://example.my.salesforce.com");
        assert_eq!(config.api_version, DEFAULT_API_VERSION);
        assert_eq!(config.case_external_id_field, None);
        assert!(config.update_contact_attributes);
        assert_eq!(config.response_budget, DEFAULT_RESPONSE_BUDGET);
        assert_eq!(config.home_country, None);
        assert_eq!(config.case_owner, CaseOwner::FirstAgent);
        assert_eq!(config.owner_user_field, "Email");
        assert_eq!(config.reuse_open_case_within, None, "reuse is off unless asked for");
        assert!(!format!("{config:?}").contains("shh"));
    }

    #[test]
    fn secret_arn_replaces_static_credentials() {
        let config = config(&[("SALESFORCE_URL", "https://x.my.salesforce.com"), ("SALESFORCE_SECRET_ARN", "arn:s")])
            .expect("valid");
        assert_eq!(
            config.credentials,
            CredentialSource::SecretsManager { secret_id: "arn:s".into(), flow: Flow::ClientCredentials }
        );
    }

    #[test]
    fn every_setting_is_read() {
        let mut vars = BASE.to_vec();
        vars.extend([
            ("SALESFORCE_API_VERSION", "v62.0"),
            ("CASE_EXTERNAL_ID_FIELD", "Connect_Contact_Id__c"),
            ("UPDATE_CONTACT_ATTRIBUTES", "FALSE"),
            ("RESPONSE_BUDGET_MS", "1200"),
            ("HOME_COUNTRY", "jp"),
            ("CASE_OWNER", "Unchanged"),
            ("OWNER_USER_FIELD", "FederationIdentifier"),
            ("REUSE_OPEN_CASE_HOURS", "48"),
        ]);
        let config = config(&vars).expect("valid");
        assert_eq!(config.api_version, "62.0");
        assert_eq!(config.case_external_id_field.as_deref(), Some("Connect_Contact_Id__c"));
        assert!(!config.update_contact_attributes);
        assert_eq!(config.response_budget, Duration::from_millis(1200));
        assert_eq!(config.home_country, Country::from_code("JP"));
        assert_eq!(config.case_owner, CaseOwner::Unchanged);
        assert_eq!(config.owner_user_field, "FederationIdentifier");
        assert_eq!(config.reuse_open_case_within, Some(Duration::from_secs(48 * 3600)));
        let mut off = BASE.to_vec();
        off.push(("REUSE_OPEN_CASE_HOURS", "0"));
        assert_eq!(self::config(&off).expect("valid").reuse_open_case_within, None);
    }

    #[test]
    fn mistakes_name_the_variable() {
        assert_eq!(config(&[]), Err(ConfigError::Missing("SALESFORCE_URL")));
        let no_id = config(&[("SALESFORCE_URL", "https://x.my.salesforce.com")]).expect_err("no client id");
        assert_eq!(no_id.variable(), "SALESFORCE_CLIENT_ID", "{no_id}");
        for (name, value) in [
            ("SALESFORCE_URL", "example.com"),
            ("SALESFORCE_API_VERSION", "66"),
            ("SALESFORCE_API_VERSION", "66.0/../../x"),
            ("CASE_EXTERNAL_ID_FIELD", "Bad Field/.."),
            ("UPDATE_CONTACT_ATTRIBUTES", "maybe"),
            ("RESPONSE_BUDGET_MS", "0"),
            ("RESPONSE_BUDGET_MS", "9000"),
            ("RESPONSE_BUDGET_MS", "soon"),
            ("HOME_COUNTRY", "Japan"),
            ("HOME_COUNTRY", "ZZ"),
            ("CASE_OWNER", "agent"),
            ("OWNER_USER_FIELD", "Email' OR Id != '"),
            ("REUSE_OPEN_CASE_HOURS", "-1"),
            ("REUSE_OPEN_CASE_HOURS", "1.5"),
            ("REUSE_OPEN_CASE_HOURS", "721"),
            ("SALESFORCE_AUTH", "password"),
            ("SALESFORCE_AUDIENCE", "login.salesforce.com"),
            ("LEG_RECORDS", "yes"),
        ] {
            let mut vars = BASE.to_vec();
            vars.push((name, value));
            let err = config(&vars).expect_err(value);
            assert!(err.to_string().starts_with(name), "{err}");
            assert_eq!(err.variable(), name);
        }
    }

    #[test]
    fn the_jwt_bearer_flow_reads_its_key_once_and_never_shows_it() {
        let pem = include_str!("../testkit/keys/test-only-pkcs1.pem");
        let jwt = [
            ("SALESFORCE_URL", "https://x.my.salesforce.com"),
            ("SALESFORCE_AUTH", "jwt-bearer"),
            ("SALESFORCE_CLIENT_ID", "3MVG9"),
            ("SALESFORCE_USERNAME", "integration@example.com"),
        ];
        let mut vars = jwt.to_vec();
        vars.push(("SALESFORCE_PRIVATE_KEY", pem));
        let read = config(&vars).expect("valid");
        let CredentialSource::Static(Login::JwtBearer { audience, username, .. }) = &read.credentials else {
            panic!("a JWT login: {:?}", read.credentials);
        };
        assert_eq!((audience.as_str(), username.as_str()), ("https://login.salesforce.com", "integration@example.com"));
        assert!(!format!("{read:?}").contains("MII"), "the key is never printed");

        vars.pop();
        vars.push((
            "SALESFORCE_PRIVATE_KEY",
            "-----BEGIN RSA PRIVATE KEY-----\nc2VjcmV0\n-----END RSA PRIVATE KEY-----",
        ));
        let error = config(&vars).expect_err("not a key");
        assert!(error.to_string().starts_with("SALESFORCE_PRIVATE_KEY is invalid"), "{error}");
        assert!(!error.to_string().contains("c2VjcmV0"), "{error}");

        assert_eq!(config(&jwt), Err(ConfigError::Missing("SALESFORCE_PRIVATE_KEY (or SALESFORCE_SECRET_ARN)")));
        let mut secret = jwt.to_vec();
        secret.extend([("SALESFORCE_SECRET_ARN", "arn:s"), ("SALESFORCE_AUDIENCE", "https://test.salesforce.com")]);
        assert_eq!(
            config(&secret).expect("valid").credentials,
            CredentialSource::SecretsManager {
                secret_id: "arn:s".into(),
                flow: Flow::JwtBearer { audience: "https://test.salesforce.com".into() }
            }
        );
    }

    #[test]
    fn api_versions_older_than_the_floor_are_named_with_the_minimum() {
        for (version, usable) in [("35.0", false), ("39.0", false), ("40.0", true), ("66.0", true), ("100.0", true)] {
            let mut vars = BASE.to_vec();
            vars.push(("SALESFORCE_API_VERSION", version));
            let checked = config(&vars);
            assert_eq!(checked.is_ok(), usable, "{version}");
            if let Err(error) = checked {
                assert!(
                    error.to_string().starts_with("SALESFORCE_API_VERSION is invalid: must be 40.0 or later"),
                    "{error}"
                );
                assert_eq!(error.variable(), "SALESFORCE_API_VERSION");
            }
        }
    }
}
