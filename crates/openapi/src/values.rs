//! Contract values as the document's schemas see them: bodies as JSON, form bodies as objects,
//! and text parameters (path, query, header) read by their schema's type — `1` is a number for
//! an `integer` parameter, `a,b` an array for an `array` one — as the comparator's coercing
//! validator does.

use pactum_core::contract::{Body, BodyContent};
use serde_json::{Map, Value};

use crate::load::deref;

/// The body as a JSON value; `None` when the contract has no body.
pub fn body_value(body: &Body) -> Option<Value> {
    match &body.content {
        BodyContent::Missing => None,
        BodyContent::Empty => Some(Value::String(String::new())),
        BodyContent::Null => Some(Value::Null),
        BodyContent::Json(v) => Some(v.clone()),
        BodyContent::Text(t) => Some(Value::String(t.clone())),
        BodyContent::Bytes(b) => Some(Value::String(String::from_utf8_lossy(b).into_owned())),
    }
}

/// JavaScript truthiness, which decides whether the comparator validates a response body: no
/// body, `null`, `false`, `0` and `""` are not validated.
pub fn truthy(value: &Value) -> bool {
    match value {
        Value::Null => false,
        Value::Bool(b) => *b,
        Value::Number(n) => n.as_f64().is_some_and(|f| f != 0.0),
        Value::String(s) => !s.is_empty(),
        _ => true,
    }
}

/// Reads a form body (`a=1&b=x,y`) into an object: repeated names and comma-separated values
/// become arrays.
pub fn form_value(text: &str) -> Value {
    let mut object = Map::new();
    for (name, value) in form_urlencoded::parse(text.as_bytes()) {
        let value = split_commas(&value);
        match object.get_mut(name.as_ref()) {
            Some(Value::Array(existing)) => match value {
                Value::Array(more) => existing.extend(more),
                other => existing.push(other),
            },
            Some(existing) => {
                let first = existing.take();
                let mut items = vec![first];
                match value {
                    Value::Array(more) => items.extend(more),
                    other => items.push(other),
                }
                *existing = Value::Array(items);
            }
            None => {
                object.insert(name.into_owned(), value);
            }
        }
    }
    Value::Object(object)
}

fn split_commas(text: &str) -> Value {
    if text.contains(',') {
        Value::Array(text.split(',').map(|s| Value::String(s.into())).collect())
    } else {
        Value::String(text.into())
    }
}

/// Reads a parameter's text by its schema's top-level types: a `string` parameter as written;
/// otherwise `a=1,b=2` is an object, `a,b` an array, anything else stays text (then coerced).
pub fn parameter_value(text: &str, types: &[String]) -> Value {
    if types.iter().any(|t| t == "string") {
        return Value::String(text.into());
    }
    if text.contains('=') {
        let mut object = Map::new();
        for pair in text.split(',') {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            object.insert(k.to_string(), Value::String(v.to_string()));
        }
        return Value::Object(object);
    }
    if types.iter().any(|t| t == "array") {
        return Value::Array(text.split(',').map(|s| Value::String(s.into())).collect());
    }
    split_commas(text)
}

/// Converts text values to the types a schema asks for, where the text reads as one (`"12"`
/// for an integer, `"true"` for a boolean), through arrays and objects.
pub fn coerce(root: &Value, schema: &Value, value: Value) -> Value {
    coerce_at(root, schema, value, 0)
}

fn coerce_at(root: &Value, schema: &Value, value: Value, depth: usize) -> Value {
    if depth > 32 {
        return value;
    }
    let (schema, _) = deref(root, schema, "");
    let types: Vec<&str> = match schema.get("type") {
        Some(Value::String(t)) => vec![t.as_str()],
        Some(Value::Array(ts)) => ts.iter().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    };
    let value = match value {
        Value::Array(items) => {
            let item_schema = schema.get("items").cloned().unwrap_or(Value::Bool(true));
            Value::Array(
                items
                    .into_iter()
                    .map(|i| coerce_at(root, &item_schema, i, depth + 1))
                    .collect(),
            )
        }
        Value::Object(members) => {
            let properties = schema.get("properties").and_then(Value::as_object);
            Value::Object(
                members
                    .into_iter()
                    .map(|(k, v)| {
                        let v = match properties.and_then(|p| p.get(&k)) {
                            Some(s) => coerce_at(root, s, v, depth + 1),
                            None => v,
                        };
                        (k, v)
                    })
                    .collect(),
            )
        }
        other => other,
    };
    if types.is_empty() || types.iter().any(|t| has_type(&value, t)) {
        return value;
    }
    for t in &types {
        if let Some(converted) = convert(&value, t) {
            return converted;
        }
    }
    value
}

fn has_type(value: &Value, t: &str) -> bool {
    match (t, value) {
        ("string", Value::String(_))
        | ("boolean", Value::Bool(_))
        | ("null", Value::Null)
        | ("array", Value::Array(_))
        | ("object", Value::Object(_))
        | ("number", Value::Number(_)) => true,
        ("integer", Value::Number(n)) => {
            n.is_i64() || n.is_u64() || n.as_f64().is_some_and(|f| f.fract() == 0.0)
        }
        _ => false,
    }
}

fn convert(value: &Value, t: &str) -> Option<Value> {
    match (t, value) {
        ("number", Value::String(s)) if !s.trim().is_empty() => {
            let f = s.trim().parse::<f64>().ok()?;
            if let Ok(i) = s.trim().parse::<i64>() {
                return Some(Value::from(i));
            }
            serde_json::Number::from_f64(f).map(Value::Number)
        }
        ("integer", Value::String(s)) if !s.trim().is_empty() => {
            if let Ok(i) = s.trim().parse::<i64>() {
                return Some(Value::from(i));
            }
            let f = s.trim().parse::<f64>().ok()?;
            (f.fract() == 0.0 && f.is_finite()).then(|| Value::from(f as i64))
        }
        ("number" | "integer", Value::Bool(b)) => Some(Value::from(u8::from(*b))),
        ("number" | "integer", Value::Null) => Some(Value::from(0)),
        ("boolean", Value::String(s)) if s == "true" || s == "false" => {
            Some(Value::Bool(s == "true"))
        }
        ("boolean", Value::Number(n)) if n.as_f64() == Some(0.0) || n.as_f64() == Some(1.0) => {
            Some(Value::Bool(n.as_f64() == Some(1.0)))
        }
        ("boolean", Value::Null) => Some(Value::Bool(false)),
        ("null", Value::String(s)) if s.is_empty() => Some(Value::Null),
        ("null", Value::Number(n)) if n.as_f64() == Some(0.0) => Some(Value::Null),
        ("null", Value::Bool(false)) => Some(Value::Null),
        ("string", Value::Number(n)) => Some(Value::String(n.to_string())),
        ("string", Value::Bool(b)) => Some(Value::String(b.to_string())),
        ("string", Value::Null) => Some(Value::String(String::new())),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn parameters_are_read_by_type() {
        let root = json!({});
        let int = json!({"type": "integer"});
        assert_eq!(
            coerce(&root, &int, parameter_value("12", &["integer".into()])),
            json!(12)
        );
        assert_eq!(
            coerce(&root, &int, parameter_value("x", &["integer".into()])),
            json!("x")
        );
        let list = json!({"type": "array", "items": {"type": "integer"}});
        assert_eq!(
            coerce(&root, &list, parameter_value("1,2", &["array".into()])),
            json!([1, 2])
        );
        assert_eq!(parameter_value("a,b", &["string".into()]), json!("a,b"));
        assert_eq!(
            coerce(&root, &json!({"type": "boolean"}), json!("true")),
            json!(true)
        );
    }

    #[test]
    fn form_bodies() {
        assert_eq!(
            form_value("a=1&b=x,y&a=2"),
            json!({"a": ["1", "2"], "b": ["x", "y"]})
        );
    }
}
