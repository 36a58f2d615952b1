//! Reading an OpenAPI document: bytes (JSON or YAML) into one JSON tree, the version it declares,
//! and every internal `$ref` checked to resolve. Errors say where (line and column for syntax,
//! the document location for structure).
//!
//! Not here: what the operations are (see [`crate::document`]) or how schemas validate
//! (see [`crate::schema`]).

use serde_json::{Map, Value};

use crate::location::DocPath;

/// The OpenAPI (or Swagger) version a document declares.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum OasVersion {
    /// Swagger 2.0 (`swagger: "2.0"`).
    Swagger2,
    /// OpenAPI 3.0.x: schemas are an extended subset of JSON Schema draft 4 (`nullable`,
    /// boolean `exclusiveMinimum`).
    OpenApi30,
    /// OpenAPI 3.1.x: schemas are JSON Schema 2020-12.
    OpenApi31,
}

impl OasVersion {
    /// A short name for messages, e.g. `OpenAPI 3.0`.
    pub fn name(self) -> &'static str {
        match self {
            OasVersion::Swagger2 => "Swagger 2.0",
            OasVersion::OpenApi30 => "OpenAPI 3.0",
            OasVersion::OpenApi31 => "OpenAPI 3.1",
        }
    }
}

/// Why an OpenAPI document cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    /// The bytes are neither JSON nor YAML.
    #[error("line {line}, column {column}: not valid {format}: {message}")]
    Syntax {
        /// `JSON` or `YAML`.
        format: &'static str,
        /// 1-based line (0 when the parser did not say).
        line: usize,
        /// 1-based column (0 when the parser did not say).
        column: usize,
        /// What the parser said.
        message: String,
    },
    /// The document is readable but not an OpenAPI document pactum can use.
    #[error("{at}: {message}")]
    Structure {
        /// Where in the document, e.g. `[root].paths./items.get.responses`.
        at: String,
        /// What is wrong and what is expected.
        message: String,
    },
    /// A `$ref` points nowhere inside the document.
    #[error("{at}: $ref '{target}' does not resolve{reason}")]
    BrokenRef {
        /// Where the `$ref` is.
        at: String,
        /// The reference as written.
        target: String,
        /// Why (e.g. other files are not supported), with a leading separator, or empty.
        reason: String,
    },
    /// A schema is not valid JSON Schema (found when it was compiled).
    #[error("{at}: invalid schema: {message}")]
    Schema {
        /// Where the schema is.
        at: String,
        /// What the JSON Schema compiler said.
        message: String,
    },
}

/// Parses a document from bytes: JSON when it starts like JSON, YAML otherwise (JSON is YAML,
/// but JSON errors are clearer from the JSON parser). A UTF-8 byte-order mark is ignored.
pub fn parse(bytes: &[u8]) -> Result<Value, LoadError> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let first = bytes.iter().find(|b| !b.is_ascii_whitespace());
    if matches!(first, Some(b'{') | Some(b'[')) {
        return serde_json::from_slice(bytes).map_err(|e| LoadError::Syntax {
            format: "JSON",
            line: e.line(),
            column: e.column(),
            message: strip_position(&e.to_string()),
        });
    }
    let yaml: yaml_serde::Value = yaml_serde::from_slice(bytes).map_err(|e| {
        let (line, column) = e
            .location()
            .map(|l| (l.line(), l.column()))
            .unwrap_or((0, 0));
        LoadError::Syntax {
            format: "YAML",
            line,
            column,
            message: strip_position(&e.to_string()),
        }
    })?;
    let mut yaml = yaml;
    yaml.apply_merge().map_err(|e| LoadError::Structure {
        at: "[root]".into(),
        message: format!("invalid YAML merge key (<<): {e}"),
    })?;
    yaml_to_json(yaml, &mut DocPath::root())
}

fn strip_position(message: &str) -> String {
    match message.rfind(" at line ") {
        Some(i) => message[..i].to_string(),
        None => message.to_string(),
    }
}

/// YAML allows what JSON does not: non-string keys (`200:` under `responses`), merge keys
/// (`<<`), tags, non-finite numbers. Keys become strings; merge keys are applied; the rest is
/// refused with its location.
fn yaml_to_json(value: yaml_serde::Value, at: &mut DocPath) -> Result<Value, LoadError> {
    use yaml_serde::Value as Y;
    Ok(match value {
        Y::Null => Value::Null,
        Y::Bool(b) => Value::Bool(b),
        Y::Number(n) => {
            if let Some(i) = n.as_i64() {
                Value::from(i)
            } else if let Some(u) = n.as_u64() {
                Value::from(u)
            } else {
                let f = n.as_f64().unwrap_or(f64::NAN);
                match serde_json::Number::from_f64(f) {
                    Some(n) => Value::Number(n),
                    None => {
                        return Err(LoadError::Structure {
                            at: at.to_string(),
                            message: format!("the number {f} cannot be represented in JSON"),
                        });
                    }
                }
            }
        }
        Y::String(s) => Value::String(s),
        Y::Sequence(items) => {
            let mut out = Vec::with_capacity(items.len());
            for (i, item) in items.into_iter().enumerate() {
                at.push_index(i);
                out.push(yaml_to_json(item, at)?);
                at.pop();
            }
            Value::Array(out)
        }
        Y::Mapping(mapping) => {
            let mut out = Map::new();
            for (key, item) in mapping {
                let key = match key {
                    Y::String(s) => s,
                    Y::Number(n) => n.to_string(),
                    Y::Bool(b) => b.to_string(),
                    Y::Null => "null".to_string(),
                    _ => {
                        return Err(LoadError::Structure {
                            at: at.to_string(),
                            message: "a mapping key must be a string or a number".into(),
                        });
                    }
                };
                at.push(&key);
                let item = yaml_to_json(item, at)?;
                at.pop();
                out.insert(key, item);
            }
            Value::Object(out)
        }
        Y::Tagged(tagged) => yaml_to_json(tagged.value, at)?,
    })
}

/// Reads the version the document declares (`openapi: 3.0.x`, `3.1.x`, or `swagger: "2.0"`).
pub fn version(root: &Value) -> Result<OasVersion, LoadError> {
    let Some(object) = root.as_object() else {
        return Err(LoadError::Structure {
            at: "[root]".into(),
            message: "an OpenAPI document must be an object".into(),
        });
    };
    if let Some(v) = object.get("openapi") {
        let text = v.as_str().ok_or_else(|| LoadError::Structure {
            at: "[root].openapi".into(),
            message: "must be a string such as \"3.0.3\" or \"3.1.0\"".into(),
        })?;
        return if text.starts_with("3.0") {
            Ok(OasVersion::OpenApi30)
        } else if text.starts_with("3.1") {
            Ok(OasVersion::OpenApi31)
        } else {
            Err(LoadError::Structure {
                at: "[root].openapi".into(),
                message: format!("OpenAPI {text} is not supported (3.0.x and 3.1.x are)"),
            })
        };
    }
    if let Some(v) = object.get("swagger") {
        return if v.as_str() == Some("2.0") {
            Ok(OasVersion::Swagger2)
        } else {
            Err(LoadError::Structure {
                at: "[root].swagger".into(),
                message: format!("Swagger {v} is not supported (2.0 is)"),
            })
        };
    }
    Err(LoadError::Structure {
        at: "[root]".into(),
        message: "neither an `openapi` (3.x) nor a `swagger` (2.0) member: not an OpenAPI document"
            .into(),
    })
}

/// Resolves a JSON pointer reference written in the document (`#/components/schemas/Pet`).
/// `None` when it is not an internal reference or points nowhere.
pub fn resolve_pointer<'a>(root: &'a Value, reference: &str) -> Option<&'a Value> {
    let pointer = reference.strip_prefix('#')?;
    if pointer.is_empty() {
        return Some(root);
    }
    // Pointers in documents are URI fragments: percent-decode them first.
    let decoded = percent_encoding::percent_decode_str(pointer)
        .decode_utf8()
        .ok()?;
    root.pointer(&decoded)
}

/// Checks that every `$ref` in the document is internal and resolves.
pub fn check_refs(root: &Value) -> Result<(), LoadError> {
    fn walk(node: &Value, root: &Value, at: &mut DocPath) -> Result<(), LoadError> {
        match node {
            Value::Object(object) => {
                if let Some(reference) = object.get("$ref") {
                    // A `$ref` under `properties` is a property named "$ref", not a reference.
                    if let Some(target) = reference.as_str() {
                        if !target.starts_with('#') {
                            at.push("$ref");
                            let err = LoadError::BrokenRef {
                                at: at.to_string(),
                                target: target.into(),
                                reason: ": references to other files or URLs are not supported \
                                         (bundle the document into one file)"
                                    .into(),
                            };
                            return Err(err);
                        }
                        if resolve_pointer(root, target).is_none() {
                            at.push("$ref");
                            return Err(LoadError::BrokenRef {
                                at: at.to_string(),
                                target: target.into(),
                                reason: String::new(),
                            });
                        }
                    }
                }
                for (key, value) in object {
                    at.push(key);
                    walk(value, root, at)?;
                    at.pop();
                }
            }
            Value::Array(items) => {
                for (i, item) in items.iter().enumerate() {
                    at.push_index(i);
                    walk(item, root, at)?;
                    at.pop();
                }
            }
            _ => {}
        }
        Ok(())
    }
    walk(root, root, &mut DocPath::root())
}

/// Follows a chain of `$ref`s (a reference to a reference …) to the object it ends at, with
/// the location of that object. Cycles end the chain where they start.
pub fn deref<'a>(root: &'a Value, node: &'a Value, at: &str) -> (&'a Value, String) {
    let mut current = node;
    let mut location = at.to_string();
    let mut seen = Vec::new();
    while let Some(reference) = current.get("$ref").and_then(Value::as_str) {
        if seen.contains(&reference) {
            break;
        }
        seen.push(reference);
        match resolve_pointer(root, reference) {
            Some(target) => {
                current = target;
                location = crate::location::pointer_to_location(reference);
            }
            None => break,
        }
    }
    (current, location)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn yaml_integer_keys_become_strings() {
        let doc = parse(b"openapi: 3.0.3\npaths:\n  /a:\n    get:\n      responses:\n        200:\n          description: ok\n").unwrap();
        assert_eq!(
            doc["paths"]["/a"]["get"]["responses"]["200"]["description"],
            "ok"
        );
    }

    #[test]
    fn yaml_errors_name_the_line() {
        let err = parse(b"openapi: 3.0.3\npaths:\n  - a\n b: [").unwrap_err();
        let LoadError::Syntax { format, line, .. } = err else {
            panic!("{err:?}")
        };
        assert_eq!(format, "YAML");
        assert!(line >= 3, "line {line}");
    }

    #[test]
    fn json_errors_name_the_line() {
        let err = parse(b"{\n\"openapi\": \"3.0.0\",\n}").unwrap_err();
        assert!(
            matches!(
                err,
                LoadError::Syntax {
                    format: "JSON",
                    line: 3,
                    ..
                }
            ),
            "{err:?}"
        );
    }

    #[test]
    fn versions() {
        assert_eq!(
            version(&json!({"openapi": "3.0.1"})).unwrap(),
            OasVersion::OpenApi30
        );
        assert_eq!(
            version(&json!({"openapi": "3.1.0"})).unwrap(),
            OasVersion::OpenApi31
        );
        assert_eq!(
            version(&json!({"swagger": "2.0"})).unwrap(),
            OasVersion::Swagger2
        );
        assert!(
            version(&json!({"openapi": "4.0"}))
                .unwrap_err()
                .to_string()
                .contains("[root].openapi")
        );
        assert!(version(&json!({"info": {}})).is_err());
    }

    #[test]
    fn broken_refs_are_named_where_they_are() {
        let doc = json!({"paths": {"/a": {"get": {"responses": {"200": {"$ref": "#/components/responses/Nope"}}}}}});
        let err = check_refs(&doc).unwrap_err().to_string();
        assert_eq!(
            err,
            "[root].paths./a.get.responses.200.$ref: $ref '#/components/responses/Nope' does not resolve"
        );
        let doc = json!({"components": {"schemas": {"A": {"$ref": "other.yaml#/A"}}}});
        assert!(
            check_refs(&doc)
                .unwrap_err()
                .to_string()
                .contains("other files")
        );
    }

    #[test]
    fn recursive_refs_resolve() {
        let doc = json!({"components": {"schemas": {"Node": {"type": "object", "properties": {"next": {"$ref": "#/components/schemas/Node"}}}}}});
        check_refs(&doc).unwrap();
        let reference = json!({"$ref": "#/components/schemas/Node"});
        let (target, at) = deref(&doc, &reference, "x");
        assert_eq!(target["type"], "object");
        assert_eq!(at, "[root].components.schemas.Node");
    }
}
