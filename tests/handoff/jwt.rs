//! Logging in with the OAuth 2.0 JWT bearer flow: an RS256 assertion the stand-in org verifies against the
//! app's certificate; both PEM forms; the key in the environment or in the secret; the same session rules
//! as client credentials; refusals that say what to fix; and no key, assertion or token in any log.

use serde_json::{Value, json};
use standin_org::{CLIENT_ID, JWT_USERNAME, Route, StandinOrg};

use testkit::*;

const PKCS8: &str = include_str!("../../testkit/keys/test-only-pkcs8.pem");
const PKCS1: &str = include_str!("../../testkit/keys/test-only-pkcs1.pem");
const OTHER: &str = include_str!("../../testkit/keys/test-only-other.pem");
const JWT_SECRET_ARN: &str = "arn:aws:secretsmanager:us-east-1:123456789012:secret:connect-case-handoff/jwt-AbCdEf";

fn jwt(pem: &'static str) -> Vec<(&'static str, &'static str)> {
    vec![
        ("SALESFORCE_AUTH", "jwt-bearer"),
        ("SALESFORCE_USERNAME", JWT_USERNAME),
        ("SALESFORCE_PRIVATE_KEY", pem),
        ("SALESFORCE_CLIENT_SECRET", ""),
    ]
}

/// An org whose External Client App trusts the test key's certificate for `JWT_USERNAME`.
async fn org() -> StandinOrg {
    let org = StandinOrg::start().await.expect("org");
    assert!(org.trust_jwt_key(PKCS8));
    org.add_caller("Ada", "Lovelace", "(415) 555-0100");
    org
}

#[tokio::test]
async fn a_jwt_login_with_either_pem_form_gets_a_session_once_per_container() {
    for pem in [PKCS8, PKCS1] {
        let org = org().await;
        let handoff = handoff_for(&org, &jwt(pem)).await;
        let answer = invoke_ok(&handoff, first_leg("+14155550100")).await;
        assert_eq!(answer["SfdcContactMatches"], "1");
        invoke_ok(&handoff, first_leg("+14155550100")).await;
        assert_eq!(org.count(Route::Token), 1, "one login serves the container");
        let login = org.recorded().into_iter().find(|r| r.route == Route::Token).expect("logged in");
        assert!(
            login.body.contains("grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Ajwt-bearer"),
            "{}",
            login.body
        );
        assert!(!login.body.contains("client_secret"), "{}", login.body);
    }
}

#[tokio::test]
async fn the_key_can_live_in_the_secret_read_once() {
    let org = org().await;
    let secret = json!({"client_id": CLIENT_ID, "username": JWT_USERNAME, "private_key": PKCS1}).to_string();
    org.set_secret(JWT_SECRET_ARN, &secret);
    let vars = [
        ("SALESFORCE_AUTH", "jwt-bearer"),
        ("SALESFORCE_SECRET_ARN", JWT_SECRET_ARN),
        ("SALESFORCE_CLIENT_ID", ""),
        ("SALESFORCE_CLIENT_SECRET", ""),
    ];
    let handoff = handoff_for(&org, &vars).await;
    invoke_ok(&handoff, first_leg("+14155550100")).await;
    org.expire_sessions();
    invoke_ok(&handoff, first_leg("+14155550100")).await;
    assert_eq!(org.count(Route::SecretsGetValue), 1, "the secret is read once per container");
    assert_eq!(org.count(Route::Token), 2, "an expired session is renewed once, with a new assertion");

    org.set_secret(
        JWT_SECRET_ARN,
        &json!({"client_id": CLIENT_ID, "username": JWT_USERNAME, "private_key": "hunter2"}).to_string(),
    );
    let error = invoke(&handoff_for(&org, &vars).await, first_leg("+14155550100")).await.expect_err("no key");
    assert_eq!(error.error_type(), "ConfigurationError");
    assert!(error.to_string().contains("private_key") && !error.to_string().contains("hunter2"), "{error}");

    // A JWT secret without its username: the setup check's advice is the JWT secret's fields.
    org.set_secret(JWT_SECRET_ARN, &json!({"client_id": CLIENT_ID, "private_key": PKCS1}).to_string());
    let report = invoke_ok(&handoff_for(&org, &vars).await, json!({"CheckSetup": {}})).await;
    let login = report["checks"][0]["detail"].as_str().unwrap_or_default().to_owned();
    assert!(login.contains("client_id, username and private_key") && !login.contains("client_secret"), "{login}");
}

#[tokio::test]
async fn a_malformed_key_is_a_configuration_error_naming_the_variable() {
    let org = org().await;
    let mut vars = jwt(PKCS8);
    vars[2] =
        ("SALESFORCE_PRIVATE_KEY", "-----BEGIN PRIVATE KEY-----\nc2VjcmV0LWtleS1ieXRlcw==\n-----END PRIVATE KEY-----");
    let all: Vec<(String, String)> = [("SALESFORCE_URL", org.url().as_str()), ("SALESFORCE_CLIENT_ID", CLIENT_ID)]
        .iter()
        .chain(vars.iter())
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
    let error = connect_case_handoff::Config::from_lookup(|name| {
        all.iter().rev().find(|(k, _)| k == name).map(|(_, v)| v.clone())
    })
    .expect_err("not a usable key");
    let text = error.to_string();
    assert!(text.starts_with("SALESFORCE_PRIVATE_KEY is invalid"), "{text}");
    assert!(!text.contains("c2VjcmV0"), "{text}");
}

/// A refusal to provoke: what Salesforce says, the function's variables, how the app is set up, and a word
/// of what to fix.
type Refused = (&'static str, Vec<(&'static str, &'static str)>, Box<dyn FnOnce(&StandinOrg)>, &'static str);

/// The refusal for `vars` against an org set up by `app`: (error type, message, the setup check's login).
async fn refusal(vars: &[(&'static str, &'static str)], app: impl FnOnce(&StandinOrg)) -> (String, String, String) {
    let org = org().await;
    app(&org);
    let handoff = handoff_for(&org, vars).await;
    let error = invoke(&handoff, first_leg("+14155550100")).await.expect_err("refused");
    // A fresh container, since a refused one waits out a pause before asking again.
    let report = invoke_ok(&handoff_for(&org, vars).await, json!({"CheckSetup": {}})).await;
    let login = report["checks"][0]["detail"].as_str().unwrap_or_default().to_owned();
    (error.error_type().to_owned(), error.to_string(), login)
}

#[tokio::test]
async fn each_refusal_names_its_code_and_what_to_fix() {
    let other_key = || {
        let mut vars = jwt(OTHER);
        vars.truncate(3);
        vars
    };
    let cases: Vec<Refused> = vec![
        (
            "user hasn't approved this consumer",
            jwt(PKCS8),
            Box::new(|org: &StandinOrg| {
                org.set_jwt_app(standin_public_key(), "https://login.salesforce.com", &[(JWT_USERNAME, false)]);
            }),
            "pre-authorize",
        ),
        (
            "audience is invalid",
            [jwt(PKCS8), vec![("SALESFORCE_AUDIENCE", "https://test.salesforce.com")]].concat(),
            Box::new(|_: &StandinOrg| {}),
            "SALESFORCE_AUDIENCE",
        ),
        ("invalid assertion", other_key(), Box::new(|_: &StandinOrg| {}), "certificate"),
        (
            "invalid user",
            [jwt(PKCS8), vec![("SALESFORCE_USERNAME", "nobody@example.com")]].concat(),
            Box::new(|_: &StandinOrg| {}),
            "SALESFORCE_USERNAME",
        ),
        (
            "invalid_client_id",
            [jwt(PKCS8), vec![("SALESFORCE_CLIENT_ID", "3MVG9-wrong")]].concat(),
            Box::new(|_: &StandinOrg| {}),
            "SALESFORCE_CLIENT_ID",
        ),
    ];
    for (said, vars, app, fix) in cases {
        let (error_type, message, login) = refusal(&vars, app).await;
        assert_eq!(error_type, "SalesforceAuthenticationFailed", "{said}");
        assert!(message.contains(said) && message.contains("JWT bearer assertion"), "{said}: {message}");
        // Every failing call says what to fix, as the setup check does, and the check says it once.
        assert!(message.contains(fix), "the invocation's error says what to fix: {said}: {message}");
        assert!(login.contains(said) && login.contains(fix), "{said}: {login}");
        assert_eq!(login.matches("To fix:").count(), 1, "{login}");
    }
}

/// The public half of the test key, as the stand-in's app holds it.
fn standin_public_key() -> Vec<u8> {
    connect_case_handoff::SigningKey::from_pem(PKCS8).expect("test key").public_key_der()
}

#[tokio::test]
async fn a_refused_assertion_is_not_sent_again_for_thirty_seconds() {
    let org = org().await;
    org.set_jwt_app(standin_public_key(), "https://login.salesforce.com", &[(JWT_USERNAME, false)]);
    let handoff = handoff_for(&org, &jwt(PKCS8)).await;
    for _ in 0..3 {
        let error = invoke(&handoff, first_leg("+14155550100")).await.expect_err("refused");
        assert_eq!(error.error_type(), "SalesforceAuthenticationFailed");
    }
    assert_eq!(org.count(Route::Token), 1);
}

#[tokio::test]
async fn no_key_assertion_or_token_reaches_a_log() {
    let (logs, _guard) = Logs::capture();
    let org = org().await;
    let handoff = handoff_for(&org, &jwt(PKCS1)).await;
    invoke_ok(&handoff, first_leg("+14155550100")).await;
    org.expire_sessions();
    invoke_ok(&handoff, first_leg("+14155550100")).await;
    invoke_ok(&handoff, json!({"CheckSetup": {}})).await;
    let bad = handoff_for(&org, &[jwt(OTHER), vec![("SALESFORCE_CLIENT_ID", CLIENT_ID)]].concat()).await;
    invoke(&bad, first_leg("+14155550100")).await.expect_err("refused");

    let text = logs.text();
    let assertion = org.recorded().into_iter().find(|r| r.route == Route::Token).map(|r| r.body).unwrap_or_default();
    let assertion = assertion.split("assertion=").nth(1).unwrap_or_default().to_owned();
    assert!(assertion.len() > 100, "the stand-in saw the assertion");
    let key_line = PKCS1.lines().nth(1).unwrap_or_default();
    for secret in [key_line, &assertion[..40], "eyJ", "standin-session", "00DSTANDIN"] {
        assert!(!text.contains(secret), "the logs hold {secret:?}:\n{text}");
    }
    let lines: Vec<Value> = logs.lines();
    assert!(lines.iter().any(|l| l["error_type"] == "SalesforceAuthenticationFailed"), "{text}");
}

#[tokio::test]
async fn the_setup_check_passes_with_a_jwt_login() {
    let org = org().await;
    let vars = [jwt(PKCS8), vec![("CONNECT_INSTANCE_ARN", INSTANCE_ARN)]].concat();
    let report = invoke_ok(&handoff_for(&org, &vars).await, json!({"CheckSetup": {}})).await;
    assert_eq!(report["ok"], true, "{report:#}");
    assert!(report["checks"][0]["detail"].as_str().is_some_and(|d| d.contains("JWT bearer assertion")), "{report:#}");
}
