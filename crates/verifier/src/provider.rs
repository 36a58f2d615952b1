//! Talking to the provider under verification: over HTTP, or in process through a
//! `tower::Service` such as an axum `Router` (no network, no port).

use std::time::Duration;

use axum::body::Body as HttpBody;
use axum::body::Bytes;
use axum::http::{HeaderName, HeaderValue, Method};
use base64::Engine as _;
use http_body_util::BodyExt as _;
use http_body_util::Full;
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
    Http { client: HttpClient, base: Url },
    /// A service called in process.
    Service(ProviderService),
}

/// hyper's pooled client, the engine under reqwest, for plain-HTTP providers.
pub(crate) type PlainClient = hyper_util::client::legacy::Client<
    hyper_util::client::legacy::connect::HttpConnector,
    Full<Bytes>,
>;

/// The client a provider's requests go through.
#[derive(Clone)]
pub(crate) enum HttpClient {
    /// For `http://` providers reached directly: hyper's pooled client as reqwest sets it up
    /// (the same connection pool, `Host` header and request form), without reqwest's
    /// per-request layers — a redirect policy that parses every request's URL twice, a copy of
    /// the service stack, default-header merging — which were about a tenth of a sequential
    /// verification's CPU. What reqwest adds to a request is added here: `Accept: */*` when
    /// the request has none.
    Plain(std::sync::Arc<PlainClient>),
    /// Everything else (TLS, a proxy from the environment).
    Reqwest(reqwest::Client),
}

impl HttpClient {
    /// A plain client with the settings reqwest gives its own: no Nagle delay, TCP keep-alive
    /// probes after 15 s idle (every 15 s, 3 of them), idle connections kept 90 s and up to 64
    /// of them, HTTP/1.
    pub(crate) fn plain() -> Self {
        let mut connector = hyper_util::client::legacy::connect::HttpConnector::new();
        connector.set_nodelay(true);
        connector.set_keepalive(Some(Duration::from_secs(15)));
        connector.set_keepalive_interval(Some(Duration::from_secs(15)));
        connector.set_keepalive_retries(Some(3));
        HttpClient::Plain(std::sync::Arc::new(
            hyper_util::client::legacy::Client::builder(hyper_util::rt::TokioExecutor::new())
                .pool_timer(hyper_util::rt::TokioTimer::new())
                .pool_idle_timeout(Duration::from_secs(90))
                .pool_max_idle_per_host(64)
                .build(connector),
        ))
    }
}

/// Whether reqwest would send requests for `url` through a proxy named by the environment
/// (`HTTP_PROXY`, `ALL_PROXY` and their lower-case forms): the plain client does not, so such
/// runs keep reqwest.
pub(crate) fn proxy_in_environment() -> bool {
    ["HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy"]
        .iter()
        .any(|name| std::env::var_os(name).is_some_and(|v| !v.is_empty()))
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
                let client = match client {
                    HttpClient::Plain(client) => {
                        return plain_send(client, base, url, method, request, limits).await;
                    }
                    HttpClient::Reqwest(client) => client,
                };
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
                let headers = received_headers(response.headers());
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
                    match service.clone().oneshot(http_request).await {
                        Ok(response) => Ok(response),
                        Err(never) => match never {},
                    }
                };
                receive(call, limits, |e| {
                    CallError::Other(format!("cannot read the response body: {e}"))
                })
                .await
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

/// [`Provider::send`] through the plain client; requests, errors and their messages as
/// through reqwest.
async fn plain_send(
    client: &PlainClient,
    base: &Url,
    url: Url,
    method: Method,
    request: &Request,
    limits: Limits,
) -> Result<Response, CallError> {
    // reqwest defers an invalid header to the send, as this error.
    let builder_error = || CallError::Other("builder error".into());
    let uri: axum::http::Uri = url.as_str().parse().map_err(|_| builder_error())?;
    let mut headers = axum::http::HeaderMap::new();
    for (name, values) in request.headers.iter() {
        if pactum_core::contract::is_framing_header(name) {
            continue;
        }
        let name = HeaderName::try_from(name).map_err(|_| builder_error())?;
        for value in values {
            let value = HeaderValue::try_from(value.as_str()).map_err(|_| builder_error())?;
            headers.append(name.clone(), value);
        }
    }
    let (bytes, content_type) = body_and_type(&request.headers, &request.body);
    if let Some(ct) = content_type {
        let value = HeaderValue::try_from(ct).map_err(|_| builder_error())?;
        headers.append(axum::http::header::CONTENT_TYPE, value);
    }
    headers
        .entry(axum::http::header::ACCEPT)
        .or_insert(HeaderValue::from_static("*/*"));
    let mut http_request = axum::http::Request::new(Full::new(Bytes::from(bytes)));
    *http_request.method_mut() = method;
    *http_request.uri_mut() = uri;
    *http_request.headers_mut() = headers;
    let call = async {
        client.request(http_request).await.map_err(|error| {
            if error.is_connect() {
                CallError::Unreachable {
                    url: base.as_str().trim_end_matches('/').to_owned(),
                    message: pactum_client::sources::innermost_cause(&error),
                }
            } else {
                CallError::Other(format!("error sending request for url ({url})"))
            }
        })
    };
    receive(call, limits, |_| {
        CallError::Other("error decoding response body".into())
    })
    .await
}

/// The response `call` gives, its body read up to the limit, in the contract model: all of it
/// within the timeout, body included (as reqwest's deadline covers it). `unreadable` says why
/// a body could not be read, for a reason other than its size.
async fn receive<B>(
    call: impl Future<Output = Result<axum::http::Response<B>, CallError>>,
    limits: Limits,
    unreadable: impl FnOnce(Box<dyn std::error::Error + Send + Sync>) -> CallError,
) -> Result<Response, CallError>
where
    B: axum::body::HttpBody,
    B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
{
    let Limits { timeout, max_body } = limits;
    let read = async {
        let (parts, body) = call.await?.into_parts();
        let bytes = http_body_util::Limited::new(body, max_body)
            .collect()
            .await
            .map_err(|e| {
                if e.is::<http_body_util::LengthLimitError>() {
                    CallError::BodyTooLarge(max_body)
                } else {
                    unreadable(e)
                }
            })?
            .to_bytes();
        Ok::<_, CallError>((parts, bytes))
    };
    let (parts, bytes) = match tokio::time::timeout(timeout, read).await {
        Ok(result) => result?,
        Err(_) => return Err(CallError::Timeout(timeout)),
    };
    Ok(Response {
        status: parts.status.as_u16(),
        headers: received_headers(&parts.headers),
        body: Body::received(&bytes),
        ..Response::default()
    })
}

/// A response's headers in the contract model (values that are not UTF-8 read lossily).
fn received_headers(received: &axum::http::HeaderMap) -> Headers {
    let mut headers = Headers::new();
    for (name, value) in received {
        headers.add(
            name.as_str(),
            String::from_utf8_lossy(value.as_bytes()).into_owned(),
        );
    }
    headers
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
    use super::*;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    /// A server that answers each connection's first request with `answer` (or closes it
    /// unanswered when `answer` is empty) and hands back what it received.
    async fn server(answer: &'static str) -> (Url, tokio::sync::mpsc::UnboundedReceiver<String>) {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = Url::parse(&format!("http://{}/base/", listener.local_addr().unwrap())).unwrap();
        let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
        tokio::spawn(async move {
            while let Ok((mut socket, _)) = listener.accept().await {
                let mut received = Vec::new();
                let mut buffer = [0; 4096];
                // The head, then as many body bytes as it announces.
                loop {
                    let n = socket.read(&mut buffer).await.unwrap();
                    received.extend_from_slice(&buffer[..n]);
                    let text = String::from_utf8_lossy(&received).to_string();
                    if let Some(end) = text.find("\r\n\r\n") {
                        let length = text[..end]
                            .lines()
                            .find_map(|l| l.strip_prefix("content-length: "))
                            .map_or(0, |l| l.parse::<usize>().unwrap());
                        if received.len() >= end + 4 + length || n == 0 {
                            break;
                        }
                    }
                }
                tx.send(String::from_utf8(received).unwrap()).unwrap();
                if !answer.is_empty() {
                    socket.write_all(answer.as_bytes()).await.unwrap();
                }
            }
        });
        (base, rx)
    }

    fn reqwest_client() -> HttpClient {
        HttpClient::Reqwest(
            reqwest::Client::builder()
                .tcp_nodelay(true)
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .unwrap(),
        )
    }

    fn requests() -> Vec<Request> {
        let mut get = Request {
            method: "get".into(),
            path: "/items/a b".into(),
            ..Request::default()
        };
        get.query.insert("q".into(), vec!["1 2".into()]);
        get.headers.add("X-Trace", "abc");
        get.headers.add("X-Trace", "def");
        let mut post = Request {
            method: "POST".into(),
            path: "/items".into(),
            body: Body::json(serde_json::json!({"name": "x"})),
            ..Request::default()
        };
        post.headers.add("Accept", "application/json");
        let put = Request {
            method: "PUT".into(),
            path: "/empty".into(),
            ..Request::default()
        };
        vec![get, post, put]
    }

    /// The plain client sends, byte for byte, what reqwest sends, and reads the same response.
    #[tokio::test]
    async fn the_plain_client_sends_what_reqwest_sends() {
        let limits = Limits {
            timeout: Duration::from_secs(5),
            max_body: 1024,
        };
        let answer = "HTTP/1.1 201 Created\r\ncontent-type: application/json\r\nx-a: 1\r\nx-a: 2\r\ncontent-length: 11\r\n\r\n{\"id\": 123}";
        for request in requests() {
            let mut sent = Vec::new();
            let mut answered = Vec::new();
            for client in [HttpClient::plain(), reqwest_client()] {
                let (base, mut received) = server(answer).await;
                let authority = format!("127.0.0.1:{}", base.port().unwrap());
                let provider = Provider::Http { client, base };
                let response = provider.send(&request, limits).await.unwrap();
                answered.push(format!("{response:?}"));
                sent.push(received.recv().await.unwrap().replace(&authority, "HOST"));
            }
            assert_eq!(sent[0], sent[1], "{} {}", request.method, request.path);
            assert_eq!(answered[0], answered[1]);
            assert!(sent[0].contains("\r\nhost: HOST\r\n"), "{}", sent[0]);
            assert!(sent[0].contains("\r\naccept: "), "{}", sent[0]);
        }
    }

    /// Failures read the same through both clients: nothing listening, a connection closed
    /// without an answer, a body over the limit, no answer in time.
    #[tokio::test]
    async fn the_plain_client_fails_as_reqwest_does() {
        let request = &requests()[0];
        let limits = Limits {
            timeout: Duration::from_secs(5),
            max_body: 4,
        };
        let closed = {
            let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
            let url = Url::parse(&format!("http://{}/", listener.local_addr().unwrap())).unwrap();
            drop(listener);
            url
        };
        let mut messages = Vec::new();
        for client in [HttpClient::plain(), reqwest_client()] {
            let mut seen = Vec::new();
            let provider = Provider::Http {
                client: client.clone(),
                base: closed.clone(),
            };
            seen.push(
                provider
                    .send(request, limits)
                    .await
                    .unwrap_err()
                    .to_string(),
            );
            for answer in [
                "",
                "HTTP/1.1 200 OK\r\ncontent-length: 10\r\n\r\n0123456789",
            ] {
                let (base, _received) = server(answer).await;
                let provider = Provider::Http {
                    client: client.clone(),
                    base: base.clone(),
                };
                let error = provider
                    .send(request, limits)
                    .await
                    .unwrap_err()
                    .to_string();
                seen.push(error.replace(base.as_str(), "BASE/"));
            }
            let silent = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
            let provider = Provider::Http {
                client,
                base: Url::parse(&format!("http://{}/", silent.local_addr().unwrap())).unwrap(),
            };
            let quick = Limits {
                timeout: Duration::from_millis(200),
                max_body: 4,
            };
            seen.push(provider.send(request, quick).await.unwrap_err().to_string());
            messages.push(seen);
        }
        assert_eq!(messages[0], messages[1]);
        assert!(
            messages[0][0].starts_with("cannot connect to the provider at http://127.0.0.1:"),
            "{:?}",
            messages[0]
        );
        assert!(
            messages[0][1].starts_with("error sending request for url (BASE/"),
            "{:?}",
            messages[0]
        );
        assert!(
            messages[0][2].contains("limit of 4 bytes"),
            "{:?}",
            messages[0]
        );
        assert!(
            messages[0][3].contains("did not answer within 0.2 s"),
            "{:?}",
            messages[0]
        );
    }

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
