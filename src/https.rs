//! The container's one HTTPS client: reqwest over rustls with one trust store, used by the Salesforce
//! client and, through the AWS SDK's `HttpClient` trait, by the Connect and Secrets Manager clients. A leaf.
//!
//! Each library used to build a TLS client of its own, and each read the system's CA certificates: the
//! AWS SDK's connector (built for its credentials chain's STS client) and reqwest's platform verifier,
//! each reading the bundle file and then every file in the certificate directory, about 290 PEM
//! certificates parsed twice on every cold start (3.9 ms of CPU each here, seven times that on a 256 MB
//! Lambda's share of a core). Here the trust store is made once, from the system's bundle file alone (the
//! same roots, read once), and serves both: the operating system's trust, as before, at a quarter of one
//! load. `SSL_CERT_FILE` names another bundle (a TLS-inspecting proxy's, a private CA's), as OpenSSL reads
//! it; where no bundle exists (a minimal image), Mozilla's roots compiled into the binary stand in. One
//! client also means one connection pool and one TLS stack in the binary.

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use aws_smithy_runtime_api::client::http::{
    HttpClient, HttpConnector, HttpConnectorFuture, HttpConnectorSettings, SharedHttpClient, SharedHttpConnector,
};
use aws_smithy_runtime_api::client::orchestrator::{HttpRequest, HttpResponse};
use aws_smithy_runtime_api::client::result::ConnectorError;
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_runtime_api::http::StatusCode;
use aws_smithy_types::body::SdkBody;
use rustls_pki_types::CertificateDer;
use rustls_pki_types::pem::PemObject;

/// How long a connection may take to open: the AWS SDK's own default, which Salesforce's budgets never
/// reach either.
const CONNECT_TIMEOUT: Duration = Duration::from_millis(3100);

/// How long an idle connection is kept: just under Salesforce's and AWS's own keep-alive.
const POOL_IDLE: Duration = Duration::from_secs(50);

/// The one client. Cloning it shares its pool.
#[derive(Clone, Debug)]
pub struct Https {
    client: reqwest::Client,
}

impl Default for Https {
    fn default() -> Self {
        Self::new()
    }
}

impl Https {
    /// Builds the client and its trust store: the certificates of `SSL_CERT_FILE` when set, else of the
    /// system's bundle. Sends nothing.
    pub fn new() -> Self {
        let chosen = std::env::var_os("SSL_CERT_FILE");
        Self::trusting(chosen.as_deref().map(Path::new).into_iter().chain(SYSTEM_BUNDLES.iter().map(Path::new)))
    }

    /// Builds the client trusting the certificates of the first of `bundles` that holds any (a PEM file),
    /// or Mozilla's roots when none does.
    pub fn trusting<'a>(bundles: impl IntoIterator<Item = &'a Path>) -> Self {
        Self { client: client_trusting(trust_store(bundles)) }
    }

    /// The client, for requests of our own (Salesforce's).
    pub fn client(&self) -> reqwest::Client {
        self.client.clone()
    }

    /// The same client as the AWS SDK's HTTP client (`aws_config::ConfigLoader::http_client`).
    pub fn for_aws_sdk(&self) -> SharedHttpClient {
        SharedHttpClient::new(SdkClient(self.client.clone()))
    }
}

/// Where systems keep their bundle of trusted certificates, as OpenSSL's builds look for it: Debian and
/// Ubuntu; Fedora, RHEL and Amazon Linux (the Lambda runtime's); OpenSUSE; RHEL 7's extracted bundle;
/// Alpine.
const SYSTEM_BUNDLES: [&str; 5] = [
    "/etc/ssl/certs/ca-certificates.crt",
    "/etc/pki/tls/certs/ca-bundle.crt",
    "/etc/ssl/ca-bundle.pem",
    "/etc/pki/ca-trust/extracted/pem/tls-ca-bundle.pem",
    "/etc/ssl/cert.pem",
];

/// The certificates of the first of `bundles` that holds any, each parsed once; Mozilla's roots when none
/// does.
fn trust_store<'a>(bundles: impl IntoIterator<Item = &'a Path>) -> rustls::RootCertStore {
    for bundle in bundles {
        let Ok(certificates) = CertificateDer::pem_file_iter(bundle) else { continue };
        let mut roots = rustls::RootCertStore::empty();
        let (added, ignored) = roots.add_parsable_certificates(certificates.filter_map(Result::ok));
        if added > 0 {
            tracing::debug!(added, ignored, bundle = %bundle.display(), "TLS trust store");
            return roots;
        }
    }
    tracing::debug!("no certificate bundle found: trusting Mozilla's roots compiled in");
    rustls::RootCertStore { roots: webpki_roots::TLS_SERVER_ROOTS.to_vec() }
}

/// A reqwest client over rustls with `roots` (aws-lc-rs, as the rest of the function's cryptography),
/// HTTP/1.1, TCP_NODELAY (a request is one small write; Nagle would hold its tail for an ACK).
fn client_trusting(roots: rustls::RootCertStore) -> reqwest::Client {
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let builder = reqwest::Client::builder()
        .tcp_nodelay(true)
        .pool_idle_timeout(POOL_IDLE)
        .connect_timeout(CONNECT_TIMEOUT)
        .user_agent(concat!("connect-case-handoff/", env!("CARGO_PKG_VERSION")));
    let tls = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map(|config| config.with_root_certificates(roots).with_no_client_auth());
    let built = match tls {
        Ok(mut tls) => {
            tls.alpn_protocols = vec![b"http/1.1".to_vec()];
            builder.tls_backend_preconfigured(tls).build()
        }
        Err(error) => {
            tracing::error!(error = %error, "could not set up TLS as configured; using reqwest's own");
            builder.build()
        }
    };
    built.unwrap_or_else(|error| {
        // Only the TLS setup can fail here; say so, and go on with reqwest's defaults (each request may be
        // slower without TCP_NODELAY and the idle timeout).
        tracing::error!(error = %error, "could not build the HTTP client as configured; using reqwest's defaults");
        reqwest::Client::new()
    })
}

/// The AWS SDK's HTTP client over reqwest: each request sent as it is, its answer read whole (Connect's
/// and Secrets Manager's answers are small JSON documents).
#[derive(Debug)]
struct SdkClient(reqwest::Client);

impl HttpClient for SdkClient {
    fn http_connector(&self, settings: &HttpConnectorSettings, _: &RuntimeComponents) -> SharedHttpConnector {
        // The connection's own timeout is the client's; a read timeout bounds the whole exchange.
        let timeout = settings.read_timeout().map(|read| read + settings.connect_timeout().unwrap_or(CONNECT_TIMEOUT));
        SharedHttpConnector::new(SdkConnector { client: self.0.clone(), timeout })
    }
}

#[derive(Debug)]
struct SdkConnector {
    client: reqwest::Client,
    timeout: Option<Duration>,
}

impl HttpConnector for SdkConnector {
    fn call(&self, request: HttpRequest) -> HttpConnectorFuture {
        let sent = self.send(request);
        HttpConnectorFuture::new(sent)
    }
}

impl SdkConnector {
    fn send(&self, request: HttpRequest) -> impl Future<Output = Result<HttpResponse, ConnectorError>> + use<> {
        let built = self.build(&request);
        async move {
            let response = built?.send().await.map_err(failure)?;
            let status = StatusCode::try_from(response.status().as_u16())
                .map_err(|error| ConnectorError::other(error.into(), None))?;
            let headers: Vec<(String, String)> = response
                .headers()
                .iter()
                .filter_map(|(name, value)| Some((name.as_str().to_owned(), value.to_str().ok()?.to_owned())))
                .collect();
            let body = response.bytes().await.map_err(failure)?;
            let mut answer = HttpResponse::new(status, SdkBody::from(body));
            for (name, value) in headers {
                answer.headers_mut().append(name, value);
            }
            Ok(answer)
        }
    }

    fn build(&self, request: &HttpRequest) -> Result<reqwest::RequestBuilder, ConnectorError> {
        let method = reqwest::Method::from_bytes(request.method().as_bytes())
            .map_err(|error| ConnectorError::user(error.into()))?;
        let Some(body) = request.body().bytes() else {
            return Err(ConnectorError::user("a streaming request body, which this client does not send".into()));
        };
        let mut builder = self.client.request(method, request.uri()).body(body.to_vec());
        for (name, value) in request.headers() {
            builder = builder.header(name, value);
        }
        if let Some(timeout) = self.timeout {
            builder = builder.timeout(timeout);
        }
        Ok(builder)
    }
}

/// What a failed exchange means to the SDK's retry rules: a timeout, a connection or transfer that broke
/// (I/O: retried), or anything else.
fn failure(error: reqwest::Error) -> ConnectorError {
    if error.is_timeout() {
        ConnectorError::timeout(error.into())
    } else if error.is_connect() || error.is_request() || error.is_body() {
        ConnectorError::io(error.into())
    } else {
        ConnectorError::other(error.into(), None)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEST_CA: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/tls/ca.pem");

    fn names(roots: &rustls::RootCertStore) -> Vec<String> {
        roots.roots.iter().map(|anchor| String::from_utf8_lossy(anchor.subject.as_ref()).into_owned()).collect()
    }

    #[test]
    fn with_no_bundle_mozilla_s_roots_trust_salesforce_s_and_aws_s_authorities() {
        let roots = trust_store([Path::new("/nonexistent/bundle.pem")]);
        assert!(roots.len() > 100, "{} roots", roots.len());
        let names = names(&roots);
        for authority in ["DigiCert Global Root G2", "Amazon Root CA 1", "Starfield Services Root"] {
            assert!(names.iter().any(|name| name.contains(authority)), "{authority} is trusted");
        }
    }

    #[test]
    fn the_first_bundle_that_holds_certificates_is_the_whole_trust_store() {
        let not_pem = Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/Cargo.toml"));
        let roots = trust_store([Path::new("/nonexistent/bundle.pem"), not_pem, Path::new(TEST_CA)]);
        assert_eq!(roots.len(), 1, "SSL_CERT_FILE replaces the system's bundle, as OpenSSL reads it");
        assert!(names(&roots)[0].contains("connect-case-handoff test CA"));
    }

    #[test]
    fn the_system_bundle_is_read_once_when_there_is_one() {
        let Some(bundle) = SYSTEM_BUNDLES.iter().map(Path::new).find(|path| path.exists()) else { return };
        let roots = trust_store(SYSTEM_BUNDLES.iter().map(Path::new));
        let in_file = CertificateDer::pem_file_iter(bundle).map(|certificates| certificates.count()).unwrap_or(0);
        assert!(roots.len() > 100 && roots.len() <= in_file, "{} of {in_file}", roots.len());
    }
}
