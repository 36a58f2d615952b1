//! Talking to the provider under verification: over HTTP, or in process through a
//! `tower::Service` such as an axum `Router` (no network, no port).

use std::time::Duration;

use axum::body::Body as HttpBody;
use axum::http::{HeaderName, HeaderValue, Method};
use base64::Engine as _;
use serde_json::{Map, Value};
use tower::ServiceExt;
use tower::util::BoxCloneSyncService;

/// The largest response body read from an in-process provider (bytes).
const MAX_RESPONSE_BODY: usize = 16 * 1024 * 1024;

use pactum_core::contract::{
    Body, Headers, Message, ProviderState, Request, Response, render_query_string,
};

/// An in-process provider.
pub type ProviderService = BoxCloneSyncService<
    axum::http::Request<HttpBody>,
    axum::http::Response<HttpBody>,
    std::convert::Infallible,
>;

/// Where requests go.
#[derive(Clone)]
pub(crate) enum Provider {
    /// A running provider at a base URL.
    Http {
        client: reqwest::Client,
        base_url: String,
    },
    /// A service called in process.
    Service(ProviderService),
}

/// Why a request could not be completed.
#[derive(Debug, thiserror::Error)]
pub(crate) enum CallError {
    /// Nothing answers at the provider's address: a setup problem, not a verification failure.
    #[error("cannot connect to the provider at {url}: {message}")]
    Unreachable { url: String, message: String },
    /// The request did not complete in time.
    #[error("the provider did not answer within {0:?}")]
    Timeout(Duration),
    /// Anything else (invalid header, protocol error).
    #[error("{0}")]
    Other(String),
}

/// Encodes a decoded path for a URL, keeping `/` separators.
fn encode_path(path: &str) -> String {
    const SEGMENT: &percent_encoding::AsciiSet = &percent_encoding::CONTROLS
        .add(b' ')
        .add(b'"')
        .add(b'#')
        .add(b'<')
        .add(b'>')
        .add(b'?')
        .add(b'`')
        .add(b'{')
        .add(b'}')
        .add(b'%');
    percent_encoding::utf8_percent_encode(path, SEGMENT).to_string()
}

fn target(base_url: &str, request: &Request) -> String {
    let mut url = format!(
        "{}{}",
        base_url.trim_end_matches('/'),
        encode_path(&request.path)
    );
    let query = render_query_string(&request.query);
    if !query.is_empty() {
        url.push('?');
        url.push_str(&query);
    }
    url
}

fn body_and_type(request_headers: &Headers, body: &Body) -> (Vec<u8>, Option<String>) {
    let bytes = body.to_bytes();
    let content_type = if bytes.is_empty() || request_headers.get("content-type").is_some() {
        None
    } else {
        body.content_type_with(request_headers)
    };
    (bytes, content_type)
}

impl Provider {
    /// Sends a request and returns the provider's response in the contract model.
    pub(crate) async fn send(
        &self,
        request: &Request,
        timeout: Duration,
    ) -> Result<Response, CallError> {
        match self {
            Provider::Http { client, base_url } => {
                let url = target(base_url, request);
                let method = Method::from_bytes(request.method.to_ascii_uppercase().as_bytes())
                    .map_err(|e| {
                        CallError::Other(format!("invalid method '{}': {e}", request.method))
                    })?;
                let mut builder = client.request(method, &url).timeout(timeout);
                for (name, values) in request.headers.iter() {
                    if pactum_core::contract::is_framing_header(name) {
                        continue;
                    }
                    for value in values {
                        builder = builder.header(name, value);
                    }
                }
                let (bytes, content_type) = body_and_type(&request.headers, &request.body);
                if let Some(ct) = content_type {
                    builder = builder.header("Content-Type", ct);
                }
                if !bytes.is_empty() {
                    builder = builder.body(bytes);
                }
                let response = builder
                    .send()
                    .await
                    .map_err(|e| classify(e, base_url, timeout))?;
                let status = response.status().as_u16();
                let mut headers = Headers::new();
                for (name, value) in response.headers() {
                    headers.add(
                        name.as_str(),
                        String::from_utf8_lossy(value.as_bytes()).into_owned(),
                    );
                }
                let bytes = response
                    .bytes()
                    .await
                    .map_err(|e| classify(e, base_url, timeout))?;
                Ok(Response {
                    status,
                    headers,
                    body: Body::received(&bytes),
                    ..Response::default()
                })
            }
            Provider::Service(service) => {
                let mut builder = axum::http::Request::builder()
                    .method(request.method.to_ascii_uppercase().as_str())
                    .uri(target("", request));
                for (name, values) in request.headers.iter() {
                    if pactum_core::contract::is_framing_header(name) {
                        continue;
                    }
                    for value in values {
                        if let (Ok(n), Ok(v)) = (
                            HeaderName::try_from(name),
                            HeaderValue::try_from(value.as_str()),
                        ) {
                            builder = builder.header(n, v);
                        }
                    }
                }
                let (bytes, content_type) = body_and_type(&request.headers, &request.body);
                if let Some(ct) = content_type {
                    builder = builder.header("Content-Type", ct);
                }
                let http_request = builder
                    .body(HttpBody::from(bytes))
                    .map_err(|e| CallError::Other(e.to_string()))?;
                let call = async {
                    let response = match service.clone().oneshot(http_request).await {
                        Ok(response) => response,
                        Err(never) => match never {},
                    };
                    let (parts, body) = response.into_parts();
                    let bytes = axum::body::to_bytes(body, MAX_RESPONSE_BODY)
                        .await
                        .map_err(|e| {
                            CallError::Other(format!("cannot read the response body: {e}"))
                        })?;
                    Ok::<_, CallError>((parts, bytes))
                };
                // The deadline covers the whole response, body included.
                let (parts, bytes) = match tokio::time::timeout(timeout, call).await {
                    Ok(result) => result?,
                    Err(_) => return Err(CallError::Timeout(timeout)),
                };
                let mut headers = Headers::new();
                for (name, value) in &parts.headers {
                    headers.add(
                        name.as_str(),
                        String::from_utf8_lossy(value.as_bytes()).into_owned(),
                    );
                }
                Ok(Response {
                    status: parts.status.as_u16(),
                    headers,
                    body: Body::received(&bytes),
                    ..Response::default()
                })
            }
        }
    }

    /// Asks the provider for a message the way the official verifier does: POST
    /// `{"description", "providerStates"}` to the message path; the reply's body is the message
    /// and the `Pact-Message-Metadata` header holds its metadata as base64 JSON.
    pub(crate) async fn fetch_message(
        &self,
        path: &str,
        description: &str,
        states: &[ProviderState],
        timeout: Duration,
    ) -> Result<Message, CallError> {
        let payload = serde_json::json!({
            "description": description,
            "providerStates": states.iter().map(|s| serde_json::json!({"name": s.name, "params": s.params})).collect::<Vec<_>>(),
        });
        let mut request = Request {
            method: "POST".into(),
            path: path.to_string(),
            body: Body::json(payload),
            ..Request::default()
        };
        request.headers.add("Content-Type", "application/json");
        let response = self.send(&request, timeout).await?;
        if !(200..300).contains(&response.status) {
            return Err(CallError::Other(format!(
                "the provider's message endpoint {path} answered {} for '{description}'",
                response.status
            )));
        }
        let mut metadata = Map::new();
        if let Some(encoded) = response.headers.first("pact-message-metadata") {
            let decoded = base64::engine::general_purpose::STANDARD
                .decode(encoded.trim())
                .map_err(|e| {
                    CallError::Other(format!("Pact-Message-Metadata is not base64: {e}"))
                })?;
            match serde_json::from_slice::<Value>(&decoded) {
                Ok(Value::Object(map)) => metadata = map,
                _ => {
                    return Err(CallError::Other(
                        "Pact-Message-Metadata is not a base64 JSON object".into(),
                    ));
                }
            }
        }
        if let Some(ct) = response.headers.first("content-type") {
            metadata
                .entry("contentType")
                .or_insert_with(|| Value::from(ct));
        }
        let mut contents = response.body;
        contents.content_type = response.headers.first("content-type").map(str::to_string);
        Ok(Message {
            contents,
            metadata,
            ..Message::default()
        })
    }
}

fn classify(error: reqwest::Error, base_url: &str, timeout: Duration) -> CallError {
    if error.is_timeout() {
        CallError::Timeout(timeout)
    } else if error.is_connect() {
        CallError::Unreachable {
            url: base_url.to_string(),
            message: pactum_client::sources::innermost_cause(&error),
        }
    } else {
        CallError::Other(error.to_string())
    }
}
