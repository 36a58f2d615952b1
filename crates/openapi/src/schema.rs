//! OpenAPI schemas as JSON Schema validators: the shims that turn an OpenAPI schema into JSON
//! Schema (3.0's `nullable` and boolean `exclusiveMinimum`, `allOf` merged, `discriminator`
//! choosing the `oneOf` branch), the *response* reading of a schema (a consumer may expect a
//! subset: every object closed, `required` dropped), and compiling each schema once, lazily,
//! with the `jsonschema` crate (pinned; only this module names it).
//!
//! Referenced schemas are not inlined: each slot's validator gets the (transformed) schemas it
//! references, transitively, under `$defs`, so recursive schemas work.
//!
//! A document repeats the same schema at many places (every `{id}` parameter is an integer,
//! every read and write of a resource refers to its component), and compiling is most of the
//! cost of a document's first cross-check, so a document compiles each distinct schema text
//! once per mode ([`CompiledSchemas`]) and its slots share the result.
//!
//! Not here: which schema applies to which part of a contract (see [`crate::check`]).

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

use serde_json::{Map, Value, json};

use crate::load::{OasVersion, resolve_pointer};
use crate::location::{append_instance_path, append_schema_path, pointer_to_location};

/// How a schema is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Mode {
    /// As written: what the consumer sends must satisfy it.
    Request,
    /// What the consumer expects must be a subset of it: objects closed (a field the document
    /// does not have is an error), `required` relaxed (a consumer need not expect every field),
    /// except where a `oneOf` needs it to tell branches apart.
    Response,
}

/// One failed constraint, located on both sides.
#[derive(Debug, Clone, PartialEq)]
pub struct Violation {
    /// What is wrong, e.g. `"extra" is not allowed (the document has no such property)`.
    pub message: String,
    /// Location of the offending value, appended to the base given to [`SchemaSlot::validate`].
    pub value_location: String,
    /// Location of the schema keyword that failed, in the document.
    pub schema_location: String,
    /// The schema keyword that failed (`type`, `additionalProperties`, `required`, …).
    pub keyword: String,
}

type Compiled = Arc<Result<CompiledSchema, String>>;

struct CompiledSchema {
    validator: jsonschema::Validator,
    /// The document location of each `$defs` entry (`s0`, `s1`, …).
    def_locations: Vec<String>,
}

/// A document's schemas compiled so far, by mode and schema text: what its slots share.
#[derive(Default)]
pub struct CompiledSchemas(Mutex<HashMap<(Mode, String), Compiled>>);

impl std::fmt::Debug for CompiledSchemas {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let count = self.0.lock().map_or(0, |compiled| compiled.len());
        f.debug_struct("CompiledSchemas")
            .field("count", &count)
            .finish()
    }
}

/// What compiling a slot needs from its document.
#[derive(Debug, Clone, Copy)]
pub struct SchemaScope<'a> {
    /// The whole document, for references.
    pub root: &'a Value,
    /// The OpenAPI version it declares.
    pub version: OasVersion,
    /// Its schemas compiled so far.
    pub compiled: &'a CompiledSchemas,
}

impl SchemaScope<'_> {
    /// The compiled form of `raw` for `mode`: the one compiled earlier for the same text, or
    /// a new one. Compiling happens outside the lock: two threads meeting the same new schema
    /// may both compile it, and the first to finish is kept.
    fn compile(&self, raw: &Value, mode: Mode) -> Compiled {
        let key = (mode, raw.to_string());
        let compiled = || self.compiled.0.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(found) = compiled().get(&key) {
            return Arc::clone(found);
        }
        let new = Arc::new(compile(raw, self.root, self.version, mode));
        Arc::clone(compiled().entry(key).or_insert(new))
    }
}

/// A schema at one place in the document, compiled on first use for each mode.
pub struct SchemaSlot {
    /// The schema as written (possibly just a `$ref`).
    pub raw: Value,
    /// Where it is, e.g. `[root].paths./items.get.responses.200.content.application/json.schema`.
    pub location: String,
    request: OnceLock<Compiled>,
    response: OnceLock<Compiled>,
}

impl std::fmt::Debug for SchemaSlot {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SchemaSlot")
            .field("location", &self.location)
            .finish()
    }
}

impl SchemaSlot {
    /// A slot for the schema `raw` found at `location`.
    pub fn new(raw: Value, location: String) -> Self {
        SchemaSlot {
            raw,
            location,
            request: OnceLock::new(),
            response: OnceLock::new(),
        }
    }

    fn compiled(&self, scope: SchemaScope<'_>, mode: Mode) -> &Result<CompiledSchema, String> {
        let cell = match mode {
            Mode::Request => &self.request,
            Mode::Response => &self.response,
        };
        cell.get_or_init(|| scope.compile(&self.raw, mode))
    }

    /// Compiles the slot for `mode` now; the error is the compiler's message.
    pub fn ensure_compiled(&self, scope: SchemaScope<'_>, mode: Mode) -> Result<(), String> {
        self.compiled(scope, mode)
            .as_ref()
            .map(|_| ())
            .map_err(Clone::clone)
    }

    /// Validates `instance`; `value_base` is the contract location of the instance. A schema
    /// that does not compile yields one violation saying so.
    pub fn validate(
        &self,
        scope: SchemaScope<'_>,
        mode: Mode,
        instance: &Value,
        value_base: &str,
    ) -> Vec<Violation> {
        let compiled = match self.compiled(scope, mode) {
            Ok(c) => c,
            Err(message) => {
                return vec![Violation {
                    message: format!("the schema cannot be used: {message}"),
                    value_location: value_base.to_string(),
                    schema_location: self.location.clone(),
                    keyword: "schema".into(),
                }];
            }
        };
        if compiled.validator.is_valid(instance) {
            return Vec::new();
        }
        let mut violations = Vec::new();
        for error in compiled.validator.iter_errors(instance) {
            {
                let keyword = error.kind().keyword().to_string();
                // The keyword's place in the compiled schema: under `$defs/sN` for a
                // referenced schema, mapped back to where the document declares it.
                let fragment = error
                    .absolute_keyword_location()
                    .and_then(|uri| uri.fragment().map(|f| f.as_str().to_string()))
                    .unwrap_or_else(|| error.schema_path().as_str().to_string());
                let schema_location = self.map_schema_fragment(&fragment, compiled);
                let instance_path = error.instance_path().as_str().to_string();
                let value_location = append_instance_path(value_base, &instance_path, instance);
                // An unexpected field is named by its own location, one violation each.
                if let jsonschema::error::ValidationErrorKind::AdditionalProperties { unexpected } =
                    error.kind()
                {
                    for field in unexpected {
                        violations.push(Violation {
                            message: format!(
                                "field '{field}' is not in the document (its schema does not allow other fields)"
                            ),
                            value_location: format!("{value_location}.{field}"),
                            schema_location: schema_location.clone(),
                            keyword: keyword.clone(),
                        });
                    }
                    continue;
                }
                violations.push(Violation {
                    message: describe(&error),
                    value_location,
                    schema_location,
                    keyword,
                });
            }
        }
        violations
    }

    fn map_schema_fragment(&self, fragment: &str, compiled: &CompiledSchema) -> String {
        let fragment = percent_encoding::percent_decode_str(fragment).decode_utf8_lossy();
        if let Some(rest) = fragment.strip_prefix("/$defs/s") {
            let (index, tail) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
            if let Some(location) = index
                .parse::<usize>()
                .ok()
                .and_then(|i| compiled.def_locations.get(i))
            {
                return append_schema_path(location, tail);
            }
        }
        if let Some(rest) = fragment.strip_prefix("/allOf/0")
            && self.raw.get("$defs").is_some()
        {
            return append_schema_path(&self.location, rest);
        }
        append_schema_path(&self.location, &fragment)
    }
}

/// Words for the failures a consumer most often meets; the validator's own text otherwise.
fn describe(error: &jsonschema::ValidationError<'_>) -> String {
    use jsonschema::error::ValidationErrorKind as K;
    match error.kind() {
        K::Required { property } => format!("required field {property} is missing"),
        _ => error.to_string(),
    }
}

fn compile(
    raw: &Value,
    root: &Value,
    version: OasVersion,
    mode: Mode,
) -> Result<CompiledSchema, String> {
    let mut transformer = Transformer {
        root,
        version,
        mode,
        defs: Vec::new(),
        def_index: HashMap::new(),
    };
    let main = transformer.transform(raw, 0);
    let mut defs = Map::new();
    let mut def_locations = Vec::new();
    let mut next = 0;
    while next < transformer.defs.len() {
        let reference = transformer.defs[next].clone();
        let target = resolve_pointer(root, &reference)
            .cloned()
            .unwrap_or(Value::Bool(true));
        let transformed = transformer.transform(&target, 0);
        defs.insert(format!("s{next}"), transformed);
        def_locations.push(pointer_to_location(&reference));
        next += 1;
    }
    let schema = match main {
        Value::Object(mut object) if !object.contains_key("$defs") => {
            if !defs.is_empty() {
                object.insert("$defs".into(), Value::Object(defs));
            }
            Value::Object(object)
        }
        other => json!({"$defs": defs, "allOf": [other]}),
    };
    let draft = match version {
        OasVersion::OpenApi31 => jsonschema::Draft::Draft202012,
        _ => jsonschema::Draft::Draft201909,
    };
    let validator = jsonschema::options()
        .with_draft(draft)
        .should_validate_formats(true)
        .should_ignore_unknown_formats(true)
        .with_format("byte", is_base64)
        .with_format("binary", |_: &str| true)
        .with_format("password", |_: &str| true)
        .build(&schema)
        .map_err(|e| e.to_string())?;
    Ok(CompiledSchema {
        validator,
        def_locations,
    })
}

fn is_base64(text: &str) -> bool {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD
        .decode(text)
        .is_ok()
}

/// Depth past which nested schemas are left as written (a guard against pathological
/// documents; references, not nesting, are how real schemas recurse).
const MAX_DEPTH: usize = 256;

struct Transformer<'a> {
    root: &'a Value,
    version: OasVersion,
    mode: Mode,
    /// References met so far, in order; `$defs/sN` holds the N-th.
    defs: Vec<String>,
    def_index: HashMap<String, usize>,
}

impl Transformer<'_> {
    fn def_ref(&mut self, reference: &str) -> String {
        let index = match self.def_index.get(reference) {
            Some(i) => *i,
            None => {
                let i = self.defs.len();
                self.defs.push(reference.to_string());
                self.def_index.insert(reference.to_string(), i);
                i
            }
        };
        format!("#/$defs/s{index}")
    }

    fn legacy(&self) -> bool {
        self.version != OasVersion::OpenApi31
    }

    fn transform(&mut self, node: &Value, depth: usize) -> Value {
        let Value::Object(original) = node else {
            return node.clone();
        };
        if depth > MAX_DEPTH {
            return node.clone();
        }
        // A reference: in 3.0 and 2.0 its siblings mean nothing, except `nullable`.
        if let Some(reference) = original.get("$ref").and_then(Value::as_str) {
            let target = self.def_ref(reference);
            if self.legacy() {
                let nullable = original.get("nullable") == Some(&Value::Bool(true))
                    || original.get("x-nullable") == Some(&Value::Bool(true));
                let reference = json!({ "$ref": target });
                return if nullable {
                    json!({"anyOf": [reference, {"type": "null"}]})
                } else {
                    reference
                };
            }
        }
        let mut s = original.clone();
        if let Some(reference) = original.get("$ref").and_then(Value::as_str) {
            let target = self.def_ref(reference);
            s.insert("$ref".into(), Value::String(target));
        }
        if let Some(Value::Array(branches)) = s.remove("allOf") {
            s = self.flatten_all_of(s, &branches, &mut Vec::new());
        }
        let mut nullable_untyped = false;
        if self.legacy() {
            let nullable = s.remove("nullable") == Some(Value::Bool(true))
                || s.remove("x-nullable") == Some(Value::Bool(true));
            if nullable {
                match s.get_mut("type") {
                    Some(Value::String(t)) => {
                        let t = std::mem::take(t);
                        s.insert("type".into(), json!([t, "null"]));
                    }
                    Some(_) => {}
                    None => nullable_untyped = true,
                }
                if let Some(Value::Array(values)) = s.get_mut("enum")
                    && !values.contains(&Value::Null)
                {
                    values.push(Value::Null);
                }
            }
            convert_exclusive(&mut s, "exclusiveMinimum", "minimum");
            convert_exclusive(&mut s, "exclusiveMaximum", "maximum");
        }
        // The discriminator's tags come from the branches as written.
        let discriminator = match (s.get("discriminator"), s.get("oneOf")) {
            (Some(d), Some(Value::Array(branches))) => d
                .get("propertyName")
                .and_then(Value::as_str)
                .map(|p| (p.to_string(), self.tags(d, branches, p))),
            _ => None,
        };
        s.remove("discriminator");
        self.transform_children(&mut s, depth);
        if self.mode == Mode::Response {
            let combined = ["oneOf", "anyOf", "allOf"]
                .iter()
                .any(|k| s.contains_key(*k));
            let open = matches!(
                s.get("additionalProperties"),
                None | Some(Value::Bool(true))
            );
            if is_object_type(s.get("type")) && !combined && open {
                s.insert("additionalProperties".into(), Value::Bool(false));
            }
            if !s.contains_key("oneOf") {
                s.remove("required");
            }
        }
        if let Some((property, tags)) = discriminator {
            self.apply_discriminator(&mut s, &property, tags);
        }
        let s = Value::Object(s);
        if nullable_untyped {
            json!({"anyOf": [s, {"type": "null"}]})
        } else {
            s
        }
    }

    fn transform_children(&mut self, s: &mut Map<String, Value>, depth: usize) {
        for key in ["properties", "patternProperties", "dependentSchemas"] {
            if let Some(Value::Object(children)) = s.get(key) {
                let children: Map<String, Value> = children
                    .iter()
                    .map(|(k, v)| (k.clone(), self.transform(v, depth + 1)))
                    .collect();
                s.insert(key.into(), Value::Object(children));
            }
        }
        for key in [
            "items",
            "additionalProperties",
            "not",
            "contains",
            "if",
            "then",
            "else",
            "propertyNames",
            "unevaluatedProperties",
            "unevaluatedItems",
            "additionalItems",
        ] {
            match s.get(key) {
                Some(child @ Value::Object(_)) => {
                    let child = self.transform(child, depth + 1);
                    s.insert(key.into(), child);
                }
                Some(Value::Array(items)) if key == "items" => {
                    let items: Vec<Value> =
                        items.iter().map(|v| self.transform(v, depth + 1)).collect();
                    s.insert(key.into(), Value::Array(items));
                }
                _ => {}
            }
        }
        for key in ["oneOf", "anyOf", "allOf", "prefixItems"] {
            if let Some(Value::Array(items)) = s.get(key) {
                let items: Vec<Value> =
                    items.iter().map(|v| self.transform(v, depth + 1)).collect();
                s.insert(key.into(), Value::Array(items));
            }
        }
    }

    /// OpenAPI's `allOf` composes one object out of several; validating each branch on its
    /// own would fail once objects are closed, so the branches are merged into one schema.
    /// Branches that are references are inlined one level deep.
    fn flatten_all_of(
        &mut self,
        mut base: Map<String, Value>,
        branches: &[Value],
        seen: &mut Vec<String>,
    ) -> Map<String, Value> {
        for branch in branches {
            let mut branch = match branch {
                Value::Object(b) => b.clone(),
                _ => continue,
            };
            if let Some(reference) = branch
                .remove("$ref")
                .and_then(|r| r.as_str().map(String::from))
            {
                if seen.contains(&reference) {
                    continue;
                }
                if let Some(Value::Object(target)) = resolve_pointer(self.root, &reference) {
                    let mut inlined = target.clone();
                    for (k, v) in branch {
                        inlined.insert(k, v);
                    }
                    branch = inlined;
                }
                seen.push(reference);
            }
            if let Some(Value::Array(nested)) = branch.remove("allOf") {
                let flattened = self.flatten_all_of(Map::new(), &nested, seen);
                let mut merged = flattened;
                merge_into(&mut merged, branch);
                branch = merged;
            }
            merge_into(&mut base, branch);
        }
        base
    }

    /// The tag values that select each `oneOf` branch: from the mapping, else from the
    /// branch's `const`/`enum` for the property, else the branch's schema name.
    fn tags(&self, discriminator: &Value, branches: &[Value], property: &str) -> Vec<Vec<String>> {
        let mapping = discriminator.get("mapping").and_then(Value::as_object);
        branches
            .iter()
            .map(|branch| {
                let reference = branch.get("$ref").and_then(Value::as_str);
                let name = reference.and_then(|r| r.rsplit('/').next());
                if let Some(mapping) = mapping {
                    let mapped: Vec<String> = mapping
                        .iter()
                        .filter(|(_, target)| {
                            let target = target.as_str().unwrap_or("");
                            Some(target) == reference || Some(target) == name
                        })
                        .map(|(tag, _)| tag.clone())
                        .collect();
                    if !mapped.is_empty() {
                        return mapped;
                    }
                }
                let target = match reference {
                    Some(r) => resolve_pointer(self.root, r).unwrap_or(branch),
                    None => branch,
                };
                let declared = target.get("properties").and_then(|p| p.get(property));
                if let Some(c) = declared
                    .and_then(|d| d.get("const"))
                    .and_then(Value::as_str)
                {
                    return vec![c.to_string()];
                }
                if let Some(values) = declared
                    .and_then(|d| d.get("enum"))
                    .and_then(Value::as_array)
                {
                    let values: Vec<String> = values
                        .iter()
                        .filter_map(|v| v.as_str().map(String::from))
                        .collect();
                    if !values.is_empty() {
                        return values;
                    }
                }
                name.map(|n| vec![n.to_string()]).unwrap_or_default()
            })
            .collect()
    }

    /// Replaces `oneOf` by "the branch the tag names": the tag is required, must be one of
    /// the known tags, and selects exactly one branch to validate against.
    fn apply_discriminator(
        &self,
        s: &mut Map<String, Value>,
        property: &str,
        tags: Vec<Vec<String>>,
    ) {
        let Some(Value::Array(branches)) = s.remove("oneOf") else {
            return;
        };
        let all_tags: Vec<Value> = tags.iter().flatten().map(|t| json!(t)).collect();
        let mut selections: Vec<Value> = Vec::new();
        for (branch, tags) in branches.into_iter().zip(tags) {
            for tag in tags {
                selections.push(json!({
                    "if": {"properties": {property: {"const": tag}}, "required": [property]},
                    "then": branch.clone(),
                }));
            }
        }
        let mut required: Vec<Value> = s
            .get("required")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        if !required.contains(&json!(property)) {
            required.push(json!(property));
        }
        s.insert("required".into(), Value::Array(required));
        let tag_schema = json!({"type": "string", "enum": all_tags});
        match s.get_mut("properties") {
            Some(Value::Object(properties)) => {
                let existing = properties.remove(property);
                let combined = match existing {
                    Some(e) => json!({"allOf": [e, tag_schema]}),
                    None => tag_schema,
                };
                properties.insert(property.to_string(), combined);
            }
            _ => {
                s.insert("properties".into(), json!({ property: tag_schema }));
            }
        }
        let mut all_of = match s.remove("allOf") {
            Some(Value::Array(a)) => a,
            _ => Vec::new(),
        };
        all_of.extend(selections);
        s.insert("allOf".into(), Value::Array(all_of));
    }
}

fn is_object_type(t: Option<&Value>) -> bool {
    match t {
        Some(Value::String(t)) => t == "object",
        Some(Value::Array(types)) => types.iter().any(|t| t == "object"),
        _ => false,
    }
}

/// 3.0 (JSON Schema draft 4) writes `exclusiveMinimum: true` next to `minimum`; later drafts
/// write the bound itself.
fn convert_exclusive(s: &mut Map<String, Value>, exclusive: &str, bound: &str) {
    match s.get(exclusive) {
        Some(Value::Bool(true)) => match s.remove(bound) {
            Some(b) => {
                s.insert(exclusive.into(), b);
            }
            None => {
                s.remove(exclusive);
            }
        },
        Some(Value::Bool(false)) => {
            s.remove(exclusive);
        }
        _ => {}
    }
}

/// Merges `from` into `into`: objects member by member, `required` as a union, anything else
/// replaced.
fn merge_into(into: &mut Map<String, Value>, from: Map<String, Value>) {
    for (key, value) in from {
        match (into.get_mut(&key), value) {
            (Some(Value::Array(existing)), Value::Array(more)) if key == "required" => {
                for item in more {
                    if !existing.contains(&item) {
                        existing.push(item);
                    }
                }
            }
            (Some(Value::Object(existing)), Value::Object(more)) => merge_into(existing, more),
            (_, value) => {
                into.insert(key, value);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(
        schema: Value,
        root: Value,
        version: OasVersion,
        mode: Mode,
        instance: Value,
    ) -> Vec<String> {
        let slot = SchemaSlot::new(schema, "[root].x".into());
        let compiled = CompiledSchemas::default();
        let scope = SchemaScope {
            root: &root,
            version,
            compiled: &compiled,
        };
        slot.validate(scope, mode, &instance, "[root].body")
            .into_iter()
            .map(|v| {
                format!(
                    "{} @ {} ({})",
                    v.value_location, v.schema_location, v.keyword
                )
            })
            .collect()
    }

    #[test]
    fn response_mode_closes_objects_and_relaxes_required() {
        let schema = json!({"type": "object", "required": ["a", "b"], "properties": {"a": {"type": "string"}, "b": {"type": "integer"}}});
        let root = json!({});
        assert!(
            check(
                schema.clone(),
                root.clone(),
                OasVersion::OpenApi30,
                Mode::Response,
                json!({"a": "x"})
            )
            .is_empty()
        );
        let extra = check(
            schema.clone(),
            root.clone(),
            OasVersion::OpenApi30,
            Mode::Response,
            json!({"a": "x", "c": 1}),
        );
        assert_eq!(
            extra,
            vec!["[root].body.c @ [root].x.additionalProperties (additionalProperties)"]
        );
        let missing = check(
            schema,
            root,
            OasVersion::OpenApi30,
            Mode::Request,
            json!({"a": "x", "c": 1}),
        );
        assert_eq!(missing, vec!["[root].body @ [root].x.required (required)"]);
    }

    #[test]
    fn recursive_references_validate() {
        let root = json!({"components": {"schemas": {"Node": {"type": "object", "properties": {"value": {"type": "integer"}, "next": {"$ref": "#/components/schemas/Node"}}}}}});
        let schema = json!({"$ref": "#/components/schemas/Node"});
        let ok = json!({"value": 1, "next": {"value": 2, "next": {"value": 3}}});
        assert!(
            check(
                schema.clone(),
                root.clone(),
                OasVersion::OpenApi30,
                Mode::Response,
                ok
            )
            .is_empty()
        );
        let bad = json!({"value": 1, "next": {"value": "two"}});
        assert_eq!(
            check(schema, root, OasVersion::OpenApi30, Mode::Response, bad),
            vec![
                "[root].body.next.value @ [root].components.schemas.Node.properties.value.type (type)"
            ]
        );
    }

    #[test]
    fn nullable_and_type_arrays() {
        let root = json!({});
        let schema30 = json!({"type": "string", "nullable": true});
        assert!(
            check(
                schema30.clone(),
                root.clone(),
                OasVersion::OpenApi30,
                Mode::Request,
                Value::Null
            )
            .is_empty()
        );
        let not_nullable = json!({"type": "string"});
        assert_eq!(
            check(
                not_nullable,
                root.clone(),
                OasVersion::OpenApi30,
                Mode::Request,
                Value::Null
            )
            .len(),
            1
        );
        let schema31 = json!({"type": ["string", "null"]});
        assert!(
            check(
                schema31,
                root,
                OasVersion::OpenApi31,
                Mode::Request,
                Value::Null
            )
            .is_empty()
        );
    }

    #[test]
    fn all_of_is_merged_before_objects_are_closed() {
        let root = json!({"components": {"schemas": {
            "Base": {"type": "object", "properties": {"id": {"type": "integer"}}},
        }}});
        let schema = json!({"allOf": [{"$ref": "#/components/schemas/Base"}, {"type": "object", "properties": {"name": {"type": "string"}}}]});
        assert!(
            check(
                schema.clone(),
                root.clone(),
                OasVersion::OpenApi30,
                Mode::Response,
                json!({"id": 1, "name": "x"})
            )
            .is_empty()
        );
        assert_eq!(
            check(
                schema,
                root,
                OasVersion::OpenApi30,
                Mode::Response,
                json!({"id": 1, "other": "x"})
            )
            .len(),
            1
        );
    }

    #[test]
    fn discriminator_selects_the_branch() {
        let root = json!({"components": {"schemas": {
            "Cat": {"type": "object", "properties": {"kind": {"type": "string"}, "meows": {"type": "boolean"}}},
            "Dog": {"type": "object", "properties": {"kind": {"type": "string"}, "barks": {"type": "boolean"}}},
        }}});
        let schema = json!({"oneOf": [{"$ref": "#/components/schemas/Cat"}, {"$ref": "#/components/schemas/Dog"}],
            "discriminator": {"propertyName": "kind", "mapping": {"cat": "#/components/schemas/Cat", "dog": "#/components/schemas/Dog"}}});
        let v = OasVersion::OpenApi30;
        assert!(
            check(
                schema.clone(),
                root.clone(),
                v,
                Mode::Response,
                json!({"kind": "cat", "meows": true})
            )
            .is_empty()
        );
        assert!(
            !check(
                schema.clone(),
                root.clone(),
                v,
                Mode::Response,
                json!({"kind": "cat", "barks": true})
            )
            .is_empty()
        );
        assert!(
            !check(
                schema.clone(),
                root.clone(),
                v,
                Mode::Response,
                json!({"kind": "cow"})
            )
            .is_empty()
        );
        assert!(!check(schema, root, v, Mode::Response, json!({"meows": true})).is_empty());
    }

    #[test]
    fn exclusive_bounds_of_3_0() {
        let schema = json!({"type": "integer", "minimum": 1, "exclusiveMinimum": true});
        let root = json!({});
        assert_eq!(
            check(
                schema.clone(),
                root.clone(),
                OasVersion::OpenApi30,
                Mode::Request,
                json!(1)
            )
            .len(),
            1
        );
        assert!(check(schema, root, OasVersion::OpenApi30, Mode::Request, json!(2)).is_empty());
    }

    #[test]
    fn formats_are_checked() {
        let schema = json!({"type": "string", "format": "date-time"});
        assert_eq!(
            check(
                schema.clone(),
                json!({}),
                OasVersion::OpenApi30,
                Mode::Request,
                json!("yesterday")
            )
            .len(),
            1
        );
        assert!(
            check(
                schema,
                json!({}),
                OasVersion::OpenApi30,
                Mode::Request,
                json!("2024-01-02T03:04:05Z")
            )
            .is_empty()
        );
    }

    #[test]
    fn slots_with_the_same_schema_share_one_compiled_validator() {
        let root = json!({"components": {"schemas": {"Item": {"type": "object",
            "properties": {"id": {"type": "integer"}}}}}});
        let compiled = CompiledSchemas::default();
        let scope = SchemaScope {
            root: &root,
            version: OasVersion::OpenApi30,
            compiled: &compiled,
        };
        let reference = json!({"$ref": "#/components/schemas/Item"});
        let read = SchemaSlot::new(reference.clone(), "[root].a".into());
        let write = SchemaSlot::new(reference, "[root].b".into());
        let inline = SchemaSlot::new(json!({"type": "integer"}), "[root].c".into());
        let bad = json!({"id": "one"});
        // Each slot still reports its own location.
        let located = |slot: &SchemaSlot| {
            slot.validate(scope, Mode::Response, &bad, "[root].body")
                .into_iter()
                .map(|v| v.schema_location)
                .collect::<Vec<_>>()
        };
        assert_eq!(
            located(&read),
            ["[root].components.schemas.Item.properties.id.type"]
        );
        assert_eq!(
            located(&write),
            ["[root].components.schemas.Item.properties.id.type"]
        );
        assert!(Arc::ptr_eq(
            read.response.get().unwrap(),
            write.response.get().unwrap()
        ));
        // Another mode or another text is another validator.
        read.ensure_compiled(scope, Mode::Request).unwrap();
        inline.ensure_compiled(scope, Mode::Response).unwrap();
        assert!(!Arc::ptr_eq(
            read.request.get().unwrap(),
            read.response.get().unwrap()
        ));
        assert_eq!(compiled.0.lock().unwrap().len(), 3);
    }
}
