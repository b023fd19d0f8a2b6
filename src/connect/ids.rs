//! Amazon Connect's ids as events carry them, validated before any reaches a URL, a query or a log:
//! contact ids (UUIDs) and instance ARNs; and what is wrong with an event that carries bad ones.

#[derive(Debug, Clone, thiserror::Error, PartialEq)]
pub enum EventError {
    /// Not the shape of any event the function takes; says what part is missing, never a value from it.
    #[error("the event is not one the function takes: {0}")]
    Shape(String),
    #[error("the event has no ContactId")]
    NoContactId,
    /// Present, but not the UUID Connect gives (AWS's console test event has `…-XXXXXXXXXXX`).
    #[error("the event's ContactId is not an Amazon Connect contact id (a UUID); is this a placeholder test event?")]
    NotAContactId,
    /// Present, but not `arn:aws:connect:<region>:<account>:instance/<instance id>`.
    #[error("the event's InstanceARN is not an Amazon Connect instance ARN (arn:aws:connect:…:instance/<id>)")]
    NotAnInstanceArn,
}

/// `8-4-4-4-12` hexadecimal digits, in either letter case.
pub fn is_uuid(id: &str) -> bool {
    let groups: Vec<&str> = id.split('-').collect();
    groups.len() == 5
        && groups
            .iter()
            .zip([8, 4, 4, 4, 12])
            .all(|(g, len)| g.len() == len && g.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// `arn:aws:connect:us-east-1:123456789012:instance/<id>` → `<id>`.
pub fn instance_id_of(arn: &str) -> Option<String> {
    let rest = arn.trim().strip_prefix("arn:")?;
    let (_, rest) = rest.split_once(":connect:")?;
    let (_, id) = rest.split_once(":instance/")?;
    let id = id.split('/').next()?;
    is_uuid(id).then(|| id.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn contact_ids_are_uuids_and_instance_arns_name_one() {
        assert!(is_uuid("5ca32fbd-8f92-46af-92a5-6b0f970f0EFE"));
        for bad in ["5ca32fbd-8f92-46af-92a5-XXXXXXXXXXXX", "../x", "5ca32fbd8f9246af92a56b0f970f0efe", ""] {
            assert!(!is_uuid(bad), "{bad}");
        }
        let arn = "arn:aws:connect:us-east-1:123456789012:instance/9308c2a1-9bc6-4cea-8290-6c0b4a6d38fa";
        assert_eq!(instance_id_of(arn).as_deref(), Some("9308c2a1-9bc6-4cea-8290-6c0b4a6d38fa"));
        assert_eq!(instance_id_of(&format!("{arn}/agent/x")).as_deref(), Some("9308c2a1-9bc6-4cea-8290-6c0b4a6d38fa"));
        assert_eq!(instance_id_of("arn:aws:connect:us-east-1:123456789012:instance/XXXX"), None);
    }
}
