//! The consumer's mock server: serves the declared interactions during a test, then checks
//! that each was received as declared before the contract is written.

use std::fmt;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use axum::http::StatusCode;
use axum::response::IntoResponse;

use super::{ConsumerError, PactBuilder};
use crate::serve::{self, Dispatch, Index, ServerThread};
use pactum_core::contract::{InteractionKind, Request, Response};
use pactum_core::generate::{GeneratorContext, generate_response};
use pactum_core::matching::Mismatch;

/// A running mock server. Point the code under test at [`MockServer::url`], then call
/// [`MockServer::finish`] (or let it drop): if every interaction was received as declared and
/// nothing unexpected arrived, the contract is written; otherwise the test fails with a report
/// and no contract is written.
pub struct MockServer {
    server: ServerThread,
    url: String,
    shared: Arc<Shared>,
    builder: Option<PactBuilder>,
}

struct Shared {
    requests: Vec<Request>,
    responses: Vec<Response>,
    descriptions: Vec<String>,
    index: Index,
    cors: bool,
    url: std::sync::OnceLock<String>,
    log: Mutex<Log>,
}

#[derive(Default)]
struct Log {
    received: Vec<usize>,
    unexpected: Vec<Unexpected>,
    /// Unexpected requests beyond those kept.
    more_unexpected: usize,
}

/// Unexpected requests kept for the report; a client looping on a wrong URL must not grow the
/// test's memory without bound, and the first few say what went wrong.
const UNEXPECTED_KEPT: usize = 20;

/// A request that matched no interaction.
#[derive(Debug, Clone)]
pub struct Unexpected {
    /// `GET /path?query`.
    pub request: String,
    /// The closest interactions and why each did not match.
    pub closest: Vec<(String, Vec<Mismatch>)>,
}

/// Why a mock server's expectations were not met.
#[derive(Debug, Clone)]
pub struct MockServerReport {
    /// Consumer and provider names.
    pub pact: (String, String),
    /// Interactions never received as declared: (description, request line).
    pub missing: Vec<(String, String)>,
    /// Requests that matched nothing (the first few).
    pub unexpected: Vec<Unexpected>,
    /// How many more requests matched nothing.
    pub more_unexpected: usize,
}

impl fmt::Display for MockServerReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "the mock server for {} -> {} did not receive what the contract declares; no contract was written",
            self.pact.0, self.pact.1
        )?;
        for (description, request) in &self.missing {
            writeln!(f, "  - never received: '{description}' ({request})")?;
        }
        for unexpected in &self.unexpected {
            writeln!(f, "  - unexpected request: {}", unexpected.request)?;
            for (description, mismatches) in &unexpected.closest {
                writeln!(f, "      closest: '{description}'")?;
                for m in mismatches {
                    writeln!(f, "        {m}")?;
                    if let (Some(e), Some(a)) = (&m.expected, &m.actual) {
                        writeln!(f, "          expected: {e}")?;
                        writeln!(f, "          actual:   {a}")?;
                    }
                }
            }
        }
        if self.more_unexpected > 0 {
            writeln!(
                f,
                "  - ... and {} more unexpected requests",
                self.more_unexpected
            )?;
        }
        Ok(())
    }
}

impl MockServer {
    pub(crate) fn start(builder: PactBuilder) -> Result<MockServer, ConsumerError> {
        let mut requests = Vec::new();
        let mut responses = Vec::new();
        let mut descriptions = Vec::new();
        for interaction in &builder.pact.interactions {
            if let InteractionKind::Http { request, response } = &interaction.kind {
                requests.push(request.clone());
                responses.push(response.clone());
                descriptions.push(interaction.description.clone());
            }
        }
        let index = Index::new(&requests);
        let shared = Arc::new(Shared {
            log: Mutex::new(Log {
                received: vec![0; requests.len()],
                unexpected: Vec::new(),
                more_unexpected: 0,
            }),
            requests,
            responses,
            descriptions,
            index,
            cors: builder.cors,
            url: std::sync::OnceLock::new(),
        });
        let handler_state = Arc::clone(&shared);
        let router = axum::Router::new().fallback(move |request: axum::extract::Request| {
            let shared = Arc::clone(&handler_state);
            async move { handle(&shared, request).await }
        });
        let server = ServerThread::start("127.0.0.1", 0, router, pactum_http::Limits::default())
            .map_err(ConsumerError::Server)?;
        let url = format!("http://{}", server.addr);
        let _ = shared.url.set(url.clone());
        Ok(MockServer {
            server,
            url,
            shared,
            builder: Some(builder),
        })
    }

    /// The base URL, e.g. `http://127.0.0.1:41234`.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// `url()` joined with a path.
    pub fn path(&self, path: &str) -> String {
        format!("{}{}", self.url, path)
    }

    /// Stops the server and checks the expectations. On success writes the contract (merging
    /// with what other tests wrote) and returns its path.
    pub fn finish(mut self) -> Result<PathBuf, ConsumerError> {
        self.finish_inner()
    }

    fn finish_inner(&mut self) -> Result<PathBuf, ConsumerError> {
        self.server.stop();
        let Some(builder) = self.builder.take() else {
            return Err(ConsumerError::AlreadyFinished);
        };
        let log = self.shared.log.lock().unwrap_or_else(|e| e.into_inner());
        let missing: Vec<(String, String)> = log
            .received
            .iter()
            .enumerate()
            .filter(|(_, count)| **count == 0)
            .map(|(i, _)| {
                (
                    self.shared.descriptions[i].clone(),
                    serve::describe(&self.shared.requests[i]),
                )
            })
            .collect();
        if !missing.is_empty() || !log.unexpected.is_empty() || log.more_unexpected > 0 {
            return Err(ConsumerError::Expectations(Box::new(MockServerReport {
                pact: (
                    builder.pact.consumer.name.clone(),
                    builder.pact.provider.name.clone(),
                ),
                missing,
                unexpected: log.unexpected.clone(),
                more_unexpected: log.more_unexpected,
            })));
        }
        drop(log);
        Ok(super::pact_file::write(
            &builder.pact,
            builder.output_dir.as_deref(),
        )?)
    }
}

impl Drop for MockServer {
    /// A mock server dropped without [`MockServer::finish`] checks its expectations anyway
    /// and fails the test if they were not met.
    fn drop(&mut self) {
        if self.builder.is_none() {
            return;
        }
        if std::thread::panicking() {
            // The test failed on its own: stop serving and write nothing.
            self.server.stop();
            self.builder = None;
            return;
        }
        if let Err(e) = self.finish_inner() {
            panic!("{e}");
        }
    }
}

async fn handle(shared: &Shared, request: axum::extract::Request) -> axum::response::Response {
    let (parts, body) = request.into_parts();
    let bytes = match axum::body::to_bytes(body, serve::MAX_BODY).await {
        Ok(bytes) => bytes,
        Err(_) => {
            let message = format!(
                "request body over the mock server's limit of {} bytes",
                serve::MAX_BODY
            );
            return (StatusCode::PAYLOAD_TOO_LARGE, message).into_response();
        }
    };
    let actual = serve::to_request(&parts.method, &parts.uri, &parts.headers, &bytes);
    let expected: Vec<&Request> = shared.requests.iter().collect();
    // Interactions may share a request (the same call under different provider states): serve
    // one not received yet before repeating one, so each can be confirmed.
    let received = shared
        .log
        .lock()
        .map(|log| log.received.clone())
        .unwrap_or_default();
    let fresh = |i: usize| received.get(i).is_none_or(|count| *count == 0);
    match serve::dispatch_preferring(&shared.index, &expected, &actual, fresh) {
        Dispatch::Matched(i) => {
            if let Ok(mut log) = shared.log.lock() {
                log.received[i] += 1;
            }
            let url = shared.url.get().map(String::as_str);
            let mut response = match generate_response(
                &shared.responses[i],
                &GeneratorContext::consumer(url),
            ) {
                Ok(generated) => serve::to_http(&generated),
                Err(e) => {
                    let body = serde_json::json!({"error": format!("cannot generate the response of '{}': {e}", shared.descriptions[i])});
                    (StatusCode::INTERNAL_SERVER_ERROR, axum::Json(body)).into_response()
                }
            };
            if shared.cors {
                serve::allow_origin(&mut response, &actual);
            }
            response
        }
        Dispatch::Unmatched(closest) => {
            if shared.cors
                && let Some(preflight) = serve::preflight(&actual)
            {
                return preflight;
            }
            let closest: Vec<(String, Vec<Mismatch>)> = closest
                .into_iter()
                .map(|(i, mismatches)| (shared.descriptions[i].clone(), mismatches))
                .collect();
            let body = serde_json::json!({
                "error": "the request matches no interaction of the contract",
                "request": serve::request_json(&actual),
                "closest": closest.iter().map(|(description, mismatches)| serde_json::json!({
                    "interaction": description,
                    "mismatches": mismatches,
                })).collect::<Vec<_>>(),
            });
            if let Ok(mut log) = shared.log.lock() {
                if log.unexpected.len() < UNEXPECTED_KEPT {
                    log.unexpected.push(Unexpected {
                        request: serve::describe(&actual),
                        closest,
                    });
                } else {
                    log.more_unexpected += 1;
                }
            }
            let mut response =
                (StatusCode::INTERNAL_SERVER_ERROR, axum::Json(body)).into_response();
            if shared.cors {
                serve::allow_origin(&mut response, &actual);
            }
            response
        }
    }
}
