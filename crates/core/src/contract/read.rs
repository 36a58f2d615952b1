//! Reading pact JSON of every spec version into the model.
//!
//! Every function takes the JSON path of the value it reads (`at`) so that errors say exactly
//! where the problem is. The readers take objects member by member ([`Members`]), from a
//! document's text or from a parsed tree: from text, no JSON tree of a whole interaction,
//! request or response is built, and a rule set seen before is recognised by its text without
//! being parsed; from a tree, bodies, metadata and unknown fields move into the model.

use base64::Engine as _;
use serde_json::value::RawValue;
use serde_json::{Map, Value};

use super::body::{Body, BodyContent, ContentKind, Headers, Query, parse_query_string};
use super::members::{Member, Members, Split, kind_of};
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

/// Reads a pact from a JSON tree, moving its parts into the model.
pub(super) fn pact(value: Value) -> Result<Pact, ContractError> {
    let Value::Object(mut obj) = value else {
        return Err(not_an_object(&Member::Tree(value)));
    };
    let is_message_pact = !obj.contains_key("interactions") && obj.contains_key("messages");
    let items = match (obj.remove("interactions"), obj.remove("messages")) {
        (Some(interactions), _) => Some(interactions),
        (None, messages) => messages,
    };
    let items = match items.map(|items| Member::Tree(items).elements()) {
        None => Ok(Vec::new()),
        Some(Ok(items)) => Ok(items),
        Some(Err(other)) => Err(not_an_array(is_message_pact, other.kind())),
    };
    let mut interactions = Vec::new();
    let mut pact = assemble(obj, is_message_pact, items, &[], &mut interactions)?;
    pact.interactions = interactions;
    Ok(pact)
}

fn not_an_object(pact: &Member) -> ContractError {
    ContractError::new(
        "$",
        format!("a pact must be a JSON object, found {}", pact.kind()),
    )
}

/// Reads a pact from its JSON text; malformed JSON is an error where the reader meets it.
///
/// The text is scanned once to split the interactions down to their requests' and responses'
/// members ([`Members`]), and each member is parsed where it is read: neither the file's JSON
/// tree nor an interaction's is ever built. A tree costs far more than its text (every object
/// is a B-tree node of several hundred bytes).
pub(super) fn pact_from_text(text: &str) -> Result<Pact, ContractError> {
    let mut interactions = Vec::new();
    let mut pact = visit_text(text, &[], &mut interactions)?;
    pact.interactions = interactions;
    Ok(pact)
}

/// [`pact_from_text`], handing each interaction to `each` as it is read instead of keeping it
/// (the pact returned has none), so not even the model of every interaction exists at once;
/// an interaction's members named in `ignored` are not read (the broker's own `_id`).
pub(super) fn visit_text(
    text: &str,
    ignored: &[&str],
    each: &mut dyn Interactions,
) -> Result<Pact, ContractError> {
    let invalid = |e: serde_json::Error| ContractError::caused_by("$", e);
    if !text.trim_start().starts_with('{') {
        let whole: &RawValue = serde_json::from_str(text).map_err(invalid)?;
        return Err(not_an_object(&Member::Text(whole.get())));
    }
    let top: TopFields = serde_json::from_str(text).map_err(invalid)?;
    let is_message_pact = top.interactions.is_none() && top.messages.is_some();
    let mut obj = Map::new();
    for (key, raw) in top.fields {
        obj.insert(key, serde_json::from_str(raw.get()).map_err(invalid)?);
    }
    let items = match top.interactions.or(top.messages) {
        None => Ok(Vec::new()),
        Some(Member::Array(items)) => Ok(items),
        Some(other) => Err(not_an_array(is_message_pact, other.kind())),
    };
    assemble(obj, is_message_pact, items, ignored, each)
}

/// A pact's top-level object read from its text in one pass: `interactions` and `messages`
/// split down to their requests' and responses' members, every other field as its text (a
/// repeated key: the last one).
struct TopFields<'a> {
    fields: std::collections::BTreeMap<String, &'a RawValue>,
    interactions: Option<Member<'a>>,
    messages: Option<Member<'a>>,
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
                "interactions" => {
                    top.interactions = Some(map.next_value_seed(Split::INTERACTION_LIST)?)
                }
                "messages" => top.messages = Some(map.next_value_seed(Split::INTERACTION_LIST)?),
                _ => {
                    top.fields.insert(key, map.next_value()?);
                }
            }
        }
        Ok(top)
    }
}

/// The members of an interaction split in the pass that splits the interaction, so that the
/// text of a request or response is not scanned again to split it.
const INTERACTION_PARTS: &[&str] = &["request", "response"];

/// Whether any interaction has a `type` member (V4's mark), whatever its value.
fn any_typed(items: &[Member]) -> bool {
    /// Whether an object has a `type` key, whatever its value, without building anything.
    #[derive(serde::Deserialize)]
    struct TypeField {
        #[serde(rename = "type", default, deserialize_with = "present")]
        present: bool,
    }
    fn present<'de, D: serde::Deserializer<'de>>(d: D) -> Result<bool, D::Error> {
        <serde::de::IgnoredAny as serde::Deserialize>::deserialize(d).map(|_| true)
    }
    items.iter().any(|item| match item {
        Member::Text(text) => {
            serde_json::from_str::<TypeField>(text).is_ok_and(|probe| probe.present)
        }
        Member::Object(members) => members.get("type").is_some(),
        Member::Tree(Value::Object(map)) => map.contains_key("type"),
        Member::Tree(_) | Member::Array(_) => false,
    })
}

fn not_an_array(is_message_pact: bool, found: &str) -> ContractError {
    ContractError::new(
        format!("$.{}", items_key(is_message_pact)),
        format!("expected an array of interactions, found {found}"),
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
/// they are not an array, reported after the pacticipants' errors). Each interaction is read
/// without its members named in `ignored` and handed to `each`; the pact returned has none.
fn assemble(
    mut obj: Map<String, Value>,
    is_message_pact: bool,
    items: Result<Vec<Member>, ContractError>,
    ignored: &[&str],
    each: &mut dyn Interactions,
) -> Result<Pact, ContractError> {
    let consumer = pacticipant(&mut obj, "consumer")?;
    let provider = pacticipant(&mut obj, "provider")?;
    let items = items?;
    let spec = match declared_version(&obj)? {
        Some(v) => v,
        // Undeclared: V4 interactions carry a `type`; otherwise treat as V3 (which also reads V2).
        None if any_typed(&items) => SpecVersion::V4,
        None => SpecVersion::V3,
    };
    let key = items_key(is_message_pact);
    each.expect(items.len());
    for (i, item) in items.into_iter().enumerate() {
        // Read at a stand-in location, the real one built only for an error (see `under`).
        let read = item
            .members_split(STAND_IN, "an interaction", INTERACTION_PARTS)
            .and_then(|mut members| {
                members
                    .0
                    .retain(|(name, _)| !ignored.contains(&name.as_ref()));
                interaction(members, spec, is_message_pact, STAND_IN)
            });
        each.take(read.map_err(|e| e.below(STAND_IN, || format!("$.{key}[{i}]")))?);
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
    mut members: Members,
    spec: SpecVersion,
    in_message_pact: bool,
    at: &str,
) -> Result<Interaction, ContractError> {
    let description = members
        .string("description", at)?
        .ok_or_else(|| ContractError::new(at, "the interaction has no \"description\""))?;
    let provider_states = provider_states(&members.states(at)?, at)?;
    let kind_name = match members.get("type").map(|t| kind_name(t, at)).transpose()? {
        Some(kind_name) => kind_name,
        None if in_message_pact => KindName::AsyncMessage,
        None if spec >= SpecVersion::V4 && members.get("contents").is_some() => {
            KindName::AsyncMessage
        }
        None => KindName::Http,
    };
    let mut known = INTERACTION_FIELDS.to_vec();
    let kind = match kind_name {
        KindName::Http => {
            let req = members
                .take("request")
                .ok_or_else(|| ContractError::new(at, "an HTTP interaction needs a \"request\""))?;
            let res = members.take("response").ok_or_else(|| {
                ContractError::new(at, "an HTTP interaction needs a \"response\"")
            })?;
            InteractionKind::Http {
                request: under(at, "request", |at| request(req, spec, at))?,
                response: under(at, "response", |at| response(res, spec, at))?,
            }
        }
        KindName::AsyncMessage => {
            // The message's members sit on the interaction itself.
            known.extend_from_slice(MESSAGE_FIELDS);
            let (fields, rest) = std::mem::take(&mut members.0)
                .into_iter()
                .partition(|(name, _)| MESSAGE_FIELDS.contains(&name.as_ref()));
            members.0 = rest;
            InteractionKind::AsyncMessage(message_from(Members(fields), spec, at)?)
        }
        KindName::SyncMessage => {
            let req = members.take("request").ok_or_else(|| {
                ContractError::new(at, "a synchronous message interaction needs a \"request\"")
            })?;
            let responses = match members.take_given("response").map(Member::elements) {
                None => Vec::new(),
                Some(Ok(items)) => items
                    .into_iter()
                    .enumerate()
                    .map(|(i, r)| message(r, spec, &format!("{at}.response[{i}]")))
                    .collect::<Result<Vec<_>, _>>()?,
                Some(Err(single)) if single.kind() == "an object" => {
                    vec![message(single, spec, &format!("{at}.response"))?]
                }
                Some(Err(other)) => {
                    return Err(ContractError::new(
                        format!("{at}.response"),
                        format!("expected an array of messages, found {}", other.kind()),
                    ));
                }
            };
            InteractionKind::SyncMessage {
                request: message(req, spec, &format!("{at}.request"))?,
                responses,
            }
        }
    };
    let pending = match members.take_given("pending") {
        None => false,
        Some(member) if let Some(pending) = member.as_bool() => pending,
        Some(other) => {
            return Err(ContractError::new(
                format!("{at}.pending"),
                format!("expected true or false, found {}", other.kind()),
            ));
        }
    };
    let key = members.string("key", at)?;
    let comments = members.object("comments", at)?;
    let plugin_configuration = members.object("pluginConfiguration", at)?;
    Ok(Interaction {
        description,
        provider_states,
        key,
        pending,
        comments,
        plugin_configuration,
        kind,
        extra: members.extra(&known, at)?,
    })
}

/// The kind an interaction's `type` names.
fn kind_name(member: &Member, at: &str) -> Result<KindName, ContractError> {
    let Some(name) = member.as_str() else {
        return Err(ContractError::new(
            format!("{at}.type"),
            format!("expected a string, found {}", member.kind()),
        ));
    };
    match name.as_ref() {
        "Synchronous/HTTP" => Ok(KindName::Http),
        "Asynchronous/Messages" => Ok(KindName::AsyncMessage),
        "Synchronous/Messages" => Ok(KindName::SyncMessage),
        other => Err(ContractError::new(
            format!("{at}.type"),
            format!(
                "unknown interaction type '{other}'; expected Synchronous/HTTP, \
                 Asynchronous/Messages or Synchronous/Messages"
            ),
        )),
    }
}

impl Members<'_> {
    /// The members [`provider_states`] reads, taken out and parsed (none, for most
    /// interactions).
    fn states(&mut self, at: &str) -> Result<Map<String, Value>, ContractError> {
        let mut states = Map::new();
        for key in ["providerStates", "providerState", "provider_state"] {
            if let Some(value) = self.value(key, at)? {
                states.insert(key.to_string(), value);
            }
        }
        Ok(states)
    }
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
    under(at, "headers", |at| {
        for (name, v) in object_ref(value, at, "\"headers\"")? {
            out.set(name, scalar_values(v, name, at)?);
        }
        Ok(out)
    })
}

/// Reads the member `key` of the value at `at` with `read`, which is given a stand-in for
/// the member's location: the real one is built only for an error. Every interaction's parts
/// come through here, and a valid contract needs no location strings.
fn under<T>(
    at: &str,
    key: &str,
    read: impl FnOnce(&str) -> Result<T, ContractError>,
) -> Result<T, ContractError> {
    read(STAND_IN).map_err(|e| e.below(STAND_IN, || format!("{at}.{key}")))
}

/// The location readers are given in place of one not yet built (no JSON path starts so).
const STAND_IN: &str = "$~";

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

/// The values of the header or query parameter `name` in the object at `at`: a list of
/// scalars, or one scalar.
fn scalar_values(value: &Value, name: &str, at: &str) -> Result<Vec<String>, ContractError> {
    match value {
        Value::Array(items) => items
            .iter()
            .enumerate()
            .map(|(i, item)| scalar_text(item, || format!("{at}['{name}'][{i}]")))
            .collect(),
        other => Ok(vec![scalar_text(other, || format!("{at}['{name}']"))?]),
    }
}

fn query(value: Option<&Value>, at: &str) -> Result<Query, ContractError> {
    under(at, "query", |at| query_at(value, at))
}

fn query_at(value: Option<&Value>, at: &str) -> Result<Query, ContractError> {
    match value {
        None | Some(Value::Null) => Ok(Query::new()),
        Some(Value::String(raw)) => Ok(parse_query_string(raw)),
        Some(Value::Object(map)) => {
            let mut out = Query::new();
            for (name, v) in map {
                out.insert(name.clone(), scalar_values(v, name, at)?);
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

/// Reads a body at `at`. `header_type` is the `Content-Type` header (or message content type)
/// that decides how a string body is interpreted.
fn body_at(
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
    members: &mut Members,
    at: &str,
) -> Result<(MatchingRules, Generators), ContractError> {
    let rules = match members.take_given("matchingRules") {
        None => MatchingRules::default(),
        Some(rules) => {
            let at = || format!("{at}.matchingRules");
            match rules.text() {
                Some(text) => MatchingRules::from_text(text, at)?,
                None => MatchingRules::from_tree(&rules.into_value(&at)?, at)?,
            }
        }
    };
    let generators = match members.value("generators", at)? {
        None | Some(Value::Null) => Generators::default(),
        Some(value) => Generators::from_json(&value, &format!("{at}.generators"))?,
    };
    Ok((rules, generators))
}

pub(super) fn request(
    member: Member,
    spec: SpecVersion,
    at: &str,
) -> Result<Request, ContractError> {
    let mut members = member.members(at, "a request")?;
    let headers = headers(members.value("headers", at)?.as_ref(), at)?;
    let (matching_rules, generators) = rules_and_generators(&mut members, at)?;
    let method = members
        .string("method", at)?
        .unwrap_or_else(|| "GET".into());
    let path = members.string("path", at)?.unwrap_or_else(|| "/".into());
    let query = query(members.value("query", at)?.as_ref(), at)?;
    let body = members.value("body", at)?;
    let body = under(at, "body", |at| {
        body_at(body, spec, headers.first("content-type"), at)
    })?;
    Ok(Request {
        method,
        path,
        query,
        body,
        headers,
        matching_rules,
        generators,
        extra: members.extra(REQUEST_FIELDS, at)?,
    })
}

pub(super) fn response(
    member: Member,
    spec: SpecVersion,
    at: &str,
) -> Result<Response, ContractError> {
    let mut members = member.members(at, "a response")?;
    let status = match members.value("status", at)? {
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
                format!("expected a status code, found {}", kind_of(&other)),
            ));
        }
    };
    let headers = headers(members.value("headers", at)?.as_ref(), at)?;
    let (matching_rules, generators) = rules_and_generators(&mut members, at)?;
    let body = members.value("body", at)?;
    let body = under(at, "body", |at| {
        body_at(body, spec, headers.first("content-type"), at)
    })?;
    Ok(Response {
        status,
        body,
        headers,
        matching_rules,
        generators,
        extra: members.extra(RESPONSE_FIELDS, at)?,
    })
}

pub(super) fn message(
    member: Member,
    spec: SpecVersion,
    at: &str,
) -> Result<Message, ContractError> {
    message_from(member.members(at, "a message")?, spec, at)
}

fn message_from(
    mut members: Members,
    spec: SpecVersion,
    at: &str,
) -> Result<Message, ContractError> {
    let metadata = match members.get("metadata") {
        Some(_) => members.object("metadata", at)?,
        None => members.object("metaData", at)?,
    };
    let content_type = ["contentType", "content-type", "Content-Type"]
        .iter()
        .find_map(|k| metadata.get(*k).and_then(Value::as_str));
    let (matching_rules, generators) = rules_and_generators(&mut members, at)?;
    let contents = members.value("contents", at)?;
    let contents = under(at, "contents", |at| {
        body_at(contents, spec, content_type, at)
    })?;
    Ok(Message {
        contents,
        metadata,
        matching_rules,
        generators,
        extra: members.extra(MESSAGE_FIELDS, at)?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// Reading a contract's text (split member by member) gives exactly what reading its
    /// parsed tree gives: the same pact, or the same error at the same place.
    #[test]
    fn reading_the_text_equals_reading_the_tree() {
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
            // Duplicate keys: the last one counts, as in a tree, at every level.
            format!(r#"{{{consumer}, "consumer": {{"name": "D"}}, "interactions": []}}"#),
            format!(
                r#"{{{consumer}, "interactions": [{{"description": "a", "description": "b", "request": {{"path": "/a", "path": "/b", "x": 1, "x": 2}}, "response": {{"status": 500, "status": 201, "body": 1, "body": {{"k": [2]}}}}, "request": {{"method": "PUT"}}}}]}}"#
            ),
            // Escaped member names, unknown members kept, spacing.
            format!(
                "{{{consumer}, \"interactions\": [ {{ \"descr\\u0069ption\" : \"d\" ,\n \"request\": {{\"method\": \"GET\"}}, \"response\": {{ }}, \"extra\\n\": [1, {{\"a\": null}}] }} ]}}"
            ),
        ]);
        for text in &texts {
            let from_tree = pact(serde_json::from_str(text).unwrap());
            let from_text = pact_from_text(text);
            assert_eq!(from_text, from_tree, "reading {text}");
        }
    }

    /// The request read from `v`, the same read from its text as from the tree.
    fn req(v: Value, spec: SpecVersion) -> Request {
        let text = v.to_string();
        let from_text = request(Member::Text(&text), spec, "$").unwrap();
        assert_eq!(from_text, request(Member::Tree(v), spec, "$").unwrap());
        from_text
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
            Member::Tree(json!({"body": {"content": "!!", "encoded": "base64"}})),
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
        let text = json!({"description": "d", "providerState": "s", "request": {}, "response": {}})
            .to_string();
        let i = interaction(
            Member::Text(&text).members("$", "an interaction").unwrap(),
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
            // Locations built only for an error, several levels down.
            (
                json!({"consumer": {"name": "c"}, "provider": {"name": "p"}, "interactions": [{"description": "a", "request": {}, "response": {}}, {"description": "d", "request": {"headers": {"X": ["a", {}]}}, "response": {}}]}),
                "$.interactions[1].request.headers['X'][1]",
            ),
            (
                json!({"consumer": {"name": "c"}, "provider": {"name": "p"}, "metadata": {"pactSpecification": {"version": "4.0"}}, "interactions": [{"type": "Synchronous/HTTP", "description": "d", "request": {}, "response": {"body": {"content": "x", "encoded": 7}}}]}),
                "$.interactions[0].response.body.encoded",
            ),
            (
                json!({"consumer": {"name": "c"}, "provider": {"name": "p"}, "interactions": [{"description": "d", "request": {"query": {"a": [{}]}}, "response": {}}]}),
                "$.interactions[0].request.query['a'][0]",
            ),
            (
                json!({"consumer": {"name": "c"}, "provider": {"name": "p"}, "messages": [{"description": "m", "contents": {"a": 1}, "matchingRules": {"body": {"$.a": {"matchers": [{"match": "nope"}]}}}}]}),
                "$.messages[0].matchingRules.body['$.a'].matchers[0].match",
            ),
        ];
        for (input, path) in cases {
            let err = pact(input.clone()).unwrap_err();
            assert_eq!(err.path, path, "{input}: {err}");
            let from_text = pact_from_text(&input.to_string()).unwrap_err();
            assert_eq!(from_text.path, path, "{input}: {from_text}");
        }
    }
}
