//! The one HTTPS client over real TLS: a loopback server with a certificate for `localhost` signed by a test
//! authority (`tests/fixtures/tls`). The client trusts it only when its bundle holds that authority, and
//! the AWS SDK, sending through the same client, trusts exactly what the Salesforce side does.

use std::path::Path;
use std::sync::Arc;

use connect_case_handoff::Https;
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, PrivateKeyDer};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/tls");

fn fixture(name: &str) -> String {
    format!("{FIXTURES}/{name}")
}

/// Serves `body` as JSON over TLS for `localhost`, to every request, until the test ends.
async fn tls_server(body: &'static str) -> u16 {
    let certificates: Vec<CertificateDer<'static>> = CertificateDer::pem_file_iter(fixture("localhost.pem"))
        .expect("certificate")
        .collect::<Result<_, _>>()
        .expect("PEM");
    let key = PrivateKeyDer::from_pem_file(fixture("localhost.key")).expect("key");
    let config = rustls::ServerConfig::builder_with_provider(Arc::new(rustls::crypto::aws_lc_rs::default_provider()))
        .with_safe_default_protocol_versions()
        .expect("versions")
        .with_no_client_auth()
        .with_single_cert(certificates, key)
        .expect("server config");
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
    let listener = TcpListener::bind(("127.0.0.1", 0)).await.expect("bind");
    let port = listener.local_addr().expect("address").port();
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            let acceptor = acceptor.clone();
            tokio::spawn(async move {
                let Ok(mut tls) = acceptor.accept(stream).await else { return };
                let mut request = Vec::new();
                let mut buffer = [0u8; 4096];
                while !request.windows(4).any(|w| w == b"\r\n\r\n") {
                    match tls.read(&mut buffer).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => request.extend_from_slice(&buffer[..n]),
                    }
                }
                let answer = format!(
                    "HTTP/1.1 200 OK\r\ncontent-type: application/x-amz-json-1.1\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                    body.len()
                );
                let _ = tls.write_all(answer.as_bytes()).await;
                let _ = tls.shutdown().await;
            });
        }
    });
    port
}

#[tokio::test]
async fn the_client_trusts_a_server_only_when_its_bundle_holds_the_authority() {
    let port = tls_server(r#"{"ok": true}"#).await;
    let url = format!("https://localhost:{port}/");

    let trusting = Https::trusting([Path::new(&fixture("ca.pem"))]);
    let answer = trusting.client().get(&url).send().await.expect("trusted").text().await.expect("body");
    assert_eq!(answer, r#"{"ok": true}"#);

    // No bundle that names the test authority: Mozilla's roots, which do not.
    let mozilla = Https::trusting([Path::new("/nonexistent/bundle.pem")]);
    let error = mozilla.client().get(&url).send().await.expect_err("untrusted");
    assert!(error.is_connect(), "{error:?}");
    assert!(format!("{error:?}").contains("UnknownIssuer"), "{error:?}");
}

#[tokio::test]
async fn the_aws_sdk_sends_through_the_same_client_and_trust_store() {
    let port = tls_server(r#"{"Name": "handoff", "SecretString": "{\"client_id\": \"x\"}"}"#).await;
    let read = |https: Https| async move {
        let sdk = aws_config::defaults(aws_config::BehaviorVersion::latest())
            .region(aws_config::Region::new("us-east-1"))
            .credentials_provider(aws_sdk_secretsmanager::config::Credentials::new(
                "AKID", "secret", None, None, "test",
            ))
            .endpoint_url(format!("https://localhost:{port}"))
            .http_client(https.for_aws_sdk())
            .load()
            .await;
        aws_sdk_secretsmanager::Client::new(&sdk).get_secret_value().secret_id("handoff").send().await
    };
    let answer = read(Https::trusting([Path::new(&fixture("ca.pem"))])).await.expect("trusted");
    assert_eq!(answer.secret_string(), Some(r#"{"client_id": "x"}"#));

    let error = read(Https::trusting([Path::new("/nonexistent/bundle.pem")])).await.expect_err("untrusted");
    assert!(matches!(error, aws_sdk_secretsmanager::error::SdkError::DispatchFailure(_)), "{error:?}");
    assert!(format!("{error:?}").contains("UnknownIssuer"), "{error:?}");
}
