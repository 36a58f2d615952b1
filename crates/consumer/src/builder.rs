//! Declaring a pact: interactions, messages, and the checks done at declaration time.

use std::path::PathBuf;

use serde_json::{Map, Value};

use super::pattern::{Pattern, PatternError};
use super::{ConsumerError, MockServer};
use pactum_core::contract::path::PathToken;
use pactum_core::contract::rules::{MatchingRules, RuleList, StatusCodes};
use pactum_core::contract::{
    Body, BodyContent, Generators, Headers, Interaction, InteractionKind, Message, Pact,
    Pacticipant, ProviderState, Query, Request, Response, SpecVersion,
};
use pactum_core::generate::{GeneratorContext, generate_message};
use pactum_core::matching::{match_message, match_request, match_response};

/// The provider-state methods of interaction and message builders (both have `states`).
macro_rules! provider_state_methods {
    () => {
        /// A provider state the interaction needs.
        pub fn given(mut self, state: &str) -> Self {
            self.states.push(ProviderState {
                name: state.to_string(),
                params: Map::new(),
            });
            self
        }

        /// A provider state with parameters (an object; any other value becomes
        /// `{"value": ...}`).
        pub fn given_with(mut self, state: &str, params: Value) -> Self {
            self.states.push(ProviderState {
                name: state.to_string(),
                params: state_params(params),
            });
            self
        }
    };
}

/// The V4 interaction attributes of interaction and message builders (both have `key`,
/// `pending` and `comments`).
macro_rules! v4_interaction_methods {
    () => {
        /// The V4 interaction key, which identifies the interaction across versions of the
        /// contract (written as `key`).
        pub fn key(mut self, key: &str) -> Self {
            self.key = Some(key.to_string());
            self
        }

        /// Marks the interaction pending (V4): its failures do not fail verification yet.
        pub fn pending(mut self, pending: bool) -> Self {
            self.pending = pending;
            self
        }

        /// Adds a comment (V4 `comments.text`).
        pub fn comment(mut self, text: &str) -> Self {
            let entry = self
                .comments
                .entry("text")
                .or_insert_with(|| Value::Array(Vec::new()));
            if let Value::Array(items) = entry {
                items.push(Value::from(text));
            }
            self
        }
    };
}

/// The header and body methods of request and response builders (both have `headers` and
/// `body` fields).
macro_rules! http_part_methods {
    () => {
        /// A header.
        pub fn header(mut self, name: &str, value: impl Into<Pattern>) -> Self {
            self.headers.push((name.to_string(), value.into()));
            self
        }

        /// A JSON body (with `Content-Type: application/json` unless a header says otherwise).
        pub fn json_body(mut self, body: impl Into<Pattern>) -> Self {
            self.body = BodyPattern::Json(body.into());
            self
        }

        /// A text body of the given content type.
        pub fn body(mut self, text: &str, content_type: &str) -> Self {
            self.body = BodyPattern::Text {
                text: text.to_string(),
                content_type: content_type.to_string(),
            };
            self
        }

        /// A binary body of the given content type.
        pub fn bytes_body(mut self, bytes: &[u8], content_type: &str) -> Self {
            self.body = BodyPattern::Bytes {
                bytes: bytes.to_vec(),
                content_type: content_type.to_string(),
            };
            self
        }
    };
}

/// Builds a pact between one consumer and one provider.
#[derive(Debug, Clone)]
pub struct PactBuilder {
    pub(crate) pact: Pact,
    pub(crate) output_dir: Option<PathBuf>,
    pub(crate) cors: bool,
}

impl PactBuilder {
    /// A new pact, written as V4 unless [`PactBuilder::specification`] says V3.
    pub fn new(consumer: &str, provider: &str) -> Self {
        let mut metadata = Map::new();
        metadata.insert(
            "pactum".into(),
            serde_json::json!({"version": env!("CARGO_PKG_VERSION")}),
        );
        PactBuilder {
            pact: Pact {
                consumer: Pacticipant {
                    name: consumer.to_string(),
                    extra: Map::new(),
                },
                provider: Pacticipant {
                    name: provider.to_string(),
                    extra: Map::new(),
                },
                interactions: Vec::new(),
                metadata,
                spec: SpecVersion::V4,
                extra: Map::new(),
            },
            output_dir: None,
            cors: true,
        }
    }

    /// Writes the contract in this version (V3 or V4; V1/V2 are read-only).
    pub fn specification(mut self, version: SpecVersion) -> Self {
        self.pact.spec = version.max(SpecVersion::V3);
        self
    }

    /// Writes the contract into `dir` instead of `$PACTUM_PACT_DIR` or `target/pacts`.
    pub fn output_dir(mut self, dir: impl Into<PathBuf>) -> Self {
        self.output_dir = Some(dir.into());
        self
    }

    /// Whether the mock server answers CORS pre-flight requests (on by default).
    pub fn cors(mut self, enabled: bool) -> Self {
        self.cors = enabled;
        self
    }

    /// The pact declared so far.
    pub fn pact(&self) -> &Pact {
        &self.pact
    }

    /// Declares an HTTP interaction. Fails if a matcher is invalid, if an example does not
    /// satisfy its own matcher, or if an interaction with the same description and provider
    /// states was declared differently.
    pub fn interaction(
        &mut self,
        description: &str,
        build: impl FnOnce(InteractionBuilder) -> InteractionBuilder,
    ) -> Result<&mut Self, ConsumerError> {
        let builder = build(InteractionBuilder::new(description));
        let interaction = builder.build()?;
        self.add(interaction)?;
        Ok(self)
    }

    /// Declares an asynchronous message and hands the generated message to `handler` (the
    /// consumer's own code). The interaction is recorded only if the handler succeeds.
    pub fn message<E: std::fmt::Display>(
        &mut self,
        description: &str,
        build: impl FnOnce(MessageBuilder) -> MessageBuilder,
        handler: impl FnOnce(&Message) -> Result<(), E>,
    ) -> Result<&mut Self, ConsumerError> {
        let builder = build(MessageBuilder::new());
        let message = builder.build(description)?;
        let generated = generate_message(&message, &GeneratorContext::consumer(None))?;
        handler(&generated).map_err(|e| ConsumerError::Handler {
            interaction: description.to_string(),
            message: e.to_string(),
        })?;
        self.add(Interaction {
            provider_states: builder.states,
            key: builder.key,
            pending: builder.pending,
            comments: builder.comments,
            kind: InteractionKind::AsyncMessage(message),
            ..blank(description)
        })?;
        Ok(self)
    }

    /// Declares a synchronous message exchange (a request message and its response messages)
    /// and hands the generated request and responses to `handler`.
    pub fn sync_message<E: std::fmt::Display>(
        &mut self,
        description: &str,
        build: impl FnOnce(SyncMessageBuilder) -> SyncMessageBuilder,
        handler: impl FnOnce(&Message, &[Message]) -> Result<(), E>,
    ) -> Result<&mut Self, ConsumerError> {
        let builder = build(SyncMessageBuilder::default());
        let request = builder.request.build(description)?;
        let responses = builder
            .responses
            .iter()
            .map(|r| r.build(description))
            .collect::<Result<Vec<_>, _>>()?;
        let ctx = GeneratorContext::consumer(None);
        let generated_request = generate_message(&request, &ctx)?;
        let generated_responses = responses
            .iter()
            .map(|r| generate_message(r, &ctx))
            .collect::<Result<Vec<_>, _>>()?;
        handler(&generated_request, &generated_responses).map_err(|e| ConsumerError::Handler {
            interaction: description.to_string(),
            message: e.to_string(),
        })?;
        let attributes = builder.request;
        self.add(Interaction {
            provider_states: attributes.states,
            key: attributes.key,
            pending: attributes.pending,
            comments: attributes.comments,
            kind: InteractionKind::SyncMessage { request, responses },
            ..blank(description)
        })?;
        Ok(self)
    }

    fn add(&mut self, interaction: Interaction) -> Result<(), ConsumerError> {
        if let Some(existing) = self.pact.interactions.iter().find(|i| {
            i.description == interaction.description
                && i.provider_states == interaction.provider_states
        }) {
            if *existing != interaction {
                return Err(ConsumerError::Conflict {
                    interaction: interaction.description,
                });
            }
            return Ok(());
        }
        self.pact.interactions.push(interaction);
        Ok(())
    }

    /// Starts a mock server for the HTTP interactions on 127.0.0.1 with an OS-assigned port.
    pub fn start_mock_server(self) -> Result<MockServer, ConsumerError> {
        MockServer::start(self)
    }

    /// Writes the contract without a mock server (for message-only pacts). Fails if the pact
    /// has HTTP interactions, which only a mock server can confirm.
    pub fn write(self) -> Result<PathBuf, ConsumerError> {
        if self
            .pact
            .interactions
            .iter()
            .any(|i| matches!(i.kind, InteractionKind::Http { .. }))
        {
            return Err(ConsumerError::UnverifiedHttp);
        }
        Ok(super::pact_file::write(
            &self.pact,
            self.output_dir.as_deref(),
        )?)
    }
}

fn blank(description: &str) -> Interaction {
    Interaction {
        description: description.to_string(),
        provider_states: Vec::new(),
        key: None,
        pending: false,
        comments: Map::new(),
        plugin_configuration: Map::new(),
        kind: InteractionKind::AsyncMessage(Message::default()),
        extra: Map::new(),
    }
}

/// Provider-state parameters: an object as is; any other value as `{"value": ...}`.
fn state_params(params: Value) -> Map<String, Value> {
    match params {
        Value::Object(map) => map,
        other => {
            let mut map = Map::new();
            map.insert("value".into(), other);
            map
        }
    }
}

fn in_interaction(description: &str) -> impl Fn(PatternError) -> ConsumerError + '_ {
    move |source| ConsumerError::Pattern {
        interaction: description.to_string(),
        source,
    }
}

/// What a body holds before it is compiled.
#[derive(Debug, Clone, Default)]
enum BodyPattern {
    #[default]
    None,
    Json(Pattern),
    Text {
        text: String,
        content_type: String,
    },
    Bytes {
        bytes: Vec<u8>,
        content_type: String,
    },
}

impl BodyPattern {
    /// Compiles into a body plus rules; returns the content type to declare.
    fn compile(
        &self,
        rules: &mut MatchingRules,
        generators: &mut Generators,
        description: &str,
    ) -> Result<(Body, Option<String>), ConsumerError> {
        Ok(match self {
            BodyPattern::None => (Body::missing(), None),
            BodyPattern::Json(p) => {
                let example = p
                    .compile_into(vec![PathToken::Root], &mut rules.body, generators)
                    .map_err(in_interaction(description))?;
                (Body::json(example), Some("application/json".to_string()))
            }
            BodyPattern::Text { text, content_type } => (
                Body {
                    content: if text.is_empty() {
                        BodyContent::Empty
                    } else {
                        BodyContent::Text(text.clone())
                    },
                    content_type: Some(content_type.clone()),
                },
                Some(content_type.clone()),
            ),
            BodyPattern::Bytes {
                bytes,
                content_type,
            } => (
                Body {
                    content: BodyContent::Bytes(bytes.clone()),
                    content_type: Some(content_type.clone()),
                },
                Some(content_type.clone()),
            ),
        })
    }
}

/// Compiles the headers and body of a request or response into `out_*`, declaring the body's
/// content type as a header unless one was given.
fn compile_http_part(
    headers: &[(String, Pattern)],
    body: &BodyPattern,
    description: &str,
    out_headers: &mut Headers,
    rules: &mut MatchingRules,
    generators: &mut Generators,
) -> Result<Body, ConsumerError> {
    compile_headers(headers, description, out_headers, rules, generators)?;
    let (body, content_type) = body.compile(rules, generators, description)?;
    if let Some(ct) = content_type
        && out_headers.get("content-type").is_none()
    {
        out_headers.add("Content-Type", ct);
    }
    Ok(body)
}

fn compile_headers(
    headers: &[(String, Pattern)],
    description: &str,
    out: &mut Headers,
    rules: &mut MatchingRules,
    generators: &mut Generators,
) -> Result<(), ConsumerError> {
    for (name, value) in headers {
        let (text, list, generator) = value
            .compile_single(&format!("header '{name}'"))
            .map_err(in_interaction(description))?;
        out.add(name, text);
        if let Some(list) = list {
            rules.header.insert(name.clone(), list);
        }
        if let Some(g) = generator {
            generators.header.insert(name.clone(), g);
        }
    }
    Ok(())
}

/// Declares one HTTP interaction: provider states, request and response.
#[derive(Debug, Clone)]
pub struct InteractionBuilder {
    description: String,
    states: Vec<ProviderState>,
    key: Option<String>,
    pending: bool,
    comments: Map<String, Value>,
    request: RequestBuilder,
    response: ResponseBuilder,
}

impl InteractionBuilder {
    fn new(description: &str) -> Self {
        InteractionBuilder {
            description: description.to_string(),
            states: Vec::new(),
            key: None,
            pending: false,
            comments: Map::new(),
            request: RequestBuilder::default(),
            response: ResponseBuilder::default(),
        }
    }

    provider_state_methods!();

    v4_interaction_methods!();

    /// Describes the request.
    pub fn with_request(mut self, build: impl FnOnce(RequestBuilder) -> RequestBuilder) -> Self {
        self.request = build(self.request);
        self
    }

    /// Describes the response.
    pub fn will_respond_with(
        mut self,
        build: impl FnOnce(ResponseBuilder) -> ResponseBuilder,
    ) -> Self {
        self.response = build(self.response);
        self
    }

    fn build(self) -> Result<Interaction, ConsumerError> {
        let description = self.description.as_str();
        let request = self.request.build(description)?;
        let response = self.response.build(description)?;
        check_examples(description, &request, &response)?;
        Ok(Interaction {
            provider_states: self.states,
            key: self.key,
            pending: self.pending,
            comments: self.comments,
            kind: InteractionKind::Http { request, response },
            ..blank(description)
        })
    }
}

/// Every example must satisfy its own matchers: a contract whose example breaks its own rule
/// would fail against any correct provider.
fn check_examples(
    description: &str,
    request: &Request,
    response: &Response,
) -> Result<(), ConsumerError> {
    let mut as_sent = request.clone();
    as_sent.body = as_on_the_wire(&request.body);
    let mut mismatches = match_request(request, &as_sent);
    let mut as_received = response.clone();
    as_received.body = as_on_the_wire(&response.body);
    mismatches.extend(match_response(response, &as_received));
    if mismatches.is_empty() {
        Ok(())
    } else {
        Err(ConsumerError::ExampleBreaksRule {
            interaction: description.to_string(),
            mismatches,
        })
    }
}

/// The body as the other side would receive it: bytes, parsed by the matcher.
fn as_on_the_wire(body: &Body) -> Body {
    if body.is_missing() {
        Body::missing()
    } else {
        Body::received(&body.to_bytes())
    }
}

/// Describes the request of an interaction.
#[derive(Debug, Clone)]
pub struct RequestBuilder {
    method: String,
    path: Pattern,
    query: Vec<(String, Vec<Pattern>)>,
    headers: Vec<(String, Pattern)>,
    body: BodyPattern,
}

impl Default for RequestBuilder {
    fn default() -> Self {
        RequestBuilder {
            method: "GET".into(),
            path: Pattern::from("/"),
            query: Vec::new(),
            headers: Vec::new(),
            body: BodyPattern::None,
        }
    }
}

impl RequestBuilder {
    /// The method and path.
    pub fn method(mut self, method: &str, path: impl Into<Pattern>) -> Self {
        self.method = method.to_ascii_uppercase();
        self.path = path.into();
        self
    }

    /// `GET path`.
    pub fn get(self, path: impl Into<Pattern>) -> Self {
        self.method("GET", path)
    }

    /// `POST path`.
    pub fn post(self, path: impl Into<Pattern>) -> Self {
        self.method("POST", path)
    }

    /// `PUT path`.
    pub fn put(self, path: impl Into<Pattern>) -> Self {
        self.method("PUT", path)
    }

    /// `PATCH path`.
    pub fn patch(self, path: impl Into<Pattern>) -> Self {
        self.method("PATCH", path)
    }

    /// `DELETE path`.
    pub fn delete(self, path: impl Into<Pattern>) -> Self {
        self.method("DELETE", path)
    }

    /// A query parameter value (call again for repeated parameters).
    pub fn query(mut self, name: &str, value: impl Into<Pattern>) -> Self {
        match self.query.iter_mut().find(|(n, _)| n == name) {
            Some((_, values)) => values.push(value.into()),
            None => self.query.push((name.to_string(), vec![value.into()])),
        }
        self
    }

    http_part_methods!();

    fn build(&self, description: &str) -> Result<Request, ConsumerError> {
        let mut request = Request {
            method: self.method.clone(),
            ..Request::default()
        };
        let (path, rules, generator) = self
            .path
            .compile_single("path")
            .map_err(in_interaction(description))?;
        request.path = path;
        request.matching_rules.path = rules;
        request.generators.path = generator;
        let mut query = Query::new();
        for (name, values) in &self.query {
            let mut texts = Vec::with_capacity(values.len());
            for value in values {
                let (text, list, generator) = value
                    .compile_single(&format!("query parameter '{name}'"))
                    .map_err(in_interaction(description))?;
                texts.push(text);
                // Rules apply to every value of a parameter, so its values must agree on them.
                let existing = request.matching_rules.query.get(name);
                if texts.len() > 1 && existing != list.as_ref() {
                    return Err(ConsumerError::Pattern {
                        interaction: description.to_string(),
                        source: PatternError {
                            path: format!("query parameter '{name}'"),
                            message: "its values carry different matchers; a parameter's rules apply to all of its values, so give every value the same matcher".into(),
                        },
                    });
                }
                if let Some(list) = list {
                    request.matching_rules.query.insert(name.clone(), list);
                }
                if let Some(g) = generator {
                    request.generators.query.insert(name.clone(), g);
                }
            }
            query.insert(name.clone(), texts);
        }
        request.query = query;
        request.body = compile_http_part(
            &self.headers,
            &self.body,
            description,
            &mut request.headers,
            &mut request.matching_rules,
            &mut request.generators,
        )?;
        Ok(request)
    }
}

/// Describes the response of an interaction.
#[derive(Debug, Clone)]
pub struct ResponseBuilder {
    status: u16,
    status_class: Option<StatusCodes>,
    headers: Vec<(String, Pattern)>,
    body: BodyPattern,
}

impl Default for ResponseBuilder {
    fn default() -> Self {
        ResponseBuilder {
            status: 200,
            status_class: None,
            headers: Vec::new(),
            body: BodyPattern::None,
        }
    }
}

impl ResponseBuilder {
    /// The status code.
    pub fn status(mut self, status: u16) -> Self {
        self.status = status;
        self
    }

    /// Any status of a class (e.g. any success); `example` is what the mock server returns.
    pub fn status_class(mut self, class: StatusCodes, example: u16) -> Self {
        self.status = example;
        self.status_class = Some(class);
        self
    }

    http_part_methods!();

    fn build(&self, description: &str) -> Result<Response, ConsumerError> {
        let mut response = Response {
            status: self.status,
            ..Response::default()
        };
        if let Some(class) = &self.status_class {
            response.matching_rules.status = Some(RuleList::single(
                pactum_core::contract::MatchingRule::StatusCode(class.clone()),
            ));
        }
        response.body = compile_http_part(
            &self.headers,
            &self.body,
            description,
            &mut response.headers,
            &mut response.matching_rules,
            &mut response.generators,
        )?;
        Ok(response)
    }
}

/// Describes a message: provider states, contents and metadata, and the V4 interaction
/// attributes (key, pending, comments). In a synchronous exchange the request message's states
/// and attributes are the interaction's; a response message's are not used.
#[derive(Debug, Clone, Default)]
pub struct MessageBuilder {
    states: Vec<ProviderState>,
    key: Option<String>,
    pending: bool,
    comments: Map<String, Value>,
    contents: BodyPattern,
    metadata: Vec<(String, Pattern)>,
}

impl MessageBuilder {
    fn new() -> Self {
        MessageBuilder::default()
    }

    provider_state_methods!();

    v4_interaction_methods!();

    /// JSON contents.
    pub fn json_contents(mut self, contents: impl Into<Pattern>) -> Self {
        self.contents = BodyPattern::Json(contents.into());
        self
    }

    /// Text contents of a content type.
    pub fn contents(mut self, text: &str, content_type: &str) -> Self {
        self.contents = BodyPattern::Text {
            text: text.to_string(),
            content_type: content_type.to_string(),
        };
        self
    }

    /// A metadata entry (topic, key, content type, ...).
    pub fn metadata(mut self, key: &str, value: impl Into<Pattern>) -> Self {
        self.metadata.push((key.to_string(), value.into()));
        self
    }

    fn build(&self, description: &str) -> Result<Message, ConsumerError> {
        let mut message = Message::default();
        let (contents, content_type) = self.contents.compile(
            &mut message.matching_rules,
            &mut message.generators,
            description,
        )?;
        message.contents = contents;
        for (key, value) in &self.metadata {
            let mut rules = pactum_core::contract::rules::PathRules::default();
            let mut generators = Generators::default();
            let example = value
                .compile_into(vec![PathToken::Root], &mut rules, &mut generators)
                .map_err(in_interaction(description))?;
            if let Some((_, list)) = rules.entries().iter().find(|(p, _)| p.is_root()) {
                message
                    .matching_rules
                    .metadata
                    .insert(key.clone(), list.clone());
            }
            if let Some((_, g)) = generators.body.into_iter().find(|(p, _)| p.is_root()) {
                message.generators.metadata.insert(key.clone(), g);
            }
            message.metadata.insert(key.clone(), example);
        }
        if let Some(ct) = content_type
            && !message.metadata.contains_key("contentType")
        {
            message
                .metadata
                .insert("contentType".into(), Value::from(ct));
        }
        let mut as_sent = message.clone();
        as_sent.contents = as_on_the_wire(&message.contents);
        let mismatches = match_message(&message, &as_sent);
        if !mismatches.is_empty() {
            return Err(ConsumerError::ExampleBreaksRule {
                interaction: description.to_string(),
                mismatches,
            });
        }
        Ok(message)
    }
}

/// Describes a synchronous message exchange: a request message and its responses.
#[derive(Debug, Clone, Default)]
pub struct SyncMessageBuilder {
    request: MessageBuilder,
    responses: Vec<MessageBuilder>,
}

impl SyncMessageBuilder {
    /// A provider state the exchange needs.
    pub fn given(mut self, state: &str) -> Self {
        self.request = self.request.given(state);
        self
    }

    /// The V4 interaction key.
    pub fn key(mut self, key: &str) -> Self {
        self.request = self.request.key(key);
        self
    }

    /// Marks the exchange pending (V4): its failures do not fail verification yet.
    pub fn pending(mut self, pending: bool) -> Self {
        self.request = self.request.pending(pending);
        self
    }

    /// Adds a comment (V4 `comments.text`).
    pub fn comment(mut self, text: &str) -> Self {
        self.request = self.request.comment(text);
        self
    }

    /// Describes the request message (keeping the states and attributes given so far).
    pub fn request(mut self, build: impl FnOnce(MessageBuilder) -> MessageBuilder) -> Self {
        let request = std::mem::take(&mut self.request);
        self.request = build(MessageBuilder {
            states: request.states,
            key: request.key,
            pending: request.pending,
            comments: request.comments,
            ..MessageBuilder::default()
        });
        self
    }

    /// Adds a response message.
    pub fn response(mut self, build: impl FnOnce(MessageBuilder) -> MessageBuilder) -> Self {
        self.responses.push(build(MessageBuilder::default()));
        self
    }
}
