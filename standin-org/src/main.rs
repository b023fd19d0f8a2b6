//! Serves the stand-in org with the demo callers until Ctrl-C, for `cargo lambda watch`.
//! Usage: `cargo run -p standin-org [-- --port 9009]`

use std::net::SocketAddr;

use standin_org::{CLIENT_ID, CLIENT_SECRET, StandinOrg};

const DEFAULT_PORT: u16 = 9009;

#[tokio::main]
async fn main() -> std::io::Result<()> {
    let mut args = std::env::args().skip(1);
    let port = match (args.next().as_deref(), args.next()) {
        (None, _) => DEFAULT_PORT,
        (Some("--port"), Some(port)) => port.parse().map_err(|_| std::io::Error::other("--port takes a number"))?,
        _ => return Err(std::io::Error::other("usage: standin-org [--port N]")),
    };
    let org = StandinOrg::start_on(SocketAddr::from(([127, 0, 0, 1], port))).await?;
    org.add_demo_data();
    let url = org.url();
    println!("stand-in Salesforce org, Connect and Secrets Manager on {url} (Ctrl-C to stop)");
    println!("environment for the function (as in events/standin.env):");
    for (name, value) in [
        ("SALESFORCE_URL", url.as_str()),
        ("SALESFORCE_CLIENT_ID", CLIENT_ID),
        ("SALESFORCE_CLIENT_SECRET", CLIENT_SECRET),
        ("AWS_ENDPOINT_URL_CONNECT", url.as_str()),
        ("AWS_ENDPOINT_URL_SECRETS_MANAGER", url.as_str()),
    ] {
        println!("  {name}={value}");
    }
    tokio::signal::ctrl_c().await?;
    println!("requests served: {}", org.recorded().len());
    Ok(())
}
