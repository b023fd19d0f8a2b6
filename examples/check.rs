//! Checks a deployment locally, as `{"CheckSetup": {}}` does in the deployed function: once against a
//! sound stand-in org, once against one set up wrong on purpose, printing both reports.
//!
//! `cargo run --example check`

use serde_json::{Value, json};
use standin_org::{EXTERNAL_ID_FIELD, Setup, StandinOrg};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let org = StandinOrg::start().await?;
    let vars = [("CASE_EXTERNAL_ID_FIELD", EXTERNAL_ID_FIELD), ("CONNECT_INSTANCE_ARN", testkit::INSTANCE_ARN)];

    println!("== A sound setup (stand-in org on {})", org.url());
    let sound = report(&org, &vars).await?;

    println!(
        "\n== The same org set up wrong: External ID not unique, no Connect permission, a User field that does not exist"
    );
    org.set_setup(Setup { external_id_field: Some((true, false)), connect_denied: true, ..Setup::default() });
    let wrong = report(&org, &[vars[0], vars[1], ("OWNER_USER_FIELD", "Connect_Username__c")]).await?;

    if sound["ok"] == true && wrong["ok"] == false {
        Ok(())
    } else {
        Err("the reports are not what the setups call for".into())
    }
}

async fn report(org: &StandinOrg, vars: &[(&str, &str)]) -> Result<Value, Box<dyn std::error::Error>> {
    let handoff = testkit::handoff_for(org, vars).await.with_metrics_sink(|_| ());
    let report = testkit::invoke(&handoff, json!({"CheckSetup": {}})).await?;
    println!("{}", serde_json::to_string_pretty(&report)?);
    Ok(report)
}
