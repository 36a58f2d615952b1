//! Writing the model as V3 or V4 pact JSON.
//!
//! Output is deterministic: object keys are sorted (serde_json's default map), interactions keep
//! their order, and optional empty sections are left out, so written contracts diff well.

use base64::Engine as _;
use serde_json::{Map, Value, json};

use super::body::{Body, BodyContent, Headers, Query};
use super::{
    Interaction, InteractionKind, Message, Pact, ProviderState, Request, Response, SpecVersion,
    WriteError,
};

pub(super) fn pact(pact: &Pact, version: SpecVersion) -> Result<Value, WriteError> {
    let version = if version < SpecVersion::V3 {
        SpecVersion::V3
    } else {
        version
    };
    let mut obj = pact.extra.clone();
    let pacticipant = |p: &super::Pacticipant| {
        let mut o = p.extra.clone();
        o.insert("name".into(), json!(p.name));
        Value::Object(o)
    };
    obj.insert("consumer".into(), pacticipant(&pact.consumer));
    obj.insert("provider".into(), pacticipant(&pact.provider));

    let mut metadata = pact.metadata.clone();
    metadata.remove("pact-specification");
    metadata.remove("pactSpecificationVersion");
    metadata.insert(
        "pactSpecification".into(),
        json!({"version": version.as_str()}),
    );
    obj.insert("metadata".into(), Value::Object(metadata));

    if version == SpecVersion::V4 {
        let items = pact.interactions.iter().map(v4_interaction).collect();
        obj.insert("interactions".into(), Value::Array(items));
        return Ok(Value::Object(obj));
    }

    let http = pact
        .interactions
        .iter()
        .filter(|i| matches!(i.kind, InteractionKind::Http { .. }))
        .count();
    let messages = pact
        .interactions
        .iter()
        .filter(|i| matches!(i.kind, InteractionKind::AsyncMessage(_)))
        .count();
    if http + messages != pact.interactions.len() {
        return Err(WriteError::Unsupported {
            version,
            what: "synchronous message interactions",
        });
    }
    if http > 0 && messages > 0 {
        return Err(WriteError::Unsupported {
            version,
            what: "both HTTP and message interactions",
        });
    }
    let items: Vec<Value> = pact.interactions.iter().map(v3_interaction).collect();
    let key = if messages > 0 {
        "messages"
    } else {
        "interactions"
    };
    obj.insert(key.into(), Value::Array(items));
    Ok(Value::Object(obj))
}

pub(super) fn states_json(states: &[ProviderState]) -> Value {
    Value::Array(
        states
            .iter()
            .map(|s| {
                let mut o = Map::new();
                o.insert("name".into(), json!(s.name));
                if !s.params.is_empty() {
                    o.insert("params".into(), Value::Object(s.params.clone()));
                }
                Value::Object(o)
            })
            .collect(),
    )
}

fn v3_interaction(interaction: &Interaction) -> Value {
    let mut obj = interaction.extra.clone();
    obj.insert("description".into(), json!(interaction.description));
    if !interaction.provider_states.is_empty() {
        obj.insert(
            "providerStates".into(),
            states_json(&interaction.provider_states),
        );
    }
    match &interaction.kind {
        InteractionKind::Http {
            request: req,
            response: res,
        } => {
            obj.insert("request".into(), request(req, SpecVersion::V3));
            obj.insert("response".into(), response(res, SpecVersion::V3));
        }
        InteractionKind::AsyncMessage(msg) => {
            if let Value::Object(m) = message(msg, SpecVersion::V3) {
                obj.extend(m);
            }
        }
        InteractionKind::SyncMessage { .. } => unreachable!("rejected by pact()"),
    }
    Value::Object(obj)
}

pub(super) fn v4_interaction(interaction: &Interaction) -> Value {
    let mut obj = interaction.extra.clone();
    obj.insert("type".into(), json!(interaction.kind.v4_type()));
    obj.insert("description".into(), json!(interaction.description));
    obj.insert("pending".into(), json!(interaction.pending));
    if let Some(key) = &interaction.key {
        obj.insert("key".into(), json!(key));
    }
    if !interaction.provider_states.is_empty() {
        obj.insert(
            "providerStates".into(),
            states_json(&interaction.provider_states),
        );
    }
    if !interaction.comments.is_empty() {
        obj.insert(
            "comments".into(),
            Value::Object(interaction.comments.clone()),
        );
    }
    if !interaction.plugin_configuration.is_empty() {
        obj.insert(
            "pluginConfiguration".into(),
            Value::Object(interaction.plugin_configuration.clone()),
        );
    }
    match &interaction.kind {
        InteractionKind::Http {
            request: req,
            response: res,
        } => {
            obj.insert("request".into(), request(req, SpecVersion::V4));
            obj.insert("response".into(), response(res, SpecVersion::V4));
        }
        InteractionKind::AsyncMessage(msg) => {
            if let Value::Object(m) = message(msg, SpecVersion::V4) {
                obj.extend(m);
            }
        }
        InteractionKind::SyncMessage {
            request: req,
            responses,
        } => {
            obj.insert("request".into(), message(req, SpecVersion::V4));
            obj.insert(
                "response".into(),
                Value::Array(
                    responses
                        .iter()
                        .map(|m| message(m, SpecVersion::V4))
                        .collect(),
                ),
            );
        }
    }
    Value::Object(obj)
}

fn headers_json(headers: &Headers, version: SpecVersion) -> Value {
    let mut obj = Map::new();
    for (name, values) in headers.iter() {
        let v = if version >= SpecVersion::V4 {
            json!(values)
        } else {
            json!(values.join(", "))
        };
        obj.insert(name.to_string(), v);
    }
    Value::Object(obj)
}

fn query_json(query: &Query) -> Value {
    Value::Object(query.iter().map(|(k, v)| (k.clone(), json!(v))).collect())
}

/// The body as written in a pact file; `None` for a missing body.
fn body_json(body: &Body, headers: &Headers, version: SpecVersion) -> Option<Value> {
    if version < SpecVersion::V4 {
        return match &body.content {
            BodyContent::Missing => None,
            BodyContent::Empty => Some(json!("")),
            BodyContent::Null => Some(Value::Null),
            BodyContent::Json(v) => Some(v.clone()),
            BodyContent::Text(t) => Some(json!(t)),
            BodyContent::Bytes(b) => {
                Some(json!(base64::engine::general_purpose::STANDARD.encode(b)))
            }
        };
    }
    let content_type = body.content_type_with(headers);
    let mut obj = Map::new();
    let (content, encoded) = match &body.content {
        BodyContent::Missing => return None,
        BodyContent::Empty => (json!(""), json!(false)),
        BodyContent::Null => (Value::Null, json!(false)),
        // A JSON document that is itself a string or null would read back as raw text or as a
        // null body; its JSON text, marked `encoded: "json"`, reads back as written.
        BodyContent::Json(v @ (Value::String(_) | Value::Null)) => {
            (json!(v.to_string()), json!("json"))
        }
        BodyContent::Json(v) => (v.clone(), json!(false)),
        BodyContent::Text(t) => (json!(t), json!(false)),
        BodyContent::Bytes(b) => (
            json!(base64::engine::general_purpose::STANDARD.encode(b)),
            json!("base64"),
        ),
    };
    obj.insert("content".into(), content);
    if let Some(ct) = content_type {
        obj.insert("contentType".into(), json!(ct));
    }
    obj.insert("encoded".into(), encoded);
    Some(Value::Object(obj))
}

pub(super) fn request(req: &Request, version: SpecVersion) -> Value {
    let mut obj = req.extra.clone();
    obj.insert("method".into(), json!(req.method));
    obj.insert("path".into(), json!(req.path));
    if !req.query.is_empty() {
        obj.insert("query".into(), query_json(&req.query));
    }
    if !req.headers.is_empty() {
        obj.insert("headers".into(), headers_json(&req.headers, version));
    }
    if let Some(b) = body_json(&req.body, &req.headers, version) {
        obj.insert("body".into(), b);
    }
    if !req.matching_rules.is_empty() {
        obj.insert("matchingRules".into(), req.matching_rules.to_json());
    }
    if !req.generators.is_empty() {
        obj.insert("generators".into(), req.generators.to_json());
    }
    Value::Object(obj)
}

pub(super) fn response(res: &Response, version: SpecVersion) -> Value {
    let mut obj = res.extra.clone();
    obj.insert("status".into(), json!(res.status));
    if !res.headers.is_empty() {
        obj.insert("headers".into(), headers_json(&res.headers, version));
    }
    if let Some(b) = body_json(&res.body, &res.headers, version) {
        obj.insert("body".into(), b);
    }
    if !res.matching_rules.is_empty() {
        obj.insert("matchingRules".into(), res.matching_rules.to_json());
    }
    if !res.generators.is_empty() {
        obj.insert("generators".into(), res.generators.to_json());
    }
    Value::Object(obj)
}

pub(super) fn message(msg: &Message, version: SpecVersion) -> Value {
    let mut obj = msg.extra.clone();
    let mut headers = Headers::new();
    if let Some(ct) = msg.content_type() {
        headers.add("Content-Type", ct);
    }
    let contents = body_json(&msg.contents, &headers, version).unwrap_or_else(|| {
        if version >= SpecVersion::V4 {
            json!({"content": ""})
        } else {
            json!("")
        }
    });
    obj.insert("contents".into(), contents);
    if !msg.metadata.is_empty() {
        obj.insert("metadata".into(), Value::Object(msg.metadata.clone()));
    }
    if !msg.matching_rules.is_empty() {
        obj.insert("matchingRules".into(), msg.matching_rules.to_json());
    }
    if !msg.generators.is_empty() {
        obj.insert("generators".into(), msg.generators.to_json());
    }
    Value::Object(obj)
}
