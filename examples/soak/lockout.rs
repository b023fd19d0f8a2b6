//! The soak run's lockout: containers whose secret holds a rotated-away client secret, each given a call
//! every second for a simulated hour on tokio's paused clock, against a stand-in org that blocks the
//! run-as user after 3,600 logins in an hour as Salesforce does. Counts the token requests against that
//! 3,600 and says whether and when the user was blocked; then the secret is fixed and it counts how long
//! until every container answers cases again.
//!
//! `cargo run --release --example soak -- --lockout [--containers 50] [--seed 7]`

use std::time::{Duration, Instant};

use connect_case_handoff::Handoff;
use serde_json::json;
use standin_org::{CLIENT_ID, CLIENT_SECRET, LOGINS_PER_HOUR, Route, SECRET_ARN, StandinOrg};

const FROM_SECRET: [(&str, &str); 3] =
    [("SALESFORCE_SECRET_ARN", SECRET_ARN), ("SALESFORCE_CLIENT_ID", ""), ("SALESFORCE_CLIENT_SECRET", "")];
/// A call reaches each container this often: as often as a busy center's would.
const TICK: Duration = Duration::from_secs(1);
const HOUR: u64 = 3_600;
/// How long after the fix the run waits for every container to answer before it gives up.
const RECOVERY_LIMIT: u64 = 2 * HOUR;

fn secret(client_secret: &str) -> String {
    json!({"client_id": CLIENT_ID, "client_secret": client_secret}).to_string()
}

/// Moves the paused clock one tick, with nothing else running meanwhile.
async fn tick() {
    tokio::time::pause();
    tokio::time::advance(TICK).await;
    tokio::time::resume();
}

/// One call to each container that has not answered yet; marks those that answer with a case.
async fn call_each(containers: &[Handoff], answered: &mut [bool], second: u64) {
    for (container, answered) in containers.iter().zip(answered.iter_mut()).filter(|(_, a)| !**a) {
        let contact = format!("{second:08x}-10c0-4000-8000-000000000000");
        let mut event = testkit::first_leg("+14155550100");
        event["Details"]["ContactData"]["ContactId"] = json!(contact);
        event["Details"]["ContactData"]["InitialContactId"] = json!(contact);
        if let Ok(answer) = testkit::invoke(container, event).await {
            *answered = answer["SfdcCaseId"].is_string();
        }
    }
}

pub fn run(containers: usize) {
    let runtime = match tokio::runtime::Builder::new_current_thread().enable_all().build() {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("no runtime: {error}");
            std::process::exit(2);
        }
    };
    runtime.block_on(async {
        let started = Instant::now();
        let org = StandinOrg::start().await.expect("stand-in org starts");
        org.set_secret(SECRET_ARN, &secret("rotated-away"));
        let mut fleet = Vec::new();
        for _ in 0..containers {
            fleet.push(testkit::handoff_for(&org, &FROM_SECRET).await.with_metrics_sink(|_| ()));
        }

        // The hour with the wrong secret: no container may answer, and every call is refused.
        let mut never = vec![false; containers];
        let mut blocked_at = None;
        for second in 0..HOUR {
            call_each(&fleet, &mut never, second).await;
            if blocked_at.is_none() && org.login_blocked() {
                blocked_at = Some(second);
            }
            tick().await;
        }
        let hour_tokens = org.count(Route::Token);
        let hour_secret_reads = org.count(Route::SecretsGetValue);

        // The admin fixes the secret: how long until every container answers cases again?
        org.set_secret(SECRET_ARN, &secret(CLIENT_SECRET));
        let mut answered = vec![false; containers];
        let mut recovered_after = None;
        for second in 0..RECOVERY_LIMIT {
            call_each(&fleet, &mut answered, HOUR + second).await;
            if blocked_at.is_none() && org.login_blocked() {
                blocked_at = Some(HOUR + second);
            }
            if answered.iter().all(|a| *a) {
                recovered_after = Some(second);
                break;
            }
            tick().await;
        }
        let recovering_tokens = org.count(Route::Token) - hour_tokens;

        println!("connect-case-handoff soak, lockout: {containers} containers with a wrong secret, a call to each every {} s", TICK.as_secs());
        println!(
            "token requests in the simulated hour: {hour_tokens} (Salesforce blocks the user past {LOGINS_PER_HOUR}); \
             {:.1} per container; secret reads: {hour_secret_reads}",
            hour_tokens as f64 / containers as f64
        );
        match blocked_at {
            Some(second) => println!("the run-as user was blocked after {} min {} s", second / 60, second % 60),
            None => println!("the run-as user was never blocked"),
        }
        match recovered_after {
            Some(second) => println!(
                "after the fix: every container answered cases within {} min {} s ({recovering_tokens} token requests meanwhile)",
                second / 60,
                second % 60
            ),
            None => println!(
                "after the fix: {} of {containers} containers still refused after {} h ({recovering_tokens} token requests meanwhile)",
                answered.iter().filter(|a| !**a).count(),
                RECOVERY_LIMIT / HOUR
            ),
        }
        println!("wall time: {:.1} s", started.elapsed().as_secs_f64());
        if blocked_at.is_some() || recovered_after.is_none() {
            std::process::exit(1);
        }
    });
}
