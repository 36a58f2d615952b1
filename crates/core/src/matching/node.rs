//! A read-only view over JSON documents, and a fast borrowed document type for received bodies.
//!
//! Contracts hold `serde_json::Value`s (parsed once, when the contract is read). Received
//! bodies are parsed on every match, so they get [`Node`]: strings borrow from the input when
//! they contain no escapes and objects are vectors rather than sorted maps, which makes parsing
//! several times cheaper. The walker reads both through [`JsonView`].

use std::borrow::Cow;
use std::fmt;

use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::{Number, Value};

/// The JSON type of a node.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Null,
    Bool,
    Number,
    String,
    Array,
    Object,
}

/// Read access to a JSON document, whatever its representation.
pub(crate) trait JsonView {
    fn kind(&self) -> Kind;
    fn as_str(&self) -> Option<&str>;
    fn as_bool(&self) -> Option<bool>;
    /// The number, if this is one (integers keep their exact value).
    fn as_number(&self) -> Option<Num>;
    fn array(&self) -> Option<&[Self]>
    where
        Self: Sized;
    fn object_len(&self) -> Option<usize>;
    fn get(&self, key: &str) -> Option<&Self>;
    /// Visits the entries of an object in document order.
    fn for_each_entry<'s>(&'s self, f: &mut dyn FnMut(&'s str, &'s Self));
    /// Converts to an owned value, for reports.
    fn to_value(&self) -> Value;
}

/// A JSON number without losing integer precision.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Num {
    Int(i64),
    UInt(u64),
    Float(f64),
}

impl Num {
    pub(crate) fn is_integer(self) -> bool {
        !matches!(self, Num::Float(_))
    }

    pub(crate) fn as_f64(self) -> f64 {
        match self {
            Num::Int(i) => i as f64,
            Num::UInt(u) => u as f64,
            Num::Float(f) => f,
        }
    }

    pub(crate) fn as_u64(self) -> Option<u64> {
        match self {
            Num::Int(i) => u64::try_from(i).ok(),
            Num::UInt(u) => Some(u),
            Num::Float(_) => None,
        }
    }

    pub(crate) fn of_json(n: &Number) -> Num {
        if let Some(i) = n.as_i64() {
            Num::Int(i)
        } else if let Some(u) = n.as_u64() {
            Num::UInt(u)
        } else {
            Num::Float(n.as_f64().unwrap_or(f64::NAN))
        }
    }
}

impl fmt::Display for Num {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Num::Int(i) => write!(f, "{i}"),
            Num::UInt(u) => write!(f, "{u}"),
            Num::Float(x) => match Number::from_f64(*x) {
                Some(n) => write!(f, "{n}"),
                None => write!(f, "{x}"),
            },
        }
    }
}

impl JsonView for Value {
    fn kind(&self) -> Kind {
        match self {
            Value::Null => Kind::Null,
            Value::Bool(_) => Kind::Bool,
            Value::Number(_) => Kind::Number,
            Value::String(_) => Kind::String,
            Value::Array(_) => Kind::Array,
            Value::Object(_) => Kind::Object,
        }
    }
    fn as_str(&self) -> Option<&str> {
        Value::as_str(self)
    }
    fn as_bool(&self) -> Option<bool> {
        Value::as_bool(self)
    }
    fn as_number(&self) -> Option<Num> {
        match self {
            Value::Number(n) => Some(Num::of_json(n)),
            _ => None,
        }
    }
    fn array(&self) -> Option<&[Value]> {
        self.as_array().map(Vec::as_slice)
    }
    fn object_len(&self) -> Option<usize> {
        self.as_object().map(|o| o.len())
    }
    fn get(&self, key: &str) -> Option<&Value> {
        self.as_object().and_then(|o| o.get(key))
    }
    fn for_each_entry<'s>(&'s self, f: &mut dyn FnMut(&'s str, &'s Self)) {
        if let Value::Object(o) = self {
            for (k, v) in o {
                f(k, v);
            }
        }
    }
    fn to_value(&self) -> Value {
        self.clone()
    }
}

/// A parsed received JSON document that borrows from its input.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Node<'a> {
    Null,
    Bool(bool),
    Number(Num),
    String(Cow<'a, str>),
    Array(Vec<Node<'a>>),
    Object(Vec<(Cow<'a, str>, Node<'a>)>),
}

#[cfg(test)]
impl<'a> Node<'a> {
    /// Parses JSON text into a borrowed document.
    pub(crate) fn parse(text: &'a str) -> Result<Self, serde_json::Error> {
        serde_json::from_str(text)
    }
}

impl JsonView for Node<'_> {
    fn kind(&self) -> Kind {
        match self {
            Node::Null => Kind::Null,
            Node::Bool(_) => Kind::Bool,
            Node::Number(_) => Kind::Number,
            Node::String(_) => Kind::String,
            Node::Array(_) => Kind::Array,
            Node::Object(_) => Kind::Object,
        }
    }
    fn as_str(&self) -> Option<&str> {
        match self {
            Node::String(s) => Some(s),
            _ => None,
        }
    }
    fn as_bool(&self) -> Option<bool> {
        match self {
            Node::Bool(b) => Some(*b),
            _ => None,
        }
    }
    fn as_number(&self) -> Option<Num> {
        match self {
            Node::Number(n) => Some(*n),
            _ => None,
        }
    }
    fn array(&self) -> Option<&[Self]> {
        match self {
            Node::Array(items) => Some(items),
            _ => None,
        }
    }
    fn object_len(&self) -> Option<usize> {
        match self {
            Node::Object(entries) => Some(entries.len()),
            _ => None,
        }
    }
    fn get(&self, key: &str) -> Option<&Self> {
        match self {
            // The last duplicate wins, as when parsing into a map.
            Node::Object(entries) => entries.iter().rev().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }
    fn for_each_entry<'s>(&'s self, f: &mut dyn FnMut(&'s str, &'s Self)) {
        if let Node::Object(entries) = self {
            for (k, v) in entries {
                f(k, v);
            }
        }
    }
    fn to_value(&self) -> Value {
        match self {
            Node::Null => Value::Null,
            Node::Bool(b) => Value::Bool(*b),
            Node::Number(Num::Int(i)) => Value::from(*i),
            Node::Number(Num::UInt(u)) => Value::from(*u),
            Node::Number(Num::Float(f)) => Number::from_f64(*f)
                .map(Value::Number)
                .unwrap_or(Value::Null),
            Node::String(s) => Value::String(s.to_string()),
            Node::Array(items) => Value::Array(items.iter().map(JsonView::to_value).collect()),
            Node::Object(entries) => Value::Object(
                entries
                    .iter()
                    .map(|(k, v)| (k.to_string(), v.to_value()))
                    .collect(),
            ),
        }
    }
}

/// Builds a [`Node`]; also used to finish a subtree the streaming matcher cannot check in one pass.
pub(crate) struct NodeVisitor;

/// An object key that borrows from the input when it can.
pub(crate) struct Key<'a>(pub(crate) Cow<'a, str>);

impl<'de> Deserialize<'de> for Key<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct KeyVisitor;
        impl<'de> Visitor<'de> for KeyVisitor {
            type Value = Key<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an object key")
            }
            fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Borrowed(v)))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Owned(v.to_string())))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Owned(v)))
            }
        }
        deserializer.deserialize_str(KeyVisitor)
    }
}

impl<'de> Visitor<'de> for NodeVisitor {
    type Value = Node<'de>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_unit<E>(self) -> Result<Node<'de>, E> {
        Ok(Node::Null)
    }
    fn visit_bool<E>(self, v: bool) -> Result<Node<'de>, E> {
        Ok(Node::Bool(v))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Node<'de>, E> {
        Ok(Node::Number(Num::Int(v)))
    }
    fn visit_u64<E>(self, v: u64) -> Result<Node<'de>, E> {
        Ok(match i64::try_from(v) {
            Ok(i) => Node::Number(Num::Int(i)),
            Err(_) => Node::Number(Num::UInt(v)),
        })
    }
    fn visit_f64<E>(self, v: f64) -> Result<Node<'de>, E> {
        Ok(Node::Number(Num::Float(v)))
    }
    fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Node<'de>, E> {
        Ok(Node::String(Cow::Borrowed(v)))
    }
    fn visit_str<E>(self, v: &str) -> Result<Node<'de>, E> {
        Ok(Node::String(Cow::Owned(v.to_string())))
    }
    fn visit_string<E>(self, v: String) -> Result<Node<'de>, E> {
        Ok(Node::String(Cow::Owned(v)))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Node<'de>, A::Error> {
        let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(4));
        while let Some(item) = seq.next_element::<Node<'de>>()? {
            items.push(item);
        }
        Ok(Node::Array(items))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Node<'de>, A::Error> {
        // serde_json gives no size hint for objects; start with room for a typical object
        // rather than growing through 1, 2, 4, 8.
        let mut entries = Vec::with_capacity(map.size_hint().unwrap_or(8));
        while let Some((Key(k), v)) = map.next_entry::<Key<'de>, Node<'de>>()? {
            entries.push((k, v));
        }
        Ok(Node::Object(entries))
    }
}

impl<'de> Deserialize<'de> for Node<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(NodeVisitor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn parses_to_the_same_document_as_serde_json() {
        let text = r#"{"a": [1, -2, 3.5, 18446744073709551615], "b\"q": "x\ny", "c": {"d": null, "e": true}, "a": "dup"}"#;
        let node = Node::parse(text).unwrap();
        let value: Value = serde_json::from_str(text).unwrap();
        assert_eq!(node.to_value(), value);
        assert_eq!(
            node.get("a").and_then(JsonView::as_str),
            Some("dup"),
            "last duplicate wins"
        );
        assert!(matches!(node.get("c"), Some(Node::Object(_))));
        assert_eq!(JsonView::as_number(&json!(1)), Some(Num::Int(1)));
    }

    #[test]
    fn strings_without_escapes_are_borrowed() {
        let node = Node::parse(r#"["plain", "esc\u0041"]"#).unwrap();
        let items = node.array().unwrap();
        assert!(matches!(&items[0], Node::String(Cow::Borrowed("plain"))));
        assert!(matches!(&items[1], Node::String(Cow::Owned(s)) if s == "escA"));
    }
}
