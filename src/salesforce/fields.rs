//! Salesforce field API names: checked before any name from configuration or a flow reaches a request.

/// A Salesforce field API name: `Subject`, `Reason`, `Connect_Contact_Id__c`, `ns__Field__c`.
pub fn is_field_api_name(name: &str) -> bool {
    let mut bytes = name.bytes();
    name.len() <= 80
        && bytes.next().is_some_and(|b| b.is_ascii_alphabetic())
        && bytes.all(|b| b.is_ascii_alphanumeric() || b == b'_')
        && !name.ends_with('_')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn field_api_names() {
        for good in ["Subject", "Reason", "Connect_Contact_Id__c", "ns__Field__c"] {
            assert!(is_field_api_name(good), "{good}");
        }
        for bad in ["", "1Field", "Sub ject", "Field__c/x", "Field_", "Sub.ject", "Id'--"] {
            assert!(!is_field_api_name(bad), "{bad}");
        }
    }
}
