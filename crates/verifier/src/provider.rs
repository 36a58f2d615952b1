//! Talking to the provider under verification: over HTTP, or in process through a
//! `tower::Service` such as an axum `Router` (no network, no port).

use std::time::Duration;

use axum::body::Body as HttpBody;
use axum::http::{HeaderName, HeaderValue, Method};
use base64::Engine as _;
use http_body_util::BodyExt as _;
use reqwest::Url;
use serde_json::{Map, Value};
use tower::ServiceExt;
use tower::util::BoxCloneSyncService;

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
    /// A running provider at a base URL (http or https, with a host). Requests go to its
    /// scheme, host and port; a contract only supplies the path below the base's path and the
    /// query.
    Http { client: reqwest::Client, base: Url },
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
    #[error("the provider did not answer within {} s", .0.as_secs_f64())]
    Timeout(Duration),
    /// The contract's path cannot be sent: it must start with `/`, or it could change the host
    /// the request goes to (`:9000/x`, `@elsewhere/x` appended to a base URL).
    #[error(
        "the request path `{0}` does not start with `/`; a contract's path is relative to the provider's base URL and must begin with `/`"
    )]
    RelativePath(String),
    /// The response body is larger than the verifier reads.
    #[error("the provider's response body is larger than the verifier's limit of {0} bytes")]
    BodyTooLarge(usize),
    /// Anything else (invalid header, protocol error).
    #[error("{0}")]
    Other(String),
}

/// What one call may take: time, and bytes of response body.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Limits {
    pub(crate) timeout: Duration,
    pub(crate) max_body: usize,
}

/// Encodes a contract's path for a URL, keeping `/` separators and the percent-escapes already
/// in it: contracts written by other Pact implementations hold paths as they went over the wire
/// (`/pacticipants/Pricing%20Service`), and their verifiers send them so; a `%` that starts no
/// escape is encoded (`100%` → `100%25`), as are characters a path cannot hold.
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
    let mut out = String::with_capacity(path.len());
    let mut rest = path;
    while let Some(at) = rest.find('%') {
        out.extend(percent_encoding::utf8_percent_encode(&rest[..at], SEGMENT));
        let escape = rest
            .as_bytes()
            .get(at + 1..at + 3)
            .is_some_and(|hex| hex.iter().all(u8::is_ascii_hexdigit));
        out.push_str(if escape { "%" } else { "%25" });
        rest = &rest[at + 1..];
    }
    out.extend(percent_encoding::utf8_percent_encode(rest, SEGMENT));
    out
}

/// The path and query of `request`, percent-encoded (`/items/a%20b?x=1`). Refuses a path
/// without a leading `/`.
fn path_and_query(request: &Request) -> Result<String, CallError> {
    let path = match request.path.as_str() {
        "" => "/",
        path if path.starts_with('/') => path,
        path => return Err(CallError::RelativePath(path.to_owned())),
    };
    let mut target = encode_path(path);
    let query = render_query_string(&request.query);
    if !query.is_empty() {
        target.push('?');
        target.push_str(&query);
    }
    Ok(target)
}

/// The URL for `request` on the provider at `base`: the base's scheme, host and port are kept
/// whatever the contract says; the contract's path goes below the base's own path.
fn target(base: &Url, request: &Request) -> Result<Url, CallError> {
    let below = path_and_query(request)?;
    let (path, query) = below.split_once('?').unwrap_or((&below, ""));
    let mut url = base.clone();
    url.set_path(&format!("{}{path}", base.path().trim_end_matches('/')));
    url.set_query((!query.is_empty()).then_some(query));
    url.set_fragment(None);
    Ok(url)
}

/// Reads a response body up to `limit` bytes.
async fn read_limited(
    mut response: reqwest::Response,
    limit: usize,
    base: &Url,
    timeout: Duration,
) -> Result<Vec<u8>, CallError> {
    let mut bytes = Vec::new();
    while let Some(chunk) = response
        .chunk()
        .await
        .map_err(|e| classify(e, base, timeout))?
    {
        if bytes.len() + chunk.len() > limit {
            return Err(CallError::BodyTooLarge(limit));
        }
        bytes.extend_from_slice(&chunk);
    }
    Ok(bytes)
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
        limits: Limits,
    ) -> Result<Response, CallError> {
        let Limits { timeout, max_body } = limits;
        match self {
            Provider::Http { client, base } => {
                let url = target(base, request)?;
                let method = Method::from_bytes(request.method.to_ascii_uppercase().as_bytes())
                    .map_err(|e| {
                        CallError::Other(format!("invalid method '{}': {e}", request.method))
                    })?;
                let mut builder = client.request(method, url).timeout(timeout);
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
                    .map_err(|e| classify(e, base, timeout))?;
                let status = response.status().as_u16();
                let mut headers = Headers::new();
                for (name, value) in response.headers() {
                    headers.add(
                        name.as_str(),
                        String::from_utf8_lossy(value.as_bytes()).into_owned(),
                    );
                }
                let bytes = read_limited(response, max_body, base, timeout).await?;
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
                    .uri(path_and_query(request)?);
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
                    let bytes = http_body_util::Limited::new(body, max_body)
                        .collect()
                        .await
                        .map_err(|e| {
                            if e.is::<http_body_util::LengthLimitError>() {
                                CallError::BodyTooLarge(max_body)
                            } else {
                                CallError::Other(format!("cannot read the response body: {e}"))
                            }
                        })?
                        .to_bytes();
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
        limits: Limits,
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
        let response = self.send(&request, limits).await?;
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

fn classify(error: reqwest::Error, base: &Url, timeout: Duration) -> CallError {
    if error.is_timeout() {
        CallError::Timeout(timeout)
    } else if error.is_connect() {
        CallError::Unreachable {
            url: base.as_str().trim_end_matches('/').to_owned(),
            message: pactum_client::sources::innermost_cause(&error),
        }
    } else {
        CallError::Other(error.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::encode_path;

    #[test]
    fn paths_keep_their_escapes_and_encode_the_rest() {
        for (path, sent) in [
            ("/items/a b", "/items/a%20b"),
            (
                "/pacticipants/Pricing%20Service",
                "/pacticipants/Pricing%20Service",
            ),
            ("/branches/feat%2Fx", "/branches/feat%2Fx"),
            ("/q?x#y", "/q%3Fx%23y"),
            ("/100%", "/100%25"),
            ("/50%off", "/50%25off"),
            ("/%zz/%4", "/%25zz/%254"),
            ("/caf\u{e9}", "/caf%C3%A9"),
        ] {
            assert_eq!(encode_path(path), sent, "{path}");
        }
    }
}
