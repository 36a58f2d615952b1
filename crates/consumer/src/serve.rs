//! Serving contract interactions over HTTP: what the consumer mock server and `pactum stub`
//! share.
//!
//! Converts HTTP requests into the contract model and responses back, answers CORS
//! pre-flights, and finds the interaction for a request through an index: interactions are
//! keyed by method and literal path, so only the few candidates with the right method and path
//! (plus those whose path is a matcher) are compared in full. It does not decide what happens
//! when nothing matches — that is the caller's policy.

use std::collections::HashMap;
use std::net::SocketAddr;

use axum::body::Bytes;
use axum::http::{HeaderMap, HeaderName, HeaderValue, Method, StatusCode};
use axum::response::IntoResponse;

use pactum_core::contract::{Body, Request, Response, parse_query_string};
use pactum_core::matching::{Mismatch, match_request};

/// Largest request body read (bytes); larger requests get 413.
pub(crate) const MAX_BODY: usize = 16 * 1024 * 1024;

/// Converts an HTTP request into the contract model. The body is kept as received and parsed
/// only if a matcher needs it.
pub(crate) fn to_request(
    method: &Method,
    uri: &axum::http::Uri,
    headers: &HeaderMap,
    body: &Bytes,
) -> Request {
    let path = percent_encoding::percent_decode_str(uri.path())
        .decode_utf8_lossy()
        .into_owned();
    let mut model = Request {
        method: method.as_str().to_string(),
        path,
        query: uri.query().map(parse_query_string).unwrap_or_default(),
        body: Body::received(body),
        ..Request::default()
    };
    for (name, value) in headers {
        model.headers.add(
            name.as_str(),
            String::from_utf8_lossy(value.as_bytes()).into_owned(),
        );
    }
    model
}

/// Renders a contract response as an HTTP response, adding a `Content-Type` from the body when
/// the response declares none.
pub(crate) fn to_http(response: &Response) -> axum::response::Response {
    let status = StatusCode::from_u16(response.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let mut headers = HeaderMap::new();
    for (name, values) in response.headers.iter() {
        if pactum_core::contract::is_framing_header(name) {
            continue;
        }
        let Ok(name) = HeaderName::try_from(name) else {
            continue;
        };
        for value in values {
            if let Ok(value) = HeaderValue::try_from(value.as_str()) {
                headers.append(name.clone(), value);
            }
        }
    }
    let bytes = response.body.to_bytes();
    if !bytes.is_empty()
        && !headers.contains_key(axum::http::header::CONTENT_TYPE)
        && let Some(ct) = response.body.content_type_with(&response.headers)
        && let Ok(value) = HeaderValue::try_from(ct)
    {
        headers.insert(axum::http::header::CONTENT_TYPE, value);
    }
    (status, headers, bytes).into_response()
}

/// A CORS pre-flight answer, if `request` is one (an `OPTIONS` with
/// `Access-Control-Request-Method`).
pub(crate) fn preflight(request: &Request) -> Option<axum::response::Response> {
    if !request.method.eq_ignore_ascii_case("OPTIONS") {
        return None;
    }
    request.headers.first("access-control-request-method")?;
    let mut headers = HeaderMap::new();
    let allow_headers = request
        .headers
        .first("access-control-request-headers")
        .unwrap_or("*");
    let pairs = [
        (
            "access-control-allow-origin",
            request.headers.first("origin").unwrap_or("*"),
        ),
        (
            "access-control-allow-methods",
            "GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS",
        ),
        ("access-control-allow-headers", allow_headers),
        ("access-control-allow-credentials", "true"),
        ("access-control-max-age", "600"),
    ];
    for (name, value) in pairs {
        if let Ok(value) = HeaderValue::try_from(value) {
            headers.insert(HeaderName::from_static(name), value);
        }
    }
    Some((StatusCode::NO_CONTENT, headers).into_response())
}

/// Adds `Access-Control-Allow-Origin` (echoing the request's origin) to a response.
pub(crate) fn allow_origin(response: &mut axum::response::Response, request: &Request) {
    let origin = request.headers.first("origin").unwrap_or("*");
    if let Ok(value) = HeaderValue::try_from(origin) {
        response.headers_mut().insert(
            HeaderName::from_static("access-control-allow-origin"),
            value,
        );
        response.headers_mut().insert(
            HeaderName::from_static("access-control-allow-credentials"),
            HeaderValue::from_static("true"),
        );
    }
}

/// Finds candidate interactions by method and path without comparing every one.
pub(crate) struct Index {
    /// (upper-case method, path) → interaction positions, for literal paths.
    literal: HashMap<(String, String), Vec<usize>>,
    /// upper-case method → positions of interactions whose path is a matcher or generated.
    by_method: HashMap<String, Vec<usize>>,
    /// Interactions whose method itself is a matcher.
    any: Vec<usize>,
}

impl Index {
    /// Indexes the expected requests, by position.
    pub(crate) fn new<'a>(requests: impl IntoIterator<Item = &'a Request>) -> Self {
        let mut index = Index {
            literal: HashMap::new(),
            by_method: HashMap::new(),
            any: Vec::new(),
        };
        for (i, request) in requests.into_iter().enumerate() {
            let method = request.method.to_ascii_uppercase();
            if request.matching_rules.method.is_some() {
                index.any.push(i);
            } else if request.matching_rules.path.is_some() || request.generators.path.is_some() {
                index.by_method.entry(method).or_default().push(i);
            } else {
                index
                    .literal
                    .entry((method, request.path.clone()))
                    .or_default()
                    .push(i);
            }
        }
        index
    }

    /// Positions of the interactions that could match: those with this exact method and path
    /// first (most specific), then those whose path is a matcher, then those whose method is —
    /// each group in declaration order.
    pub(crate) fn candidates(&self, request: &Request) -> Vec<usize> {
        let method = request.method.to_ascii_uppercase();
        let mut out: Vec<usize> = Vec::new();
        if let Some(found) = self.literal.get(&(method.clone(), request.path.clone())) {
            out.extend(found);
        }
        if let Some(found) = self.by_method.get(&method) {
            out.extend(found);
        }
        out.extend(&self.any);
        out
    }
}

/// The result of looking for the interaction that serves a request.
pub(crate) enum Dispatch {
    /// This interaction matches.
    Matched(usize),
    /// None matches; the closest ones with their mismatches, best first.
    Unmatched(Vec<(usize, Vec<Mismatch>)>),
}

/// Finds the first interaction (in declaration order) whose request matches. When none does,
/// compares the request with every interaction (this is the error path, so the cost is
/// acceptable) and returns up to three with the fewest mismatches, so the caller can explain.
pub(crate) fn dispatch(index: &Index, expected: &[&Request], actual: &Request) -> Dispatch {
    dispatch_preferring(index, expected, actual, |_| true)
}

/// Like [`dispatch`], but among matching interactions the first for which `prefer` holds wins;
/// if none does, the first match.
pub(crate) fn dispatch_preferring(
    index: &Index,
    expected: &[&Request],
    actual: &Request,
    prefer: impl Fn(usize) -> bool,
) -> Dispatch {
    let mut first = None;
    for i in index.candidates(actual) {
        if match_request(expected[i], actual).is_empty() {
            if prefer(i) {
                return Dispatch::Matched(i);
            }
            first.get_or_insert(i);
        }
    }
    if let Some(i) = first {
        return Dispatch::Matched(i);
    }
    let mut near: Vec<(usize, Vec<Mismatch>)> = expected
        .iter()
        .enumerate()
        .map(|(i, request)| (i, match_request(request, actual)))
        .collect();
    near.sort_by_key(|(i, m)| (m.len(), *i));
    near.truncate(3);
    Dispatch::Unmatched(near)
}

/// A short description of a request for logs and reports: `GET /items?page=2`.
pub(crate) fn describe(request: &Request) -> String {
    let query = pactum_core::contract::render_query_string(&request.query);
    if query.is_empty() {
        format!("{} {}", request.method.to_ascii_uppercase(), request.path)
    } else {
        format!(
            "{} {}?{query}",
            request.method.to_ascii_uppercase(),
            request.path
        )
    }
}

/// The request as JSON, for error bodies.
pub(crate) fn request_json(request: &Request) -> serde_json::Value {
    let headers: serde_json::Map<String, serde_json::Value> = request
        .headers
        .iter()
        .map(|(n, v)| (n.to_string(), serde_json::Value::from(v.join(", "))))
        .collect();
    serde_json::json!({
        "method": request.method,
        "path": request.path,
        "query": request.query,
        "headers": headers,
        "body": request.body.display_text(),
    })
}

/// A server running on its own thread with its own runtime, so it can be used from both
/// synchronous and asynchronous tests without nesting runtimes.
pub(crate) struct ServerThread {
    pub(crate) addr: SocketAddr,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl ServerThread {
    /// Binds `host:port` (port 0: any free port) and serves `router` until stopped.
    pub(crate) fn start(host: &str, port: u16, router: axum::Router) -> std::io::Result<Self> {
        let listener = std::net::TcpListener::bind((host, port))?;
        listener.set_nonblocking(true)?;
        let addr = listener.local_addr()?;
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()?;
        let thread = std::thread::Builder::new()
            .name(format!("pactum-server-{}", addr.port()))
            .spawn(move || {
                runtime.block_on(async move {
                    let Ok(listener) = tokio::net::TcpListener::from_std(listener) else {
                        return;
                    };
                    let listener = axum::serve::ListenerExt::tap_io(listener, |tcp| {
                        // Without this, a delayed ACK can stall each small response by 40 ms.
                        let _ = tcp.set_nodelay(true);
                    });
                    let _ = axum::serve(listener, router)
                        .with_graceful_shutdown(async {
                            let _ = rx.await;
                        })
                        .await;
                });
            })?;
        Ok(ServerThread {
            addr,
            shutdown: Some(tx),
            thread: Some(thread),
        })
    }

    /// Stops the server and waits for its thread.
    pub(crate) fn stop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

impl Drop for ServerThread {
    fn drop(&mut self) {
        self.stop();
    }
}
