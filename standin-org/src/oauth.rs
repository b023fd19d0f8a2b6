//! The OAuth 2.0 token endpoint: the client credentials flow (a session for the right client id and
//! secret) and the JWT bearer flow (a session for an assertion whose RS256 signature the app's certificate
//! verifies and whose claims are right), and Salesforce's error object otherwise, with the descriptions it
//! gives.

use std::collections::BTreeMap;
use std::time::{SystemTime, UNIX_EPOCH};

use aws_lc_rs::signature::{KeyPair, RSA_PKCS1_2048_8192_SHA256, RsaKeyPair, UnparsedPublicKey};
use axum::http::StatusCode;
use axum::response::Response;
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Value, json};

use crate::state::State;
use crate::wire::json_response;

/// `POST /services/oauth2/token`.
pub(crate) fn token(state: &mut State, form: &BTreeMap<String, String>) -> Response {
    let field = |name: &str| form.get(name).map(String::as_str).unwrap_or_default();
    // How the token endpoint words the block is not documented (Login History says "Login Rate
    // Exceeded", the SOAP API LOGIN_RATE_EXCEEDED): an OAuth refusal like the others.
    if state.logins.blocked() {
        return json_response(
            StatusCode::BAD_REQUEST,
            json!({"error": "invalid_grant", "error_description": "login rate exceeded"}),
        );
    }
    let refused = match field("grant_type") {
        "client_credentials"
            if field("client_id") != state.client_id || field("client_secret") != state.client_secret =>
        {
            Some(("invalid_client", "invalid client credentials"))
        }
        "client_credentials" => None,
        JWT_BEARER => jwt_refusal(state, field("assertion")),
        _ => Some(("unsupported_grant_type", "grant type not supported")),
    };
    if let Some((error, description)) = refused {
        return json_response(StatusCode::BAD_REQUEST, json!({"error": error, "error_description": description}));
    }
    state.tokens_issued += 1;
    let access_token =
        format!("00DSTANDIN0000001!AQ{}.standin-session-{}", state.tokens_issued, state.tokens_issued * 7919);
    state.tokens.insert(access_token.clone());
    json_response(
        StatusCode::OK,
        json!({
            "access_token": access_token,
            "signature": "c3RhbmRpbg==",
            "scope": "api",
            "instance_url": state.url,
            "id": format!("https://login.salesforce.com/id/00DDn0000000001/{}", state.run_as_user),
            "token_type": "Bearer",
            "issued_at": "1764000000000",
            "api_instance_url": "https://api.salesforce.com",
        }),
    )
}

const JWT_BEARER: &str = "urn:ietf:params:oauth:grant-type:jwt-bearer";

/// Why Salesforce would refuse this assertion, in its words; `None` when it is good. Checked as the org
/// checks: the issuer (the consumer key), the signature against the app's certificate, the audience, the
/// expiry (in the future, at most 3 minutes ahead), then the user and the app's pre-authorization.
fn jwt_refusal(state: &State, assertion: &str) -> Option<(&'static str, &'static str)> {
    let invalid = Some(("invalid_grant", "invalid assertion"));
    let Some(app) = &state.jwt else { return Some(("invalid_grant", "invalid assertion")) };
    let parts: Vec<&str> = assertion.split('.').collect();
    let [header, claims, signature] = parts.as_slice() else { return invalid };
    let decode = |part: &str| URL_SAFE_NO_PAD.decode(part).ok();
    let json = |part: &str| decode(part).and_then(|bytes| serde_json::from_slice::<Value>(&bytes).ok());
    // Anything that does not read as a JWT is refused, never let through.
    let (Some(header), Some(claims)) = (json(header), json(claims)) else { return invalid };
    if header["alg"] != "RS256" {
        return invalid;
    }
    let text = |name: &str| claims[name].as_str().unwrap_or_default();
    if text("iss") != state.client_id {
        return Some(("invalid_client_id", "client identifier invalid"));
    }
    let signed = assertion.rsplit_once('.').map(|(signed, _)| signed).unwrap_or_default();
    let key = UnparsedPublicKey::new(&RSA_PKCS1_2048_8192_SHA256, &app.public_key);
    if decode(signature).is_none_or(|signature| key.verify(signed.as_bytes(), &signature).is_err()) {
        return invalid;
    }
    if text("aud") != app.audience {
        return Some(("invalid_grant", "audience is invalid"));
    }
    let now = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs());
    match claims["exp"].as_u64() {
        Some(exp) if exp > now && exp <= now + 180 => {}
        _ => return Some(("invalid_grant", "expired authorization code")),
    }
    match app.users.iter().find(|(user, _)| user.eq_ignore_ascii_case(text("sub"))) {
        None => Some(("invalid_grant", "user does not exist")),
        Some((_, false)) => Some(("invalid_grant", "user hasn't approved this consumer")),
        Some((_, true)) => None,
    }
}

/// The public half (DER `RSAPublicKey`) of a PEM RSA private key, PKCS#8 or PKCS#1: what the certificate
/// uploaded to an External Client App carries. `None` for anything else.
pub(crate) fn public_key_of_pem(pem: &str) -> Option<Vec<u8>> {
    let pem = pem.replace("\\n", "\n");
    let body: String = pem.lines().filter(|line| !line.starts_with("-----")).collect();
    let der = base64::engine::general_purpose::STANDARD.decode(body.trim()).ok()?;
    let pair =
        if pem.contains("BEGIN RSA PRIVATE KEY") { RsaKeyPair::from_der(&der) } else { RsaKeyPair::from_pkcs8(&der) };
    pair.ok().map(|pair| pair.public_key().as_ref().to_vec())
}
