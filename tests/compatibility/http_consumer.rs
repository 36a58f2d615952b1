//! HTTP consumer steps (`V1`–`V4/http_consumer.feature`, `V4/v4.feature`): interactions are
//! declared with pactum's consumer DSL (`PactBuilder`), served by its mock server, exercised over
//! HTTP, and the contract file the mock server writes is read back.
//!
//! The suite gives matching rules as pact-file JSON; they are declared through the DSL by
//! attaching each rule to the example at its path (`Pattern::Rule`), so the contract pactum
//! writes carries the same rules. Mismatches are read from the mock server's answer to an
//! unmatched request (a 500 with each close interaction's mismatches), and from the report
//! `MockServer::finish` gives.

use std::path::PathBuf;

use cucumber::gherkin::Step;
use cucumber::{given, then, when};
use pactum::consumer::{
    ConsumerError, InteractionBuilder, MockServer, MockServerReport, PactBuilder, Pattern,
    RequestBuilder, ResponseBuilder, Rule,
};
use pactum::contract::path::PathToken;
use pactum::contract::rules::{MatchingRules, RuleList};
use pactum::contract::{
    InteractionKind, Pact, ProviderState, Request, Response, parse_query_string,
};
use serde_json::{Map, Value};

use crate::CompatWorld;
use crate::matching::{kind_of, pactum_wording};
use crate::support::{self, HttpDef, TempDir, description};
use crate::written::{self, assert_document, assert_state_params, written};

/// The consumer side of a scenario.
#[derive(Default)]
pub struct ConsumerState {
    /// Where the contract is written.
    pub dir: Option<TempDir>,
    /// The running mock server, until the test is done.
    pub server: Option<MockServer>,
    /// The last answer of the mock server.
    pub response: Option<Answer>,
    /// What `finish` said.
    pub finished: Option<Result<PathBuf, ConsumerError>>,
    /// The contract written, read back with pactum's reader.
    pub pact: Option<Pact>,
    /// The contract written, as JSON.
    pub pact_json: Option<Value>,
    /// The HTTP interaction of "an integration is being defined" scenarios.
    pub integration: Option<Integration>,
}

impl Drop for ConsumerState {
    /// A scenario that ends without "the pact test is done" still stops its mock server; the
    /// verdict is not wanted then (dropping an unfinished `MockServer` would panic with it).
    fn drop(&mut self) {
        if let Some(server) = self.server.take() {
            let _ = server.finish();
        }
    }
}

/// A response received over HTTP.
#[derive(Debug, Clone)]
pub struct Answer {
    /// Status code.
    pub status: u16,
    /// Headers (lower-case names).
    pub headers: Vec<(String, String)>,
    /// Body bytes.
    pub body: Vec<u8>,
}

impl Answer {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The mismatches pactum's mock server put in its error answer (every close interaction's).
    pub fn mismatches(&self) -> Vec<Value> {
        let body: Value = serde_json::from_slice(&self.body).unwrap_or_else(|e| {
            panic!(
                "the mock server's answer is not JSON ({e}): {}",
                String::from_utf8_lossy(&self.body)
            )
        });
        body["closest"]
            .as_array()
            .into_iter()
            .flatten()
            .flat_map(|c| c["mismatches"].as_array().cloned().unwrap_or_default())
            .collect()
    }
}

/// An HTTP interaction declared step by step (V3/V4 consumer features).
#[derive(Debug, Clone, Default)]
pub struct Integration {
    /// Provider states with parameters.
    pub states: Vec<ProviderState>,
    /// V4 key.
    pub key: Option<String>,
    /// V4 pending.
    pub pending: bool,
    /// V4 text comments.
    pub comments: Vec<String>,
}

/// The request of a step-by-step integration.
const INTEGRATION_PATH: &str = "/consumer-test";

// ---------------------------------------------------------------------------------------------
// Declaring interactions with the DSL

/// Wraps the pattern node at `path` (a rule path of fields and indexes) with `list`'s rules.
fn attach(pattern: &mut Pattern, tokens: &[PathToken], list: &RuleList, at: &str) {
    let mut node = pattern;
    for token in tokens.iter().skip(1) {
        // Descend through rules already attached above this node.
        while let Pattern::Rule { example, .. } = node {
            node = example;
        }
        node = match (node, token) {
            (Pattern::Object(members), PathToken::Field(name)) => members
                .iter_mut()
                .find(|(k, _)| k == name)
                .map(|(_, p)| p)
                .unwrap_or_else(|| panic!("rule path {at}: the example has no field {name}")),
            (Pattern::Array(items), PathToken::Index(i)) => items
                .get_mut(*i)
                .unwrap_or_else(|| panic!("rule path {at}: the example has no index {i}")),
            (_, token) => panic!(
                "rule path {at}: {token:?} cannot be expressed on a single example node of the DSL"
            ),
        };
    }
    let example = std::mem::replace(node, Pattern::Value(Value::Null));
    *node = rule_pattern(example, list);
}

fn rule_pattern(example: Pattern, list: &RuleList) -> Pattern {
    Pattern::Rule {
        example: Box::new(example),
        rules: list.rules.iter().cloned().map(Rule::Ready).collect(),
        combine: list.combine,
        generator: None,
    }
}

fn single(value: &str, list: Option<&RuleList>) -> Pattern {
    match list {
        Some(list) => rule_pattern(Pattern::from(value), list),
        None => Pattern::from(value),
    }
}

fn parse_rules(json: Option<&Value>) -> MatchingRules {
    json.map(|j| {
        MatchingRules::from_json(j, "$.matchingRules")
            .unwrap_or_else(|e| panic!("the suite's matching rules do not load: {e}"))
    })
    .unwrap_or_default()
}

/// The body as the DSL declares it: JSON with its rules as a pattern, anything else as text or
/// bytes of its content type.
macro_rules! declare_body {
    ($builder:expr, $body:expr, $rules:expr) => {{
        let builder = $builder;
        let rules: &MatchingRules = $rules;
        match $body {
            None => {
                assert!(
                    rules.body.is_empty(),
                    "body rules without a body in the suite"
                );
                builder
            }
            Some(body) if body.is_json() => {
                let mut pattern = Pattern::from(body.json());
                for (path, list) in rules.body.entries() {
                    attach(&mut pattern, path.tokens(), list, path.as_str());
                }
                builder
                    .header("Content-Type", body.content_type.as_str())
                    .json_body(pattern)
            }
            Some(body) => {
                assert!(
                    rules.body.is_empty(),
                    "body rules on a {} body cannot be declared with the DSL",
                    body.content_type
                );
                match std::str::from_utf8(&body.bytes) {
                    Ok(text) => builder.body(text, &body.content_type),
                    Err(_) => builder.bytes_body(&body.bytes, &body.content_type),
                }
            }
        }
    }};
}

fn declare_request(r: RequestBuilder, def: &HttpDef) -> RequestBuilder {
    let rules = parse_rules(def.rules.as_ref());
    let mut r = r.method(&def.method, single(&def.path, rules.path.as_ref()));
    for (name, values) in parse_query_string(&def.query) {
        for value in values {
            r = r.query(&name, single(&value, rules.query.get(&name)));
        }
    }
    for (name, value) in &def.headers {
        r = r.header(name, single(value, rules.header_rules(name)));
    }
    declare_body!(r, def.body.as_ref(), &rules)
}

fn declare_response(r: ResponseBuilder, def: &HttpDef) -> ResponseBuilder {
    let rules = parse_rules(def.response_rules.as_ref());
    let mut r = r.status(def.status);
    for (name, value) in &def.response_headers {
        r = r.header(name, single(value, rules.header_rules(name)));
    }
    declare_body!(r, def.response_body.as_ref(), &rules)
}

fn new_pact(dir: &TempDir) -> PactBuilder {
    PactBuilder::new("compat-consumer", "compat-provider").output_dir(&dir.0)
}

fn start(world: &mut CompatWorld, defs: Vec<(usize, HttpDef)>) {
    let dir = TempDir::new("consumer");
    let mut pact = new_pact(&dir);
    for (n, def) in &defs {
        pact.interaction(&description(*n), |i: InteractionBuilder| {
            i.with_request(|r| declare_request(r, def))
                .will_respond_with(|r| declare_response(r, def))
        })
        .unwrap_or_else(|e| panic!("declaring interaction {n} failed: {e}"));
    }
    let server = pact
        .start_mock_server()
        .unwrap_or_else(|e| panic!("the mock server did not start: {e}"));
    let state = &mut world.consumer;
    state.dir = Some(dir);
    state.server = Some(server);
}

fn interaction(world: &CompatWorld, n: usize) -> HttpDef {
    world
        .interactions
        .get(n - 1)
        .unwrap_or_else(|| panic!("the feature defines no interaction {n}"))
        .clone()
}

/// Sends a request over HTTP the way a consumer would.
pub async fn send(base: &str, def: &HttpDef) -> Answer {
    let mut url = format!("{base}{}", def.path);
    if !def.query.is_empty() {
        url.push('?');
        url.push_str(&def.query);
    }
    let method = reqwest::Method::from_bytes(def.method.as_bytes()).expect("an HTTP method");
    let mut request = reqwest::Client::new().request(method, &url);
    for (name, value) in def.request_headers().iter().chain(&def.raw_headers) {
        request = request.header(name, value);
    }
    if let Some(body) = &def.body {
        request = request.body(body.bytes.clone());
    }
    let response = request
        .send()
        .await
        .unwrap_or_else(|e| panic!("{} {url}: {e}", def.method));
    let status = response.status().as_u16();
    let headers = response
        .headers()
        .iter()
        .map(|(n, v)| {
            (
                n.as_str().to_string(),
                String::from_utf8_lossy(v.as_bytes()).into_owned(),
            )
        })
        .collect();
    let body = response.bytes().await.expect("a response body").to_vec();
    Answer {
        status,
        headers,
        body,
    }
}

fn server_url(world: &CompatWorld) -> String {
    world
        .consumer
        .server
        .as_ref()
        .expect("the mock server was started")
        .url()
        .to_string()
}

/// Stops the mock server, checks its expectations and reads back what it wrote.
fn finish(world: &mut CompatWorld) {
    let server = world
        .consumer
        .server
        .take()
        .expect("the mock server was started");
    let result = server.finish();
    if let Ok(path) = &result {
        written::read_back(world, path);
    }
    world.consumer.finished = Some(result);
}

fn report(world: &CompatWorld) -> &MockServerReport {
    match world
        .consumer
        .finished
        .as_ref()
        .expect("the pact test is done")
    {
        Err(ConsumerError::Expectations(report)) => report,
        Err(other) => panic!("the mock server failed otherwise: {other}"),
        Ok(path) => panic!(
            "the mock server's expectations were met (wrote {})",
            path.display()
        ),
    }
}

fn nth_http<'a>(world: &'a CompatWorld, ordinal: &str) -> (&'a Request, &'a Response) {
    let i = support::ordinal(ordinal);
    match &written(world)
        .interactions
        .get(i)
        .unwrap_or_else(|| panic!("the contract has no {ordinal} interaction"))
        .kind
    {
        InteractionKind::Http { request, response } => (request, response),
        other => panic!("the {ordinal} interaction is not HTTP: {}", other.v4_type()),
    }
}

// ---------------------------------------------------------------------------------------------
// Steps

#[given("the following HTTP interactions have been defined:")]
fn interactions_defined(world: &mut CompatWorld, step: &Step) {
    world.interactions = support::http_defs(step);
}

#[when(expr = "the mock server is started with interaction {int}")]
fn started_with_interaction(world: &mut CompatWorld, n: usize) {
    let def = interaction(world, n);
    start(world, vec![(n, def)]);
}

#[when(expr = "the mock server is started with interactions {string}")]
fn started_with_interactions(world: &mut CompatWorld, list: String) {
    let defs = support::numbers(&list)
        .into_iter()
        .map(|n| (n, interaction(world, n)))
        .collect();
    start(world, defs);
}

#[when(expr = "the mock server is started with interaction {int} but with the following changes:")]
fn started_with_changes(world: &mut CompatWorld, step: &Step, n: usize) {
    let mut def = interaction(world, n);
    for row in support::rows(support::table(step)) {
        def.change_request(&row);
    }
    start(world, vec![(n, def)]);
}

#[when(expr = "request {int} is made to the mock server")]
async fn request_made(world: &mut CompatWorld, n: usize) {
    let def = interaction(world, n);
    world.consumer.response = Some(send(&server_url(world), &def).await);
}

#[when(expr = "request {int} is made to the mock server with the following changes:")]
async fn request_made_with_changes(world: &mut CompatWorld, step: &Step, n: usize) {
    let mut def = interaction(world, n);
    for row in support::rows(support::table(step)) {
        def.change_request(&row);
    }
    world.consumer.response = Some(send(&server_url(world), &def).await);
}

fn answer(world: &CompatWorld) -> &Answer {
    world
        .consumer
        .response
        .as_ref()
        .expect("a request was made")
}

#[then(expr = "a {int} success response is returned")]
#[then(expr = "a {int} error response is returned")]
fn status_returned(world: &mut CompatWorld, status: u16) {
    let answer = answer(world);
    assert_eq!(
        answer.status,
        status,
        "the mock server answered {}: {}",
        answer.status,
        String::from_utf8_lossy(&answer.body)
    );
}

#[then(expr = "the payload will contain the {string} JSON document")]
fn payload_contains(world: &mut CompatWorld, name: String) {
    let body: Value = serde_json::from_slice(&answer(world).body).expect("a JSON payload");
    assert_eq!(body, support::fixture_json(&format!("{name}.json")));
}

#[then(expr = "the content type will be set as {string}")]
fn content_type_set(world: &mut CompatWorld, content_type: String) {
    assert_eq!(
        answer(world).header("content-type"),
        Some(content_type.as_str())
    );
}

#[when("the pact test is done")]
fn pact_test_done(world: &mut CompatWorld) {
    finish(world);
}

#[then("the mock server status will be OK")]
fn status_ok(world: &mut CompatWorld) {
    if let Some(Err(e)) = &world.consumer.finished {
        panic!("the mock server reported: {e}");
    }
    assert!(world.consumer.finished.is_some(), "the pact test is done");
}

#[then("the mock server status will NOT be OK")]
fn status_not_ok(world: &mut CompatWorld) {
    report(world);
}

#[then(expr = "the mock server will write out a Pact file for the interaction(s) when done")]
fn pact_written(world: &mut CompatWorld) {
    match world
        .consumer
        .finished
        .as_ref()
        .expect("the pact test is done")
    {
        Ok(path) => assert!(path.is_file(), "{} was not written", path.display()),
        Err(e) => panic!("no contract was written: {e}"),
    }
}

#[then(expr = "the mock server will NOT write out a Pact file for the interaction(s) when done")]
fn pact_not_written(world: &mut CompatWorld) {
    if world.consumer.finished.is_none() {
        finish(world);
    }
    let dir = &world.consumer.dir.as_ref().expect("a contract folder").0;
    let files: Vec<_> = std::fs::read_dir(dir)
        .expect("the contract folder")
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    assert!(files.is_empty(), "contracts were written: {files:?}");
}

#[then(expr = "the pact file will contain \\{{int}} interaction(s)")]
fn pact_interaction_count(world: &mut CompatWorld, count: usize) {
    assert_eq!(written(world).interactions.len(), count);
}

#[then(expr = "the \\{{word}} interaction request will be for a {string}")]
fn request_method(world: &mut CompatWorld, ordinal: String, method: String) {
    assert_eq!(nth_http(world, &ordinal).0.method, method);
}

#[then(expr = "the \\{{word}} interaction response will contain the {string} document")]
fn response_document(world: &mut CompatWorld, ordinal: String, fixture: String) {
    assert_document(&nth_http(world, &ordinal).1.body, &fixture);
}

#[then(expr = "the \\{{word}} interaction request will contain the {string} document")]
fn request_document(world: &mut CompatWorld, ordinal: String, fixture: String) {
    assert_document(&nth_http(world, &ordinal).0.body, &fixture);
}

#[then(expr = "the \\{{word}} interaction request query parameters will be {string}")]
fn request_query(world: &mut CompatWorld, ordinal: String, query: String) {
    assert_eq!(
        nth_http(world, &ordinal).0.query,
        parse_query_string(&query)
    );
}

#[then(
    expr = "the \\{{word}} interaction request will contain the header {string} with value {string}"
)]
fn request_header(world: &mut CompatWorld, ordinal: String, name: String, value: String) {
    let (request, _) = nth_http(world, &ordinal);
    assert_eq!(
        request.headers.get(&name),
        Some(&[value][..]),
        "headers: {:?}",
        request.headers
    );
}

#[then(expr = "the \\{{word}} interaction request content type will be {string}")]
fn request_content_type(world: &mut CompatWorld, ordinal: String, content_type: String) {
    let (request, _) = nth_http(world, &ordinal);
    assert_eq!(
        request.body.content_type_with(&request.headers),
        Some(content_type)
    );
}

#[then(
    expr = "the mock server status will be an expected but not received error for interaction \\{{int}}"
)]
fn expected_not_received(world: &mut CompatWorld, n: usize) {
    let def = interaction(world, n);
    let report = report(world);
    let line = format!("{} {}", def.method, def.path);
    assert!(
        report
            .missing
            .iter()
            .any(|(d, request)| *d == description(n) && request.starts_with(&line)),
        "not reported as missing: {report}"
    );
}

fn unexpected_reported(world: &CompatWorld, method: &str, path: &str, query: &str) {
    let report = report(world);
    let want_query = parse_query_string(query);
    let found = report.unexpected.iter().any(|u| {
        let (line_method, target) = u.request.split_once(' ').unwrap_or(("", ""));
        let (line_path, line_query) = target.split_once('?').unwrap_or((target, ""));
        line_method == method && line_path == path && parse_query_string(line_query) == want_query
    });
    assert!(
        found,
        "no unexpected {method} {path} request reported: {report}"
    );
}

#[then(
    expr = "the mock server status will be an unexpected {string} request received error for interaction \\{{int}}"
)]
fn unexpected_for_interaction(world: &mut CompatWorld, method: String, n: usize) {
    let def = interaction(world, n);
    unexpected_reported(world, &method, &def.path, &def.query);
}

#[then(
    expr = "the mock server status will be an unexpected {string} request received error for path {string}"
)]
fn unexpected_for_path(world: &mut CompatWorld, method: String, path: String) {
    let report = report(world);
    assert!(
        report
            .unexpected
            .iter()
            .any(|u| u.request.split('?').next() == Some(&format!("{method} {path}"))),
        "no unexpected {method} {path} request reported: {report}"
    );
}

#[then("the mock server status will be mismatches")]
fn status_mismatches(world: &mut CompatWorld) {
    let report = report(world);
    assert!(
        report
            .unexpected
            .iter()
            .any(|u| u.closest.iter().any(|(_, m)| !m.is_empty())),
        "no request was reported with mismatches: {report}"
    );
}

fn assert_mismatch(world: &CompatWorld, suite_type: &str, path: Option<&str>, error: &str) {
    let kind = kind_of(suite_type);
    let mismatches = answer(world).mismatches();
    let wanted = pactum_wording(error);
    let found = mismatches.iter().any(|m| {
        m["kind"] == kind
            && path.is_none_or(|p| m["location"] == p)
            && m["message"].as_str().is_some_and(|t| t.contains(&wanted))
    });
    assert!(
        found,
        "no {suite_type} mismatch{} with error {wanted:?} among {}",
        path.map(|p| format!(" at {p}")).unwrap_or_default(),
        serde_json::to_string_pretty(&mismatches).unwrap()
    );
}

#[then(expr = "the mismatches will contain a {string} mismatch with error {string}")]
fn mismatch_with_error(world: &mut CompatWorld, suite_type: String, error: String) {
    assert_mismatch(world, &suite_type, None, &error);
}

#[then(
    expr = "the mismatches will contain a {string} mismatch with path {string} with error {string}"
)]
fn mismatch_with_path(world: &mut CompatWorld, suite_type: String, path: String, error: String) {
    assert_mismatch(world, &suite_type, Some(&path), &error);
}

// V3/V4: an interaction declared step by step.

#[given("an integration is being defined for a consumer test")]
#[given("an HTTP interaction is being defined for a consumer test")]
fn integration_defined(world: &mut CompatWorld) {
    world.consumer.integration = Some(Integration::default());
}

fn integration(world: &mut CompatWorld) -> &mut Integration {
    world
        .consumer
        .integration
        .as_mut()
        .expect("an HTTP interaction is being defined")
}

#[given(expr = "a provider state {string} is specified")]
fn state_specified(world: &mut CompatWorld, name: String) {
    integration(world).states.push(ProviderState {
        name,
        params: Map::new(),
    });
}

#[given(expr = "a provider state {string} is specified with the following data:")]
fn state_with_data(world: &mut CompatWorld, step: &Step, name: String) {
    let params = support::json_params(support::table(step));
    integration(world)
        .states
        .push(ProviderState { name, params });
}

#[given(expr = "a key of {string} is specified for the HTTP interaction")]
fn http_key(world: &mut CompatWorld, key: String) {
    integration(world).key = Some(key);
}

#[given("the HTTP interaction is marked as pending")]
fn http_pending(world: &mut CompatWorld) {
    integration(world).pending = true;
}

#[given(expr = "a comment {string} is added to the HTTP interaction")]
fn http_comment(world: &mut CompatWorld, text: String) {
    integration(world).comments.push(text);
}

/// Declares the step-by-step HTTP interaction, if any, serves it, makes its request and
/// finishes: the way a consumer test produces its contract. Without one, the messages are
/// written on their own.
#[when("the Pact file for the test is generated")]
async fn pact_generated(world: &mut CompatWorld) {
    let dir = TempDir::new("generated");
    let mut pact = new_pact(&dir);
    let http = world.consumer.integration.clone();
    if let Some(integration) = &http {
        pact.interaction("interaction for a consumer test", |i| {
            let mut i = i;
            for state in &integration.states {
                i = if state.params.is_empty() {
                    i.given(&state.name)
                } else {
                    i.given_with(&state.name, Value::Object(state.params.clone()))
                };
            }
            if let Some(key) = &integration.key {
                i = i.key(key);
            }
            for text in &integration.comments {
                i = i.comment(text);
            }
            i.pending(integration.pending)
                .with_request(|r| r.get(INTEGRATION_PATH))
                .will_respond_with(|r| r.status(200))
        })
        .unwrap_or_else(|e| panic!("declaring the HTTP interaction failed: {e}"));
    }
    crate::message::declare(world, &mut pact);
    world.consumer.dir = Some(dir);
    if http.is_some() {
        world.consumer.server = Some(pact.start_mock_server().expect("the mock server starts"));
        let def = HttpDef {
            method: "GET".into(),
            path: INTEGRATION_PATH.into(),
            ..HttpDef::default()
        };
        let answer = send(&server_url(world), &def).await;
        assert_eq!(answer.status, 200, "the mock server served the interaction");
        finish(world);
        if let Some(Err(e)) = &world.consumer.finished {
            panic!("the mock server reported: {e}");
        }
    } else {
        let path = pact
            .write()
            .unwrap_or_else(|e| panic!("writing the contract failed: {e}"));
        written::read_back(world, &path);
    }
}

fn pact_json(world: &CompatWorld) -> &Value {
    world
        .consumer
        .pact_json
        .as_ref()
        .expect("a contract was written")
}

fn first_interaction_json(world: &CompatWorld) -> &Value {
    &pact_json(world)["interactions"][0]
}

#[then(expr = "the interaction in the Pact file will contain {int} provider state(s)")]
fn interaction_state_count(world: &mut CompatWorld, count: usize) {
    assert_eq!(written(world).interactions[0].provider_states.len(), count);
    assert_eq!(
        first_interaction_json(world)["providerStates"]
            .as_array()
            .map(Vec::len),
        Some(count)
    );
}

#[then(expr = "the interaction in the Pact file will contain provider state {string}")]
fn interaction_has_state(world: &mut CompatWorld, name: String) {
    assert!(
        written(world).interactions[0]
            .provider_states
            .iter()
            .any(|s| s.name == name)
    );
}

#[then(
    expr = "the provider state {string} in the Pact file will contain the following parameters:"
)]
fn interaction_state_params(world: &mut CompatWorld, step: &Step, name: String) {
    assert_state_params(&written(world).interactions[0].provider_states, &name, step);
}

#[then(expr = "the {word} interaction in the Pact file will have a type of {string}")]
fn interaction_type(world: &mut CompatWorld, ordinal: String, kind: String) {
    let i = support::ordinal(&ordinal);
    assert_eq!(pact_json(world)["interactions"][i]["type"], kind.as_str());
}

#[then(expr = "the {word} interaction in the Pact file will have {string} = {string}")]
fn interaction_field(world: &mut CompatWorld, ordinal: String, field: String, json: String) {
    let i = support::ordinal(&ordinal);
    let want: Value = serde_json::from_str(&json).expect("the feature's value is JSON");
    assert_eq!(pact_json(world)["interactions"][i][&field], want);
}

#[then(expr = "there will be an interaction in the Pact file with a type of {string}")]
fn some_interaction_type(world: &mut CompatWorld, kind: String) {
    let interactions = pact_json(world)["interactions"]
        .as_array()
        .expect("interactions");
    assert!(
        interactions.iter().any(|i| i["type"] == kind.as_str()),
        "no {kind} interaction in {interactions:?}"
    );
}
