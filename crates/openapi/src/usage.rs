//! What an interaction relies on in a document — its operation, response status, media types,
//! parameters and body fields — and the fields a schema declares. [`crate::diff`] uses both to
//! tell a breaking change some consumer relies on from one nobody does; [`crate::coverage`] to
//! show what consumers use.
//!
//! Fields are named by path from the body's root: `name`, `address.city`, `items[].id`.

use std::collections::{BTreeMap, BTreeSet};

use pactum_core::contract::{Headers, Interaction, InteractionKind};
use serde_json::Value;

use crate::document::{Document, MediaSpec, ParameterIn};
use crate::load::{deref, resolve_pointer};
use crate::media::find_matching;
use crate::values::body_value;

/// What one interaction relies on.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Usage {
    /// The operation, e.g. `GET /items/{id}`.
    pub operation: String,
    /// The response it expects: `200`, `2XX` or `default` as the document writes it.
    pub status: Option<String>,
    /// The request media type it sends, as the document writes it.
    pub request_media: Option<String>,
    /// The response media type it gets, as the document writes it.
    pub response_media: Option<String>,
    /// Whether it sends a request body.
    pub sends_body: bool,
    /// The parameters it sends.
    pub parameters: BTreeSet<(ParameterIn, String)>,
    /// The request body fields it sends.
    pub request_fields: BTreeSet<String>,
    /// The response body fields it expects.
    pub response_fields: BTreeSet<String>,
    /// The response headers it expects (lower case).
    pub response_headers: BTreeSet<String>,
}

fn header_text(headers: &Headers, name: &str) -> Option<String> {
    headers.get(name).map(|v| v.join(","))
}

fn media_types(content: &[MediaSpec]) -> Vec<String> {
    content.iter().map(|m| m.media_type.clone()).collect()
}

/// What `interaction` relies on in `document`; `None` for messages and interactions that no
/// operation of the document serves.
pub fn usage(document: &Document, interaction: &Interaction) -> Option<Usage> {
    let InteractionKind::Http { request, response } = &interaction.kind else {
        return None;
    };
    let (index, path_values) = document.route(&request.method, &request.path)?;
    let operation = &document.operations()[index];
    let mut usage = Usage {
        operation: operation.label(),
        ..Usage::default()
    };
    for (name, _) in path_values {
        usage.parameters.insert((ParameterIn::Path, name));
    }
    for name in request.query.keys() {
        usage.parameters.insert((ParameterIn::Query, name.clone()));
    }
    for (name, _) in request.headers.iter() {
        let declared = operation
            .parameters
            .iter()
            .find(|p| p.location == ParameterIn::Header && p.name.eq_ignore_ascii_case(name));
        let name = declared
            .map(|p| p.name.clone())
            .unwrap_or_else(|| name.to_string());
        usage.parameters.insert((ParameterIn::Header, name));
    }
    if let Some(body) = body_value(&request.body) {
        usage.sends_body = true;
        let header = header_text(&request.headers, "content-type")
            .unwrap_or_else(|| "application/json".into());
        usage.request_media = find_matching(&header, &operation.consumes).map(String::from);
        body_fields(&body, "", &mut usage.request_fields);
    }
    if let Some((spec, _)) = operation.response_for(response.status) {
        usage.status = Some(spec.status.clone());
        let available = media_types(&spec.content);
        let accept =
            header_text(&request.headers, "accept").unwrap_or_else(|| "application/json".into());
        usage.response_media = find_matching(&accept, &available)
            .map(String::from)
            .or_else(|| available.first().cloned());
        if let Some(body) = body_value(&response.body) {
            body_fields(&body, "", &mut usage.response_fields);
        }
        for (name, _) in response.headers.iter() {
            usage.response_headers.insert(name.to_ascii_lowercase());
        }
    }
    Some(usage)
}

/// Joins a parent field path and a member name.
pub fn child_path(parent: &str, name: &str) -> String {
    if parent.is_empty() {
        name.to_string()
    } else {
        format!("{parent}.{name}")
    }
}

/// The parent of a field path (`a.b` → `a`, `a[]` → `a`, `a` → ``).
pub fn parent_path(field: &str) -> &str {
    if let Some(stripped) = field.strip_suffix("[]") {
        return stripped;
    }
    match field.rfind('.') {
        Some(i) => &field[..i],
        None => "",
    }
}

/// Every field path in a JSON body.
pub fn body_fields(value: &Value, at: &str, out: &mut BTreeSet<String>) {
    match value {
        Value::Object(members) => {
            for (name, member) in members {
                let path = child_path(at, name);
                out.insert(path.clone());
                body_fields(member, &path, out);
            }
        }
        Value::Array(items) => {
            let path = format!("{at}[]");
            for item in items {
                body_fields(item, &path, out);
            }
        }
        _ => {}
    }
}

/// What a schema says about one field.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct FieldInfo {
    /// Its JSON types (`string`, `integer`, `null`, …); empty when unconstrained.
    pub types: BTreeSet<String>,
    /// Whether its object requires it.
    pub required: bool,
    /// Its allowed values, when it has an `enum`.
    pub allowed: Option<Vec<Value>>,
    /// Where it is declared.
    pub location: String,
}

/// How deep nested fields are followed (recursive schemas end here).
const FIELD_DEPTH: usize = 12;

/// Every field a schema declares, by path; the root itself is the path ``.
pub fn schema_fields(root: &Value, schema: &Value, location: &str) -> BTreeMap<String, FieldInfo> {
    let mut out = BTreeMap::new();
    let mut info = FieldInfo {
        required: true,
        location: location.to_string(),
        ..FieldInfo::default()
    };
    collect_fields(
        root,
        schema,
        "",
        location,
        &mut info,
        &mut out,
        &mut Vec::new(),
        0,
    );
    out.insert(String::new(), info);
    out
}

#[allow(clippy::too_many_arguments)]
fn collect_fields(
    root: &Value,
    schema: &Value,
    at: &str,
    location: &str,
    info: &mut FieldInfo,
    out: &mut BTreeMap<String, FieldInfo>,
    refs: &mut Vec<String>,
    depth: usize,
) {
    if depth > FIELD_DEPTH {
        return;
    }
    let mut pushed = false;
    let (schema, location) = match schema.get("$ref").and_then(Value::as_str) {
        Some(reference) => {
            if refs.iter().any(|r| r == reference) || resolve_pointer(root, reference).is_none() {
                return;
            }
            refs.push(reference.to_string());
            pushed = true;
            deref(root, schema, location)
        }
        None => (schema, location.to_string()),
    };
    match schema.get("type") {
        Some(Value::String(t)) => {
            info.types.insert(t.clone());
        }
        Some(Value::Array(ts)) => info
            .types
            .extend(ts.iter().filter_map(|t| t.as_str().map(String::from))),
        _ => {
            if schema.get("properties").is_some() {
                info.types.insert("object".into());
            }
            if schema.get("items").is_some() {
                info.types.insert("array".into());
            }
        }
    }
    if schema.get("nullable") == Some(&Value::Bool(true)) {
        info.types.insert("null".into());
    }
    if let Some(values) = schema.get("enum").and_then(Value::as_array) {
        info.allowed = Some(values.clone());
    }
    let required: Vec<&str> = schema
        .get("required")
        .and_then(Value::as_array)
        .map(|r| r.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    if let Some(properties) = schema.get("properties").and_then(Value::as_object) {
        for (name, property) in properties {
            let path = child_path(at, name);
            let property_location = format!("{location}.properties.{name}");
            let mut child = out.remove(&path).unwrap_or_else(|| FieldInfo {
                location: property_location.clone(),
                ..FieldInfo::default()
            });
            child.required |= required.contains(&name.as_str());
            collect_fields(
                root,
                property,
                &path,
                &property_location,
                &mut child,
                out,
                refs,
                depth + 1,
            );
            out.insert(path, child);
        }
    }
    if let Some(items) = schema.get("items").filter(|i| i.is_object()) {
        let path = format!("{at}[]");
        let mut child = out.remove(&path).unwrap_or_else(|| FieldInfo {
            required: true,
            location: format!("{location}.items"),
            ..FieldInfo::default()
        });
        collect_fields(
            root,
            items,
            &path,
            &format!("{location}.items"),
            &mut child,
            out,
            refs,
            depth + 1,
        );
        out.insert(path, child);
    }
    if let Some(branches) = schema.get("allOf").and_then(Value::as_array) {
        for (i, branch) in branches.iter().enumerate() {
            collect_fields(
                root,
                branch,
                at,
                &format!("{location}.allOf[{i}]"),
                info,
                out,
                refs,
                depth + 1,
            );
        }
    }
    for key in ["oneOf", "anyOf"] {
        if let Some(branches) = schema.get(key).and_then(Value::as_array) {
            for (i, branch) in branches.iter().enumerate() {
                // A field of one alternative is not required of the whole.
                let mut branch_fields = BTreeMap::new();
                collect_fields(
                    root,
                    branch,
                    at,
                    &format!("{location}.{key}[{i}]"),
                    info,
                    &mut branch_fields,
                    refs,
                    depth + 1,
                );
                for (path, mut field) in branch_fields {
                    field.required = false;
                    match out.get_mut(&path) {
                        Some(existing) => existing.types.extend(field.types),
                        None => {
                            out.insert(path, field);
                        }
                    }
                }
            }
        }
    }
    if pushed {
        refs.pop();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn fields_of_bodies_and_schemas() {
        let mut fields = BTreeSet::new();
        body_fields(
            &json!({"a": 1, "items": [{"id": 1}, {"name": "x"}]}),
            "",
            &mut fields,
        );
        let fields: Vec<&str> = fields.iter().map(String::as_str).collect();
        assert_eq!(fields, vec!["a", "items", "items[].id", "items[].name"]);

        let root = json!({"components": {"schemas": {"Node": {"type": "object", "required": ["id"],
            "properties": {"id": {"type": "integer"}, "next": {"$ref": "#/components/schemas/Node"}}}}}});
        let declared = schema_fields(
            &root,
            &json!({"$ref": "#/components/schemas/Node"}),
            "[root].x",
        );
        let names: Vec<&str> = declared.keys().map(String::as_str).collect();
        assert_eq!(names, vec!["", "id", "next"]);
        assert!(declared["id"].required);
        assert!(!declared["next"].required);
        assert_eq!(
            declared["id"].location,
            "[root].components.schemas.Node.properties.id"
        );
    }
}
