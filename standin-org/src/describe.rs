//! What the org says about itself: `GET /services/data/` (the API versions it serves), `GET limits`, and
//! `GET sobjects/{object}/describe` for the objects of the schema, in Salesforce's documented shape (as much of it as
//! a client reads), reporting the state's [`Setup`](crate::setup::Setup).

use axum::http::StatusCode;
use serde_json::{Value, json};

use crate::known::EXTERNAL_ID_FIELD;
use crate::schema::{self, Write};
use crate::setup::VoiceCallAccess;
use crate::state::{ServedDescribe, State};
use crate::wire::sf_error;

/// `GET /services/data/`.
pub(crate) fn versions(state: &State) -> (StatusCode, Value) {
    let list: Vec<Value> = (31..=state.setup.newest_version)
        .map(|v| json!({"label": format!("v{v}.0"), "url": format!("/services/data/v{v}.0"), "version": format!("{v}.0")}))
        .collect();
    (StatusCode::OK, Value::Array(list))
}

/// `GET limits`: the daily API allocation, in the shape Apache Camel's recorded answer has (every
/// allocation an object of `Max` and `Remaining`), with two of the others an org lists.
pub(crate) fn limits(state: &State) -> (StatusCode, Value) {
    let usage = state.api_usage;
    (
        StatusCode::OK,
        json!({
            "ConcurrentAsyncGetReportInstances": {"Max": 200, "Remaining": 200},
            "DailyApiRequests": {"Max": usage.allowed, "Remaining": usage.allowed.saturating_sub(usage.used)},
            "DataStorageMB": {"Max": 5, "Remaining": 5},
        }),
    )
}

/// A field as a real describe gives it: its name, type and flags among the fifty-odd attributes every
/// field carries (which a client skips).
fn field(name: &str, kind: &str, external_id: bool, unique: bool) -> Value {
    let custom = name.ends_with("__c");
    let mut field = json!({
        "aggregatable": true, "aiPredictionField": false, "autoNumber": false, "byteLength": 765,
        "calculated": false, "calculatedFormula": null, "cascadeDelete": false, "caseSensitive": false,
        "compoundFieldName": null, "controllerName": null, "createable": true,
        "defaultValue": null, "defaultValueFormula": null, "defaultedOnCreate": false,
        "dependentPicklist": false, "deprecatedAndHidden": false, "digits": 0,
        "displayLocationInDecimal": false, "encrypted": false,
        "extraTypeInfo": null, "filterable": true, "filteredLookupInfo": null,
        "formulaTreatNullNumberAsZero": false, "groupable": true, "highScaleNumber": false,
        "htmlFormatted": false, "inlineHelpText": null,
    });
    let rest = json!({
        "length": 255, "mask": null, "maskType": null, "nameField": false,
        "namePointing": false, "nillable": true, "picklistValues": [],
        "polymorphicForeignKey": false, "precision": 0, "queryByDistance": false,
        "referenceTargetField": null, "referenceTo": [], "relationshipName": null, "relationshipOrder": null,
        "restrictedDelete": false, "restrictedPicklist": false, "scale": 0, "searchPrefilterable": false,
        "sortable": true, "updateable": true, "writeRequiresMasterRead": false,
    });
    let own = json!({
        "custom": custom, "externalId": external_id, "idLookup": unique, "unique": unique, "name": name,
        "label": name.replace("__c", "").replace('_', " "), "permissionable": custom, "type": kind,
        "soapType": if kind == "boolean" { "xsd:boolean" } else { "xsd:string" },
    });
    for part in [rest, own] {
        if let (Some(field), Value::Object(part)) = (field.as_object_mut(), part) {
            field.extend(part);
        }
    }
    field
}

/// A field of the schema as the describe gives it: createable and updateable as the schema lets a client
/// write it.
fn described(field: &schema::Field, unique: bool) -> Value {
    let mut described = self::field(field.name, field.kind, false, unique);
    described["createable"] = (field.write != Write::Never).into();
    described["updateable"] = (field.write == Write::Always).into();
    described["length"] = field.max_length.into();
    described
}

/// Every field of `object` but those `hidden` hides from the run-as user.
fn fields_of(object: &schema::Object, hidden: impl Fn(&str) -> bool) -> Vec<Value> {
    object.fields.iter().filter(|f| !hidden(f.name)).map(|f| described(f, f.name == "Username")).collect()
}

/// Contact or Account as this org has them, with the padding that makes a describe a real org's size.
fn person_or_business(state: &State, object: &str) -> Option<Value> {
    let mut fields: Vec<Value> =
        schema::fields(state, object)?.iter().map(|(name, kind)| field(name, kind, false, false)).collect();
    fields.extend(
        (0..state.setup.describe_padding).map(|n| field(&format!("Padding_{n:03}__c"), "string", false, false)),
    );
    Some(json!({"name": object, "createable": true, "queryable": true, "retrieveable": true, "searchable": true,
                "childRelationships": [], "recordTypeInfos": [], "fields": fields}))
}

/// Contact's or Account's describe as the JSON text served: made once for each shape of the object (its
/// fields and padding), then served as it is. `None` for another object, or one the org does not show.
pub(crate) fn served(state: &mut State, object: &str) -> Option<String> {
    if !matches!(object, "Contact" | "Account") {
        return None;
    }
    let (fields, padding) = (schema::fields(state, object)?, state.setup.describe_padding);
    match state.describes.get(object) {
        Some(served) if served.fields == fields && served.padding == padding => Some(served.body.clone()),
        _ => {
            let body = person_or_business(state, object)?.to_string();
            state.describes.insert(object.to_owned(), ServedDescribe { fields, padding, body: body.clone() });
            Some(body)
        }
    }
}

/// `GET sobjects/{object}/describe`.
pub(crate) fn describe(state: &State, object: &str) -> (StatusCode, Value) {
    let setup = &state.setup;
    match object {
        "Case" => {
            let mut fields = vec![
                field("Id", "id", false, false),
                field("CaseNumber", "string", false, false),
                field("Subject", "string", false, false),
                field("OwnerId", "reference", false, false),
            ];
            if let Some((external_id, unique)) = setup.external_id_field {
                fields.push(field(EXTERNAL_ID_FIELD, "string", external_id, unique));
            }
            (
                StatusCode::OK,
                json!({"name": "Case", "createable": setup.case_createable, "queryable": setup.case_readable,
                       "retrieveable": setup.case_readable, "fields": fields}),
            )
        }
        "Contact" | "Account" => match person_or_business(state, object) {
            Some(description) => (StatusCode::OK, description),
            None => sf_error(StatusCode::NOT_FOUND, "NOT_FOUND", "The requested resource does not exist"),
        },
        "User" if setup.user_describable => (
            StatusCode::OK,
            json!({"name": "User", "createable": false, "queryable": true, "retrieveable": true,
                   "fields": fields_of(&schema::USER, |_| false)}),
        ),
        "User" => sf_error(StatusCode::FORBIDDEN, "INSUFFICIENT_ACCESS", "insufficient access rights on object id"),
        "Task" => {
            let fields = fields_of(&schema::TASK, |name| name == "CallObject" && !setup.tasks_writable);
            (
                StatusCode::OK,
                json!({"name": "Task", "createable": setup.tasks_writable, "queryable": true, "retrieveable": true,
                       "updateable": setup.tasks_writable, "fields": fields}),
            )
        }
        "VoiceCall" if state.voice_calls_visible() => {
            let editable = setup.voice_call_access == VoiceCallAccess::Edit;
            let mut fields = fields_of(&schema::VOICE_CALL, |_| false);
            for field in &mut fields {
                if field["name"] == "RelatedRecordId" {
                    field["updateable"] = editable.into();
                }
            }
            (
                StatusCode::OK,
                json!({"name": "VoiceCall", "createable": false, "queryable": true, "retrieveable": true,
                       "updateable": editable, "fields": fields}),
            )
        }
        other => {
            sf_error(StatusCode::NOT_FOUND, "NOT_FOUND", &format!("The requested resource does not exist: {other}"))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::setup::REAL_ORG_PADDING;

    #[test]
    fn a_served_describe_is_made_again_when_the_object_changes() {
        let mut state = State::default();
        let first = served(&mut state, "Account").expect("Account");
        assert_eq!(serde_json::from_str::<Value>(&first).ok(), Some(describe(&state, "Account").1));
        state.setup.person_accounts = true;
        let person = served(&mut state, "Account").expect("Account");
        assert!(person.contains("PersonContactId") && !first.contains("PersonContactId"));
        state.setup.account_readable = false;
        assert_eq!(served(&mut state, "Account"), None, "not shown: answered by the describe's own refusal");
        assert_eq!(served(&mut state, "Case"), None);
    }

    #[test]
    fn padded_describes_are_as_large_as_a_real_org_s() {
        let mut state = State::default();
        state.setup.describe_padding = REAL_ORG_PADDING;
        for object in ["Contact", "Account"] {
            let (status, body) = describe(&state, object);
            let size = body.to_string().len();
            assert_eq!(status, StatusCode::OK);
            eprintln!("{object} describe: {size} bytes");
            assert!((250_000..400_000).contains(&size), "{object}: {size} bytes");
        }
    }
}
