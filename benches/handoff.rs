//! Speed of a warm container against the stand-in org (served by a child process, so the figures are the
//! function's own): requests per leg (and per contact event that sets a case's owner), handler latency at
//! 0 ms and 20 ms of injected per-request latency, the CPU per leg of the function and of the stand-in,
//! cold start and its parts, contact-record batches, and peak memory. Prints figures; asserts nothing.
//!
//! `cargo bench --bench handoff` (optionally `-- --quick` for fewer invocations)

use std::time::{Duration, Instant, SystemTime};

use connect_case_handoff::{Config, Handoff, json_log_subscriber};
use serde_json::{Value, json};
use standin_org::{EXTERNAL_ID_FIELD, RemoteOrg};

#[derive(Clone, Copy, PartialEq)]
enum Leg {
    First,
    Transfer,
    FirstWithKey,
    /// A repeat caller with `REUSE_OPEN_CASE_HOURS` on: their open case is given back.
    FirstReused,
    /// The first agent answers: the contact event that makes them the case's owner (agent seen before).
    AgentConnected,
    AgentConnectedWithKey,
}

impl Leg {
    fn name(self) -> &'static str {
        match self {
            Leg::First => "first leg",
            Leg::Transfer => "transfer leg",
            Leg::FirstWithKey => "first leg, external id",
            Leg::FirstReused => "first leg, open case reused",
            Leg::AgentConnected => "agent connected (owner)",
            Leg::AgentConnectedWithKey => "agent connected, external id",
        }
    }
}

struct Run {
    salesforce: f64,
    connect: f64,
    p50: Duration,
    p99: Duration,
    cpu_per_leg: Duration,
    standin_cpu_per_leg: Duration,
}

fn contact_id(i: u64) -> String {
    format!("{:08x}-0000-4000-8000-{:012x}", i >> 16, i)
}

fn event(leg: Leg, i: u64, case_id: &str) -> Value {
    let contact = contact_id(i);
    match leg {
        Leg::First | Leg::FirstWithKey | Leg::FirstReused => {
            testkit::voice_event(&contact, &contact, json!("+14155550100"), json!({}), json!({}))
        }
        // The same call's first agent each time: the same owner again, as a redelivered event would leave.
        Leg::AgentConnected | Leg::AgentConnectedWithKey => {
            testkit::contact_event("CONNECTED_TO_AGENT", testkit::FIRST_CONTACT, None, testkit::FIRST_AGENT)
        }
        Leg::Transfer => testkit::voice_event(
            &contact,
            testkit::FIRST_CONTACT,
            json!("+14155550100"),
            json!({"SfdcCaseId": case_id, "SfdcContactMatches": "1"}),
            json!({}),
        ),
    }
}

/// CPU used by this process so far, all threads, to the nanosecond (`CLOCK_PROCESS_CPUTIME_ID`).
fn cpu_time() -> Duration {
    let mut now = libc::timespec { tv_sec: 0, tv_nsec: 0 };
    // SAFETY: `now` is a live local the call fills in.
    if unsafe { libc::clock_gettime(libc::CLOCK_PROCESS_CPUTIME_ID, &mut now) } != 0 {
        return Duration::ZERO;
    }
    Duration::new(now.tv_sec as u64, now.tv_nsec as u32)
}

/// CPU used so far by process `pid` (the stand-in), all its threads, to the nanosecond: the first field
/// of each thread's /proc schedstat.
fn cpu_time_of(pid: u32) -> Duration {
    let Ok(threads) = std::fs::read_dir(format!("/proc/{pid}/task")) else { return Duration::ZERO };
    let nanos: u64 = threads
        .flatten()
        .filter_map(|thread| std::fs::read_to_string(thread.path().join("schedstat")).ok())
        .filter_map(|stat| stat.split_whitespace().next()?.parse::<u64>().ok())
        .sum();
    Duration::from_nanos(nanos)
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() - 1) as f64 * p).round() as usize]
}

async fn run(handoff: &Handoff, org: u32, leg: Leg, count: u64, first: u64, case_id: &str) -> Run {
    for i in 0..5 {
        testkit::invoke_ok(handoff, event(leg, first + count + i, case_id)).await;
    }
    let (sf, connect) = (handoff.salesforce_requests(), handoff.connect_requests());
    let (cpu, standin_cpu) = (cpu_time(), cpu_time_of(org));
    let mut latencies = Vec::with_capacity(count as usize);
    for i in 0..count {
        let payload = event(leg, first + i, case_id);
        let started = Instant::now();
        let answer = handoff.handle(payload, None).await;
        latencies.push(started.elapsed());
        if let Err(error) = answer {
            panic!("{} failed: {error}", leg.name());
        }
    }
    latencies.sort();
    let per_leg = |after: u64, before: u64| (after - before) as f64 / count as f64;
    Run {
        salesforce: per_leg(handoff.salesforce_requests(), sf),
        connect: per_leg(handoff.connect_requests(), connect),
        p50: percentile(&latencies, 0.5),
        p99: percentile(&latencies, 0.99),
        cpu_per_leg: (cpu_time() - cpu) / count as u32,
        standin_cpu_per_leg: (cpu_time_of(org) - standin_cpu) / count as u32,
    }
}

/// The release bootstrap binary, as `sam build` ships it (built with the benchmark's profile).
const BOOTSTRAP: &str = env!("CARGO_BIN_EXE_connect-case-handoff");

/// One container start of the real binary against a stand-in Runtime API: from spawning the process to
/// its first poll for an event, and, when it was given one, to its answer to that first event (what a
/// caller waits on a cold start: init and the first leg); the CPU it used by then (all threads), its peak
/// RSS, and init's parts as its log lines tell them (no parts when init failed, as with a configuration
/// error).
struct ColdStart {
    to_first_poll: Duration,
    to_first_answer: Option<Duration>,
    cpu: Duration,
    peak_rss_kb: u64,
    parts: Option<InitParts>,
}

/// Init's parts, from the bootstrap's log: configuration and clients (the AWS SDK, the TLS client), the
/// login, the describes (the reading of their answers within), libphonenumber's metadata (alongside the
/// login and the describes), and init as a whole.
#[derive(Clone, Copy, Default)]
struct InitParts {
    clients: Duration,
    login: Duration,
    describes: Duration,
    parse: Duration,
    metadata: Duration,
    init: Duration,
}

impl InitParts {
    fn from_log(log: &str) -> Option<Self> {
        let lines: Vec<Value> = log.lines().filter_map(|line| serde_json::from_str(line).ok()).collect();
        let line = |message: &str| lines.iter().find(|l| l["message"].as_str().is_some_and(|m| m.starts_with(message)));
        let ms = |line: &Value, field: &str| Duration::from_secs_f64(line[field].as_f64().unwrap_or_default() / 1000.0);
        let init = line("logged in to Salesforce")?;
        let learned = line("learned the org's phone fields")?;
        Some(Self {
            clients: ms(init, "clients_ms"),
            login: ms(init, "login_ms"),
            describes: ms(init, "describes_ms"),
            parse: ms(learned, "parse_ms"),
            metadata: ms(init, "metadata_ms"),
            init: ms(init, "init_ms"),
        })
    }
}

async fn cold_start(url: &str, vars: &[(&str, &str)], first_event: Option<Value>) -> ColdStart {
    let answers = usize::from(first_event.is_some());
    let runtime = testkit::RuntimeApi::start(first_event.into_iter().collect()).await.expect("runtime API");
    let spawned = SystemTime::now();
    let mut child = testkit::spawn_bootstrap(BOOTSTRAP, &runtime, url, vars).expect("bootstrap starts");
    let polled = runtime.wait_for_first_poll(Duration::from_secs(10)).await.expect("the bootstrap polls");
    let posted = runtime.posted(answers, Duration::from_secs(10)).await;
    if answers > 0 {
        assert!(
            matches!(posted.first(), Some((_, testkit::Posted::Response(answer))) if answer["SfdcCaseId"].is_string()),
            "the first event is answered with a case: {posted:?}"
        );
    }
    let to_first_answer = runtime.first_answer().and_then(|at| at.duration_since(spawned).ok());
    let pid = child.id();
    let peak_rss_kb = testkit::process_status_kb(&pid.to_string(), "VmHWM:");
    let _ = child.kill();
    let cpu = reap_cpu(pid);
    let _ = child.wait();
    let mut log = String::new();
    if let Some(mut stdout) = child.stdout.take() {
        let _ = std::io::Read::read_to_string(&mut stdout, &mut log);
    }
    let parts = InitParts::from_log(&log);
    ColdStart {
        to_first_poll: polled.duration_since(spawned).unwrap_or_default(),
        to_first_answer,
        cpu,
        peak_rss_kb,
        parts,
    }
}

/// Waits for the killed child `pid` and answers the CPU time it used, all its threads (those that had
/// already ended, such as init's metadata thread, included), from `wait4`'s resource usage. Blocked on
/// its first poll when killed, it used nothing after it.
fn reap_cpu(pid: u32) -> Duration {
    let mut status = 0;
    // SAFETY: an all-zero rusage is a valid value of the plain C struct that wait4 fills in.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: `pid` is this process's own child, not yet reaped; both pointers are to live locals.
    let reaped = unsafe { libc::wait4(pid as libc::pid_t, &mut status, 0, &mut usage) };
    if reaped != pid as libc::pid_t {
        return Duration::ZERO;
    }
    let time = |t: libc::timeval| Duration::from_secs(t.tv_sec as u64) + Duration::from_micros(t.tv_usec as u64);
    time(usage.ru_utime) + time(usage.ru_stime)
}

/// Over `runs` container starts (each given `first_event`, if any): the median time to first poll and to
/// the first answer, the median CPU, the largest peak RSS, and the median of each of init's parts.
struct ColdStarts {
    to_first_poll: Duration,
    to_first_answer: Duration,
    cpu: Duration,
    peak_rss_kb: u64,
    parts: Option<InitParts>,
}

async fn cold_starts(url: &str, vars: &[(&str, &str)], runs: usize, first_event: Option<&Value>) -> ColdStarts {
    let mut starts = Vec::with_capacity(runs);
    for _ in 0..runs {
        starts.push(cold_start(url, vars, first_event.cloned()).await);
    }
    let median = |of: &dyn Fn(&ColdStart) -> Duration| {
        let mut all: Vec<Duration> = starts.iter().map(of).collect();
        all.sort();
        percentile(&all, 0.5)
    };
    let part = |of: fn(&InitParts) -> Duration| median(&|s: &ColdStart| s.parts.as_ref().map(of).unwrap_or_default());
    let parts = starts.iter().all(|s| s.parts.is_some()).then(|| InitParts {
        clients: part(|p| p.clients),
        login: part(|p| p.login),
        describes: part(|p| p.describes),
        parse: part(|p| p.parse),
        metadata: part(|p| p.metadata),
        init: part(|p| p.init),
    });
    ColdStarts {
        to_first_poll: median(&|s| s.to_first_poll),
        to_first_answer: median(&|s| s.to_first_answer.unwrap_or_default()),
        cpu: median(&|s| s.cpu),
        peak_rss_kb: starts.iter().map(|s| s.peak_rss_kb).max().unwrap_or_default(),
        parts,
    }
}

fn ms(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1000.0)
}

/// Contact-record batches of 1, 10 and 100 new legs (and the same batch delivered again): Salesforce
/// requests and time per batch, against the anchor's one asynchronous invocation and one request per record.
async fn batches(url: &str, org: u32, case_id: &str) {
    let legs = testkit::handoff_at(url, &[("LEG_RECORDS", "true")]).await.with_metrics_sink(|_| ());
    legs.prepare(Duration::from_secs(5)).await;
    println!();
    println!(
        "{:<34} {:>8} {:>9} {:>10} {:>10} {:>10} | {:>14} {:>12}",
        "contact-record batch", "SF reqs", "Connect", "time", "CPU", "stand-in", "anchor reqs", "anchor/this"
    );
    let mut next = 0u64;
    for size in [1u64, 10, 100] {
        let records: Vec<serde_json::Value> = (next..next + size)
            .map(|n| {
                let contact = format!("b0b0b0b0-0000-4000-8000-{n:012}");
                let case = serde_json::json!({"SfdcCaseId": case_id});
                testkit::contact_record(
                    &contact,
                    &contact,
                    "INBOUND",
                    Some(standin_org::FIRST_AGENT_USERNAME),
                    case,
                    "10:02:30",
                )
            })
            .collect();
        next += size;
        let batch = testkit::kinesis_batch(next, &records);
        for (what, event) in [("new legs", batch.clone()), ("delivered again", batch)] {
            let (sf, connect) = (legs.salesforce_requests(), legs.connect_requests());
            let (cpu, standin_cpu) = (cpu_time(), cpu_time_of(org));
            let started = Instant::now();
            testkit::invoke_ok(&legs, event).await;
            let took = started.elapsed();
            let (cpu, standin_cpu) = (cpu_time() - cpu, cpu_time_of(org) - standin_cpu);
            let sf = legs.salesforce_requests() - sf;
            println!(
                "{:<34} {:>8} {:>9} {:>10} {:>10} {:>10} | {:>14} {:>12.1}",
                format!("{size} records, {what}"),
                sf,
                legs.connect_requests() - connect,
                ms(took),
                ms(cpu),
                ms(standin_cpu),
                format!("{size} + {size} inv."),
                size as f64 / sf.max(1) as f64
            );
        }
    }
}

fn main() {
    standin_org::serve_if_asked();
    let quick = std::env::args().any(|a| a == "--quick");
    let (fast_count, slow_count) = if quick { (200, 20) } else { (2000, 100) };
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    runtime.block_on(async {
        // As in Lambda: JSON log lines formatted and written (here to nowhere) on every invocation.
        let _logs = tracing::subscriber::set_default(json_log_subscriber(std::io::sink, "info"));
        let org = RemoteOrg::spawn().expect("stand-in org process");
        let url = org.url().to_owned();
        let rss_start = testkit::status_kb("VmRSS:");

        let started = Instant::now();
        let config = Config::from_lookup(|name| match name {
            "SALESFORCE_URL" => Some(url.clone()),
            "SALESFORCE_CLIENT_ID" => Some(standin_org::CLIENT_ID.into()),
            "SALESFORCE_CLIENT_SECRET" => Some(standin_org::CLIENT_SECRET.into()),
            _ => None,
        })
        .expect("configuration");
        let https = connect_case_handoff::Https::new();
        let sdk = testkit::sdk_config(&url, &https).await;
        let plain = Handoff::new(config, &https, &sdk).with_metrics_sink(|_| ());
        let built = started.elapsed();
        let started = Instant::now();
        plain.prepare(Duration::from_secs(5)).await;
        let prepared = started.elapsed();
        let started = Instant::now();
        connect_case_handoff::load_phone_metadata();
        let metadata_again = started.elapsed();
        let keyed =
            testkit::handoff_at(&url, &[("CASE_EXTERNAL_ID_FIELD", EXTERNAL_ID_FIELD)]).await.with_metrics_sink(|_| ());
        keyed.prepare(Duration::from_secs(5)).await;
        let reusing =
            testkit::handoff_at(&url, &[("REUSE_OPEN_CASE_HOURS", "24")]).await.with_metrics_sink(|_| ());
        reusing.prepare(Duration::from_secs(5)).await;
        let case = testkit::invoke_ok(&plain, testkit::first_leg("+14155550100")).await;
        let case_id = case["SfdcCaseId"].as_str().expect("case id").to_owned();
        testkit::invoke_ok(&keyed, testkit::first_leg("+14155550100")).await;

        println!("connect-case-handoff benchmark: warm container, stand-in org in another process on loopback");
        println!(
            "cold start in-process: configuration and clients {}; init (Salesforce login and the describes of \
             Contact and Account, libphonenumber metadata alongside) {}; metadata once loaded {}",
            ms(built),
            ms(prepared),
            ms(metadata_again)
        );
        let runs = if quick { 5 } else { 21 };
        let cold = cold_starts(&url, &[], runs, None).await;
        let bare = cold_starts(&url, &[("SALESFORCE_URL", "")], runs, None).await;
        let answered = cold_starts(&url, &[], runs, Some(&testkit::first_leg("+14155550100"))).await;
        println!(
            "cold start of the release binary, process start to first poll (median of {runs}): with init's \
             Salesforce login and describes on loopback and libphonenumber's metadata {} ({} CPU, peak RSS {} kB); \
             with a configuration error, so neither {} ({} CPU, peak RSS {} kB)",
            ms(cold.to_first_poll),
            ms(cold.cpu),
            cold.peak_rss_kb,
            ms(bare.to_first_poll),
            ms(bare.cpu),
            bare.peak_rss_kb
        );
        println!(
            "cold start to first answer, spawning the process to its answer to a first leg (a case made; median \
             of {runs}): {} ({} CPU)",
            ms(answered.to_first_answer),
            ms(answered.cpu)
        );
        let (login_time, parts) = (cold.to_first_poll, cold.parts);
        if let Some(p) = parts {
            println!(
                "  its parts (medians): process start and the runtime's first poll {}; configuration and clients {}; \
                 then, alongside libphonenumber's metadata ({}): login {}, describes {} (of which reading the answers {})",
                ms(login_time.saturating_sub(p.init)),
                ms(p.clients),
                ms(p.metadata),
                ms(p.login),
                ms(p.describes),
                ms(p.parse)
            );
        }
        println!();
        println!(
            "{:<31} {:>5} {:>7} | {:>9} {:>9} {:>9} {:>9} | {:>9} {:>9} {:>8} {:>7}",
            "leg", "SF", "Connect", "p50 0ms", "p99 0ms", "CPU/leg", "stand-in", "p50 20ms", "p99 20ms", "floor", "p50/fl"
        );
        let mut first = 1_000_000;
        for leg in [
            Leg::First,
            Leg::Transfer,
            Leg::FirstWithKey,
            Leg::FirstReused,
            Leg::AgentConnected,
            Leg::AgentConnectedWithKey,
        ] {
            let handoff = match leg {
                Leg::FirstWithKey | Leg::AgentConnectedWithKey => &keyed,
                Leg::FirstReused => &reusing,
                _ => &plain,
            };
            org.set_latency_ms(0).expect("latency");
            let fast = run(handoff, org.pid(), leg, fast_count, first, &case_id).await;
            first += fast_count + 10;
            org.set_latency_ms(20).expect("latency");
            let slow = run(handoff, org.pid(), leg, slow_count, first, &case_id).await;
            first += slow_count + 10;
            let floor = Duration::from_millis(20) * (slow.salesforce + slow.connect).round() as u32;
            println!(
                "{:<31} {:>5.2} {:>7.2} | {:>9} {:>9} {:>9} {:>9} | {:>9} {:>9} {:>8} {:>7.3}",
                leg.name(),
                fast.salesforce,
                fast.connect,
                ms(fast.p50),
                ms(fast.p99),
                ms(fast.cpu_per_leg),
                ms(fast.standin_cpu_per_leg),
                ms(slow.p50),
                ms(slow.p99),
                ms(floor),
                slow.p50.as_secs_f64() / floor.as_secs_f64(),
            );
        }
        org.set_latency_ms(0).expect("latency");
        batches(&url, org.pid(), &case_id).await;
        println!();
        println!(
            "memory: peak RSS {} kB (VmHWM), RSS {} kB at start, {} kB at end",
            testkit::status_kb("VmHWM:"),
            rss_start,
            testkit::status_kb("VmRSS:")
        );
        println!("invocations at 0 ms: {fast_count} per leg; at 20 ms: {slow_count} per leg");
    });
}
