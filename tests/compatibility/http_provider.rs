//! Provider steps (`V1`–`V4/http_provider.feature`, `V3`/`V4/message_provider.feature`):
//! pactum's verifier against a provider served over HTTP on 127.0.0.1 by these steps, with
//! contracts from files or from pactum's own broker (started in-process on a fresh SQLite
//! file), publishing results back when the scenario says so.
//!
//! The provider answers each interaction's request (by method, path and query) with its
//! response, and 404 to anything else; it answers the message protocol of the official
//! verifiers (`POST /` with the description) for message scenarios. "A provider state callback"
//! is the provider's state-change URL, which records every call. Every call the provider gets
//! goes into one log, so "before"/"after" the verification can be checked in order.
//!
//! The suite names verification errors by the reference implementation's categories; they are
//! checked against the kind of pactum's mismatches: "Response status did not match" is a
//! `status` mismatch, "Headers had differences" a `header` one, "Body had differences" a
//! `body` (or body type) one, "Metadata had differences" a `metadata` one, and "State change
//! request failed" an error of the provider-state setup.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response as HttpResponse};
use cucumber::gherkin::Step;
use cucumber::{given, then, when};
use pactum::client::{BrokerClient, VerificationRequest};
use pactum::contract::rules::MatchingRules;
use pactum::contract::{
    Body, Headers, Interaction, InteractionKind, Message, Pact, Pacticipant, ProviderState,
    Request, Response, SpecVersion, parse_query_string,
};
use pactum::sources::{Auth, Loaded, Source, load_all};
use pactum::verifier::{Options, Outcome, Report, Verifier, VerifyError};
use serde_json::{Map, Value, json};

use crate::CompatWorld;
use crate::support::{self, BodySpec, HttpDef, TempDir};

/// The provider name every contract of these scenarios is for.
const PROVIDER: &str = "p";
/// The provider version results are published for.
const PROVIDER_VERSION: &str = "1.2.3";

/// The provider side of a scenario.
#[derive(Default)]
pub struct ProviderSide {
    /// The provider (and state-change endpoint), once started.
    pub server: Option<TestProvider>,
    /// Contract files to verify.
    pub files: Vec<std::path::PathBuf>,
    /// Where they are written.
    pub dir: Option<TempDir>,
    /// pactum's broker, when contracts come from one.
    pub broker: Option<TestBroker>,
    /// The interactions whose contracts were published to the broker.
    pub published: Vec<usize>,
    /// Whether the provider's state-change URL is given to the verifier.
    pub state_callback: bool,
    /// Headers the request filter sets.
    pub filter_headers: Vec<(String, String)>,
    /// Whether results are published to the broker.
    pub publish: bool,
    /// The verification's outcome.
    pub report: Option<Result<Report, VerifyError>>,
}

// ---------------------------------------------------------------------------------------------
// The provider

/// What the provider saw, in order.
#[derive(Debug, Clone)]
pub enum Call {
    /// A state-change call: the state's name, its parameters, `setup` or `teardown`.
    State {
        /// The state's name.
        name: String,
        /// Its parameters.
        params: Map<String, Value>,
        /// `setup` or `teardown`.
        action: String,
    },
    /// A request to the provider's API (or its message endpoint), with its headers.
    Request(Vec<(String, String)>),
}

/// A message the provider can produce.
#[derive(Debug, Clone)]
struct Produced {
    body: BodySpec,
    metadata: Map<String, Value>,
}

/// A response the provider gives to one request (method, path and query).
struct Route {
    method: String,
    path: String,
    query: String,
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

#[derive(Default)]
struct Routes {
    http: Vec<Route>,
    messages: HashMap<String, Produced>,
    state_fails: bool,
    log: Vec<Call>,
}

/// A provider running on 127.0.0.1; stopped on drop.
pub struct TestProvider {
    /// Its base URL.
    pub url: String,
    routes: Arc<Mutex<Routes>>,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
}

impl Drop for TestProvider {
    fn drop(&mut self) {
        if let Some(shutdown) = self.shutdown.take() {
            let _ = shutdown.send(());
        }
    }
}

const STATE_PATH: &str = "/_provider-states";

async fn serve_call(
    State(routes): State<Arc<Mutex<Routes>>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> HttpResponse {
    let mut routes = routes.lock().unwrap();
    if uri.path() == STATE_PATH {
        let call: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
        routes.log.push(Call::State {
            name: call["state"].as_str().unwrap_or_default().to_string(),
            params: call["params"].as_object().cloned().unwrap_or_default(),
            action: call["action"].as_str().unwrap_or_default().to_string(),
        });
        return if routes.state_fails {
            (StatusCode::INTERNAL_SERVER_ERROR, "state change failed").into_response()
        } else {
            (StatusCode::OK, axum::Json(json!({}))).into_response()
        };
    }
    routes.log.push(Call::Request(
        headers
            .iter()
            .map(|(n, v)| {
                (
                    n.as_str().to_string(),
                    String::from_utf8_lossy(v.as_bytes()).into_owned(),
                )
            })
            .collect(),
    ));
    if !routes.messages.is_empty() && method == Method::POST && uri.path() == "/" {
        let asked: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
        let description = asked["description"].as_str().unwrap_or_default();
        let Some(message) = routes.messages.get(description) else {
            return (StatusCode::NOT_FOUND, format!("no message {description:?}")).into_response();
        };
        use base64::Engine as _;
        let metadata = base64::engine::general_purpose::STANDARD
            .encode(Value::Object(message.metadata.clone()).to_string());
        return (
            [
                ("content-type", message.body.content_type.clone()),
                ("pact-message-metadata", metadata),
            ],
            message.body.bytes.clone(),
        )
            .into_response();
    }
    let query = parse_query_string(uri.query().unwrap_or(""));
    let route = routes.http.iter().find(|r| {
        r.method == method.as_str() && r.path == uri.path() && parse_query_string(&r.query) == query
    });
    match route {
        Some(route) => {
            let mut response = HttpResponse::new(axum::body::Body::from(route.body.clone()));
            *response.status_mut() = StatusCode::from_u16(route.status).expect("a status");
            for (name, value) in &route.headers {
                response.headers_mut().append(
                    axum::http::HeaderName::from_bytes(name.as_bytes()).expect("a header name"),
                    value.parse().expect("a header value"),
                );
            }
            response
        }
        None => (StatusCode::NOT_FOUND, "no such resource").into_response(),
    }
}

async fn start_provider() -> TestProvider {
    let routes = Arc::new(Mutex::new(Routes::default()));
    let app = axum::Router::new()
        .fallback(serve_call)
        .with_state(Arc::clone(&routes));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("a port for the provider");
    let url = format!("http://{}", listener.local_addr().unwrap());
    let (shutdown, stop) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(async move {
        let _ = axum::serve(listener, app)
            .with_graceful_shutdown(async {
                let _ = stop.await;
            })
            .await;
    });
    TestProvider {
        url,
        routes,
        shutdown: Some(shutdown),
    }
}

async fn provider(world: &mut CompatWorld) -> &TestProvider {
    if world.provider.server.is_none() {
        world.provider.server = Some(start_provider().await);
    }
    world.provider.server.as_ref().unwrap()
}

fn calls(world: &CompatWorld) -> Vec<Call> {
    world
        .provider
        .server
        .as_ref()
        .expect("a provider was started")
        .routes
        .lock()
        .unwrap()
        .log
        .clone()
}

async fn serve_interactions(world: &mut CompatWorld, defs: Vec<HttpDef>) {
    let server = provider(world).await;
    let mut routes = server.routes.lock().unwrap();
    for def in defs {
        routes.http.push(Route {
            headers: def.response_headers(),
            body: def.response_body.map(|b| b.bytes).unwrap_or_default(),
            method: def.method,
            path: def.path,
            query: def.query,
            status: def.status,
        });
    }
}

fn interaction(world: &CompatWorld, n: usize) -> HttpDef {
    world
        .interactions
        .get(n - 1)
        .unwrap_or_else(|| panic!("the feature defines no interaction {n}"))
        .clone()
}

#[given(expr = "a provider is started that returns the response from interaction {int}")]
async fn provider_for_interaction(world: &mut CompatWorld, n: usize) {
    let def = interaction(world, n);
    serve_interactions(world, vec![def]).await;
}

#[given(expr = "a provider is started that returns the responses from interactions {string}")]
async fn provider_for_interactions(world: &mut CompatWorld, list: String) {
    let defs = support::numbers(&list)
        .into_iter()
        .map(|n| interaction(world, n))
        .collect();
    serve_interactions(world, defs).await;
}

#[given(
    expr = "a provider is started that returns the response from interaction {int}, with the following changes:"
)]
async fn provider_with_changes(world: &mut CompatWorld, step: &Step, n: usize) {
    let mut def = interaction(world, n);
    for row in support::rows(support::table(step)) {
        def.change_response(&row);
    }
    serve_interactions(world, vec![def]).await;
}

fn metadata_table(step: &Step) -> Map<String, Value> {
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

async fn produce(world: &mut CompatWorld, name: String, body: &str, metadata: Map<String, Value>) {
    let body = message_body(body);
    let server = provider(world).await;
    server
        .routes
        .lock()
        .unwrap()
        .messages
        .insert(name, Produced { body, metadata });
}

/// A message body in the suite's notation (anything not `file:`/`JSON:`/`XML:` is plain text).
fn message_body(text: &str) -> BodySpec {
    support::body_spec(text, None).expect("a message body")
}

#[given(expr = "a provider is started that can generate the {string} message with {string}")]
async fn message_provider(world: &mut CompatWorld, name: String, body: String) {
    produce(world, name, &body, Map::new()).await;
}

#[given(
    expr = "a provider is started that can generate the {string} message with {string} and the following metadata:"
)]
async fn message_provider_with_metadata(
    world: &mut CompatWorld,
    step: &Step,
    name: String,
    body: String,
) {
    let metadata = metadata_table(step);
    produce(world, name, &body, metadata).await;
}

// ---------------------------------------------------------------------------------------------
// Contracts

/// A contract body: parsed by its content type, which it declares.
fn contract_body(spec: &BodySpec) -> Body {
    let mut body = Body::from_bytes(&spec.bytes, Some(&spec.content_type));
    body.content_type = Some(spec.content_type.clone());
    body
}

fn rules(json: Option<&Value>) -> MatchingRules {
    json.map(|j| {
        MatchingRules::from_json(j, "$.matchingRules")
            .unwrap_or_else(|e| panic!("the suite's matching rules do not load: {e}"))
    })
    .unwrap_or_default()
}

/// The contract model of interaction `n` of the background table.
fn http_interaction(def: &HttpDef, n: usize) -> Interaction {
    let headers = |list: Vec<(String, String)>| {
        let mut h = Headers::new();
        for (name, value) in list {
            h.add(&name, value);
        }
        h
    };
    let request = Request {
        method: def.method.clone(),
        path: def.path.clone(),
        query: parse_query_string(&def.query),
        headers: headers(def.request_headers()),
        body: def.body.as_ref().map(contract_body).unwrap_or_default(),
        matching_rules: rules(def.rules.as_ref()),
        ..Request::default()
    };
    let response = Response {
        status: def.status,
        headers: headers(def.response_headers()),
        body: def
            .response_body
            .as_ref()
            .map(contract_body)
            .unwrap_or_default(),
        matching_rules: rules(def.response_rules.as_ref()),
        ..Response::default()
    };
    Interaction::http(support::description(n), request, response)
}

fn pact_for(consumer: &str, interaction: Interaction) -> Pact {
    Pact {
        consumer: Pacticipant {
            name: consumer.to_string(),
            extra: Map::new(),
        },
        provider: Pacticipant {
            name: PROVIDER.to_string(),
            extra: Map::new(),
        },
        interactions: vec![interaction],
        metadata: Map::new(),
        spec: SpecVersion::V4,
        extra: Map::new(),
    }
}

/// Writes a contract file to verify.
fn add_file(world: &mut CompatWorld, pact: &Pact) {
    let dir = world
        .provider
        .dir
        .get_or_insert_with(|| TempDir::new("provider"));
    let path = dir.0.join(format!(
        "{}-{}-{}.json",
        pact.consumer.name,
        PROVIDER,
        world.provider.files.len()
    ));
    let json = pact.to_json(SpecVersion::V4).expect("a V4 contract");
    std::fs::write(&path, json.to_string()).expect("the contract file");
    world.provider.files.push(path);
}

fn consumer_name(n: usize) -> String {
    format!("c_{n}")
}

fn add_http(world: &mut CompatWorld, n: usize, change: impl FnOnce(&mut Interaction)) {
    let mut interaction = http_interaction(&interaction(world, n), n);
    change(&mut interaction);
    add_file(world, &pact_for(&consumer_name(n), interaction));
}

#[given(expr = "a Pact file for interaction {int} is to be verified")]
fn pact_for_interaction(world: &mut CompatWorld, n: usize) {
    add_http(world, n, |_| {});
}

#[given(
    expr = "a Pact file for interaction {int} is to be verified with a provider state {string} defined"
)]
fn pact_with_state(world: &mut CompatWorld, n: usize, state: String) {
    add_http(world, n, |i| {
        i.provider_states.push(ProviderState {
            name: state,
            params: Map::new(),
        })
    });
}

#[given(
    expr = "a Pact file for interaction {int} is to be verified with the following provider states defined:"
)]
fn pact_with_states(world: &mut CompatWorld, step: &Step, n: usize) {
    let states: Vec<ProviderState> = support::rows(support::table(step))
        .iter()
        .map(|row| ProviderState {
            name: support::cell(row, "State Name")
                .expect("State Name")
                .to_string(),
            params: support::cell(row, "Parameters")
                .map(|p| serde_json::from_str::<Map<String, Value>>(p).expect("JSON parameters"))
                .unwrap_or_default(),
        })
        .collect();
    add_http(world, n, |i| i.provider_states.extend(states));
}

#[given(expr = "a Pact file for interaction {int} is to be verified, but is marked pending")]
fn pact_pending(world: &mut CompatWorld, n: usize) {
    add_http(world, n, |i| i.pending = true);
}

/// V4 comments from a `comment | type` table (`text` comments and a `testname`).
fn comments(step: &Step) -> Map<String, Value> {
    let mut comments = Map::new();
    let mut texts = Vec::new();
    for row in support::rows(support::table(step)) {
        let comment = support::cell(&row, "comment").expect("comment").to_string();
        match support::cell(&row, "type").expect("type") {
            "text" => texts.push(Value::from(comment)),
            "testname" => {
                comments.insert("testname".into(), Value::from(comment));
            }
            other => panic!("unknown comment type {other:?}"),
        }
    }
    comments.insert("text".into(), Value::Array(texts));
    comments
}

#[given(expr = "a Pact file for interaction {int} is to be verified with the following comments:")]
fn pact_with_comments(world: &mut CompatWorld, step: &Step, n: usize) {
    let comments = comments(step);
    add_http(world, n, |i| i.comments = comments);
}

// Message contracts

fn message_interaction(name: &str, body: Option<&str>) -> Interaction {
    let mut message = Message::default();
    if let Some(body) = body {
        let spec = message_body(body);
        message
            .metadata
            .insert("contentType".into(), Value::from(spec.content_type.clone()));
        message.contents = contract_body(&spec);
    }
    Interaction {
        kind: InteractionKind::AsyncMessage(message),
        ..Interaction::http(name, Request::default(), Response::default())
    }
}

fn add_message(world: &mut CompatWorld, interaction: Interaction) {
    let consumer = format!("c_{}", interaction.description);
    add_file(world, &pact_for(&consumer, interaction));
}

#[given(expr = "a Pact file for {string}:{string} is to be verified")]
fn message_pact(world: &mut CompatWorld, name: String, body: String) {
    add_message(world, message_interaction(&name, Some(&body)));
}

#[given(expr = "a Pact file for {string}:{string} is to be verified with provider state {string}")]
fn message_pact_with_state(world: &mut CompatWorld, name: String, body: String, state: String) {
    let mut interaction = message_interaction(&name, Some(&body));
    interaction.provider_states.push(ProviderState {
        name: state,
        params: Map::new(),
    });
    add_message(world, interaction);
}

fn message_mut(interaction: &mut Interaction) -> &mut Message {
    match &mut interaction.kind {
        InteractionKind::AsyncMessage(m) => m,
        _ => unreachable!("a message interaction"),
    }
}

#[given(expr = "a Pact file for {string}:{string} is to be verified with the following metadata:")]
fn message_pact_with_metadata(world: &mut CompatWorld, step: &Step, name: String, body: String) {
    let mut interaction = message_interaction(&name, Some(&body));
    message_mut(&mut interaction)
        .metadata
        .extend(metadata_table(step));
    add_message(world, interaction);
}

#[given(expr = "a Pact file for {string}:{string} is to be verified, but is marked pending")]
fn message_pact_pending(world: &mut CompatWorld, name: String, body: String) {
    let mut interaction = message_interaction(&name, Some(&body));
    interaction.pending = true;
    add_message(world, interaction);
}

#[given(expr = "a Pact file for {string}:{string} is to be verified with the following comments:")]
fn message_pact_with_comments(world: &mut CompatWorld, step: &Step, name: String, body: String) {
    let mut interaction = message_interaction(&name, Some(&body));
    interaction.comments = comments(step);
    add_message(world, interaction);
}

/// `body | file: basic.json`, `matching rules | x.json`, `metadata | A=1; B=JSON: {...}` (a
/// two-column table of settings).
#[given(expr = "a Pact file for {string} is to be verified with the following:")]
fn message_pact_with_settings(world: &mut CompatWorld, step: &Step, name: String) {
    let mut interaction = message_interaction(&name, None);
    let message = message_mut(&mut interaction);
    for row in &support::table(step).rows {
        let (setting, value) = (row[0].as_str(), row[1].as_str());
        match setting {
            "body" => {
                let spec = message_body(value);
                message
                    .metadata
                    .insert("contentType".into(), Value::from(spec.content_type.clone()));
                message.contents = contract_body(&spec);
            }
            "matching rules" => {
                message.matching_rules = rules(Some(&support::json_or_fixture(value)));
            }
            "metadata" => {
                for entry in value.split(';') {
                    let (key, value) = entry.split_once('=').expect("KEY=VALUE");
                    message
                        .metadata
                        .insert(key.trim().to_string(), support::json_or_text(value.trim()));
                }
            }
            other => panic!("unknown message setting {other:?}"),
        }
    }
    add_message(world, interaction);
}

// ---------------------------------------------------------------------------------------------
// The broker

/// pactum's broker, serving in this process on 127.0.0.1 from a fresh SQLite file.
pub struct TestBroker {
    /// Its base URL.
    pub url: String,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    _dir: TempDir,
}

impl Drop for TestBroker {
    fn drop(&mut self) {
        if let Some(shutdown) = self.shutdown.take() {
            let _ = shutdown.send(());
        }
    }
}

async fn start_broker() -> TestBroker {
    let dir = TempDir::new("broker");
    let mut config =
        pactum::broker::BrokerConfig::new(dir.0.join("broker.sqlite").display().to_string());
    config.port = 0;
    let broker = pactum::broker::Broker::bind(config)
        .await
        .unwrap_or_else(|e| panic!("the broker did not start: {e}"));
    let url = format!("http://{}", broker.local_addr());
    let (shutdown, stop) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(broker.serve(async {
        let _ = stop.await;
    }));
    TestBroker {
        url,
        shutdown: Some(shutdown),
        _dir: dir,
    }
}

#[given(expr = "a Pact file for interaction {int} is to be verified from a Pact broker")]
async fn pact_from_broker(world: &mut CompatWorld, n: usize) {
    if world.provider.broker.is_none() {
        world.provider.broker = Some(start_broker().await);
    }
    let pact = pact_for(
        &consumer_name(n),
        http_interaction(&interaction(world, n), n),
    );
    let contract = pact.to_json(SpecVersion::V4).expect("a V4 contract");
    let broker = world.provider.broker.as_ref().unwrap();
    BrokerClient::new(&broker.url, Auth::None)
        .expect("a broker client")
        .publish_contracts(&[contract], "1.0.0", Some("main"), &[], None, false)
        .await
        .unwrap_or_else(|e| panic!("publishing to the broker failed: {e}"));
    world.provider.published.push(n);
}

#[given("publishing of verification results is enabled")]
fn publishing_enabled(world: &mut CompatWorld) {
    world.provider.publish = true;
}

/// The latest verification result the broker holds for consumer `c_n`'s contract.
async fn latest_result(world: &CompatWorld, n: usize) -> Option<Value> {
    let broker = world.provider.broker.as_ref().expect("a broker");
    let client = reqwest::Client::new();
    let pact: Value = client
        .get(format!(
            "{}/pacts/provider/{PROVIDER}/consumer/{}/latest",
            broker.url,
            consumer_name(n)
        ))
        .send()
        .await
        .expect("the broker answers")
        .json()
        .await
        .expect("a pact");
    let href = pact["_links"]["pb:latest-verification-results"]["href"]
        .as_str()
        .expect("a link to the latest verification results");
    let response = client.get(href).send().await.expect("the broker answers");
    match response.status().as_u16() {
        404 => None,
        200 => Some(response.json().await.expect("a verification result")),
        other => panic!("the broker answered {other} for {href}"),
    }
}

#[then("a verification result will NOT be published back")]
async fn not_published(world: &mut CompatWorld) {
    assert!(
        !world.provider.published.is_empty(),
        "nothing came from the broker"
    );
    for n in world.provider.published.clone() {
        let result = latest_result(world, n).await;
        assert!(result.is_none(), "a result was published: {result:?}");
    }
}

async fn assert_published(world: &CompatWorld, n: usize, success: bool) {
    let result = latest_result(world, n)
        .await
        .unwrap_or_else(|| panic!("no verification result was published for c_{n}"));
    assert_eq!(result["success"], success, "{result}");
    assert_eq!(result["providerApplicationVersion"], PROVIDER_VERSION);
}

#[then(expr = "a successful verification result will be published back for interaction \\{{int}}")]
async fn published_success(world: &mut CompatWorld, n: usize) {
    assert_published(world, n, true).await;
}

#[then(expr = "a failed verification result will be published back for the interaction \\{{int}}")]
async fn published_failure(world: &mut CompatWorld, n: usize) {
    assert_published(world, n, false).await;
}

// ---------------------------------------------------------------------------------------------
// Verifying

#[given("a provider state callback is configured")]
async fn state_callback(world: &mut CompatWorld) {
    provider(world).await;
    world.provider.state_callback = true;
}

#[given("a provider state callback is configured, but will return a failure")]
async fn failing_state_callback(world: &mut CompatWorld) {
    provider(world).await.routes.lock().unwrap().state_fails = true;
    world.provider.state_callback = true;
}

#[given("a request filter is configured to make the following changes:")]
fn request_filter(world: &mut CompatWorld, step: &Step) {
    for row in support::rows(support::table(step)) {
        for (column, value) in row {
            match column.as_str() {
                "headers" => world
                    .provider
                    .filter_headers
                    .extend(support::headers(&value)),
                other => panic!("unknown request filter change {other:?}"),
            }
        }
    }
}

async fn contracts(world: &CompatWorld) -> Vec<Loaded> {
    let sources: Vec<Source> = world
        .provider
        .files
        .iter()
        .map(|f| Source::File(f.clone()))
        .collect();
    let mut loaded = load_all(&sources, &Auth::None)
        .await
        .unwrap_or_else(|e| panic!("the contracts do not load: {e}"));
    if let Some(broker) = &world.provider.broker {
        let client = BrokerClient::new(&broker.url, Auth::None).expect("a broker client");
        let request = VerificationRequest {
            provider: PROVIDER.into(),
            ..VerificationRequest::default()
        };
        loaded.extend(
            client
                .pacts_for_verification(&request)
                .await
                .unwrap_or_else(|e| panic!("pacts for verification failed: {e}")),
        );
    }
    loaded
}

#[when("the verification is run")]
async fn verification_run(world: &mut CompatWorld) {
    let base = provider(world).await.url.clone();
    let loaded = contracts(world).await;
    let options = Options {
        state_change_url: world
            .provider
            .state_callback
            .then(|| format!("{base}{STATE_PATH}")),
        ..Options::default()
    };
    let mut verifier = Verifier::http(&base)
        .expect("the provider's URL")
        .options(options);
    let filter_headers = world.provider.filter_headers.clone();
    if !filter_headers.is_empty() {
        verifier = verifier.request_filter(move |request| {
            for (name, value) in &filter_headers {
                request.headers.set(name, vec![value.clone()]);
            }
        });
    }
    let outcome = verifier.verify(&loaded).await;
    if let (Ok(report), true, Some(broker)) =
        (&outcome, world.provider.publish, &world.provider.broker)
    {
        let client = BrokerClient::new(&broker.url, Auth::None).expect("a broker client");
        for (contract, result) in loaded.iter().zip(&report.contracts) {
            if contract.broker.is_none() {
                continue;
            }
            let verification =
                pactum::verifier::publish::verification_result(result, &contract.pact);
            client
                .publish_result(&contract.pact, PROVIDER_VERSION, None, &verification)
                .await
                .unwrap_or_else(|e| panic!("publishing the result failed: {e}"));
        }
    }
    world.provider.report = Some(outcome);
}

fn report(world: &CompatWorld) -> &Report {
    match world
        .provider
        .report
        .as_ref()
        .expect("the verification ran")
    {
        Ok(report) => report,
        Err(e) => panic!("the verification could not run: {e}"),
    }
}

#[then("the verification will be successful")]
fn verification_successful(world: &mut CompatWorld) {
    let report = report(world);
    assert!(report.success(), "{}", report.to_text(false));
}

#[then("the verification will NOT be successful")]
fn verification_failed(world: &mut CompatWorld) {
    let report = report(world);
    assert!(!report.success(), "{}", report.to_text(false));
}

/// Whether a result shows the suite's error category.
fn shows(outcome: &Outcome, category: &str) -> bool {
    let kinds: &[&str] = match category {
        "Response status did not match" => &["status"],
        "Headers had differences" => &["header"],
        "Body had differences" => &["body", "bodyType"],
        "Metadata had differences" => &["metadata"],
        "State change request failed" => {
            return matches!(outcome, Outcome::Error { message }
                if message.contains("provider state") && message.contains("failed"));
        }
        other => panic!("unknown verification error category {other:?}"),
    };
    match outcome {
        Outcome::Failed { mismatches } => mismatches.iter().any(|m| {
            kinds
                .iter()
                .any(|k| serde_json::to_value(m.kind).ok() == Some(json!(k)))
        }),
        _ => false,
    }
}

#[then(expr = "the verification results will contain a {string} error")]
fn results_contain(world: &mut CompatWorld, category: String) {
    let report = report(world);
    assert!(
        report
            .contracts
            .iter()
            .flat_map(|c| &c.interactions)
            .any(|r| !r.pending && shows(&r.outcome, &category)),
        "no {category:?} error in:\n{}",
        report.to_text(false)
    );
}

#[then(expr = "there will be a pending {string} error")]
fn pending_error(world: &mut CompatWorld, category: String) {
    let report = report(world);
    assert!(
        report
            .contracts
            .iter()
            .flat_map(|c| &c.interactions)
            .any(|r| r.pending && shows(&r.outcome, &category)),
        "no pending {category:?} error in:\n{}",
        report.to_text(false)
    );
}

// Provider states

fn state_calls(world: &CompatWorld, action: &str) -> Vec<(usize, String, Map<String, Value>)> {
    calls(world)
        .into_iter()
        .enumerate()
        .filter_map(|(i, call)| match call {
            Call::State {
                name,
                params,
                action: a,
            } if a == action => Some((i, name, params)),
            _ => None,
        })
        .collect()
}

fn request_positions(world: &CompatWorld) -> Vec<usize> {
    calls(world)
        .iter()
        .enumerate()
        .filter(|(_, c)| matches!(c, Call::Request(_)))
        .map(|(i, _)| i)
        .collect()
}

#[then("the provider state callback will be called before the verification is run")]
fn called_before(world: &mut CompatWorld) {
    let setups = state_calls(world, "setup");
    let first_request = request_positions(world).first().copied();
    assert!(
        setups
            .first()
            .is_some_and(|(i, ..)| first_request.is_none_or(|r| *i < r)),
        "no setup call before the provider was called: {:?}",
        calls(world)
    );
}

#[then("the provider state callback will be called after the verification is run")]
fn called_after(world: &mut CompatWorld) {
    let teardowns = state_calls(world, "teardown");
    let last_request = request_positions(world).last().copied();
    assert!(
        teardowns
            .last()
            .is_some_and(|(i, ..)| last_request.is_some_and(|r| *i > r)),
        "no teardown call after the provider was called: {:?}",
        calls(world)
    );
}

fn assert_state_call(
    world: &CompatWorld,
    action: &str,
    name: &str,
    params: Option<&Map<String, Value>>,
) {
    let found = state_calls(world, action)
        .iter()
        .any(|(_, n, p)| n == name && params.is_none_or(|want| p == want));
    assert!(
        found,
        "no {action} call for state {name:?}{}: {:?}",
        params.map(|p| format!(" with {p:?}")).unwrap_or_default(),
        calls(world)
    );
}

#[then(
    expr = "the provider state callback will receive a setup call with {string} as the provider state parameter"
)]
fn setup_call(world: &mut CompatWorld, name: String) {
    assert_state_call(world, "setup", &name, None);
}

#[then(
    expr = "the provider state callback will receive a teardown call {string} as the provider state parameter"
)]
fn teardown_call(world: &mut CompatWorld, name: String) {
    assert_state_call(world, "teardown", &name, None);
}

#[then(
    expr = "the provider state callback will receive a setup call with {string} and the following parameters:"
)]
fn setup_call_with_params(world: &mut CompatWorld, step: &Step, name: String) {
    let params = support::json_params(support::table(step));
    assert_state_call(world, "setup", &name, Some(&params));
}

#[then(
    expr = "the provider state callback will receive a teardown call {string} and the following parameters:"
)]
fn teardown_call_with_params(world: &mut CompatWorld, step: &Step, name: String) {
    let params = support::json_params(support::table(step));
    assert_state_call(world, "teardown", &name, Some(&params));
}

#[then("the provider state callback will NOT receive a teardown call")]
fn no_teardown(world: &mut CompatWorld) {
    let teardowns = state_calls(world, "teardown");
    assert!(teardowns.is_empty(), "teardown calls: {teardowns:?}");
}

#[then(
    expr = "a warning will be displayed that there was no provider state callback configured for provider state {string}"
)]
fn no_callback_warning(world: &mut CompatWorld, state: String) {
    let report = report(world);
    let warned = report
        .contracts
        .iter()
        .flat_map(|c| &c.interactions)
        .flat_map(|r| &r.warnings)
        .any(|w| w.contains(&format!("'{state}'")));
    assert!(warned, "no warning about state {state:?}");
    let text = report.to_text(false);
    assert!(
        text.contains("warning") && text.contains(&format!("'{state}'")),
        "the report does not show the warning:\n{text}"
    );
}

#[then(expr = "the request to the provider will contain the header {string}")]
fn request_header(world: &mut CompatWorld, header: String) {
    let (name, value) = header.split_once(':').expect("NAME: VALUE");
    let (name, value) = (name.trim().to_ascii_lowercase(), value.trim());
    let requests: Vec<Vec<(String, String)>> = calls(world)
        .into_iter()
        .filter_map(|c| match c {
            Call::Request(headers) => Some(headers),
            _ => None,
        })
        .collect();
    assert!(!requests.is_empty(), "the provider got no request");
    for headers in &requests {
        assert!(
            headers.iter().any(|(n, v)| *n == name && v == value),
            "a request without {header}: {headers:?}"
        );
    }
}

// V4 comments

#[then(expr = "the comment {string} will have been printed to the console")]
fn comment_printed(world: &mut CompatWorld, comment: String) {
    let report = report(world);
    assert!(
        report
            .contracts
            .iter()
            .flat_map(|c| &c.interactions)
            .any(|r| r.comments.contains(&comment)),
        "the result does not carry the comment {comment:?}"
    );
    let text = report.to_text(false);
    assert!(
        text.lines()
            .any(|l| l.trim() == format!("comment: {comment}")),
        "the report does not show the comment {comment:?}:\n{text}"
    );
}

#[then(expr = "the {string} will displayed as the original test name")]
fn test_name_displayed(world: &mut CompatWorld, name: String) {
    let report = report(world);
    assert!(
        report
            .contracts
            .iter()
            .flat_map(|c| &c.interactions)
            .any(|r| r.test_name.as_deref() == Some(name.as_str())),
        "the result does not carry the test name {name:?}"
    );
    let text = report.to_text(false);
    assert!(
        text.lines()
            .any(|l| l.trim() == format!("test name: {name}")),
        "the report does not show the test name {name:?}:\n{text}"
    );
}
