//! The HTTP side: every request is parsed once, counted, given its fault if one is due, then applied to
//! the state.

use axum::Router;
use axum::body::Bytes;
use axum::extract::State as AxumState;
use axum::http::{HeaderMap, Method, Uri};
use axum::response::Response;
use tokio::net::TcpListener;
use tokio::task::JoinHandle;

use crate::faults;
use crate::request::{Request, Route};
use crate::state::{Shared, lock};

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
        && let Some(response) = faults::play(fault, route, &state).await
    {
        return response;
    }
    request.apply(&mut lock(&state))
}
