//! What every area's steps share: the suite's fixtures, its notation for bodies and headers in
//! tables, and the interaction tables of the HTTP features.
//!
//! Not here: anything that talks to pactum; each area's module does that.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use cucumber::gherkin::{Step, Table};
use serde_json::Value;

static SUITE: OnceLock<PathBuf> = OnceLock::new();

/// Records the suite's root folder (the one holding `features` and `fixtures`).
pub fn set_suite_dir(dir: PathBuf) {
    let _ = SUITE.set(dir);
}

/// The path of a fixture file.
pub fn fixture_path(name: &str) -> PathBuf {
    SUITE
        .get()
        .expect("the suite folder is set before any step runs")
        .join("fixtures")
        .join(name)
}

/// The bytes of a fixture file.
pub fn fixture_bytes(name: &str) -> Vec<u8> {
    let path = fixture_path(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("cannot read fixture {}: {e}", path.display()))
}

/// A fixture parsed as JSON.
pub fn fixture_json(name: &str) -> Value {
    serde_json::from_slice(&fixture_bytes(name))
        .unwrap_or_else(|e| panic!("fixture {name} is not JSON: {e}"))
}

/// JSON given either inline (`JSON: {...}`) or as a fixture file name.
pub fn json_or_fixture(text: &str) -> Value {
    match text.trim().strip_prefix("JSON:") {
        Some(inline) => serde_json::from_str(inline.trim())
            .unwrap_or_else(|e| panic!("inline JSON {inline} does not parse: {e}")),
        None => fixture_json(text.trim()),
    }
}

/// Undoes the `\"` escapes of a quoted step parameter (the cucumber crate keeps them).
pub fn unescape(text: &str) -> String {
    text.replace("\\\"", "\"")
}

/// A value in a table or step that may be JSON (`JSON: ...`) or plain text.
pub fn json_or_text(text: &str) -> Value {
    let text = unescape(text);
    match text.strip_prefix("JSON:") {
        Some(inline) => serde_json::from_str(inline.trim())
            .unwrap_or_else(|e| panic!("inline JSON {inline} does not parse: {e}")),
        None => Value::String(text),
    }
}

/// Body contents and their content type, as the suite describes them.
#[derive(Debug, Clone, PartialEq)]
pub struct BodySpec {
    /// The bytes as they go over the wire.
    pub bytes: Vec<u8>,
    /// The content type.
    pub content_type: String,
}

impl BodySpec {
    /// True when the content type is JSON.
    pub fn is_json(&self) -> bool {
        pactum::contract::ContentKind::of(&self.content_type) == pactum::contract::ContentKind::Json
    }

    /// The body parsed as JSON (panics when it is not JSON).
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.bytes).unwrap_or_else(|e| {
            panic!(
                "body of type {} is not JSON ({e}): {}",
                self.content_type,
                String::from_utf8_lossy(&self.bytes)
            )
        })
    }

    /// The body as text (panics when it is not UTF-8).
    pub fn text(&self) -> String {
        String::from_utf8(self.bytes.clone()).expect("a text body")
    }
}

/// Reads the suite's body notation: empty (no body), `JSON: ...`, `XML: ...`, `file: name`
/// (a `*-body.xml` fixture describes its own content type and contents), `EMPTY`, or plain text.
/// `content_type` overrides the type the notation implies.
pub fn body_spec(text: &str, content_type: Option<&str>) -> Option<BodySpec> {
    let text = text.trim();
    if text.is_empty() {
        return None;
    }
    let (bytes, implied) = if let Some(json) = text.strip_prefix("JSON:") {
        (
            json.trim().as_bytes().to_vec(),
            "application/json".to_string(),
        )
    } else if let Some(xml) = text.strip_prefix("XML:") {
        (
            xml.trim().as_bytes().to_vec(),
            "application/xml".to_string(),
        )
    } else if let Some(name) = text.strip_prefix("file:") {
        let name = name.trim();
        if name.ends_with("-body.xml") {
            described_body(name)
        } else {
            (fixture_bytes(name), content_type_of_file(name).to_string())
        }
    } else if text == "EMPTY" {
        (Vec::new(), "text/plain".to_string())
    } else {
        (text.as_bytes().to_vec(), "text/plain".to_string())
    };
    Some(BodySpec {
        bytes,
        content_type: content_type.map(str::to_string).unwrap_or(implied),
    })
}

fn content_type_of_file(name: &str) -> &'static str {
    match Path::new(name).extension().and_then(|e| e.to_str()) {
        Some("json") => "application/json",
        Some("xml") => "application/xml",
        Some("jpg") => "image/jpeg",
        Some("pdf") => "application/pdf",
        _ => "text/plain",
    }
}

/// A `*-body.xml` fixture: `<body><contentType>..</contentType><contents>..</contents></body>`,
/// the contents trimmed, with CRLF line ends for `eol="CRLF"` and decoded for
/// `encoding="base64"`.
fn described_body(name: &str) -> (Vec<u8>, String) {
    let text = String::from_utf8(fixture_bytes(name)).expect("body fixtures are UTF-8");
    let doc = roxmltree::Document::parse(&text)
        .unwrap_or_else(|e| panic!("fixture {name} is not XML: {e}"));
    let root = doc.root_element();
    let child = |tag: &str| root.children().find(|n| n.has_tag_name(tag));
    let content_type = child("contentType")
        .and_then(|n| n.text())
        .map(|t| t.trim().to_string())
        .unwrap_or_else(|| "text/plain".to_string());
    let contents = child("contents").expect("a <contents> element");
    let mut body: String = contents
        .children()
        .filter_map(|n| n.text())
        .collect::<String>()
        .trim()
        .to_string();
    if contents.attribute("eol") == Some("CRLF") {
        body = body.replace("\r\n", "\n").replace('\n', "\r\n");
    }
    let bytes = if contents.attribute("encoding") == Some("base64") {
        use base64::Engine as _;
        base64::engine::general_purpose::STANDARD
            .decode(body.trim())
            .unwrap_or_else(|e| panic!("fixture {name}: contents are not base64: {e}"))
    } else {
        body.into_bytes()
    };
    (bytes, content_type)
}

/// Parses the suite's header notation: `'X-A: 1', 'X-B: 2'` (a value may hold commas only when
/// quoted as a whole entry).
pub fn headers(text: &str) -> Vec<(String, String)> {
    let text = text.trim();
    if text.is_empty() {
        return Vec::new();
    }
    split_quoted(text)
        .into_iter()
        .map(|entry| {
            let (name, value) = entry
                .split_once(':')
                .unwrap_or_else(|| panic!("header entry {entry:?} has no ':'"));
            (name.trim().to_string(), value.trim().to_string())
        })
        .collect()
}

/// Splits `'a', 'b, c'` into `a` and `b, c`; unquoted entries split at commas.
fn split_quoted(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = text.trim();
    while !rest.is_empty() {
        if let Some(quoted) = rest.strip_prefix('\'') {
            let end = quoted.find('\'').expect("a closing quote");
            out.push(quoted[..end].to_string());
            rest = quoted[end + 1..].trim_start();
        } else {
            let end = rest.find(',').unwrap_or(rest.len());
            out.push(rest[..end].trim().to_string());
            rest = &rest[end..];
        }
        rest = rest.strip_prefix(',').unwrap_or(rest).trim_start();
    }
    out
}

/// A table as (column name → cell) rows.
pub fn rows(table: &Table) -> Vec<Vec<(String, String)>> {
    let header = &table.rows[0];
    table.rows[1..]
        .iter()
        .map(|row| header.iter().cloned().zip(row.iter().cloned()).collect())
        .collect()
}

/// The step's table, which the feature must give.
pub fn table(step: &Step) -> &Table {
    step.table
        .as_ref()
        .expect("this step needs a data table in the feature")
}

/// The cell of a column in a row, if the column exists.
pub fn cell<'a>(row: &'a [(String, String)], column: &str) -> Option<&'a str> {
    row.iter()
        .find(|(name, _)| name == column)
        .map(|(_, v)| v.as_str())
}

/// The parameters table of provider-state steps: one row of JSON values under parameter names.
pub fn json_params(table: &Table) -> serde_json::Map<String, Value> {
    let row = rows(table).into_iter().next().expect("a row of parameters");
    row.into_iter()
        .map(|(k, v)| {
            let value = serde_json::from_str(&v)
                .unwrap_or_else(|e| panic!("parameter {k} = {v} is not JSON: {e}"));
            (k, value)
        })
        .collect()
}

/// One HTTP interaction of a feature's background table.
#[derive(Debug, Clone, Default)]
pub struct HttpDef {
    /// `method`.
    pub method: String,
    /// `path`.
    pub path: String,
    /// `query`, as written (`a=1&b=2`).
    pub query: String,
    /// `headers`.
    pub headers: Vec<(String, String)>,
    /// Extra header lines sent as is (`raw headers` in request changes).
    pub raw_headers: Vec<(String, String)>,
    /// `body`.
    pub body: Option<BodySpec>,
    /// `matching rules`.
    pub rules: Option<Value>,
    /// `response`.
    pub status: u16,
    /// `response headers`.
    pub response_headers: Vec<(String, String)>,
    /// `response body` (typed by `response content` when given).
    pub response_body: Option<BodySpec>,
    /// `response matching rules`.
    pub response_rules: Option<Value>,
}

impl HttpDef {
    /// Reads one row of a "the following HTTP interactions have been defined" table.
    pub fn from_row(row: &[(String, String)]) -> HttpDef {
        let mut def = HttpDef {
            method: "GET".into(),
            path: "/".into(),
            status: 200,
            ..HttpDef::default()
        };
        let response_content = cell(row, "response content").filter(|c| !c.is_empty());
        for (column, value) in row {
            match column.as_str() {
                "No" | "response content" => {}
                "method" => def.method = value.clone(),
                "path" => def.path = value.clone(),
                "query" => def.query = value.clone(),
                "headers" => def.headers = headers(value),
                "body" => def.body = body_spec(value, None),
                "matching rules" => def.rules = rules_cell(value),
                "response" => def.status = value.parse().expect("a status code"),
                "response headers" => def.response_headers = headers(value),
                "response body" => def.response_body = body_spec(value, response_content),
                "response matching rules" => def.response_rules = rules_cell(value),
                other => panic!("unknown interaction column {other:?}"),
            }
        }
        def
    }

    /// Applies a "with the following changes" row to the request.
    pub fn change_request(&mut self, row: &[(String, String)]) {
        for (column, value) in row {
            match column.as_str() {
                "method" => self.method = value.clone(),
                "path" => self.path = value.clone(),
                "query" => self.query = value.clone(),
                "headers" => self.headers = headers(value),
                "raw headers" => self.raw_headers = headers(value),
                "body" => self.body = changed_body(value, self.body.as_ref()),
                other => panic!("unknown request change column {other:?}"),
            }
        }
    }

    /// Applies a "with the following changes" row to the response.
    pub fn change_response(&mut self, row: &[(String, String)]) {
        for (column, value) in row {
            match column.as_str() {
                "response" => self.status = value.parse().expect("a status code"),
                "response headers" => self.response_headers.extend(headers(value)),
                "response body" => {
                    self.response_body = changed_body(value, self.response_body.as_ref())
                }
                other => panic!("unknown response change column {other:?}"),
            }
        }
    }

    /// The request headers as they are sent: the listed ones plus the body's content type.
    pub fn request_headers(&self) -> Vec<(String, String)> {
        with_content_type(&self.headers, self.body.as_ref())
    }

    /// The response headers as they are sent: the listed ones plus the body's content type.
    pub fn response_headers(&self) -> Vec<(String, String)> {
        with_content_type(&self.response_headers, self.response_body.as_ref())
    }
}

/// A changed body: plain text keeps the content type of the body it replaces (a changed form
/// body is still a form), anything else says its own.
fn changed_body(text: &str, previous: Option<&BodySpec>) -> Option<BodySpec> {
    let plain = !["JSON:", "XML:", "file:"]
        .iter()
        .any(|prefix| text.trim().starts_with(prefix));
    let keep = previous.filter(|_| plain).map(|p| p.content_type.as_str());
    body_spec(text, keep)
}

fn rules_cell(value: &str) -> Option<Value> {
    (!value.trim().is_empty()).then(|| json_or_fixture(value))
}

fn with_content_type(
    headers: &[(String, String)],
    body: Option<&BodySpec>,
) -> Vec<(String, String)> {
    let mut out = headers.to_vec();
    if let Some(body) = body
        && !out
            .iter()
            .any(|(n, _)| n.eq_ignore_ascii_case("content-type"))
    {
        out.push(("Content-Type".into(), body.content_type.clone()));
    }
    out
}

/// Reads an interaction table.
pub fn http_defs(step: &Step) -> Vec<HttpDef> {
    rows(table(step))
        .iter()
        .map(|row| HttpDef::from_row(row))
        .collect()
}

/// The description pactum's contract gets for interaction `n`.
pub fn description(n: usize) -> String {
    format!("interaction {n}")
}

/// `"1, 2"` → `[1, 2]`.
pub fn numbers(list: &str) -> Vec<usize> {
    list.split(',')
        .map(|n| n.trim().parse().expect("an interaction number"))
        .collect()
}

/// A fresh folder under the system's temporary folder, removed when dropped.
#[derive(Debug)]
pub struct TempDir(pub PathBuf);

impl TempDir {
    /// Creates one.
    pub fn new(prefix: &str) -> TempDir {
        static COUNTER: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
        let n = COUNTER.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let dir =
            std::env::temp_dir().join(format!("pactum-compat-{prefix}-{}-{n}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("a temporary folder");
        TempDir(dir)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// `first`, `second`, `third` → 0, 1, 2.
pub fn ordinal(word: &str) -> usize {
    match word {
        "first" => 0,
        "second" => 1,
        "third" => 2,
        other => panic!("unknown ordinal {other:?}"),
    }
}
