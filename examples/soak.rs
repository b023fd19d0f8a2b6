//! Soak: tens of thousands of invocations from several containers at once against one stand-in org (in a
//! process of its own), with random expired sessions (401), 503s, delays and Connect throttling.
//! Reports invocations, outcomes and errors by class, cases against calls (with the external id set, never
//! two cases for one call), panics, and memory at start and end.
//!
//! `cargo run --release --example soak -- [--invocations 30000] [--containers 4] [--seed 7]`

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use connect_case_handoff::Handoff;
use serde_json::{Value, json};
use standin_org::{Chaos, EXTERNAL_ID_FIELD, RemoteOrg};

const CALLERS: [&str; 6] =
    ["+14155550100", "+81312345678", "+819012345678", "+12065550199", "+14155550111", "anonymous"];

#[derive(Default)]
struct Tally {
    outcomes: BTreeMap<String, u64>,
    invocations: u64,
    panics: u64,
    transfers_on_another_case: u64,
    /// (invocations so far, RSS in kB), every 5000 invocations: a leak would climb, a plateau does not.
    rss: Vec<(u64, u64)>,
}

fn arg(name: &str, default: u64) -> u64 {
    let args: Vec<String> = std::env::args().collect();
    args.iter().position(|a| a == name).and_then(|i| args.get(i + 1)).and_then(|v| v.parse().ok()).unwrap_or(default)
}

/// One invocation on its own task, so a panic is caught and counted instead of ending the run.
async fn invoke(handoff: &Arc<Handoff>, event: Value, tally: &Mutex<Tally>) -> Option<Value> {
    let container = handoff.clone();
    let joined = tokio::spawn(async move { testkit::invoke(&container, event).await }).await;
    let mut tally = tally.lock().unwrap_or_else(|p| p.into_inner());
    tally.invocations += 1;
    if tally.invocations.is_multiple_of(5000) {
        let sample = (tally.invocations, testkit::status_kb("VmRSS:"));
        tally.rss.push(sample);
    }
    match joined {
        Ok(Ok(answer)) => {
            *tally.outcomes.entry(answer["SfdcCaseOutcome"].as_str().unwrap_or("?").to_owned()).or_default() += 1;
            Some(answer)
        }
        Ok(Err(error)) => {
            *tally.outcomes.entry(error.error_type().to_owned()).or_default() += 1;
            None
        }
        Err(_) => {
            tally.panics += 1;
            None
        }
    }
}

fn main() {
    standin_org::serve_if_asked();
    let invocations = arg("--invocations", 30_000);
    let containers = arg("--containers", 4).max(1) as usize;
    let seed = arg("--seed", 7);
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    runtime.block_on(async {
        let org = RemoteOrg::spawn().expect("stand-in org process");
        let chaos = Chaos {
            expire_sessions: 0.01,
            unavailable: 0.03,
            delay: 0.02,
            delay_ms: 150,
            throttle_connect: 0.05,
            seed,
        };
        org.set_chaos(&chaos).expect("chaos");
        let rss_start = testkit::status_kb("VmRSS:");
        let started = Instant::now();

        let mut handoffs = Vec::new();
        for _ in 0..containers {
            let handoff = testkit::handoff_at(org.url(), &[("CASE_EXTERNAL_ID_FIELD", EXTERNAL_ID_FIELD)]).await;
            handoffs.push(Arc::new(handoff.with_metrics_sink(|_| ())));
        }
        let tally = Arc::new(Mutex::new(Tally::default()));
        // About 2.1 invocations a call: the first leg, a retried first leg one call in ten, the transfer leg.
        let calls = invocations * 10 / 21;
        let mut workers = Vec::new();
        for c in 0..containers {
            let (handoffs, tally) = (handoffs.clone(), tally.clone());
            workers.push(tokio::spawn(async move {
                for call in (c as u64..calls).step_by(handoffs.len()) {
                    let here = &handoffs[c];
                    let first = format!("{:08x}-5eed-4000-8000-{:012x}", seed, call);
                    let caller = CALLERS[(call % CALLERS.len() as u64) as usize];
                    let first_leg = testkit::voice_event(&first, &first, json!(caller), json!({}), json!({}));
                    let mut answer = invoke(here, first_leg.clone(), &tally).await;
                    if call % 10 == 3 {
                        // A retried first leg lands on another container, as Lambda may place it.
                        let elsewhere = &handoffs[(c + 1) % handoffs.len()];
                        answer = invoke(elsewhere, first_leg, &tally).await.or(answer);
                    }
                    let Some(case_id) = answer.as_ref().and_then(|a| a["SfdcCaseId"].as_str()).map(str::to_owned)
                    else {
                        continue;
                    };
                    let transfer = format!("{:08x}-7a4e-4000-8000-{:012x}", seed, call);
                    let attributes = json!({"SfdcCaseId": case_id});
                    let event = testkit::voice_event(&transfer, &first, json!(caller), attributes, json!({}));
                    if let Some(next) = invoke(here, event, &tally).await
                        && next["SfdcCaseId"] != case_id.as_str()
                    {
                        tally.lock().unwrap_or_else(|p| p.into_inner()).transfers_on_another_case += 1;
                    }
                }
            }));
        }
        for worker in workers {
            worker.await.expect("worker");
        }
        let elapsed = started.elapsed();
        // Before the report fetches every case, which takes memory of its own.
        let rss_end = testkit::status_kb("VmRSS:");

        let cases = org.cases().expect("cases");
        let mut per_call: BTreeMap<String, u64> = BTreeMap::new();
        for case in cases.as_array().into_iter().flatten() {
            *per_call.entry(case[EXTERNAL_ID_FIELD].as_str().unwrap_or("(none)").to_owned()).or_default() += 1;
        }
        let doubled = per_call.values().filter(|n| **n > 1).count();
        let tally = tally.lock().unwrap_or_else(|p| p.into_inner());
        let counts = org.counts().expect("counts");

        println!("connect-case-handoff soak: {containers} containers, one stand-in org, chaos {chaos:?}");
        println!(
            "invocations: {} in {:.1} s ({:.0}/s)",
            tally.invocations,
            elapsed.as_secs_f64(),
            tally.invocations as f64 / elapsed.as_secs_f64()
        );
        println!("outcomes and errors by class:");
        for (outcome, n) in &tally.outcomes {
            println!("  {outcome:<32} {n}");
        }
        println!("calls: {calls}; cases: {}; calls with more than one case: {doubled}", per_call.values().sum::<u64>());
        println!("transfer legs answered with another case than the first leg's: {}", tally.transfers_on_another_case);
        println!("panics: {}", tally.panics);
        println!("requests the org saw: {}", counts["routes"]);
        println!(
            "memory: RSS {rss_start} kB at start, {rss_end} kB at the end of the run, peak {} kB (the report's own fetch of every case included)",
            testkit::status_kb("VmHWM:")
        );
        let samples: Vec<String> = tally.rss.iter().map(|(n, kb)| format!("{kb} kB after {n}")).collect();
        println!("memory along the run: {}", samples.join(", "));
        if tally.panics > 0 || doubled > 0 || tally.transfers_on_another_case > 0 {
            std::process::exit(1);
        }
    });
}
