//! The Connect instance and the call the tests, the demo and the benchmark play: a leaf the rest of the
//! test kit reads.

pub const INSTANCE_ARN: &str = "arn:aws:connect:us-east-1:123456789012:instance/9308c2a1-9bc6-4cea-8290-6c0b4a6d38fa";
pub const INSTANCE_ID: &str = "9308c2a1-9bc6-4cea-8290-6c0b4a6d38fa";
pub const FIRST_CONTACT: &str = "5ca32fbd-8f92-46af-92a5-6b0f970f0efe";
pub const SECOND_CONTACT: &str = "7f9e2c1a-3b4d-4e5f-8a6b-9c0d1e2f3a4b";
/// Long enough never to fire unless the handler ignores its budget; not a timing assertion.
pub const HANG_GUARD: std::time::Duration = std::time::Duration::from_secs(30);
