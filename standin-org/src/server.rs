//! The HTTP side: every request is parsed once, counted, given its fault if one is due (played here, in
//! the wire format of the service it imitates), then applied to the state.

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::State as AxumState;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use tokio::net::TcpListener;
use tokio::task::JoinHandle;

use crate::faults::Fault;
use crate::request::Request;
use crate::route::Route;
use crate::state::{Shared, lock};
use crate::wire::{aws_error, sf_error_response};

/// Serves `state` on `listener` until the task is aborted.
pub(crate) fn spawn(listener: TcpListener, state: Shared) -> JoinHandle<()> {
    let app = Router::new().fallback(dispatch).with_state(state);
    tokio::spawn(async move {
        // Ends only when the task is aborted.
        let _ = axum::serve(listener, app).await;
    })
}

async fn dispatch(
    AxumState(state): AxumState<Shared>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let request = Request::parse(&method, &uri, &headers, &body);
    let route = request.route();
    if route == Route::Control {
        return request.apply(&mut lock(&state));
    }
    let (fault, latency) = {
        let mut state = lock(&state);
        state.record(route, &method, &uri, &body);
        (state.faults.next(route), state.latency)
    };
    if !latency.is_zero() {
        tokio::time::sleep(latency).await;
    }
    if let Some(fault) = fault
        && let Some(response) = play(fault, route, &state).await
    {
        return response;
    }
    request.apply(&mut lock(&state))
}

/// Plays `fault` on a request of `route`: answers in the org's place, or, after a delay or with every
/// session expired, answers `None` so that the org serves the request.
async fn play(fault: Fault, route: Route, state: &Shared) -> Option<Response> {
    match fault {
        Fault::Hang => std::future::pending().await,
        Fault::Reset => {
            let broken = futures_util::stream::iter([
                Ok(Bytes::from_static(b"[{\"Id\"")),
                Err(std::io::Error::new(std::io::ErrorKind::ConnectionReset, "injected reset")),
            ]);
            Some((StatusCode::OK, [("content-type", "application/json")], Body::from_stream(broken)).into_response())
        }
        Fault::Delay(delay) => {
            tokio::time::sleep(delay).await;
            None
        }
        Fault::ExpireSessions => {
            lock(state).tokens.clear();
            None
        }
        Fault::Status(status) => {
            Some(status_response(route, StatusCode::from_u16(status).unwrap_or(StatusCode::SERVICE_UNAVAILABLE)))
        }
        Fault::Throttle if !route.is_salesforce() => {
            Some(aws_error(StatusCode::TOO_MANY_REQUESTS, "ThrottlingException", "Rate exceeded"))
        }
        Fault::Throttle => {
            Some(sf_error_response(StatusCode::FORBIDDEN, "REQUEST_LIMIT_EXCEEDED", "TotalRequests Limit exceeded."))
        }
    }
}

fn status_response(route: Route, status: StatusCode) -> Response {
    match route {
        route if !route.is_salesforce() => aws_error(status, "InternalServiceException", "injected fault"),
        _ => {
            let code = match status.as_u16() {
                500 => "UNKNOWN_EXCEPTION",
                502..=504 => "SERVER_UNAVAILABLE",
                _ => "INVALID_OPERATION",
            };
            sf_error_response(status, code, "injected fault")
        }
    }
}
