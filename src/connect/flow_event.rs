//! The event a flow's "Invoke AWS Lambda function" block sends (`ContactFlowEvent`), on every leg.
//!
//! Modelled with tolerant types of our own: real payloads carry a null `CustomerEndpoint`, non-string
//! parameters and fields that come and go, none of which may fail an invocation.

use std::collections::BTreeMap;

use serde::Deserialize;
use serde_json::Value;

use super::answer::{CASE_ID_ATTRIBUTE, CONTACT_MATCHES_ATTRIBUTE};
use super::ids::{EventError, instance_id_of, is_uuid};
use super::words::Channel;
use crate::email::EmailAddress;
use crate::phone::{CallerNumber, Country};
use crate::salesforce::{CaseId, VoiceCallId, is_field_api_name};

/// Block parameters with this prefix set fields on a created case.
const CASE_FIELD_PARAMETER_PREFIX: &str = "Case.";
/// The block parameter naming the leg's VoiceCall in a Salesforce Voice flow.
const VOICE_CALL_PARAMETER: &str = "VoiceCallId";
/// The contact attribute Salesforce's sample Voice flows keep the leg's VoiceCall in.
const VOICE_CALL_ATTRIBUTE: &str = "voiceCallId";

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct RawEvent {
    details: RawDetails,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct RawDetails {
    contact_data: RawContactData,
    #[serde(default, deserialize_with = "object_or_empty")]
    parameters: BTreeMap<String, Value>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct RawContactData {
    #[serde(default, deserialize_with = "object_or_empty")]
    attributes: BTreeMap<String, Value>,
    #[serde(default)]
    channel: Option<Value>,
    #[serde(default)]
    contact_id: Option<Value>,
    #[serde(default)]
    customer_endpoint: Option<Value>,
    #[serde(default)]
    initial_contact_id: Option<Value>,
    #[serde(default, rename = "InstanceARN")]
    instance_arn: Option<Value>,
    #[serde(default)]
    system_endpoint: Option<Value>,
    #[serde(default)]
    segment_attributes: Option<Value>,
}

fn object_or_empty<'de, D: serde::Deserializer<'de>>(d: D) -> Result<BTreeMap<String, Value>, D::Error> {
    Ok(match Value::deserialize(d)? {
        Value::Object(map) => map.into_iter().collect(),
        _ => BTreeMap::new(),
    })
}

/// What this function needs from one flow invocation, validated.
#[derive(Debug, Clone)]
pub struct FlowEvent {
    pub contact_id: String,
    /// The first contact of the call; the same on every leg. Keys the upsert and the attribute update.
    pub initial_contact_id: String,
    pub instance_id: Option<String>,
    pub channel: Channel,
    pub caller: CallerNumber,
    /// The customer's address on an email contact.
    pub email: Option<EmailAddress>,
    /// The country of the number the customer reached (`SystemEndpoint.Address`), when it is one.
    pub system_country: Option<Country>,
    /// What the `SfdcCaseId` attribute holds: nothing, a well-formed Case id, or something else.
    pub case_attribute: CaseAttribute,
    /// `SfdcContactMatches` carried from an earlier leg, if the flow stored it.
    pub carried_contact_matches: Option<u32>,
    /// `Case.<Field>` block parameters with a valid field name and a scalar value.
    pub case_fields: BTreeMap<String, Value>,
    /// The leg's VoiceCall, in a Salesforce Voice flow: the `VoiceCallId` parameter, else the `voiceCallId`
    /// attribute.
    pub voice_call: VoiceCallRef,
}

/// What the flow says of the leg's VoiceCall.
#[derive(Debug, Clone, PartialEq)]
pub enum VoiceCallRef {
    /// Neither the parameter nor the attribute is there: a flow without Salesforce Voice.
    Absent,
    Valid(VoiceCallId),
    /// Something that is not a VoiceCall id: never used.
    Malformed,
}

impl VoiceCallRef {
    /// The VoiceCall id, when there is a valid one.
    pub fn id(&self) -> Option<&VoiceCallId> {
        match self {
            Self::Valid(id) => Some(id),
            Self::Absent | Self::Malformed => None,
        }
    }

    /// The parameter when it holds a VoiceCall id, else the attribute; malformed when either was given and
    /// neither holds one.
    fn read(parameter: Option<&Value>, attribute: Option<&Value>) -> Self {
        let id = |value: Option<&Value>| present(value).map(|v| v.as_str().and_then(VoiceCallId::parse));
        match (id(parameter), id(attribute)) {
            (Some(Some(id)), _) | (_, Some(Some(id))) => Self::Valid(id),
            (None, None) => Self::Absent,
            _ => Self::Malformed,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum CaseAttribute {
    Absent,
    Valid(CaseId),
    Malformed,
}

impl FlowEvent {
    pub fn from_value(value: Value) -> Result<Self, EventError> {
        let raw: RawEvent = serde_json::from_value(value).map_err(|e| EventError::Shape(shape_error(&e)))?;
        let data = raw.details.contact_data;

        let contact_id = match present(data.contact_id.as_ref()) {
            None => return Err(EventError::NoContactId),
            Some(id) => valid_contact_id(id).ok_or(EventError::NotAContactId)?,
        };
        let initial_contact_id = match present(data.initial_contact_id.as_ref()) {
            None => contact_id.clone(),
            Some(id) => valid_contact_id(id).ok_or(EventError::NotAContactId)?,
        };
        let instance_id = match present(data.instance_arn.as_ref()) {
            None => None,
            Some(arn) => Some(arn.as_str().and_then(instance_id_of).ok_or(EventError::NotAnInstanceArn)?),
        };
        let subtype = data
            .segment_attributes
            .as_ref()
            .and_then(|segment| segment.pointer("/connect:Subtype/ValueString"))
            .and_then(Value::as_str);
        let channel = Channel::from_wire(data.channel.as_ref().and_then(Value::as_str), subtype);

        let address =
            data.customer_endpoint.as_ref().and_then(|endpoint| endpoint.get("Address")).and_then(Value::as_str);
        let caller = match channel {
            Channel::Voice | Channel::Sms | Channel::WhatsApp | Channel::Other => CallerNumber::from_address(address),
            // A web chat's, task's or email's endpoint is not a phone number, whatever it looks like.
            Channel::Chat | Channel::Task | Channel::Email => CallerNumber::Withheld,
        };
        let email = match channel {
            Channel::Email => address.and_then(EmailAddress::parse),
            _ => None,
        };

        let system_country = data
            .system_endpoint
            .as_ref()
            .and_then(|endpoint| endpoint.get("Address"))
            .and_then(Value::as_str)
            .and_then(Country::of_number);

        let case_attribute = match present(data.attributes.get(CASE_ID_ATTRIBUTE)) {
            None => CaseAttribute::Absent,
            // Connect's attributes are strings: a number or an object here is not a case id of ours.
            Some(value) => {
                value.as_str().and_then(CaseId::parse).map_or(CaseAttribute::Malformed, CaseAttribute::Valid)
            }
        };
        let carried_contact_matches = data
            .attributes
            .get(CONTACT_MATCHES_ATTRIBUTE)
            .and_then(Value::as_str)
            .filter(|v| v.len() <= 6)
            .and_then(|v| v.parse().ok());

        let voice_call = VoiceCallRef::read(
            raw.details.parameters.get(VOICE_CALL_PARAMETER),
            data.attributes.get(VOICE_CALL_ATTRIBUTE),
        );
        let case_fields = raw
            .details
            .parameters
            .into_iter()
            .filter_map(|(name, value)| {
                let field = name.strip_prefix(CASE_FIELD_PARAMETER_PREFIX)?;
                let scalar = matches!(value, Value::String(_) | Value::Number(_) | Value::Bool(_));
                (scalar && is_field_api_name(field)).then(|| (field.to_owned(), value))
            })
            .collect();

        Ok(Self {
            contact_id,
            initial_contact_id,
            instance_id,
            channel,
            caller,
            email,
            system_country,
            case_attribute,
            carried_contact_matches,
            case_fields,
            voice_call,
        })
    }
}

impl FlowEvent {
    /// Who the customer is, in a form safe for logs: the masked number or email address.
    pub fn customer_masked(&self) -> String {
        match &self.email {
            Some(email) => email.masked(),
            None => self.caller.masked(),
        }
    }
}

/// Says which part of the event is missing or of the wrong type, never echoing a value from it.
fn shape_error(error: &serde_json::Error) -> String {
    let message = error.to_string();
    let message = message.split(" at line").next().unwrap_or_default();
    if message.starts_with("missing field") {
        return format!("a flow's ContactFlowEvent is {message}");
    }
    let expected = match message.rsplit_once(", expected ").map(|(_, expected)| expected) {
        Some("struct RawEvent") => "the event to be an object with Details",
        Some("struct RawDetails") => "Details to be an object with ContactData",
        Some("struct RawContactData") => "ContactData to be an object",
        _ => "an object with Details.ContactData",
    };
    format!("a flow's ContactFlowEvent needs {expected}")
}

/// A value that is there: not missing, not null, not an empty or blank string.
fn present(value: Option<&Value>) -> Option<&Value> {
    value.filter(|v| match v {
        Value::Null => false,
        Value::String(s) => !s.trim().is_empty(),
        _ => true,
    })
}

/// Connect contact ids are UUIDs; anything else never reaches a URL or a log.
fn valid_contact_id(value: &Value) -> Option<String> {
    value.as_str().map(str::trim).filter(|id| is_uuid(id)).map(str::to_owned)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn event(contact_data: Value, parameters: Value) -> Value {
        json!({"Name": "ContactFlowEvent", "Details": {"ContactData": contact_data, "Parameters": parameters}})
    }

    fn first_leg() -> Value {
        json!({
            "Attributes": {},
            "Channel": "VOICE",
            "ContactId": "5ca32fbd-8f92-46af-92a5-6b0f970f0efe",
            "CustomerEndpoint": {"Address": "+14155550100", "Type": "TELEPHONE_NUMBER"},
            "InitialContactId": "5ca32fbd-8f92-46af-92a5-6b0f970f0efe",
            "InitiationMethod": "INBOUND",
            "InstanceARN": "arn:aws:connect:us-east-1:123456789012:instance/9308c2a1-9bc6-4cea-8290-6c0b4a6d38fa"
        })
    }

    #[test]
    fn the_leg_s_voice_call_is_the_parameter_else_the_attribute_and_only_a_voice_call_id() {
        let read = |attribute: Value, parameter: Value| {
            let mut data = first_leg();
            data["Attributes"]["voiceCallId"] = attribute;
            let parameters = if parameter.is_null() { json!({}) } else { json!({"VoiceCallId": parameter}) };
            FlowEvent::from_value(event(data, parameters)).expect("valid").voice_call
        };
        let call = |id: &str| VoiceCallRef::Valid(VoiceCallId::parse(id).expect("id"));
        assert_eq!(read(Value::Null, Value::Null), VoiceCallRef::Absent);
        assert_eq!(read(json!(""), json!("  ")), VoiceCallRef::Absent, "empty is absent");
        assert_eq!(read(json!("0LQDn0000000001"), Value::Null), call("0LQDn0000000001"));
        assert_eq!(
            read(json!("0LQDn0000000001"), json!("0LQDn0000000002")),
            call("0LQDn0000000002"),
            "the parameter first"
        );
        assert_eq!(read(json!("0LQDn0000000001"), json!("not-an-id")), call("0LQDn0000000001"), "else the attribute");
        for bad in [json!("500Dn0000000001IAA"), json!("0LQ' OR Id != '"), json!(42), json!({"Id": "0LQDn0000000001"})]
        {
            assert_eq!(read(bad.clone(), Value::Null), VoiceCallRef::Malformed, "{bad}");
        }
    }

    #[test]
    fn reads_a_first_leg() {
        let event = FlowEvent::from_value(event(first_leg(), json!({"Case.Subject": "Billing"}))).expect("valid");
        assert_eq!(event.contact_id, "5ca32fbd-8f92-46af-92a5-6b0f970f0efe");
        assert_eq!(event.instance_id.as_deref(), Some("9308c2a1-9bc6-4cea-8290-6c0b4a6d38fa"));
        assert_eq!(event.case_attribute, CaseAttribute::Absent);
        assert!(matches!(event.caller, CallerNumber::Known(_)));
        assert_eq!(event.case_fields.get("Subject"), Some(&json!("Billing")));
        assert_eq!(event.system_country, None);
    }

    #[test]
    fn the_number_the_customer_reached_gives_the_home_country() {
        let mut data = first_leg();
        data["SystemEndpoint"] = json!({"Address": "+81312345678", "Type": "TELEPHONE_NUMBER"});
        let reached = FlowEvent::from_value(event(data, json!({}))).expect("valid");
        assert_eq!(reached.system_country, Country::from_code("JP"));
    }

    #[test]
    fn tolerates_nulls_and_non_string_values() {
        let mut data = first_leg();
        data["CustomerEndpoint"] = Value::Null;
        data["Attributes"] = json!({"SfdcCaseId": "", "Other": {"x": 1}});
        data["InstanceARN"] = Value::Null;
        let parameters = json!({
            "Case.Priority": 3, "Case.IsEscalated": true, "Case.Bad Name": "x",
            "Case.Nested": {"a": 1}, "Case.Null": null, "Unrelated": [1, 2]
        });
        let event = FlowEvent::from_value(event(data, parameters)).expect("tolerated");
        assert_eq!(event.caller, CallerNumber::Withheld);
        assert_eq!(event.case_attribute, CaseAttribute::Absent);
        assert_eq!(event.instance_id, None);
        assert_eq!(event.case_fields.keys().collect::<Vec<_>>(), ["IsEscalated", "Priority"]);
    }

    #[test]
    fn parameters_may_be_null() {
        assert!(FlowEvent::from_value(event(first_leg(), Value::Null)).is_ok());
    }

    #[test]
    fn malformed_case_attribute_is_flagged() {
        for attribute in [json!("500\"} OR Id != {'"), json!(5), json!({"x": 1}), json!(["500000000000001"])] {
            let mut data = first_leg();
            data["Attributes"] = json!({"SfdcCaseId": attribute});
            let event = FlowEvent::from_value(event(data, json!({}))).expect("valid");
            assert_eq!(event.case_attribute, CaseAttribute::Malformed, "{attribute}");
        }
    }

    #[test]
    fn an_eighteen_character_attribute_in_lower_case_is_the_same_case() {
        let mut data = first_leg();
        data["Attributes"] = json!({"SfdcCaseId": "500hq0000000008iaa"});
        let event = FlowEvent::from_value(event(data, json!({}))).expect("valid");
        assert_eq!(event.case_attribute, CaseAttribute::Valid(CaseId::parse("500Hq0000000008").expect("id")));
    }

    #[test]
    fn placeholder_ids_and_arns_are_named_for_what_they_are() {
        let mut data = first_leg();
        data["ContactId"] = json!("4a573372-1f28-4e26-b97b-XXXXXXXXXXX");
        let error = FlowEvent::from_value(event(data, json!({}))).expect_err("placeholder");
        assert_eq!(error, EventError::NotAContactId);
        assert!(error.to_string().contains("not an Amazon Connect contact id"), "{error}");
        for arn in
            [json!("arn:aws:connect:aws-region:1234567890:instance/c8c0e68d-2200-4265-82c0-XXXXXXXXXX"), json!(17)]
        {
            let mut data = first_leg();
            data["InstanceARN"] = arn.clone();
            assert_eq!(
                FlowEvent::from_value(event(data, json!({}))).err(),
                Some(EventError::NotAnInstanceArn),
                "{arn}"
            );
        }
    }

    #[test]
    fn chat_endpoint_is_never_searched() {
        let mut data = first_leg();
        data["Channel"] = json!("CHAT");
        let event = FlowEvent::from_value(event(data, json!({}))).expect("valid");
        assert_eq!(event.caller, CallerNumber::Withheld);
        assert_eq!(event.channel.case_origin(), "Chat");
    }

    #[test]
    fn sms_and_whatsapp_carry_the_customer_s_number() {
        for (subtype, channel, origin) in
            [("connect:SMS", Channel::Sms, "SMS"), ("connect:WhatsApp", Channel::WhatsApp, "WhatsApp")]
        {
            let mut data = first_leg();
            data["Channel"] = json!("CHAT");
            data["SegmentAttributes"] = json!({"connect:Subtype": {"ValueString": subtype}});
            let event = FlowEvent::from_value(event(data, json!({}))).expect("valid");
            assert_eq!(event.channel, channel);
            assert!(matches!(event.caller, CallerNumber::Known(_)), "{subtype}");
            assert_eq!(event.channel.case_origin(), origin);
        }
    }

    #[test]
    fn an_email_contact_carries_the_customer_s_address() {
        let mut data = first_leg();
        data["Channel"] = json!("EMAIL");
        data["CustomerEndpoint"] = json!({"Address": "Jane.Doe@example.com", "Type": "EMAIL_ADDRESS"});
        let parsed = FlowEvent::from_value(event(data.clone(), json!({}))).expect("valid");
        assert_eq!(parsed.caller, CallerNumber::Withheld);
        assert_eq!(parsed.email.as_ref().map(EmailAddress::as_str), Some("Jane.Doe@example.com"));
        data["CustomerEndpoint"] = json!({"Address": "not an address"});
        assert_eq!(FlowEvent::from_value(event(data, json!({}))).expect("valid").email, None);
    }

    #[test]
    fn malformed_events_say_what_is_missing() {
        for bad in
            [json!("hello"), json!([]), json!({}), json!({"Details": {}}), json!({"Details": {"ContactData": 3}})]
        {
            let err = FlowEvent::from_value(bad.clone()).expect_err("malformed");
            assert!(matches!(err, EventError::Shape(_)), "{bad}: {err:?}");
            assert!(!err.to_string().contains("hello"), "{err}");
        }
        let mut data = first_leg();
        data["ContactId"] = json!("../../etc");
        data["InitialContactId"] = Value::Null;
        assert_eq!(FlowEvent::from_value(event(data.clone(), json!({}))).err(), Some(EventError::NotAContactId));
        data["ContactId"] = json!("  ");
        assert_eq!(FlowEvent::from_value(event(data, json!({}))).err(), Some(EventError::NoContactId));
    }
}
