//! JSON objects taken apart member by member, for the contract readers.
//!
//! A reader asks an object for its members one at a time ([`Members`]). Read from a document's
//! text, an object is scanned once to split it, each member stays text until it is read, and
//! only what the model keeps as JSON (bodies, metadata, unknown fields) becomes a `Value`: no
//! tree of a whole interaction, request or response is built. Read from a `Value` tree, the
//! same readers move its parts into the model. One reader serves both.

use std::borrow::Cow;

use serde::de::{DeserializeSeed, MapAccess, SeqAccess, Visitor};
use serde_json::value::RawValue;
use serde_json::{Map, Value};

use super::ContractError;

/// An object's members in the order written, each a [`Member`]. A repeated name's last value
/// is the one read, as in a parsed tree.
pub(super) struct Members<'a>(pub(super) Vec<(Cow<'a, str>, Member<'a>)>);

/// One JSON value, as the readers receive it.
pub(super) enum Member<'a> {
    /// Its text, borrowed from a document already checked to be well-formed.
    Text(&'a str),
    /// A value already parsed: part of a tree the readers were given, or a scalar the first
    /// pass met where an object or array was expected.
    Tree(Value),
    /// An object of a document's text, already split into its members (an interaction, its
    /// request or its response: the first pass over a pact splits them, see [`Split`]).
    Object(Members<'a>),
    /// An array of a document's text, already split into its elements.
    Array(Vec<Member<'a>>),
}

impl<'a> Member<'a> {
    /// What JSON type this is, for messages.
    pub(super) fn kind(&self) -> &'static str {
        match self {
            Member::Text(text) => kind_of_text(text),
            Member::Tree(value) => kind_of(value),
            Member::Object(_) => "an object",
            Member::Array(_) => "an array",
        }
    }

    pub(super) fn is_null(&self) -> bool {
        match self {
            Member::Text(text) => *text == "null",
            Member::Tree(value) => value.is_null(),
            Member::Object(_) | Member::Array(_) => false,
        }
    }

    /// This object's members, or an error at `at` saying that `what` must be an object and
    /// what it is instead.
    pub(super) fn members(self, at: &str, what: &str) -> Result<Members<'a>, ContractError> {
        self.members_split(at, what, &[])
    }

    /// [`Member::members`], splitting the members named in `parts` in the same pass (see
    /// [`Split`]) when the object is still text.
    pub(super) fn members_split(
        self,
        at: &str,
        what: &str,
        parts: &'static [&'static str],
    ) -> Result<Members<'a>, ContractError> {
        match self {
            Member::Object(members) => Ok(members),
            Member::Text(text) if text.starts_with('{') => {
                let mut reader = serde_json::Deserializer::from_str(text);
                let split = Split::members(parts)
                    .deserialize(&mut reader)
                    .and_then(|split| reader.end().map(|()| split))
                    .map_err(|e| ContractError::caused_by(at, e))?;
                // An object's text splits into a `Member::Object`.
                split.members_split(at, what, parts)
            }
            Member::Tree(Value::Object(map)) => Ok(Members(
                map.into_iter()
                    .map(|(name, value)| (Cow::Owned(name), Member::Tree(value)))
                    .collect(),
            )),
            other => Err(ContractError::new(
                at,
                format!("{what} must be a JSON object, found {}", other.kind()),
            )),
        }
    }

    /// This array's elements; itself when it is not an array.
    pub(super) fn elements(self) -> Result<Vec<Member<'a>>, Self> {
        match self {
            Member::Array(items) => Ok(items),
            Member::Tree(Value::Array(items)) => Ok(items.into_iter().map(Member::Tree).collect()),
            Member::Text(text) if text.starts_with('[') => {
                match serde_json::from_str::<Vec<&RawValue>>(text) {
                    Ok(items) => Ok(items
                        .into_iter()
                        .map(|raw| Member::Text(raw.get()))
                        .collect()),
                    Err(_) => Err(self),
                }
            }
            other => Err(other),
        }
    }

    /// The boolean this is, if it is one.
    pub(super) fn as_bool(&self) -> Option<bool> {
        match self {
            Member::Text("true") | Member::Tree(Value::Bool(true)) => Some(true),
            Member::Text("false") | Member::Tree(Value::Bool(false)) => Some(false),
            _ => None,
        }
    }

    /// The string this is, if it is one.
    pub(super) fn as_str(&self) -> Option<Cow<'_, str>> {
        match self {
            Member::Text(text) if text.starts_with('"') => {
                serde_json::from_str::<Name>(text).ok().map(|name| name.0)
            }
            Member::Tree(Value::String(s)) => Some(Cow::Borrowed(s)),
            _ => None,
        }
    }

    /// The JSON text this was read from, when it was.
    pub(super) fn text(&self) -> Option<&'a str> {
        match self {
            Member::Text(text) => Some(text),
            _ => None,
        }
    }

    /// The value as a tree; `at` (where it is) is built only for an error.
    pub(super) fn into_value(self, at: &dyn Fn() -> String) -> Result<Value, ContractError> {
        Ok(match self {
            Member::Text(text) => parse(text, at)?,
            Member::Tree(value) => value,
            Member::Object(members) => Value::Object(members.extra(&[], &at())?),
            Member::Array(items) => Value::Array(
                items
                    .into_iter()
                    .enumerate()
                    .map(|(i, item)| item.into_value(&|| format!("{}[{i}]", at())))
                    .collect::<Result<_, _>>()?,
            ),
        })
    }
}

impl<'a> Members<'a> {
    /// The member named `key`, left in place.
    pub(super) fn get(&self, key: &str) -> Option<&Member<'a>> {
        self.0
            .iter()
            .rev()
            .find(|(name, _)| name == key)
            .map(|(_, member)| member)
    }

    /// The member named `key`, taken out to be read (and so left out of [`Members::extra`]).
    pub(super) fn take(&mut self, key: &str) -> Option<Member<'a>> {
        let last = self.0.iter().rposition(|(name, _)| name == key)?;
        let (_, member) = self.0.remove(last);
        self.0.retain(|(name, _)| name != key);
        Some(member)
    }

    /// [`Members::take`], unless the member is absent or `null`.
    pub(super) fn take_given(&mut self, key: &str) -> Option<Member<'a>> {
        self.take(key).filter(|member| !member.is_null())
    }

    /// The member named `key` as a tree.
    pub(super) fn value(&mut self, key: &str, at: &str) -> Result<Option<Value>, ContractError> {
        self.take(key)
            .map(|member| member.into_value(&|| format!("{at}.{key}")))
            .transpose()
    }

    /// A string member; absent or `null` is `None`.
    pub(super) fn string(&mut self, key: &str, at: &str) -> Result<Option<String>, ContractError> {
        match self.take_given(key) {
            None => Ok(None),
            Some(Member::Tree(Value::String(s))) => Ok(Some(s)),
            Some(Member::Text(text)) if text.starts_with('"') => {
                parse(text, || format!("{at}.{key}")).map(Some)
            }
            Some(other) => Err(ContractError::new(
                format!("{at}.{key}"),
                format!("expected a string, found {}", other.kind()),
            )),
        }
    }

    /// An object member kept as JSON; absent or `null` is an empty object.
    pub(super) fn object(
        &mut self,
        key: &str,
        at: &str,
    ) -> Result<Map<String, Value>, ContractError> {
        match self.take_given(key) {
            None => Ok(Map::new()),
            Some(Member::Tree(Value::Object(map))) => Ok(map),
            Some(Member::Text(text)) if text.starts_with('{') => {
                parse(text, || format!("{at}.{key}"))
            }
            Some(other) => Err(ContractError::new(
                format!("{at}.{key}"),
                format!("expected an object, found {}", other.kind()),
            )),
        }
    }

    /// The members not taken and not named in `known`, as trees: what the model keeps as
    /// `extra`.
    pub(super) fn extra(
        self,
        known: &[&str],
        at: &str,
    ) -> Result<Map<String, Value>, ContractError> {
        let mut extra = Map::new();
        for (name, member) in self.0 {
            if !known.contains(&name.as_ref()) {
                let value = member.into_value(&|| format!("{at}.{name}"))?;
                extra.insert(name.into_owned(), value);
            }
        }
        Ok(extra)
    }
}

/// Reads a value of a document's text as a [`Member`]: an object or array split, and within an
/// object the members named in `parts` split in turn, the others kept as text.
#[derive(Clone, Copy)]
pub(super) struct Split {
    parts: &'static [&'static str],
    /// An array's elements kept as their texts, to be split one at a time as they are read.
    elements_as_text: bool,
}

impl Split {
    /// Splits an object, and its members named in `parts`.
    pub(super) const fn members(parts: &'static [&'static str]) -> Self {
        Split {
            parts,
            elements_as_text: false,
        }
    }

    /// Reads an interaction list: an array's elements kept as their texts (so a pass over a
    /// contract of 100,000 small interactions holds a slice per interaction, not all their
    /// members); anything else as a split value, to say what it is.
    pub(super) const INTERACTION_LIST: Self = Split {
        parts: &[],
        elements_as_text: true,
    };
}

impl<'de> DeserializeSeed<'de> for Split {
    type Value = Member<'de>;

    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Split {
    type Value = Member<'de>;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_map<M: MapAccess<'de>>(self, mut map: M) -> Result<Self::Value, M::Error> {
        let mut members = Vec::with_capacity(map.size_hint().unwrap_or(8));
        while let Some(Name(name)) = map.next_key()? {
            let member = if self.parts.contains(&name.as_ref()) {
                map.next_value_seed(Split::members(&[]))?
            } else {
                Member::Text(map.next_value::<&RawValue>()?.get())
            };
            members.push((name, member));
        }
        Ok(Member::Object(Members(members)))
    }

    fn visit_seq<S: SeqAccess<'de>>(self, mut seq: S) -> Result<Self::Value, S::Error> {
        let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(0));
        if self.elements_as_text {
            while let Some(item) = seq.next_element::<&RawValue>()? {
                items.push(Member::Text(item.get()));
            }
        } else {
            while let Some(item) = seq.next_element_seed(self)? {
                items.push(item);
            }
        }
        Ok(Member::Array(items))
    }

    // Scalars where an object or array was expected: kept to say what they are.
    fn visit_str<E>(self, v: &str) -> Result<Self::Value, E> {
        Ok(Member::Tree(Value::String(v.to_string())))
    }
    fn visit_bool<E>(self, v: bool) -> Result<Self::Value, E> {
        Ok(Member::Tree(Value::Bool(v)))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Self::Value, E> {
        Ok(Member::Tree(Value::from(v)))
    }
    fn visit_u64<E>(self, v: u64) -> Result<Self::Value, E> {
        Ok(Member::Tree(Value::from(v)))
    }
    fn visit_f64<E>(self, v: f64) -> Result<Self::Value, E> {
        Ok(Member::Tree(Value::from(v)))
    }
    fn visit_unit<E>(self) -> Result<Self::Value, E> {
        Ok(Member::Tree(Value::Null))
    }
}

/// A member's name: borrowed from the text unless it holds escapes.
#[derive(serde::Deserialize)]
struct Name<'a>(#[serde(borrow)] Cow<'a, str>);

/// Parses one value's text (well-formed: taken from a checked document); `at` is built only
/// for an error.
fn parse<'a, T: serde::Deserialize<'a>>(
    text: &'a str,
    at: impl FnOnce() -> String,
) -> Result<T, ContractError> {
    serde_json::from_str(text).map_err(|e| ContractError::caused_by(at(), e))
}

/// A short name for a JSON value's type, for messages.
pub(super) fn kind_of(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// A short name for the JSON type of a value's (well-formed) text, for messages.
pub(super) fn kind_of_text(text: &str) -> &'static str {
    match text.as_bytes().first() {
        Some(b'{') => "an object",
        Some(b'[') => "an array",
        Some(b'"') => "a string",
        Some(b't' | b'f') => "a boolean",
        Some(b'n') => "null",
        _ => "a number",
    }
}
