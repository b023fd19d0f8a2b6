//! Serves the stand-in org with the demo callers until Ctrl-C, for `cargo lambda watch`.
//! Usage: `cargo run -p standin-org [-- [--port 9009] [--phone-index digits|tokens] [--trust-jwt-key PEM] [--voice]]`
//!
//! `--voice` makes it a Salesforce Voice org with the sample call's two VoiceCalls, for
//! `events/voice-first-leg.json` and `events/voice-transfer-leg.json`.
//!
//! `--trust-jwt-key testkit/keys/test-only-pkcs8.pem` sets its External Client App up for the JWT bearer
//! flow with that key's certificate, for the run-as user `JWT_USERNAME` (see `events/standin-jwt.env`).

use std::net::SocketAddr;

use standin_org::{CLIENT_ID, CLIENT_SECRET, JWT_USERNAME, PhoneIndex, StandinOrg};

const DEFAULT_PORT: u16 = 9009;

#[tokio::main]
async fn main() -> std::io::Result<()> {
    let usage = || {
        std::io::Error::other(
            "usage: standin-org [--port N] [--phone-index digits|tokens] [--trust-jwt-key PEM] [--voice]",
        )
    };
    let (mut port, mut index, mut jwt_key, mut voice) = (DEFAULT_PORT, PhoneIndex::Digits, None, false);
    let mut args = std::env::args().skip(1);
    while let Some(flag) = args.next() {
        if flag == "--voice" {
            voice = true;
            continue;
        }
        match (flag.as_str(), args.next().as_deref()) {
            ("--port", Some(value)) => port = value.parse().map_err(|_| usage())?,
            ("--phone-index", Some("digits")) => index = PhoneIndex::Digits,
            ("--phone-index", Some("tokens")) => index = PhoneIndex::Tokens,
            ("--trust-jwt-key", Some(path)) => jwt_key = Some(std::fs::read_to_string(path)?),
            _ => return Err(usage()),
        }
    }
    let org = StandinOrg::start_on(SocketAddr::from(([127, 0, 0, 1], port))).await?;
    org.add_demo_data();
    org.set_phone_index(index);
    if voice {
        let [first, transfer] = org.add_demo_voice_calls();
        println!("a Salesforce Voice org: VoiceCalls {first} (first leg) and {transfer} (transfer leg)");
    }
    if let Some(pem) = jwt_key {
        if !org.trust_jwt_key(&pem) {
            return Err(std::io::Error::other("--trust-jwt-key: not a PEM RSA private key"));
        }
        println!("JWT bearer flow on, for {JWT_USERNAME} with the key given");
    }
    let url = org.url();
    println!("stand-in Salesforce org, Connect and Secrets Manager on {url} (Ctrl-C to stop); phone index {index:?}");
    println!("environment for the function (as in events/standin.env):");
    for (name, value) in [
        ("SALESFORCE_URL", url.as_str()),
        ("SALESFORCE_CLIENT_ID", CLIENT_ID),
        ("SALESFORCE_CLIENT_SECRET", CLIENT_SECRET),
        ("AWS_ENDPOINT_URL_CONNECT", url.as_str()),
        ("AWS_ENDPOINT_URL_SECRETS_MANAGER", url.as_str()),
        (
            "CONNECT_INSTANCE_ARN",
            "arn:aws:connect:us-east-1:123456789012:instance/9308c2a1-9bc6-4cea-8290-6c0b4a6d38fa",
        ),
        ("LEG_RECORDS", "true"),
    ] {
        println!("  {name}={value}");
    }
    tokio::signal::ctrl_c().await?;
    println!("requests served: {}", org.recorded().len());
    Ok(())
}
