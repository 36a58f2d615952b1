//! The differences between two versions of a document, each classified as breaking or not for
//! the consumers of the old one (Specmatic's backward-compatibility rules): a request must not
//! gain a required field or parameter, nor lose one a consumer sends, nor narrow a type or an
//! enum; a response must not lose a field, make one optional, change a type or widen an enum;
//! no operation, status or media type may disappear; security may not be added.
//!
//! Each change also says what a consumer must do for it to matter ([`Change::relied_on_by`]):
//! with the consumers' contracts, a breaking change is *used* (some interaction relies on it)
//! or *unused* (safe to ship).

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::document::{Document, MediaSpec, Operation, ParameterIn};
use crate::usage::{FieldInfo, Usage, parent_path, schema_fields};

macro_rules! kinds {
    ($($variant:ident = $text:literal, $breaking:literal, $doc:literal;)*) => {
        /// What changed.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        pub enum ChangeKind {
            $(
                #[doc = $doc]
                #[serde(rename = $text)]
                $variant,
            )*
        }

        impl ChangeKind {
            /// Its name, e.g. `response.field.removed`.
            pub fn as_str(self) -> &'static str {
                match self {
                    $(ChangeKind::$variant => $text,)*
                }
            }

            /// Whether it can break a consumer of the old document.
            pub fn breaking(self) -> bool {
                match self {
                    $(ChangeKind::$variant => $breaking,)*
                }
            }
        }
    };
}

kinds! {
    OperationRemoved = "operation.removed", true, "An operation is gone.";
    OperationAdded = "operation.added", false, "A new operation.";
    SecurityAdded = "operation.security.added", true, "An operation that needed no credentials now does.";
    StatusRemoved = "response.status.removed", true, "A response status is gone.";
    StatusAdded = "response.status.added", false, "A new response status.";
    RequestMediaTypeRemoved = "request.media-type.removed", true, "A request media type is no longer accepted.";
    ResponseMediaTypeRemoved = "response.media-type.removed", true, "A response media type is no longer produced.";
    RequestBodyRequired = "request.body.required", true, "The request body became required.";
    ParameterAddedRequired = "request.parameter.added-required", true, "A new required parameter.";
    ParameterAddedOptional = "request.parameter.added-optional", false, "A new optional parameter.";
    ParameterRemoved = "request.parameter.removed", true, "A parameter is gone (a consumer may send it).";
    ParameterBecameRequired = "request.parameter.required", true, "An optional parameter became required.";
    ParameterTypeNarrowed = "request.parameter.type-narrowed", true, "A parameter accepts fewer types or values.";
    RequestFieldAddedRequired = "request.field.added-required", true, "The request body gains a required field.";
    RequestFieldAddedOptional = "request.field.added-optional", false, "The request body gains an optional field.";
    RequestFieldRemoved = "request.field.removed", true, "A request body field is gone (a consumer may send it).";
    RequestFieldBecameRequired = "request.field.required", true, "An optional request field became required.";
    RequestFieldNarrowed = "request.field.type-narrowed", true, "A request field accepts fewer types or values.";
    RequestFieldWidened = "request.field.type-widened", false, "A request field accepts more types or values.";
    ResponseFieldAdded = "response.field.added", false, "The response gains a field.";
    ResponseFieldRemoved = "response.field.removed", true, "A response field is gone.";
    ResponseFieldBecameOptional = "response.field.optional", true, "A required response field became optional.";
    ResponseFieldChanged = "response.field.type-changed", true, "A response field may now hold types or values it could not before.";
    ResponseFieldNarrowed = "response.field.type-narrowed", false, "A response field holds fewer types or values.";
}

/// What a consumer's interaction must do for a change to affect it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", tag = "kind")]
pub enum Reliance {
    /// Call the operation at all.
    CallsOperation,
    /// Expect this response status.
    ExpectsStatus {
        /// As the document writes it.
        status: String,
    },
    /// Expect this response media type for the status.
    ExpectsMedia {
        /// The status.
        status: String,
        /// The media type.
        media: String,
    },
    /// Send this request media type.
    SendsMedia {
        /// The media type.
        media: String,
    },
    /// Send no request body.
    SendsNoBody,
    /// Send the parameter.
    SendsParameter {
        /// Where it goes.
        location: ParameterIn,
        /// Its name.
        name: String,
    },
    /// Not send the parameter.
    OmitsParameter {
        /// Where it goes.
        location: ParameterIn,
        /// Its name.
        name: String,
    },
    /// Send the request body field.
    SendsField {
        /// Its path.
        field: String,
    },
    /// Send a body without the field (but with its parent object).
    OmitsField {
        /// Its path.
        field: String,
    },
    /// Expect the response field under the status.
    ExpectsField {
        /// The status.
        status: String,
        /// Its path.
        field: String,
    },
}

/// One difference between two documents.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Change {
    /// What changed.
    pub kind: ChangeKind,
    /// Whether it can break a consumer (from the kind).
    pub breaking: bool,
    /// The operation, e.g. `GET /items/{id}` (as the old document writes it when it has it).
    pub operation: String,
    /// Where in the new document (or the old one, for what was removed).
    pub location: String,
    /// What changed, for people.
    pub detail: String,
    /// What an interaction must do for the change to affect it.
    pub reliance: Reliance,
}

impl Change {
    /// Whether an interaction with this usage (computed against the old document) relies on
    /// what changed.
    pub fn relied_on_by(&self, usage: &Usage) -> bool {
        if usage.operation != self.operation {
            return false;
        }
        match &self.reliance {
            Reliance::CallsOperation => true,
            Reliance::ExpectsStatus { status } => usage.status.as_deref() == Some(status),
            Reliance::ExpectsMedia { status, media } => {
                usage.status.as_deref() == Some(status)
                    && usage.response_media.as_deref() == Some(media)
            }
            Reliance::SendsMedia { media } => usage.request_media.as_deref() == Some(media),
            Reliance::SendsNoBody => !usage.sends_body,
            Reliance::SendsParameter { location, name } => {
                usage.parameters.contains(&(*location, name.clone()))
            }
            Reliance::OmitsParameter { location, name } => {
                !usage.parameters.contains(&(*location, name.clone()))
            }
            Reliance::SendsField { field } => usage.request_fields.contains(field),
            Reliance::OmitsField { field } => {
                let parent = parent_path(field);
                usage.sends_body
                    && !usage.request_fields.contains(field)
                    && (parent.is_empty() || usage.request_fields.contains(parent))
            }
            Reliance::ExpectsField { status, field } => {
                usage.status.as_deref() == Some(status) && usage.response_fields.contains(field)
            }
        }
    }
}

/// Operations are the same across versions when method and path template agree, whatever
/// the parameters are called.
fn operation_key(operation: &Operation) -> (String, String) {
    let mut shape = String::new();
    let mut in_param = false;
    for c in operation.path.chars() {
        match c {
            '{' => {
                in_param = true;
                shape.push_str("{}");
            }
            '}' => in_param = false,
            _ if in_param => {}
            _ => shape.push(c),
        }
    }
    (operation.method.clone(), shape)
}

/// Every difference from `old` to `new`, breaking or not.
pub fn diff(old: &Document, new: &Document) -> Vec<Change> {
    let mut changes = Vec::new();
    let new_ops: BTreeMap<(String, String), &Operation> = new
        .operations()
        .iter()
        .map(|o| (operation_key(o), o))
        .collect();
    let old_keys: BTreeSet<(String, String)> = old.operations().iter().map(operation_key).collect();
    for old_op in old.operations() {
        let Some(new_op) = new_ops.get(&operation_key(old_op)) else {
            changes.push(Change {
                kind: ChangeKind::OperationRemoved,
                breaking: true,
                operation: old_op.label(),
                location: old_op.location.clone(),
                detail: format!("{} is no longer in the document", old_op.label()),
                reliance: Reliance::CallsOperation,
            });
            continue;
        };
        OperationDiff {
            old,
            new,
            old_op,
            new_op,
            changes: &mut changes,
        }
        .run();
    }
    for new_op in new.operations() {
        if !old_keys.contains(&operation_key(new_op)) {
            changes.push(Change {
                kind: ChangeKind::OperationAdded,
                breaking: false,
                operation: new_op.label(),
                location: new_op.location.clone(),
                detail: format!("{} is new", new_op.label()),
                reliance: Reliance::CallsOperation,
            });
        }
    }
    changes
}

struct OperationDiff<'a> {
    old: &'a Document,
    new: &'a Document,
    old_op: &'a Operation,
    new_op: &'a Operation,
    changes: &'a mut Vec<Change>,
}

impl OperationDiff<'_> {
    fn push(&mut self, kind: ChangeKind, location: String, detail: String, reliance: Reliance) {
        self.changes.push(Change {
            kind,
            breaking: kind.breaking(),
            operation: self.old_op.label(),
            location,
            detail,
            reliance,
        });
    }

    fn run(&mut self) {
        let (old_op, new_op) = (self.old_op, self.new_op);
        if old_op.security.iter().all(Vec::is_empty) && !new_op.security.iter().all(Vec::is_empty) {
            self.push(
                ChangeKind::SecurityAdded,
                new_op.location.clone(),
                format!("{} now requires credentials", new_op.label()),
                Reliance::CallsOperation,
            );
        }
        self.parameters();
        self.request_body();
        self.responses();
    }

    fn parameters(&mut self) {
        let (old_op, new_op) = (self.old_op, self.new_op);
        for new_p in &new_op.parameters {
            let old_p = old_op
                .parameters
                .iter()
                .find(|p| p.location == new_p.location && p.name.eq_ignore_ascii_case(&new_p.name));
            let what = format!("{} parameter {}", new_p.location.as_str(), new_p.name);
            match old_p {
                None if new_p.location == ParameterIn::Path => {}
                None => {
                    let (kind, reliance) = if new_p.required {
                        (
                            ChangeKind::ParameterAddedRequired,
                            Reliance::OmitsParameter {
                                location: new_p.location,
                                name: new_p.name.clone(),
                            },
                        )
                    } else {
                        (ChangeKind::ParameterAddedOptional, Reliance::CallsOperation)
                    };
                    self.push(
                        kind,
                        new_p.declared_at.clone(),
                        format!(
                            "new {}{what}",
                            if new_p.required { "required " } else { "" }
                        ),
                        reliance,
                    );
                }
                Some(old_p) => {
                    if new_p.required && !old_p.required {
                        self.push(
                            ChangeKind::ParameterBecameRequired,
                            new_p.declared_at.clone(),
                            format!("{what} became required"),
                            Reliance::OmitsParameter {
                                location: old_p.location,
                                name: old_p.name.clone(),
                            },
                        );
                    }
                    if let (Some(old_s), Some(new_s)) = (&old_p.schema, &new_p.schema) {
                        let old_f = schema_fields(self.old.root(), &old_s.raw, &old_s.location);
                        let new_f = schema_fields(self.new.root(), &new_s.raw, &new_s.location);
                        if let (Some(o), Some(n)) = (old_f.get(""), new_f.get(""))
                            && narrows(o, n)
                        {
                            self.push(
                                ChangeKind::ParameterTypeNarrowed,
                                new_s.location.clone(),
                                format!(
                                    "{what} accepts less: {} → {}",
                                    describe_field(o),
                                    describe_field(n)
                                ),
                                Reliance::SendsParameter {
                                    location: old_p.location,
                                    name: old_p.name.clone(),
                                },
                            );
                        }
                    }
                }
            }
        }
        for old_p in &old_op.parameters {
            let still = new_op
                .parameters
                .iter()
                .any(|p| p.location == old_p.location && p.name.eq_ignore_ascii_case(&old_p.name));
            if !still && old_p.location != ParameterIn::Path {
                self.push(
                    ChangeKind::ParameterRemoved,
                    old_p.declared_at.clone(),
                    format!(
                        "{} parameter {} is no longer declared",
                        old_p.location.as_str(),
                        old_p.name
                    ),
                    Reliance::SendsParameter {
                        location: old_p.location,
                        name: old_p.name.clone(),
                    },
                );
            }
        }
    }

    fn request_body(&mut self) {
        let (old_op, new_op) = (self.old_op, self.new_op);
        let new_required = new_op.request_body.as_ref().is_some_and(|b| b.required);
        let old_required = old_op.request_body.as_ref().is_some_and(|b| b.required);
        if new_required && !old_required {
            self.push(
                ChangeKind::RequestBodyRequired,
                new_op
                    .request_body
                    .as_ref()
                    .map(|b| b.declared_at.clone())
                    .unwrap_or_default(),
                "the request body became required".into(),
                Reliance::SendsNoBody,
            );
        }
        let empty = Vec::new();
        let old_content = old_op
            .request_body
            .as_ref()
            .map(|b| &b.content)
            .unwrap_or(&empty);
        let new_content = new_op
            .request_body
            .as_ref()
            .map(|b| &b.content)
            .unwrap_or(&empty);
        for old_media in old_content {
            let Some(new_media) = same_media(new_content, &old_media.media_type) else {
                self.push(
                    ChangeKind::RequestMediaTypeRemoved,
                    old_op.location.clone(),
                    format!(
                        "request bodies of type {} are no longer accepted",
                        old_media.media_type
                    ),
                    Reliance::SendsMedia {
                        media: old_media.media_type.clone(),
                    },
                );
                continue;
            };
            let (Some(old_s), Some(new_s)) = (&old_media.schema, &new_media.schema) else {
                continue;
            };
            let old_f = schema_fields(self.old.root(), &old_s.raw, &old_s.location);
            let new_f = schema_fields(self.new.root(), &new_s.raw, &new_s.location);
            for (path, n) in &new_f {
                match old_f.get(path) {
                    None => {
                        if n.required && parent_exists(&old_f, path) {
                            self.push(
                                ChangeKind::RequestFieldAddedRequired,
                                n.location.clone(),
                                format!("the request gains required field {path}"),
                                Reliance::OmitsField {
                                    field: path.clone(),
                                },
                            );
                        } else {
                            self.push(
                                ChangeKind::RequestFieldAddedOptional,
                                n.location.clone(),
                                format!("the request gains optional field {path}"),
                                Reliance::CallsOperation,
                            );
                        }
                    }
                    Some(o) => {
                        if n.required && !o.required && !path.is_empty() {
                            self.push(
                                ChangeKind::RequestFieldBecameRequired,
                                n.location.clone(),
                                format!("request field {path} became required"),
                                Reliance::OmitsField {
                                    field: path.clone(),
                                },
                            );
                        }
                        if narrows(o, n) {
                            self.push(
                                ChangeKind::RequestFieldNarrowed,
                                n.location.clone(),
                                format!(
                                    "request field {} accepts less: {} → {}",
                                    display_path(path),
                                    describe_field(o),
                                    describe_field(n)
                                ),
                                field_reliance_sent(path),
                            );
                        } else if narrows(n, o) {
                            self.push(
                                ChangeKind::RequestFieldWidened,
                                n.location.clone(),
                                format!(
                                    "request field {} accepts more: {} → {}",
                                    display_path(path),
                                    describe_field(o),
                                    describe_field(n)
                                ),
                                field_reliance_sent(path),
                            );
                        }
                    }
                }
            }
            for (path, o) in &old_f {
                if !new_f.contains_key(path) && parent_exists(&new_f, path) {
                    self.push(
                        ChangeKind::RequestFieldRemoved,
                        o.location.clone(),
                        format!("request field {path} is no longer in the schema"),
                        Reliance::SendsField {
                            field: path.clone(),
                        },
                    );
                }
            }
        }
    }

    fn responses(&mut self) {
        let (old_op, new_op) = (self.old_op, self.new_op);
        for old_r in &old_op.responses {
            let Some(new_r) = new_op
                .responses
                .iter()
                .find(|r| r.status.eq_ignore_ascii_case(&old_r.status))
            else {
                self.push(
                    ChangeKind::StatusRemoved,
                    old_r.declared_at.clone(),
                    format!("response {} is gone", old_r.status),
                    Reliance::ExpectsStatus {
                        status: old_r.status.clone(),
                    },
                );
                continue;
            };
            for old_media in &old_r.content {
                let Some(new_media) = same_media(&new_r.content, &old_media.media_type) else {
                    self.push(
                        ChangeKind::ResponseMediaTypeRemoved,
                        new_r.declared_at.clone(),
                        format!(
                            "response {} no longer produces {}",
                            old_r.status, old_media.media_type
                        ),
                        Reliance::ExpectsMedia {
                            status: old_r.status.clone(),
                            media: old_media.media_type.clone(),
                        },
                    );
                    continue;
                };
                let (Some(old_s), Some(new_s)) = (&old_media.schema, &new_media.schema) else {
                    continue;
                };
                let old_f = schema_fields(self.old.root(), &old_s.raw, &old_s.location);
                let new_f = schema_fields(self.new.root(), &new_s.raw, &new_s.location);
                let status = old_r.status.clone();
                for (path, o) in &old_f {
                    let expects = Reliance::ExpectsField {
                        status: status.clone(),
                        field: path.clone(),
                    };
                    let expects = if path.is_empty() {
                        Reliance::ExpectsStatus {
                            status: status.clone(),
                        }
                    } else {
                        expects
                    };
                    match new_f.get(path) {
                        None => {
                            if parent_exists(&new_f, path) {
                                self.push(
                                    ChangeKind::ResponseFieldRemoved,
                                    o.location.clone(),
                                    format!("response {status} field {path} is gone"),
                                    expects,
                                );
                            }
                        }
                        Some(n) => {
                            if o.required && !n.required && !path.is_empty() {
                                self.push(
                                    ChangeKind::ResponseFieldBecameOptional,
                                    n.location.clone(),
                                    format!("response {status} field {path} became optional"),
                                    expects.clone(),
                                );
                            }
                            if narrows(n, o) {
                                self.push(
                                    ChangeKind::ResponseFieldChanged,
                                    n.location.clone(),
                                    format!(
                                        "response {status} field {} may now be {} (was {})",
                                        display_path(path),
                                        describe_field(n),
                                        describe_field(o)
                                    ),
                                    expects,
                                );
                            } else if narrows(o, n) {
                                self.push(
                                    ChangeKind::ResponseFieldNarrowed,
                                    n.location.clone(),
                                    format!(
                                        "response {status} field {} is now {} (was {})",
                                        display_path(path),
                                        describe_field(n),
                                        describe_field(o)
                                    ),
                                    expects,
                                );
                            }
                        }
                    }
                }
                for (path, n) in &new_f {
                    if !old_f.contains_key(path) {
                        self.push(
                            ChangeKind::ResponseFieldAdded,
                            n.location.clone(),
                            format!("response {status} gains field {path}"),
                            Reliance::ExpectsStatus {
                                status: status.clone(),
                            },
                        );
                    }
                }
            }
        }
        for new_r in &new_op.responses {
            if !old_op
                .responses
                .iter()
                .any(|r| r.status.eq_ignore_ascii_case(&new_r.status))
            {
                self.push(
                    ChangeKind::StatusAdded,
                    new_r.declared_at.clone(),
                    format!("new response {}", new_r.status),
                    Reliance::CallsOperation,
                );
            }
        }
    }
}

fn display_path(path: &str) -> &str {
    if path.is_empty() { "(the body)" } else { path }
}

fn field_reliance_sent(path: &str) -> Reliance {
    if path.is_empty() {
        Reliance::CallsOperation
    } else {
        Reliance::SendsField {
            field: path.to_string(),
        }
    }
}

fn same_media<'a>(content: &'a [MediaSpec], media_type: &str) -> Option<&'a MediaSpec> {
    content
        .iter()
        .find(|m| m.media_type.eq_ignore_ascii_case(media_type))
}

/// A field path whose parent the schema declares (so a missing field is a real removal, not
/// the consequence of its parent's removal or of a recursion cut).
fn parent_exists(fields: &BTreeMap<String, FieldInfo>, path: &str) -> bool {
    !path.is_empty() && fields.contains_key(parent_path(path))
}

/// Whether `to` allows less than `from`: a type `from` had is gone (integer within number
/// counts as kept), or an enum lost a value (or appeared).
fn narrows(from: &FieldInfo, to: &FieldInfo) -> bool {
    if !from.types.is_empty() && !to.types.is_empty() {
        let lost = from
            .types
            .iter()
            .any(|t| !(to.types.contains(t) || (t == "integer" && to.types.contains("number"))));
        if lost {
            return true;
        }
    }
    if from.types.is_empty() && !to.types.is_empty() {
        return true;
    }
    match (&from.allowed, &to.allowed) {
        (None, Some(_)) => true,
        (Some(before), Some(after)) => before.iter().any(|v| !after.contains(v)),
        _ => false,
    }
}

fn describe_field(field: &FieldInfo) -> String {
    let mut text = if field.types.is_empty() {
        "any type".to_string()
    } else {
        field.types.iter().cloned().collect::<Vec<_>>().join(" or ")
    };
    if let Some(values) = &field.allowed {
        let values: Vec<String> = values.iter().map(Value::to_string).collect();
        text.push_str(&format!(" in [{}]", values.join(", ")));
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn doc(value: Value) -> Document {
        Document::from_value(value).unwrap()
    }

    fn base() -> Value {
        json!({"openapi": "3.0.3", "info": {"title": "t", "version": "1"}, "paths": {
            "/items/{id}": {"get": {
                "parameters": [{"name": "id", "in": "path", "required": true, "schema": {"type": "integer"}}],
                "responses": {"200": {"description": "ok", "content": {"application/json": {"schema": {
                    "type": "object", "required": ["id"], "properties": {"id": {"type": "integer"}, "name": {"type": "string"}, "tag": {"type": "string"}}}}}},
                    "404": {"description": "missing"}}}},
            "/items": {"post": {
                "requestBody": {"content": {"application/json": {"schema": {"type": "object", "properties": {"name": {"type": "string"}}}}}},
                "responses": {"201": {"description": "created"}}}}
        }})
    }

    fn kinds(changes: &[Change]) -> Vec<(&'static str, String)> {
        changes
            .iter()
            .map(|c| (c.kind.as_str(), c.operation.clone()))
            .collect()
    }

    #[test]
    fn identical_documents_have_no_changes() {
        assert!(diff(&doc(base()), &doc(base())).is_empty());
    }

    #[test]
    fn breaking_changes_are_classified() {
        let mut new = base();
        let schema = &mut new["paths"]["/items/{id}"]["get"]["responses"]["200"]["content"]["application/json"]
            ["schema"];
        schema["properties"].as_object_mut().unwrap().remove("tag");
        schema["properties"]["id"]["type"] = json!("string");
        schema["required"] = json!([]);
        new["paths"]["/items/{id}"]["get"]["responses"]
            .as_object_mut()
            .unwrap()
            .remove("404");
        new["paths"]["/items"]["post"]["requestBody"]["content"]["application/json"]["schema"]["required"] =
            json!(["name", "price"]);
        new["paths"]["/items"]["post"]["requestBody"]["content"]["application/json"]["schema"]["properties"]
            ["price"] = json!({"type": "number"});
        let changes = diff(&doc(base()), &doc(new));
        let found = kinds(&changes);
        for expected in [
            ("response.field.removed", "GET /items/{id}"),
            ("response.field.optional", "GET /items/{id}"),
            ("response.field.type-changed", "GET /items/{id}"),
            ("response.status.removed", "GET /items/{id}"),
            ("request.field.required", "POST /items"),
            ("request.field.added-required", "POST /items"),
        ] {
            assert!(
                found.contains(&(expected.0, expected.1.to_string())),
                "{expected:?} not in {found:?}"
            );
        }
        assert!(changes.iter().all(|c| c.breaking), "{found:?}");
    }

    #[test]
    fn additions_are_safe() {
        let mut new = base();
        new["paths"]["/items/{id}"]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
            ["properties"]["colour"] = json!({"type": "string"});
        new["paths"]["/things"] = json!({"get": {"responses": {"200": {"description": "ok"}}}});
        let changes = diff(&doc(base()), &doc(new));
        assert_eq!(
            kinds(&changes),
            vec![
                ("response.field.added", "GET /items/{id}".to_string()),
                ("operation.added", "GET /things".to_string())
            ]
        );
        assert!(changes.iter().all(|c| !c.breaking));
    }
}
