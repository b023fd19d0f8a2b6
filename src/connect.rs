//! Amazon Connect's `UpdateContactAttributes`: stores the case on the contact so later legs carry it.

use std::sync::atomic::{AtomicU64, Ordering};

use aws_sdk_connect::error::{ProvideErrorMetadata, SdkError};

#[derive(Debug, thiserror::Error, PartialEq)]
#[error("UpdateContactAttributes failed: {0}")]
pub struct ConnectError(String);

pub struct ContactAttributes {
    client: aws_sdk_connect::Client,
    requests: AtomicU64,
}

impl ContactAttributes {
    pub fn new(client: aws_sdk_connect::Client) -> Self {
        Self { client, requests: AtomicU64::new(0) }
    }

    /// `UpdateContactAttributes` calls made so far (each may be retried once by the SDK on throttling).
    pub fn requests_sent(&self) -> u64 {
        self.requests.load(Ordering::Relaxed)
    }

    /// Sets `attributes` on the call's first contact; Connect copies them to every later leg.
    pub async fn update(
        &self,
        instance_id: &str,
        initial_contact_id: &str,
        attributes: &[(&str, &str)],
    ) -> Result<(), ConnectError> {
        let mut request =
            self.client.update_contact_attributes().instance_id(instance_id).initial_contact_id(initial_contact_id);
        for (name, value) in attributes {
            request = request.attributes(*name, *value);
        }
        self.requests.fetch_add(1, Ordering::Relaxed);
        // Boxed: the SDK's future is deep enough to overflow rustc's layout recursion limit once nested.
        Box::pin(request.send()).await.map(|_| ()).map_err(|error| {
            ConnectError(match &error {
                SdkError::DispatchFailure(_) => "could not connect".to_owned(),
                SdkError::TimeoutError(_) => "timed out".to_owned(),
                _ => error.code().unwrap_or("no error code").to_owned(),
            })
        })
    }
}
