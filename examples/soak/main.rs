//! Soak: tens of thousands of invocations from several containers at once against one stand-in org (in a
//! process of its own), with random expired sessions (401), 503s, request-limit refusals (403), answers
//! cut mid-way (resets), delays and Connect throttling. Each call's contact records then arrive as Connect
//! sends them: out of order, again until no record is named for retry (Lambda's redelivery), and once
//! more whole (at least once), with the first agent's contact event lost. Reports invocations, outcomes
//! and errors by class, cases against calls (with the external id set, never two cases for one call),
//! Tasks per leg (exactly one), legs missing, owners, panics, and memory at start and end.
//!
//! `cargo run --release --example soak -- [--invocations 30000] [--containers 4] [--seed 7]`
//!
//! With `--lockout`, it plays instead a fleet of containers with a wrong secret for a simulated hour
//! (`lockout`).

mod lockout;

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
    /// Contact-record batches sent, and those still naming records to retry after 20 deliveries.
    batches: u64,
    batches_given_up: u64,
    /// Legs whose records were delivered: the first leg's `ContactId`, and the transfer's.
    legs: Vec<String>,
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
            let outcome = match answer["batchItemFailures"].as_array() {
                Some(failed) if failed.is_empty() => "contact records written",
                Some(_) => "contact records, some to retry",
                None => answer["SfdcCaseOutcome"].as_str().unwrap_or("?"),
            };
            *tally.outcomes.entry(outcome.to_owned()).or_default() += 1;
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

/// The call's contact records as Connect's stream brings them: the transfer leg's first (out of order),
/// with an older copy of it after; the records named for retry again until none is (at most 20 times, as
/// the stack's event source mapping bounds it); then the whole batch once more.
async fn deliver_records(
    handoff: &Arc<Handoff>,
    first: &str,
    transfer: &str,
    case_id: &str,
    call: u64,
    tally: &Mutex<Tally>,
) {
    let case = json!({"SfdcCaseId": case_id});
    let agent = |n| Some(if n == 0 { standin_org::FIRST_AGENT_USERNAME } else { standin_org::SECOND_AGENT_USERNAME });
    let records = vec![
        testkit::contact_record(transfer, first, "TRANSFER", agent(1), case.clone(), "10:06:40"),
        testkit::contact_record(first, first, "INBOUND", agent(0), case.clone(), "10:02:30"),
        testkit::contact_record(transfer, first, "TRANSFER", agent(1), case, "10:06:05"),
    ];
    let base = call * 3;
    let mut pending: Vec<u64> = (0..3).collect();
    let mut attempts: u64 = 0;
    while !pending.is_empty() && attempts < 20 {
        attempts += 1;
        let batch: Vec<Value> = pending.iter().map(|n| records[*n as usize].clone()).collect();
        let mut event = testkit::kinesis_batch(0, &batch);
        for (record, n) in event["Records"].as_array_mut().into_iter().flatten().zip(&pending) {
            record["kinesis"]["sequenceNumber"] = json!(testkit::sequence_number(base + n));
        }
        let answer = invoke(handoff, event, tally).await;
        let failed: Vec<String> = answer
            .as_ref()
            .and_then(|a| a["batchItemFailures"].as_array().cloned())
            .unwrap_or_default()
            .iter()
            .filter_map(|f| f["itemIdentifier"].as_str().map(str::to_owned))
            .collect();
        pending.retain(|n| failed.contains(&testkit::sequence_number(base + n)));
    }
    let mut whole = testkit::kinesis_batch(base, &records);
    invoke(handoff, std::mem::take(&mut whole), tally).await;
    let mut tally = tally.lock().unwrap_or_else(|p| p.into_inner());
    tally.batches += attempts + 1;
    tally.batches_given_up += u64::from(!pending.is_empty());
    tally.legs.push(first.to_owned());
    tally.legs.push(transfer.to_owned());
}

fn main() {
    standin_org::serve_if_asked();
    if std::env::args().any(|a| a == "--lockout") {
        return lockout::run(arg("--containers", 50).max(1) as usize);
    }
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
            throttle_salesforce: 0.01,
            reset: 0.02,
            seed,
        };
        org.set_chaos(&chaos).expect("chaos");
        let rss_start = testkit::status_kb("VmRSS:");
        let started = Instant::now();

        let mut handoffs = Vec::new();
        let vars = [("CASE_EXTERNAL_ID_FIELD", EXTERNAL_ID_FIELD), ("LEG_RECORDS", "true")];
        for _ in 0..containers {
            let handoff = testkit::handoff_at(org.url(), &vars).await;
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
                    deliver_records(here, &first, &transfer, &case_id, call, &tally).await;
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
        let alex = cases
            .as_array()
            .into_iter()
            .flatten()
            .filter(|case| case["OwnerId"] == "005Dn0000000002IAA")
            .count();
        let mut tasks_per_leg: BTreeMap<String, u64> = BTreeMap::new();
        for task in org.tasks().expect("tasks").as_array().into_iter().flatten() {
            *tasks_per_leg.entry(task["CallObject"].as_str().unwrap_or("(none)").to_owned()).or_default() += 1;
        }
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
        let legs = tally.legs.len();
        let missing = tally.legs.iter().filter(|leg| !tasks_per_leg.contains_key(*leg)).count();
        let duplicated = tasks_per_leg.values().filter(|n| **n > 1).count();
        println!(
            "contact records: {} batches for {legs} legs ({} still failing after 20 deliveries); legs with exactly one Task: {}, with more: {duplicated}, missing: {missing}",
            tally.batches,
            tally.batches_given_up,
            tasks_per_leg.values().filter(|n| **n == 1).count()
        );
        println!("cases owned by the first agent (their contact event never sent; the first leg's record did it): {alex} of {}", per_call.values().sum::<u64>());
        println!("panics: {}", tally.panics);
        println!("requests the org saw: {}", counts["routes"]);
        println!(
            "memory: RSS {rss_start} kB at start, {rss_end} kB at the end of the run, peak {} kB (the report's own fetch of every case included)",
            testkit::status_kb("VmHWM:")
        );
        let samples: Vec<String> = tally.rss.iter().map(|(n, kb)| format!("{kb} kB after {n}")).collect();
        println!("memory along the run: {}", samples.join(", "));
        if tally.panics > 0 || doubled > 0 || tally.transfers_on_another_case > 0 || duplicated > 0 || missing > 0 {
            std::process::exit(1);
        }
    });
}
