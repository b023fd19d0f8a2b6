//! `/_standin/…`: the org seen and steered from another process (the benchmark and the soak run serve it
//! in a child process): `GET counts`, `GET cases`, `GET tasks`, `POST latency?ms=N`, `POST chaos` with a [`Chaos`].

use std::time::Duration;

use axum::http::{Method, StatusCode};
use axum::response::Response;
use serde_json::{Map, Value, json};

use crate::faults::Chaos;
use crate::state::State;
use crate::wire::{form_urlencoded, json_response};

pub(crate) enum Control {
    Counts,
    Cases,
    Tasks,
    Latency(Option<u64>),
    Chaos(Result<Chaos, String>),
    Unknown,
}

impl Control {
    /// `path` is what follows `/_standin/`.
    pub(crate) fn parse(method: &Method, path: &str, query: &str, body: &[u8]) -> Self {
        match (method.as_str(), path) {
            ("GET", "counts") => Self::Counts,
            ("GET", "cases") => Self::Cases,
            ("GET", "tasks") => Self::Tasks,
            ("POST", "latency") => {
                Self::Latency(form_urlencoded(query.as_bytes()).get("ms").and_then(|ms| ms.parse().ok()))
            }
            ("POST", "chaos") => Self::Chaos(serde_json::from_slice(body).map_err(|error| error.to_string())),
            _ => Self::Unknown,
        }
    }

    pub(crate) fn apply(self, state: &mut State) -> Response {
        match self {
            Self::Counts => {
                let routes: Map<String, Value> =
                    state.counts.iter().map(|(route, n)| (format!("{route:?}"), json!(n))).collect();
                let answer =
                    json!({"routes": routes, "salesforce": state.salesforce_requests(), "cases": state.cases.len()});
                json_response(StatusCode::OK, answer)
            }
            Self::Cases => {
                json_response(StatusCode::OK, Value::Array(state.cases.values().cloned().map(Value::Object).collect()))
            }
            Self::Tasks => {
                json_response(StatusCode::OK, Value::Array(state.tasks.values().cloned().map(Value::Object).collect()))
            }
            Self::Latency(Some(ms)) => {
                state.latency = Duration::from_millis(ms);
                json_response(StatusCode::OK, json!({"latency_ms": ms}))
            }
            Self::Latency(None) => {
                json_response(StatusCode::BAD_REQUEST, json!({"error": "latency?ms=<milliseconds>"}))
            }
            Self::Chaos(Ok(chaos)) => {
                state.faults.set_chaos(chaos);
                json_response(StatusCode::OK, json!({}))
            }
            Self::Chaos(Err(error)) => json_response(StatusCode::BAD_REQUEST, json!({"error": error})),
            Self::Unknown => json_response(StatusCode::NOT_FOUND, json!({"error": "unknown control endpoint"})),
        }
    }
}
