//! The stand-in org in a process of its own, so a benchmark or soak run measures the function's memory
//! and CPU without the org's. A program serves it by spawning itself with [`SERVE_FLAG`].

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};

use serde_json::Value;

use crate::faults::Chaos;
use crate::org::StandinOrg;
use crate::setup::{REAL_ORG_PADDING, Setup};

/// The argument that makes a program serve the stand-in org instead of doing its own work.
pub const SERVE_FLAG: &str = "--serve-standin-org";

/// Call first in `main`: when this process was spawned as the org, serves it (with the demo callers and
/// describes of a real org's size)
/// until its parent closes standard input, then exits.
pub fn serve_if_asked() {
    if !std::env::args().any(|arg| arg == SERVE_FLAG) {
        return;
    }
    let code = match serve() {
        Ok(()) => 0,
        Err(error) => {
            eprintln!("stand-in org: {error}");
            1
        }
    };
    std::process::exit(code);
}

fn serve() -> std::io::Result<()> {
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(1).enable_all().build()?;
    runtime.block_on(async {
        let org = StandinOrg::start().await?;
        org.add_demo_data();
        // Describes as large as a real org's, so that a benchmark's init pays what a real one does.
        org.set_setup(Setup { describe_padding: REAL_ORG_PADDING, ..org.setup() });
        println!("{}", org.url());
        // Ends when the parent closes our standard input (or dies).
        tokio::task::spawn_blocking(|| std::io::copy(&mut std::io::stdin(), &mut std::io::sink())).await??;
        Ok(())
    })
}

/// A stand-in org served by a child process of this program.
pub struct RemoteOrg {
    child: Child,
    url: String,
}

impl RemoteOrg {
    pub fn spawn() -> std::io::Result<Self> {
        let mut child = Command::new(std::env::current_exe()?)
            .arg(SERVE_FLAG)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()?;
        let stdout = child.stdout.take().ok_or_else(|| std::io::Error::other("no stdout"))?;
        let mut url = String::new();
        BufReader::new(stdout).read_line(&mut url)?;
        let url = url.trim().to_owned();
        if !url.starts_with("http://") {
            return Err(std::io::Error::other("the stand-in org did not start"));
        }
        Ok(Self { child, url })
    }

    pub fn url(&self) -> &str {
        &self.url
    }

    /// The serving process's id, for a benchmark to read the CPU the stand-in spends.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    pub fn set_latency_ms(&self, ms: u64) -> std::io::Result<Value> {
        self.control("POST", &format!("/_standin/latency?ms={ms}"), "")
    }

    pub fn set_chaos(&self, chaos: &Chaos) -> std::io::Result<Value> {
        let body = serde_json::json!({
            "expire_sessions": chaos.expire_sessions, "unavailable": chaos.unavailable, "delay": chaos.delay,
            "delay_ms": chaos.delay_ms, "throttle_connect": chaos.throttle_connect,
            "throttle_salesforce": chaos.throttle_salesforce, "reset": chaos.reset, "seed": chaos.seed,
        });
        self.control("POST", "/_standin/chaos", &body.to_string())
    }

    /// `{"routes": {"Search": n, …}, "salesforce": n, "cases": n}`
    pub fn counts(&self) -> std::io::Result<Value> {
        self.control("GET", "/_standin/counts", "")
    }

    /// Every live case, with all its fields.
    pub fn cases(&self) -> std::io::Result<Value> {
        self.control("GET", "/_standin/cases", "")
    }

    /// Every Task, as a JSON array.
    pub fn tasks(&self) -> std::io::Result<Value> {
        self.control("GET", "/_standin/tasks", "")
    }

    fn control(&self, method: &str, target: &str, body: &str) -> std::io::Result<Value> {
        let host = self.url.trim_start_matches("http://");
        let mut stream = TcpStream::connect(host)?;
        write!(
            stream,
            "{method} {target} HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        )?;
        let mut answer = String::new();
        stream.read_to_string(&mut answer)?;
        let (_, body) = answer.split_once("\r\n\r\n").ok_or_else(|| std::io::Error::other("no HTTP body"))?;
        serde_json::from_str(body).map_err(std::io::Error::other)
    }
}

impl Drop for RemoteOrg {
    fn drop(&mut self) {
        drop(self.child.stdin.take());
        let _ = self.child.wait();
    }
}
