//! The Pact contract model: reading and writing pact files of every specification version.
//!
//! One model serves V1 through V4: older files are normalised on read (query strings become
//! maps, V2 rule paths become categories, V4 body wrappers are unwrapped, base64 bodies decoded),
//! and contracts are written as V3 or V4. Fields pactum does not know survive a read/write round
//! trip in the `extra` maps. This module does no matching (see [`crate::matching`]) and no
//! network IO.

mod ascii_regex;
mod body;
pub mod generators;
mod hash;
mod members;
mod merge;
pub mod path;
mod read;
pub mod rules;
mod write;

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use members::Member;
use serde_json::{Map, Value};

pub use body::{
    Body, BodyContent, ContentKind, Headers, Query, is_framing_header, parse_query_string,
    render_query_string,
};
pub use generators::{Generator, Generators};
pub use hash::ContentHash;
pub use merge::{InteractionIdentity, MergeConflict, Mergeable, merge_interactions};
pub use rules::{MatchingRule, MatchingRules, RuleList};

/// A version of the Pact specification.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum SpecVersion {
    /// 1.0.0
    V1,
    /// 1.1.0
    V1_1,
    /// 2.0.0
    V2,
    /// 3.0.0
    V3,
    /// 4.0
    V4,
}

impl SpecVersion {
    /// Parses `1`, `1.1`, `v2`, `3.0.0`, `4.0` and similar spellings.
    pub fn parse(text: &str) -> Option<Self> {
        let t = text.trim().trim_start_matches(['v', 'V']);
        let mut parts = t.split('.');
        let major = parts.next()?.parse::<u32>().ok()?;
        let minor = parts
            .next()
            .map(|m| m.parse::<u32>().ok())
            .unwrap_or(Some(0))?;
        match (major, minor) {
            (1, 0) => Some(SpecVersion::V1),
            (1, _) => Some(SpecVersion::V1_1),
            (2, _) => Some(SpecVersion::V2),
            (3, _) => Some(SpecVersion::V3),
            (4, _) => Some(SpecVersion::V4),
            _ => None,
        }
    }

    /// The version string written in `metadata.pactSpecification.version`.
    pub fn as_str(self) -> &'static str {
        match self {
            SpecVersion::V1 => "1.0.0",
            SpecVersion::V1_1 => "1.1.0",
            SpecVersion::V2 => "2.0.0",
            SpecVersion::V3 => "3.0.0",
            SpecVersion::V4 => "4.0",
        }
    }
}

impl fmt::Display for SpecVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let short = match self {
            SpecVersion::V1 => "V1",
            SpecVersion::V1_1 => "V1.1",
            SpecVersion::V2 => "V2",
            SpecVersion::V3 => "V3",
            SpecVersion::V4 => "V4",
        };
        f.write_str(short)
    }
}

/// Something wrong with the content of a contract, located by JSON path.
///
/// When the problem was found by another parser (a regular expression, a date pattern, a date
/// expression), that parser's error is kept as the [`std::error::Error::source`] (and its text
/// is the message).
#[derive(Debug, Clone)]
pub struct ContractError {
    /// JSON path of the offending value, e.g. `$.interactions[2].request.matchingRules.body`.
    pub path: String,
    /// What is wrong and, where it helps, what is expected instead.
    pub message: String,
    /// The error of the parser that refused the value, if one did (also the error's `source`).
    pub cause: Option<Arc<dyn std::error::Error + Send + Sync + 'static>>,
}

impl ContractError {
    /// Builds an error at a JSON path.
    pub fn new(path: impl Into<String>, message: impl Into<String>) -> Self {
        ContractError {
            path: path.into(),
            message: message.into(),
            cause: None,
        }
    }

    /// The same error with its path's leading `parent` replaced by `child` (a path below it).
    /// Readers of many small values pass their parent's path down and call this only when
    /// something is wrong, so a valid contract builds no location strings.
    pub(crate) fn below(mut self, parent: &str, child: impl FnOnce() -> String) -> Self {
        if let Some(rest) = self.path.strip_prefix(parent) {
            self.path = child() + rest;
        }
        self
    }

    /// Builds an error at a JSON path from another parser's error, which is kept as the
    /// source; the message is that error's text.
    pub fn caused_by(
        path: impl Into<String>,
        cause: impl std::error::Error + Send + Sync + 'static,
    ) -> Self {
        ContractError {
            path: path.into(),
            message: cause.to_string(),
            cause: Some(Arc::new(cause)),
        }
    }
}

impl fmt::Display for ContractError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.path, self.message)
    }
}

impl std::error::Error for ContractError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.cause
            .as_deref()
            .map(|c| c as &(dyn std::error::Error + 'static))
    }
}

impl PartialEq for ContractError {
    /// Equal when they say the same thing at the same place (a cause's text is the message).
    fn eq(&self, other: &Self) -> bool {
        self.path == other.path
            && self.message == other.message
            && self.cause.is_some() == other.cause.is_some()
    }
}

impl Eq for ContractError {}

/// Why a contract file could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    /// The file could not be read.
    #[error("cannot read {file}: {source}")]
    Io {
        /// The file.
        file: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// The file is not valid JSON.
    #[error("{file}:{line}:{column}: invalid JSON: {message}")]
    Json {
        /// The file.
        file: PathBuf,
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
        /// What the parser said.
        message: String,
    },
    /// The JSON is not a valid contract (or request/response/message).
    #[error("{file}: {source}")]
    Contract {
        /// The file.
        file: PathBuf,
        /// Where and what.
        source: ContractError,
    },
}

/// Parses JSON text, stripping a UTF-8 byte-order mark, with line/column on error.
pub fn parse_json_file(file: &Path) -> Result<Value, LoadError> {
    parse_json_read(file, &read_file(file)?)
}

/// Reads a file, the error naming it.
pub fn read_file(file: &Path) -> Result<Vec<u8>, LoadError> {
    std::fs::read(file).map_err(|source| LoadError::Io {
        file: file.to_path_buf(),
        source,
    })
}

/// Parses the bytes [`read_file`] read from `file` as [`parse_json_file`] does.
pub fn parse_json_read(file: &Path, bytes: &[u8]) -> Result<Value, LoadError> {
    parse_json_bytes(bytes).map_err(|e| json_error(file, &e))
}

fn json_error(file: &Path, e: &serde_json::Error) -> LoadError {
    LoadError::Json {
        file: file.to_path_buf(),
        line: e.line(),
        column: e.column(),
        message: strip_position(&e.to_string()),
    }
}

/// The text of JSON bytes after checking that they are well-formed JSON (without building
/// anything), tolerating a UTF-8 byte-order mark.
fn well_formed(bytes: &[u8]) -> Result<&str, serde_json::Error> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let raw: &serde_json::value::RawValue = serde_json::from_slice(bytes)?;
    Ok(raw.get())
}

/// Parses JSON bytes, tolerating a UTF-8 byte-order mark.
pub fn parse_json_bytes(bytes: &[u8]) -> Result<Value, serde_json::Error> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    serde_json::from_slice(bytes)
}

fn strip_position(message: &str) -> String {
    match message.rfind(" at line ") {
        Some(i) => message[..i].to_string(),
        None => message.to_string(),
    }
}

/// A consumer or provider.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Pacticipant {
    /// Its name.
    pub name: String,
    /// Fields pactum does not interpret.
    pub extra: Map<String, Value>,
}

/// A provider state: the name the provider uses to set up data, with parameters.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ProviderState {
    /// The state's name, e.g. `an item with id 10 exists`.
    pub name: String,
    /// Parameters for the state.
    pub params: Map<String, Value>,
}

/// An HTTP request as the consumer sends it (or as a contract expects it).
#[derive(Debug, Clone, PartialEq)]
pub struct Request {
    /// HTTP method, e.g. `GET`.
    pub method: String,
    /// Path, e.g. `/items/1`.
    pub path: String,
    /// Query parameters.
    pub query: Query,
    /// Headers.
    pub headers: Headers,
    /// Body.
    pub body: Body,
    /// Matching rules.
    pub matching_rules: MatchingRules,
    /// Generators.
    pub generators: Generators,
    /// Fields pactum does not interpret.
    pub extra: Map<String, Value>,
}

impl Default for Request {
    fn default() -> Self {
        Request {
            method: "GET".into(),
            path: "/".into(),
            query: Query::new(),
            headers: Headers::new(),
            body: Body::missing(),
            matching_rules: MatchingRules::default(),
            generators: Generators::default(),
            extra: Map::new(),
        }
    }
}

/// An HTTP response.
#[derive(Debug, Clone, PartialEq)]
pub struct Response {
    /// Status code.
    pub status: u16,
    /// Headers.
    pub headers: Headers,
    /// Body.
    pub body: Body,
    /// Matching rules.
    pub matching_rules: MatchingRules,
    /// Generators.
    pub generators: Generators,
    /// Fields pactum does not interpret.
    pub extra: Map<String, Value>,
}

impl Default for Response {
    fn default() -> Self {
        Response {
            status: 200,
            headers: Headers::new(),
            body: Body::missing(),
            matching_rules: MatchingRules::default(),
            generators: Generators::default(),
            extra: Map::new(),
        }
    }
}

/// A message: contents plus metadata (V3 message pacts, V4 message interactions).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Message {
    /// The payload.
    pub contents: Body,
    /// Metadata such as `contentType`, topic or key.
    pub metadata: Map<String, Value>,
    /// Matching rules (`body` for contents, `metadata`).
    pub matching_rules: MatchingRules,
    /// Generators.
    pub generators: Generators,
    /// Fields pactum does not interpret.
    pub extra: Map<String, Value>,
}

/// What an interaction exchanges.
// The HTTP variant is the largest and by far the most common; boxing it would add an
// indirection to every interaction for no saving in practice.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq)]
pub enum InteractionKind {
    /// An HTTP request and its response (`Synchronous/HTTP` in V4).
    Http {
        /// The request.
        request: Request,
        /// The response.
        response: Response,
    },
    /// A message sent one way (`Asynchronous/Messages`).
    AsyncMessage(Message),
    /// A request message and its response messages (`Synchronous/Messages`).
    SyncMessage {
        /// The request message.
        request: Message,
        /// The response messages.
        responses: Vec<Message>,
    },
}

impl InteractionKind {
    /// The V4 `type` name.
    pub fn v4_type(&self) -> &'static str {
        match self {
            InteractionKind::Http { .. } => "Synchronous/HTTP",
            InteractionKind::AsyncMessage(_) => "Asynchronous/Messages",
            InteractionKind::SyncMessage { .. } => "Synchronous/Messages",
        }
    }
}

/// One interaction of a contract.
#[derive(Debug, Clone, PartialEq)]
pub struct Interaction {
    /// What the consumer does, e.g. `a request for item 10`.
    pub description: String,
    /// States the provider must be in.
    pub provider_states: Vec<ProviderState>,
    /// V4 interaction key.
    pub key: Option<String>,
    /// V4: failures do not fail verification until the provider has once passed it.
    pub pending: bool,
    /// V4 comments (`testname`, `text`, ...).
    pub comments: Map<String, Value>,
    /// V4 plugin configuration, kept as written.
    pub plugin_configuration: Map<String, Value>,
    /// The exchange.
    pub kind: InteractionKind,
    /// Fields pactum does not interpret (`interactionMarkup`, `transport`, `_id`, ...).
    pub extra: Map<String, Value>,
}

impl Interaction {
    /// An HTTP interaction with no provider states.
    pub fn http(description: impl Into<String>, request: Request, response: Response) -> Self {
        Interaction {
            description: description.into(),
            provider_states: Vec::new(),
            key: None,
            pending: false,
            comments: Map::new(),
            plugin_configuration: Map::new(),
            kind: InteractionKind::Http { request, response },
            extra: Map::new(),
        }
    }
}

/// A contract between one consumer and one provider.
#[derive(Debug, Clone, PartialEq)]
pub struct Pact {
    /// The consumer.
    pub consumer: Pacticipant,
    /// The provider.
    pub provider: Pacticipant,
    /// The interactions, in file order.
    pub interactions: Vec<Interaction>,
    /// The `metadata` object as read (spec version, writer versions, plugins).
    pub metadata: Map<String, Value>,
    /// The specification version the file declared (or was inferred to have).
    pub spec: SpecVersion,
    /// Top-level fields pactum does not interpret.
    pub extra: Map<String, Value>,
}

impl Pact {
    /// Reads a pact from its JSON form (a copy of it: prefer [`Pact::from_value`] when the
    /// JSON is not needed afterwards, and [`Pact::from_slice`] when its text is at hand).
    pub fn from_json(value: &Value) -> Result<Self, ContractError> {
        read::pact(value.clone())
    }

    /// Reads a pact from its JSON form, moving bodies, metadata and unknown fields out of it
    /// rather than copying them.
    pub fn from_value(value: Value) -> Result<Self, ContractError> {
        read::pact(value)
    }

    /// Reads a pact from JSON bytes (a UTF-8 byte-order mark is tolerated). Cheaper than
    /// parsing to a `Value` and calling [`Pact::from_value`]: interactions are parsed one at a
    /// time, so the whole file's JSON tree never exists at once. Invalid JSON is an error at
    /// `$` whose cause is the parser's error (with its line and column).
    pub fn from_slice(bytes: &[u8]) -> Result<Self, ContractError> {
        read_text(bytes, read::pact_from_text).map_err(TextError::into_contract_error)
    }

    /// Reads a pact file (see [`Pact::from_slice`]).
    pub fn load(file: &Path) -> Result<Self, LoadError> {
        let bytes = read_file(file)?;
        read_text(&bytes, read::pact_from_text).map_err(|error| match error {
            TextError::Json(e) => json_error(file, &e),
            TextError::Contract(source) => LoadError::Contract {
                file: file.to_path_buf(),
                source,
            },
        })
    }

    /// Writes the pact as JSON in the given version (V3 or V4; V3 cannot hold synchronous
    /// messages or a mix of HTTP and message interactions).
    pub fn to_json(&self, version: SpecVersion) -> Result<Value, WriteError> {
        write::pact(self, version)
    }

    /// The stable content hash: equal for contracts with the same interactions, whatever the
    /// order of keys or interactions.
    pub fn content_hash(&self) -> ContentHash {
        hash::content_hash(self)
    }

    /// Checks the contract in `json` as [`Pact::from_slice`] does and returns its
    /// [`Pact::content_hash`], keeping only each interaction's canonical text: for contracts too
    /// large to hold as a model (the broker's publications). Each interaction's members named
    /// in `ignored` are left out, as if absent.
    pub fn check_and_hash(json: &[u8], ignored: &[&str]) -> Result<ContentHash, ContractError> {
        read_text(json, |text| hash::content_hash_of_text(text, ignored))
            .map_err(TextError::into_contract_error)
    }
}

/// Why [`read_text`] failed.
enum TextError {
    /// The bytes are not well-formed JSON.
    Json(serde_json::Error),
    /// They are, but not a valid contract.
    Contract(ContractError),
}

impl TextError {
    fn into_contract_error(self) -> ContractError {
        match self {
            TextError::Json(e) => invalid_json(e),
            TextError::Contract(e) => e,
        }
    }
}

/// Reads JSON bytes (a UTF-8 byte-order mark is tolerated) with `read`, which parses the text
/// and so checks it as it goes. Only when reading fails is the text checked on its own, to
/// report malformed JSON as such (with the parser's line and column) rather than as whatever
/// the reader met: checking every contract first cost a whole extra pass over its text.
fn read_text<T>(
    bytes: &[u8],
    read: impl FnOnce(&str) -> Result<T, ContractError>,
) -> Result<T, TextError> {
    let text = match std::str::from_utf8(bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes)) {
        Ok(text) => text,
        Err(_) => well_formed(bytes).map_err(TextError::Json)?,
    };
    read(text).map_err(|error| match well_formed(bytes) {
        Err(e) => TextError::Json(e),
        Ok(_) => TextError::Contract(error),
    })
}

/// Malformed JSON as a contract error at `$`, caused by the parser's error.
fn invalid_json(e: serde_json::Error) -> ContractError {
    ContractError {
        path: "$".into(),
        message: format!("invalid JSON: {e}"),
        cause: Some(Arc::new(e)),
    }
}

/// Why a contract cannot be written in the requested form.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WriteError {
    /// The requested version cannot express the contract.
    #[error("a {version} pact cannot hold {what}; write it as V4")]
    Unsupported {
        /// The requested version.
        version: SpecVersion,
        /// What it cannot hold.
        what: &'static str,
    },
}

impl Request {
    /// Reads a request object as it appears in a pact file of `spec` (a copy of it: prefer
    /// [`Request::from_value`] when the JSON is not needed afterwards).
    pub fn from_json(value: &Value, spec: SpecVersion, at: &str) -> Result<Self, ContractError> {
        Self::from_value(value.clone(), spec, at)
    }

    /// Reads a request object, moving its body and unknown fields out of it.
    pub fn from_value(value: Value, spec: SpecVersion, at: &str) -> Result<Self, ContractError> {
        read::request(Member::Tree(value), spec, at)
    }

    /// Writes the request in V3 or V4 form.
    pub fn to_json(&self, version: SpecVersion) -> Value {
        write::request(self, version)
    }
}

impl Response {
    /// Reads a response object as it appears in a pact file of `spec` (a copy of it: prefer
    /// [`Response::from_value`] when the JSON is not needed afterwards).
    pub fn from_json(value: &Value, spec: SpecVersion, at: &str) -> Result<Self, ContractError> {
        Self::from_value(value.clone(), spec, at)
    }

    /// Reads a response object, moving its body and unknown fields out of it.
    pub fn from_value(value: Value, spec: SpecVersion, at: &str) -> Result<Self, ContractError> {
        read::response(Member::Tree(value), spec, at)
    }

    /// Writes the response in V3 or V4 form.
    pub fn to_json(&self, version: SpecVersion) -> Value {
        write::response(self, version)
    }
}

impl Message {
    /// Reads a message object as it appears in a pact file of `spec` (a copy of it: prefer
    /// [`Message::from_value`] when the JSON is not needed afterwards).
    pub fn from_json(value: &Value, spec: SpecVersion, at: &str) -> Result<Self, ContractError> {
        Self::from_value(value.clone(), spec, at)
    }

    /// Reads a message object, moving its body and unknown fields out of it.
    pub fn from_value(value: Value, spec: SpecVersion, at: &str) -> Result<Self, ContractError> {
        read::message(Member::Tree(value), spec, at)
    }

    /// Writes the message in V3 or V4 form.
    pub fn to_json(&self, version: SpecVersion) -> Value {
        write::message(self, version)
    }

    /// The content type from the body or the `contentType` metadata.
    pub fn content_type(&self) -> Option<String> {
        if let Some(ct) = &self.contents.content_type {
            return Some(ct.clone());
        }
        for key in ["contentType", "content-type", "Content-Type"] {
            if let Some(Value::String(s)) = self.metadata.get(key) {
                return Some(s.clone());
            }
        }
        self.contents.content_type_with(&Headers::new())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Malformed JSON is reported as such wherever it is (inside an interaction, after the
    /// document, in a string's bytes), with the parser's line and column, by every way of
    /// reading a contract, although the text is no longer checked on its own before reading.
    #[test]
    fn malformed_json_is_an_invalid_json_error_at_its_line_and_column() {
        let pact = |interactions: &str| {
            format!(
                "{{\"consumer\": {{\"name\": \"c\"}},\n \"provider\": {{\"name\": \"p\"}},\n \
                 \"interactions\": [{interactions}],\n \"metadata\": {{\"pactSpecification\": \
                 {{\"version\": \"4.0\"}}}}}}"
            )
        };
        let good = r#"{"type": "Synchronous/HTTP", "description": "d", "request": {"method": "GET", "path": "/"}, "response": {"status": 200}}"#;
        let mut cases: Vec<Vec<u8>> = vec![
            pact(&format!("{good},\n{{\"description\": \"x\", \"request\": {{\"path\": \"/\" \"method\": \"GET\"}}}}")),
            pact(&format!("{good},\n{{\"description\": tru}}")),
            pact(good) + " trailing",
            pact(&format!("{good},\n{{\"description\": \"\\q\"}}")),
            pact(good)[..120].to_string(),
            format!("\u{feff}{}", pact(&format!("{good},"))),
        ]
        .into_iter()
        .map(String::into_bytes)
        .collect();
        let mut bad_utf8 = pact(good).into_bytes();
        let at = bad_utf8.windows(3).position(|w| w == b"\"d\"").unwrap() + 1;
        bad_utf8[at] = 0xFF;
        cases.push(bad_utf8);
        let file =
            std::env::temp_dir().join(format!("pactum-malformed-{}.json", std::process::id()));
        for bytes in &cases {
            // What checking the whole text first reported, as reading used to.
            let parser = well_formed(bytes).unwrap_err();
            let position = format!("line {} column {}", parser.line(), parser.column());
            for error in [
                Pact::from_slice(bytes).unwrap_err(),
                Pact::check_and_hash(bytes, &[]).unwrap_err(),
            ] {
                let text = error.to_string();
                assert!(
                    text.contains("invalid JSON") && text.contains(&position),
                    "{text}"
                );
            }
            std::fs::write(&file, bytes).unwrap();
            match Pact::load(&file).unwrap_err() {
                LoadError::Json { line, column, .. } => {
                    assert_eq!((line, column), (parser.line(), parser.column()));
                }
                other => panic!("not a JSON error: {other}"),
            }
        }
        std::fs::remove_file(&file).unwrap();
    }
}
