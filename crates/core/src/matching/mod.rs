//! The matching engine: does an actual request, response or message satisfy the expected one?
//!
//! Matching is pure: no IO, no global state, and no panics on any input. The result is a list
//! of [`Mismatch`] values — empty means it matches — each saying what (kind), where (location
//! such as `$.items[2].price` or `header 'Accept'`), what was expected and found, which rule
//! decided, and a one-line message. Requests are strict about unexpected content (extra JSON
//! keys, extra query parameters); responses and messages are lenient, as the specification
//! says. Contracts are validated when read ([`crate::contract`]), so rules here are known good.

mod content;
mod http;
mod json;
mod node;
pub mod text;
mod value;
mod xml;

use std::fmt;

use serde::Serialize;
use serde_json::Value;

use crate::contract::path::{PathExpr, PathToken};
use crate::contract::rules::{MatchingRule, PathRules};
use crate::contract::{Body, BodyContent, ContentKind, Headers, parse_query_string};
use crate::contract::{Message, Request, Response};

/// Which part of an interaction a mismatch is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum MismatchKind {
    /// The HTTP method.
    Method,
    /// The request path.
    Path,
    /// A query parameter.
    Query,
    /// A header.
    Header,
    /// The response status.
    Status,
    /// The body's content type differs, or the body cannot be parsed as its type.
    BodyType,
    /// Something inside the body (or message contents).
    Body,
    /// Message metadata.
    Metadata,
}

impl fmt::Display for MismatchKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            MismatchKind::Method => "method",
            MismatchKind::Path => "path",
            MismatchKind::Query => "query",
            MismatchKind::Header => "header",
            MismatchKind::Status => "status",
            MismatchKind::BodyType => "body type",
            MismatchKind::Body => "body",
            MismatchKind::Metadata => "metadata",
        })
    }
}

/// One way in which the actual value differs from the expectation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Mismatch {
    /// What part of the interaction.
    pub kind: MismatchKind,
    /// Where: `$.items[2].price` in a body, `header 'Accept'`, `query parameter 'page'`,
    /// `path`, `status`, `method`, `metadata 'contentType'`.
    pub location: String,
    /// The expected value (or example), rendered.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expected: Option<String>,
    /// The actual value, rendered.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub actual: Option<String>,
    /// The matching rule that decided, if any (`integer`, `regex '^\d+$'`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rule: Option<String>,
    /// One line for humans.
    pub message: String,
}

impl fmt::Display for Mismatch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.kind {
            MismatchKind::Body | MismatchKind::BodyType => {
                write!(f, "body {}: {}", self.location, self.message)
            }
            _ => write!(f, "{}: {}", self.location, self.message),
        }
    }
}

/// Renders mismatches as text, one per line, with the rule where one decided.
pub fn render_text(mismatches: &[Mismatch]) -> String {
    let mut out = String::new();
    for m in mismatches {
        out.push_str(&m.to_string());
        if let Some(rule) = &m.rule {
            out.push_str(&format!(" [rule: {rule}]"));
        }
        out.push('\n');
    }
    out
}

/// Matches an actual request against the expected one. Strict: unexpected JSON keys and query
/// parameters are mismatches.
pub fn match_request(expected: &Request, actual: &Request) -> Vec<Mismatch> {
    request_mismatches(expected, actual, None)
}

/// [`match_request`] with the actual JSON body already compared while it was read
/// ([`BodySeed::request`]): the body's presence and content type come from `actual`, its JSON
/// content from `body`.
pub fn match_request_streamed(
    expected: &Request,
    actual: &Request,
    body: StreamedBody,
) -> Vec<Mismatch> {
    request_mismatches(expected, actual, Some(body.mismatches))
}

fn request_mismatches(
    expected: &Request,
    actual: &Request,
    streamed: Option<Vec<Mismatch>>,
) -> Vec<Mismatch> {
    let mut out = Vec::new();
    let rules = &expected.matching_rules;
    http::match_method(&expected.method, &actual.method, rules, &mut out);
    http::match_path(&expected.path, &actual.path, rules, &mut out);
    http::match_query(&expected.query, &actual.query, rules, &mut out);
    http::match_headers(&expected.headers, &actual.headers, rules, &mut out);
    match_body(
        BodySides {
            expected: &expected.body,
            expected_headers: &expected.headers,
            actual: &actual.body,
            actual_headers: &actual.headers,
        },
        &rules.body,
        true,
        streamed,
        &mut out,
    );
    out
}

/// Matches an actual response against the expected one. Lenient: extra JSON keys are fine.
pub fn match_response(expected: &Response, actual: &Response) -> Vec<Mismatch> {
    response_mismatches(expected, actual, None)
}

/// [`match_response`] with the actual JSON body already compared while it was read
/// ([`BodySeed::response`]): the body's presence and content type come from `actual`, its
/// JSON content from `body`.
pub fn match_response_streamed(
    expected: &Response,
    actual: &Response,
    body: StreamedBody,
) -> Vec<Mismatch> {
    response_mismatches(expected, actual, Some(body.mismatches))
}

fn response_mismatches(
    expected: &Response,
    actual: &Response,
    streamed: Option<Vec<Mismatch>>,
) -> Vec<Mismatch> {
    let mut out = Vec::new();
    let rules = &expected.matching_rules;
    http::match_status(expected.status, actual.status, rules, &mut out);
    http::match_headers(&expected.headers, &actual.headers, rules, &mut out);
    match_body(
        BodySides {
            expected: &expected.body,
            expected_headers: &expected.headers,
            actual: &actual.body,
            actual_headers: &actual.headers,
        },
        &rules.body,
        false,
        streamed,
        &mut out,
    );
    out
}

/// A received JSON body, compared with the expected one while it was read by a [`BodySeed`].
#[derive(Debug)]
pub struct StreamedBody {
    mismatches: Vec<Mismatch>,
    placeholder: Option<Value>,
}

impl StreamedBody {
    /// An empty value of the body's JSON type, `{}` or `[]`, to stand for the body in the
    /// actual part; `None` when the body was not an object or an array.
    pub fn placeholder(&self) -> Option<&Value> {
        self.placeholder.as_ref()
    }
}

/// Compares a received JSON body with a request's or response's expected one while it is
/// deserialized (a [`DeserializeSeed`](serde::de::DeserializeSeed)), so that a large body is
/// read once and never built as a tree. The result goes to [`match_request_streamed`] or
/// [`match_response_streamed`] with the rest of the part. A seed applies only where the
/// comparison would read the body as JSON: an expected JSON body without a whole-body
/// `contentType` rule (which looks at the received bytes).
#[derive(Clone, Copy)]
pub struct BodySeed<'a> {
    expected: &'a Value,
    rules: &'a PathRules,
    strict: bool,
}

impl<'a> BodySeed<'a> {
    /// For the body of a request matched against `expected` (strict about unexpected keys).
    pub fn request(expected: &'a Request) -> Option<Self> {
        Self::new(
            &expected.body,
            &expected.headers,
            &expected.matching_rules.body,
            true,
        )
    }

    /// For the body of a response matched against `expected`.
    pub fn response(expected: &'a Response) -> Option<Self> {
        Self::new(
            &expected.body,
            &expected.headers,
            &expected.matching_rules.body,
            false,
        )
    }

    fn new(body: &'a Body, headers: &Headers, rules: &'a PathRules, strict: bool) -> Option<Self> {
        let BodyContent::Json(expected) = &body.content else {
            return None;
        };
        let kind = ContentKind::of(&body.content_type_with(headers).unwrap_or_default());
        (kind == ContentKind::Json && root_content_type_rule(rules).is_none()).then_some(Self {
            expected,
            rules,
            strict,
        })
    }
}

impl<'de> serde::de::DeserializeSeed<'de> for BodySeed<'_> {
    type Value = StreamedBody;

    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<StreamedBody, D::Error> {
        let mut mismatches = Vec::new();
        let shape = json::compare_json_from(
            self.rules,
            self.strict,
            MismatchKind::Body,
            self.expected,
            d,
            &mut mismatches,
        )?;
        Ok(StreamedBody::new(shape, mismatches))
    }
}

impl BodySeed<'_> {
    /// Compares the body at `cursor` as the seed's deserialization would, reading the text in
    /// place; on [`text::Unread`], read it with serde_json through the seed instead.
    pub fn compare_at(self, cursor: &mut text::Cursor<'_>) -> Result<StreamedBody, text::Unread> {
        let mut mismatches = Vec::new();
        let shape = json::compare_json_cursor(
            self.rules,
            self.strict,
            MismatchKind::Body,
            self.expected,
            cursor,
            &mut mismatches,
        )?;
        Ok(StreamedBody::new(shape, mismatches))
    }
}

impl StreamedBody {
    fn new(shape: json::Shape, mismatches: Vec<Mismatch>) -> Self {
        let placeholder = match shape {
            json::Shape::Object => Some(Value::Object(serde_json::Map::new())),
            json::Shape::Array => Some(Value::Array(Vec::new())),
            json::Shape::Scalar => None,
        };
        StreamedBody {
            mismatches,
            placeholder,
        }
    }
}

/// Matches an actual message against the expected one: contents (lenient, like a response)
/// and metadata (every expected key must be present and match).
pub fn match_message(expected: &Message, actual: &Message) -> Vec<Mismatch> {
    let mut out = Vec::new();
    let content_type = |m: &Message| {
        let mut h = Headers::new();
        if let Some(ct) = m.content_type() {
            h.add("Content-Type", ct);
        }
        h
    };
    match_body(
        BodySides {
            expected: &expected.contents,
            expected_headers: &content_type(expected),
            actual: &actual.contents,
            actual_headers: &content_type(actual),
        },
        &expected.matching_rules.body,
        false,
        None,
        &mut out,
    );
    match_metadata(expected, actual, &mut out);
    out
}

fn match_metadata(expected: &Message, actual: &Message, out: &mut Vec<Mismatch>) {
    for (key, e) in &expected.metadata {
        let location = format!("metadata '{key}'");
        let Some(a) = actual.metadata.get(key) else {
            out.push(Mismatch {
                kind: MismatchKind::Metadata,
                location,
                expected: Some(value::show(e)),
                actual: Some("<missing>".into()),
                rule: None,
                message: format!("expected metadata '{key}' but it was missing"),
            });
            continue;
        };
        let rules = expected.matching_rules.metadata.get(key);
        let failures: Vec<(String, Option<String>)> = match rules {
            Some(list) => value::check_json_list(list, e, &coerce_like(e, a), false)
                .into_iter()
                .map(|(m, r)| (m, Some(r)))
                .collect(),
            None => {
                let equal = match (e, a) {
                    (Value::String(es), Value::String(as_)) if is_content_type_key(key) => {
                        content::same_essence(es, as_)
                    }
                    _ => value::json_equal(e, &coerce_like(e, a)),
                };
                if equal {
                    Vec::new()
                } else {
                    vec![(
                        format!("expected {} but got {}", value::show(e), value::show(a)),
                        None,
                    )]
                }
            }
        };
        for (message, rule) in failures {
            out.push(Mismatch {
                kind: MismatchKind::Metadata,
                location: location.clone(),
                expected: Some(value::show(e)),
                actual: Some(value::show(a)),
                rule,
                message,
            });
        }
    }
}

fn is_content_type_key(key: &str) -> bool {
    key.eq_ignore_ascii_case("contentType") || key.eq_ignore_ascii_case("content-type")
}

/// Metadata often travels as strings (message headers); compare `"5"` with `5` as numbers.
fn coerce_like(expected: &Value, actual: &Value) -> Value {
    match (expected, actual) {
        (Value::Number(_), Value::String(s)) => serde_json::from_str::<Value>(s)
            .ok()
            .filter(Value::is_number)
            .unwrap_or_else(|| actual.clone()),
        (Value::Bool(_), Value::String(s)) if s == "true" || s == "false" => {
            Value::Bool(s == "true")
        }
        _ => actual.clone(),
    }
}

fn body_type_mismatch(expected: String, actual: String, message: String) -> Mismatch {
    Mismatch {
        kind: MismatchKind::BodyType,
        location: "$".into(),
        expected: Some(expected),
        actual: Some(actual),
        rule: None,
        message,
    }
}

/// The expected and actual bodies with the headers that give their content types.
struct BodySides<'a> {
    expected: &'a Body,
    expected_headers: &'a Headers,
    actual: &'a Body,
    actual_headers: &'a Headers,
}

/// The `contentType` rule on the whole body, if any: it replaces comparing the content.
fn root_content_type_rule(rules: &PathRules) -> Option<&str> {
    let (_, list) = rules.entries().iter().find(|(p, _)| p.is_root())?;
    list.rules.iter().find_map(|r| match r {
        MatchingRule::ContentType(wanted) => Some(wanted.as_str()),
        _ => None,
    })
}

/// Compares bodies: presence first, then content types, then the content by its kind.
/// `streamed`: the actual JSON content's mismatches, found while it was read.
fn match_body(
    sides: BodySides<'_>,
    rules: &PathRules,
    strict: bool,
    streamed: Option<Vec<Mismatch>>,
    out: &mut Vec<Mismatch>,
) {
    let BodySides {
        expected,
        expected_headers,
        actual,
        actual_headers,
    } = sides;
    match &expected.content {
        BodyContent::Missing => return,
        BodyContent::Empty | BodyContent::Null => {
            let fine = actual.is_absent_or_empty() || is_json_null(actual);
            if !fine {
                out.push(Mismatch {
                    kind: MismatchKind::Body,
                    location: "$".into(),
                    expected: Some(String::new()),
                    actual: Some(truncate(&actual.display_text())),
                    rule: None,
                    message: format!(
                        "expected an empty body but got {}",
                        truncate(&actual.display_text())
                    ),
                });
            }
            return;
        }
        _ => {}
    }
    if actual.is_absent_or_empty() {
        let what = if actual.is_missing() {
            "no body"
        } else {
            "an empty body"
        };
        out.push(Mismatch {
            kind: MismatchKind::Body,
            location: "$".into(),
            expected: Some(truncate(&expected.display_text())),
            actual: Some(String::new()),
            rule: None,
            message: format!("expected a body but got {what}"),
        });
        return;
    }

    // A contentType rule on the whole body replaces comparing the content.
    if let Some(wanted) = root_content_type_rule(rules) {
        let detected = content::sniff(&actual.to_bytes());
        if !content::same_essence(detected, wanted) {
            out.push(Mismatch {
                kind: MismatchKind::BodyType,
                location: "$".into(),
                expected: Some(wanted.to_string()),
                actual: Some(detected.into()),
                rule: Some(format!("contentType '{wanted}'")),
                message: format!(
                    "expected content of type '{wanted}' but the body looks like '{detected}'"
                ),
            });
        }
        return;
    }

    let expected_type = expected
        .content_type_with(expected_headers)
        .unwrap_or_default();
    let actual_type = actual.content_type_with(actual_headers).unwrap_or_default();
    let expected_kind = ContentKind::of(&expected_type);
    let actual_kind = ContentKind::of(&actual_type);
    if expected_kind != actual_kind
        && !(expected_kind == ContentKind::Text && actual_kind != ContentKind::Binary)
    {
        out.push(body_type_mismatch(
            expected_type.clone(),
            actual_type.clone(),
            format!("expected a body of type '{expected_type}' but got '{actual_type}'"),
        ));
        return;
    }

    match expected_kind {
        ContentKind::Json => {
            let expected_json = match &expected.content {
                BodyContent::Json(v) => std::borrow::Cow::Borrowed(v),
                _ => match as_json_or_error(expected) {
                    Ok(v) => std::borrow::Cow::Owned(v),
                    Err(_) => {
                        out.push(body_type_mismatch(
                            expected_type,
                            actual_type,
                            "the expected body is declared as JSON but is not valid JSON".into(),
                        ));
                        return;
                    }
                },
            };
            let e = expected_json.as_ref();
            if let Some(streamed) = streamed {
                out.extend(streamed);
                return;
            }
            match &actual.content {
                BodyContent::Json(a) => {
                    json::compare_json(rules, strict, MismatchKind::Body, e, a, out)
                }
                BodyContent::Null => {
                    json::compare_json(rules, strict, MismatchKind::Body, e, &Value::Null, out)
                }
                BodyContent::Text(text) => {
                    if let Err(error) =
                        json::compare_json_text(rules, strict, MismatchKind::Body, e, text, out)
                    {
                        out.push(not_json(actual, &error));
                    }
                }
                BodyContent::Bytes(bytes) => match std::str::from_utf8(bytes) {
                    Ok(text) => {
                        if let Err(error) =
                            json::compare_json_text(rules, strict, MismatchKind::Body, e, text, out)
                        {
                            out.push(not_json(actual, &error));
                        }
                    }
                    Err(error) => out.push(not_json(actual, &error)),
                },
                BodyContent::Missing | BodyContent::Empty => {}
            }
        }
        ContentKind::Xml => {
            let (e, a) = (expected.display_text(), actual.display_text());
            xml::compare_xml(rules, strict, &e, &a, out);
        }
        ContentKind::Form => {
            let (e, a) = (
                parse_query_string(&expected.display_text()),
                parse_query_string(&actual.display_text()),
            );
            let to_json = |q: &crate::contract::Query| {
                Value::Object(
                    q.iter()
                        .map(|(k, v)| {
                            (
                                k.clone(),
                                Value::Array(v.iter().map(|s| Value::String(s.clone())).collect()),
                            )
                        })
                        .collect(),
                )
            };
            // Form fields are compared like a JSON object of string arrays, so body rules such
            // as `$.name` apply to each field's values.
            let rules = form_rules(rules);
            json::compare_json(
                &rules,
                strict,
                MismatchKind::Body,
                &to_json(&e),
                &to_json(&a),
                out,
            );
        }
        ContentKind::Text => {
            let (e, a) = (expected.display_text(), actual.display_text());
            match rules.entries().iter().find(|(p, _)| p.is_root()) {
                Some((_, list)) => {
                    for (message, rule) in value::check_text_list(list, &e, &a) {
                        out.push(Mismatch {
                            kind: MismatchKind::Body,
                            location: "$".into(),
                            expected: Some(truncate(&e)),
                            actual: Some(truncate(&a)),
                            rule: Some(rule),
                            message,
                        });
                    }
                }
                None if e != a => out.push(Mismatch {
                    kind: MismatchKind::Body,
                    location: "$".into(),
                    expected: Some(truncate(&e)),
                    actual: Some(truncate(&a)),
                    rule: None,
                    message: format!(
                        "expected body '{}' but got '{}'",
                        truncate(&e),
                        truncate(&a)
                    ),
                }),
                None => {}
            }
        }
        ContentKind::Binary => {
            // `notEmpty` or `type` on the whole body accept any content (emptiness was checked
            // above): the bytes need not equal the example's.
            let any_content = rules
                .entries()
                .iter()
                .find(|(p, _)| p.is_root())
                .is_some_and(|(_, list)| {
                    list.rules.iter().all(|r| {
                        matches!(
                            r,
                            MatchingRule::NotEmpty
                                | MatchingRule::Type {
                                    min: None,
                                    max: None
                                }
                        )
                    })
                });
            if !any_content && expected.to_bytes() != actual.to_bytes() {
                out.push(Mismatch {
                    kind: MismatchKind::Body,
                    location: "$".into(),
                    expected: Some(format!("{} bytes", expected.to_bytes().len())),
                    actual: Some(format!("{} bytes", actual.to_bytes().len())),
                    rule: None,
                    message: "the binary body differs from the expected one".into(),
                });
            }
        }
    }
}

/// Form rules written as `$.field` apply to every value of that field.
fn form_rules(rules: &PathRules) -> PathRules {
    let mut out = PathRules::default();
    for (path, list) in rules.entries() {
        let mut tokens = path.tokens().to_vec();
        if tokens.len() == 2 {
            tokens.push(PathToken::StarIndex);
        }
        out.add(PathExpr::from_tokens(tokens), list.clone());
    }
    out
}

/// True if the body is the JSON document `null`, parsed or as received text.
fn is_json_null(body: &Body) -> bool {
    match &body.content {
        BodyContent::Json(Value::Null) => true,
        BodyContent::Text(t) => t.trim() == "null",
        BodyContent::Bytes(b) => b.trim_ascii() == b"null",
        _ => false,
    }
}

fn not_json(actual: &Body, error: &dyn std::fmt::Display) -> Mismatch {
    body_type_mismatch(
        "JSON".into(),
        truncate(&actual.display_text()),
        format!("expected a JSON body but it does not parse: {error}"),
    )
}

fn as_json_or_error(body: &Body) -> Result<Value, String> {
    match &body.content {
        BodyContent::Json(v) => Ok(v.clone()),
        BodyContent::Null => Ok(Value::Null),
        BodyContent::Text(t) => serde_json::from_str(t).map_err(|e| e.to_string()),
        BodyContent::Bytes(b) => serde_json::from_slice(b).map_err(|e| e.to_string()),
        BodyContent::Missing | BodyContent::Empty => Err("the body is empty".into()),
    }
}

fn truncate(text: &str) -> String {
    if text.chars().count() > 200 {
        let cut: String = text.chars().take(197).collect();
        format!("{cut}...")
    } else {
        text.to_string()
    }
}
