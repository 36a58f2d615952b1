//! `pactum stub`: serve the responses of any contracts, for front-end developers, other
//! languages and manual exploration.
//!
//! Takes loaded contracts (loading files, directories and URLs is `pactum_client::sources`),
//! keeps their HTTP interactions (optionally only those for one provider state), and answers each request with the response of the
//! first interaction whose request matches — generators applied, as a consumer mock server
//! would. Dispatch goes through an index on method and path, so a thousand interactions cost about
//! what ten do. Unlike the mock server it records nothing and never fails a test: an unmatched
//! request gets a 404 explaining the closest interactions.

use std::net::SocketAddr;
use std::sync::Arc;

use axum::http::StatusCode;
use axum::response::IntoResponse;
use regex::Regex;

use pactum_core::contract::{InteractionKind, Pact, Request, Response};
use pactum_core::generate::{GeneratorContext, generate_response};
use pactum_core::printable::printable_line;

use crate::serve::{self, Dispatch, Index};
pub use pactum_http::Limits;

/// Why contracts could not be loaded or served.
#[derive(Debug, thiserror::Error)]
pub enum StubError {
    /// The provider-state filter is not a valid regular expression.
    #[error("invalid provider-state pattern '{pattern}'")]
    State {
        /// The pattern.
        pattern: String,
        /// The regex error.
        source: regex::Error,
    },
    /// After filtering there is nothing to serve.
    #[error("the contracts have no HTTP interactions{0}")]
    NothingToServe(String),
    /// The address could not be bound.
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        /// The address.
        addr: String,
        /// The cause.
        source: std::io::Error,
    },
}

/// One interaction the stub can serve.
#[derive(Debug, Clone)]
pub struct StubInteraction {
    /// Where it came from (file or URL).
    pub origin: String,
    /// Its description.
    pub description: String,
    /// The expected request.
    pub request: Request,
    /// The response to give.
    pub response: Response,
}

/// Picks the HTTP interactions of loaded contracts, each given with where it came from.
/// `state`, when given, keeps only interactions with a provider state whose name matches it (a
/// regular expression matching the whole name).
pub fn select(
    pacts: impl IntoIterator<Item = (String, Pact)>,
    state: Option<&str>,
) -> Result<Vec<StubInteraction>, StubError> {
    let state =
        match state {
            Some(pattern) => Some(Regex::new(&format!("^(?:{pattern})$")).map_err(|source| {
                StubError::State {
                    pattern: pattern.to_string(),
                    source,
                }
            })?),
            None => None,
        };
    let mut out = Vec::new();
    for (origin, pact) in pacts {
        for interaction in pact.interactions {
            let InteractionKind::Http { request, response } = interaction.kind else {
                continue;
            };
            if let Some(state) = &state
                && !interaction
                    .provider_states
                    .iter()
                    .any(|s| state.is_match(&s.name))
            {
                continue;
            }
            out.push(StubInteraction {
                origin: origin.clone(),
                description: interaction.description,
                request,
                response,
            });
        }
    }
    if out.is_empty() {
        let why = state.map(|s| {
            format!(
                " for provider state '{}'",
                s.as_str().trim_start_matches("^(?:").trim_end_matches(")$")
            )
        });
        return Err(StubError::NothingToServe(why.unwrap_or_default()));
    }
    Ok(out)
}

struct Stub {
    interactions: Vec<StubInteraction>,
    index: Index,
    cors: bool,
    base_url: String,
}

/// Builds the stub's router.
pub fn router(interactions: Vec<StubInteraction>, cors: bool, base_url: String) -> axum::Router {
    let index = Index::new(interactions.iter().map(|i| &i.request));
    let stub = Arc::new(Stub {
        interactions,
        index,
        cors,
        base_url,
    });
    axum::Router::new().fallback(move |request: axum::extract::Request| {
        let stub = Arc::clone(&stub);
        async move { handle(&stub, request).await }
    })
}

/// Serves until `shutdown` completes, finishing requests in flight, holding at most as many
/// connections as `limits` allows. `on_ready` receives the bound address (useful with port 0).
pub async fn serve(
    interactions: Vec<StubInteraction>,
    addr: SocketAddr,
    cors: bool,
    limits: pactum_http::Limits,
    on_ready: impl FnOnce(SocketAddr),
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<(), StubError> {
    let bind_error = |source| StubError::Bind {
        addr: addr.to_string(),
        source,
    };
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .map_err(bind_error)?;
    let local = listener.local_addr().map_err(bind_error)?;
    let app = router(interactions, cors, format!("http://{local}"));
    on_ready(local);
    pactum_http::serve(listener, app, limits, shutdown)
        .await
        .map_err(|source| StubError::Bind {
            addr: local.to_string(),
            source,
        })
}

async fn handle(stub: &Stub, request: axum::extract::Request) -> axum::response::Response {
    let (parts, body) = request.into_parts();
    let bytes = match axum::body::to_bytes(body, serve::MAX_BODY).await {
        Ok(bytes) => bytes,
        Err(_) => {
            let message = format!(
                "the request body is over the stub's limit of {} bytes",
                serve::MAX_BODY
            );
            return (StatusCode::PAYLOAD_TOO_LARGE, message).into_response();
        }
    };
    let actual = serve::to_request(&parts.method, &parts.uri, &parts.headers, &bytes);
    let expected: Vec<&Request> = stub.interactions.iter().map(|i| &i.request).collect();
    match serve::dispatch(&stub.index, &expected, &actual) {
        Dispatch::Matched(i) => {
            let interaction = &stub.interactions[i];
            tracing::info!(
                request = %serve::describe(&actual),
                interaction = %printable_line(&interaction.description),
                contract = %printable_line(&interaction.origin),
                "served"
            );
            let mut response = match generate_response(
                &interaction.response,
                &GeneratorContext::consumer(Some(&stub.base_url)),
            ) {
                Ok(generated) => serve::to_http(&generated),
                Err(e) => {
                    tracing::warn!(interaction = %printable_line(&interaction.description), error = %printable_line(&e.to_string()), "cannot generate the response");
                    serve::to_http(&interaction.response)
                }
            };
            if stub.cors {
                serve::allow_origin(&mut response, &actual);
            }
            response
        }
        Dispatch::Unmatched(closest) => {
            if stub.cors
                && let Some(preflight) = serve::preflight(&actual)
            {
                return preflight;
            }
            tracing::warn!(request = %serve::describe(&actual), "no interaction matches");
            let body = serde_json::json!({
                "error": "the request matches no interaction of the served contracts",
                "request": serve::request_json(&actual),
                "closest": closest.iter().map(|(i, mismatches)| serde_json::json!({
                    "interaction": stub.interactions[*i].description,
                    "contract": stub.interactions[*i].origin,
                    "mismatches": mismatches,
                })).collect::<Vec<_>>(),
            });
            let mut response = (StatusCode::NOT_FOUND, axum::Json(body)).into_response();
            if stub.cors {
                serve::allow_origin(&mut response, &actual);
            }
            response
        }
    }
}
