//! Bodies, headers and query strings: the parts of an HTTP exchange or message that the
//! specification leaves loose, normalised into one shape for every spec version.

use std::collections::BTreeMap;

use base64::Engine as _;
use serde_json::Value;

/// What a body holds. The distinction between missing, empty and null matters: a missing
/// expected body accepts anything, an empty one requires emptiness.
#[derive(Debug, Clone, PartialEq, Default)]
pub enum BodyContent {
    /// No body was specified.
    #[default]
    Missing,
    /// Present and empty (`""`).
    Empty,
    /// JSON `null` (`"body": null` in V1–V3, `{"content": null}` in V4).
    Null,
    /// A JSON document.
    Json(Value),
    /// Text that is not JSON (plain text, XML, form data, or JSON that failed to parse).
    Text(String),
    /// Bytes that are not valid UTF-8.
    Bytes(Vec<u8>),
}

/// A body with the content type declared next to it (V4 `contentType`, or a message's
/// metadata). The `Content-Type` header is consulted separately; see [`Body::content_type_with`].
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Body {
    /// The content.
    pub content: BodyContent,
    /// The content type declared with the body, if any.
    pub content_type: Option<String>,
}

impl Body {
    /// A missing body.
    pub fn missing() -> Self {
        Body::default()
    }

    /// A JSON body.
    pub fn json(value: Value) -> Self {
        Body {
            content: BodyContent::Json(value),
            content_type: None,
        }
    }

    /// Builds a body from received bytes, parsing JSON when the content type says JSON (or,
    /// without a content type, when the bytes parse as a JSON object or array).
    pub fn from_bytes(bytes: &[u8], content_type: Option<&str>) -> Self {
        let content = if bytes.is_empty() {
            BodyContent::Empty
        } else {
            let kind = content_type.map(ContentKind::of);
            match kind {
                Some(ContentKind::Json) | None => match serde_json::from_slice::<Value>(bytes) {
                    Ok(v) if kind.is_some() || v.is_object() || v.is_array() => {
                        BodyContent::Json(v)
                    }
                    _ => text_or_bytes(bytes),
                },
                _ => text_or_bytes(bytes),
            }
        };
        Body {
            content,
            content_type: None,
        }
    }

    /// A body as received over the wire, kept as text (or bytes) and parsed only when it is
    /// matched. This is what mock servers and verifiers should build for actual bodies: the
    /// matcher parses JSON into a borrowed tree much faster than into a `serde_json::Value`.
    pub fn received(bytes: &[u8]) -> Self {
        let content = if bytes.is_empty() {
            BodyContent::Empty
        } else {
            text_or_bytes(bytes)
        };
        Body {
            content,
            content_type: None,
        }
    }

    /// True if the body is missing.
    pub fn is_missing(&self) -> bool {
        matches!(self.content, BodyContent::Missing)
    }

    /// True if the body is missing, empty or null: nothing would be sent.
    pub fn is_absent_or_empty(&self) -> bool {
        matches!(
            self.content,
            BodyContent::Missing | BodyContent::Empty | BodyContent::Null
        )
    }

    /// The content type to treat this body as: the declared one, else the `Content-Type`
    /// header, else a guess from the content.
    pub fn content_type_with(&self, headers: &Headers) -> Option<String> {
        if let Some(ct) = &self.content_type {
            return Some(ct.clone());
        }
        if let Some(ct) = headers.first("content-type") {
            return Some(ct.to_string());
        }
        match &self.content {
            BodyContent::Json(_) => Some("application/json".into()),
            BodyContent::Text(t) => {
                let t = t.trim_start();
                if t.starts_with("<?xml") || (t.starts_with('<') && t.trim_end().ends_with('>')) {
                    Some("application/xml".into())
                } else {
                    Some("text/plain".into())
                }
            }
            BodyContent::Bytes(_) => Some("application/octet-stream".into()),
            _ => None,
        }
    }

    /// The body as bytes, as it would go over the wire.
    pub fn to_bytes(&self) -> Vec<u8> {
        match &self.content {
            BodyContent::Missing | BodyContent::Empty => Vec::new(),
            BodyContent::Null => b"null".to_vec(),
            BodyContent::Json(v) => serde_json::to_vec(v).unwrap_or_default(),
            BodyContent::Text(t) => t.as_bytes().to_vec(),
            BodyContent::Bytes(b) => b.clone(),
        }
    }

    /// The body as text for display: JSON serialised, bytes as base64.
    pub fn display_text(&self) -> String {
        match &self.content {
            BodyContent::Missing => "<missing>".into(),
            BodyContent::Empty => String::new(),
            BodyContent::Null => "null".into(),
            BodyContent::Json(v) => v.to_string(),
            BodyContent::Text(t) => t.clone(),
            BodyContent::Bytes(b) => format!(
                "base64:{}",
                base64::engine::general_purpose::STANDARD.encode(b)
            ),
        }
    }
}

fn text_or_bytes(bytes: &[u8]) -> BodyContent {
    match std::str::from_utf8(bytes) {
        Ok(s) => BodyContent::Text(s.to_string()),
        Err(_) => BodyContent::Bytes(bytes.to_vec()),
    }
}

/// The broad family of a content type, which decides how bodies are compared.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ContentKind {
    /// `application/json`, `application/*+json`, `application/x-ndjson`...
    Json,
    /// `application/xml`, `text/xml`, `application/*+xml`.
    Xml,
    /// `application/x-www-form-urlencoded`.
    Form,
    /// `text/*` and other textual types.
    Text,
    /// Anything else: compared byte for byte.
    Binary,
}

impl ContentKind {
    /// Classifies a `Content-Type` value (parameters ignored).
    pub fn of(content_type: &str) -> Self {
        let essence = content_type
            .split(';')
            .next()
            .unwrap_or("")
            .trim()
            .to_ascii_lowercase();
        let (main, sub) = essence.split_once('/').unwrap_or((essence.as_str(), ""));
        if sub == "json" || sub.ends_with("+json") || sub.starts_with("json") || sub == "x-json" {
            ContentKind::Json
        } else if sub == "xml" || sub.ends_with("+xml") {
            ContentKind::Xml
        } else if sub == "x-www-form-urlencoded" {
            ContentKind::Form
        } else if main == "text" || sub == "javascript" || sub == "x-javascript" {
            ContentKind::Text
        } else {
            ContentKind::Binary
        }
    }
}

/// HTTP headers: names compared case-insensitively, each with one or more values, kept in the
/// order and spelling the contract used.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Headers(Vec<(String, Vec<String>)>);

impl Headers {
    /// No headers.
    pub fn new() -> Self {
        Headers(Vec::new())
    }

    /// Adds a value, joining an existing header of the same name (case-insensitively).
    pub fn add(&mut self, name: &str, value: impl Into<String>) {
        match self
            .0
            .iter_mut()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
        {
            Some((_, values)) => values.push(value.into()),
            None => self.0.push((name.to_string(), vec![value.into()])),
        }
    }

    /// Replaces all values of a header.
    pub fn set(&mut self, name: &str, values: Vec<String>) {
        match self
            .0
            .iter_mut()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
        {
            Some((_, existing)) => *existing = values,
            None => self.0.push((name.to_string(), values)),
        }
    }

    /// All values of a header, looked up case-insensitively.
    pub fn get(&self, name: &str) -> Option<&[String]> {
        self.0
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_slice())
    }

    /// The first value of a header.
    pub fn first(&self, name: &str) -> Option<&str> {
        self.get(name).and_then(|v| v.first()).map(String::as_str)
    }

    /// Iterates `(name, values)` in order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &[String])> {
        self.0.iter().map(|(n, v)| (n.as_str(), v.as_slice()))
    }

    /// True if there are no headers.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Number of distinct header names.
    pub fn len(&self) -> usize {
        self.0.len()
    }
}

impl<N: Into<String>, V: Into<String>> FromIterator<(N, V)> for Headers {
    fn from_iter<T: IntoIterator<Item = (N, V)>>(iter: T) -> Self {
        let mut headers = Headers::new();
        for (n, v) in iter {
            headers.add(&n.into(), v);
        }
        headers
    }
}

/// True for headers about how a message is framed on one connection (`Content-Length`,
/// `Transfer-Encoding`, `Connection`, ...). Contracts often record them, but they describe the
/// transport rather than the API, and bodies are re-serialised when replayed, so pactum
/// neither compares nor copies them: the HTTP library sets them for the body actually sent.
pub fn is_framing_header(name: &str) -> bool {
    [
        "content-length",
        "transfer-encoding",
        "connection",
        "keep-alive",
        "upgrade",
        "te",
        "trailer",
    ]
    .iter()
    .any(|h| h.eq_ignore_ascii_case(name))
}

/// Query parameters: name → values in order. Names are sorted so written contracts are stable.
pub type Query = BTreeMap<String, Vec<String>>;

/// Parses a raw query string (`a=1&b=2&b=3`), percent-decoding names and values. A bare `a`
/// becomes `a` with an empty value.
pub fn parse_query_string(raw: &str) -> Query {
    let mut query = Query::new();
    for (name, value) in form_urlencoded::parse(raw.trim_start_matches('?').as_bytes()) {
        query
            .entry(name.into_owned())
            .or_default()
            .push(value.into_owned());
    }
    query
}

/// Renders query parameters as a query string (without the `?`).
pub fn render_query_string(query: &Query) -> String {
    let mut out = form_urlencoded::Serializer::new(String::new());
    for (name, values) in query {
        for value in values {
            out.append_pair(name, value);
        }
    }
    out.finish()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn content_kinds() {
        for (ct, kind) in [
            ("application/json", ContentKind::Json),
            ("application/hal+json; charset=utf-8", ContentKind::Json),
            ("application/vnd.api+json", ContentKind::Json),
            ("text/xml", ContentKind::Xml),
            ("application/atom+xml", ContentKind::Xml),
            ("application/x-www-form-urlencoded", ContentKind::Form),
            ("text/plain", ContentKind::Text),
            ("image/png", ContentKind::Binary),
        ] {
            assert_eq!(ContentKind::of(ct), kind, "{ct}");
        }
    }

    #[test]
    fn bodies_from_bytes() {
        assert_eq!(
            Body::from_bytes(br#"{"a":1}"#, Some("application/json")).content,
            BodyContent::Json(json!({"a": 1}))
        );
        assert_eq!(
            Body::from_bytes(b"not json", Some("application/json")).content,
            BodyContent::Text("not json".into())
        );
        assert_eq!(
            Body::from_bytes(b"[1]", None).content,
            BodyContent::Json(json!([1]))
        );
        assert_eq!(
            Body::from_bytes(b"12", None).content,
            BodyContent::Text("12".into())
        );
        assert_eq!(
            Body::from_bytes(b"", Some("text/plain")).content,
            BodyContent::Empty
        );
        assert_eq!(
            Body::from_bytes(&[0xff, 0xfe], None).content,
            BodyContent::Bytes(vec![0xff, 0xfe])
        );
    }

    #[test]
    fn headers_are_case_insensitive() {
        let mut h = Headers::new();
        h.add("Content-Type", "application/json");
        h.add("content-type", "text/plain");
        assert_eq!(h.len(), 1);
        assert_eq!(
            h.get("CONTENT-TYPE").unwrap(),
            ["application/json", "text/plain"]
        );
    }

    #[test]
    fn query_strings_round_trip() {
        let q = parse_query_string("?a=1&b=x%20y&b=3&c");
        assert_eq!(q["b"], ["x y", "3"]);
        assert_eq!(q["c"], [""]);
        assert_eq!(parse_query_string(&render_query_string(&q)), q);
    }
}
