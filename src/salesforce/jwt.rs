//! The OAuth 2.0 JWT bearer flow's assertion: RS256 over `{"alg":"RS256"}` and the claims Salesforce reads
//! (`iss` the consumer key, `sub` the run-as username, `aud` the login audience, `exp` a little ahead),
//! signed with the External Client App's private key. The key is parsed once per container, from PEM in
//! either form (PKCS#8 `PRIVATE KEY` or PKCS#1 `RSA PRIVATE KEY`); it, the assertion and the token never
//! reach a log or an error.
//!
//! Signing is aws-lc-rs, the crypto library the TLS stack already links: no new code in the binary.

use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::signature::{KeyPair, RSA_PKCS1_SHA256, RsaKeyPair};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rustls_pki_types::PrivateKeyDer;
use rustls_pki_types::pem::PemObject;

/// How far ahead the assertion expires: Salesforce takes at most 3 minutes, and a little less leaves room
/// for the function's clock running ahead of the org's.
pub const ASSERTION_LIFETIME: Duration = Duration::from_secs(150);

/// The audience a production org expects; a sandbox expects `https://test.salesforce.com`.
pub const DEFAULT_AUDIENCE: &str = "https://login.salesforce.com";

/// An RSA private key, parsed once. Compared by its public half; printed as `<redacted>`.
#[derive(Clone)]
pub struct SigningKey(Arc<RsaKeyPair>);

/// Why a key could not be used; says nothing of the key itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum KeyError {
    #[error("is not a PEM private key (-----BEGIN PRIVATE KEY----- or -----BEGIN RSA PRIVATE KEY-----)")]
    NotPem,
    #[error("is not an RSA key (the JWT bearer flow signs with RS256)")]
    NotRsa,
    #[error("is an RSA key Salesforce cannot use (it must be 2048 to 8192 bits)")]
    Rejected,
}

impl KeyError {
    /// The same, as a configuration error's reason.
    pub fn why(self) -> &'static str {
        match self {
            Self::NotPem => "is not a PEM private key (-----BEGIN PRIVATE KEY----- or -----BEGIN RSA PRIVATE KEY-----)",
            Self::NotRsa => "is not an RSA key (the JWT bearer flow signs with RS256)",
            Self::Rejected => "is an RSA key Salesforce cannot use (it must be 2048 to 8192 bits)",
        }
    }
}

impl SigningKey {
    /// Reads a PEM key. A key pasted into an environment variable or a JSON value with `\n` for its line
    /// breaks is read the same.
    pub fn from_pem(pem: &str) -> Result<Self, KeyError> {
        let pem = pem.trim().replace("\\n", "\n");
        let der = PrivateKeyDer::from_pem_slice(pem.as_bytes()).map_err(|_| KeyError::NotPem)?;
        let pair = match der {
            PrivateKeyDer::Pkcs8(der) => RsaKeyPair::from_pkcs8(der.secret_pkcs8_der()),
            PrivateKeyDer::Pkcs1(der) => RsaKeyPair::from_der(der.secret_pkcs1_der()),
            _ => return Err(KeyError::NotRsa),
        };
        pair.map(|pair| Self(Arc::new(pair))).map_err(|_| KeyError::Rejected)
    }

    /// The public half, as DER `RSAPublicKey`: what a certificate made from this key carries.
    pub fn public_key_der(&self) -> Vec<u8> {
        self.0.public_key().as_ref().to_vec()
    }
}

impl PartialEq for SigningKey {
    fn eq(&self, other: &Self) -> bool {
        self.0.public_key().as_ref() == other.0.public_key().as_ref()
    }
}

impl std::fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SigningKey(<redacted>)")
    }
}

/// The signed assertion `header.claims.signature`, expiring [`ASSERTION_LIFETIME`] after `now`.
pub fn assertion(
    key: &SigningKey,
    client_id: &str,
    username: &str,
    audience: &str,
    now: SystemTime,
) -> Result<String, KeyError> {
    let exp = (now + ASSERTION_LIFETIME).duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs());
    let claims = serde_json::json!({"iss": client_id, "sub": username, "aud": audience, "exp": exp});
    let signed = format!(
        "{}.{}",
        URL_SAFE_NO_PAD.encode(br#"{"alg":"RS256","typ":"JWT"}"#),
        URL_SAFE_NO_PAD.encode(claims.to_string())
    );
    let mut signature = vec![0; key.0.public_modulus_len()];
    key.0
        .sign(&RSA_PKCS1_SHA256, &SystemRandom::new(), signed.as_bytes(), &mut signature)
        .map_err(|_| KeyError::Rejected)?;
    Ok(format!("{signed}.{}", URL_SAFE_NO_PAD.encode(signature)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_lc_rs::signature::{RSA_PKCS1_2048_8192_SHA256, UnparsedPublicKey};

    const PKCS8: &str = include_str!("../../testkit/keys/test-only-pkcs8.pem");
    const PKCS1: &str = include_str!("../../testkit/keys/test-only-pkcs1.pem");

    #[test]
    fn both_pem_forms_give_the_same_key_and_a_verifiable_assertion() {
        let pkcs8 = SigningKey::from_pem(PKCS8).expect("PKCS#8");
        let pkcs1 = SigningKey::from_pem(PKCS1).expect("PKCS#1");
        assert_eq!(pkcs8, pkcs1, "one key pair in two encodings");
        assert_eq!(SigningKey::from_pem(&PKCS8.replace('\n', "\\n")).expect("escaped breaks"), pkcs8);

        let now = UNIX_EPOCH + Duration::from_secs(1_798_657_200);
        let jwt =
            assertion(&pkcs8, "3MVG9-consumer-key", "integration@example.com", DEFAULT_AUDIENCE, now).expect("signed");
        let parts: Vec<&str> = jwt.split('.').collect();
        assert_eq!(parts.len(), 3);
        let claims: serde_json::Value =
            serde_json::from_slice(&URL_SAFE_NO_PAD.decode(parts[1]).expect("base64url")).expect("JSON");
        assert_eq!(
            claims,
            serde_json::json!({"iss": "3MVG9-consumer-key", "sub": "integration@example.com",
            "aud": "https://login.salesforce.com", "exp": 1_798_657_350})
        );
        let signature = URL_SAFE_NO_PAD.decode(parts[2]).expect("base64url");
        let public = UnparsedPublicKey::new(&RSA_PKCS1_2048_8192_SHA256, pkcs8.public_key_der());
        assert!(public.verify(format!("{}.{}", parts[0], parts[1]).as_bytes(), &signature).is_ok());
    }

    #[test]
    fn a_bad_key_is_refused_without_a_word_of_it() {
        for (pem, error) in [
            ("hunter2", KeyError::NotPem),
            ("-----BEGIN PRIVATE KEY-----\nbm90IGEga2V5\n-----END PRIVATE KEY-----", KeyError::Rejected),
            ("-----BEGIN EC PRIVATE KEY-----\nbm90IGEga2V5\n-----END EC PRIVATE KEY-----", KeyError::NotRsa),
        ] {
            let refused = SigningKey::from_pem(pem).expect_err(pem);
            assert_eq!(refused, error);
            assert!(!refused.to_string().contains("bm90"));
        }
        assert!(!format!("{:?}", SigningKey::from_pem(PKCS8).expect("key")).contains("MII"));
    }
}
