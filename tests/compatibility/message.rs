//! Message consumer steps (`V3/message_consumer.feature`, `V4/message_consumer.feature`,
//! `V4/synchronous_message_consumer.feature`): messages are declared with pactum's consumer DSL
//! (`PactBuilder::message` / `sync_message`), the consumer's handler receives the generated
//! message, and the contract pactum writes is read back.
//!
//! Generators given as pact-file JSON are attached to the example at their path
//! (`Pattern::generated_by`), so the contract carries the same generators.

use cucumber::gherkin::Step;
use cucumber::{given, then, when};
use pactum::consumer::{MessageBuilder, PactBuilder, Pattern};
use pactum::contract::path::PathToken;
use pactum::contract::{Generators, InteractionKind, Message, ProviderState};
use serde_json::{Map, Value};

use crate::CompatWorld;
use crate::generators::assert_generated;
use crate::support::{self, BodySpec, TempDir};
use crate::written::{self, assert_body, assert_document, assert_state_params, written};

/// The message side of a consumer scenario.
#[derive(Default)]
pub struct MessageState {
    /// The asynchronous message being defined.
    pub async_message: Option<MessageDef>,
    /// The synchronous exchange being defined: its request and responses.
    pub sync_message: Option<(MessageDef, Vec<MessageDef>)>,
    /// The messages the consumer's handler received (an asynchronous message; or a sync
    /// request followed by its responses).
    pub received: Vec<Message>,
    /// The request message a sync handler received.
    pub received_request: Option<Message>,
    /// The error the consumer test ended with.
    pub failure: Option<String>,
    /// Whether the message was processed (and the contract written).
    pub processed: bool,
}

/// A message as the steps describe it.
#[derive(Debug, Clone, Default)]
pub struct MessageDef {
    /// Provider states.
    pub states: Vec<ProviderState>,
    /// Contents.
    pub body: Option<BodySpec>,
    /// Metadata.
    pub metadata: Vec<(String, Value)>,
    /// Generators (pact-file JSON).
    pub generators: Option<Value>,
    /// V4 key.
    pub key: Option<String>,
    /// V4 pending.
    pub pending: bool,
    /// V4 comments.
    pub comments: Vec<String>,
}

impl MessageDef {
    /// Applies a "configured with the following" row: `body`, `generators`, `metadata`.
    fn configure(&mut self, row: &[(String, String)]) {
        for (column, value) in row {
            match column.as_str() {
                "body" => self.body = support::body_spec(value, None),
                "generators" => self.generators = Some(support::json_or_fixture(value)),
                "metadata" => {
                    let map: Map<String, Value> =
                        serde_json::from_str(value).expect("metadata is a JSON object");
                    self.metadata.extend(map);
                }
                other => panic!("unknown message column {other:?}"),
            }
        }
    }

    /// Declares contents, metadata and generators on a message builder.
    fn declare(&self, mut m: MessageBuilder) -> MessageBuilder {
        let generators = self
            .generators
            .as_ref()
            .map(|json| {
                Generators::from_json(json, "$.generators")
                    .unwrap_or_else(|e| panic!("the suite's generators do not load: {e}"))
            })
            .unwrap_or_default();
        match &self.body {
            Some(body) if body.is_json() => {
                let mut pattern = Pattern::from(body.json());
                for (path, generator) in &generators.body {
                    let node = node_at(&mut pattern, path.tokens(), path.as_str());
                    let example = std::mem::replace(node, Pattern::Value(Value::Null));
                    *node = example.generated_by(generator.clone());
                }
                m = m.json_contents(pattern);
            }
            Some(body) => {
                assert!(generators.body.is_empty(), "body generators need JSON");
                m = m.contents(&body.text(), &body.content_type);
            }
            None => assert!(generators.body.is_empty(), "body generators need a body"),
        }
        for (key, value) in &self.metadata {
            let mut pattern = Pattern::from(value.clone());
            if let Some(generator) = generators.metadata.get(key) {
                pattern = pattern.generated_by(generator.clone());
            }
            m = m.metadata(key, pattern);
        }
        for key in generators.metadata.keys() {
            assert!(
                self.metadata.iter().any(|(k, _)| k == key),
                "a metadata generator for {key} without a value"
            );
        }
        m
    }

    /// Declares provider states and V4 attributes.
    fn declare_interaction(&self, mut m: MessageBuilder) -> MessageBuilder {
        for state in &self.states {
            m = if state.params.is_empty() {
                m.given(&state.name)
            } else {
                m.given_with(&state.name, Value::Object(state.params.clone()))
            };
        }
        if let Some(key) = &self.key {
            m = m.key(key);
        }
        for text in &self.comments {
            m = m.comment(text);
        }
        m.pending(self.pending)
    }
}

fn node_at<'a>(pattern: &'a mut Pattern, tokens: &[PathToken], at: &str) -> &'a mut Pattern {
    let mut node = pattern;
    for token in tokens.iter().skip(1) {
        node = match (node, token) {
            (Pattern::Object(members), PathToken::Field(name)) => members
                .iter_mut()
                .find(|(k, _)| k == name)
                .map(|(_, p)| p)
                .unwrap_or_else(|| panic!("generator path {at}: no field {name}")),
            (Pattern::Array(items), PathToken::Index(i)) => items
                .get_mut(*i)
                .unwrap_or_else(|| panic!("generator path {at}: no index {i}")),
            (_, token) => panic!("generator path {at}: {token:?} is not a single example node"),
        };
    }
    node
}

const ASYNC_DESCRIPTION: &str = "a message";
const SYNC_DESCRIPTION: &str = "a synchronous message";

/// Declares the message interactions being defined (without a handler that fails).
pub fn declare(world: &mut CompatWorld, pact: &mut PactBuilder) {
    let outcome = declare_with(world, pact, None);
    if let Err(e) = outcome {
        panic!("declaring the messages failed: {e}");
    }
}

/// Declares the messages; `fail_with` makes the consumer's handler fail with that error.
/// Records what the handler received.
fn declare_with(
    world: &mut CompatWorld,
    pact: &mut PactBuilder,
    fail_with: Option<&str>,
) -> Result<(), pactum::consumer::ConsumerError> {
    let state = &mut world.message;
    if let Some(def) = &state.async_message {
        let mut received = None;
        pact.message(
            ASYNC_DESCRIPTION,
            |m| def.declare(def.declare_interaction(m)),
            |message: &Message| {
                received = Some(message.clone());
                match fail_with {
                    Some(error) => Err(error.to_string()),
                    None => Ok(()),
                }
            },
        )?;
        state.received.extend(received);
    }
    if let Some((request, responses)) = &state.sync_message {
        let mut received = None;
        pact.sync_message(
            SYNC_DESCRIPTION,
            |s| {
                let mut s = s.request(|m| request.declare(request.declare_interaction(m)));
                for response in responses {
                    s = s.response(|m| response.declare(m));
                }
                s
            },
            |request: &Message, responses: &[Message]| {
                received = Some((request.clone(), responses.to_vec()));
                match fail_with {
                    Some(error) => Err(error.to_string()),
                    None => Ok(()),
                }
            },
        )?;
        if let Some((request, responses)) = received {
            state.received_request = Some(request);
            state.received.extend(responses);
        }
    }
    Ok(())
}

/// Declares the messages, runs the handler, and writes the contract when it succeeded.
fn process(world: &mut CompatWorld, fail_with: Option<&str>) {
    let dir = TempDir::new("messages");
    let mut pact = PactBuilder::new("compat-consumer", "compat-provider").output_dir(&dir.0);
    world.consumer.dir = Some(dir);
    match declare_with(world, &mut pact, fail_with) {
        Ok(()) => {
            let path = pact
                .write()
                .unwrap_or_else(|e| panic!("writing the contract failed: {e}"));
            written::read_back(world, &path);
            world.message.processed = true;
        }
        // The consumer test fails here, so it never reaches writing the contract.
        Err(e) => world.message.failure = Some(e.to_string()),
    }
}

fn async_def(world: &mut CompatWorld) -> &mut MessageDef {
    world
        .message
        .async_message
        .as_mut()
        .expect("a message is being defined")
}

fn sync_request(world: &mut CompatWorld) -> &mut MessageDef {
    &mut world
        .message
        .sync_message
        .as_mut()
        .expect("a synchronous message is being defined")
        .0
}

fn sync_responses(world: &mut CompatWorld) -> &mut Vec<MessageDef> {
    &mut world
        .message
        .sync_message
        .as_mut()
        .expect("a synchronous message is being defined")
        .1
}

fn metadata_table(step: &Step) -> Vec<(String, Value)> {
    support::rows(support::table(step))
        .iter()
        .map(|row| {
            (
                support::cell(row, "key").expect("key").to_string(),
                support::json_or_text(support::cell(row, "value").expect("value")),
            )
        })
        .collect()
}

fn state_with_data(step: &Step, name: String) -> ProviderState {
    ProviderState {
        name,
        params: support::json_params(support::table(step)),
    }
}

fn plain_state(name: String) -> ProviderState {
    ProviderState {
        name,
        params: Map::new(),
    }
}

// ---------------------------------------------------------------------------------------------
// Defining messages

#[given("a message integration is being defined for a consumer test")]
#[given("a message interaction is being defined for a consumer test")]
fn message_defined(world: &mut CompatWorld) {
    world.message.async_message = Some(MessageDef::default());
}

#[given("a synchronous message interaction is being defined for a consumer test")]
fn sync_message_defined(world: &mut CompatWorld) {
    world.message.sync_message = Some((MessageDef::default(), Vec::new()));
}

#[given(expr = "the message payload contains the {string} JSON document")]
fn payload_document(world: &mut CompatWorld, name: String) {
    async_def(world).body = support::body_spec(&format!("file: {name}.json"), None);
}

#[given("the message contains the following metadata:")]
fn message_metadata(world: &mut CompatWorld, step: &Step) {
    async_def(world).metadata.extend(metadata_table(step));
}

#[given(expr = "a provider state {string} for the message is specified")]
fn message_state(world: &mut CompatWorld, name: String) {
    async_def(world).states.push(plain_state(name));
}

#[given(expr = "a provider state {string} for the message is specified with the following data:")]
fn message_state_with_data(world: &mut CompatWorld, step: &Step, name: String) {
    let state = state_with_data(step, name);
    async_def(world).states.push(state);
}

#[given("a message is defined")]
fn a_message_is_defined(world: &mut CompatWorld) {
    // The message so far (its provider states) is the whole definition.
    async_def(world);
}

#[given("the message is configured with the following:")]
fn message_configured(world: &mut CompatWorld, step: &Step) {
    for row in support::rows(support::table(step)) {
        async_def(world).configure(&row);
    }
}

#[given(expr = "a key of {string} is specified for the message interaction")]
fn message_key(world: &mut CompatWorld, key: String) {
    async_def(world).key = Some(key);
}

#[given("the message interaction is marked as pending")]
fn message_pending(world: &mut CompatWorld) {
    async_def(world).pending = true;
}

#[given(expr = "a comment {string} is added to the message interaction")]
fn message_comment(world: &mut CompatWorld, text: String) {
    async_def(world).comments.push(text);
}

#[given(expr = "a key of {string} is specified for the synchronous message interaction")]
fn sync_key(world: &mut CompatWorld, key: String) {
    sync_request(world).key = Some(key);
}

#[given("the synchronous message interaction is marked as pending")]
fn sync_pending(world: &mut CompatWorld) {
    sync_request(world).pending = true;
}

#[given(expr = "a comment {string} is added to the synchronous message interaction")]
fn sync_comment(world: &mut CompatWorld, text: String) {
    sync_request(world).comments.push(text);
}

#[given(expr = "the message request payload contains the {string} JSON document")]
fn sync_request_document(world: &mut CompatWorld, name: String) {
    sync_request(world).body = support::body_spec(&format!("file: {name}.json"), None);
}

#[given(expr = "the message response payload contains the {string} document")]
fn sync_response_document(world: &mut CompatWorld, body: String) {
    let def = MessageDef {
        body: support::body_spec(&body, None),
        ..MessageDef::default()
    };
    sync_responses(world).push(def);
}

#[given("the message request contains the following metadata:")]
fn sync_request_metadata(world: &mut CompatWorld, step: &Step) {
    sync_request(world).metadata.extend(metadata_table(step));
}

#[given(expr = "a provider state {string} for the synchronous message is specified")]
fn sync_state(world: &mut CompatWorld, name: String) {
    sync_request(world).states.push(plain_state(name));
}

#[given(
    expr = "a provider state {string} for the synchronous message is specified with the following data:"
)]
fn sync_state_with_data(world: &mut CompatWorld, step: &Step, name: String) {
    let state = state_with_data(step, name);
    sync_request(world).states.push(state);
}

#[given("the message request is configured with the following:")]
fn sync_request_configured(world: &mut CompatWorld, step: &Step) {
    for row in support::rows(support::table(step)) {
        sync_request(world).configure(&row);
    }
}

#[given("the message response is configured with the following:")]
fn sync_response_configured(world: &mut CompatWorld, step: &Step) {
    let mut def = MessageDef::default();
    for row in support::rows(support::table(step)) {
        def.configure(&row);
    }
    sync_responses(world).push(def);
}

// ---------------------------------------------------------------------------------------------
// Processing

#[when("the message is successfully processed")]
fn successfully_processed(world: &mut CompatWorld) {
    process(world, None);
}

#[when(expr = "the message is NOT successfully processed with a {string} exception")]
fn not_processed(world: &mut CompatWorld, error: String) {
    process(world, Some(&error));
}

#[then("the consumer test will have passed")]
fn test_passed(world: &mut CompatWorld) {
    if let Some(e) = &world.message.failure {
        panic!("the consumer test failed: {e}");
    }
    assert!(world.message.processed);
}

#[then("the consumer test will have failed")]
fn test_failed(world: &mut CompatWorld) {
    assert!(
        world.message.failure.is_some(),
        "the consumer test did not fail"
    );
}

#[then(expr = "the consumer test error will be {string}")]
fn test_error(world: &mut CompatWorld, error: String) {
    let failure = world.message.failure.as_deref().expect("a failure");
    assert!(
        failure.contains(&error),
        "the failure {failure:?} does not name {error:?}"
    );
}

#[then("a Pact file for the message interaction will have been written")]
fn message_pact_written(world: &mut CompatWorld) {
    assert!(world.message.processed, "{:?}", world.message.failure);
    written(world);
}

#[then("a Pact file for the message interaction will NOT have been written")]
fn message_pact_not_written(world: &mut CompatWorld) {
    let dir = &world.consumer.dir.as_ref().expect("a contract folder").0;
    let count = std::fs::read_dir(dir).map(|d| d.count()).unwrap_or(0);
    assert_eq!(count, 0, "something was written in {}", dir.display());
}

// What the consumer received

fn received(world: &CompatWorld) -> &Message {
    world
        .message
        .received
        .first()
        .expect("the consumer received a message")
}

fn received_request(world: &CompatWorld) -> &Message {
    world
        .message
        .received_request
        .as_ref()
        .expect("the consumer received a request message")
}

#[then(expr = "the received message payload will contain the {string} JSON document")]
fn received_json(world: &mut CompatWorld, name: String) {
    assert_document(&received(world).contents, &format!("{name}.json"));
}

#[then(expr = "the received message payload will contain the {string} document")]
fn received_document(world: &mut CompatWorld, body: String) {
    let expected = support::body_spec(&body, None).expect("a body");
    assert_body(&received(world).contents, &expected, &body);
}

#[then(expr = "the received message content type will be {string}")]
fn received_content_type(world: &mut CompatWorld, content_type: String) {
    assert_eq!(received(world).content_type(), Some(content_type));
}

fn assert_metadata(metadata: &Map<String, Value>, key: &str, value: &str) {
    let want = support::json_or_text(value);
    assert_eq!(metadata.get(key), Some(&want), "metadata: {metadata:?}");
}

#[then(expr = "the received message metadata will contain {string} == {string}")]
fn received_metadata(world: &mut CompatWorld, key: String, value: String) {
    let message = if world.message.async_message.is_some() {
        received(world)
    } else {
        received_request(world)
    };
    assert_metadata(&message.metadata, &key, &value);
}

#[then(expr = "the received message request metadata will contain {string} == {string}")]
fn received_request_metadata(world: &mut CompatWorld, key: String, value: String) {
    assert_metadata(&received_request(world).metadata, &key, &value);
}

#[then(expr = "the received message response metadata will contain {string} == {string}")]
fn received_response_metadata(world: &mut CompatWorld, key: String, value: String) {
    assert_metadata(&received(world).metadata, &key, &value);
}

#[then(expr = "the received message metadata will contain {string} replaced with a(n) {string}")]
fn received_metadata_generated(world: &mut CompatWorld, key: String, kind: String) {
    let value = received(world)
        .metadata
        .get(&key)
        .expect("the metadata key");
    assert_generated(value, &kind);
}

#[then(
    expr = "the received message request metadata will contain {string} replaced with a(n) {string}"
)]
fn received_request_metadata_generated(world: &mut CompatWorld, key: String, kind: String) {
    let value = received_request(world)
        .metadata
        .get(&key)
        .expect("the metadata key");
    assert_generated(value, &kind);
}

#[then(
    expr = "the received message response metadata will contain {string} replaced with a(n) {string}"
)]
fn received_response_metadata_generated(world: &mut CompatWorld, key: String, kind: String) {
    let value = received(world)
        .metadata
        .get(&key)
        .expect("the metadata key");
    assert_generated(value, &kind);
}

fn json_at<'a>(message: &'a Message, path: &str) -> &'a Value {
    let pactum::contract::BodyContent::Json(json) = &message.contents.content else {
        panic!("the message contents are not JSON: {:?}", message.contents);
    };
    crate::generators::value_at(json, path)
}

#[then(expr = "the message contents for {string} will have been replaced with a(n) {string}")]
fn contents_generated(world: &mut CompatWorld, path: String, kind: String) {
    assert_generated(json_at(received(world), &path), &kind);
}

#[then(
    expr = "the message request contents for {string} will have been replaced with a(n) {string}"
)]
fn request_contents_generated(world: &mut CompatWorld, path: String, kind: String) {
    assert_generated(json_at(received_request(world), &path), &kind);
}

#[then(
    expr = "the message response contents for {string} will have been replaced with a(n) {string}"
)]
fn response_contents_generated(world: &mut CompatWorld, path: String, kind: String) {
    assert_generated(json_at(received(world), &path), &kind);
}

// The written contract

fn messages(world: &CompatWorld) -> Vec<&Message> {
    written(world)
        .interactions
        .iter()
        .filter_map(|i| match &i.kind {
            InteractionKind::AsyncMessage(m) => Some(m),
            InteractionKind::SyncMessage { request, .. } => Some(request),
            InteractionKind::Http { .. } => None,
        })
        .collect()
}

fn nth_message<'a>(world: &'a CompatWorld, ordinal: &str) -> &'a Message {
    messages(world)
        .get(support::ordinal(ordinal))
        .copied()
        .unwrap_or_else(|| panic!("the contract has no {ordinal} message"))
}

fn nth_states<'a>(world: &'a CompatWorld, ordinal: &str) -> &'a [ProviderState] {
    &written(world).interactions[support::ordinal(ordinal)].provider_states
}

fn sync_parts<'a>(world: &'a CompatWorld, ordinal: &str) -> (&'a Message, &'a [Message]) {
    match &written(world).interactions[support::ordinal(ordinal)].kind {
        InteractionKind::SyncMessage { request, responses } => (request, responses),
        other => panic!("not a synchronous message: {}", other.v4_type()),
    }
}

#[then(expr = "the pact file will contain {int} message interaction(s)")]
fn message_count(world: &mut CompatWorld, count: usize) {
    let asynchronous = written(world)
        .interactions
        .iter()
        .filter(|i| matches!(i.kind, InteractionKind::AsyncMessage(_)))
        .count();
    assert_eq!(asynchronous, count);
}

#[then(expr = "the pact file will contain {int} interaction(s)")]
fn interaction_count(world: &mut CompatWorld, count: usize) {
    assert_eq!(written(world).interactions.len(), count);
}

#[then(expr = "the {word} message in the pact file will contain the {string} document")]
fn pact_message_document(world: &mut CompatWorld, ordinal: String, fixture: String) {
    assert_document(&nth_message(world, &ordinal).contents, &fixture);
}

#[then(expr = "the {word} message in the pact file content type will be {string}")]
fn pact_message_content_type(world: &mut CompatWorld, ordinal: String, content_type: String) {
    assert_eq!(
        nth_message(world, &ordinal).content_type(),
        Some(content_type)
    );
}

#[then(
    expr = "the {word} message in the pact file will contain the message metadata {string} == {string}"
)]
fn pact_message_metadata(world: &mut CompatWorld, ordinal: String, key: String, value: String) {
    assert_metadata(&nth_message(world, &ordinal).metadata, &key, &value);
}

#[then(
    expr = "the {word} message in the pact file will contain the request message metadata {string} == {string}"
)]
fn pact_request_metadata(world: &mut CompatWorld, ordinal: String, key: String, value: String) {
    assert_metadata(&sync_parts(world, &ordinal).0.metadata, &key, &value);
}

#[then(expr = "the {word} message in the pact file will contain {int} provider state(s)")]
fn pact_message_state_count(world: &mut CompatWorld, ordinal: String, count: usize) {
    assert_eq!(nth_states(world, &ordinal).len(), count);
}

#[then(expr = "the {word} message in the Pact file will contain provider state {string}")]
fn pact_message_state(world: &mut CompatWorld, ordinal: String, name: String) {
    assert!(
        nth_states(world, &ordinal).iter().any(|s| s.name == name),
        "no provider state {name}"
    );
}

#[then(expr = "the provider state {string} for the message will contain the following parameters:")]
fn pact_message_state_params(world: &mut CompatWorld, step: &Step, name: String) {
    assert_state_params(nth_states(world, "first"), &name, step);
}

#[then(
    expr = "the {word} interaction in the pact file will contain the {string} document as the request"
)]
fn sync_request_in_pact(world: &mut CompatWorld, ordinal: String, body: String) {
    let expected = support::body_spec(&body, None).expect("a body");
    assert_body(&sync_parts(world, &ordinal).0.contents, &expected, &body);
}

#[then(expr = "the {word} interaction in the pact file request content type will be {string}")]
fn sync_request_content_type(world: &mut CompatWorld, ordinal: String, content_type: String) {
    assert_eq!(
        sync_parts(world, &ordinal).0.content_type(),
        Some(content_type)
    );
}

#[then(
    expr = "the {word} interaction in the pact file will contain the {string} document as a response"
)]
fn sync_response_in_pact(world: &mut CompatWorld, ordinal: String, body: String) {
    let expected = support::body_spec(&body, None).expect("a body");
    let responses = sync_parts(world, &ordinal).1;
    assert_eq!(responses.len(), 1, "one response");
    assert_body(&responses[0].contents, &expected, &body);
}

#[then(expr = "the {word} interaction in the pact file response content type will be {string}")]
fn sync_response_content_type(world: &mut CompatWorld, ordinal: String, content_type: String) {
    let responses = sync_parts(world, &ordinal).1;
    assert_eq!(responses[0].content_type(), Some(content_type));
}

#[then(expr = "the {word} interaction in the pact file will contain {int} response messages")]
fn sync_response_count(world: &mut CompatWorld, ordinal: String, count: usize) {
    assert_eq!(sync_parts(world, &ordinal).1.len(), count);
}

#[then(
    expr = "the {word} interaction in the pact file will contain the {string} document as the {word} response message"
)]
fn sync_nth_response(world: &mut CompatWorld, ordinal: String, body: String, which: String) {
    let expected = support::body_spec(&body, None).expect("a body");
    let responses = sync_parts(world, &ordinal).1;
    let response = &responses[support::ordinal(&which)];
    assert_body(&response.contents, &expected, &body);
}
