//! Reading pact JSON of every spec version into the model.
//!
//! Every function takes the JSON path of the value it reads (`at`) so that errors say exactly
//! where the problem is. The readers take the parsed JSON by value and move its parts (bodies,
//! metadata, unknown fields) into the model: a contract costs one parse, never a copy of its
//! bodies.

use base64::Engine as _;
use serde_json::value::RawValue;
use serde_json::{Map, Value};

use super::body::{Body, BodyContent, ContentKind, Headers, Query, parse_query_string};
use super::{
    ContractError, Generators, Interaction, InteractionKind, MatchingRules, Message, Pact,
    Pacticipant, ProviderState, Request, Response, SpecVersion,
};

const PACT_FIELDS: &[&str] = &[
    "consumer",
    "provider",
    "interactions",
    "messages",
    "metadata",
];
const INTERACTION_FIELDS: &[&str] = &[
    "type",
    "description",
    "providerState",
    "provider_state",
    "providerStates",
    "key",
    "pending",
    "comments",
    "pluginConfiguration",
    "request",
    "response",
];
const MESSAGE_FIELDS: &[&str] = &[
    "contents",
    "metadata",
    "metaData",
    "matchingRules",
    "generators",
];
const REQUEST_FIELDS: &[&str] = &[
    "method",
    "path",
    "query",
    "headers",
    "body",
    "matchingRules",
    "generators",
];
const RESPONSE_FIELDS: &[&str] = &["status", "headers", "body", "matchingRules", "generators"];

fn object(value: Value, at: &str, what: &str) -> Result<Map<String, Value>, ContractError> {
    match value {
        Value::Object(map) => Ok(map),
        other => Err(ContractError::new(
            at,
            format!("{what} must be a JSON object, found {}", kind_of(&other)),
        )),
    }
}

/// [`object`] for a value that is only looked at.
fn object_ref<'a>(
    value: &'a Value,
    at: &str,
    what: &str,
) -> Result<&'a Map<String, Value>, ContractError> {
    value.as_object().ok_or_else(|| {
        ContractError::new(
            at,
            format!("{what} must be a JSON object, found {}", kind_of(value)),
        )
    })
}

/// A short name for a JSON value's type, for messages.
pub(crate) fn kind_of(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// What is left of `obj` once the fields pactum reads are dropped.
fn extra(mut obj: Map<String, Value>, known: &[&str]) -> Map<String, Value> {
    obj.retain(|k, _| !known.contains(&k.as_str()));
    obj
}

fn string_field(
    obj: &Map<String, Value>,
    key: &str,
    at: &str,
) -> Result<Option<String>, ContractError> {
    match obj.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(other) => Err(ContractError::new(
            format!("{at}.{key}"),
            format!("expected a string, found {}", kind_of(other)),
        )),
    }
}

/// Reads the spec version a pact file declares; `None` when it declares none.
fn declared_version(obj: &Map<String, Value>) -> Result<Option<SpecVersion>, ContractError> {
    let Some(metadata) = obj.get("metadata").and_then(Value::as_object) else {
        return Ok(None);
    };
    for key in [
        "pactSpecification",
        "pact-specification",
        "pactSpecificationVersion",
    ] {
        let raw = match metadata.get(key) {
            Some(Value::Object(o)) => o.get("version").and_then(Value::as_str),
            Some(Value::String(s)) => Some(s.as_str()),
            _ => None,
        };
        if let Some(raw) = raw {
            return SpecVersion::parse(raw).map(Some).ok_or_else(|| {
                ContractError::new(
                    format!("$.metadata.{key}.version"),
                    format!("unknown Pact specification version '{raw}'; expected 1.0.0, 1.1.0, 2.0.0, 3.0.0 or 4.0"),
                )
            });
        }
    }
    Ok(None)
}

fn pacticipant(obj: &mut Map<String, Value>, key: &str) -> Result<Pacticipant, ContractError> {
    let at = format!("$.{key}");
    let v = obj
        .remove(key)
        .ok_or_else(|| ContractError::new("$", format!("the pact has no \"{key}\"")))?;
    let o = object(v, &at, &format!("\"{key}\""))?;
    let name = string_field(&o, "name", &at)?
        .filter(|n| !n.trim().is_empty())
        .ok_or_else(|| ContractError::new(&at, format!("the {key} needs a non-empty \"name\"")))?;
    Ok(Pacticipant {
        name,
        extra: extra(o, &["name"]),
    })
}

/// Where [`assemble`] puts interactions as they are read.
pub(super) trait Interactions {
    /// `count` interactions are coming.
    fn expect(&mut self, count: usize);
    /// One more, in order.
    fn take(&mut self, interaction: Interaction);
}

impl Interactions for Vec<Interaction> {
    /// Sized up front: growing by doubling would briefly hold twice the interactions.
    fn expect(&mut self, count: usize) {
        self.reserve_exact(count);
    }

    fn take(&mut self, interaction: Interaction) {
        self.push(interaction);
    }
}

/// Collects the interactions [`visit_text`] and [`assemble`] hand over, into the pact.
fn collected(
    read: impl FnOnce(&mut dyn Interactions) -> Result<Pact, ContractError>,
) -> Result<Pact, ContractError> {
    let mut interactions = Vec::new();
    let mut pact = read(&mut interactions)?;
    pact.interactions = interactions;
    Ok(pact)
}

pub(super) fn pact(value: Value) -> Result<Pact, ContractError> {
    collected(|each| visit_value(value, each))
}

/// [`pact`], handing each interaction to `each` as it is read; the pact returned has none.
fn visit_value(value: Value, each: &mut dyn Interactions) -> Result<Pact, ContractError> {
    let mut obj = object(value, "$", "a pact")?;
    let is_message_pact = !obj.contains_key("interactions") && obj.contains_key("messages");
    let items = match (obj.remove("interactions"), obj.remove("messages")) {
        (Some(interactions), _) => Some(interactions),
        (None, messages) => messages,
    };
    let items = match items {
        None => Ok(Items::Parsed(Vec::new())),
        Some(Value::Array(items)) => Ok(Items::Parsed(items)),
        Some(other) => Err(not_an_array(is_message_pact, &other)),
    };
    assemble(obj, is_message_pact, items, &mut |_| {}, each)
}

/// Reads a pact from its JSON text; malformed JSON is an error where the reader meets it.
///
/// Unlike [`pact`], the interactions are kept as text until each is read: only one
/// interaction's JSON tree exists at a time. A tree costs far more than its text (every object
/// is a B-tree node of several hundred bytes), so building the whole file's tree first made
/// loading a contract cost ~20× its size in memory.
pub(super) fn pact_from_text(text: &str) -> Result<Pact, ContractError> {
    collected(|each| visit_text(text, &mut |_| {}, each))
}

/// [`pact_from_text`], handing each interaction to `each` as it is read instead of keeping it
/// (the pact returned has none), so not even the model of every interaction exists at once;
/// `adjust` may change each interaction's JSON before it is read.
pub(super) fn visit_text(
    text: &str,
    adjust: &mut dyn FnMut(&mut Value),
    each: &mut dyn Interactions,
) -> Result<Pact, ContractError> {
    let invalid = |e: serde_json::Error| ContractError::caused_by("$", e);
    if !text.trim_start().starts_with('{') {
        return visit_value(serde_json::from_str(text).map_err(invalid)?, each);
    }
    let top: TopFields = serde_json::from_str(text).map_err(invalid)?;
    let is_message_pact = top.interactions.is_none() && top.messages.is_some();
    let mut obj = Map::new();
    for (key, raw) in top.fields {
        obj.insert(key, serde_json::from_str(raw.get()).map_err(invalid)?);
    }
    let items = match top.interactions.or(top.messages) {
        None => Ok(Items::Raw(Vec::new())),
        Some(ItemList::Array(items)) => Ok(Items::Raw(items)),
        Some(ItemList::Not(other)) => Err(not_an_array(is_message_pact, &other)),
    };
    assemble(obj, is_message_pact, items, adjust, each)
}

/// An interaction list as read from a pact's text.
enum ItemList<'a> {
    /// Its elements' texts.
    Array(Vec<&'a RawValue>),
    /// Not an array: an empty value of its JSON type, to say what it is.
    Not(Value),
}

/// A pact's top-level object read from its text in one pass: `interactions` and `messages`
/// element by element, every other field as its text (a repeated key: the last one).
struct TopFields<'a> {
    fields: std::collections::BTreeMap<String, &'a RawValue>,
    interactions: Option<ItemList<'a>>,
    messages: Option<ItemList<'a>>,
}

impl<'de> serde::Deserialize<'de> for TopFields<'de> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_map(TopFieldsVisitor)
    }
}

struct TopFieldsVisitor;

impl<'de> serde::de::Visitor<'de> for TopFieldsVisitor {
    type Value = TopFields<'de>;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a pact object")
    }

    fn visit_map<M: serde::de::MapAccess<'de>>(self, mut map: M) -> Result<Self::Value, M::Error> {
        let mut top = TopFields {
            fields: std::collections::BTreeMap::new(),
            interactions: None,
            messages: None,
        };
        while let Some(key) = map.next_key::<String>()? {
            match key.as_str() {
                "interactions" => top.interactions = Some(map.next_value_seed(ListVisitor)?),
                "messages" => top.messages = Some(map.next_value_seed(ListVisitor)?),
                _ => {
                    top.fields.insert(key, map.next_value()?);
                }
            }
        }
        Ok(top)
    }
}

/// Reads an interaction list: its elements' texts, or what it is instead of an array.
struct ListVisitor;

impl<'de> serde::de::DeserializeSeed<'de> for ListVisitor {
    type Value = ItemList<'de>;

    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> serde::de::Visitor<'de> for ListVisitor {
    type Value = ItemList<'de>;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a list of interactions")
    }
    fn visit_seq<S: serde::de::SeqAccess<'de>>(self, mut seq: S) -> Result<Self::Value, S::Error> {
        let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(0));
        while let Some(item) = seq.next_element::<&RawValue>()? {
            items.push(item);
        }
        Ok(ItemList::Array(items))
    }
    fn visit_map<M: serde::de::MapAccess<'de>>(self, mut map: M) -> Result<Self::Value, M::Error> {
        while map
            .next_entry::<serde::de::IgnoredAny, serde::de::IgnoredAny>()?
            .is_some()
        {}
        Ok(ItemList::Not(Value::Object(Map::new())))
    }
    fn visit_str<E>(self, _: &str) -> Result<Self::Value, E> {
        Ok(ItemList::Not(Value::String(String::new())))
    }
    fn visit_bool<E>(self, v: bool) -> Result<Self::Value, E> {
        Ok(ItemList::Not(Value::Bool(v)))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Self::Value, E> {
        Ok(ItemList::Not(Value::from(v)))
    }
    fn visit_u64<E>(self, v: u64) -> Result<Self::Value, E> {
        Ok(ItemList::Not(Value::from(v)))
    }
    fn visit_f64<E>(self, v: f64) -> Result<Self::Value, E> {
        Ok(ItemList::Not(Value::from(v)))
    }
    fn visit_unit<E>(self) -> Result<Self::Value, E> {
        Ok(ItemList::Not(Value::Null))
    }
}

/// A pact's interactions before they are read into the model.
enum Items<'a> {
    /// Already parsed.
    Parsed(Vec<Value>),
    /// Still text, parsed one at a time as they are read.
    Raw(Vec<&'a RawValue>),
}

impl Items<'_> {
    fn len(&self) -> usize {
        match self {
            Items::Parsed(items) => items.len(),
            Items::Raw(items) => items.len(),
        }
    }

    /// Whether any interaction has a `type` field (V4's mark).
    fn any_typed(&self) -> bool {
        /// Whether an object has a `type` key, whatever its value, without building it.
        #[derive(serde::Deserialize)]
        struct TypeField {
            #[serde(rename = "type", default, deserialize_with = "present")]
            present: bool,
        }
        fn present<'de, D: serde::Deserializer<'de>>(d: D) -> Result<bool, D::Error> {
            serde::de::IgnoredAny::deserialize(d).map(|_| true)
        }
        use serde::Deserialize as _;
        match self {
            Items::Parsed(items) => items.iter().any(|i| i.get("type").is_some()),
            Items::Raw(items) => items.iter().any(|raw| {
                serde_json::from_str::<TypeField>(raw.get()).is_ok_and(|probe| probe.present)
            }),
        }
    }
}

fn not_an_array(is_message_pact: bool, found: &Value) -> ContractError {
    ContractError::new(
        format!("$.{}", items_key(is_message_pact)),
        format!(
            "expected an array of interactions, found {}",
            kind_of(found)
        ),
    )
}

fn items_key(is_message_pact: bool) -> &'static str {
    if is_message_pact {
        "messages"
    } else {
        "interactions"
    }
}

/// The pact from its top-level fields (interactions removed) and its interactions (or why
/// they are not an array, reported after the pacticipants' errors). Each interaction's JSON is
/// given to `adjust`, then read and handed to `each`; the pact returned has none.
fn assemble(
    mut obj: Map<String, Value>,
    is_message_pact: bool,
    items: Result<Items, ContractError>,
    adjust: &mut dyn FnMut(&mut Value),
    each: &mut dyn Interactions,
) -> Result<Pact, ContractError> {
    let consumer = pacticipant(&mut obj, "consumer")?;
    let provider = pacticipant(&mut obj, "provider")?;
    let items = items?;
    let spec = match declared_version(&obj)? {
        Some(v) => v,
        // Undeclared: V4 interactions carry a `type`; otherwise treat as V3 (which also reads V2).
        None if items.any_typed() => SpecVersion::V4,
        None => SpecVersion::V3,
    };
    let key = items_key(is_message_pact);
    each.expect(items.len());
    let mut read = |i: usize, mut item: Value| {
        adjust(&mut item);
        each.take(interaction(
            item,
            spec,
            is_message_pact,
            &format!("$.{key}[{i}]"),
        )?);
        Ok::<(), ContractError>(())
    };
    match items {
        Items::Parsed(items) => {
            for (i, item) in items.into_iter().enumerate() {
                read(i, item)?;
            }
        }
        Items::Raw(items) => {
            for (i, raw) in items.into_iter().enumerate() {
                let item = serde_json::from_str(raw.get())
                    .map_err(|e| ContractError::caused_by(format!("$.{key}[{i}]"), e))?;
                read(i, item)?;
            }
        }
    }
    let metadata = match obj.remove("metadata") {
        Some(Value::Object(metadata)) => metadata,
        _ => Map::new(),
    };
    Ok(Pact {
        consumer,
        provider,
        interactions: Vec::new(),
        metadata,
        spec,
        extra: extra(obj, PACT_FIELDS),
    })
}

/// The kinds of interaction, by their V4 `type`.
enum KindName {
    Http,
    AsyncMessage,
    SyncMessage,
}

fn interaction(
    value: Value,
    spec: SpecVersion,
    in_message_pact: bool,
    at: &str,
) -> Result<Interaction, ContractError> {
    let mut obj = object(value, at, "an interaction")?;
    let description = string_field(&obj, "description", at)?
        .ok_or_else(|| ContractError::new(at, "the interaction has no \"description\""))?;
    let provider_states = provider_states(&obj, at)?;
    let kind_name = match obj.get("type") {
        Some(Value::String(t)) => Some(t.as_str()),
        Some(other) => {
            return Err(ContractError::new(
                format!("{at}.type"),
                format!("expected a string, found {}", kind_of(other)),
            ));
        }
        None => None,
    };
    let kind_name = match kind_name {
        Some("Synchronous/HTTP") => KindName::Http,
        Some("Asynchronous/Messages") => KindName::AsyncMessage,
        Some("Synchronous/Messages") => KindName::SyncMessage,
        Some(other) => {
            return Err(ContractError::new(
                format!("{at}.type"),
                format!(
                    "unknown interaction type '{other}'; expected Synchronous/HTTP, \
                     Asynchronous/Messages or Synchronous/Messages"
                ),
            ));
        }
        None if in_message_pact => KindName::AsyncMessage,
        None if spec >= SpecVersion::V4 && obj.contains_key("contents") => KindName::AsyncMessage,
        None => KindName::Http,
    };
    let kind = match kind_name {
        KindName::Http => {
            let req = obj
                .remove("request")
                .ok_or_else(|| ContractError::new(at, "an HTTP interaction needs a \"request\""))?;
            let res = obj.remove("response").ok_or_else(|| {
                ContractError::new(at, "an HTTP interaction needs a \"response\"")
            })?;
            InteractionKind::Http {
                request: request(req, spec, &format!("{at}.request"))?,
                response: response(res, spec, &format!("{at}.response"))?,
            }
        }
        KindName::AsyncMessage => {
            // The message's fields sit on the interaction itself.
            let fields: Map<String, Value> = MESSAGE_FIELDS
                .iter()
                .filter_map(|key| obj.remove(*key).map(|v| (key.to_string(), v)))
                .collect();
            InteractionKind::AsyncMessage(message(Value::Object(fields), spec, at)?)
        }
        KindName::SyncMessage => {
            let req = obj.remove("request").ok_or_else(|| {
                ContractError::new(at, "a synchronous message interaction needs a \"request\"")
            })?;
            let responses = match obj.remove("response") {
                None | Some(Value::Null) => Vec::new(),
                Some(Value::Array(items)) => items
                    .into_iter()
                    .enumerate()
                    .map(|(i, r)| message(r, spec, &format!("{at}.response[{i}]")))
                    .collect::<Result<Vec<_>, _>>()?,
                Some(single @ Value::Object(_)) => {
                    vec![message(single, spec, &format!("{at}.response"))?]
                }
                Some(other) => {
                    return Err(ContractError::new(
                        format!("{at}.response"),
                        format!("expected an array of messages, found {}", kind_of(&other)),
                    ));
                }
            };
            InteractionKind::SyncMessage {
                request: message(req, spec, &format!("{at}.request"))?,
                responses,
            }
        }
    };
    let pending = match obj.get("pending") {
        None | Some(Value::Null) => false,
        Some(Value::Bool(b)) => *b,
        Some(other) => {
            return Err(ContractError::new(
                format!("{at}.pending"),
                format!("expected true or false, found {}", kind_of(other)),
            ));
        }
    };
    let key = string_field(&obj, "key", at)?;
    let mut map_field = |key: &str| -> Result<Map<String, Value>, ContractError> {
        match obj.remove(key) {
            None | Some(Value::Null) => Ok(Map::new()),
            Some(Value::Object(o)) => Ok(o),
            Some(other) => Err(ContractError::new(
                format!("{at}.{key}"),
                format!("expected an object, found {}", kind_of(&other)),
            )),
        }
    };
    let comments = map_field("comments")?;
    let plugin_configuration = map_field("pluginConfiguration")?;
    Ok(Interaction {
        description,
        provider_states,
        key,
        pending,
        comments,
        plugin_configuration,
        kind,
        extra: extra(obj, INTERACTION_FIELDS),
    })
}

pub(super) fn provider_states(
    obj: &Map<String, Value>,
    at: &str,
) -> Result<Vec<ProviderState>, ContractError> {
    if let Some(states) = obj.get("providerStates") {
        let at = format!("{at}.providerStates");
        let items = match states {
            Value::Array(items) => items,
            Value::Null => return Ok(Vec::new()),
            other => {
                return Err(ContractError::new(
                    at,
                    format!(
                        "expected an array of provider states, found {}",
                        kind_of(other)
                    ),
                ));
            }
        };
        return items
            .iter()
            .enumerate()
            .map(|(i, s)| {
                let at = format!("{at}[{i}]");
                if let Value::String(name) = s {
                    return Ok(ProviderState {
                        name: name.clone(),
                        params: Map::new(),
                    });
                }
                let o = object_ref(s, &at, "a provider state")?;
                let name = string_field(o, "name", &at)?
                    .ok_or_else(|| ContractError::new(&at, "a provider state needs a \"name\""))?;
                let params = match o.get("params") {
                    None | Some(Value::Null) => Map::new(),
                    Some(Value::Object(p)) => p.clone(),
                    Some(other) => {
                        return Err(ContractError::new(
                            format!("{at}.params"),
                            format!("expected an object, found {}", kind_of(other)),
                        ));
                    }
                };
                Ok(ProviderState { name, params })
            })
            .collect();
    }
    for key in ["providerState", "provider_state"] {
        if let Some(name) = string_field(obj, key, at)?
            && !name.is_empty()
        {
            return Ok(vec![ProviderState {
                name,
                params: Map::new(),
            }]);
        }
    }
    Ok(Vec::new())
}

fn headers(value: Option<&Value>, at: &str) -> Result<Headers, ContractError> {
    let mut out = Headers::new();
    let Some(value) = value else { return Ok(out) };
    if value.is_null() {
        return Ok(out);
    }
    let at = format!("{at}.headers");
    for (name, v) in object_ref(value, &at, "\"headers\"")? {
        let values = match v {
            Value::String(s) => vec![s.clone()],
            Value::Array(items) => items
                .iter()
                .enumerate()
                .map(|(i, item)| scalar_text(item, || format!("{at}['{name}'][{i}]")))
                .collect::<Result<Vec<_>, _>>()?,
            other => vec![scalar_text(other, || format!("{at}['{name}']"))?],
        };
        out.set(name, values);
    }
    Ok(out)
}

/// A header or parameter value as text; `at` (where it is, for an error) is only built for an
/// error, since every header of every interaction comes through here.
fn scalar_text(value: &Value, at: impl FnOnce() -> String) -> Result<String, ContractError> {
    match value {
        Value::String(s) => Ok(s.clone()),
        Value::Number(n) => Ok(n.to_string()),
        Value::Bool(b) => Ok(b.to_string()),
        Value::Null => Ok(String::new()),
        other => Err(ContractError::new(
            at(),
            format!("expected a string, found {}", kind_of(other)),
        )),
    }
}

fn query(value: Option<&Value>, at: &str) -> Result<Query, ContractError> {
    let at = format!("{at}.query");
    match value {
        None | Some(Value::Null) => Ok(Query::new()),
        Some(Value::String(raw)) => Ok(parse_query_string(raw)),
        Some(Value::Object(map)) => {
            let mut out = Query::new();
            for (name, v) in map {
                let values = match v {
                    Value::Array(items) => items
                        .iter()
                        .enumerate()
                        .map(|(i, item)| scalar_text(item, || format!("{at}['{name}'][{i}]")))
                        .collect::<Result<Vec<_>, _>>()?,
                    other => vec![scalar_text(other, || format!("{at}['{name}']"))?],
                };
                out.insert(name.clone(), values);
            }
            Ok(out)
        }
        Some(other) => Err(ContractError::new(
            at,
            format!(
                "expected a query string or an object of parameters, found {}",
                kind_of(other)
            ),
        )),
    }
}

/// Reads a body. `header_type` is the `Content-Type` header (or message content type) that
/// decides how a string body is interpreted.
fn body(
    value: Option<Value>,
    spec: SpecVersion,
    header_type: Option<&str>,
    at: &str,
) -> Result<Body, ContractError> {
    let Some(value) = value else {
        return Ok(Body::missing());
    };
    let mut o = match value {
        Value::Object(o)
            if spec >= SpecVersion::V4
                && (o.contains_key("content")
                    || o.contains_key("contentType")
                    || o.contains_key("encoded")) =>
        {
            o
        }
        plain => {
            return Ok(Body {
                content: plain_body(plain, header_type),
                content_type: None,
            });
        }
    };
    let declared = string_field(&o, "contentType", at)?;
    let content_type = declared.as_deref().or(header_type);
    let encoded = o.remove("encoded");
    let content = match o.remove("content") {
        None => BodyContent::Missing,
        Some(Value::Null) => BodyContent::Null,
        Some(content) => match encoded {
            None | Some(Value::Null) | Some(Value::Bool(false)) => {
                plain_body(content, content_type)
            }
            Some(Value::String(e)) if e.eq_ignore_ascii_case("json") => match content {
                Value::String(text) => match serde_json::from_str(&text) {
                    Ok(v) => BodyContent::Json(v),
                    Err(e) => {
                        return Err(ContractError::new(
                            format!("{at}.content"),
                            format!(
                                "the body is marked \"encoded\": \"json\" but is not valid JSON: {e}"
                            ),
                        ));
                    }
                },
                other => BodyContent::Json(other),
            },
            Some(Value::String(e)) if e.eq_ignore_ascii_case("base64") => {
                decode_base64(&content, content_type, at)?
            }
            Some(Value::Bool(true)) => decode_base64(&content, content_type, at)?,
            Some(other) => {
                return Err(ContractError::new(
                    format!("{at}.encoded"),
                    format!("expected false, \"base64\" or \"json\", found {other}"),
                ));
            }
        },
    };
    Ok(Body {
        content,
        content_type: declared,
    })
}

fn decode_base64(
    content: &Value,
    content_type: Option<&str>,
    at: &str,
) -> Result<BodyContent, ContractError> {
    let Value::String(text) = content else {
        return Err(ContractError::new(
            format!("{at}.content"),
            format!("a base64 body must be a string, found {}", kind_of(content)),
        ));
    };
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(text.trim())
        .map_err(|e| ContractError::new(format!("{at}.content"), format!("invalid base64: {e}")))?;
    Ok(Body::from_bytes(&bytes, content_type).content)
}

/// A body written directly as JSON: strings are the raw body text, interpreted by content
/// type; anything else is a JSON document.
fn plain_body(value: Value, content_type: Option<&str>) -> BodyContent {
    match value {
        Value::Null => BodyContent::Null,
        Value::String(s) if s.is_empty() => BodyContent::Empty,
        Value::String(s) => match content_type.map(ContentKind::of) {
            Some(ContentKind::Json) => match serde_json::from_str::<Value>(&s) {
                Ok(v) => BodyContent::Json(v),
                Err(_) => BodyContent::Text(s),
            },
            _ => BodyContent::Text(s),
        },
        other => BodyContent::Json(other),
    }
}

fn rules_and_generators(
    obj: &Map<String, Value>,
    at: &str,
) -> Result<(MatchingRules, Generators), ContractError> {
    let rules = match obj.get("matchingRules") {
        None | Some(Value::Null) => MatchingRules::default(),
        Some(v) => MatchingRules::from_json(v, &format!("{at}.matchingRules"))?,
    };
    let generators = match obj.get("generators") {
        None | Some(Value::Null) => Generators::default(),
        Some(v) => Generators::from_json(v, &format!("{at}.generators"))?,
    };
    Ok((rules, generators))
}

pub(super) fn request(value: Value, spec: SpecVersion, at: &str) -> Result<Request, ContractError> {
    let mut obj = object(value, at, "a request")?;
    let headers = headers(obj.get("headers"), at)?;
    let (matching_rules, generators) = rules_and_generators(&obj, at)?;
    let method = string_field(&obj, "method", at)?.unwrap_or_else(|| "GET".into());
    let path = string_field(&obj, "path", at)?.unwrap_or_else(|| "/".into());
    let query = query(obj.get("query"), at)?;
    let body = body(
        obj.remove("body"),
        spec,
        headers.first("content-type"),
        &format!("{at}.body"),
    )?;
    Ok(Request {
        method,
        path,
        query,
        body,
        headers,
        matching_rules,
        generators,
        extra: extra(obj, REQUEST_FIELDS),
    })
}

pub(super) fn response(
    value: Value,
    spec: SpecVersion,
    at: &str,
) -> Result<Response, ContractError> {
    let mut obj = object(value, at, "a response")?;
    let status = match obj.get("status") {
        None | Some(Value::Null) => 200,
        Some(Value::Number(n)) => n
            .as_u64()
            .filter(|s| (100..=999).contains(s))
            .map(|s| s as u16)
            .ok_or_else(|| {
                ContractError::new(
                    format!("{at}.status"),
                    format!("{n} is not an HTTP status code"),
                )
            })?,
        Some(Value::String(s)) => s
            .parse::<u16>()
            .ok()
            .filter(|s| (100..=999).contains(s))
            .ok_or_else(|| {
                ContractError::new(
                    format!("{at}.status"),
                    format!("'{s}' is not an HTTP status code"),
                )
            })?,
        Some(other) => {
            return Err(ContractError::new(
                format!("{at}.status"),
                format!("expected a status code, found {}", kind_of(other)),
            ));
        }
    };
    let headers = headers(obj.get("headers"), at)?;
    let (matching_rules, generators) = rules_and_generators(&obj, at)?;
    let body = body(
        obj.remove("body"),
        spec,
        headers.first("content-type"),
        &format!("{at}.body"),
    )?;
    Ok(Response {
        status,
        body,
        headers,
        matching_rules,
        generators,
        extra: extra(obj, RESPONSE_FIELDS),
    })
}

pub(super) fn message(value: Value, spec: SpecVersion, at: &str) -> Result<Message, ContractError> {
    let mut obj = object(value, at, "a message")?;
    let metadata = match obj.remove("metadata").or_else(|| obj.remove("metaData")) {
        None | Some(Value::Null) => Map::new(),
        Some(Value::Object(m)) => m,
        Some(other) => {
            return Err(ContractError::new(
                format!("{at}.metadata"),
                format!("expected an object, found {}", kind_of(&other)),
            ));
        }
    };
    let content_type = ["contentType", "content-type", "Content-Type"]
        .iter()
        .find_map(|k| metadata.get(*k).and_then(Value::as_str));
    let (matching_rules, generators) = rules_and_generators(&obj, at)?;
    let contents = body(
        obj.remove("contents"),
        spec,
        content_type,
        &format!("{at}.contents"),
    )?;
    Ok(Message {
        contents,
        metadata,
        matching_rules,
        generators,
        extra: extra(obj, MESSAGE_FIELDS),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// Reading from text (interactions parsed one at a time) gives exactly what reading the
    /// parsed tree gives: the same pact, or the same error at the same place.
    #[test]
    fn reading_from_text_equals_reading_the_tree() {
        let root = concat!(env!("CARGO_MANIFEST_DIR"), "/../../contracts/examples");
        let mut texts: Vec<String> = std::fs::read_dir(root)
            .unwrap()
            .map(|entry| std::fs::read_to_string(entry.unwrap().path()).unwrap())
            .collect();
        assert!(texts.len() >= 3, "the example contracts are there");
        let consumer = r#""consumer": {"name": "C"}, "provider": {"name": "P"}"#;
        texts.extend([
            // No declared version: V4 from a `type` field, even a null one.
            format!(r#"{{{consumer}, "interactions": [{{"type": null, "description": "d"}}]}}"#),
            format!(
                r#"{{{consumer}, "interactions": [{{"description": "d", "request": {{"method": "GET", "path": "/"}}, "response": {{"status": 200}}}}]}}"#
            ),
            // Messages only, and both (interactions win, messages are dropped).
            format!(
                r#"{{{consumer}, "messages": [{{"description": "m", "contents": {{"a": 1}}}}], "x": [1]}}"#
            ),
            format!(
                r#"{{{consumer}, "interactions": [], "messages": [{{"description": "m"}}], "metadata": {{"pactSpecification": {{"version": "3.0.0"}}}}}}"#
            ),
            format!(r#"{{{consumer}}}"#),
            // Errors: not an array (after the pacticipants' errors), not an object, a bad item.
            format!(r#"{{{consumer}, "interactions": {{"a": 1}}}}"#),
            r#"{"interactions": null}"#.to_string(),
            r#"[1, 2]"#.to_string(),
            format!(r#"{{{consumer}, "interactions": [3]}}"#),
            // Duplicate keys: the last one counts, as in a tree.
            format!(r#"{{{consumer}, "consumer": {{"name": "D"}}, "interactions": []}}"#),
        ]);
        for text in &texts {
            let from_tree = pact(serde_json::from_str(text).unwrap());
            let from_text = pact_from_text(text);
            assert_eq!(from_text, from_tree, "reading {text}");
        }
    }

    fn req(v: Value, spec: SpecVersion) -> Request {
        request(v, spec, "$").unwrap()
    }

    #[test]
    fn v4_body_wrappers() {
        let r = req(
            json!({"method": "POST", "path": "/", "body": {"content": {"a": 1}, "contentType": "application/json", "encoded": false}}),
            SpecVersion::V4,
        );
        assert_eq!(r.body.content, BodyContent::Json(json!({"a": 1})));
        assert_eq!(r.body.content_type.as_deref(), Some("application/json"));
        let r = req(
            json!({"body": {"content": "aGVsbG8=", "contentType": "text/plain", "encoded": "base64"}}),
            SpecVersion::V4,
        );
        assert_eq!(r.body.content, BodyContent::Text("hello".into()));
        let r = req(
            json!({"body": {"content": "{\"x\":true}", "contentType": "application/json", "encoded": "json"}}),
            SpecVersion::V4,
        );
        assert_eq!(r.body.content, BodyContent::Json(json!({"x": true})));
        let r = req(json!({"body": {"content": null}}), SpecVersion::V4);
        assert_eq!(r.body.content, BodyContent::Null);
    }

    #[test]
    fn bad_base64_is_an_error() {
        let err = request(
            json!({"body": {"content": "!!", "encoded": "base64"}}),
            SpecVersion::V4,
            "$.r",
        )
        .unwrap_err();
        assert_eq!(err.path, "$.r.body.content");
    }

    #[test]
    fn v1_query_strings_and_states() {
        let r = req(
            json!({"method": "get", "path": "/x", "query": "a=1&b=2&a=3"}),
            SpecVersion::V1,
        );
        assert_eq!(r.query["a"], ["1", "3"]);
        let i = interaction(
            json!({"description": "d", "providerState": "s", "request": {}, "response": {}}),
            SpecVersion::V2,
            false,
            "$.interactions[0]",
        )
        .unwrap();
        assert_eq!(i.provider_states[0].name, "s");
    }

    #[test]
    fn string_bodies_follow_the_content_type() {
        let r = req(
            json!({"headers": {"Content-Type": "application/json"}, "body": "{\"a\": 1}"}),
            SpecVersion::V3,
        );
        assert_eq!(r.body.content, BodyContent::Json(json!({"a": 1})));
        let r = req(
            json!({"headers": {"Content-Type": "text/plain"}, "body": "{\"a\": 1}"}),
            SpecVersion::V3,
        );
        assert_eq!(r.body.content, BodyContent::Text("{\"a\": 1}".into()));
    }

    /// An interaction list that is not an array is the same error read from text (one pass,
    /// element by element) as from a tree, naming the list and what it is instead.
    #[test]
    fn a_list_that_is_not_an_array_is_named_with_what_it_is() {
        let parties = r#""consumer": {"name": "c"}, "provider": {"name": "p""#;
        for (list, value, found) in [
            ("interactions", "{}", "an object"),
            ("interactions", r#""x""#, "a string"),
            ("interactions", "1.5", "a number"),
            ("interactions", "-1", "a number"),
            ("interactions", "true", "a boolean"),
            ("interactions", "null", "null"),
            ("messages", r#"{"a": [1]}"#, "an object"),
        ] {
            let text = format!("{{{parties}}}, \"{list}\": {value}}}");
            let from_text = pact_from_text(&text).unwrap_err();
            let from_tree = pact(serde_json::from_str(&text).unwrap()).unwrap_err();
            assert_eq!(from_text.to_string(), from_tree.to_string(), "{text}");
            let message = from_text.to_string();
            assert!(message.contains(&format!("$.{list}")), "{message}");
            assert!(message.contains(&format!("found {found}")), "{message}");
        }
        // With both lists, `interactions` is read and `messages` ignored, whatever it holds.
        let both = format!("{{{parties}}}, \"interactions\": [], \"messages\": {{}}}}");
        assert!(pact_from_text(&both).unwrap().interactions.is_empty());
    }

    #[test]
    fn errors_name_the_json_path() {
        let cases = [
            (
                json!({"consumer": {"name": "c"}, "provider": {"name": "p"}, "interactions": [{"description": "d", "request": {"headers": 3}, "response": {}}]}),
                "$.interactions[0].request.headers",
            ),
            (
                json!({"consumer": {"name": "c"}, "provider": {"name": "p"}, "interactions": [{"request": {}, "response": {}}]}),
                "$.interactions[0]",
            ),
            (
                json!({"consumer": {"name": ""}, "provider": {"name": "p"}}),
                "$.consumer",
            ),
            (
                json!({"consumer": {"name": "c"}, "provider": {"name": "p"}, "interactions": [{"description": "d", "request": {}, "response": {"status": "abc"}}]}),
                "$.interactions[0].response.status",
            ),
            (
                json!({"consumer": {"name": "c"}, "provider": {"name": "p"}, "metadata": {"pactSpecification": {"version": "9.0"}}}),
                "$.metadata.pactSpecification.version",
            ),
            (
                json!({"consumer": {"name": "c"}, "provider": {"name": "p"}, "interactions": [{"type": "Weird", "description": "d"}]}),
                "$.interactions[0].type",
            ),
        ];
        for (input, path) in cases {
            let err = pact(input.clone()).unwrap_err();
            assert_eq!(err.path, path, "{input}: {err}");
        }
    }
}
